package http

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// bind decodes a JSON body; a malformed one is a 400 with a stable code.
func bind(c echo.Context, dst any) error {
	if err := (&echo.DefaultBinder{}).BindBody(c, dst); err != nil {
		return contest.Errorf(contest.EBadJSON, "请求内容不是有效的JSON")
	}
	return nil
}

func (s *Server) apiSignUp(c echo.Context) error {
	var in struct{ Email, Password, Name string }
	if err := bind(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.svc.Registration.SignUp(ctx, contest.SignUpInput{Email: in.Email, Password: in.Password, Name: in.Name}); err != nil {
		return err
	}
	sess, u, err := s.svc.Registration.SignIn(ctx, in.Email, in.Password)
	if err != nil {
		return err
	}
	s.setSession(c, sess)
	return c.JSON(http.StatusCreated, toUserJSON(u))
}

func (s *Server) apiLogin(c echo.Context) error {
	var in struct{ Email, Password string }
	if err := bind(c, &in); err != nil {
		return err
	}
	sess, u, err := s.svc.Registration.SignIn(c.Request().Context(), in.Email, in.Password)
	if err != nil {
		return err
	}
	s.setSession(c, sess)
	return c.JSON(http.StatusOK, toUserJSON(u))
}

func (s *Server) apiLogout(c echo.Context) error {
	if err := s.svc.Registration.SignOut(c.Request().Context(), sessionToken(c)); err != nil {
		return err
	}
	s.clearSession(c)
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiMe(c echo.Context) error {
	u, _ := currentUser(c)
	return c.JSON(http.StatusOK, toUserJSON(u))
}

func (s *Server) apiContest(c echo.Context) error {
	ct, err := s.svc.Contests.CurrentContest(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toContestJSON(ct, s.svc.Now()))
}

func (s *Server) apiUpdateContest(c echo.Context) error {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	ct, err := s.svc.Contests.CurrentContest(ctx)
	if err != nil {
		return err
	}
	body := toContestJSON(ct, s.svc.Now())
	if err := bind(c, &body); err != nil {
		return err
	}
	updated, err := s.svc.Contests.UpdateContest(ctx, u, body.toDomain(ct))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toContestJSON(updated, s.svc.Now()))
}

func (s *Server) apiMySubmissions(c echo.Context) error {
	u, _ := currentUser(c)
	subs, err := s.svc.Registration.MySubmissions(c.Request().Context(), u)
	if err != nil {
		return err
	}
	items := make([]submissionJSON, len(subs))
	for i, sub := range subs {
		items[i] = toSubmissionJSON(sub, "", false)
	}
	return c.JSON(http.StatusOK, submissionListJSON{Items: items})
}

// submissionListJSON is a contestant's own submissions.
type submissionListJSON struct {
	Items []submissionJSON `json:"items"`
}

func (s *Server) apiCreateSubmission(c echo.Context) error {
	u, _ := currentUser(c)
	var in submissionInputJSON
	if err := bind(c, &in); err != nil {
		return err
	}
	sub, err := s.svc.Registration.CreateSubmission(c.Request().Context(), u, in.toDomain())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, s.ownJSON(c, sub))
}

// ownJSON is the owner's full view, with consent links; an organizer gets the masked view.
func (s *Server) ownJSON(c echo.Context, sub contest.Submission) submissionJSON {
	u, _ := currentUser(c)
	if sub.OwnerID == u.ID {
		return toSubmissionJSON(sub, s.baseURL(c), false)
	}
	return toSubmissionJSON(sub.Masked(), "", u.IsOrganizer())
}

func (s *Server) apiSubmission(c echo.Context) error {
	u, _ := currentUser(c)
	sub, err := s.svc.Registration.Submission(c.Request().Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.ownJSON(c, sub))
}

func (s *Server) apiUpdateSubmission(c echo.Context) error {
	u, _ := currentUser(c)
	var in submissionInputJSON
	if err := bind(c, &in); err != nil {
		return err
	}
	sub, err := s.svc.Registration.UpdateSubmission(c.Request().Context(), u, c.Param("id"), in.toDomain())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.ownJSON(c, sub))
}

func (s *Server) apiDeleteSubmission(c echo.Context) error {
	u, _ := currentUser(c)
	if err := s.svc.Registration.DeleteSubmission(c.Request().Context(), u, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiFinalize(c echo.Context) error {
	u, _ := currentUser(c)
	sub, err := s.svc.Registration.Finalize(c.Request().Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.ownJSON(c, sub))
}

// consentBody is what a participant sends to give consent.
type consentBody struct {
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
	Agreed   bool   `json:"agreed"`
}

func (s *Server) apiOwnerConsent(c echo.Context) error {
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

func (s *Server) apiConsentByToken(c echo.Context) error {
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

func (s *Server) apiGiveConsentByToken(c echo.Context) error {
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

func (s *Server) apiUploadScan(c echo.Context) error {
	u, _ := currentUser(c)
	sub, err := s.uploadScan(c, u, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.ownJSON(c, sub))
}

func (s *Server) apiAdminSubmissions(c echo.Context) error {
	limit, _ := strconv.Atoi(c.QueryParam("limit"))
	offset, _ := strconv.Atoi(c.QueryParam("offset"))
	_, _, page, err := s.listSubmissions(c, filterFromQuery(c.QueryParams()), limit, max(offset, 0))
	if err != nil {
		return err
	}
	return s.submissionPageJSON(c, page)
}

// searchBody is the organizer's search with personal numbers in the body, not the URL.
type searchBody struct {
	Status   string `json:"status"`
	Query    string `json:"q"`
	Employer string `json:"employer"`
	IDNumber string `json:"id_number"`
	Mobile   string `json:"mobile"`
	Consent  string `json:"consent"`
	Limit    int    `json:"limit"`
	Offset   int    `json:"offset"`
}

func (s *Server) apiAdminSearch(c echo.Context) error {
	var b searchBody
	if err := bind(c, &b); err != nil {
		return err
	}
	f := contest.SubmissionFilter{Status: contest.Status(b.Status), Query: b.Query, Employer: b.Employer,
		IDNumber: b.IDNumber, Mobile: b.Mobile, Consent: b.Consent}
	_, _, page, err := s.listSubmissions(c, f, b.Limit, max(b.Offset, 0))
	if err != nil {
		return err
	}
	return s.submissionPageJSON(c, page)
}

func (s *Server) submissionPageJSON(c echo.Context, page contest.SubmissionPage) error {
	items := make([]submissionJSON, len(page.Items))
	for i, sub := range page.Items {
		items[i] = toSubmissionJSON(sub, "", true)
	}
	return c.JSON(http.StatusOK, adminSubmissionsJSON{Items: items, Total: page.Total, ByStatus: page.ByStatus})
}

// adminSubmissionsJSON is a page of the organizer's list: the matching submissions, how many
// match the whole filter, and how many per status over the filter without the status.
type adminSubmissionsJSON struct {
	Items    []submissionJSON         `json:"items"`
	Total    int64                    `json:"total"`
	ByStatus map[contest.Status]int64 `json:"by_status"`
}
