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

// filterFromQuery reads the list filters of a URL. Personal numbers come only as keyed hashes
// (id_key, mobile_key): a full number in a URL would reach proxy logs and browser history.
func filterFromQuery(q url.Values) contest.SubmissionFilter {
	return contest.SubmissionFilter{
		Status: contest.Status(q.Get("status")), Query: q.Get("q"), Employer: q.Get("employer"),
		IDKey: q.Get("id_key"), MobileKey: q.Get("mobile_key"), Consent: q.Get("consent"),
		Check: contest.CheckState(q.Get("check")), Reason: q.Get("reason"),
	}
}

// listSubmissions runs the organizer's list for the page and the API alike: the current
// contest, the filter, and the page window given.
func (s *Server) listSubmissions(c echo.Context, f contest.SubmissionFilter, limit, offset int) (contest.Contest, contest.SubmissionFilter, contest.SubmissionPage, error) {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	ct, err := s.svc.Contests.CurrentContest(ctx)
	if err != nil {
		return ct, f, contest.SubmissionPage{}, err
	}
	f.ContestID, f.Limit, f.Offset = ct.ID, limit, offset
	page, err := s.svc.Registration.ListSubmissions(ctx, u, f)
	return ct, f, page, err
}

// pageAdminSearch takes the filter form (posted, so numbers stay out of the URL) and redirects
// to the list with the numbers replaced by their keyed hashes.
func (s *Server) pageAdminSearch(c echo.Context) error {
	q := url.Values{}
	for _, k := range []string{"status", "q", "employer", "consent", "check", "reason"} {
		if v := strings.TrimSpace(c.FormValue(k)); v != "" {
			q.Set(k, v)
		}
	}
	for field, key := range map[string]string{contest.SearchIDNumber: "id_key", contest.SearchMobile: "mobile_key"} {
		if v := strings.TrimSpace(c.FormValue(field)); v != "" {
			q.Set(key, s.svc.Registration.SearchKey(field, v))
		} else if c.FormValue("keep_"+key) != "" {
			q.Set(key, c.FormValue("keep_"+key))
		}
	}
	return c.Redirect(http.StatusSeeOther, "/admin/submissions?"+q.Encode())
}

func (s *Server) pageAdminSubmissions(c echo.Context) error {
	q := c.QueryParams()
	pageNo, _ := strconv.Atoi(q.Get("page"))
	pageNo = max(pageNo, 1)
	ct, f, page, err := s.listSubmissions(c, filterFromQuery(q), adminPageSize, (pageNo-1)*adminPageSize)
	if err != nil {
		return err
	}
	d := adminList{Filter: f, Page: page, query: q}
	for _, n := range page.ByStatus {
		d.All += n
	}
	d.Filtered = f.Query != "" || f.Employer != "" || f.IDKey != "" || f.MobileKey != "" || f.Consent != "" ||
		f.Check != "" || f.Reason != ""
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
	sub, err := s.svc.Registration.Submission(c.Request().Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "admin_submission", view{Title: sub.Registration.Title, Data: sub.Masked()})
}

func (s *Server) pageAdminContest(c echo.Context) error {
	ct, err := s.svc.Contests.CurrentContest(c.Request().Context())
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "admin_contest", view{Title: "活动设置", Contest: ct, Data: ct})
}

func (s *Server) pageAdminContestPost(c echo.Context) error {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	ct, err := s.svc.Contests.CurrentContest(ctx)
	if err != nil {
		return err
	}
	edited, ferr := contestFromForm(ct, c)
	if ferr == nil {
		_, ferr = s.svc.Contests.UpdateContest(ctx, u, edited)
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

// contestFromForm applies the settings form to ct; times are read in Beijing time, as the
// form shows them.
func contestFromForm(ct contest.Contest, c echo.Context) (contest.Contest, error) {
	var f contest.Fields
	loc := contest.Beijing
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
