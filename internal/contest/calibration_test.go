package contest

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAssignCalibration_EveryJudgeGetsEveryCalibrationWorkButTheirConflicts(t *testing.T) {
	works := []AssignWork{{ID: "c1", Employers: []string{"东南大学"}, Category: "a"}, {ID: "c2", Category: "b"}}
	judges := []AssignJudge{
		{ID: "j1", Employer: "南京大学"},
		{ID: "j2", Employer: "东南大学"},                                         // same employer as c1's creator
		{ID: "j3", Conflicts: map[string]bool{"c2": true}},                   // declared 回避
		{ID: "j4", Employer: "河海大学", Categories: map[string]bool{"a": true}}, // limited to a: still scores c2
	}
	got := AssignCalibration(works, judges)
	want := []Assignment{{"c1", "j1"}, {"c1", "j3"}, {"c1", "j4"}, {"c2", "j1"}, {"c2", "j2"}, {"c2", "j4"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("calibration assignments (-want +got):\n%s", diff)
	}
}

func TestAssign_CalibrationWorksCountTowardsNoLoad(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	works, judges := randomContest(rng, 60, 8, 5)
	j := JudgingSettings{Calibration: []string{works[0].ID, works[1].ID}}
	ordinary, cal := splitCalibration(j, works)
	// Scored calibration reviews are kept, and must not weigh on the balance of the others.
	keep := []Assignment{{cal[0].ID, judges[0].ID}, {cal[1].ID, judges[0].ID}}
	p := Assign(ordinary, judges, 3, withoutCalibration(j, keep), 1)
	p.Calibration = AssignCalibration(cal, judges)
	checkPlan(t, "ordinary", ordinary, judges, 3, p)
	lo, hi := math.MaxInt, 0
	for _, n := range p.Load {
		lo, hi = min(lo, n), max(hi, n)
	}
	if hi-lo > 1 {
		t.Errorf("ordinary loads spread %d..%d with calibration works aside", lo, hi)
	}
	for _, a := range p.Assignments {
		if j.IsCalibration(a.WorkID) {
			t.Errorf("calibration work %s among the balanced assignments", a.WorkID)
		}
	}
	for _, w := range cal {
		for _, jd := range judges {
			has := slices.Contains(p.Calibration, Assignment{w.ID, jd.ID})
			jd.Categories = nil
			if has == Conflicted(jd, w) {
				t.Errorf("judge %s calibration work %s: assigned %v, conflicted %v", jd.ID, w.ID, has, Conflicted(jd, w))
			}
		}
	}
}

func TestRank_CalibrationWorksAreNotRankedButNormalizeTheirJudges(t *testing.T) {
	r := DefaultRubric()
	total := func(x float64) Scores { // x points spread over the criteria by their weights
		return Scores{CritTheme: x * 0.3, CritOrientation: x * 0.2, CritTimeliness: x * 0.25, CritArtistry: x * 0.25}
	}
	// L and S score their own works alike (80 and 60); on the calibration work, everyone's
	// same work, S gives 50 where L gives 90: S is the severer judge.
	rv := []Review{
		{"p", "L", total(80)}, {"o1", "L", total(60)},
		{"q", "S", total(80)}, {"o2", "S", total(60)},
		{"cal", "L", total(90)}, {"cal", "S", total(50)},
	}
	ids := []string{"p", "q", "o1", "o2"}
	by := func(o RankOptions) map[string]RankedWork {
		out := map[string]RankedWork{}
		for _, w := range Rank(r, rv, ids, o) {
			out[w.WorkID] = w
		}
		return out
	}
	plain := by(RankOptions{Normalize: true})
	if _, ranked := plain["cal"]; ranked || math.Abs(plain["p"].Adjusted-plain["q"].Adjusted) > 1e-9 {
		t.Fatalf("without calibration: p %v q %v, cal ranked %v", plain["p"].Adjusted, plain["q"].Adjusted, plain["cal"])
	}
	got := by(RankOptions{Normalize: true, Calibration: []string{"cal"}})
	if _, ranked := got["cal"]; ranked || len(got) != 4 {
		t.Fatalf("the calibration work is ranked: %v", got)
	}
	// L: mean 76.67 over {80, 60, 90}; S: 63.33 over {80, 60, 50}; both sd 12.47; the field
	// (the ranked works) has mean 70 and sd 10. S's 80 is worth more than L's 80 by
	// (76.67 − 63.33) / 12.47 · 10 = 10.69 points.
	sd := math.Sqrt((math.Pow(80-230.0/3, 2) + math.Pow(60-230.0/3, 2) + math.Pow(90-230.0/3, 2)) / 3)
	want := (230.0/3 - 190.0/3) / sd * 10
	if d := got["q"].Adjusted - got["p"].Adjusted; math.Abs(d-want) > 1e-9 || math.Abs(want-10.69) > 0.01 {
		t.Errorf("q − p = %v, want %v", d, want)
	}
	if got["q"].Rank != 1 || got["p"].Raw != 80 || got["q"].Raw != 80 {
		t.Errorf("q rank %d, raw p %v q %v", got["q"].Rank, got["p"].Raw, got["q"].Raw)
	}
	if raw := by(RankOptions{Calibration: []string{"cal"}}); raw["p"].Score != raw["q"].Score {
		t.Errorf("calibration changed the scores without normalization: %v %v", raw["p"].Score, raw["q"].Score)
	}
}

func TestQueueOrder_UnscoredCalibrationWorksComeFirst(t *testing.T) {
	now := time.Now()
	tasks := []JudgeTask{
		{SubmissionID: "a", Position: 1},
		{SubmissionID: "done-cal", Position: 0, Calibration: true, SubmittedAt: &now},
		{SubmissionID: "cal", Position: 9, Calibration: true},
		{SubmissionID: "b", Position: 2},
	}
	slices.SortStableFunc(tasks, queueOrder)
	var order []string
	for _, x := range tasks {
		order = append(order, x.SubmissionID)
	}
	if diff := cmp.Diff([]string{"cal", "a", "b", "done-cal"}, order); diff != "" {
		t.Errorf("queue (-want +got):\n%s", diff)
	}
}
