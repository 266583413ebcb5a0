package http_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// TestBrowser_FeedbackOnThePhone: after the results and the feedback are released, a
// contestant reads the criteria's means and a long anonymized comment on their work's page on
// a phone: nothing wider than the screen, and nothing axe finds.
func TestBrowser_FeedbackOnThePhone(t *testing.T) {
	ffmpegtest.Require(t)
	e := MustEnv(t, "sqlite+localfs")
	org := e.Organizer()
	_, id := e.SubmitWork("zhang@example.org", workBy("省农业科学院", "量子之光"))
	org.PassFormal(id)
	var settings map[string]any
	org.Must(http.StatusOK, "GET", "/api/v1/admin/judging/settings", nil).JSON(t, &settings)
	settings["reviews_per_work"], settings["share_comments"] = 1, true
	org.Must(http.StatusOK, "PUT", "/api/v1/admin/judging/settings", settings)
	judge, _, _ := e.InviteJudge(org, "judge@example.org", "王评委", "省科技馆")
	org.Must(http.StatusOK, "POST", "/api/v1/admin/assignments/run", nil)
	e.Clock.Set(reviewWindow)
	comment := "镜头语言克制而有力，科研人员的日常细节真实动人；建议压缩片头的航拍空镜（约二十秒），把时间留给实验室里那段关于失败与坚持的对话。"
	judge.Must(http.StatusOK, "PUT", "/api/v1/judge/works/"+id+"/review", map[string]any{"scores": scoresOf(86), "comment": comment, "submit": true})
	org.Must(http.StatusOK, "POST", "/api/v1/admin/judging/close", nil)
	org.Must(http.StatusOK, "POST", "/api/v1/admin/awards/confirm", nil)
	org.Must(http.StatusOK, "POST", "/api/v1/admin/publication/publicity", nil)
	e.Clock.Set(afterPublicity)
	org.Must(http.StatusOK, "POST", "/api/v1/admin/publication/publish", nil)
	org.Must(http.StatusOK, "POST", "/api/v1/admin/judging/feedback/release", nil)

	rules := make([]string, len(a11yRules))
	for i, r := range a11yRules {
		rules[i] = r.ID
	}
	b := MustBrowser(t, e.Server.URL, 90*time.Second)
	b.Do("a phone", screen(390))
	signIn(b, "zhang@example.org", "secret-pass")
	b.Open("/submissions/" + id)
	if got := b.Text("#work-feedback"); !strings.Contains(got, "评委一") || !strings.Contains(got, "失败与坚持") || !strings.Contains(got, "25.8 / 30") {
		b.Fatalf("the feedback section: %q", got)
	}
	b.AssertFits("the work's feedback", "work-feedback")
	for _, v := range b.Axe(rules...) {
		b.Errorf("the work's feedback: %s", v)
	}
}
