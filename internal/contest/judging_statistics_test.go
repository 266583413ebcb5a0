package contest

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestMeasureJudging_OneCriterionHasTheTotalsAlpha(t *testing.T) {
	records := totalsRound(map[string]map[string]float64{
		"a": {"j1": 80, "j2": 70}, "b": {"j2": 60, "j3": 65}, "c": {"j1": 90, "j3": 85}, "d": {"j1": 40, "j2": 55, "j3": 50},
	})
	st := MeasureJudging(oneCriterion, records, DefaultStatisticsOptions)
	got, want := st.Criteria[0].Alpha, st.Total.Alpha
	for name, pair := range map[string][2]float64{"α": {got.Value, want.Value}, "lower": {got.Lower, want.Lower}, "upper": {got.Upper, want.Upper}} {
		assertNear(t, "criterion "+name, pair[0], pair[1], 1e-12)
	}
	if direct := KrippendorffAlpha(ratingsOfRecords(records), 0.95, 0, 0); math.Abs(direct.Value-want.Value) > 1e-12 {
		t.Errorf("α of the totals %v, KrippendorffAlpha gives %v", want.Value, direct.Value)
	}
}

func ratingsOfRecords(records []ReviewRecord) []Rating {
	var out []Rating
	for _, r := range records {
		out = append(out, Rating{Work: int64(r.WorkID[0]), Judge: int64(r.JudgeID[1]), Score: oneCriterion.Total(r.Scores)})
	}
	return out
}

func TestMeasureJudging_ICCOnACompleteDesignOnly(t *testing.T) {
	complete := map[string]map[string]float64{}
	for w, row := range shroutFleiss {
		complete[string(rune('a'+w))] = map[string]float64{"j1": row[0], "j2": row[1], "j3": row[2], "j4": row[3]}
	}
	st := MeasureJudging(oneCriterion, totalsRound(complete), DefaultStatisticsOptions)
	if st.Total.ICC == nil {
		t.Fatalf("no ICC on a complete design: %s", st.Total.ICCNote)
	}
	assertNear(t, "ICC(2,4)", st.Total.ICC.Average.Value, 0.62, 0.005)

	incomplete := map[string]map[string]float64{
		"a": {"j1": 80, "j2": 70}, "b": {"j2": 60, "j3": 65}, "c": {"j1": 90, "j3": 85}, "d": {"j1": 40, "j4": 50},
	}
	st = MeasureJudging(oneCriterion, totalsRound(incomplete), DefaultStatisticsOptions)
	if st.Total.ICC != nil || !strings.HasPrefix(st.Total.ICCNote, "不适用") {
		t.Errorf("ICC %+v, note %q; want none, said not applicable", st.Total.ICC, st.Total.ICCNote)
	}
}

func TestMeasureJudging_CountsEverySubmittedReviewAndNoDraft(t *testing.T) {
	records := totalsRound(map[string]map[string]float64{"a": {"j1": 80, "j2": 70}, "calibration": {"j1": 50, "j2": 52}})
	at := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	records = append(records, ReviewRecord{Assignment: Assignment{WorkID: "b", JudgeID: "j3"}, Scores: Scores{"q": 99}, SavedAt: &at})
	st := MeasureJudging(oneCriterion, records, DefaultStatisticsOptions)
	if st.Reviews != 4 || st.Works != 2 || st.Judges != 2 {
		t.Errorf("reviews, works, judges = %d, %d, %d; want 4, 2, 2 (the draft left out)", st.Reviews, st.Works, st.Judges)
	}
}

func TestExtraReviews_TheLeastLoadedFreeJudgeForEachFlaggedWork(t *testing.T) {
	at := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	rec := func(w, j string, done bool) ReviewRecord {
		r := ReviewRecord{Assignment: Assignment{WorkID: w, JudgeID: j}}
		if done {
			r.SubmittedAt = &at
		}
		return r
	}
	in := assignmentInput{
		works: []AssignWork{{ID: "a", Employers: []string{"甲单位"}, Category: "long"}, {ID: "b", Category: "long"}, {ID: "c", Category: "long"},
			{ID: "d", Category: "micro"}},
		judges: []AssignJudge{{ID: "j1"}, {ID: "j2", Employer: "甲单位"}, {ID: "j3"}, {ID: "j4", Categories: map[string]bool{"long": true}}},
		records: []ReviewRecord{rec("a", "j1", true), rec("b", "j1", true), rec("b", "j3", true), rec("c", "j3", false),
			rec("d", "j1", true), rec("d", "j2", true), rec("d", "j3", true)},
	}
	out, add := extraReviews([]string{"a", "b", "c", "d"}, in)
	want := []Assignment{{WorkID: "a", JudgeID: "j4"}, {WorkID: "b", JudgeID: "j2"}}
	if len(add) != 2 || out.Added[0] != want[0] || out.Added[1] != want[1] {
		t.Errorf("added %v, want %v (j2 shares a's employer; j4 is the least loaded)", out.Added, want)
	}
	if len(out.Waiting) != 1 || out.Waiting[0] != "c" || len(out.NoJudge) != 1 || out.NoJudge[0] != "d" {
		t.Errorf("waiting %v, no judge %v; want [c] (a review to come) and [d] (j4 does not review its category)", out.Waiting, out.NoJudge)
	}
}

func TestMakeJudgingReport_NoReviewsYet(t *testing.T) {
	rep := MakeJudgingReport(DefaultRubric(), RankingTable{Groups: []RankingGroup{{Quotas: [3]Quota{{Count: 1}}}}}, nil, DefaultStatisticsOptions)
	if rep.Statistics.Reviews != 0 || len(rep.Flagged) != 0 || !math.IsNaN(rep.Statistics.Total.Alpha.Value) || rep.Statistics.Total.ICC != nil {
		t.Errorf("report without reviews: %+v", rep)
	}
}
