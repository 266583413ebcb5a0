package http_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// contestantBrowser opens a phone browser signed in as the contestant zhang@example.org.
func contestantBrowser(t *testing.T, e *env) *browser {
	t.Helper()
	b := MustBrowser(t, e.Server.URL, 120*time.Second)
	signInBrowser(b, "zhang@example.org", "secret-pass")
	return b
}

// writeVideo writes f's bytes to a file named as f is, for the browser to pick.
func writeVideo(t *testing.T, f videoFile) string {
	t.Helper()
	b := make([]byte, f.Size)
	if _, err := f.ReadAt(b, 0); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), f.Name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// waitFor evaluates cond on the page every half second until it is true: unlike a query
// started before it, this follows the page through the reload that ends an upload. A busy
// page (hashing, reloading) that does not answer one evaluation is asked again.
func waitFor(b *browser, cond string, timeout time.Duration) {
	b.t.Helper()
	for end := time.Now().Add(timeout); ; time.Sleep(500 * time.Millisecond) {
		ctx, cancel := b.step()
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(end) {
			b.Fatalf("still not %s after %v (%v)", cond, timeout, err)
		}
	}
}

// TestBrowser_ReplaceAcceptedVideo replaces an accepted video on a phone: the page asks first
// (cancelling changes nothing), then shows both videos while the new one is checked, and the
// new one once it has passed.
func TestBrowser_ReplaceAcceptedVideo(t *testing.T) {
	ffmpegtest.Require(t)
	e := MustEnv(t, backends[0])
	g := &gatedTools{}
	e.Configure(func(o *contest.Options) { o.Media = g })
	_, s, _ := acceptedAndSubmitted(t, e)
	path := writeVideo(t, fixtureFile(t, "新版 final.mp4", ffmpegtest.Video{Audio: true, Faststart: true}))

	b := contestantBrowser(t, e)
	b.Open("/submissions/" + s.ID)
	b.Do("pick a new video", chromedp.SetUploadFiles(chromedp.CSS("#video-file"), []string{path}))
	if got := b.Text(".confirm-upload"); !strings.Contains(got, "已有通过检查的视频“作品.mp4”") || !strings.Contains(got, "确定上传") {
		b.Errorf("confirmation = %q", got)
	}
	b.Screenshot("replace-confirm")
	b.Do("cancel", chromedp.Click(chromedp.CSS(".confirm-upload .confirm-no")))
	if Eval[bool](b, `!document.querySelector(".confirm-upload").hidden || !document.querySelector(".uploader .progress").hidden`) {
		b.Errorf("after cancelling, the confirmation or the progress is still shown")
	}
	if sub, err := e.Stores.SubmissionByID(context.Background(), s.ID); err != nil || sub.Uploading != nil || sub.Candidate != nil {
		t.Fatalf("after cancelling: uploading %+v, candidate %+v, %v", sub.Uploading, sub.Candidate, err)
	}

	g.Hold()
	b.Do("pick it again", chromedp.SetUploadFiles(chromedp.CSS("#video-file"), []string{path}))
	b.Do("confirm", chromedp.Click(chromedp.CSS(".confirm-upload .confirm-yes"), chromedp.NodeVisible))
	// The page reloads once the upload is complete and shows both videos.
	waitFor(b, `!!document.querySelector("#video-candidate") && document.readyState === "complete"`, 60*time.Second)
	// Read in one script run: a node id from before a reload would be stale.
	cand := Eval[string](b, `(document.querySelector("#video-candidate") || {}).textContent || ""`)
	if !strings.Contains(cand, "新上传的视频（检查中…）") || !strings.Contains(cand, "新版 final.mp4") {
		b.Errorf("candidate box = %q", cand)
	}
	if cur := b.Text(".current-video"); !strings.Contains(cur, "当前参评视频") || !strings.Contains(cur, "作品.mp4") {
		b.Errorf("current video = %q", cur)
	}
	if w := Eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
		b.Errorf("the page is %d px wide on a 390 px screen", w)
	}
	b.Screenshot("replace-checking")
	// Uploading again now gives up the new video being checked: the page says so first.
	b.Do("pick a third video", chromedp.SetUploadFiles(chromedp.CSS("#video-file"), []string{path}))
	if got := b.Text(".confirm-upload"); !strings.Contains(got, "正在检查的新视频“新版 final.mp4”将被放弃") {
		b.Errorf("confirmation with a new video checking = %q", got)
	}
	b.Do("cancel the third", chromedp.Click(chromedp.CSS(".confirm-upload .confirm-no")))

	// The new video passes: the page follows by itself and shows it alone.
	g.Release()
	b.Do("wait for the replacement", chromedp.WaitNotPresent(chromedp.CSS("#video-candidate")),
		chromedp.WaitVisible(chromedp.CSS("#video-check:not([data-pending]) img.poster")))
	if cur := b.Text(".current-video"); !strings.Contains(cur, "新版 final.mp4") {
		b.Errorf("current video after the replacement = %q", cur)
	}
	if n := Eval[int](b, `document.querySelectorAll("#video-candidate").length`); n != 0 {
		b.Errorf("the candidate box is still there after the replacement")
	}
	b.Screenshot("replace-done")
	if errs := b.JSErrors(); len(errs) > 0 {
		t.Errorf("script errors on the page:\n%s", strings.Join(errs, "\n"))
	}
}

// TestBrowser_UploadInWeChat opens the submission page as WeChat's in-app browser: the page
// says how to open it in the system browser, the script asks before a large upload, and the
// upload completes all the same. A normal browser sees none of it.
func TestBrowser_UploadInWeChat(t *testing.T) {
	ffmpegtest.Require(t)
	e := MustEnv(t, backends[0])
	c := e.Client().SignUp("zhang@example.org")
	s := c.Create(nil)
	path := writeVideo(t, paddedVideo(t, "微信里选的视频.mp4", 11<<20))

	b := contestantBrowser(t, e)
	b.Open("/submissions/" + s.ID)
	if n := Eval[int](b, `document.querySelectorAll("#wechat-hint").length`); n != 0 {
		b.Errorf("a normal browser is shown the WeChat hint")
	}

	const wechatUA = "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN"
	b.Do("pretend to be WeChat", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: wechatUA})
		return chromedp.Void{}, err
	})
	b.Open("/submissions/" + s.ID)
	if got := b.Text("#wechat-hint"); !strings.Contains(got, "右上角「…」") || !strings.Contains(got, "在浏览器打开") {
		b.Errorf("WeChat hint = %q", got)
	}
	b.Screenshot("wechat-hint")
	b.Do("pick a large video", chromedp.SetUploadFiles(chromedp.CSS("#video-file"), []string{path}))
	if got := b.Text(".confirm-upload"); !strings.Contains(got, "微信") || !strings.Contains(got, "在浏览器打开") {
		b.Errorf("confirmation in WeChat = %q", got)
	}
	b.Do("upload in WeChat all the same", chromedp.Click(chromedp.CSS(".confirm-upload .confirm-yes"), chromedp.NodeVisible))
	waitFor(b, `!!document.querySelector(".current-video")`, 90*time.Second)
	if got := b.Text(".current-video"); !strings.Contains(got, "微信里选的视频.mp4") {
		b.Errorf("after the upload the page shows %q", got)
	}
	if errs := b.JSErrors(); len(errs) > 0 {
		t.Errorf("script errors on the page:\n%s", strings.Join(errs, "\n"))
	}
}
