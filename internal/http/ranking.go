package http

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// rankings handles the organizers' judging desk: ranking, closing the round, awards.
type rankings struct{ *Server }

func (s rankings) routes(r router) {
	r.admin.GET("/judging", s.pageJudging)
	r.admin.POST("/judging/close", s.pageCloseJudging)
	r.admin.POST("/awards/confirm", s.pageConfirmAwards)
	r.admin.POST("/awards/reopen", s.pageReopenAwards)
	r.admin.POST("/awards/:id", s.pageSetAward)
	r.org.GET("/ranking", s.apiRanking)
	r.org.POST("/judging/close", s.apiCloseJudging)
	r.org.GET("/awards", s.apiAwards)
	r.org.PUT("/awards/:id", s.apiSetAward)
	r.org.POST("/awards/confirm", s.apiConfirmAwards)
	r.org.POST("/awards/reopen", s.apiReopenAwards)
}

var tierByName = map[string]contest.Tier{"first": contest.TierFirst, "second": contest.TierSecond, "third": contest.TierThird, "none": contest.TierNone}

// awardJSON is a ranked work with its proposed and final award.
type awardJSON struct {
	rankingJSON
	Final      string `json:"final"`
	FinalLabel string `json:"final_label"`
	Reason     string `json:"reason,omitempty"`
}

// awardsJSON is the award table: the ranked works with their final awards, and whether and
// when judging was closed and the awards confirmed.
type awardsJSON struct {
	Items       []awardJSON `json:"items"`
	ClosedAt    *time.Time  `json:"closed_at,omitempty"`    // absent while judging is open
	ConfirmedAt *time.Time  `json:"confirmed_at,omitempty"` // absent while the awards can change
	Version     int         `json:"version"`
}

func toAwardsJSON(t contest.AwardTable) awardsJSON {
	items := make([]awardJSON, len(t.Awards))
	base := toRankingJSON(t.RankingTable).Items
	for i, r := range t.Awards {
		items[i] = awardJSON{rankingJSON: base[i], Final: tierNames[r.Final], FinalLabel: r.Final.Label(), Reason: r.Reason}
	}
	return awardsJSON{Items: items, ClosedAt: t.ClosedAt, ConfirmedAt: t.ConfirmedAt, Version: t.Version}
}

func (s rankings) apiAwards(c echo.Context) error {
	u, _ := currentUser(c)
	t, err := s.svc.Judging.Awards(c.Request().Context(), u)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAwardsJSON(t))
}

func (s rankings) apiSetAward(c echo.Context) error {
	var in struct {
		Tier   string `json:"tier"`
		Reason string `json:"reason"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	tier, ok := tierByName[in.Tier]
	if !ok {
		return (contest.Fields{"tier": {Code: "tier_unknown", Message: "请选择一等奖、二等奖、三等奖或不获奖"}}).Err()
	}
	u, _ := currentUser(c)
	t, err := s.svc.Judging.SetAward(c.Request().Context(), u, c.Param("id"), tier, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAwardsJSON(t))
}

func (s rankings) apiConfirmAwards(c echo.Context) error {
	u, _ := currentUser(c)
	t, err := s.svc.Judging.ConfirmAwards(c.Request().Context(), u)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAwardsJSON(t))
}

func (s rankings) apiReopenAwards(c echo.Context) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	u, _ := currentUser(c)
	t, err := s.svc.Judging.ReopenAwards(c.Request().Context(), u, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAwardsJSON(t))
}

func (s rankings) pageSetAward(c echo.Context) error {
	u, _ := currentUser(c)
	tier, ok := tierByName[c.FormValue("tier")]
	if !ok {
		tier = contest.Tier(-1) // refused by the service with a field error
	}
	if _, err := s.svc.Judging.SetAward(c.Request().Context(), u, c.Param("id"), tier, c.FormValue("reason")); err != nil {
		return err
	}
	return seeOther(c, "/admin/judging#ranking")
}

func (s rankings) pageConfirmAwards(c echo.Context) error {
	u, _ := currentUser(c)
	if _, err := s.svc.Judging.ConfirmAwards(c.Request().Context(), u); err != nil {
		return err
	}
	return seeOther(c, "/admin/judging")
}

func (s rankings) pageReopenAwards(c echo.Context) error {
	u, _ := currentUser(c)
	if _, err := s.svc.Judging.ReopenAwards(c.Request().Context(), u, c.FormValue("reason")); err != nil {
		return err
	}
	return seeOther(c, "/admin/judging")
}

// rankingJSON is a line of the organizer's ranking table.
type rankingJSON struct {
	ID       string             `json:"id"`
	Title    string             `json:"title"`
	Category string             `json:"category"`      // the 组别's key; "" without categories
	CatName  string             `json:"category_name"` // the 组别's name; ranks count within it
	Rank     int                `json:"rank"`
	Raw      float64            `json:"raw"`
	Adjusted float64            `json:"adjusted"`
	Totals   map[string]float64 `json:"totals"`
	Reviews  int                `json:"reviews"`
	Assigned int                `json:"assigned"`
	Missing  []string           `json:"missing"`
	Short    bool               `json:"short"`
	Spread   float64            `json:"spread"`
	Disputed bool               `json:"disputed"`
	Proposed string             `json:"proposed"` // first, second, third or none
	Label    string             `json:"proposed_label"`
}

var tierNames = map[contest.Tier]string{contest.TierFirst: "first", contest.TierSecond: "second", contest.TierThird: "third", contest.TierNone: "none"}

// rankingTableJSON is the organizer's ranking: its lines, the tiers over their quota through
// ties (by how many works), and when judging was closed.
type rankingTableJSON struct {
	Items     []rankingJSON  `json:"items"`
	OverQuota map[string]int `json:"over_quota"`
	ClosedAt  *time.Time     `json:"closed_at,omitempty"` // absent while judging is open
	// Calibration are the calibration works (校准作品), not ranked, with each judge's total.
	Calibration []calibrationWorkJSON `json:"calibration"`
	// Statistics are the judges' agreement and each award's stability (GET ranking only).
	Statistics *judgingStatisticsJSON `json:"statistics,omitempty"`
}

func toRankingJSON(t contest.RankingTable) rankingTableJSON {
	items := make([]rankingJSON, len(t.Rows))
	for i, r := range t.Rows {
		items[i] = rankingJSON{ID: r.WorkID, Title: r.Title, Category: r.Category, CatName: t.CategoryName(r.Category), Rank: r.Rank, Raw: r.Raw, Adjusted: r.Adjusted, Totals: r.Totals,
			Reviews: r.Reviews, Assigned: r.Assigned, Missing: nonNil(r.Missing), Short: r.Short, Spread: r.Spread,
			Disputed: r.Disputed, Proposed: tierNames[r.Proposed], Label: r.Proposed.Label()}
	}
	over := map[string]int{}
	for tier, n := range t.Over {
		over[tierNames[tier]] = n
	}
	return rankingTableJSON{Items: items, OverQuota: over, ClosedAt: t.ClosedAt, Calibration: toCalibrationJSON(t.Calibration)}
}

func (s rankings) apiRanking(c echo.Context) error {
	u, _ := currentUser(c)
	t, err := s.svc.Judging.Ranking(c.Request().Context(), u)
	if err != nil {
		return err
	}
	rep, err := s.svc.Judging.Report(c.Request().Context(), u, t)
	if err != nil {
		return err
	}
	out := toRankingJSON(t)
	out.Statistics = toJudgingStatisticsJSON(rep, t)
	return c.JSON(http.StatusOK, out)
}

func (s rankings) apiCloseJudging(c echo.Context) error {
	u, _ := currentUser(c)
	t, err := s.svc.Judging.CloseJudging(c.Request().Context(), u)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toRankingJSON(t))
}

// judgingPage is the organizer's judging desk: the assignment and the ranking.
type judgingPage struct {
	Ranking  contest.AwardTable
	Assigned int // assignments made by the last run, when just run
	Short    int
	// ShortCategories are the categories with too few judges (key → judges allowed).
	ShortCategories map[string]int
	Ran             bool
	Closing         bool // just closed: list the works with fewer reviews
	Calibration     calibrationDesk
	// Report is the judges' agreement and the stability of each award.
	Report contest.JudgingReport
	Extra  *contest.ExtraReviews // just added reviews to the flagged works
	// Pairwise is the pairwise check at the award cuts; nil when the contest does not use it.
	Pairwise *contest.PairwiseReport
	// Judges are the contest's active judges, for the next round's form; Advanced says the
	// round was just advanced.
	Judges   []contest.User
	Advanced bool
	Next     advanceForm
}

// advanceForm is the next round's form as shown: the organizer's values after an error, the
// defaults (every judge reviews every work) otherwise.
type advanceForm struct {
	Shortlist, Name, ReviewsPerWork string
	EveryJudge, AllJudges           bool
	Picked                          map[string]bool
}

// ShortWorks are the ranked works with fewer reviews than the contest asks for.
func (d judgingPage) ShortWorks() []contest.RankingRow {
	var out []contest.RankingRow
	for _, r := range d.Ranking.Rows {
		if r.Short {
			out = append(out, r)
		}
	}
	return out
}

func (s rankings) pageJudging(c echo.Context) error {
	return s.showJudging(c, judgingPage{})
}

func (s rankings) showJudging(c echo.Context, d judgingPage) error {
	v, err := s.judgingView(c, d)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "admin_judging", v)
}

// showJudgingError shows the desk again with the advance form's error and values.
func (s rankings) showJudgingError(c echo.Context, formErr error, form advanceForm) error {
	v, err := s.judgingView(c, judgingPage{Next: form})
	if err != nil {
		return err
	}
	v.Errors, v.ErrorMsg = contest.ErrorFields(formErr), contest.ErrorMessage(formErr)
	return s.render(c, http.StatusUnprocessableEntity, "admin_judging", v)
}

func (s rankings) judgingView(c echo.Context, d judgingPage) (view, error) {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	t, err := s.svc.Judging.Awards(ctx, u)
	if err != nil {
		return view{}, err
	}
	d.Ranking = t
	if d.Report, err = s.svc.Judging.Report(ctx, u, t.RankingTable); err != nil {
		return view{}, err
	}
	if d.Calibration, err = s.calibrationDeskOf(c); err != nil {
		return view{}, err
	}
	if d.Pairwise, err = s.pairwiseDesk(c, t.RankingTable); err != nil {
		return view{}, err
	}
	if t.ClosedAt != nil && t.ConfirmedAt == nil {
		judges, err := s.svc.Judging.Judges(ctx, u)
		if err != nil {
			return view{}, err
		}
		for _, j := range judges {
			if !j.Disabled {
				d.Judges = append(d.Judges, j)
			}
		}
	}
	d.Advanced = c.QueryParam("advanced") != ""
	if d.Next.Picked == nil {
		d.Next = advanceForm{EveryJudge: true, AllJudges: true}
	}
	return view{Title: "评审与排名", Wide: true, Data: d}, nil
}

func (s rankings) pageCloseJudging(c echo.Context) error {
	u, _ := currentUser(c)
	if _, err := s.svc.Judging.CloseJudging(c.Request().Context(), u); err != nil {
		return err
	}
	return s.showJudging(c, judgingPage{Closing: true})
}
