package http_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db"
	"github.com/jskx/contest/internal/db/dbtest"
	"github.com/jskx/contest/internal/demo"
	"github.com/jskx/contest/internal/ffmpeg"
	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
	webhttp "github.com/jskx/contest/internal/http"
	"github.com/jskx/contest/internal/localfs"
	"github.com/jskx/contest/internal/tesseract"
)

// MustDemo builds the service as `contest demo` does — SQLite, a local folder, the demo clock —
// and seeds the demo. It returns the env, the demo's data folder and the accounts file's text.
func MustDemo(t *testing.T) (*env, string, string) {
	t.Helper()
	ffmpegtest.Require(t)
	box := dbtest.MustBox(t)
	e := &env{t: t, Clock: &clock{}, Log: &bytes.Buffer{}, JobSettings: testJobSettings, box: box}
	e.DB = dbtest.MustOpen(t, db.SQLite, box)
	st, err := localfs.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e.Storage = localfs.NewMultipart(st, webhttp.PartURL)
	e.Stores = e.DB.Stores()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o750); err != nil {
		t.Fatal(err)
	}
	dc, err := demo.OpenClock(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The demo holds the services it moves through the stages; the server is then built again
	// with it, over the same data.
	e.tune = func(o *contest.Options) { o.Now, o.Content, o.OCR = dc.Now, ffmpeg.Tools{}, &tesseract.Reader{} }
	e.start()
	e.WebOptions.Demo = demo.New(e.Svc, dc, e.Stores, dir)
	e.Restart()
	if err := e.WebOptions.Demo.Seed(context.Background()); err != nil {
		t.Fatalf("seed: %v\n%s", err, e.Log)
	}
	waitScans(t, e)
	accounts, err := os.ReadFile(filepath.Join(dir, "demo-accounts.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return e, dir, string(accounts)
}

// waitScans waits until every accepted video's content scan has finished, so that pages show
// their findings.
func waitScans(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		page, err := e.Stores.ListSubmissions(ctx, contest.SubmissionFilter{Check: contest.CheckAccepted, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, s := range page.Items {
			ids = append(ids, s.ID)
		}
		scans, err := e.Stores.WorkScans(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		waiting := 0
		for _, id := range ids {
			if sc, ok := scans[id]; !ok || sc.State == contest.ScanQueued {
				waiting++
			}
		}
		if waiting == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d content scans still unfinished after 2 minutes; log:\n%s", waiting, e.LogLines("level=ERROR", "video_scan"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// password reads an account's password from the demo's accounts file.
func password(t *testing.T, accounts, email string) string {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(email) + ` +密码 password: (\S+)`).FindStringSubmatch(accounts)
	if m == nil {
		t.Fatalf("no %s in the accounts:\n%s", email, accounts)
	}
	return m[1]
}

// TestBrowser_DemoFromHomeToACertificate is the newcomer's walk through `contest demo` in a
// browser: the banner on the home page, the organizer moving the clock from 活动设置 to the
// review and past the 公示, publishing, and the winner downloading the certificate.
func TestBrowser_DemoFromHomeToACertificate(t *testing.T) {
	e, _, accounts := MustDemo(t)
	b := MustBrowser(t, e.Server.URL, 3*time.Minute)
	b.Do("a desktop screen", chromedp.EmulateViewport(1366, 900))

	b.Open("/")
	if got := b.Text("#demo-banner"); !strings.Contains(got, "演示模式，时间可调，数据仅供体验") || !strings.Contains(got, "征集中") {
		b.Fatalf("home page banner %q", got)
	}
	b.Open("/login")
	b.Submit("the organizer signs in", Fill(`main form [name="email"]`, demo.OrganizerEmail),
		Fill(`main form [name="password"]`, password(t, accounts, demo.OrganizerEmail)),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
	b.Open("/admin/contest")
	if got := b.Text("#demo-stage"); got != "征集中" {
		b.Fatalf("demo clock stage %q", got)
	}
	b.Submit("跳到评审期", chromedp.Click(chromedp.ID("demo-review")))
	if got := b.Text("#demo-stage"); got != "评审中" {
		b.Fatalf("after 跳到评审期 the stage is %q", got)
	}
	b.Screenshot("demo-clock")
	b.Submit("跳到公示期", chromedp.Click(chromedp.ID("demo-publicity")))
	if got := b.Text("#demo-banner"); !strings.Contains(got, "公示中") {
		b.Fatalf("after 跳到公示期 the banner says %q", got)
	}
	b.Open("/results")
	if got := b.Text("main"); !strings.Contains(got, "稻田里的科研日记") {
		b.Fatalf("the 公示 lacks the first work:\n%s", got)
	}
	b.Open("/admin/contest")
	b.Submit("跳到公示期满", chromedp.Click(chromedp.ID("demo-ready")))
	b.Open("/admin/publication")
	b.Do("accept the confirmation", chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`))
	b.Submit("publish", chromedp.Click(chromedp.ID("publish")))
	if got := b.Text("#demo-banner"); !strings.Contains(got, "结果已发布") {
		b.Fatalf("after publishing the banner says %q", got)
	}
	b.Submit("sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)))

	b.Open("/login")
	b.Submit("the winner signs in", Fill(`main form [name="email"]`, "user1@demo.local"),
		Fill(`main form [name="password"]`, password(t, accounts, "user1@demo.local")),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
	b.Open("/my")
	b.Screenshot("demo-winner")
	// The link the page offers, fetched as the browser downloads it (with the winner's cookies).
	var got string
	b.Do("download the certificate", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		var err error
		got, err = chromedp.Evaluate[string](`(async () => {
		const a = document.querySelector('a[href^="/certificates/"]');
		if (!a) return 'no certificate link';
		const r = await fetch(a.href);
		const head = new Uint8Array(await r.arrayBuffer()).slice(0, 4);
		return r.status + ' ' + r.headers.get('Content-Type') + ' ' + String.fromCharCode(...head);
	})()`, chromedp.EvalAwaitPromise)(ctx, tg)
		return chromedp.Void{}, err
	})
	if got != "200 application/pdf %PDF" {
		b.Fatalf("certificate download: %q", got)
	}
	if errs := b.JSErrors(); len(errs) > 0 {
		t.Errorf("script errors: %v", errs)
	}
}

// Only the demo has the clock's route: a server built without Options.Demo, as `contest serve`
// builds it, does not register it.
func TestDemo_ClockRouteOnlyInDemoMode(t *testing.T) {
	has := func(s *webhttp.Server) bool {
		for _, r := range s.Routes() {
			if strings.HasPrefix(r.Path, "/admin/demo") {
				return true
			}
		}
		return false
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ready := func(context.Context) error { return nil }
	if has(webhttp.New(nil, ready, log, webhttp.Options{})) {
		t.Error("a server without the demo registers /admin/demo routes")
	}
	if !has(webhttp.New(nil, ready, log, webhttp.Options{Demo: &demo.Demo{}})) {
		t.Error("the demo's server lacks /admin/demo/clock")
	}
}
