package http_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// TestBrowser_PublicResultsObjectionAndShowcase: during the 公示 a visitor reads the list and
// files an objection through the page; once published the results page shows the winners by
// tier and the gallery plays a winner's video; the organizer follows the certificates ZIP
// being built until its download link appears.
func TestBrowser_PublicResultsObjectionAndShowcase(t *testing.T) {
	ffmpegtest.Require(t)
	e := MustEnv(t, "sqlite+localfs")
	org := e.Organizer()
	_, ids := e.ConfirmAwards(org, workOf("量子之光", "省农业科学院", "江苏省南京市玄武区"), workOf("稻浪", "东南大学", "江苏省苏州市"))
	org.Must(http.StatusOK, "POST", "/api/v1/admin/publication/publicity", nil)

	b := MustBrowser(t, e.Server.URL, 90*time.Second)
	b.Open("/results")
	if got := b.Text("#tier-1"); !strings.Contains(got, "《量子之光》") || !strings.Contains(got, "张三、李四") {
		b.Fatalf("一等奖 in the 公示: %q", got)
	}
	b.Submit("file an objection",
		chromedp.SetValue(chromedp.CSS(`select[name="work_id"]`), ids[1]),
		Fill(`[name="name"]`, "赵六"), Fill(`[name="contact"]`, "zhao@example.org"),
		Fill(`[name="reason"]`, "该作品画面素材疑似来自他人作品，请核实。"),
		chromedp.Click(chromedp.ID("file-objection")))
	if got := b.Text("#objection-filed"); !strings.Contains(got, "已提交") {
		b.Fatalf("after filing: %q", got)
	}
	var pub struct{ Objections []struct{ ID string } }
	org.Must(http.StatusOK, "GET", "/api/v1/admin/publication", nil).JSON(t, &pub)
	if len(pub.Objections) != 1 {
		t.Fatalf("%d objections recorded", len(pub.Objections))
	}
	org.Must(http.StatusOK, "PUT", "/api/v1/admin/objections/"+pub.Objections[0].ID, map[string]any{"upheld": false, "decision": "经核实素材为作者自摄。"})
	e.Clock.Set(afterPublicity)
	org.Must(http.StatusOK, "POST", "/api/v1/admin/publication/publish", nil)

	b.Open("/results")
	if got := b.Text("h1"); !strings.Contains(got, "评选结果") {
		b.Fatalf("published heading %q", got)
	}
	if got := b.Text("#tier-2"); !strings.Contains(got, "《稻浪》") || !strings.Contains(got, "东南大学") {
		b.Fatalf("二等奖: %q", got)
	}
	b.Screenshot("results")
	b.Open("/showcase")
	video := `figure.work[data-id="` + ids[0] + `"] video`
	b.Do("play a winner", chromedp.Evaluate[chromedp.Void](`(() => { const v = document.querySelector('`+video+`'); v.muted = true; v.play(); })()`))
	b.Do("wait until it plays", chromedp.Poll[chromedp.Void](`document.querySelector('`+video+`').currentTime > 0.2`))
	b.Screenshot("showcase")
	for _, p := range personal {
		if strings.Contains(b.Text("main"), p) {
			b.Fatalf("the gallery shows %q", p)
		}
	}

	// The organizer builds every certificate; the page follows the job to its download link.
	b.Open("/login")
	b.Submit("sign in", Fill(`main form [name="email"]`, "organizer@example.org"), Fill(`main form [name="password"]`, "organizer-pass"),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
	b.Open("/admin/publication")
	b.Submit("build the certificates", chromedp.Click(chromedp.ID("export-certificates")))
	b.Do("wait for the download link", chromedp.WaitVisible(chromedp.CSS(`#export-jobs a.download`)))
	if got := b.Text("#export-jobs"); !strings.Contains(got, "完成（2 项") {
		b.Fatalf("jobs table: %q", got)
	}
	b.Screenshot("publication")
	b.Open("/admin/statistics")
	if got := b.Text("#by-city"); !strings.Contains(got, "南京市") || !strings.Contains(got, "苏州市") {
		b.Fatalf("statistics by city: %q", got)
	}
	b.Screenshot("statistics")

	// The QR code's page, as a phone opens it.
	serial, _ := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/publication", nil)).Find("#issued tr[data-serial]").Attr("data-serial")
	b.Open("/verify/" + serial)
	if got := b.Text("#verify"); !strings.Contains(got, "证书真实有效") || !strings.Contains(got, serial) {
		b.Fatalf("verify page: %q", got)
	}
	b.Screenshot("verify")
	if errs := b.JSErrors(); len(errs) > 0 {
		t.Errorf("script errors:\n%s", strings.Join(errs, "\n"))
	}
}
