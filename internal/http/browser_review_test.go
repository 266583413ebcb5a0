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

// TestBrowser_JudgeScoresAWorkAndTheRankingChanges: a judge signs in, opens the queue, plays
// the video, scores with a live total, submits with the keyboard, and the organizer's ranking
// now holds the work.
func TestBrowser_JudgeScoresAWorkAndTheRankingChanges(t *testing.T) {
	ffmpegtest.Require(t)
	e := MustEnv(t, "sqlite+localfs") // one backend is enough for the browser
	org := e.Organizer()
	_, work := e.SubmitWork("zhang@example.org", nil)
	org.PassFormal(work)
	_, _, password := e.InviteJudge(org, "judge@example.org", "王评委", "省科技馆")
	org.Must(http.StatusOK, "POST", "/admin/judging/assign", url.Values{})
	var ranking struct {
		Items []struct {
			ID  string
			Raw float64
		}
	}
	org.Must(http.StatusOK, "GET", "/api/v1/admin/ranking", nil).JSON(t, &ranking)
	if len(ranking.Items) != 0 {
		t.Fatalf("ranking before any score: %+v", ranking.Items)
	}
	e.Clock.Set(reviewWindow)

	b := MustBrowser(t, e.Server.URL, 90*time.Second)
	b.Open("/login")
	b.Submit("sign in",
		Fill(`main form [name="email"]`, "judge@example.org"),
		Fill(`main form [name="password"]`, password),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
	)
	if got := b.Text(".progress-line"); !strings.Contains(got, "已评 0 / 1") {
		b.Fatalf("queue shows %q", got)
	}
	page := b.Text("main")
	for _, personal := range []string{"张三", "李四", "省农业科学院", "南京大学", "13800138000", "zhang@example.org"} {
		if strings.Contains(page, personal) {
			b.Fatalf("the judge's queue shows %q", personal)
		}
	}
	b.Submit("open the next work", chromedp.Click(chromedp.ID("next")))
	b.Do("wait for the player", chromedp.WaitVisible(chromedp.CSS("video.player")))
	b.Do("play the video", chromedp.Evaluate[chromedp.Void](`(() => { const v = document.querySelector("video.player"); v.muted = true; v.play(); })()`))
	b.Do("wait until it plays", chromedp.Poll[chromedp.Void](`document.querySelector("video.player").currentTime > 0.2`))
	b.Screenshot("judge-work")
	b.Do("score", FillForm([2]string{`[name="score_theme"]`, "27"}, [2]string{`[name="score_orientation"]`, "18"},
		[2]string{`[name="score_timeliness"]`, "22.5"}, [2]string{`[name="score_artistry"]`, "22.5"}))
	if got := b.Text("#total-score"); got != "90" {
		b.Errorf("live total %q, want 90", got)
	}
	b.Submit("submit with Ctrl+Enter", chromedp.Focus(chromedp.CSS(`[name="score_artistry"]`)),
		chromedp.KeyEvent("\r", chromedp.KeyModifiers(2))) // 2: Ctrl
	if got := b.Text(".progress-line"); !strings.Contains(got, "已评 1 / 1") {
		b.Fatalf("after submitting, the queue shows %q", got)
	}
	org.Must(http.StatusOK, "GET", "/api/v1/admin/ranking", nil).JSON(t, &ranking)
	if len(ranking.Items) != 1 || ranking.Items[0].ID != work || ranking.Items[0].Raw != 90 {
		t.Fatalf("ranking after the judge's score: %+v", ranking.Items)
	}
	if doc := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/judging", nil)); strings.TrimSpace(doc.Find("#ranking tbody tr .score").Text()) != "90.00" {
		t.Errorf("ranking page: %q", doc.Find("#ranking").Text())
	}
	if errs := b.JSErrors(); len(errs) > 0 {
		t.Errorf("script errors:\n%s", strings.Join(errs, "\n"))
	}
}
