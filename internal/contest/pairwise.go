package contest

import (
	"cmp"
	"context"
	"math/rand/v2"
	"slices"
	"time"
)

// The pairwise check at the award cuts (成对比较复核): once judging is closed, judges compare
// pairs of works that straddle a cut of the proposed awards (一/二, 二/三, 三/未获奖) within each
// ranking group, choosing the better of the two. A Bradley–Terry fit over all choices is shown
// beside the rubric ranking and a pair whose comparisons disagree with it is flagged for the
// organizers. Nothing of it changes an award: the organizers decide (SetAward, with a reason).

// PairwiseSettings turn the pairwise check on for a contest.
type PairwiseSettings struct {
	On            bool
	PerSide       int // works on each side of a cut that take part (1–5)
	JudgesPerPair int // judges who compare each pair (1–20)
}

// validate adds the settings' field errors to f; nothing is checked while the check is off.
func (p PairwiseSettings) validate(f *Fields) {
	if !p.On {
		return
	}
	if p.PerSide < 1 || p.PerSide > 5 {
		f.Add("pairwise.per_side", "pairwise_per_side", "分界两侧参加比较的作品数须在1到5之间")
	}
	if p.JudgesPerPair < 1 || p.JudgesPerPair > 20 {
		f.Add("pairwise.judges_per_pair", "pairwise_judges", "每对作品的评委人数须在1到20之间")
	}
}

// NotePairwiseAssigned tells a judge they have pairs of works to compare.
const NotePairwiseAssigned NotificationKind = "pairwise_assigned"

// PairDisagreement is the fitted probability above which the comparisons are taken to say the
// lower-ranked work of a pair is the better: more likely than not.
const PairDisagreement = 0.5

// PairComparison is one judge's comparison of two works, shown as A (left) and B (right) in an
// order drawn at random, so that the side tells nothing of the ranking.
type PairComparison struct {
	ID           string
	ContestID    string
	Round        int // the judging round whose cuts it is at (pairRound)
	WorkA, WorkB string
	JudgeID      string
	Winner       string // WorkA or WorkB; "" until the judge has chosen
	Reason       string
	CreatedAt    time.Time
	DecidedAt    *time.Time
}

// PairStore keeps the pairwise comparisons.
type PairStore interface {
	// PairComparisons returns every comparison of the contest's round.
	PairComparisons(ctx context.Context, contestID string, round int) ([]PairComparison, error)
	// AddPairComparisons stores new comparisons with the audit entry and the notes, in one
	// transaction; ErrStale when the round has comparisons already (a start a moment before).
	AddPairComparisons(ctx context.Context, add []PairComparison, a AuditEntry, notes ...Notification) error
	// DecidePair records the judge's choice (Winner, Reason, DecidedAt) of comparison p.ID with
	// the audit entry; ENotFound when it is not that judge's.
	DecidePair(ctx context.Context, p PairComparison, a AuditEntry) error
	// BlindWorks returns what a blind review may show of the works: status, formal decision,
	// title, description and video without its file name; never personal data.
	BlindWorks(ctx context.Context, ids []string) ([]AssignedWork, error)
}

// pairRound is the judging round a contest's check belongs to: the comparisons are made at the
// cuts of one round's ranking, and a round judged later (终评) has a check of its own.
func pairRound(c Contest) int { return c.Judging.CurrentRound() }

// CutPair is a pair of works on either side of an award cut in one ranking group: Upper is
// proposed Cut, Lower the next tier down.
type CutPair struct {
	Group        string // the ranking group's (category's) key
	Cut          Tier   // the upper side's tier
	Upper, Lower string
}

// CutPairs pairs the works at each cut of the proposed awards within each ranking group: the
// perSide lowest of the upper tier with the perSide highest of the lower, every one with every
// one. A cut is where the proposed tier changes down the group's ranking.
func CutPairs(t RankingTable, perSide int) []CutPair {
	var out []CutPair
	for _, rows := range groupRows(t.Rows) {
		for i := 0; i+1 < len(rows); i++ {
			if rows[i].Proposed == rows[i+1].Proposed {
				continue
			}
			upper := sideOf(rows, i, -1, perSide)
			lower := sideOf(rows, i+1, +1, perSide)
			for _, u := range upper {
				for _, l := range lower {
					out = append(out, CutPair{Group: rows[i].Category, Cut: rows[i].Proposed, Upper: u, Lower: l})
				}
			}
		}
	}
	return out
}

// groupRows splits the ranking's rows by group; each group's rows are one run, in rank order.
func groupRows(rows []RankingRow) [][]RankingRow {
	var out [][]RankingRow
	for i, r := range rows {
		if i == 0 || r.Category != rows[i-1].Category {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], r)
	}
	return out
}

// sideOf returns up to n works of the same proposed tier as rows[from], walking from it in
// direction step.
func sideOf(rows []RankingRow, from, step, n int) []string {
	var ids []string
	for i := from; i >= 0 && i < len(rows) && len(ids) < n && rows[i].Proposed == rows[from].Proposed; i += step {
		ids = append(ids, rows[i].WorkID)
	}
	return ids
}

// AssignPairs gives each pair k judges free of conflicts with both works (same employer,
// declared 回避, a category they do not judge), the least loaded first, ties broken at random by
// seed; each pair's sides are drawn at random. Pairs left with fewer than k judges are in short.
func AssignPairs(pairs []CutPair, works map[string]AssignWork, judges []AssignJudge, k int, seed uint64) (out []PairComparison, short []CutPair) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	order := rng.Perm(len(judges)) // a random tie-break between equally loaded judges
	load := map[string]int{}
	for _, p := range pairs {
		a, b := works[p.Upper], works[p.Lower]
		var free []int
		for i, j := range judges {
			if !Conflicted(j, a) && !Conflicted(j, b) {
				free = append(free, i)
			}
		}
		slices.SortFunc(free, func(x, y int) int {
			return cmp.Or(load[judges[x].ID]-load[judges[y].ID], order[x]-order[y])
		})
		if len(free) < k {
			short = append(short, p)
		}
		for _, i := range free[:min(k, len(free))] {
			left, right := p.Upper, p.Lower
			if rng.IntN(2) == 1 {
				left, right = right, left
			}
			out = append(out, PairComparison{ID: NewID(), WorkA: left, WorkB: right, JudgeID: judges[i].ID})
			load[judges[i].ID]++
		}
	}
	return out, short
}
