package http

import (
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// formalReviews handles 形式审查: the organizers' pass or exclusion of a work.
type formalReviews struct{ *Server }

func (s formalReviews) routes(r router) {
	r.admin.POST("/submissions/formal-review", s.pageBulkFormal)
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

// pageFormalReview is the formal review form on the organizer's view of a work. With "next"
// (the work after it in the list the organizer is walking, whose filters travel in "walk"),
// the organizer lands on that work, ready for its review; otherwise back on this one.
func (s formalReviews) pageFormalReview(c echo.Context) error {
	u, _ := currentUser(c)
	_, err := s.svc.Judging.DecideFormal(c.Request().Context(), u, c.Param("id"),
		contest.FormalDecision(c.FormValue("decision")), c.FormValue("reason"))
	if err != nil {
		return err
	}
	walk, _ := url.ParseQuery(c.FormValue("walk"))
	w := adminWork{Walk: template.URL(walkQuery(walk).Encode())}
	if next := c.FormValue("next"); next != "" && c.FormValue("stay") == "" {
		flash(c, "formal_next")
		return seeOther(c, string(w.WalkURL(next))+"#formal")
	}
	flash(c, "formal")
	return seeOther(c, string(w.WalkURL(c.Param("id")))+"#formal")
}

// pageBulkFormal passes the formal review of the works ticked in the list, each audited on its
// own, and shows the list again (same filters and page) with what was passed and, by title,
// what could not be and why.
func (s formalReviews) pageBulkFormal(c echo.Context) error {
	u, _ := currentUser(c)
	form, err := formParams(c)
	if err != nil {
		return err
	}
	res, err := s.svc.Judging.PassFormal(c.Request().Context(), u, form["id"])
	if err != nil {
		return err
	}
	walk, _ := url.ParseQuery(c.FormValue("walk"))
	return adminSubmissions{s.Server}.showList(c, walkQuery(walk), &res)
}
