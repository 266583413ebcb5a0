package http

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// submissions handles a contestant's works: the 报名登记表, the team, the scan.
type submissions struct{ *Server }

func (s submissions) routes(r router) {
	r.my.GET("/submissions/new", s.pageNewSubmission)
	r.my.POST("/submissions", s.pageCreateSubmission)
	r.my.GET("/submissions/:id", s.pageSubmission)
	r.my.GET("/submissions/:id/edit", s.pageEditSubmission)
	r.my.POST("/submissions/:id", s.pageUpdateSubmission)
	r.my.POST("/submissions/:id/finalize", s.pageFinalize)
	r.my.POST("/submissions/:id/delete", s.pageDelete)
	r.my.POST("/submissions/:id/scan", s.pageUploadScan)
	r.my.GET("/submissions/:id/scan", s.downloadScan)
	r.user.GET("/submissions", s.apiMySubmissions)
	r.user.POST("/submissions", s.apiCreateSubmission)
	r.user.GET("/submissions/:id", s.apiSubmission)
	r.user.PUT("/submissions/:id", s.apiUpdateSubmission)
	r.user.DELETE("/submissions/:id", s.apiDeleteSubmission)
	r.user.POST("/submissions/:id/finalize", s.apiFinalize)
	r.user.PUT("/submissions/:id/scan", s.apiUploadScan)
	r.user.GET("/submissions/:id/scan", s.downloadScan)
}

func (s submissions) apiMySubmissions(c echo.Context) error {
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

func (s submissions) apiCreateSubmission(c echo.Context) error {
	u, _ := currentUser(c)
	var in submissionInputJSON
	if err := bind(c, &in); err != nil {
		return err
	}
	sub, err := s.svc.Registration.CreateSubmission(c.Request().Context(), u, in.toDomain())
	if err != nil {
		return err
	}
	return s.writeOwn(c, http.StatusCreated, sub)
}

// writeOwn answers with the owner's full view, with consent links and what the contest still
// asks of the work (its category); an organizer gets the masked view.
func (s submissions) writeOwn(c echo.Context, status int, sub contest.Submission) error {
	u, _ := currentUser(c)
	if sub.OwnerID != u.ID {
		return c.JSON(status, toSubmissionJSON(sub.Masked(), "", u.IsOrganizer()))
	}
	ct, err := s.svc.Contests.Contest(c.Request().Context(), sub.ContestID)
	if err != nil {
		return err
	}
	out := toSubmissionJSON(sub, s.contestURL(c), false)
	if fe, ok := sub.MissingIn(ct)["category"]; ok {
		out.Missing["category"] = fe
	}
	return c.JSON(status, out)
}

func (s submissions) apiSubmission(c echo.Context) error {
	u, _ := currentUser(c)
	sub, err := s.svc.Registration.Submission(c.Request().Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	return s.writeOwn(c, http.StatusOK, sub)
}

func (s submissions) apiUpdateSubmission(c echo.Context) error {
	u, _ := currentUser(c)
	var in submissionInputJSON
	if err := bind(c, &in); err != nil {
		return err
	}
	sub, err := s.svc.Registration.UpdateSubmission(c.Request().Context(), u, c.Param("id"), in.toDomain())
	if err != nil {
		return err
	}
	return s.writeOwn(c, http.StatusOK, sub)
}

func (s submissions) apiDeleteSubmission(c echo.Context) error {
	u, _ := currentUser(c)
	if err := s.svc.Registration.DeleteSubmission(c.Request().Context(), u, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s submissions) apiFinalize(c echo.Context) error {
	u, _ := currentUser(c)
	sub, err := s.svc.Registration.Finalize(c.Request().Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	return s.writeOwn(c, http.StatusOK, sub)
}

func (s submissions) apiUploadScan(c echo.Context) error {
	u, _ := currentUser(c)
	sub, err := s.uploadScan(c, u, c.Param("id"))
	if err != nil {
		return err
	}
	return s.writeOwn(c, http.StatusOK, sub)
}

// parseSubmissionForm reads the registration form. Participant rows arrive as parallel lists
// (p_id, p_name, …); rows left entirely blank are dropped.
func parseSubmissionForm(f url.Values) contest.SubmissionInput {
	in := contest.SubmissionInput{Registration: contest.Registration{
		Title: f.Get("title"), LeadName: f.Get("lead_name"), Employer: f.Get("employer"),
		ContactName: f.Get("contact_name"), ContactIDType: contest.ParseIDType(f.Get("contact_id_type")),
		ContactIDNumber: f.Get("contact_id_number"), Mobile: f.Get("mobile"), Email: f.Get("email"),
		WeChat: f.Get("wechat"), Address: f.Get("address"), PostalCode: f.Get("postal_code"),
		Description: f.Get("description"),
	}}
	if f.Has("category") {
		key := f.Get("category")
		in.Category = &key
	}
	in.Version, _ = strconv.Atoi(f.Get("version"))
	at := func(key string, i int) string {
		if v := f[key]; i < len(v) {
			return v[i]
		}
		return ""
	}
	for i := range f["p_name"] {
		p := contest.Participant{
			ID: at("p_id", i), Name: at("p_name", i), IDType: contest.ParseIDType(at("p_id_type", i)),
			IDNumber: at("p_id_number", i), Employer: at("p_employer", i),
		}
		if contest.Normalize(p.Name+p.IDNumber+p.Employer) == "" {
			continue
		}
		in.Participants = append(in.Participants, p)
	}
	return in
}

// regForm is the registration form page's data.
type regForm struct {
	ID     string
	Action string
	Input  contest.SubmissionInput
	// Reuse offers to fill the contact fields from the contestant's latest entry (any
	// contest); Reused says they were.
	Reuse, Reused bool
}

func (s submissions) pageNewSubmission(c echo.Context) error {
	u, _ := currentUser(c)
	ct, err := s.svc.Contests.CurrentContest(c.Request().Context())
	if err != nil {
		return err
	}
	if err := ct.CheckCollectionOpen(s.svc.Now()); err != nil {
		// Say so before anyone fills in eleven fields and a team.
		return s.render(c, http.StatusOK, "closed", view{Title: "报名登记表", Contest: ct, ErrorMsg: contest.ErrorMessage(err)})
	}
	in := contest.SubmissionInput{
		Registration: contest.Registration{ContactName: u.Name, Email: u.Email},
		Participants: []contest.Participant{{Name: u.Name}},
	}
	form := regForm{Action: "/submissions", Input: in}
	earlier, ok, err := s.svc.Registration.EarlierContact(c.Request().Context(), u)
	if err != nil {
		return err
	}
	switch {
	case ok && c.QueryParam("reuse") == "1":
		form.Input.Registration, form.Reused = earlier, true
		form.Input.Participants = []contest.Participant{{Name: cmp.Or(earlier.LeadName, u.Name)}}
	case ok:
		form.Reuse = true
	}
	return s.showForm(c, http.StatusOK, form, nil)
}

func (s submissions) showForm(c echo.Context, status int, form regForm, err error) error {
	if len(form.Input.Participants) == 0 {
		form.Input.Participants = []contest.Participant{{}}
	}
	v := view{Title: "报名登记表", Data: form}
	if err != nil {
		v.Errors = contest.ErrorFields(err)
		v.ErrorMsg = contest.ErrorMessage(err)
	}
	return s.render(c, status, "form", v)
}

// formAction handles the no-JavaScript "add participant" button: show the form again with
// one more row, saving nothing.
func (s submissions) formAction(c echo.Context, form regForm) (bool, error) {
	if c.FormValue("action") != "add_participant" {
		return false, nil
	}
	form.Input.Participants = append(form.Input.Participants, contest.Participant{})
	return true, s.showForm(c, http.StatusOK, form, nil)
}

func (s submissions) pageCreateSubmission(c echo.Context) error {
	u, _ := currentUser(c)
	form, err := s.readForm(c, "/submissions", "")
	if err != nil {
		return err
	}
	if done, err := s.formAction(c, form); done {
		return err
	}
	sub, err := s.svc.Registration.CreateSubmission(c.Request().Context(), u, form.Input)
	if err != nil {
		return s.refuseForm(c, form, err)
	}
	flash(c, "created")
	return seeOther(c, "/submissions/"+sub.ID)
}

func (s submissions) readForm(c echo.Context, action, id string) (regForm, error) {
	values, err := formParams(c)
	if err != nil {
		return regForm{}, err
	}
	return regForm{ID: id, Action: action, Input: parseSubmissionForm(values)}, nil
}

// refuseForm shows the form again with what the person typed and the reasons.
func (s submissions) refuseForm(c echo.Context, form regForm, err error) error {
	code := contest.ErrorCode(err)
	if code == contest.EInternal || code == contest.ENotFound {
		return err
	}
	return s.showForm(c, statusOf[code], form, err)
}

func (s submissions) pageEditSubmission(c echo.Context) error {
	u, _ := currentUser(c)
	sub, err := s.svc.Registration.Submission(c.Request().Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	if sub.OwnerID != u.ID {
		return contest.Errorf(contest.ENotFound, "作品不存在")
	}
	in := contest.SubmissionInput{Registration: sub.Registration, Participants: sub.Participants, Version: sub.Version, Category: &sub.Category}
	return s.showForm(c, http.StatusOK, regForm{ID: sub.ID, Action: "/submissions/" + sub.ID, Input: in}, nil)
}

func (s submissions) pageUpdateSubmission(c echo.Context) error {
	u, _ := currentUser(c)
	id := c.Param("id")
	form, err := s.readForm(c, "/submissions/"+id, id)
	if err != nil {
		return err
	}
	if done, err := s.formAction(c, form); done {
		return err
	}
	before, err := s.svc.Registration.Submission(c.Request().Context(), u, id)
	if err != nil {
		return err
	}
	sub, err := s.svc.Registration.UpdateSubmission(c.Request().Context(), u, id, form.Input)
	if err != nil {
		return s.refuseForm(c, form, err)
	}
	if before.Status == contest.StatusSubmitted && sub.Status == contest.StatusDraft {
		flash(c, "reopened")
	} else {
		flash(c, "saved")
	}
	return seeOther(c, "/submissions/"+sub.ID)
}

// submissionPage is the owner's view of one work.
type submissionPage struct {
	Submission contest.Submission
	Missing    []string
	BaseURL    string
	// CanUpload: a video may be uploaded now (collection open, or an upload opened before the
	// close is within its grace). CanFinalize: the work may be submitted now.
	CanUpload, CanFinalize bool
	// Result is the work's published result; nil until the results are published.
	Result *contest.MyResult
	// Feedback is the judges' anonymized feedback; nil until the organizers release it.
	Feedback *contest.Feedback
	// ContentAdvice is what the content scan says of subtitles and sound, with what to do.
	ContentAdvice []contest.Reason
	// InWeChat: the page is open in WeChat's own browser, where large uploads may be cut off;
	// the page says how to open it in the system browser.
	InWeChat bool
}

func (s submissions) pageSubmission(c echo.Context) error {
	u, _ := currentUser(c)
	sub, err := s.svc.Registration.Submission(c.Request().Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	if sub.OwnerID != u.ID { // organizers have their own view
		return seeOther(c, "/admin/submissions/"+sub.ID)
	}
	return s.showSubmission(c, http.StatusOK, sub, nil)
}

func (s submissions) showSubmission(c echo.Context, status int, sub contest.Submission, err error) error {
	page := submissionPage{Submission: sub, BaseURL: s.contestURL(c),
		InWeChat: strings.Contains(c.Request().UserAgent(), "MicroMessenger")}
	ct, cerr := s.svc.Contests.CurrentContest(c.Request().Context())
	if cerr != nil {
		return cerr
	}
	for _, fe := range sortedFields(sub.MissingIn(ct)) {
		page.Missing = append(page.Missing, fe.Message)
	}
	page.CanUpload, page.CanFinalize = s.svc.Media.Allowed(ct, sub)
	page.ContentAdvice = s.svc.Media.ScanAdvice(c.Request().Context(), sub)
	if u, _ := currentUser(c); ct.Publication.PublishedAt != nil {
		results, err := s.svc.Publication.MyResults(c.Request().Context(), u, []contest.Submission{sub})
		if err != nil {
			return err
		}
		if r, ok := results[sub.ID]; ok {
			page.Result = &r
		}
		if f, ok, err := s.svc.Judging.WorkFeedback(c.Request().Context(), u, sub.ID); err != nil {
			return err
		} else if ok {
			page.Feedback = &f
		}
	}
	v := view{Title: sub.Registration.Title, Data: page, Contest: ct}
	if err != nil {
		v.Errors, v.ErrorMsg = contest.ErrorFields(err), contest.ErrorMessage(err)
		for _, fe := range sortedFields(v.Errors) {
			if fe.Code != "scan_type" && fe.Code != "scan_size" {
				v.ErrorMsg += "；" + fe.Message
			}
		}
	}
	return s.render(c, status, "submission", v)
}

func (s submissions) pageFinalize(c echo.Context) error {
	u, _ := currentUser(c)
	id := c.Param("id")
	if _, err := s.svc.Registration.Finalize(c.Request().Context(), u, id); err != nil {
		return s.refuseSubmission(c, u, id, err)
	}
	flash(c, "submitted")
	return seeOther(c, "/submissions/"+id)
}

// refuseSubmission shows the submission page again with the reason a request was refused.
func (s submissions) refuseSubmission(c echo.Context, u contest.User, id string, err error) error {
	code := contest.ErrorCode(err)
	if code == contest.EInternal || code == contest.ENotFound {
		return err
	}
	sub, lerr := s.svc.Registration.Submission(c.Request().Context(), u, id)
	if lerr != nil {
		return lerr
	}
	return s.showSubmission(c, statusOf[code], sub, err)
}

func (s submissions) pageDelete(c echo.Context) error {
	u, _ := currentUser(c)
	id := c.Param("id")
	if err := s.svc.Registration.DeleteSubmission(c.Request().Context(), u, id); err != nil {
		return s.refuseSubmission(c, u, id, err)
	}
	flash(c, "deleted")
	return seeOther(c, "/my")
}

func (s submissions) pageUploadScan(c echo.Context) error {
	u, _ := currentUser(c)
	id := c.Param("id")
	if _, err := s.uploadScan(c, u, id); err != nil {
		return s.refuseSubmission(c, u, id, err)
	}
	flash(c, "scan")
	return seeOther(c, "/submissions/"+id)
}

// uploadScan reads the multipart field "scan" and stores it.
func (s submissions) uploadScan(c echo.Context, u contest.User, id string) (contest.Submission, error) {
	fh, err := c.FormFile("scan")
	if err != nil {
		return contest.Submission{}, (contest.Fields{"scan": {Code: "scan_required", Message: "请选择扫描件文件"}}).Err()
	}
	f, err := fh.Open()
	if err != nil {
		return contest.Submission{}, contest.Internal(err)
	}
	defer f.Close()
	// The type is sniffed from the bytes, not taken from the browser.
	head := make([]byte, 512)
	n, _ := f.Read(head)
	if _, err := f.Seek(0, 0); err != nil {
		return contest.Submission{}, contest.Internal(err)
	}
	ctype := http.DetectContentType(head[:n])
	return s.svc.Registration.AttachScan(c.Request().Context(), u, id, fh.Filename, ctype, fh.Size, f)
}

func (s submissions) downloadScan(c echo.Context) error {
	u, _ := currentUser(c)
	att, rc, err := s.svc.Registration.Scan(c.Request().Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	defer rc.Close()
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename*=UTF-8''%s", url.PathEscape(att.Name)))
	c.Response().Header().Set("Content-Length", fmt.Sprint(att.Size))
	return c.Stream(http.StatusOK, att.ContentType, rc)
}
