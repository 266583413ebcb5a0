package http

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// contestSettings handles the contest's settings, read by anyone and changed by organizers.
type contestSettings struct{ *Server }

func (s contestSettings) routes(r router) {
	r.admin.GET("/contest", s.pageAdminContest)
	r.admin.POST("/contest", s.pageAdminContestPost)
	r.api.GET("/contest", s.apiContest)
	r.org.PUT("/contest", s.apiUpdateContest)
}

func (s contestSettings) apiContest(c echo.Context) error {
	ct, err := s.svc.Contests.CurrentContest(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toContestJSON(ct, s.svc.Now()))
}

func (s contestSettings) apiUpdateContest(c echo.Context) error {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	ct, err := s.svc.Contests.CurrentContest(ctx)
	if err != nil {
		return err
	}
	body := toContestJSON(ct, s.svc.Now())
	if err := bind(c, &body); err != nil {
		return publicationSettingsElsewhere(err)
	}
	edited, err := body.toDomain(ct)
	if err != nil {
		return err
	}
	updated, err := s.svc.Contests.UpdateContest(ctx, u, edited)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toContestJSON(updated, s.svc.Now()))
}

type rulesJSON struct {
	Container      string `json:"container"`
	MaxDurationSec int    `json:"max_duration_sec"`
	MinShortSide   int    `json:"min_short_side"`
	MaxSizeBytes   int64  `json:"max_size_bytes"`
}

type contestJSON struct {
	ID                string     `json:"id"`
	Slug              string     `json:"slug"`
	Default           bool       `json:"default"`
	ArchivedAt        *time.Time `json:"archived_at,omitempty"`
	Name              string     `json:"name"`
	Theme             string     `json:"theme"`
	Organizer         string     `json:"organizer"`
	TimeZone          string     `json:"time_zone"`
	CollectionStart   time.Time  `json:"collection_start"`
	CollectionEnd     time.Time  `json:"collection_end"`
	ReviewStart       time.Time  `json:"review_start"`
	ReviewEnd         time.Time  `json:"review_end"`
	Rules             rulesJSON  `json:"rules"`
	AuthorizationText string     `json:"authorization_text"`
	Intro             string     `json:"intro"`
	// RequireEmailVerification (需要验证邮箱): a contestant submits only with a verified address.
	RequireEmailVerification bool `json:"require_email_verification"`
	// Categories are the contest's 组别; empty: one ranking for all works.
	Categories     []categoryJSON `json:"categories"`
	CollectionOpen bool           `json:"collection_open"`
	ServerTime     time.Time      `json:"server_time"`
}

func toContestJSON(c contest.Contest, now time.Time) contestJSON {
	loc := c.Location()
	return contestJSON{
		ID: c.ID, Slug: c.Slug, Default: c.Default, ArchivedAt: c.ArchivedAt, Name: c.Name, Theme: c.Theme, Organizer: c.Organizer, TimeZone: c.TimeZone,
		CollectionStart: c.CollectionStart.In(loc), CollectionEnd: c.CollectionEnd.In(loc),
		ReviewStart: c.ReviewStart.In(loc), ReviewEnd: c.ReviewEnd.In(loc),
		Rules:             rulesJSON(c.Rules),
		AuthorizationText: c.AuthorizationText, Intro: c.Intro, RequireEmailVerification: c.RequireEmailVerification, CollectionOpen: c.CollectionOpen(now), ServerTime: now.In(loc),
		Categories: toCategoriesJSON(c.Categories),
	}
}

func (j contestJSON) toDomain(c contest.Contest) (contest.Contest, error) {
	c.Name, c.Theme, c.Organizer = j.Name, j.Theme, j.Organizer
	if j.TimeZone != "" {
		c.TimeZone = j.TimeZone
	}
	c.CollectionStart, c.CollectionEnd, c.ReviewStart, c.ReviewEnd = j.CollectionStart, j.CollectionEnd, j.ReviewStart, j.ReviewEnd
	c.Rules = contest.MediaRules(j.Rules)
	c.AuthorizationText = j.AuthorizationText
	c.Intro = j.Intro
	c.RequireEmailVerification = j.RequireEmailVerification
	cats, err := categoriesFromJSON(j.Categories)
	c.Categories = cats
	return c, err
}

func (s contestSettings) pageAdminContest(c echo.Context) error {
	ct, err := s.svc.Contests.CurrentContest(c.Request().Context())
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "admin_contest", view{Title: "活动设置", Contest: ct, Data: contestPage{Contest: ct, CategoryRows: categoryRows(ct.Categories)}})
}

// contestPage is the settings form: the contest, its categories as rows and what is wrong
// with them.
type contestPage struct {
	contest.Contest
	CategoryRows   []categoryRow
	CategoryErrors []string
}

func (s contestSettings) pageAdminContestPost(c echo.Context) error {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	ct, err := s.svc.Contests.CurrentContest(ctx)
	if err != nil {
		return err
	}
	edited, rows, ferr := contestFromForm(ct, c)
	if ferr == nil {
		_, ferr = s.svc.Contests.UpdateContest(ctx, u, edited)
	}
	if ferr != nil {
		code := contest.ErrorCode(ferr)
		if code == contest.EInternal {
			return ferr
		}
		d := contestPage{Contest: edited, CategoryRows: rows}
		fields := contest.ErrorFields(ferr)
		for _, k := range slices.Sorted(maps.Keys(fields)) {
			if strings.HasPrefix(k, "categories") {
				d.CategoryErrors = append(d.CategoryErrors, fields[k].Message)
			}
		}
		return s.render(c, statusOf[code], "admin_contest", view{Title: "活动设置", Contest: ct, Data: d,
			Errors: contest.ErrorFields(ferr), ErrorMsg: contest.ErrorMessage(ferr)})
	}
	flash(c, "contest")
	return seeOther(c, "/admin/contest")
}

// contestFromForm applies the settings form to ct; times are read in Beijing time, as the
// form shows them. The categories change only when the form has their rows (category_name),
// returned as typed.
func contestFromForm(ct contest.Contest, c echo.Context) (contest.Contest, []categoryRow, error) {
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
	ct.Intro = c.FormValue("intro")
	ct.RequireEmailVerification = c.FormValue("require_email_verification") != ""
	rows := categoryRows(ct.Categories)
	if form, _ := c.FormParams(); form.Has("category_name") {
		rows = nil
		keys, quotas := form["category_key"], form["category_quotas"]
		for i, name := range form["category_name"] {
			r := categoryRow{Name: name}
			if i < len(keys) {
				r.Key = keys[i]
			}
			if i < len(quotas) {
				r.Quotas = quotas[i]
			}
			rows = append(rows, r)
		}
		ct.Categories = categoriesFromRows(rows, &f)
	}
	return ct, rows, f.Err()
}
