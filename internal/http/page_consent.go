package http

import (
	"net/http"
	"sort"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

type consentPage struct {
	Target contest.ConsentTarget
	Action string
}

func consentInput(c echo.Context) contest.ConsentInput {
	return contest.ConsentInput{Name: c.FormValue("name"), IDNumber: c.FormValue("id_number"),
		Agreed: c.FormValue("agreed") != "", IP: c.RealIP()}
}

func (s *Server) showConsent(c echo.Context, status int, page consentPage, err error) error {
	// The participant's own number is never sent back to the page; they type it.
	page.Target.Participant.IDNumber = ""
	page.Target.Submission = page.Target.Submission.Masked()
	v := view{Title: "作品授权书", Data: page}
	if err != nil {
		v.Errors, v.ErrorMsg = contest.ErrorFields(err), contest.ErrorMessage(err)
	}
	return s.render(c, status, "consent", v)
}

func (s *Server) pageConsentLink(c echo.Context) error {
	t, err := s.svc.Registration.ConsentByToken(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	return s.showConsent(c, http.StatusOK, consentPage{Target: t, Action: c.Request().URL.Path}, nil)
}

func (s *Server) pageConsentLinkPost(c echo.Context) error {
	ctx := c.Request().Context()
	t, err := s.svc.Registration.ConsentByToken(ctx, c.Param("token"))
	if err != nil {
		return err
	}
	page := consentPage{Target: t, Action: c.Request().URL.Path}
	if _, err := s.svc.Registration.GiveConsent(ctx, t, consentInput(c), false); err != nil {
		return s.refuseConsent(c, page, err)
	}
	flash(c, "consented")
	return c.Redirect(http.StatusSeeOther, c.Request().URL.Path)
}

func (s *Server) refuseConsent(c echo.Context, page consentPage, err error) error {
	code := contest.ErrorCode(err)
	if code == contest.EInternal {
		return err
	}
	return s.showConsent(c, statusOf[code], page, err)
}

func (s *Server) pageOwnerConsent(c echo.Context) error {
	u, _ := currentUser(c)
	t, err := s.svc.Registration.ConsentAsOwner(c.Request().Context(), u, c.Param("id"), c.Param("pid"))
	if err != nil {
		return err
	}
	return s.showConsent(c, http.StatusOK, consentPage{Target: t, Action: c.Request().URL.Path}, nil)
}

func (s *Server) pageOwnerConsentPost(c echo.Context) error {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	t, err := s.svc.Registration.ConsentAsOwner(ctx, u, c.Param("id"), c.Param("pid"))
	if err != nil {
		return err
	}
	page := consentPage{Target: t, Action: c.Request().URL.Path}
	if _, err := s.svc.Registration.GiveConsent(ctx, t, consentInput(c), true); err != nil {
		return s.refuseConsent(c, page, err)
	}
	flash(c, "consented")
	return c.Redirect(http.StatusSeeOther, "/submissions/"+t.Submission.ID)
}

// sortedFields returns field errors in a stable order for display.
func sortedFields(f map[string]contest.FieldError) []contest.FieldError {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]contest.FieldError, len(keys))
	for i, k := range keys {
		out[i] = f[k]
	}
	return out
}
