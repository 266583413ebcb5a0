package http

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

const adminPageSize = 50

// adminList is the organizer's list page's data.
type adminList struct {
	Filter     contest.SubmissionFilter
	Page       contest.SubmissionPage
	All        int64
	Filtered   bool
	Prev, Next string
	query      url.Values
}

// QueryWithout returns the current query string without key (and without the page).
func (a adminList) QueryWithout(key string) string {
	q := url.Values{}
	for k, v := range a.query {
		if k != key && k != "page" {
			q[k] = v
		}
	}
	return q.Encode()
}

// listSubmissions runs the organizer's list for the page and the API alike: the current
// contest, the filters from the query string, and the page window given.
func (s *Server) listSubmissions(c echo.Context, limit, offset int) (contest.Contest, contest.SubmissionFilter, contest.SubmissionPage, error) {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	ct, err := s.svc.CurrentContest(ctx)
	if err != nil {
		return ct, contest.SubmissionFilter{}, contest.SubmissionPage{}, err
	}
	q := c.QueryParams()
	f := contest.SubmissionFilter{
		ContestID: ct.ID, Status: contest.Status(q.Get("status")), Query: q.Get("q"), Employer: q.Get("employer"),
		IDNumber: strings.TrimSpace(q.Get("id_number")), Mobile: strings.TrimSpace(q.Get("mobile")),
		Consent: q.Get("consent"), Limit: limit, Offset: offset,
	}
	page, err := s.svc.ListSubmissions(ctx, u, f)
	return ct, f, page, err
}

func (s *Server) pageAdminSubmissions(c echo.Context) error {
	q := c.QueryParams()
	pageNo, _ := strconv.Atoi(q.Get("page"))
	pageNo = max(pageNo, 1)
	ct, f, page, err := s.listSubmissions(c, adminPageSize, (pageNo-1)*adminPageSize)
	if err != nil {
		return err
	}
	d := adminList{Filter: f, Page: page, query: q}
	for _, n := range page.ByStatus {
		d.All += n
	}
	d.Filtered = f.Query != "" || f.Employer != "" || f.IDNumber != "" || f.Mobile != "" || f.Consent != ""
	withPage := func(n int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("page", strconv.Itoa(n))
		return v.Encode()
	}
	if pageNo > 1 {
		d.Prev = withPage(pageNo - 1)
	}
	if int64(pageNo*adminPageSize) < page.Total {
		d.Next = withPage(pageNo + 1)
	}
	return s.render(c, http.StatusOK, "admin_submissions", view{Title: "作品管理", Contest: ct, Data: d, Wide: true})
}

func (s *Server) pageAdminSubmission(c echo.Context) error {
	u, _ := currentUser(c)
	sub, err := s.svc.Submission(c.Request().Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "admin_submission", view{Title: sub.Registration.Title, Data: sub.Masked()})
}

func (s *Server) pageAdminContest(c echo.Context) error {
	ct, err := s.svc.CurrentContest(c.Request().Context())
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "admin_contest", view{Title: "活动设置", Contest: ct, Data: ct})
}

func (s *Server) pageAdminContestPost(c echo.Context) error {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	ct, err := s.svc.CurrentContest(ctx)
	if err != nil {
		return err
	}
	edited, ferr := contestFromForm(ct, c)
	if ferr == nil {
		_, ferr = s.svc.UpdateContest(ctx, u, edited)
	}
	if ferr != nil {
		code := contest.ErrorCode(ferr)
		if code == contest.EInternal {
			return ferr
		}
		return s.render(c, statusOf[code], "admin_contest", view{Title: "活动设置", Contest: ct, Data: edited,
			Errors: contest.ErrorFields(ferr), ErrorMsg: contest.ErrorMessage(ferr)})
	}
	flash(c, "contest")
	return c.Redirect(http.StatusSeeOther, "/admin/contest")
}

// contestFromForm applies the settings form to ct; times are read in the contest's zone.
func contestFromForm(ct contest.Contest, c echo.Context) (contest.Contest, error) {
	var f contest.Fields
	loc := ct.Location()
	when := func(key string, dst *time.Time) {
		v := c.FormValue(key)
		for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04"} {
			if t, err := time.ParseInLocation(layout, v, loc); err == nil {
				*dst = t
				return
			}
		}
		f.Add(key, "time_format", "时间格式有误")
	}
	number := func(key string) int64 {
		n, err := strconv.ParseInt(strings.TrimSpace(c.FormValue(key)), 10, 64)
		if err != nil {
			f.Add(key, "number", "请填写数字")
		}
		return n
	}
	ct.Name, ct.Theme, ct.Organizer = c.FormValue("name"), c.FormValue("theme"), c.FormValue("organizer")
	when("collection_start", &ct.CollectionStart)
	when("collection_end", &ct.CollectionEnd)
	when("review_start", &ct.ReviewStart)
	when("review_end", &ct.ReviewEnd)
	ct.Rules.MaxDurationSec = int(number("max_duration_sec"))
	ct.Rules.MinShortSide = int(number("min_short_side"))
	ct.Rules.MaxSizeBytes = number("max_size_mb") << 20
	ct.AuthorizationText = c.FormValue("authorization_text")
	return ct, f.Err()
}
