package http

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// judgingSettings handles the rubric, judges per work, quotas and normalization.
type judgingSettings struct{ *Server }

func (s judgingSettings) routes(r router) {
	r.admin.GET("/judging/settings", s.pageJudgingSettings)
	r.admin.POST("/judging/settings", s.pageJudgingSettingsPost)
	r.org.GET("/judging/settings", s.apiJudgingSettings)
	r.org.PUT("/judging/settings", s.apiUpdateJudgingSettings)
}

// judgingSettingsJSON is the contest's judging settings in the API.
type judgingSettingsJSON struct {
	Rubric         contest.Rubric `json:"rubric"`
	ReviewsPerWork int            `json:"reviews_per_work"`
	Quotas         []struct {
		Count   int     `json:"count"`
		Percent float64 `json:"percent"`
	} `json:"quotas"`
	Normalize bool `json:"normalize"`
	// ByCategory (评委按组别评审): judges review only the categories they are limited to.
	ByCategory bool `json:"by_category"`
	// ShareComments (评语反馈给参赛者): the judges' comments go, anonymized, to the contestants.
	ShareComments bool `json:"share_comments"`
	// Pairwise is the pairwise check at the award cuts (成对比较复核); absent is off.
	Pairwise pairwiseSettingsJSON `json:"pairwise"`
}

func toJudgingJSON(j contest.JudgingSettings) judgingSettingsJSON {
	out := judgingSettingsJSON{Rubric: j.Rubric, ReviewsPerWork: j.ReviewsPerWork, Normalize: j.Normalize, ByCategory: j.ByCategory, ShareComments: j.ShareComments,
		Pairwise: toPairwiseSettingsJSON(j.Pairwise)}
	out.Quotas = make([]struct {
		Count   int     `json:"count"`
		Percent float64 `json:"percent"`
	}, 3)
	for i, q := range j.Quotas {
		out.Quotas[i].Count, out.Quotas[i].Percent = q.Count, q.Percent
	}
	return out
}

func (in judgingSettingsJSON) toDomain() (contest.JudgingSettings, error) {
	j := contest.JudgingSettings{Rubric: in.Rubric, ReviewsPerWork: in.ReviewsPerWork, Normalize: in.Normalize, ByCategory: in.ByCategory, ShareComments: in.ShareComments,
		Pairwise: in.Pairwise.toDomain()}
	if len(in.Quotas) != 3 {
		return j, (contest.Fields{"quotas": {Code: "quota_count", Message: "请填写一、二、三等奖三个名额"}}).Err()
	}
	for i, q := range in.Quotas {
		j.Quotas[i] = contest.Quota{Count: q.Count, Percent: q.Percent}
	}
	return j, nil
}

func (s judgingSettings) apiJudgingSettings(c echo.Context) error {
	ct, err := s.svc.Contests.CurrentContest(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toJudgingJSON(ct.Judging))
}

func (s judgingSettings) apiUpdateJudgingSettings(c echo.Context) error {
	var in judgingSettingsJSON
	if err := bind(c, &in); err != nil {
		return err
	}
	j, err := in.toDomain()
	if err != nil {
		return err
	}
	u, _ := currentUser(c)
	ct, err := s.svc.Judging.UpdateJudging(c.Request().Context(), u, j)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toJudgingJSON(ct.Judging))
}

// judgingSettingsPage is the settings form: the rubric's rows (with room for new ones), judges
// per work, the quotas as typed ("3" or "5%") and normalization.
type judgingSettingsPage struct {
	Rubric         contest.Rubric
	ReviewsPerWork string
	Quotas         [3]string
	Normalize      bool
	ByCategory     bool
	ShareComments  bool
	Pairwise       contest.PairwiseSettings
	Saved          bool
}

// maxCriteria is how many rubric rows the form offers.
const maxCriteria = 8

func settingsPage(j contest.JudgingSettings) judgingSettingsPage {
	d := judgingSettingsPage{Rubric: j.Rubric, ReviewsPerWork: strconv.Itoa(j.ReviewsPerWork), Normalize: j.Normalize, ByCategory: j.ByCategory, ShareComments: j.ShareComments,
		Pairwise: pairwiseFormDefaults(j.Pairwise)}
	for i, q := range j.Quotas {
		d.Quotas[i] = q.String()
	}
	for len(d.Rubric) < maxCriteria {
		d.Rubric = append(d.Rubric, contest.Criterion{})
	}
	return d
}

func (s judgingSettings) pageJudgingSettings(c echo.Context) error {
	ct, err := s.svc.Contests.CurrentContest(c.Request().Context())
	if err != nil {
		return err
	}
	d := settingsPage(ct.Judging)
	d.Saved = c.QueryParam("saved") != ""
	return s.render(c, http.StatusOK, "admin_judging_settings", view{Title: "评审设置", Data: d})
}

func (s judgingSettings) pageJudgingSettingsPost(c echo.Context) error {
	ct, err := s.svc.Contests.CurrentContest(c.Request().Context())
	if err != nil {
		return err
	}
	var j contest.JudgingSettings
	var bad contest.Fields
	keys := map[string]bool{}
	for _, cr := range ct.Judging.Rubric {
		keys[cr.Key] = true
	}
	for i := range maxCriteria {
		name := strings.TrimSpace(c.FormValue(fmt.Sprintf("name_%d", i)))
		if name == "" {
			continue
		}
		cr := contest.Criterion{Key: c.FormValue(fmt.Sprintf("key_%d", i)), Name: name, Hint: strings.TrimSpace(c.FormValue(fmt.Sprintf("hint_%d", i)))}
		if cr.Key == "" || !keys[cr.Key] { // a new row gets a key of its own
			cr.Key = fmt.Sprintf("c%d", i+1)
		}
		var perr1, perr2 error
		cr.MaxPoints, perr1 = strconv.ParseFloat(c.FormValue(fmt.Sprintf("max_%d", i)), 64)
		cr.Weight, perr2 = strconv.ParseFloat(c.FormValue(fmt.Sprintf("weight_%d", i)), 64)
		if perr1 != nil || perr2 != nil {
			bad.Add(fmt.Sprintf("rubric.%d", len(j.Rubric)), "criterion_number", "“"+name+"”的满分和权重须为数字")
		}
		j.Rubric = append(j.Rubric, cr)
	}
	j.ReviewsPerWork, _ = strconv.Atoi(c.FormValue("reviews_per_work"))
	j.Normalize = c.FormValue("normalize") != ""
	j.ByCategory = c.FormValue("by_category") != ""
	j.ShareComments = c.FormValue("share_comments") != ""
	j.Pairwise = pairwiseFromForm(c)
	for i := range 3 {
		if j.Quotas[i], err = parseQuota(c.FormValue(fmt.Sprintf("quota_%d", i))); err != nil {
			bad.Add(fmt.Sprintf("quotas.%d", i), "quota_number", contest.Tier(i+1).Label()+"名额请填写数量（如 3）或百分比（如 5%）")
		}
	}
	err = bad.Err()
	if err == nil {
		u, _ := currentUser(c)
		if _, err = s.svc.Judging.UpdateJudging(c.Request().Context(), u, j); err == nil {
			return seeOther(c, "/admin/judging/settings?saved=1")
		}
		if code := contest.ErrorCode(err); code != contest.EInvalid && code != contest.EConflict {
			return err
		}
	}
	return s.judgingSettingsError(c, j, err)
}

func (s judgingSettings) judgingSettingsError(c echo.Context, j contest.JudgingSettings, err error) error {
	d := settingsPage(j)
	for i := range 3 { // show the quotas as typed
		d.Quotas[i] = c.FormValue(fmt.Sprintf("quota_%d", i))
	}
	d.ReviewsPerWork = c.FormValue("reviews_per_work")
	v := view{Title: "评审设置", Data: d, Errors: contest.ErrorFields(err), ErrorMsg: contest.ErrorMessage(err)}
	status := http.StatusUnprocessableEntity
	if contest.ErrorCode(err) == contest.EConflict {
		status = http.StatusConflict
	}
	return s.render(c, status, "admin_judging_settings", v)
}
