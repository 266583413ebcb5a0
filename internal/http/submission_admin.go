package http

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// adminSubmissions handles the organizers' list of works, its filters and the detail view.
type adminSubmissions struct{ *Server }

func (s adminSubmissions) routes(r router) {
	r.admin.GET("/submissions", s.pageAdminSubmissions)
	r.admin.POST("/submissions", s.pageAdminSearch)
	r.admin.GET("/submissions/:id", s.pageAdminSubmission)
	r.org.GET("/submissions", s.apiAdminSubmissions)
	r.org.POST("/submissions/search", s.apiAdminSearch)
}

func (s adminSubmissions) apiAdminSubmissions(c echo.Context) error {
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

func (s adminSubmissions) apiAdminSearch(c echo.Context) error {
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

func (s adminSubmissions) submissionPageJSON(c echo.Context, page contest.SubmissionPage) error {
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

const adminPageSize = 50

// adminList is the organizer's list page's data.
type adminList struct {
	Filter     contest.SubmissionFilter
	Page       contest.SubmissionPage
	All        int64
	Filtered   bool
	Prev, Next template.URL // query strings, encoded by url.Values
	query      url.Values
	// Walk is the list's filters and page, carried by the links to each work so the work's
	// page can go to the previous and next work of the same list.
	Walk template.URL
	// Report is what a bulk formal review just did.
	Report *contest.FormalBulkResult
}

// FormalFilters are the choices of the formal review filter.
func (adminList) FormalFilters() []contest.FormalDecision { return contest.FormalFilters }

// walkKeys are the query keys of the list that travel from work to work: the filters and the
// page of the list to go back to.
var walkKeys = []string{"status", "q", "employer", "id_key", "mobile_key", "consent", "check", "reason", "formal", "category", "page"}

// walkQuery keeps the list's filters (and page) of a query string, and nothing else.
func walkQuery(q url.Values) url.Values {
	out := url.Values{}
	for _, k := range walkKeys {
		if v := q.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	return out
}

// QueryWithout returns the current query string without key (and without the page).
func (a adminList) QueryWithout(key string) template.URL {
	q := url.Values{}
	for k, v := range a.query {
		if k != key && k != "page" {
			q[k] = v
		}
	}
	return template.URL(q.Encode())
}

// filterFromQuery reads the list filters of a URL. Personal numbers come only as keyed hashes
// (id_key, mobile_key): a full number in a URL would reach proxy logs and browser history.
func filterFromQuery(q url.Values) contest.SubmissionFilter {
	return contest.SubmissionFilter{
		Status: contest.Status(q.Get("status")), Query: q.Get("q"), Employer: q.Get("employer"),
		IDKey: q.Get("id_key"), MobileKey: q.Get("mobile_key"), Consent: q.Get("consent"),
		Check: contest.CheckState(q.Get("check")), Reason: q.Get("reason"), Formal: contest.FormalDecision(q.Get("formal")),
		Category: q.Get("category"),
	}
}

// listSubmissions runs the organizer's list for the page and the API alike: the current
// contest, the filter, and the page window given.
func (s adminSubmissions) listSubmissions(c echo.Context, f contest.SubmissionFilter, limit, offset int) (contest.Contest, contest.SubmissionFilter, contest.SubmissionPage, error) {
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
func (s adminSubmissions) pageAdminSearch(c echo.Context) error {
	q := url.Values{}
	for _, k := range []string{"status", "q", "employer", "consent", "check", "reason", "formal", "category"} {
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
	return seeOther(c, "/admin/submissions?"+q.Encode())
}

func (s adminSubmissions) pageAdminSubmissions(c echo.Context) error {
	return s.showList(c, c.QueryParams(), nil)
}

// showList renders the organizer's list for the query q, with the report of a bulk action
// just done, if any.
func (s adminSubmissions) showList(c echo.Context, q url.Values, report *contest.FormalBulkResult) error {
	pageNo, _ := strconv.Atoi(q.Get("page"))
	pageNo = max(pageNo, 1)
	ct, f, page, err := s.listSubmissions(c, filterFromQuery(q), adminPageSize, (pageNo-1)*adminPageSize)
	if err != nil {
		return err
	}
	d := adminList{Filter: f, Page: page, query: q, Walk: template.URL(walkQuery(q).Encode()), Report: report}
	for _, n := range page.ByStatus {
		d.All += n
	}
	d.Filtered = f.Query != "" || f.Employer != "" || f.IDKey != "" || f.MobileKey != "" || f.Consent != "" ||
		f.Check != "" || f.Reason != "" || f.Formal != "" || f.Category != ""
	withPage := func(n int) template.URL {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("page", strconv.Itoa(n))
		return template.URL(v.Encode())
	}
	if pageNo > 1 {
		d.Prev = withPage(pageNo - 1)
	}
	if int64(pageNo*adminPageSize) < page.Total {
		d.Next = withPage(pageNo + 1)
	}
	return s.render(c, http.StatusOK, "admin_submissions", view{Title: "作品管理", Contest: ct, Data: d, Wide: true})
}

func (s adminSubmissions) pageAdminSubmission(c echo.Context) error {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	sub, err := s.svc.Registration.Submission(ctx, u, c.Param("id"))
	if err != nil {
		return err
	}
	ct, err := s.svc.Contests.CurrentContest(ctx)
	if err != nil {
		return err
	}
	walk := walkQuery(c.QueryParams())
	f := filterFromQuery(walk)
	f.ContestID = ct.ID
	prev, next, err := s.svc.Registration.SubmissionNeighbors(ctx, u, f, sub.ID)
	if err != nil {
		return err
	}
	d := adminWork{Submission: sub.Masked(), Walk: template.URL(walk.Encode()), Prev: prev, Next: next}
	if sub.Video != nil && sub.Video.Check.State == contest.CheckAccepted {
		switch sc, err := s.svc.Media.Scan(ctx, u, sub.ID); {
		case err == nil:
			j := toScanJSON(sub.ID, sc)
			d.ContentScan = &j
		case contest.ErrorCode(err) != contest.ENotFound:
			return err
		}
	}
	return s.render(c, http.StatusOK, "admin_submission", view{Title: sub.Registration.Title, Contest: ct, Data: d})
}

// adminWork is the organizer's view of one work, with the works before and after it in the
// list it was opened from (Walk: that list's filters, kept in every link).
type adminWork struct {
	contest.Submission
	Walk       template.URL // the list's query string, encoded by url.Values
	Prev, Next string
	// ContentScan is the content scan of the accepted video, nil before one is queued.
	ContentScan *scanJSON
}

// WalkURL is the address of the work id within the same list ("" for none).
func (w adminWork) WalkURL(id string) template.URL {
	if id == "" {
		return ""
	}
	if w.Walk == "" {
		return template.URL("/admin/submissions/" + url.PathEscape(id))
	}
	return template.URL("/admin/submissions/" + url.PathEscape(id) + "?" + string(w.Walk))
}

// ListURL is the list the work was opened from.
func (w adminWork) ListURL() template.URL {
	if w.Walk == "" {
		return "/admin/submissions"
	}
	return "/admin/submissions?" + w.Walk
}
