package http

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// judges handles the organizers' judges: invitation, list, deactivation.
type judges struct{ *Server }

func (s judges) routes(r router) {
	r.admin.GET("/judges", s.pageJudges)
	r.admin.POST("/judges", s.pageInviteJudge)
	r.admin.POST("/judges/:id/activate", s.pageSetJudgeActive(true))
	r.admin.POST("/judges/:id/deactivate", s.pageSetJudgeActive(false))
	r.admin.POST("/judges/:id/invitation", s.pageResendInvitation)
	r.org.GET("/judges", s.apiJudges)
	r.org.POST("/judges", s.apiInviteJudge)
	r.org.POST("/judges/:id/activate", s.apiSetJudgeActive(true))
	r.org.POST("/judges/:id/deactivate", s.apiSetJudgeActive(false))
	r.org.POST("/judges/:id/invitation", s.apiResendInvitation)
}

// judgeJSON is a judge's account as organizers see it.
type judgeJSON struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Employer  string    `json:"employer"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
}

func toJudgeJSON(u contest.User) judgeJSON {
	return judgeJSON{ID: u.ID, Email: u.Email, Name: u.Name, Employer: u.Employer, Active: !u.Disabled, CreatedAt: u.CreatedAt}
}

func (s judges) apiInviteJudge(c echo.Context) error {
	var in struct {
		Email    string `json:"email"`
		Name     string `json:"name"`
		Employer string `json:"employer"`
		ByEmail  bool   `json:"by_email"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	u, _ := currentUser(c)
	j, password, err := s.svc.Judging.InviteJudge(c.Request().Context(), u,
		contest.JudgeInput{Email: in.Email, Name: in.Name, Employer: in.Employer, ByEmail: in.ByEmail})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, invitedJudgeJSON{Judge: toJudgeJSON(j), Password: password, ByEmail: in.ByEmail})
}

// invitedJudgeJSON is a new judge with their one-time password, shown only this once, or
// (by e-mail) none: the judge sets theirs through the mailed link.
type invitedJudgeJSON struct {
	Judge    judgeJSON `json:"judge"`
	Password string    `json:"password,omitempty"`
	ByEmail  bool      `json:"by_email"`
}

func (s judges) apiResendInvitation(c echo.Context) error {
	u, _ := currentUser(c)
	j, err := s.svc.Judging.ResendInvitation(c.Request().Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, toJudgeJSON(j))
}

func (s judges) pageResendInvitation(c echo.Context) error {
	u, _ := currentUser(c)
	j, err := s.svc.Judging.ResendInvitation(c.Request().Context(), u, c.Param("id"))
	if err != nil {
		v, lerr := s.judgesView(c, judgesPage{})
		if lerr != nil {
			return lerr
		}
		return s.formError(c, "admin_judges", v.Title, err, v.Data)
	}
	v, err := s.judgesView(c, judgesPage{Mailed: &j})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "admin_judges", v)
}

func (s judges) apiJudges(c echo.Context) error {
	u, _ := currentUser(c)
	judges, err := s.svc.Judging.Judges(c.Request().Context(), u)
	if err != nil {
		return err
	}
	items := make([]judgeJSON, len(judges))
	for i, j := range judges {
		items[i] = toJudgeJSON(j)
	}
	return c.JSON(http.StatusOK, judgeListJSON{Items: items})
}

// judgeListJSON is every judge, active or not.
type judgeListJSON struct {
	Items []judgeJSON `json:"items"`
}

// apiSetJudgeActive is POST …/judges/:id/activate and …/deactivate.
func (s judges) apiSetJudgeActive(active bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		u, _ := currentUser(c)
		j, err := s.svc.Judging.SetJudgeDisabled(c.Request().Context(), u, c.Param("id"), !active)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, toJudgeJSON(j))
	}
}

// judgesPage is the organizer's list of judges, with the invitation form and, right after an
// invitation, the one-time password to hand over.
type judgesPage struct {
	Judges   []contest.User
	Progress map[string]contest.JudgeProgress
	Input    contest.JudgeInput
	Invited  *contest.User
	Password string
	// Mailed is the judge just sent an invitation link (no password to show).
	Mailed *contest.User
	// MailOn: invitations can be mailed.
	MailOn bool
}

func (s judges) judgesView(c echo.Context, d judgesPage) (view, error) {
	u, _ := currentUser(c)
	judges, err := s.svc.Judging.Judges(c.Request().Context(), u)
	if err != nil {
		return view{}, err
	}
	d.Judges = judges
	d.MailOn = s.svc.Accounts.MailConfigured()
	d.Progress, err = s.svc.Judging.Progress(c.Request().Context(), u)
	return view{Title: "评委管理", Wide: true, Data: d}, err
}

func (s judges) pageJudges(c echo.Context) error {
	v, err := s.judgesView(c, judgesPage{})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "admin_judges", v)
}

func (s judges) pageInviteJudge(c echo.Context) error {
	u, _ := currentUser(c)
	in := contest.JudgeInput{Email: c.FormValue("email"), Name: c.FormValue("name"), Employer: c.FormValue("employer"),
		ByEmail: c.FormValue("by_email") != ""}
	j, password, err := s.svc.Judging.InviteJudge(c.Request().Context(), u, in)
	if err != nil {
		v, lerr := s.judgesView(c, judgesPage{Input: in})
		if lerr != nil {
			return lerr
		}
		return s.formError(c, "admin_judges", v.Title, err, v.Data)
	}
	d := judgesPage{Invited: &j, Password: password}
	if in.ByEmail {
		d = judgesPage{Mailed: &j}
	}
	v, err := s.judgesView(c, d)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "admin_judges", v)
}

func (s judges) pageSetJudgeActive(active bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		u, _ := currentUser(c)
		if _, err := s.svc.Judging.SetJudgeDisabled(c.Request().Context(), u, c.Param("id"), !active); err != nil {
			return err
		}
		return seeOther(c, "/admin/judges")
	}
}
