package contest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRubric_DefaultFollowsTheNotice(t *testing.T) {
	r := DefaultRubric()
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	full := Scores{CritTheme: 30, CritOrientation: 20, CritTimeliness: 25, CritArtistry: 25}
	if got := r.Total(full); got != 100 {
		t.Errorf("full marks total %v, want 100", got)
	}
	if got := r.Total(Scores{CritTheme: 24, CritOrientation: 18, CritTimeliness: 20, CritArtistry: 15}); got != 77 {
		t.Errorf("total %v, want 77", got)
	}
	codes := ErrorFields(r.Check(Scores{CritTheme: 31, CritOrientation: -1, CritArtistry: 25, "beauty": 3}))
	want := map[string]string{"scores.theme": "score_range", "scores.orientation": "score_range",
		"scores.timeliness": "score_missing", "scores.beauty": "score_unknown"}
	got := map[string]string{}
	for k, v := range codes {
		got[k] = v.Code
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("check (-want +got):\n%s", diff)
	}
}

func TestRubric_WeightsScaleTheirCriterion(t *testing.T) {
	r := Rubric{{Key: "a", Name: "A", MaxPoints: 10, Weight: 60}, {Key: "b", Name: "B", MaxPoints: 5, Weight: 40}}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := r.Total(Scores{"a": 5, "b": 5}); got != 70 { // 5/10·60 + 5/5·40
		t.Errorf("total %v, want 70", got)
	}
	bad := Rubric{{Key: "a", Name: "A", MaxPoints: 10, Weight: 60}, {Key: "a", Name: "A2", MaxPoints: 0, Weight: 30}}
	if ErrorCode(bad.Validate()) != EInvalid {
		t.Errorf("a duplicate key and weights of 90 pass: %v", bad.Validate())
	}
}

func TestNormalizeEmployer(t *testing.T) {
	for _, pair := range [][2]string{
		{"江苏省 农业科学院（南京）", "江苏省农业科学院(南京)"},
		{"ＮＡＮＪＩＮＧ University", "nanjing university"},
		{" 东南大学。", "东南大学"},
	} {
		if NormalizeEmployer(pair[0]) != NormalizeEmployer(pair[1]) {
			t.Errorf("%q and %q differ: %q %q", pair[0], pair[1], NormalizeEmployer(pair[0]), NormalizeEmployer(pair[1]))
		}
	}
	if NormalizeEmployer("东南大学") == NormalizeEmployer("南京大学") {
		t.Error("different employers match")
	}
}

// randomContest makes works with one to three employers and judges from the same pool, with a
// few declared conflicts.
func randomContest(rng *rand.Rand, nWorks, nJudges, nEmployers int) ([]AssignWork, []AssignJudge) {
	emp := func() string {
		// Spelled in several ways, as people type them.
		base := fmt.Sprintf("第%d研究所", rng.IntN(nEmployers))
		switch rng.IntN(3) {
		case 0:
			return " " + base
		case 1:
			return base + "。"
		}
		return base
	}
	works := make([]AssignWork, nWorks)
	for i := range works {
		works[i] = AssignWork{ID: fmt.Sprintf("w%d", i)}
		for range 1 + rng.IntN(3) {
			works[i].Employers = append(works[i].Employers, emp())
		}
	}
	judges := make([]AssignJudge, nJudges)
	for i := range judges {
		judges[i] = AssignJudge{ID: fmt.Sprintf("j%d", i), Employer: emp(), Conflicts: map[string]bool{}}
		for range rng.IntN(3) {
			judges[i].Conflicts[works[rng.IntN(nWorks)].ID] = true
		}
	}
	return works, judges
}

func TestAssign_PropertiesOnRandomContests(t *testing.T) {
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 1))
		nWorks, nJudges, k := 50+rng.IntN(400), 5+rng.IntN(40), 1+rng.IntN(4)
		works, judges := randomContest(rng, nWorks, nJudges, 10+rng.IntN(60))
		p := Assign(works, judges, k, nil, seed)
		checkPlan(t, fmt.Sprintf("seed %d (%d works, %d judges, k=%d)", seed, nWorks, nJudges, k), works, judges, k, p)
	}
}

func checkPlan(t *testing.T, name string, works []AssignWork, judges []AssignJudge, k int, p Plan) {
	t.Helper()
	jb := map[string]AssignJudge{}
	for _, j := range judges {
		jb[j.ID] = j
	}
	wb := map[string]AssignWork{}
	for _, w := range works {
		wb[w.ID] = w
	}
	per, seen, load := map[string]int{}, map[Assignment]bool{}, map[string]int{}
	for _, a := range p.Assignments {
		if Conflicted(jb[a.JudgeID], wb[a.WorkID]) {
			t.Fatalf("%s: judge %s (%s) reviews %s (%v), a conflict", name, a.JudgeID, jb[a.JudgeID].Employer, a.WorkID, wb[a.WorkID].Employers)
		}
		if seen[a] {
			t.Fatalf("%s: %v twice", name, a)
		}
		seen[a] = true
		per[a.WorkID]++
		load[a.JudgeID]++
	}
	for _, w := range works {
		eligible := 0
		for _, j := range judges {
			if !Conflicted(j, w) {
				eligible++
			}
		}
		if want := min(k, eligible); per[w.ID] != want {
			t.Fatalf("%s: work %s has %d judges, want %d (eligible %d)", name, w.ID, per[w.ID], want, eligible)
		}
		if got, reported := p.Short[w.ID]; (per[w.ID] < k) != reported || reported && got != per[w.ID] {
			t.Fatalf("%s: work %s has %d of %d judges, reported short: %v (%d)", name, w.ID, per[w.ID], k, reported, got)
		}
	}
	lo, hi := math.MaxInt, 0
	for _, j := range judges {
		if load[j.ID] != p.Load[j.ID] {
			t.Fatalf("%s: reported load of %s %d, counted %d", name, j.ID, p.Load[j.ID], load[j.ID])
		}
		lo, hi = min(lo, load[j.ID]), max(hi, load[j.ID])
	}
	if hi-lo > 1 {
		t.Errorf("%s: loads from %d to %d", name, lo, hi)
	}
}

func TestAssign_KeepsScoredReviewsAndReassignsADeactivatedJudgesWork(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	works, judges := randomContest(rng, 120, 12, 40)
	first := Assign(works, judges, 3, nil, 1)
	// Judge j0 leaves; the reviews the others scored (here: all of theirs) stay where they are.
	var keep []Assignment
	for _, a := range first.Assignments {
		if a.JudgeID != "j0" {
			keep = append(keep, a)
		}
	}
	second := Assign(works, judges[1:], 3, keep, 2)
	checkPlan(t, "after deactivation", works, judges[1:], 3, second)
	kept := map[Assignment]bool{}
	for _, a := range second.Assignments {
		kept[a] = true
	}
	for _, a := range keep {
		if !kept[a] {
			t.Fatalf("kept review %v was moved", a)
		}
	}
}

func TestRank_WorkedExamples(t *testing.T) {
	r := DefaultRubric()
	s := func(theme, orient, time, art float64) Scores {
		return Scores{CritTheme: theme, CritOrientation: orient, CritTimeliness: time, CritArtistry: art}
	}
	t.Run("trimmed mean from five reviews", func(t *testing.T) {
		var rv []Review
		for i, total := range []float64{60, 70, 80, 90, 100} { // 60 and 100 dropped: mean 80
			rv = append(rv, Review{"a", fmt.Sprint("j", i), s(total*0.3, total*0.2, total*0.25, total*0.25)})
		}
		rv = append(rv, Review{"b", "j0", s(24, 16, 20, 20)}, Review{"b", "j1", s(24, 16, 20, 20)}) // 80, 80: not trimmed
		got := Rank(r, rv, []string{"a", "b"}, RankOptions{})
		if math.Abs(got[0].Raw-80) > 1e-9 || math.Abs(got[1].Raw-80) > 1e-9 || got[0].Reviews+got[1].Reviews != 7 {
			t.Fatalf("raw %v %v", got[0].Raw, got[1].Raw)
		}
		if !got[0].Disputed && got[0].WorkID == "a" || got[1].WorkID == "a" && !got[1].Disputed {
			t.Errorf("a spread of 40 points is not flagged: %+v", got)
		}
	})
	t.Run("ties broken by artistry then theme, then shared", func(t *testing.T) {
		rv := []Review{
			{"x", "j", s(30, 20, 20, 10)}, // 80, artistry 10
			{"y", "j", s(20, 20, 20, 20)}, // 80, artistry 20
			{"z", "j", s(25, 20, 10, 25)}, // 80, artistry 25
			{"v", "j", s(20, 20, 15, 25)}, // 80, artistry 25, theme 20 < 25
			{"u", "j", s(25, 20, 10, 25)}, // same as z: shares its rank
		}
		got := Rank(r, rv, []string{"x", "y", "z", "v", "u"}, RankOptions{})
		var order []string
		var ranks []int
		for _, w := range got {
			order, ranks = append(order, w.WorkID), append(ranks, w.Rank)
		}
		if diff := cmp.Diff([]string{"u", "z", "v", "y", "x"}, order); diff != "" {
			t.Errorf("order (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]int{1, 1, 3, 4, 5}, ranks); diff != "" {
			t.Errorf("ranks (-want +got):\n%s", diff)
		}
	})
	t.Run("normalization evens out a lenient judge", func(t *testing.T) {
		// Judge L gives everyone 20 points more than judge S would. L scored p, S scored q:
		// raw, p wins; normalized, they are equal.
		rv := []Review{
			{"p", "L", s(27, 18, 22.5, 22.5)},  // 90
			{"o1", "L", s(21, 14, 17.5, 17.5)}, // 70
			{"q", "S", s(21, 14, 17.5, 17.5)},  // 70
			{"o2", "S", s(15, 10, 12.5, 12.5)}, // 50
		}
		got := Rank(r, rv, []string{"p", "q", "o1", "o2"}, RankOptions{Normalize: true})
		by := map[string]RankedWork{}
		for _, w := range got {
			by[w.WorkID] = w
		}
		if by["p"].Raw <= by["q"].Raw || math.Abs(by["p"].Adjusted-by["q"].Adjusted) > 1e-9 {
			t.Errorf("p raw %v adj %v; q raw %v adj %v", by["p"].Raw, by["p"].Adjusted, by["q"].Raw, by["q"].Adjusted)
		}
	})
}

func TestProposeAwards_QuotasAndTiesAtTheCut(t *testing.T) {
	ranked := []RankedWork{{WorkID: "a", Rank: 1}, {WorkID: "b", Rank: 2}, {WorkID: "c", Rank: 2},
		{WorkID: "d", Rank: 4}, {WorkID: "e", Rank: 5}, {WorkID: "f", Rank: 6}, {WorkID: "g", Rank: 6},
		{WorkID: "h", Rank: 8}, {WorkID: "i", Rank: 9}, {WorkID: "j", Rank: 10}}
	props, over := ProposeAwards(ranked, [3]Quota{{Count: 2}, {Percent: 30}, {Count: 2}})
	var tiers []Tier
	for _, p := range props {
		tiers = append(tiers, p.Tier)
	}
	// 一等奖 2 (b and c tie at the cut: both, so 3), 二等奖 30% of 10 = 3 (cut at 5: d, e),
	// 三等奖 2 (cut at 7: f and g tie at rank 6).
	want := []Tier{TierFirst, TierFirst, TierFirst, TierSecond, TierSecond, TierThird, TierThird, TierNone, TierNone, TierNone}
	if diff := cmp.Diff(want, tiers); diff != "" {
		t.Errorf("tiers (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[Tier]int{TierFirst: 1}, over); diff != "" {
		t.Errorf("over quota (-want +got):\n%s", diff)
	}
}

// BenchmarkAssignAndRank: 1 000 and 10 000 works × 60 judges × 3 reviews.
func BenchmarkAssignAndRank(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		rng := rand.New(rand.NewPCG(1, 2))
		works, judges := randomContest(rng, n, 60, 300)
		b.Run(fmt.Sprintf("assign/works=%d", n), func(b *testing.B) {
			for b.Loop() {
				Assign(works, judges, 3, nil, 1)
			}
		})
		p := Assign(works, judges, 3, nil, 1)
		var rv []Review
		for _, a := range p.Assignments {
			rv = append(rv, Review{a.WorkID, a.JudgeID, Scores{CritTheme: float64(rng.IntN(31)), CritOrientation: float64(rng.IntN(21)),
				CritTimeliness: float64(rng.IntN(26)), CritArtistry: float64(rng.IntN(26))}})
		}
		ids := make([]string, len(works))
		for i, w := range works {
			ids[i] = w.ID
		}
		b.Run(fmt.Sprintf("rank/works=%d", n), func(b *testing.B) {
			for b.Loop() {
				Rank(DefaultRubric(), rv, ids, RankOptions{Normalize: true})
			}
		})
	}
}

func TestAssign_ADeactivatedJudgesSubmittedReviewCountsTowardsK(t *testing.T) {
	works := []AssignWork{{ID: "w", Employers: []string{"甲单位"}}}
	judges := []AssignJudge{{ID: "j1", Employer: "乙"}, {ID: "j2", Employer: "丙"}, {ID: "j3", Employer: "丁"}}
	p := Assign(works, judges, 3, []Assignment{{WorkID: "w", JudgeID: "j0"}}, 1) // j0 was deactivated
	if len(p.Assignments) != 2 || len(p.Short) != 0 {
		t.Fatalf("plan %+v, want 2 new judges beside the deactivated judge's review", p)
	}
	for _, a := range p.Assignments {
		if a.JudgeID == "j0" || p.Load[a.JudgeID] != 1 {
			t.Fatalf("plan %+v", p)
		}
	}
}
