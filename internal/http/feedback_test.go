package http_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// workFeedback is the feedback on a contestant's work as the API answers it.
type workFeedback struct {
	Released bool
	Criteria []struct {
		Name      string
		Mean      float64
		MaxPoints float64 `json:"max_points"`
	}
	Comments []struct{ Judge, Text string }
}

// Judges are told beforehand whether their comments go to the contestants; sharing cannot be
// switched on over a comment written without that; after publication the organizer releases
// the feedback and each contestant reads their own work's, anonymized, and is told.
func TestFeedback_JudgesToldCommentsSharedAnonymouslyAfterReleaseOnly(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		org := e.Organizer()
		owner, w0 := e.SubmitWork("owner0@example.org", workBy("甲单位", "量子之光"))
		_, w1 := e.SubmitWork("owner1@example.org", workBy("乙单位", "稻浪"))
		other := e.Client().SignUp("other@example.org")
		org.PassFormal(w0)
		org.PassFormal(w1)
		var settings map[string]any
		org.Must(http.StatusOK, "GET", "/api/v1/admin/judging/settings", nil).JSON(t, &settings)
		settings["reviews_per_work"] = 2
		settings["quotas"] = []map[string]any{{"count": 1}, {"count": 1}, {"count": 0}}
		org.Must(http.StatusOK, "PUT", "/api/v1/admin/judging/settings", settings)
		zhang, zhangID, _ := e.InviteJudge(org, "zhang.judge@example.org", "张评委", "省科技馆")
		li, liID, _ := e.InviteJudge(org, "li.judge@example.org", "李评委", "市科协")
		org.Must(http.StatusOK, "POST", "/api/v1/admin/assignments/run", nil)
		e.Clock.Set(reviewWindow)

		told := func(want string) {
			t.Helper()
			if got := mustDoc(t, zhang.Must(http.StatusOK, "GET", "/judge", nil)).Find("#comments-shared").Text(); !strings.Contains(got, want) {
				t.Errorf("the judge's home page says %q, want %q", got, want)
			}
			if got := mustDoc(t, zhang.Must(http.StatusOK, "GET", "/judge/works/"+w0, nil)).Find("#comment-shared").Text(); !strings.Contains(got, want) {
				t.Errorf("beside the comment box: %q, want %q", got, want)
			}
		}
		told("仅组织方可见")
		draft := func(comment string) {
			zhang.Must(http.StatusOK, "PUT", "/api/v1/judge/works/"+w0+"/review", map[string]any{"scores": map[string]float64{"theme": 20}, "comment": comment})
		}
		draft("只给组织方看的话")
		settings["share_comments"] = true
		if r := org.Do("PUT", "/api/v1/admin/judging/settings", settings); r.Status != http.StatusConflict {
			t.Fatalf("sharing switched on over a comment written without it = %d, want 409", r.Status)
		}
		draft("")
		org.Must(http.StatusOK, "PUT", "/api/v1/admin/judging/settings", settings)
		told("匿名反馈给参赛者")

		for _, rv := range []struct {
			j       *client
			work    string
			total   float64
			comment string
		}{
			{zhang, w0, 90, "画面流畅，\n主题鲜明。"}, {li, w0, 70, "  "},
			{zhang, w1, 60, "节奏稍慢。"}, {li, w1, 50, "建议精简片头。"},
		} {
			rv.j.Must(http.StatusOK, "PUT", "/api/v1/judge/works/"+rv.work+"/review", map[string]any{"scores": scoresOf(rv.total), "comment": rv.comment, "submit": true})
		}
		feedback := func(c *client, id string) workFeedback {
			t.Helper()
			var f workFeedback
			r := c.Must(http.StatusOK, "GET", "/api/v1/submissions/"+id+"/feedback", nil)
			for _, secret := range []string{"张评委", "李评委", zhangID, liID, "zhang.judge", "li.judge", "2022-05"} {
				if strings.Contains(string(r.Body), secret) {
					t.Errorf("the feedback names or dates a judge (%q): %s", secret, r.Body)
				}
			}
			r.JSON(t, &f)
			return f
		}
		if f := feedback(owner, w0); f.Released || len(f.Comments) != 0 || len(f.Criteria) != 0 {
			t.Errorf("feedback before any release: %+v", f)
		}
		if r := org.Do("POST", "/api/v1/admin/judging/feedback/release", nil); r.Status != http.StatusConflict {
			t.Errorf("release before publication = %d, want 409", r.Status)
		}
		org.Must(http.StatusOK, "POST", "/api/v1/admin/judging/close", nil)
		org.Must(http.StatusOK, "POST", "/api/v1/admin/awards/confirm", nil)
		org.Must(http.StatusOK, "POST", "/api/v1/admin/publication/publicity", nil)
		e.Clock.Set(afterPublicity)
		org.Must(http.StatusOK, "POST", "/api/v1/admin/publication/publish", nil)
		if f := feedback(owner, w0); f.Released || len(f.Comments) != 0 {
			t.Errorf("feedback published with the results, before its release: %+v", f)
		}
		if mustDoc(t, owner.Must(http.StatusOK, "GET", "/submissions/"+w0, nil)).Find("#work-feedback").Length() != 0 {
			t.Error("the work's page shows feedback before its release")
		}
		if r := zhang.Do("POST", "/api/v1/admin/judging/feedback/release", nil); r.Status != http.StatusForbidden {
			t.Errorf("a judge releases the feedback = %d, want 403", r.Status)
		}
		org.Must(http.StatusSeeOther, "POST", "/admin/judging/feedback/release", nil)

		f := feedback(owner, w0)
		if !f.Released || len(f.Criteria) != 4 || f.Criteria[0].Name != "主题契合度" || f.Criteria[0].Mean != 24 || f.Criteria[0].MaxPoints != 30 {
			t.Errorf("criteria %+v (want the rubric's, 主题契合度 24 of 30 from 27 and 21)", f.Criteria)
		}
		if len(f.Comments) != 1 || f.Comments[0].Judge != "评委一" || f.Comments[0].Text != "画面流畅，\n主题鲜明。" {
			t.Errorf("comments %+v, want zhang's alone as 评委一 (li's blank one left out)", f.Comments)
		}
		if r := other.Do("GET", "/api/v1/submissions/"+w0+"/feedback", nil); r.Status != http.StatusNotFound {
			t.Errorf("another contestant reads the feedback = %d, want 404", r.Status)
		}
		page := mustDoc(t, owner.Must(http.StatusOK, "GET", "/submissions/"+w0, nil))
		if got := page.Find("#work-feedback").Text(); !strings.Contains(got, "评委一") || !strings.Contains(got, "主题鲜明") || strings.Contains(got, "张评委") {
			t.Errorf("the work's feedback section: %q", got)
		}
		msgs := owner.Messages().ofKind("feedback_released")
		if len(msgs) != 1 || !strings.HasSuffix(msgs[0].Link, "/submissions/"+w0) || !strings.Contains(msgs[0].Subject, "评审意见已发布") {
			t.Errorf("the owner's feedback messages: %+v", msgs)
		}
		org.Must(http.StatusOK, "POST", "/api/v1/admin/judging/feedback/release", nil)
		if n := len(owner.Messages().ofKind("feedback_released")); n != 1 {
			t.Errorf("releasing again sends %d messages, want the one", n)
		}
		if got := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/publication", nil)).Find("#feedback-released").Text(); !strings.Contains(got, "已于") {
			t.Errorf("the publication desk says %q after the release", got)
		}
	})
}
