package http

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// consents handles the participants' 作品授权书, by personal link or on the owner's device.
type consents struct{ *Server }

func (s consents) routes(r router) {
	r.public.GET("/consent/:token", s.pageConsentLink)
	r.public.POST("/consent/:token", s.pageConsentLinkPost)
	r.my.GET("/submissions/:id/participants/:pid/consent", s.pageOwnerConsent)
	r.my.POST("/submissions/:id/participants/:pid/consent", s.pageOwnerConsentPost)
	r.api.GET("/consent/:token", s.apiConsentByToken)
	r.api.POST("/consent/:token", s.apiGiveConsentByToken)
	r.user.POST("/submissions/:id/participants/:pid/consent", s.apiOwnerConsent)
}

// consentBody is what a participant sends to give consent.
type consentBody struct {
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
	Agreed   bool   `json:"agreed"`
}

func (s consents) apiOwnerConsent(c echo.Context) error {
	u, _ := currentUser(c)
	var in consentBody
	if err := bind(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	t, err := s.svc.Registration.ConsentAsOwner(ctx, u, c.Param("id"), c.Param("pid"))
	if err != nil {
		return err
	}
	consent, err := s.svc.Registration.GiveConsent(ctx, t, contest.ConsentInput{Name: in.Name, IDNumber: in.IDNumber, Agreed: in.Agreed, IP: c.RealIP()}, true)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, consentJSON{At: consent.At, ByOwner: true})
}

// consentTargetJSON is what a consent link shows before signing: no personal numbers.
type consentTargetJSON struct {
	Title     string       `json:"title"`
	Name      string       `json:"name"`
	IDType    string       `json:"id_type"`
	Text      string       `json:"text"`
	Open      bool         `json:"open"`
	Consented *consentJSON `json:"consent,omitempty"`
}

func (s consents) apiConsentByToken(c echo.Context) error {
	t, err := s.svc.Registration.ConsentByToken(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	out := consentTargetJSON{Title: t.Submission.Registration.Title, Name: t.Participant.Name,
		IDType: string(t.Participant.IDType), Text: t.Text, Open: t.Open == nil}
	if pc := t.Participant.Consent; pc != nil {
		out.Consented = &consentJSON{At: pc.At, ByOwner: pc.ByOwner}
	}
	return c.JSON(http.StatusOK, out)
}

func (s consents) apiGiveConsentByToken(c echo.Context) error {
	var in consentBody
	if err := bind(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	t, err := s.svc.Registration.ConsentByToken(ctx, c.Param("token"))
	if err != nil {
		return err
	}
	consent, err := s.svc.Registration.GiveConsent(ctx, t, contest.ConsentInput{Name: in.Name, IDNumber: in.IDNumber, Agreed: in.Agreed, IP: c.RealIP()}, false)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, consentJSON{At: consent.At})
}

type consentPage struct {
	Target contest.ConsentTarget
	Action string
}

func consentInput(c echo.Context) contest.ConsentInput {
	return contest.ConsentInput{Name: c.FormValue("name"), IDNumber: c.FormValue("id_number"),
		Agreed: c.FormValue("agreed") != "", IP: c.RealIP()}
}

func (s consents) showConsent(c echo.Context, status int, page consentPage, err error) error {
	// The participant's own number is never sent back to the page; they type it.
	page.Target.Participant.IDNumber = ""
	page.Target.Submission = page.Target.Submission.Masked()
	v := view{Title: "作品授权书", Data: page}
	if err != nil {
		v.Errors, v.ErrorMsg = contest.ErrorFields(err), contest.ErrorMessage(err)
	}
	return s.render(c, status, "consent", v)
}

func (s consents) pageConsentLink(c echo.Context) error {
	t, err := s.svc.Registration.ConsentByToken(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	return s.showConsent(c, http.StatusOK, consentPage{Target: t, Action: c.Request().URL.Path}, nil)
}

func (s consents) pageConsentLinkPost(c echo.Context) error {
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
	return seeOther(c, c.Request().URL.Path)
}

func (s consents) refuseConsent(c echo.Context, page consentPage, err error) error {
	code := contest.ErrorCode(err)
	if code == contest.EInternal {
		return err
	}
	return s.showConsent(c, statusOf[code], page, err)
}

func (s consents) pageOwnerConsent(c echo.Context) error {
	u, _ := currentUser(c)
	t, err := s.svc.Registration.ConsentAsOwner(c.Request().Context(), u, c.Param("id"), c.Param("pid"))
	if err != nil {
		return err
	}
	return s.showConsent(c, http.StatusOK, consentPage{Target: t, Action: c.Request().URL.Path}, nil)
}

func (s consents) pageOwnerConsentPost(c echo.Context) error {
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
	return seeOther(c, "/submissions/"+t.Submission.ID)
}
