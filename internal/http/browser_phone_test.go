package http_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/demo"
	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// phoneWidths are the screens every contestant and public page must fit: two common phones
// and a tablet held upright.
var phoneWidths = []int64{360, 390, 768}

// screen sizes the browser as a phone (or tablet) w px wide, in portrait, with touch.
func screen(w int64) chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(w, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
}

// AssertFits checks the page shown at every phone width: nothing wider than the screen, no
// element past its right edge, no clipped table; it reports what sticks out without ending
// the test. With shot, it saves screenshots phone-390-shot and phone-768-shot. The browser is
// left at 390 px.
func (b *browser) AssertFits(page, shot string) {
	b.t.Helper()
	for _, w := range phoneWidths {
		b.Do(fmt.Sprintf("a %d px screen", w), screen(w))
		b.AssertFitsWindow(page)
		if shot != "" && w != 360 {
			b.Screenshot(fmt.Sprintf("phone-%d-%s", w, shot))
		}
	}
	b.Do("back to a 390 px phone", screen(390))
}

// phonePage is a page to check: its name in failures, its address, and the name of its
// screenshots ("" for none).
type phonePage struct{ Name, Path, Shot string }

// visit opens each page and checks that it fits.
func (b *browser) visit(pages ...phonePage) {
	b.t.Helper()
	for _, p := range pages {
		b.Open(p.Path)
		b.AssertFits(p.Name, p.Shot)
	}
}

// stage reads the stage the banner shows.
func (b *browser) stage() string {
	b.t.Helper()
	return b.Text("#stage-banner .stage")
}

// TestBrowser_EveryContestantAndPublicPageFitsAPhone walks the demo contest through its stages
// and opens every page a contestant or the public sees — with a contestant of our own whose
// works are in every state, long names included — at 360, 390 and 768 px: nothing wider than
// the screen, nothing cut off.
func TestBrowser_EveryContestantAndPublicPageFitsAPhone(t *testing.T) {
	e, _, accounts := MustDemo(t)
	ctx := context.Background()
	_, org, err := e.Svc.Registration.SignIn(ctx, demo.OrganizerEmail, password(t, accounts, demo.OrganizerEmail))
	if err != nil {
		t.Fatal(err)
	}
	advance := func(step string) {
		t.Helper()
		if err := e.WebOptions.Demo.Advance(ctx, org, step); err != nil {
			t.Fatalf("demo clock to %s: %v", step, err)
		}
	}

	// Our contestant's works: a draft with a long title and employer and nobody signed yet,
	// one whose video was rejected, one ready to submit, one submitted.
	me := e.Client().SignUp("phone@example.org")
	draft := me.Create(workOf("青年科技工作者在实验室、大科学装置、厂矿车间和田间地头立足岗位创新争先的一天", "中国科学院南京地理与湖泊研究所湖泊与环境国家重点实验室", "江苏省南京市玄武区北京东路73号"))
	rejected := me.Create(workOf("竖屏拍摄的第一版", "省农业科学院", "南京市"))
	me.ConsentAll(rejected)
	me.Upload(rejected.ID, fixtureFile(t, "IMG_20260601_083015_竖屏第一版_未剪辑.mp4", ffmpegtest.Video{Width: 640, Height: 360}))
	if s := me.WaitCheck(rejected.ID); s.Video.Check.State != string(contest.CheckRejected) {
		t.Fatalf("a 640×360 video's check: %+v", s.Video.Check)
	}
	ready := me.Create(workOf("准备提交的作品", "东南大学", "南京市"))
	me.ConsentAll(ready)
	me.UploadAccepted(ready.ID)
	submitted := me.Create(workOf("已经提交的作品", "南京大学", "南京市"))
	me.ConsentAll(submitted)
	me.UploadAccepted(submitted.ID)
	me.Must(http.StatusOK, "POST", "/api/v1/submissions/"+submitted.ID+"/finalize", nil)

	b := MustBrowser(t, e.Server.URL, 4*time.Minute)

	// 征集: the public pages, then our contestant's.
	b.Open("/")
	if got := b.stage(); got != "征集中" {
		b.Fatalf("banner during the collection: %q", got)
	}
	b.visit(phonePage{"home", "/", "home"}, phonePage{"sign-up", "/signup", ""}, phonePage{"sign-in", "/login", ""},
		phonePage{"forgotten password", "/password/forgot", ""}, phonePage{"results before the 公示", "/results", ""},
		phonePage{"empty showcase", "/showcase", ""}, phonePage{"certificate check", "/verify", ""}, phonePage{"404", "/no-such-page", ""})
	signInBrowser(b, "phone@example.org", "secret-pass")
	b.visit(phonePage{"my works", "/my", "my"})
	if n := Eval[int](b, `document.querySelectorAll('#my-works .work-card').length`); n != 4 {
		b.Errorf("我的作品 shows %d cards for 4 works", n)
	}
	consentURL := strings.TrimPrefix(draft.Participants[1].ConsentURL, e.Server.URL)
	if consentURL == "" {
		t.Fatal("no consent link for the second participant")
	}
	sub := "/submissions/"
	b.visit(phonePage{"new registration form", sub + "new", "form"}, phonePage{"registration form, editing", sub + draft.ID + "/edit", ""},
		phonePage{"draft", sub + draft.ID, "submission"}, phonePage{"rejected video", sub + rejected.ID, ""}, phonePage{"ready to submit", sub + ready.ID, ""},
		phonePage{"submitted", sub + submitted.ID, ""},
		phonePage{"consent on the owner's phone", sub + draft.ID + "/participants/" + draft.Participants[0].ID + "/consent", "consent"},
		phonePage{"consent by link", consentURL, ""},
		phonePage{"messages", "/messages", "messages"}, phonePage{"password", "/account/password", ""}, phonePage{"mobile number", "/account/mobile", ""},
		phonePage{"403", "/admin/submissions", ""})

	// 评审: the contestant, the closed form, and a judge's queue.
	advance(demo.StepReview)
	b.Open("/my")
	if got := b.stage(); got != "评审中" {
		b.Fatalf("banner in the review: %q", got)
	}
	b.visit(phonePage{"my works in the review", "/my", ""}, phonePage{"collection closed", sub + "new", ""})
	b.Submit("sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)))
	signInBrowser(b, "judge1@demo.local", password(t, accounts, "judge1@demo.local"))
	b.Open("/my")
	if got := b.Text("#stage-banner"); !strings.Contains(got, "截止时间") {
		b.Errorf("the judge's banner does not say when the review closes: %q", got)
	}
	b.visit(phonePage{"judge queue", "/my", "judge-queue"})
	b.Submit("sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)))

	// 公示: the list with the objection form, an objection filed.
	advance(demo.StepPublicity)
	b.Open("/results")
	if got := b.stage(); got != "公示中" {
		b.Fatalf("banner in the 公示: %q", got)
	}
	b.visit(phonePage{"home in the 公示", "/", ""}, phonePage{"results in the 公示", "/results", "results-publicity"})
	b.Submit("file an objection",
		chromedp.SetValue(chromedp.CSS(`select[name="work_id"]`), Eval[string](b, `document.querySelector('select[name="work_id"] option[value]:not([value=""])').value`)),
		Fill(`[name="name"]`, "赵六"), Fill(`[name="contact"]`, "zhao.liu.objection@example.org"),
		Fill(`[name="reason"]`, "该作品片尾的实验画面疑似取自其他单位公开发布的宣传片，请主办单位核实素材来源。"),
		chromedp.Click(chromedp.ID("file-objection")))
	if got := b.Text("#objection-filed"); !strings.Contains(got, "异议编号") {
		b.Fatalf("after filing an objection: %q", got)
	}
	b.AssertFits("objection filed", "objection-filed")
	objections, err := e.Svc.Publication.Objections(ctx, org)
	if err != nil || len(objections) != 1 {
		t.Fatalf("objections %+v, %v", objections, err)
	}
	if _, err := e.Svc.Publication.DecideObjection(ctx, org, objections[0].ID, false, "经核实，素材为作者团队自行拍摄。"); err != nil {
		t.Fatal(err)
	}

	// 公示期满, then the published results, the gallery, and a winner's certificate.
	advance(demo.StepReady)
	b.visit(phonePage{"results after the 公示", "/results", ""})
	if _, err := e.Svc.Publication.Publish(ctx, org); err != nil {
		t.Fatal(err)
	}
	b.Open("/results")
	if got := b.stage(); got != "结果已发布" {
		b.Fatalf("banner after publishing: %q", got)
	}
	b.visit(phonePage{"published results", "/results", "results"}, phonePage{"showcase", "/showcase", "showcase"}, phonePage{"home after publishing", "/", ""})
	signInBrowser(b, "user1@demo.local", password(t, accounts, "user1@demo.local"))
	b.visit(phonePage{"a winner's works", "/my", "my-winner"})
	serial := strings.TrimPrefix(Eval[string](b, `document.querySelector('a.certificate').getAttribute('href')`), "/certificates/")
	work := Eval[string](b, `document.querySelector('#my-works .work-card').dataset.id`)
	b.visit(phonePage{"winning work", sub + work, "submission-winner"})
	b.Submit("sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)))
	b.visit(phonePage{"verify", "/verify/" + serial, "verify"})
	if got := b.Text("#verify"); !strings.Contains(got, "证书真实有效") {
		b.Errorf("verification of %s: %q", serial, got)
	}
	signInBrowser(b, "phone@example.org", "secret-pass")
	b.visit(phonePage{"my works after publishing", "/my", ""})
	if errs := b.JSErrors(); len(errs) > 0 {
		t.Errorf("script errors:\n%s", strings.Join(errs, "\n"))
	}
}
