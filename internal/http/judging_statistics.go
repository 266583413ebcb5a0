package http

import (
	"math"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// judgingStatistics handles what the judging desk does with its statistics: one more review
// for each work whose award is unstable. The statistics themselves are shown with the ranking.
type judgingStatistics struct{ *Server }

func (s judgingStatistics) routes(r router) {
	r.admin.POST("/judging/extra-reviews", s.pageExtraReviews)
	r.org.POST("/judging/extra-reviews", s.apiExtraReviews)
}

// judgingStatisticsJSON is the agreement of the judges and the stability of each award, in
// the ranking's `statistics`.
type judgingStatisticsJSON struct {
	Reviews     int                  `json:"reviews"` // submitted reviews the statistics use, ranked or not
	Works       int                  `json:"works"`
	Judges      int                  `json:"judges"`
	Level       float64              `json:"level"`
	Samples     int                  `json:"samples"`
	MinKeep     float64              `json:"min_keep"`
	Reliability []reliabilityJSON    `json:"reliability"` // the weighted total first, then each criterion
	JudgeLines  []judgeAgreementJSON `json:"judge_agreement"`
	Stability   []stabilityJSON      `json:"stability"` // in ranking order
	Flagged     []string             `json:"flagged"`
}

// reliabilityJSON is α and, on a complete block, ICC for the total or one criterion. null
// stands for a value the data do not allow.
type reliabilityJSON struct {
	Criterion string        `json:"criterion"` // "" for the weighted total
	Name      string        `json:"name"`
	Alpha     intervalJSON  `json:"alpha"`
	Pairable  int           `json:"pairable"`
	ICCk      *intervalJSON `json:"icc_k,omitempty"`
	ICC1      *intervalJSON `json:"icc_1,omitempty"`
	ICCWorks  int           `json:"icc_works,omitempty"`
	ICCJudges int           `json:"icc_judges,omitempty"`
	ICCNote   string        `json:"icc_note"`
}

type intervalJSON struct {
	Value *float64 `json:"value"`
	Lower *float64 `json:"lower"`
	Upper *float64 `json:"upper"`
}

type judgeAgreementJSON struct {
	JudgeID     string   `json:"judge_id"`
	Name        string   `json:"name"`
	Shared      int      `json:"shared"`
	Severity    *float64 `json:"severity"`
	Consistency *float64 `json:"consistency"`
	Sentence    string   `json:"sentence"`
}

type stabilityJSON struct {
	ID       string   `json:"id"`
	Tier     string   `json:"tier"`
	Keep     float64  `json:"keep"`
	Decisive []string `json:"decisive_judges"`
	Flagged  bool     `json:"flagged"`
}

// number is x for JSON, nil for NaN (which JSON cannot carry).
func number(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

func interval(i contest.ICC) *intervalJSON {
	return &intervalJSON{Value: number(i.Value), Lower: number(i.Lower), Upper: number(i.Upper)}
}

func toJudgingStatisticsJSON(r contest.JudgingReport, t contest.RankingTable) *judgingStatisticsJSON {
	st := r.Statistics
	out := &judgingStatisticsJSON{Reviews: st.Reviews, Works: st.Works, Judges: st.Judges, Level: r.Options.Level,
		Samples: r.Options.Samples, MinKeep: r.Options.MinKeep, Flagged: nonNil(r.Flagged),
		JudgeLines: []judgeAgreementJSON{}, Stability: []stabilityJSON{}}
	for _, rel := range r.Reliabilities() {
		a := rel.Alpha
		j := reliabilityJSON{Criterion: rel.Key, Name: rel.Name, Pairable: a.Pairable, ICCNote: rel.ICCNote,
			Alpha: intervalJSON{Value: number(a.Value), Lower: number(a.Lower), Upper: number(a.Upper)}}
		if icc := rel.ICC; icc != nil {
			j.ICCk, j.ICC1, j.ICCWorks, j.ICCJudges = interval(icc.Average), interval(icc.Single), icc.Works, icc.Judges
		}
		out.Reliability = append(out.Reliability, j)
	}
	for _, l := range r.JudgeLines() {
		out.JudgeLines = append(out.JudgeLines, judgeAgreementJSON{JudgeID: l.JudgeID, Name: l.Name, Shared: l.Shared,
			Severity: number(l.Severity), Consistency: number(l.Consistency), Sentence: l.Sentence()})
	}
	for _, row := range t.Rows {
		ws := r.Stability[row.WorkID]
		out.Stability = append(out.Stability, stabilityJSON{ID: row.WorkID, Tier: tierNames[ws.Tier], Keep: ws.Keep,
			Decisive: nonNil(ws.Decisive), Flagged: ws.Flagged})
	}
	return out
}

// extraReviewsJSON is what adding reviews to the flagged works did.
type extraReviewsJSON struct {
	Added    []assignmentPairJSON `json:"added"`
	Waiting  []string             `json:"waiting"`
	NoJudge  []string             `json:"no_judge"`
	Reopened bool                 `json:"reopened"`
}

type assignmentPairJSON struct {
	WorkID  string `json:"work_id"`
	JudgeID string `json:"judge_id"`
}

func (s judgingStatistics) apiExtraReviews(c echo.Context) error {
	u, _ := currentUser(c)
	out, err := s.svc.Judging.AddReviewsToFlagged(c.Request().Context(), u)
	if err != nil {
		return err
	}
	j := extraReviewsJSON{Added: []assignmentPairJSON{}, Waiting: nonNil(out.Waiting), NoJudge: nonNil(out.NoJudge), Reopened: out.Reopened}
	for _, a := range out.Added {
		j.Added = append(j.Added, assignmentPairJSON{WorkID: a.WorkID, JudgeID: a.JudgeID})
	}
	return c.JSON(http.StatusOK, j)
}

func (s judgingStatistics) pageExtraReviews(c echo.Context) error {
	u, _ := currentUser(c)
	out, err := s.svc.Judging.AddReviewsToFlagged(c.Request().Context(), u)
	if err != nil {
		return err
	}
	return rankings(s).showJudging(c, judgingPage{Extra: &out})
}

// formatStatistic writes a statistic with two decimals, or — when the data do not allow it.
func formatStatistic(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "—"
	}
	return strconv.FormatFloat(x, 'f', 2, 64)
}
