package contest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// PairwiseReport is the pairwise check as it stands: each pair compared, with the judges'
// choices and the Bradley–Terry fit over all of them, beside the rubric ranking.
type PairwiseReport struct {
	Settings    PairwiseSettings
	Started     bool
	Comparisons int // tasks given to judges
	Decided     int // of which the judge has chosen
	Pairs       []PairResult
	Fit         BTFit
	Short       int // pairs that got fewer judges than wanted (when just started)
}

// Disagreements counts the pairs flagged 成对比较与评分排名不一致.
func (r PairwiseReport) Disagreements() int {
	n := 0
	for _, p := range r.Pairs {
		if p.Disagree {
			n++
		}
	}
	return n
}

// PairResult is one pair at a cut with what the comparisons say of it.
type PairResult struct {
	Group        string // the ranking group's key
	Cut          Tier   // the upper work's proposed tier
	Upper, Lower RankingRow
	Judges       int // comparisons of this pair decided
	UpperWins    int
	LowerWins    int
	// PLower is the fitted probability that the lower-ranked work is the better.
	PLower float64
	// Disagree flags a pair whose comparisons put the lower-ranked work ahead (PLower above
	// PairDisagreement): 成对比较与评分排名不一致, for the organizers' decision.
	Disagree bool
}

// PercentLower is PLower in whole percent, as the desk shows it.
func (p PairResult) PercentLower() int { return int(math.Round(p.PLower * 100)) }

// StartPairwise builds the pairs at the award cuts of the closed ranking and gives them to
// judges (notified); the contest must have the check on, judging closed and the awards not
// confirmed. Organizers only; audited.
func (s *JudgingService) StartPairwise(ctx context.Context, actor User, seed uint64) (PairwiseReport, error) {
	if err := requireOrganizer(actor); err != nil {
		return PairwiseReport{}, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return PairwiseReport{}, err
	}
	if err := s.canStartPairwise(ctx, c); err != nil {
		return PairwiseReport{}, err
	}
	t, err := s.ranking(ctx, c)
	if err != nil {
		return PairwiseReport{}, err
	}
	pairs := CutPairs(t, c.Judging.Pairwise.PerSide)
	if len(pairs) == 0 {
		return PairwiseReport{}, Errorf(EConflict, "排名中没有奖项分界，无需成对比较")
	}
	in, err := s.assignmentInputs(ctx, c, Assignment{})
	if err != nil {
		return PairwiseReport{}, err
	}
	works := map[string]AssignWork{}
	for _, w := range in.works {
		works[w.ID] = w
	}
	add, short := AssignPairs(pairs, works, in.judges, c.Judging.Pairwise.JudgesPerPair, seed)
	now := s.Now()
	for i := range add {
		add[i].ContestID, add[i].Round, add[i].CreatedAt = c.ID, pairRound(c), now
	}
	a := s.newAudit(actor, "pairwise", c.ID, "start", nil, map[string]any{"pairs": len(pairs), "comparisons": len(add),
		"short": len(short), "per_side": c.Judging.Pairwise.PerSide, "judges_per_pair": c.Judging.Pairwise.JudgesPerPair})
	if err := s.pairs.AddPairComparisons(ctx, add, a, pairwiseNotifications(now, c, add)...); errors.Is(err, ErrStale) {
		return PairwiseReport{}, errPairwiseStarted // by a click a moment before
	} else if err != nil {
		return PairwiseReport{}, err
	}
	r, err := s.pairwiseReport(ctx, c, t)
	r.Short = len(short)
	return r, err
}

// errPairwiseStarted refuses to start the round's check twice.
var errPairwiseStarted = Errorf(EConflict, "成对比较复核已经开始")

// canStartPairwise refuses to start the check when the contest does not have it on, judging is
// still open (the cuts may move), the awards are confirmed, or it was started already.
func (s *JudgingService) canStartPairwise(ctx context.Context, c Contest) error {
	switch {
	case !c.Judging.Pairwise.On:
		return Errorf(EConflict, "本活动未开启成对比较复核，请先在评审设置中开启")
	case c.Judging.ClosedAt == nil:
		return Errorf(EConflict, "请先结束评审：排名确定后才能进行成对比较复核")
	case c.Judging.AwardsConfirmedAt != nil:
		return Errorf(EConflict, "奖项已确认，不能再开始成对比较复核")
	}
	existing, err := s.pairs.PairComparisons(ctx, c.ID, pairRound(c))
	if err != nil {
		return err
	}
	if len(existing) > 0 {
		return errPairwiseStarted
	}
	return nil
}

// PairwiseResults returns the pairwise check beside the rubric ranking. Organizers only.
func (s *JudgingService) PairwiseResults(ctx context.Context, actor User) (PairwiseReport, error) {
	if err := requireOrganizer(actor); err != nil {
		return PairwiseReport{}, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return PairwiseReport{}, err
	}
	t, err := s.ranking(ctx, c)
	if err != nil {
		return PairwiseReport{}, err
	}
	return s.pairwiseReport(ctx, c, t)
}

// PairwiseBeside returns the pairwise check laid beside ranking t, which the caller has made
// already (the judging desk). Organizers only.
func (s *JudgingService) PairwiseBeside(ctx context.Context, actor User, t RankingTable) (PairwiseReport, error) {
	if err := requireOrganizer(actor); err != nil {
		return PairwiseReport{}, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return PairwiseReport{}, err
	}
	return s.pairwiseReport(ctx, c, t)
}

// pairwiseReport fits the stored comparisons and lays the pairs beside ranking t.
func (s *JudgingService) pairwiseReport(ctx context.Context, c Contest, t RankingTable) (PairwiseReport, error) {
	stored, err := s.pairs.PairComparisons(ctx, c.ID, pairRound(c))
	if err != nil {
		return PairwiseReport{}, err
	}
	r := PairwiseReport{Settings: c.Judging.Pairwise, Started: len(stored) > 0, Comparisons: len(stored)}
	var outcomes []Outcome
	for _, p := range stored {
		if p.Winner != "" {
			r.Decided++
			outcomes = append(outcomes, Outcome{Winner: p.Winner, Loser: otherOf(p, p.Winner)})
		}
	}
	r.Fit = FitBradleyTerry(outcomes, DefaultBTPrior)
	r.Pairs = pairResults(t, stored, r.Fit)
	return r, nil
}

// pairResults gathers the comparisons by pair, in the order of the ranking.
func pairResults(t RankingTable, stored []PairComparison, fit BTFit) []PairResult {
	at := map[string]int{}
	for i, row := range t.Rows {
		at[row.WorkID] = i
	}
	byPair := map[[2]string]*PairResult{}
	var keys [][2]string
	for _, p := range stored {
		i, okA := at[p.WorkA]
		j, okB := at[p.WorkB]
		if !okA || !okB {
			continue // a work excluded since
		}
		if i > j {
			i, j = j, i
		}
		key := [2]string{t.Rows[i].WorkID, t.Rows[j].WorkID}
		res := byPair[key]
		if res == nil {
			res = &PairResult{Group: t.Rows[i].Category, Cut: t.Rows[i].Proposed, Upper: t.Rows[i], Lower: t.Rows[j]}
			byPair[key] = res
			keys = append(keys, key)
		}
		switch p.Winner {
		case res.Upper.WorkID:
			res.UpperWins++
		case res.Lower.WorkID:
			res.LowerWins++
		}
	}
	slices.SortFunc(keys, func(a, b [2]string) int { return cmp.Or(at[a[0]]-at[b[0]], at[a[1]]-at[b[1]]) })
	out := make([]PairResult, len(keys))
	for i, k := range keys {
		res := byPair[k]
		res.Judges = res.UpperWins + res.LowerWins
		res.PLower = fit.P(res.Lower.WorkID, res.Upper.WorkID)
		res.Disagree = res.Judges > 0 && res.PLower > PairDisagreement
		out[i] = *res
	}
	return out
}

// otherOf returns the work of p that is not id.
func otherOf(p PairComparison, id string) string {
	if p.WorkA == id {
		return p.WorkB
	}
	return p.WorkA
}

// pairwiseNotifications tell each judge given pairs how many they have to compare.
func pairwiseNotifications(now time.Time, c Contest, add []PairComparison) []Notification {
	count := map[string]int{}
	for _, p := range add {
		count[p.JudgeID]++
	}
	var out []Notification
	for _, judge := range slicesSorted(count) {
		key := fmt.Sprintf("pairwise:%s:%d:%s", c.ID, pairRound(c), judge)
		out = append(out, notice(now, c, judge, NotePairwiseAssigned, key, "/judge", noticeValues(c,
			"比较数", fmt.Sprint(count[judge]))))
	}
	return out
}
