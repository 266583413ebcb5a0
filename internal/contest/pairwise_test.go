package contest

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// rankingOf builds a ranking table: per group, its works' proposed tiers in rank order.
func rankingOf(groups map[string][]Tier, order ...string) RankingTable {
	var t RankingTable
	for _, g := range order {
		for i, tier := range groups[g] {
			t.Rows = append(t.Rows, RankingRow{RankedWork: RankedWork{WorkID: fmt.Sprintf("%s%d", g, i+1), Rank: i + 1},
				Category: g, Proposed: tier})
		}
	}
	return t
}

func TestCutPairs_OnlyAcrossACutWithinEachCategory(t *testing.T) {
	t1, t2, t3, no := TierFirst, TierSecond, TierThird, TierNone
	table := rankingOf(map[string][]Tier{
		"x": {t1, t2, t2, t3, t3, t3, no, no},
		"y": {t1, no, no},
	}, "x", "y")
	got := CutPairs(table, 2)
	want := []CutPair{
		{"x", t1, "x1", "x2"}, {"x", t1, "x1", "x3"}, // 一/二: one work above the cut
		{"x", t2, "x3", "x4"}, {"x", t2, "x3", "x5"}, {"x", t2, "x2", "x4"}, {"x", t2, "x2", "x5"},
		{"x", t3, "x6", "x7"}, {"x", t3, "x6", "x8"}, {"x", t3, "x5", "x7"}, {"x", t3, "x5", "x8"},
		{"y", t1, "y1", "y2"}, {"y", t1, "y1", "y3"}, // y's cut: no pair across categories
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pairs (-want +got):\n%s", diff)
	}
	tier := map[string]Tier{}
	for _, r := range table.Rows {
		tier[r.WorkID] = r.Proposed
	}
	for _, p := range got {
		if tier[p.Upper] == tier[p.Lower] || p.Upper[:1] != p.Lower[:1] {
			t.Errorf("pair %v does not straddle a cut within one category", p)
		}
	}
}

func TestCutPairs_NoCutNoPairs(t *testing.T) {
	if got := CutPairs(rankingOf(map[string][]Tier{"": {TierNone, TierNone}}, ""), 3); len(got) != 0 {
		t.Errorf("pairs without a cut: %v", got)
	}
}

func TestAssignPairs_NoConflictedJudgeAndBalanced(t *testing.T) {
	pairs := CutPairs(rankingOf(map[string][]Tier{
		"x": {TierFirst, TierFirst, TierSecond, TierSecond, TierThird, TierThird, TierNone, TierNone},
		"y": {TierFirst, TierSecond, TierNone},
	}, "x", "y"), 2)
	works := map[string]AssignWork{}
	for _, id := range []string{"x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "y1", "y2", "y3"} {
		works[id] = AssignWork{ID: id, Category: id[:1], Employers: []string{"单位" + id}}
	}
	judges := []AssignJudge{
		{ID: "j1", Employer: "单位x3"},                       // same employer as x3
		{ID: "j2", Conflicts: map[string]bool{"x6": true}}, // declared 回避 with x6
		{ID: "j3", Categories: map[string]bool{"y": true}}, // judges only y
		{ID: "j4"}, {ID: "j5"}, {ID: "j6", Categories: map[string]bool{"x": true}},
	}
	got, short := AssignPairs(pairs, works, judges, 2, 42)
	if len(short) != 0 {
		t.Errorf("short pairs: %v", short)
	}
	if len(got) != 2*len(pairs) {
		t.Fatalf("%d comparisons for %d pairs × 2 judges", len(got), len(pairs))
	}
	load := map[string]int{}
	seen := map[string]bool{}
	for _, c := range got {
		j := judges[map[string]int{"j1": 0, "j2": 1, "j3": 2, "j4": 3, "j5": 4, "j6": 5}[c.JudgeID]]
		if Conflicted(j, works[c.WorkA]) || Conflicted(j, works[c.WorkB]) {
			t.Errorf("judge %s compares %s and %s, conflicted", c.JudgeID, c.WorkA, c.WorkB)
		}
		key := fmt.Sprint(min(c.WorkA, c.WorkB), max(c.WorkA, c.WorkB), c.JudgeID)
		if seen[key] {
			t.Errorf("judge %s has pair %s/%s twice", c.JudgeID, c.WorkA, c.WorkB)
		}
		seen[key] = true
		load[c.JudgeID]++
	}
	lo, hi := len(got), 0
	for _, id := range []string{"j4", "j5", "j6"} { // the judges free for every x pair
		lo, hi = min(lo, load[id]), max(hi, load[id])
	}
	if hi-lo > 2 {
		t.Errorf("loads not balanced: %v", load)
	}
}

func TestAssignPairs_TooFewFreeJudgesIsShort(t *testing.T) {
	pairs := []CutPair{{Upper: "a", Lower: "b", Cut: TierFirst}}
	works := map[string]AssignWork{"a": {ID: "a", Employers: []string{"甲"}}, "b": {ID: "b", Employers: []string{"乙"}}}
	judges := []AssignJudge{{ID: "j1", Employer: "甲"}, {ID: "j2"}}
	got, short := AssignPairs(pairs, works, judges, 2, 1)
	if len(got) != 1 || got[0].JudgeID != "j2" || len(short) != 1 {
		t.Errorf("got %v short %v, want j2 alone and the pair short", got, short)
	}
}

func TestPairResults_FlagsAComparisonAgainstTheRanking(t *testing.T) {
	table := rankingOf(map[string][]Tier{"": {TierFirst, TierSecond, TierSecond}}, "")
	cmpOf := func(a, b, winner string) PairComparison {
		return PairComparison{WorkA: a, WorkB: b, Winner: winner}
	}
	stored := []PairComparison{
		cmpOf("2", "1", "2"), cmpOf("1", "2", "2"), cmpOf("2", "1", "2"), // all three prefer the lower
		cmpOf("1", "3", "1"), cmpOf("3", "1", "1"), cmpOf("1", "3", ""), // agree; one undecided
	}
	for i := range table.Rows {
		table.Rows[i].WorkID = fmt.Sprint(i + 1)
	}
	var outcomes []Outcome
	for _, p := range stored {
		if p.Winner != "" {
			outcomes = append(outcomes, Outcome{p.Winner, otherOf(p, p.Winner)})
		}
	}
	got := pairResults(table, stored, FitBradleyTerry(outcomes, DefaultBTPrior))
	if len(got) != 2 {
		t.Fatalf("%d pairs, want 2", len(got))
	}
	if p := got[0]; p.Upper.WorkID != "1" || p.Lower.WorkID != "2" || p.LowerWins != 3 || !p.Disagree || p.PLower <= 0.5 {
		t.Errorf("1/2 = %+v, want the lower work's 3 wins flagged", p)
	}
	if p := got[1]; p.Upper.WorkID != "1" || p.Lower.WorkID != "3" || p.UpperWins != 2 || p.Judges != 2 || p.Disagree {
		t.Errorf("1/3 = %+v, want 2 agreeing comparisons, not flagged", p)
	}
}

func TestPairwiseSettings_Validate(t *testing.T) {
	j := DefaultJudging()
	j.Pairwise = PairwiseSettings{On: true, PerSide: 0, JudgesPerPair: 21}
	got := ErrorFields(j.Validate())
	if got["pairwise.per_side"].Code != "pairwise_per_side" || got["pairwise.judges_per_pair"].Code != "pairwise_judges" {
		t.Errorf("errors %v", got)
	}
	j.Pairwise = PairwiseSettings{On: true, PerSide: 2, JudgesPerPair: 3}
	if err := j.Validate(); err != nil {
		t.Errorf("valid settings refused: %v", err)
	}
	j.Pairwise = PairwiseSettings{} // off: nothing to check
	if err := j.Validate(); err != nil {
		t.Errorf("off refused: %v", err)
	}
}

// On random contests (employers spelled several ways, declared conflicts, two categories with
// judges limited to one), every pair straddles a cut within one category, no judge compares a
// pair they are conflicted with, no judge has a pair twice, and each pair gets k judges or is
// reported short with every free judge on it.
func TestAssignPairs_PropertiesOnRandomContests(t *testing.T) {
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 3))
		works, judges := randomContest(rng, 30+rng.IntN(40), 3+rng.IntN(8), 4+rng.IntN(6))
		byID := map[string]AssignWork{}
		var table RankingTable
		for _, cat := range []string{"x", "y"} {
			n := 0
			for i := range works {
				if i%2 == map[string]int{"x": 0, "y": 1}[cat] {
					works[i].Category = cat
					n++
					tier := Tier((n-1)/3 + 1) // three of each tier, then the rest without an award
					if tier > TierThird {
						tier = TierNone
					}
					table.Rows = append(table.Rows, RankingRow{RankedWork: RankedWork{WorkID: works[i].ID, Rank: n}, Category: cat, Proposed: tier})
				}
				byID[works[i].ID] = works[i]
			}
		}
		judges[0].Categories = map[string]bool{"y": true}
		pairs := CutPairs(table, 1+rng.IntN(3))
		k := 1 + rng.IntN(3)
		got, short := AssignPairs(pairs, byID, judges, k, seed)
		tier := map[string]Tier{}
		for _, r := range table.Rows {
			tier[r.WorkID] = r.Proposed
		}
		count := map[[2]string]int{}
		seen := map[string]bool{}
		for _, c := range got {
			a, b := byID[c.WorkA], byID[c.WorkB]
			key := [2]string{min(c.WorkA, c.WorkB), max(c.WorkA, c.WorkB)}
			count[key]++
			for _, j := range judges {
				if j.ID == c.JudgeID && (Conflicted(j, a) || Conflicted(j, b)) {
					t.Fatalf("seed %d: judge %s compares %s/%s, conflicted", seed, j.ID, a.ID, b.ID)
				}
			}
			if seen[key[0]+key[1]+c.JudgeID] {
				t.Fatalf("seed %d: judge %s has %v twice", seed, c.JudgeID, key)
			}
			seen[key[0]+key[1]+c.JudgeID] = true
			if a.Category != b.Category || tier[a.ID] == tier[b.ID] {
				t.Fatalf("seed %d: pair %s/%s does not straddle a cut within a category", seed, a.ID, b.ID)
			}
		}
		isShort := map[[2]string]bool{}
		for _, p := range short {
			isShort[[2]string{min(p.Upper, p.Lower), max(p.Upper, p.Lower)}] = true
		}
		for _, p := range pairs {
			key := [2]string{min(p.Upper, p.Lower), max(p.Upper, p.Lower)}
			free := 0
			for _, j := range judges {
				if !Conflicted(j, byID[p.Upper]) && !Conflicted(j, byID[p.Lower]) {
					free++
				}
			}
			if count[key] != min(k, free) || isShort[key] != (free < k) {
				t.Fatalf("seed %d: pair %v got %d judges of %d free, k %d, short %v", seed, key, count[key], free, k, isShort[key])
			}
		}
	}
}
