package http

import (
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// objections handles objections to the 公示: filed by anyone, decided by organizers.
type objections struct{ *Server }

func (s objections) routes(r router) {
	r.public.POST("/results/objections", s.pageFileObjection, r.objections)
	r.admin.POST("/objections", s.pageDecideObjections)
	r.admin.GET("/objections/:id", s.pageObjection)
	r.admin.POST("/objections/:id", s.pageDecideObjection)
	r.api.POST("/results/objections", s.apiFileObjection, r.objections)
	r.org.PUT("/objections/:id", s.apiDecideObjection)
}

func (s objections) apiFileObjection(c echo.Context) error {
	var in struct {
		WorkID  string `json:"work_id"`
		Name    string `json:"name"`
		Contact string `json:"contact"`
		Reason  string `json:"reason"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	o, err := s.svc.Publication.FileObjection(c.Request().Context(), contest.ObjectionInput{WorkID: in.WorkID, Name: in.Name,
		Contact: in.Contact, Reason: in.Reason, FiledBy: signedInID(c)})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, filedObjectionJSON{ID: o.ID, Reference: o.Reference, Status: string(o.Status), CreatedAt: o.CreatedAt})
}

// signedInID is the signed-in user's id, or "" for an anonymous visitor.
func signedInID(c echo.Context) string {
	u, _ := currentUser(c)
	return u.ID
}

// filedObjectionJSON tells whoever objected that the objection is recorded, with its
// reference number.
type filedObjectionJSON struct {
	ID        string    `json:"id"`
	Reference string    `json:"reference"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

// objectionJSON is an objection for organizers; the contact is masked.
type objectionJSON struct {
	ID        string     `json:"id"`
	Reference string     `json:"reference"`
	WorkID    string     `json:"work_id"`
	WorkTitle string     `json:"work_title"`
	Name      string     `json:"name"`
	Contact   string     `json:"contact_masked"`
	Reason    string     `json:"reason"`
	Status    string     `json:"status"`
	Decision  string     `json:"decision,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	DecidedAt *time.Time `json:"decided_at,omitempty"`
}

func toObjectionJSON(o contest.Objection) objectionJSON {
	return objectionJSON{ID: o.ID, Reference: o.Reference, WorkID: o.WorkID, WorkTitle: o.WorkTitle, Name: o.Name, Contact: o.ContactMasked(), Reason: o.Reason,
		Status: string(o.Status), Decision: o.Decision, CreatedAt: o.CreatedAt, DecidedAt: o.DecidedAt}
}

func (s objections) apiDecideObjection(c echo.Context) error {
	var in struct {
		Upheld   bool   `json:"upheld"`
		Decision string `json:"decision"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	u, _ := currentUser(c)
	o, err := s.svc.Publication.DecideObjection(c.Request().Context(), u, c.Param("id"), in.Upheld, in.Decision)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toObjectionJSON(o))
}

func (s objections) pageObjection(c echo.Context) error {
	u, _ := currentUser(c)
	list, err := s.svc.Publication.Objections(c.Request().Context(), u)
	if err != nil {
		return err
	}
	for _, o := range list {
		if o.ID == c.Param("id") {
			return s.render(c, http.StatusOK, "admin_objection", view{Title: "异议处理", Data: o})
		}
	}
	return contest.Errorf(contest.ENotFound, "异议不存在")
}

func (s objections) pageDecideObjection(c echo.Context) error {
	u, _ := currentUser(c)
	if _, err := s.svc.Publication.DecideObjection(c.Request().Context(), u, c.Param("id"), c.FormValue("upheld") == "1", c.FormValue("decision")); err != nil {
		return err
	}
	flash(c, "saved")
	return seeOther(c, "/admin/publication#objections")
}

// pageDecideObjections settles several open objections with one decision (e.g. the same
// unfounded claim filed many times); each is recorded in the audit log on its own.
func (s objections) pageDecideObjections(c echo.Context) error {
	u, _ := currentUser(c)
	form, err := formParams(c)
	if err != nil {
		return err
	}
	ids := form["id"]
	if len(ids) == 0 {
		return (contest.Fields{"id": {Code: "required", Message: "请勾选要处理的异议"}}).Err()
	}
	for _, id := range ids {
		if _, err := s.svc.Publication.DecideObjection(c.Request().Context(), u, id, c.FormValue("upheld") == "1", c.FormValue("decision")); err != nil {
			return err
		}
	}
	flash(c, "saved")
	return seeOther(c, "/admin/publication#objections")
}

func objectionInput(c echo.Context) contest.ObjectionInput {
	return contest.ObjectionInput{WorkID: c.FormValue("work_id"), Name: c.FormValue("name"),
		Contact: c.FormValue("contact"), Reason: c.FormValue("reason"), FiledBy: signedInID(c)}
}

func (s objections) pageFileObjection(c echo.Context) error {
	in := objectionInput(c)
	o, err := s.svc.Publication.FileObjection(c.Request().Context(), in)
	if err != nil {
		r, rerr := s.svc.Publication.PublicResults(c.Request().Context())
		if rerr != nil {
			return rerr
		}
		status := http.StatusUnprocessableEntity
		switch contest.ErrorCode(err) {
		case contest.EInvalid:
		case contest.EConflict: // the 公示 ended while they typed, or a repeat: keep what they wrote
			status = http.StatusConflict
		default:
			return err
		}
		return publicResults{s.Server}.showResults(c, status, resultsPage{PublicResults: r, Input: in}, err)
	}
	return seeOther(c, "/results?filed="+url.QueryEscape(o.Reference)+"#objection")
}
