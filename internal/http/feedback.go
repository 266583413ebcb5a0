package http

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// feedback handles the feedback to entrants (评审意见反馈): its release by the organizers and
// each contestant's reading of their own work's.
type feedback struct{ *Server }

func (s feedback) routes(r router) {
	r.admin.POST("/judging/feedback/release", s.pageReleaseFeedback)
	r.org.POST("/judging/feedback/release", s.apiReleaseFeedback)
	r.user.GET("/submissions/:id/feedback", s.apiWorkFeedback)
}

// feedbackReleaseJSON is whether comments are shared and when the feedback was released.
type feedbackReleaseJSON struct {
	ShareComments bool       `json:"share_comments"`
	ReleasedAt    *time.Time `json:"released_at,omitempty"`
}

func (s feedback) apiReleaseFeedback(c echo.Context) error {
	u, _ := currentUser(c)
	ct, err := s.svc.Judging.ReleaseFeedback(c.Request().Context(), u)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, feedbackReleaseJSON{ShareComments: ct.Judging.ShareComments, ReleasedAt: ct.Judging.FeedbackReleasedAt})
}

func (s feedback) pageReleaseFeedback(c echo.Context) error {
	u, _ := currentUser(c)
	if _, err := s.svc.Judging.ReleaseFeedback(c.Request().Context(), u); err != nil {
		return err
	}
	return seeOther(c, "/admin/publication#feedback")
}

// workFeedbackJSON is the feedback on a contestant's own work: empty lists with released
// false until the organizers release it. Nothing in it names or dates a judge.
type workFeedbackJSON struct {
	Released bool                    `json:"released"`
	Criteria []criterionFeedbackJSON `json:"criteria"`
	Comments []feedbackCommentJSON   `json:"comments"`
}

type criterionFeedbackJSON struct {
	Name      string  `json:"name"`
	Mean      float64 `json:"mean"`
	MaxPoints float64 `json:"max_points"`
}

type feedbackCommentJSON struct {
	Judge string `json:"judge"` // 评委一, 评委二…
	Text  string `json:"text"`
}

func toWorkFeedbackJSON(f contest.Feedback, released bool) workFeedbackJSON {
	out := workFeedbackJSON{Released: released, Criteria: []criterionFeedbackJSON{}, Comments: []feedbackCommentJSON{}}
	for _, cr := range f.Criteria {
		out.Criteria = append(out.Criteria, criterionFeedbackJSON{Name: cr.Name, Mean: cr.Mean, MaxPoints: cr.MaxPoints})
	}
	for _, cm := range f.Comments {
		out.Comments = append(out.Comments, feedbackCommentJSON{Judge: cm.Judge, Text: cm.Text})
	}
	return out
}

func (s feedback) apiWorkFeedback(c echo.Context) error {
	u, _ := currentUser(c)
	f, ok, err := s.svc.Judging.WorkFeedback(c.Request().Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toWorkFeedbackJSON(f, ok))
}
