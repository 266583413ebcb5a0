package contest

import (
	"cmp"
	"math"
	"slices"
	"strconv"
)

// Review is one judge's submitted scores for one work.
type Review struct {
	WorkID  string
	JudgeID string
	Scores  Scores
}

// RankOptions choose how scores are combined.
type RankOptions struct {
	// Normalize replaces each judge's totals by their z-scores over the works that judge
	// scored, rescaled to the mean and standard deviation of all totals, so a lenient and a
	// strict judge weigh alike.
	Normalize bool
	// TrimFrom is the number of reviews from which a work's highest and lowest totals are
	// dropped (default 5).
	TrimFrom int
	// SpreadFlag flags works whose judges' totals differ by more than this (default 20 points).
	SpreadFlag float64
	// Calibration are the calibration works: not ranked, but their reviews count in each
	// judge's mean and standard deviation for Normalize.
	Calibration []string
}

// RankedWork is a work's line in the ranking table.
type RankedWork struct {
	WorkID   string
	Rank     int                // 1-based; tied works share a rank ("1, 2, 2, 4")
	Raw      float64            // mean (trimmed from TrimFrom reviews) of the judges' totals
	Adjusted float64            // the same over normalized totals; equal to Raw without normalization
	Score    float64            // what ranks: Adjusted
	Totals   map[string]float64 // judge → weighted total
	// AdjTotals are the totals as they count (normalized when RankOptions.Normalize), judge →
	// total: what the award stability resamples.
	AdjTotals map[string]float64
	ByCrit    map[string]float64 // criterion → mean points, for the tie-break
	Reviews   int
	Spread    float64 // highest − lowest total
	Disputed  bool    // Spread above RankOptions.SpreadFlag
}

// TieBreak is the documented order for works with equal scores: higher mean artistry, then
// higher mean theme relevance; works equal on all of them share a rank.
var TieBreak = []string{CritArtistry, CritTheme}

// Rank scores and orders the works that have at least one review. Reviews of works not in
// workIDs are ignored, but for those of the calibration works in normalization.
func Rank(r Rubric, reviews []Review, workIDs []string, o RankOptions) []RankedWork {
	if o.TrimFrom == 0 {
		o.TrimFrom = 5
	}
	if o.SpreadFlag == 0 {
		o.SpreadFlag = 20
	}
	want := map[string]bool{}
	for _, id := range workIDs {
		want[id] = true
	}
	totals := map[string]map[string]float64{} // work → judge → total
	crit := map[string]map[string]float64{}   // work → criterion → sum
	byJudge := map[string][]float64{}
	var all []float64
	for _, rv := range reviews {
		if !want[rv.WorkID] {
			if slices.Contains(o.Calibration, rv.WorkID) {
				byJudge[rv.JudgeID] = append(byJudge[rv.JudgeID], r.Total(rv.Scores))
			}
			continue
		}
		t := r.Total(rv.Scores)
		if totals[rv.WorkID] == nil {
			totals[rv.WorkID], crit[rv.WorkID] = map[string]float64{}, map[string]float64{}
		}
		totals[rv.WorkID][rv.JudgeID] = t
		for k, v := range rv.Scores {
			crit[rv.WorkID][k] += v
		}
		byJudge[rv.JudgeID] = append(byJudge[rv.JudgeID], t)
		all = append(all, t)
	}
	// z-score parameters per judge, rescaled to the whole field.
	gm, gsd := meanSD(all)
	type affine struct{ mean, sd float64 }
	norm := map[string]affine{}
	for j, ts := range byJudge {
		m, sd := meanSD(ts)
		norm[j] = affine{m, sd}
	}
	adjust := func(judge string, t float64) float64 {
		if !o.Normalize {
			return t
		}
		a := norm[judge]
		if a.sd == 0 || gsd == 0 {
			return gm + (t - a.mean) // a judge with a single score or all alike: shifted only
		}
		return gm + (t-a.mean)/a.sd*gsd
	}

	var out []RankedWork
	for _, id := range workIDs {
		ts := totals[id]
		if len(ts) == 0 {
			continue
		}
		rw := RankedWork{WorkID: id, Totals: ts, AdjTotals: make(map[string]float64, len(ts)), ByCrit: map[string]float64{}, Reviews: len(ts)}
		var raw, adj []float64
		for j, t := range ts {
			rw.AdjTotals[j] = adjust(j, t)
			raw, adj = append(raw, t), append(adj, rw.AdjTotals[j])
		}
		rw.Raw, rw.Adjusted = trimmedMean(raw, o.TrimFrom), trimmedMean(adj, o.TrimFrom)
		rw.Score = rw.Adjusted
		lo, hi := slices.Min(raw), slices.Max(raw)
		rw.Spread, rw.Disputed = hi-lo, hi-lo > o.SpreadFlag
		for k, v := range crit[id] {
			rw.ByCrit[k] = v / float64(len(ts))
		}
		out = append(out, rw)
	}
	// Sort keys are computed once: score, then the tie-break criteria.
	keys := make(map[string][]float64, len(out))
	for _, w := range out {
		k := []float64{round6(w.Score)}
		for _, c := range TieBreak {
			k = append(k, round6(w.ByCrit[c]))
		}
		keys[w.WorkID] = k
	}
	slices.SortFunc(out, func(a, b RankedWork) int {
		return cmp.Or(slices.Compare(keys[b.WorkID], keys[a.WorkID]), cmp.Compare(a.WorkID, b.WorkID))
	})
	for i := range out {
		if i > 0 && slices.Equal(keys[out[i].WorkID], keys[out[i-1].WorkID]) {
			out[i].Rank = out[i-1].Rank
		} else {
			out[i].Rank = i + 1
		}
	}
	return out
}

// round6 keeps float noise (sums in another order) from breaking a tie.
func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

func meanSD(xs []float64) (mean, sd float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(xs)))
}

// trimmedMean is the mean, without the highest and the lowest value from `from` values on.
func trimmedMean(xs []float64, from int) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) >= from && len(s) >= 3 {
		s = s[1 : len(s)-1]
	}
	m, _ := meanSD(s)
	return m
}

// Tier is an award level.
type Tier int

// Award tiers, best first.
const (
	TierNone Tier = iota
	TierFirst
	TierSecond
	TierThird
)

// Label returns the tier in Chinese.
func (t Tier) Label() string {
	switch t {
	case TierFirst:
		return "一等奖"
	case TierSecond:
		return "二等奖"
	case TierThird:
		return "三等奖"
	}
	return "未获奖"
}

// Quota is how many works a tier gets: Count, or Percent of the ranked works (rounded down)
// when Count is zero.
type Quota struct {
	Count   int
	Percent float64
}

// String writes the quota as the organizers type it: "3" or "5%".
func (q Quota) String() string {
	if q.Count > 0 {
		return strconv.Itoa(q.Count)
	}
	return strconv.FormatFloat(q.Percent, 'f', -1, 64) + "%"
}

func (q Quota) of(n int) int {
	if q.Count > 0 {
		return q.Count
	}
	return int(math.Floor(q.Percent / 100 * float64(n)))
}

// Proposal is a proposed award for one ranked work.
type Proposal struct {
	WorkID string
	Rank   int
	Tier   Tier
}

// ProposeAwards gives tiers down the ranking: a work ranked within the first N₁ gets 一等奖,
// within N₁+N₂ 二等奖, within N₁+N₂+N₃ 三等奖. Works tied at a cut share its better tier, so that
// tier has more works than its quota and the next one as many fewer; Over says by how many
// works each tier exceeds its quota, for the organizer to decide.
func ProposeAwards(ranked []RankedWork, quotas [3]Quota) (props []Proposal, over map[Tier]int) {
	n := len(ranked)
	cut := [4]int{}
	for i, q := range quotas {
		cut[i+1] = cut[i] + q.of(n)
	}
	over = map[Tier]int{}
	counts := map[Tier]int{}
	for _, w := range ranked {
		t := TierNone
		for i := 1; i <= 3; i++ {
			if w.Rank <= cut[i] {
				t = Tier(i)
				break
			}
		}
		counts[t]++
		props = append(props, Proposal{WorkID: w.WorkID, Rank: w.Rank, Tier: t})
	}
	for i := 1; i <= 3; i++ {
		if d := counts[Tier(i)] - (cut[i] - cut[i-1]); d > 0 {
			over[Tier(i)] = d
		}
	}
	return props, over
}
