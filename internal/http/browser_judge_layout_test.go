package http_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// rect is an element's bounding box on the page.
type rect struct{ Left, Right, Top, Bottom float64 }

// boxes returns the bounding boxes of the judge's video and scoring card.
func boxes(b *browser) (video, score rect) {
	b.t.Helper()
	got := Eval[map[string]rect](b, `(() => {
		const r = s => { const x = document.querySelector(s).getBoundingClientRect(); return {left: x.left, right: x.right, top: x.top, bottom: x.bottom}; };
		return {video: r("video.player"), score: r("#score")};
	})()`)
	return got["video"], got["score"]
}

// TestBrowser_JudgeSeesAScoreOutOfRangeAtOnceBesideTheVideo: on a 1024×768 tablet a judge types
// scores far over the limit (3526 and 1818, as once happened); each field is marked with its
// limit beside it at once, and the total says it is not valid instead of leaving them out. The
// score fields sit beside the video from 1024 px and below it on a phone.
func TestBrowser_JudgeSeesAScoreOutOfRangeAtOnceBesideTheVideo(t *testing.T) {
	ffmpegtest.Require(t)
	e := MustEnv(t, "sqlite+localfs")
	org := e.Organizer()
	_, work := e.SubmitWork("zhang@example.org", nil)
	org.PassFormal(work)
	_, _, password := e.InviteJudge(org, "judge@example.org", "王评委", "省科技馆")
	org.Must(http.StatusOK, "POST", "/admin/judging/assign", url.Values{})
	e.Clock.Set(reviewWindow)

	b := MustBrowser(t, e.Server.URL, 90*time.Second)
	b.Do("a 1024×768 tablet, landscape", chromedp.EmulateViewport(1024, 768))
	b.Open("/login")
	b.Submit("sign in", Fill(`main form [name="email"]`, "judge@example.org"), Fill(`main form [name="password"]`, password),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
	if !strings.HasSuffix(b.URL(), "/judge") {
		b.Fatalf("the judge signed in to %s, want the queue at /judge", b.URL())
	}
	b.Submit("open the work", chromedp.Click(chromedp.ID("next")))
	b.Do("wait for the player", chromedp.WaitVisible(chromedp.CSS("video.player")))

	b.Do("type 3526", Fill(`[name="score_theme"]`, "3526"))
	if got := Eval[string](b, `document.querySelector('[name="score_theme"]').getAttribute("aria-invalid")`); got != "true" {
		b.Errorf("3526 of 30: aria-invalid %q, want true", got)
	}
	if got := b.Text("#score-err-theme"); got != "本项满分 30 分，请输入 0–30 之间的分数" {
		b.Errorf("the message beside 主题契合度 %q", got)
	}
	if got := Eval[string](b, `getComputedStyle(document.querySelector('[name="score_theme"]')).outlineColor`); got != "rgb(180, 35, 24)" {
		b.Errorf("the field's outline is %q, want red", got)
	}
	b.Do("type 1818", Fill(`[name="score_orientation"]`, "1818"), Fill(`[name="score_timeliness"]`, "20"))
	if got := b.Text("#score-err-orientation"); got != "本项满分 20 分，请输入 0–20 之间的分数" {
		b.Errorf("the message beside 导向与内容 %q", got)
	}
	if got := b.Text(".scoring .total"); !strings.Contains(got, "合计：—") || !strings.Contains(got, "有 2 项超出范围") || strings.Contains(got, "/ 100") {
		b.Errorf("the total with two scores out of range reads %q, want it to say so and no number", got)
	}
	if n := Eval[int](b, `document.querySelectorAll('.scoring [aria-invalid="true"]').length`); n != 2 ||
		Eval[bool](b, `!document.getElementById("score-err-timeliness").hidden`) {
		b.Errorf("%d fields marked, want the 2 out of range and neither the one in range nor the empty one", n)
	}
	video, score := boxes(b)
	if score.Left < video.Right || score.Top >= video.Bottom {
		b.Errorf("at 1024 px the scores are not beside the video: video %+v, scores %+v", video, score)
	}
	b.Screenshot("judge-score-out-of-range-1024")

	// Sending is held back, on the first field out of range.
	b.Do("try to save", chromedp.Click(chromedp.ID("save-draft")))
	if got := Eval[string](b, `document.activeElement.name`); got != "score_theme" || !strings.Contains(b.URL(), "/judge/works/"+work) {
		b.Errorf("saving with scores out of range: focus on %q at %s", got, b.URL())
	}

	// Corrected, the marks go and the total counts every score.
	b.Do("correct", Fill(`[name="score_theme"]`, "27"), Fill(`[name="score_orientation"]`, "18"), Fill(`[name="score_artistry"]`, "22.5"))
	if got := b.Text(".scoring .total"); !strings.Contains(got, "合计：87.5 / 100") || strings.Contains(got, "超出") {
		b.Errorf("the corrected total reads %q, want 87.5 / 100", got)
	}
	if Eval[bool](b, `document.querySelectorAll('.scoring [aria-invalid]').length > 0`) {
		b.Errorf("corrected scores are still marked")
	}

	b.Do("a phone, 390 px", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulatePortrait))
	video, score = boxes(b)
	if score.Top < video.Bottom {
		b.Errorf("at 390 px the scores are not below the video: video %+v, scores %+v", video, score)
	}
	if overflow := Eval[bool](b, `document.documentElement.scrollWidth > window.innerWidth`); overflow {
		b.Errorf("the judge's page is wider than the phone")
	}
	b.Screenshot("judge-score-390")
	if errs := b.JSErrors(); len(errs) > 0 {
		t.Errorf("script errors:\n%s", strings.Join(errs, "\n"))
	}
}
