package http_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
	"github.com/jskx/contest/internal/pdf/pdftest"
)

// personal are the registration's fields that must never be public: ID numbers, mobile,
// email, WeChat, address, postal code.
var personal = []string{idZhang, idLi, "13800138000", "zhang@example.org", "zhangsan", "孝陵卫街", "210014"}

func mustNotContainPersonal(t *testing.T, where string, body []byte) {
	t.Helper()
	for _, p := range personal {
		if bytes.Contains(body, []byte(p)) {
			t.Fatalf("%s shows %q", where, p)
		}
	}
}

type resultsJSON struct {
	Publication struct{ Stage string }
	Items       []struct {
		WorkID   string `json:"work_id"`
		Tier     string
		Title    string
		Creators []string
		Employer string
	}
}

// TestPublication_PublicityObjectionsPublishCertificates runs the results from confirmed awards
// to certificates: 公示 with an objection, its decision, publishing, each winner's
// certificate (text and QR read back), verification, the gallery, and withdrawing.
func TestPublication_PublicityObjectionsPublishCertificates(t *testing.T) {
	ffmpegtest.Require(t)
	pdftest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		e.Configure(func(o *contest.Options) { o.SessionTTL = 60 * 24 * time.Hour }) // the story spans two 公示 periods
		org := e.Organizer()
		owners, ids := e.ConfirmAwards(org,
			workOf("量子之光", "省农业科学院", "江苏省南京市玄武区孝陵卫街50号"),
			workOf("稻浪", "东南大学", "江苏省苏州市姑苏区"),
			workOf("匠心", "省人民医院", "南京市鼓楼区"),
			workOf("未获奖的作品", "省气象局", "江苏省无锡市"))
		anon := e.Client()

		// Before the 公示 nothing is public.
		page := anon.Must(http.StatusOK, "GET", "/results", nil)
		if doc := mustDoc(t, page); doc.Find("#no-results").Length() != 1 || strings.Contains(string(page.Body), "量子之光") {
			t.Fatalf("results before the 公示:\n%s", page.Body)
		}
		if r := org.Do("POST", "/api/v1/admin/publication/publish", nil); r.Status != http.StatusConflict {
			t.Fatalf("publish without 公示 = %d", r.Status)
		}

		// 公示: the three winners by tier, with names and employer only.
		var st struct{ Stage string }
		org.Must(http.StatusOK, "POST", "/api/v1/admin/publication/publicity", nil).JSON(t, &st)
		if st.Stage != "publicity" {
			t.Fatalf("stage %q", st.Stage)
		}
		var res resultsJSON
		r := anon.Must(http.StatusOK, "GET", "/api/v1/results", nil)
		r.JSON(t, &res)
		mustNotContainPersonal(t, "results API", r.Body)
		if len(res.Items) != 3 || res.Items[0].Title != "量子之光" || res.Items[0].Tier != "first" || res.Items[2].Tier != "third" ||
			strings.Join(res.Items[0].Creators, "、") != "张三、李四" || res.Items[0].Employer != "省农业科学院" {
			t.Fatalf("publicity list %+v", res)
		}
		page = anon.Must(http.StatusOK, "GET", "/results", nil)
		mustNotContainPersonal(t, "results page", page.Body)
		doc := mustDoc(t, page)
		if got := doc.Find("#tier-1 td").Eq(1).Text(); got != "《量子之光》" || doc.Find("#objection form").Length() != 1 ||
			!strings.Contains(doc.Find("h1").Text(), "拟获奖作品公示") || strings.Contains(string(page.Body), "未获奖的作品") {
			t.Fatalf("publicity page: first prize %q\n%s", got, page.Body)
		}

		// An objection: refused when incomplete, taken when complete; publishing waits.
		bad := anon.Do("POST", "/api/v1/results/objections", map[string]string{"work_id": ids[3], "name": "", "contact": "abc", "reason": "太短"})
		if codes := bad.FieldCodes(); bad.Status != http.StatusUnprocessableEntity || codes["work_id"] == "" || codes["name"] == "" || codes["contact"] == "" || codes["reason"] == "" {
			t.Fatalf("incomplete objection = %d %s", bad.Status, bad.Body)
		}
		form := url.Values{"work_id": {ids[1]}, "name": {"赵六"}, "contact": {"13912345678"}, "reason": {"该作品与往届获奖作品高度相似，请核实原创性。"}}
		anon.Must(http.StatusSeeOther, "POST", "/results/objections", form)
		if r := org.Do("POST", "/api/v1/admin/publication/publish", nil); r.Status != http.StatusConflict || !strings.Contains(r.ErrorMessage(), "公示期") {
			t.Fatalf("publish during the 公示 = %d %s", r.Status, r.Body)
		}
		// A second objection, from someone else, against 匠心; the same person twice is refused.
		second := map[string]string{"work_id": ids[2], "name": "钱七", "contact": "Qian@Example.org", "reason": "该作品使用了未授权的背景音乐，请核实。"}
		anon.Must(http.StatusCreated, "POST", "/api/v1/results/objections", second)
		if r := anon.Do("POST", "/api/v1/results/objections", second); r.Status != http.StatusConflict {
			t.Fatalf("the same objection twice = %d", r.Status)
		}
		e.Clock.Set(afterPublicity)
		if r := anon.Do("POST", "/api/v1/results/objections", map[string]string{"work_id": ids[1], "name": "赵六", "contact": "zhao@example.org", "reason": "公示期后提出的异议不应被接受。"}); r.Status != http.StatusConflict {
			t.Fatalf("objection after the 公示 = %d", r.Status)
		}
		if r := org.Do("POST", "/api/v1/admin/publication/publish", nil); r.Status != http.StatusConflict || !strings.Contains(r.ErrorMessage(), "未处理的异议") {
			t.Fatalf("publish with open objections = %d %s", r.Status, r.Body)
		}
		var pub struct {
			Objections []struct {
				ID, Status string
				Contact    string `json:"contact_masked"`
			}
		}
		org.Must(http.StatusOK, "GET", "/api/v1/admin/publication", nil).JSON(t, &pub)
		if len(pub.Objections) != 2 || pub.Objections[0].Contact != "q***@example.org" || pub.Objections[1].Contact != "139****5678" {
			t.Fatalf("objections %+v", pub.Objections)
		}
		first, upheld := pub.Objections[1].ID, pub.Objections[0].ID
		if page := org.Must(http.StatusOK, "GET", "/admin/objections/"+first, nil); !strings.Contains(string(page.Body), "13912345678") {
			t.Error("the organizer's objection page lacks the full contact")
		}
		if r := org.Do("POST", "/admin/objections", url.Values{"upheld": {"0"}, "decision": {"不成立"}}); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bulk decision with none ticked = %d", r.Status)
		}
		org.Must(http.StatusSeeOther, "POST", "/admin/objections", url.Values{"id": {first}, "upheld": {"0"}, "decision": {"经核实，作品为原创，异议不成立。"}})
		org.Must(http.StatusSeeOther, "POST", "/admin/objections/"+upheld, url.Values{"upheld": {"1"}, "decision": {"经核实，背景音乐未获授权，取消该作品奖项。"}})
		if r := org.Do("PUT", "/api/v1/admin/objections/"+upheld, map[string]any{"upheld": false, "decision": "改判"}); r.Status != http.StatusConflict {
			t.Fatalf("deciding a decided objection again = %d", r.Status)
		}
		audit := string(org.Must(http.StatusOK, "GET", "/admin/audit.csv", nil).Body)
		if !strings.Contains(audit, "objection") || !strings.Contains(audit, "经核实，作品为原创，异议不成立。") || strings.Contains(audit, "13912345678") {
			t.Fatalf("the decision is not in the audit log (or the contact is):\n%s", audit)
		}

		// Upheld: no publishing until a new version of the awards has been shown in a new 公示.
		if r := org.Do("POST", "/api/v1/admin/publication/publish", nil); r.Status != http.StatusConflict || !strings.Contains(r.ErrorMessage(), "异议成立") {
			t.Fatalf("publish with an upheld objection = %d %s", r.Status, r.Body)
		}
		org.Must(http.StatusOK, "POST", "/api/v1/admin/awards/reopen", map[string]string{"reason": "异议成立"})
		if doc := mustDoc(t, anon.Must(http.StatusOK, "GET", "/results", nil)); doc.Find("#no-results").Length() != 1 {
			t.Fatal("the old list is still public after a new version was opened")
		}
		org.Must(http.StatusOK, "PUT", "/api/v1/admin/awards/"+ids[2], map[string]string{"tier": "none", "reason": "异议成立，取消奖项"})
		org.Must(http.StatusOK, "POST", "/api/v1/admin/awards/confirm", nil)
		org.Must(http.StatusOK, "POST", "/api/v1/admin/publication/publicity", nil)
		anon.Must(http.StatusOK, "GET", "/api/v1/results", nil).JSON(t, &res)
		if len(res.Items) != 2 {
			t.Fatalf("the new 公示 lists %d works, want 2", len(res.Items))
		}
		e.Clock.Set(afterPublicity.AddDate(0, 0, 7))

		// Published, with a certificate for the work and one for each participant: the final
		// list, the owners' results and certificates.
		org.Must(http.StatusSeeOther, "POST", "/admin/publication/settings", url.Values{"publicity_days": {"5"}, "heading": {"获奖证书"},
			"body": {"{姓名}：\n你（们）创作的作品《{作品}》在{活动}中荣获{奖项}。\n特发此证，以资鼓励。"}, "issuer": {"省科学技术协会"}, "per_participant": {"1"}})
		stale, err := e.Svc.Contests.CurrentContest(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		// Several clicks at once: one publishes, the others are told it changed meanwhile.
		publishTogether(t, e, 6)
		if h := mustDoc(t, anon.Must(http.StatusOK, "GET", "/results", nil)).Find("h1").Text(); !strings.Contains(h, "评选结果") {
			t.Fatalf("published heading %q", h)
		}
		if got := mustDoc(t, anon.Must(http.StatusOK, "GET", "/", nil)).Find("#home-results").Text(); !strings.Contains(got, "评选结果已发布") {
			t.Errorf("the home page does not announce the results: %q", got)
		}
		if rows := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/audit", nil)).Find("#audit tbody").Text(); !strings.Contains(rows, "结果发布") ||
			!strings.Contains(rows, "异议") || !strings.Contains(rows, "开始公示") {
			t.Errorf("the audit page does not name publishing and objections in Chinese:\n%s", rows)
		}
		my := mustDoc(t, owners[0].Must(http.StatusOK, "GET", "/my", nil))
		link, _ := my.Find("a.certificate").Attr("href")
		if my.Find(".award").Text() != "一等奖" || link == "" || my.Find("a.certificate").Length() != 3 ||
			!strings.Contains(my.Find("a.certificate").Eq(2).Text(), "李四") {
			t.Fatalf("the winner's page: award %q, certificates %q", my.Find(".award").Text(), my.Find("a.certificate").Text())
		}
		personalLink, _ := my.Find("a.certificate").Eq(2).Attr("href")
		if text := pdftest.Text(t, owners[0].Must(http.StatusOK, "GET", personalLink, nil).Body); !strings.Contains(text, "李四：") || strings.Contains(text, "张三") {
			t.Errorf("李四's own certificate:\n%s", text)
		}
		if mustDoc(t, owners[2].Must(http.StatusOK, "GET", "/my", nil)).Find(".my-result").Text() != "未获奖" {
			t.Error("the page of a work without award does not say so")
		}
		cert := owners[0].Must(http.StatusOK, "GET", link, nil)
		if ct := cert.Header.Get("Content-Type"); ct != "application/pdf" {
			t.Fatalf("certificate type %q", ct)
		}
		text := pdftest.Text(t, cert.Body)
		serial := strings.TrimPrefix(link, "/certificates/")
		for _, want := range []string{"获奖证书", "一等奖", "量子之光", "张三", "李四", "省科学技术协会", serial, "2022年6月4日"} {
			if !strings.Contains(strings.ReplaceAll(text, " ", ""), strings.ReplaceAll(want, " ", "")) {
				t.Errorf("certificate text lacks %q:\n%s", want, text)
			}
		}
		verifyURL := pdftest.QR(t, cert.Body)
		if verifyURL != e.Server.URL+"/verify/"+serial {
			t.Fatalf("QR code says %q, want the verify page of %s", verifyURL, serial)
		}
		if r := owners[1].Do("GET", link, nil); r.Status != http.StatusNotFound {
			t.Errorf("another contestant downloads the certificate = %d", r.Status)
		}
		ver := anon.Must(http.StatusOK, "GET", strings.TrimPrefix(verifyURL, e.Server.URL), nil)
		if d := mustDoc(t, ver); d.Find("#genuine").Length() != 1 || !strings.Contains(d.Find("dl").Text(), "量子之光") {
			t.Fatalf("verify page for a real serial:\n%s", ver.Body)
		}
		mustNotContainPersonal(t, "verify page", ver.Body)
		forged := serial[:len(serial)-1] + map[bool]string{true: "A", false: "B"}[!strings.HasSuffix(serial, "A")]
		if r := anon.Do("GET", "/verify/"+forged, nil); r.Status != http.StatusNotFound || mustDoc(t, r).Find("#not-found").Length() != 1 {
			t.Fatalf("forged serial = %d", r.Status)
		}

		// The gallery plays the winners; the fourth work is not in it.
		org.Must(http.StatusOK, "PUT", "/api/v1/admin/recommendations/"+ids[0], map[string]bool{"recommended": true})
		show := anon.Must(http.StatusOK, "GET", "/showcase", nil)
		mustNotContainPersonal(t, "showcase", show.Body)
		gallery := mustDoc(t, show)
		if n := gallery.Find("figure.work").Length(); n != 2 || gallery.Find("figure.work .national").Length() != 1 {
			t.Fatalf("%d works in the gallery:\n%s", n, show.Body)
		}
		if video := anon.Fetch("/showcase/" + ids[0] + "/video"); len(video) < 1000 || !bytes.Contains(video[:64], []byte("ftyp")) {
			t.Errorf("gallery video: %d bytes", len(video))
		}
		if poster := anon.Fetch("/showcase/" + ids[0] + "/poster"); !bytes.HasPrefix(poster, []byte{0xFF, 0xD8}) {
			t.Error("gallery poster is not a JPEG")
		}
		if r := anon.Do("GET", "/showcase/"+ids[2]+"/video", nil); r.Status != http.StatusNotFound {
			t.Errorf("video of a work not in the gallery = %d", r.Status)
		}

		// The organizers' register of objections, contacts masked.
		book, err := excelize.OpenReader(bytes.NewReader(org.Must(http.StatusOK, "GET", "/admin/exports/sheets/results", nil).Body))
		if err != nil {
			t.Fatal(err)
		}
		register, _ := book.GetRows("异议处理")
		book.Close()
		if len(register) != 3 || register[1][3] != "139****5678" || register[1][5] != "异议不成立" || register[2][5] != "异议成立" {
			t.Errorf("objection register %q", register)
		}

		// Every certificate in one ZIP, built in the background.
		zipped := waitExport(t, org, "certificates")
		if len(zipped) != 6 {
			t.Fatalf("%d certificates in the ZIP, want 2 works × (the work + 2 participants)", len(zipped))
		}
		for name, b := range zipped {
			if !bytes.HasPrefix(b, []byte("%PDF")) || !strings.HasSuffix(name, ".pdf") {
				t.Errorf("%s is not a PDF", name)
			}
		}

		// Withdrawn: nothing public, the certificate no longer verifies (and says nothing more);
		// published again, by several clicks at once, the same serial stands again, once.
		org.Must(http.StatusOK, "POST", "/api/v1/admin/publication/unpublish", map[string]string{"reason": "发现计分错误，需复核"})
		if d := mustDoc(t, anon.Must(http.StatusOK, "GET", "/verify/"+serial, nil)); d.Find("#revoked").Length() != 1 || strings.Contains(d.Text(), "量子之光") {
			t.Fatal("a withdrawn certificate still verifies, or shows what it certified")
		}
		if body := anon.Must(http.StatusOK, "GET", "/api/v1/verify/"+serial, nil).Body; strings.Contains(string(body), "量子之光") || !strings.Contains(string(body), `"genuine":false`) {
			t.Fatalf("verify API of a withdrawn certificate: %s", body)
		}
		if doc := mustDoc(t, anon.Must(http.StatusOK, "GET", "/results", nil)); doc.Find("#withdrawn").Length() != 1 || doc.Find("#tier-1").Length() != 0 {
			t.Fatal("the results page still lists the winners after they were withdrawn")
		}
		if strings.Contains(string(anon.Must(http.StatusOK, "GET", "/showcase", nil).Body), "量子之光") {
			t.Fatal("the gallery shows works after the results were withdrawn")
		}
		publishTogether(t, e, 6)
		if d := mustDoc(t, anon.Must(http.StatusOK, "GET", "/verify/"+serial, nil)); d.Find("#genuine").Length() != 1 {
			t.Fatal("the same certificate does not stand again after publishing again")
		}
		if d := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/publication", nil)); d.Find(`#issued tr[data-serial="`+serial+`"] .ok`).Length() != 1 ||
			!strings.Contains(d.Find("#issued summary").Text(), "6 张有效") {
			t.Errorf("the organizer's list of certificates: %q", d.Find("#issued summary").Text())
		}
		if n := mustDoc(t, owners[0].Must(http.StatusOK, "GET", "/my", nil)).Find("a.certificate").Length(); n != 3 {
			t.Fatalf("the winner has %d valid certificates after concurrent publishing, want 3", n)
		}

		// Saves based on a contest read before publishing are refused: reopening the awards
		// (which would cross the publication) and the publication itself; the settings page
		// writes neither.
		entry := contest.AuditEntry{ID: "stale", ActorID: "t", Entity: "award", EntityID: stale.ID, Action: "reopen", At: stale.UpdatedAt}
		reopened := stale
		reopened.Judging.AwardsConfirmedAt = nil
		if err := e.Stores.SaveAwardsState(context.Background(), reopened, entry); contest.ErrorCode(err) != contest.EConflict {
			t.Errorf("reopening from a stale read = %v, want conflict", err)
		}
		if err := e.Stores.SavePublicity(context.Background(), stale, nil, entry, nil); contest.ErrorCode(err) != contest.EConflict {
			t.Errorf("saving the publication from a stale read = %v, want conflict", err)
		}
		if err := e.Stores.UpdateContest(context.Background(), &reopened); err != nil {
			t.Fatal(err)
		}
		if now, _ := e.Svc.Contests.CurrentContest(context.Background()); now.Stage(e.Clock.Now()) != contest.StagePublished || now.Judging.AwardsConfirmedAt == nil {
			t.Fatalf("a settings save from a stale read changed the results: %s", now.Stage(e.Clock.Now()))
		}
	})
}

// publishTogether has n organizers click 发布 at the same moment: each gets 200 (published, or
// already published) or 409 (it changed meanwhile), and at least one publishes.
func publishTogether(t *testing.T, e *env, n int) {
	t.Helper()
	var wg sync.WaitGroup
	statuses := make([]int, n)
	for i := range statuses {
		c := e.Organizer()
		wg.Go(func() { statuses[i] = c.Do("POST", "/api/v1/admin/publication/publish", nil).Status })
	}
	wg.Wait()
	if !slices.Contains(statuses, http.StatusOK) || slices.ContainsFunc(statuses, func(s int) bool { return s != http.StatusOK && s != http.StatusConflict }) {
		t.Fatalf("concurrent publish statuses %v", statuses)
	}
}

// waitExport starts a package, follows its progress until done, and returns the ZIP's files.
func waitExport(t *testing.T, org *client, kind string) map[string][]byte {
	t.Helper()
	var j struct {
		ID, Status, Error string
		Done, Total       int
		DownloadURL       string `json:"download_url"`
	}
	org.Must(http.StatusAccepted, "POST", "/api/v1/admin/exports", map[string]string{"kind": kind}).JSON(t, &j)
	deadline := time.Now().Add(60 * time.Second)
	for j.Status != "done" {
		if j.Status == "failed" || time.Now().After(deadline) {
			t.Fatalf("export %s: %+v", kind, j)
		}
		time.Sleep(100 * time.Millisecond)
		org.Must(http.StatusOK, "GET", "/api/v1/admin/exports/"+j.ID, nil).JSON(t, &j)
	}
	if j.Done != j.Total {
		t.Errorf("done export at %d/%d", j.Done, j.Total)
	}
	r := org.Must(http.StatusOK, "GET", j.DownloadURL, nil)
	z, err := zip.NewReader(bytes.NewReader(r.Body), int64(len(r.Body)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return out
}

// TestExports_MaskedByDefaultFullOnlyAudited checks the organizers' spreadsheets: reopened with
// excelize they hold the rows; the default registration export has no full ID number, the
// full one needs a confirmation and is audited; CSV is Excel-safe; the national package has
// the sheet and the videos.
func TestExports_MaskedByDefaultFullOnlyAudited(t *testing.T) {
	ffmpegtest.Require(t)
	e := MustEnv(t, "sqlite+localfs")
	org := e.Organizer()
	in := workOf("=HYPERLINK(\"http://evil\")", "南京大学", "江苏省南京市鼓楼区汉口路22号")
	_, ids := e.ConfirmAwards(org, workOf("量子之光", "省农业科学院", "江苏省南京市玄武区孝陵卫街50号"), in)

	sheets := func(r response) *excelize.File {
		t.Helper()
		f, err := excelize.OpenReader(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatalf("not a workbook: %v", err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	reg := sheets(org.Must(http.StatusOK, "GET", "/admin/exports/sheets/registrations", nil))
	rows, _ := reg.GetRows("报名登记表")
	if len(rows) != 3 || rows[0][1] != "作品名称" || rowOf(rows, "量子之光") == nil {
		t.Fatalf("registration rows %q", rows)
	}
	if panes, _ := reg.GetPanes("报名登记表"); !panes.Freeze {
		t.Error("header row not frozen")
	}
	for _, name := range reg.GetSheetList() {
		all, _ := reg.GetRows(name)
		for _, row := range all {
			for _, cell := range row {
				if strings.Contains(cell, idZhang) || strings.Contains(cell, idLi) || strings.Contains(cell, "13800138000") {
					t.Fatalf("default export shows %q in %s", cell, name)
				}
				// Masked means contact data too: names keep their surname, addresses their city.
				for _, clear := range []string{"张三", "李四", "zhang@example.org", "zhangsan", "孝陵卫街50号", "汉口路22号"} {
					if strings.Contains(cell, clear) {
						t.Errorf("default export shows %q (in %q, %s)", clear, cell, name)
					}
				}
			}
		}
	}
	if r := org.Do("POST", "/admin/exports/registrations-full", url.Values{}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("full export without confirmation = %d", r.Status)
	}
	full := sheets(org.Must(http.StatusOK, "POST", "/admin/exports/registrations-full", url.Values{"confirm": {"1"}}))
	rows, _ = full.GetRows("报名登记表")
	if row := rowOf(rows, "量子之光"); row[6] != idZhang || row[7] != "13800138000" {
		t.Fatalf("full export row %q", row)
	}
	if audit := string(org.Must(http.StatusOK, "GET", "/admin/audit.csv", nil).Body); !strings.Contains(audit, "registrations_full") {
		t.Fatal("the full export is not in the audit log")
	}
	if row := rowOf(mustRows(t, reg, "报名登记表"), "量子之光"); row[2] != "张*" || row[8] != "z***@example.org" || !strings.HasPrefix(row[10], "江苏省南京市") {
		t.Errorf("masked row %q: want 张*, z***@example.org and the address to its city", row)
	}
	var log struct {
		Items []struct{ Entity, Action, After string }
	}
	org.Must(http.StatusOK, "GET", "/api/v1/admin/audit", nil).JSON(t, &log)
	if !slices.ContainsFunc(log.Items, func(a struct{ Entity, Action, After string }) bool {
		return a.Entity == "export" && a.Action == "download" && strings.Contains(a.After, `"sheet":"registrations"`)
	}) {
		t.Errorf("the masked download is not in the audit log: %+v", log.Items)
	}

	// Scores per judge and criterion; results with the awards.
	scores := sheets(org.Must(http.StatusOK, "GET", "/admin/exports/sheets/scores", nil))
	rows, _ = scores.GetRows("评分明细")
	if len(rows) != 3 || rows[1][2] != "王评委" || rows[1][3] != "29" || rows[1][7] != "96" || rows[1][8] != "已提交" {
		t.Fatalf("score rows %q", rows)
	}
	results := sheets(org.Must(http.StatusOK, "GET", "/admin/exports/sheets/results", nil))
	rows, _ = results.GetRows("评审结果")
	if rows[1][1] != "量子之光" || rows[1][7] != "一等奖" || rows[2][7] != "二等奖" {
		t.Fatalf("result rows %q", rows)
	}
	stats := sheets(org.Must(http.StatusOK, "GET", "/admin/exports/sheets/statistics", nil))
	rows, _ = stats.GetRows("按城市统计")
	if len(rows) != 2 || rows[1][0] != "南京市" || rows[1][1] != "2" {
		t.Fatalf("city rows %q", rows)
	}

	// CSV: a BOM for Excel, and a title that is a formula stays text.
	csvBody := string(org.Must(http.StatusOK, "GET", "/admin/exports/sheets/registrations?format=csv&sheet=0", nil).Body)
	if !strings.HasPrefix(csvBody, "\ufeff序号,作品名称") || !strings.Contains(csvBody, `'=HYPERLINK`) {
		t.Fatalf("csv:\n%s", csvBody)
	}

	// The statistics page draws its bars.
	if d := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/statistics", nil)); d.Find("#by-city .bar").Length() != 1 || d.Find("#works").Text() != "2" {
		t.Fatal("statistics page lacks the city bars or the count")
	}

	// The national package: the sheet and each recommended video as uploaded; nothing to
	// package before a work is recommended.
	if r := org.Do("POST", "/api/v1/admin/exports", map[string]string{"kind": "national"}); r.Status != http.StatusConflict {
		t.Fatalf("national package with nothing recommended = %d", r.Status)
	}
	org.Must(http.StatusOK, "PUT", "/api/v1/admin/recommendations/"+ids[1], map[string]bool{"recommended": true})
	pkg := waitExport(t, org, "national")
	sheet, ok := pkg["推荐至全国作品清单.xlsx"]
	if !ok || len(pkg) != 2 {
		t.Fatalf("package files %v", keys(pkg))
	}
	f, err := excelize.OpenReader(bytes.NewReader(sheet))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ = f.GetRows("推荐作品")
	if len(rows) != 2 || rows[1][4] != "二等奖" || !strings.HasPrefix(rows[1][7], "videos/001_") {
		t.Fatalf("package sheet %q", rows)
	}
	if v := pkg[rows[1][7]]; len(v) < 1000 || !bytes.Contains(v[:64], []byte("ftyp")) {
		t.Fatalf("video in the package: %d bytes", len(v))
	}
}

// rowOf returns the row whose second cell (the title) is title.
func rowOf(rows [][]string, title string) []string {
	for _, r := range rows {
		if len(r) > 1 && r[1] == title {
			return r
		}
	}
	return nil
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestCertificateZIP_ShowsProgressWhileTheServerAnswers: the ZIP of many certificates is
// built in the background; meanwhile its progress moves and pages answer at once.
func TestCertificateZIP_ShowsProgressWhileTheServerAnswers(t *testing.T) {
	ffmpegtest.Require(t)
	pdftest.Require(t)
	e := MustEnv(t, "sqlite+localfs")
	n := 150 * max(1, runtime.NumCPU()/2) // enough work to be seen midway with a renderer per core
	c, certs, _ := e.SeedCertificates(n)
	// One more, for a name no font can print: it must not sink the other 150.
	c, _ = e.Svc.Contests.CurrentContest(context.Background())
	odd := certs[0]
	odd.Serial, odd.Recipient = "2022-1-9999-ODDNAME0", "王𠮷"
	audit := contest.AuditEntry{ID: "odd", ActorID: "seed", Entity: "publication", EntityID: c.ID, Action: "publish", At: odd.IssuedAt}
	if err := e.Stores.SavePublication(context.Background(), c, []contest.Certificate{odd}, nil, odd.IssuedAt, audit, nil); err != nil {
		t.Fatal(err)
	}
	org, anon := e.Organizer(), e.Client()
	var j struct {
		ID, Status  string
		Done, Total int
	}
	org.Must(http.StatusAccepted, "POST", "/api/v1/admin/exports", map[string]string{"kind": "certificates"}).JSON(t, &j)
	var midway bool
	var slowest time.Duration
	deadline := time.Now().Add(2 * time.Minute)
	for j.Status != "done" {
		if j.Status == "failed" || time.Now().After(deadline) {
			t.Fatalf("export: %+v", j)
		}
		start := time.Now()
		anon.Must(http.StatusOK, "GET", "/results", nil)
		slowest = max(slowest, time.Since(start))
		org.Must(http.StatusOK, "GET", "/api/v1/admin/exports/"+j.ID, nil).JSON(t, &j)
		midway = midway || j.Status == "running" && j.Done > 0 && j.Done < j.Total
		time.Sleep(20 * time.Millisecond)
	}
	if !midway || j.Total != n+1 {
		t.Errorf("progress never seen between 0 and %d (total %d)", n+1, j.Total)
	}
	if page := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/publication", nil)); !strings.Contains(page.Find("#export-jobs").Text(), "1 张证书未能生成") {
		t.Errorf("the desk does not say a certificate is missing: %q", page.Find("#export-jobs").Text())
	}

	// A week later the package is gone, file and record.
	e.Clock.Set(e.Clock.Now().Add(contest.ExportKeep + time.Hour))
	if n, err := e.Svc.Reports.SweepExports(context.Background()); err != nil || n != 1 {
		t.Fatalf("swept %d, %v", n, err)
	}
	if r := org.Do("GET", "/api/v1/admin/exports/"+j.ID, nil); r.Status != http.StatusNotFound {
		t.Errorf("a swept package = %d", r.Status)
	}
	if slowest > 2*time.Second {
		t.Errorf("a page took %v while the certificates were built", slowest)
	}
}

// TestPublicationSettings_TemplateShapesTheCertificate: the organizer's wording, issuer and
// date are what the certificate prints; bad settings are refused field by field and the desk
// keeps what was typed.
func TestPublicationSettings_TemplateShapesTheCertificate(t *testing.T) {
	pdftest.Require(t)
	e := MustEnv(t, "sqlite+localfs")
	org := e.Organizer()
	bad := url.Values{"publicity_days": {"0"}, "heading": {""}, "body": {"正文"}, "issuer": {"省科协"}}
	r := org.Do("POST", "/admin/publication/settings", bad)
	doc := mustDoc(t, r)
	if r.Status != http.StatusUnprocessableEntity || doc.Find("#settings .err").Length() != 2 || doc.Find(`[name="issuer"]`).AttrOr("value", "") != "省科协" {
		t.Fatalf("bad settings = %d:\n%s", r.Status, doc.Find("#settings").Text())
	}
	good := url.Values{"publicity_days": {"7"}, "heading": {"荣誉证书"}, "body": {"{姓名}：\n作品《{作品}》荣获{奖项}。"},
		"issuer": {"省科协科普部"}, "date": {"二〇二二年六月𠮷"}, "per_participant": {"1"}}
	// No font has 𠮷 (outside the Basic Multilingual Plane): refused when saved, naming the
	// character, not when certificates are due.
	if r := org.Do("POST", "/admin/publication/settings", good); r.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(mustDoc(t, r).Find("#template-error").Text(), "𠮷") {
		t.Fatalf("a date the font cannot print = %d", r.Status)
	}
	good.Set("date", "2022年6月1日")
	org.Must(http.StatusSeeOther, "POST", "/admin/publication/settings", good)
	var st struct {
		Publication struct {
			PublicityDays int `json:"publicity_days"`
		}
	}
	org.Must(http.StatusOK, "GET", "/api/v1/admin/publication", nil).JSON(t, &st)
	if st.Publication.PublicityDays != 7 {
		t.Fatalf("publicity days %d", st.Publication.PublicityDays)
	}
	preview := org.Must(http.StatusOK, "GET", "/admin/publication/certificate-preview", nil)
	text := strings.ReplaceAll(pdftest.Text(t, preview.Body), " ", "")
	for _, want := range []string{"荣誉证书", "省科协科普部", "2022年6月1日", "荣获一等奖", "SAMPLE"} {
		if !strings.Contains(text, want) {
			t.Errorf("preview lacks %q:\n%s", want, text)
		}
	}
	if r := e.Client().SignUp("x@example.org").Do("GET", "/admin/publication/certificate-preview", nil); r.Status != http.StatusForbidden {
		t.Errorf("a contestant previews = %d", r.Status)
	}
}

// mustRows returns a sheet's rows.
func mustRows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
