package http_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// TestBrowser_JudgingStatisticsRender: on the judging desk the organizer reads the judges'
// agreement, each judge's sentence by name and the works whose 一等奖 is unstable, on a page
// that passes the enforced axe rules and fits a desktop screen, and adds a judge to those works.
func TestBrowser_JudgingStatisticsRender(t *testing.T) {
	ffmpegtest.Require(t)
	MustAxe(t)
	e := MustEnv(t, "sqlite+localfs")
	org := e.Organizer()
	ids, names := unstableRound(t, e, org)
	org.Must(http.StatusOK, "POST", "/api/v1/admin/judging/close", nil)

	b := MustBrowser(t, e.Server.URL, 90*time.Second)
	b.Do("a desktop screen", chromedp.EmulateViewport(1366, 900))
	signIn(b, "organizer@example.org", "organizer-pass")
	b.Open("/admin/judging")
	if got := b.Text("#reliability"); !strings.Contains(got, "加权总分") || !strings.Contains(got, "艺术性") || !strings.Contains(got, "不适用") {
		b.Fatalf("reliability table: %q", got)
	}
	if got := b.Text("#judge-agreement"); !strings.Contains(got, names[0]) || !strings.Contains(got, "该评委") {
		b.Fatalf("judges' lines: %q", got)
	}
	if got := b.Text("#unstable-works"); !strings.Contains(got, "星辰") || !strings.Contains(got, "稻浪") || strings.Contains(got, "匠心") {
		b.Fatalf("unstable works: %q", got)
	}
	if got := b.Text(`#ranking tr[data-id="` + ids[0] + `"] .tier`); !strings.Contains(got, "不稳定") {
		b.Fatalf("星辰's tier cell: %q", got)
	}
	rules := make([]string, len(a11yRules))
	for i, r := range a11yRules {
		rules[i] = r.ID
	}
	for _, v := range b.Axe(rules...) {
		t.Errorf("judging desk with statistics: %s", v)
	}
	b.AssertFitsWindow("/admin/judging")
	b.Screenshot("judging-statistics")

	b.Do("accept the confirmation", chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`))
	b.Submit("add a judge to the unstable works", chromedp.Click(chromedp.ID("extra-reviews")))
	if got := b.Text("#extra-result"); !strings.Contains(got, "已为 2 件作品各增加一位评委") {
		b.Fatalf("after adding judges: %q", got)
	}
	if errs := b.JSErrors(); len(errs) > 0 {
		t.Errorf("script errors:\n%s", strings.Join(errs, "\n"))
	}
}
