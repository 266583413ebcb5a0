package http

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// assignments handles assigning works to judges: run, preview, 改派.
type assignments struct{ *Server }

func (s assignments) routes(r router) {
	r.admin.POST("/judging/assign", s.pageRunAssignment)
	r.admin.GET("/judging/assignments", s.pageAssignments)
	r.admin.POST("/judging/assignments/preview", s.pagePreviewAssignment)
	r.admin.POST("/judging/assignments/move", s.pageMoveAssignment)
	r.org.POST("/assignments/run", s.apiRunAssignment)
	r.org.POST("/assignments/preview", s.apiPreviewAssignment)
	r.org.POST("/assignments/move", s.apiMoveAssignment)
}

func (s assignments) apiRunAssignment(c echo.Context) error {
	u, _ := currentUser(c)
	p, err := s.svc.Judging.RunAssignment(c.Request().Context(), u, uint64(time.Now().UnixNano()))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPlanJSON(p))
}

// planJSON is an assignment plan's size: assignments, works per judge, works short of judges.
type planJSON struct {
	Assignments int            `json:"assignments"`
	Loads       map[string]int `json:"loads"`
	Short       []shortJSON    `json:"short"`
	// ShortCategories are the categories with fewer judges allowed for them (评委按组别评审)
	// than each work needs.
	ShortCategories []shortCategoryJSON `json:"short_categories"`
}

// shortCategoryJSON is a category with too few judges, and how many it has.
type shortCategoryJSON struct {
	Category string `json:"category"`
	Judges   int    `json:"judges"`
}

// shortJSON is a work that got fewer judges than wanted, and how many it got.
type shortJSON struct {
	SubmissionID string `json:"submission_id"`
	Judges       int    `json:"judges"`
}

func toPlanJSON(p contest.Plan) planJSON {
	short := make([]shortJSON, 0, len(p.Short))
	for id, n := range p.Short {
		short = append(short, shortJSON{SubmissionID: id, Judges: n})
	}
	cats := make([]shortCategoryJSON, 0, len(p.ShortCategories))
	for key, n := range p.ShortCategories {
		cats = append(cats, shortCategoryJSON{Category: key, Judges: n})
	}
	return planJSON{Assignments: len(p.Assignments), Loads: p.Load, Short: short, ShortCategories: cats}
}

func (s assignments) apiPreviewAssignment(c echo.Context) error {
	u, _ := currentUser(c)
	p, err := s.svc.Judging.PreviewAssignment(c.Request().Context(), u, uint64(time.Now().UnixNano()))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPlanJSON(p))
}

func (s assignments) apiMoveAssignment(c echo.Context) error {
	var in struct {
		SubmissionID string `json:"submission_id"`
		From         string `json:"from"`
		To           string `json:"to"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	u, _ := currentUser(c)
	if err := s.svc.Judging.MoveAssignment(c.Request().Context(), u, in.SubmissionID, in.From, in.To); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s assignments) pageRunAssignment(c echo.Context) error {
	u, _ := currentUser(c)
	p, err := s.svc.Judging.RunAssignment(c.Request().Context(), u, uint64(s.svc.Now().UnixNano()))
	if err != nil {
		return err
	}
	return rankings{s.Server}.showJudging(c, judgingPage{Assigned: len(p.Assignments), Short: len(p.Short), ShortCategories: p.ShortCategories, Ran: true})
}

// assignmentsPage lists each work's judges, with a form to move an unstarted review, and the
// preview of a new run.
type assignmentsPage struct {
	Works   []contest.WorkAssignment
	Judges  map[string]contest.User
	Preview *contest.Plan
}

func (s assignments) pageAssignments(c echo.Context) error {
	return s.showAssignments(c, nil)
}

func (s assignments) showAssignments(c echo.Context, preview *contest.Plan) error {
	u, _ := currentUser(c)
	works, judges, err := s.svc.Judging.AssignmentTable(c.Request().Context(), u)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "admin_assignments", view{Title: "评审分配", Wide: true,
		Data: assignmentsPage{Works: works, Judges: judges, Preview: preview}})
}

func (s assignments) pagePreviewAssignment(c echo.Context) error {
	u, _ := currentUser(c)
	p, err := s.svc.Judging.PreviewAssignment(c.Request().Context(), u, uint64(s.svc.Now().UnixNano()))
	if err != nil {
		return err
	}
	return s.showAssignments(c, &p)
}

func (s assignments) pageMoveAssignment(c echo.Context) error {
	u, _ := currentUser(c)
	err := s.svc.Judging.MoveAssignment(c.Request().Context(), u, c.FormValue("submission_id"), c.FormValue("from"), c.FormValue("to"))
	if err != nil {
		return err
	}
	return seeOther(c, "/admin/judging/assignments#"+c.FormValue("submission_id"))
}
