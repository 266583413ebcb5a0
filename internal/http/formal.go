package http

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// formalReviews handles 形式审查: the organizers' pass or exclusion of a work.
type formalReviews struct{ *Server }

func (s formalReviews) routes(r router) {
	r.admin.POST("/submissions/:id/formal-review", s.pageFormalReview)
	r.org.PUT("/submissions/:id/formal-review", s.apiFormalReview)
}

// formalJSON is the formal review of a work; the reason is for the contestant too.
type formalJSON struct {
	Decision  string    `json:"decision"`
	Label     string    `json:"label"`
	Reason    string    `json:"reason"`
	DecidedAt time.Time `json:"decided_at"`
}

func toFormalJSON(fr *contest.FormalReview) *formalJSON {
	if fr == nil {
		return nil
	}
	return &formalJSON{Decision: string(fr.Decision), Label: fr.Decision.Label(), Reason: fr.Reason, DecidedAt: fr.At}
}

func (s formalReviews) apiFormalReview(c echo.Context) error {
	var in struct {
		Decision string `json:"decision"`
		Reason   string `json:"reason"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	u, _ := currentUser(c)
	sub, err := s.svc.Judging.DecideFormal(c.Request().Context(), u, c.Param("id"), contest.FormalDecision(in.Decision), in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toSubmissionJSON(sub.Masked(), "", true))
}

// pageFormalReview is the formal review form on the organizer's view of a work.
func (s formalReviews) pageFormalReview(c echo.Context) error {
	u, _ := currentUser(c)
	_, err := s.svc.Judging.DecideFormal(c.Request().Context(), u, c.Param("id"),
		contest.FormalDecision(c.FormValue("decision")), c.FormValue("reason"))
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/submissions/"+c.Param("id")+"#formal")
}
