package http

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// contestAdmin is the site administrator's page of contests: start one (copying another's
// settings), choose the default, archive, give one an organizer. The public list is here too.
type contestAdmin struct{ *Server }

func (s contestAdmin) routes(r router) {
	r.admin.GET("/contests", s.page)
	r.admin.POST("/contests", s.pageCreate)
	r.admin.POST("/contests/:id/default", s.pageDefault)
	r.admin.POST("/contests/:id/archive", s.pageArchive)
	r.admin.POST("/contests/:id/organizers", s.pageOrganizer)
	r.api.GET("/contests", s.apiList)
	r.org.POST("/contests", s.apiCreate)
	r.org.PUT("/contests/:id/archive", s.apiArchive)
	r.org.PUT("/contests/:id/default", s.apiDefault)
	r.org.POST("/contests/:id/organizers", s.apiOrganizer)
}

// contestsPage is the site administrator's list, with the form's input and a new organizer's
// one-time password after adding one.
type contestsPage struct {
	Contests []contest.Contest
	Input    newContestForm
	// Organizer and Password: the organizer just added, and their one-time password ("" when
	// an existing account joined).
	Organizer *contest.User
	Password  string
	For       string // the contest's name
}

type newContestForm struct {
	Name, Slug, CopyFrom                                   string
	CollectionStart, CollectionEnd, ReviewStart, ReviewEnd string
}

func (s contestAdmin) page(c echo.Context) error {
	return s.show(c, http.StatusOK, contestsPage{}, nil)
}

func (s contestAdmin) show(c echo.Context, status int, p contestsPage, err error) error {
	u, _ := currentUser(c)
	if !u.IsSiteAdmin() {
		return contest.Errorf(contest.EForbidden, "只有站点管理员可以管理活动")
	}
	all, lerr := s.svc.Contests.Contests(c.Request().Context())
	if lerr != nil {
		return lerr
	}
	p.Contests = all
	v := view{Title: "活动管理", Wide: true, Data: p}
	if err != nil {
		v.Errors, v.ErrorMsg = contest.ErrorFields(err), contest.ErrorMessage(err)
	}
	return s.render(c, status, "admin_contests", v)
}

func (s contestAdmin) pageCreate(c echo.Context) error {
	u, _ := currentUser(c)
	form := newContestForm{Name: c.FormValue("name"), Slug: c.FormValue("slug"), CopyFrom: c.FormValue("copy_from"),
		CollectionStart: c.FormValue("collection_start"), CollectionEnd: c.FormValue("collection_end"),
		ReviewStart: c.FormValue("review_start"), ReviewEnd: c.FormValue("review_end")}
	in, ferr := form.input()
	var ct contest.Contest
	if ferr == nil {
		ct, ferr = s.svc.Contests.CreateContest(c.Request().Context(), u, in)
	}
	if ferr != nil {
		if code := contest.ErrorCode(ferr); code != contest.EInvalid {
			return ferr
		}
		return s.show(c, http.StatusUnprocessableEntity, contestsPage{Input: form}, ferr)
	}
	flash(c, "contest_created")
	return c.Redirect(http.StatusSeeOther, ct.Path()+"/admin/contest")
}

// input reads the form's times in Beijing time, as the form shows them.
func (f newContestForm) input() (contest.NewContestInput, error) {
	in := contest.NewContestInput{Name: f.Name, Slug: f.Slug, CopyFrom: f.CopyFrom}
	var fe contest.Fields
	for _, t := range []struct {
		key, v string
		dst    *time.Time
	}{{"collection_start", f.CollectionStart, &in.CollectionStart}, {"collection_end", f.CollectionEnd, &in.CollectionEnd},
		{"review_start", f.ReviewStart, &in.ReviewStart}, {"review_end", f.ReviewEnd, &in.ReviewEnd}} {
		at, ok := parseFormTime(t.v)
		if !ok {
			fe.Add(t.key, "time_format", "请填写时间")
			continue
		}
		*t.dst = at
	}
	return in, fe.Err()
}

// parseFormTime reads a datetime-local field in Beijing time.
func parseFormTime(v string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, v, contest.Beijing); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func (s contestAdmin) pageDefault(c echo.Context) error {
	u, _ := currentUser(c)
	if err := s.svc.Contests.SetDefaultContest(c.Request().Context(), u, c.Param("id")); err != nil {
		return err
	}
	flash(c, "saved")
	return c.Redirect(http.StatusSeeOther, "/admin/contests")
}

func (s contestAdmin) pageArchive(c echo.Context) error {
	u, _ := currentUser(c)
	if _, err := s.svc.Contests.ArchiveContest(c.Request().Context(), u, c.Param("id"), c.FormValue("archive") == "1"); err != nil {
		return err
	}
	flash(c, "saved")
	return c.Redirect(http.StatusSeeOther, "/admin/contests")
}

func (s contestAdmin) pageOrganizer(c echo.Context) error {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	org, password, err := s.svc.Contests.AddContestOrganizer(ctx, u, c.Param("id"), contest.OrganizerInput{Email: c.FormValue("email"), Name: c.FormValue("name")})
	if contest.ErrorCode(err) == contest.EInvalid {
		return s.show(c, http.StatusUnprocessableEntity, contestsPage{}, err)
	}
	if err != nil {
		return err
	}
	target, err := s.svc.Contests.Contest(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	return s.show(c, http.StatusOK, contestsPage{Organizer: &org, Password: password, For: target.Name}, nil)
}

// contestListJSON is one contest in the public list.
type contestListJSON struct {
	ID              string     `json:"id"`
	Slug            string     `json:"slug"`
	Name            string     `json:"name"`
	Stage           string     `json:"stage"`
	Default         bool       `json:"default"`
	ArchivedAt      *time.Time `json:"archived_at,omitempty"`
	CollectionStart time.Time  `json:"collection_start"`
	CollectionEnd   time.Time  `json:"collection_end"`
	URL             string     `json:"url"`
}

func toContestListJSON(c contest.Contest, now time.Time) contestListJSON {
	loc := c.Location()
	return contestListJSON{ID: c.ID, Slug: c.Slug, Name: c.Name, Stage: string(c.Phase(now)), Default: c.Default,
		ArchivedAt: c.ArchivedAt, CollectionStart: c.CollectionStart.In(loc), CollectionEnd: c.CollectionEnd.In(loc), URL: c.Path() + "/"}
}

func (s contestAdmin) apiList(c echo.Context) error {
	all, err := s.svc.Contests.Contests(c.Request().Context())
	if err != nil {
		return err
	}
	now := s.svc.Now()
	items := make([]contestListJSON, len(all))
	for i, ct := range contest.ListOrder(all, now) {
		items[i] = toContestListJSON(ct, now)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

func (s contestAdmin) apiCreate(c echo.Context) error {
	u, _ := currentUser(c)
	var in struct {
		Name            string    `json:"name"`
		Slug            string    `json:"slug"`
		CopyFrom        string    `json:"copy_from"`
		CollectionStart time.Time `json:"collection_start"`
		CollectionEnd   time.Time `json:"collection_end"`
		ReviewStart     time.Time `json:"review_start"`
		ReviewEnd       time.Time `json:"review_end"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	ct, err := s.svc.Contests.CreateContest(c.Request().Context(), u, contest.NewContestInput{Name: in.Name, Slug: in.Slug, CopyFrom: in.CopyFrom,
		CollectionStart: in.CollectionStart, CollectionEnd: in.CollectionEnd, ReviewStart: in.ReviewStart, ReviewEnd: in.ReviewEnd})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toContestJSON(ct, s.svc.Now()))
}

func (s contestAdmin) apiArchive(c echo.Context) error {
	u, _ := currentUser(c)
	var in struct {
		Archived bool `json:"archived"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	ct, err := s.svc.Contests.ArchiveContest(c.Request().Context(), u, c.Param("id"), in.Archived)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toContestJSON(ct, s.svc.Now()))
}

func (s contestAdmin) apiDefault(c echo.Context) error {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	if err := s.svc.Contests.SetDefaultContest(ctx, u, c.Param("id")); err != nil {
		return err
	}
	ct, err := s.svc.Contests.Contest(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toContestJSON(ct, s.svc.Now()))
}

func (s contestAdmin) apiOrganizer(c echo.Context) error {
	u, _ := currentUser(c)
	var in struct {
		Email string `json:"email"`
		Name  string `json:"name"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	org, password, err := s.svc.Contests.AddContestOrganizer(c.Request().Context(), u, c.Param("id"), contest.OrganizerInput{Email: in.Email, Name: in.Name})
	if err != nil {
		return err
	}
	out := map[string]any{"id": org.ID, "email": org.Email, "name": org.Name}
	if password != "" {
		out["password"] = password
	}
	return c.JSON(http.StatusOK, out)
}
