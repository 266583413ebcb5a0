package contest

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// rankedRows builds a ranking table: in each group, works with the given ranks ("1 2 2 4").
func rankedRows(groups map[string]string, quotas [3]Quota) (Contest, RankingTable) {
	c := Contest{Judging: JudgingSettings{Quotas: quotas}}
	var t RankingTable
	for _, key := range []string{"a", "b"} {
		ranks, ok := groups[key]
		if !ok {
			continue
		}
		c.Categories = append(c.Categories, Category{Key: key, Name: strings.ToUpper(key)})
		t.Groups = append(t.Groups, RankingGroup{Key: key, Name: strings.ToUpper(key), Quotas: quotas})
		for i, r := range strings.Fields(ranks) {
			var rank int
			fmt.Sscan(r, &rank)
			t.Rows = append(t.Rows, RankingRow{RankedWork: RankedWork{WorkID: fmt.Sprintf("%s%d", key, i+1), Rank: rank}, Category: key})
		}
	}
	return c, t
}

func ids(rows []RankingRow) string {
	var out []string
	for _, r := range rows {
		out = append(out, r.WorkID)
	}
	return strings.Join(out, " ")
}

func TestShortlist_TakesTheBestOfEachGroupWithTiesAtTheCut(t *testing.T) {
	c, tab := rankedRows(map[string]string{"a": "1 2 3 3 5 6", "b": "1 2 3"}, [3]Quota{{Count: 1}, {}, {}})
	for _, tt := range []struct {
		q    Quota
		want string
	}{
		{Quota{Count: 3}, "a1 a2 a3 a4 b1 b2 b3"}, // a3 and a4 share the third rank; b has three
		{Quota{Count: 2}, "a1 a2 b1 b2"},
		{Quota{Percent: 50}, "a1 a2 a3 a4 b1"}, // 50% of 6 is 3 (with the tie), of 3 is 1
		{Quota{Percent: 10}, "a1 b1"},          // at least one of each group
	} {
		got, ranked, err := shortlistOf(c, tab, tt.q)
		if err != nil || ids(got) != tt.want {
			t.Errorf("shortlist %s = %q, %v; want %q", tt.q, ids(got), err, tt.want)
		}
		if ranked["a"] != 6 || ranked["b"] != 3 {
			t.Errorf("ranked per group %v", ranked)
		}
	}
}

func TestShortlist_SmallerThanAGroupsAwardsIsRefused(t *testing.T) {
	c, tab := rankedRows(map[string]string{"a": "1 2 3 4 5", "b": "1 2"}, [3]Quota{{Count: 1}, {Count: 1}, {Count: 1}})
	_, _, err := shortlistOf(c, tab, Quota{Count: 2})
	if fe := ErrorFields(err)["shortlist"]; fe.Code != "shortlist_small" || !strings.Contains(fe.Message, "“A”（2 件）少于获奖名额（3 件）") {
		t.Errorf("a shortlist of 2 for 3 awards: %v", err)
	}
	// b has only two works: its awards cannot be more than its works anyway.
	c, tab = rankedRows(map[string]string{"a": "1 2 3 4 5"}, [3]Quota{{Percent: 20}, {Percent: 20}, {Percent: 20}})
	if _, _, err := shortlistOf(c, tab, Quota{Count: 3}); err != nil {
		t.Errorf("3 of 5 for 3 awards of 20%%: %v", err)
	}
}

func TestCountedQuotas_PercentagesCountFromTheFirstRound(t *testing.T) {
	g := RankingGroup{Key: "a", Quotas: [3]Quota{{Percent: 10}, {Count: 2}, {Percent: 20}}}
	j := JudgingSettings{}
	if got := g.countedQuotas(j.quotaBase("a", 10)); got != [3]Quota{{Count: 1}, {Count: 2}, {Count: 2}} {
		t.Errorf("one round of 10 works: %v", got)
	}
	j.Rounds = []RoundRecord{{Number: 1, Ranked: map[string]int{"a": 40}}}
	if got := g.countedQuotas(j.quotaBase("a", 10)); got != [3]Quota{{Count: 4}, {Count: 2}, {Count: 8}} {
		t.Errorf("10 finalists of 40 works: %v", got)
	}
	if got := (RankingGroup{Quotas: [3]Quota{{Percent: 1}}}).countedQuotas(50); got != [3]Quota{} {
		t.Errorf("1%% of 50 works: %v, want no award", got)
	}
}

func TestCheckAdvance_Refusals(t *testing.T) {
	for _, tt := range []struct {
		in     Advance
		k, js  int
		fields string
	}{
		{Advance{Shortlist: Quota{Count: 5}}, 3, 3, ""},
		{Advance{Shortlist: Quota{}}, 3, 3, "shortlist"},
		{Advance{Shortlist: Quota{Percent: 120}}, 3, 3, "shortlist"},
		{Advance{Shortlist: Quota{Count: 5}, Name: strings.Repeat("终", 21)}, 3, 3, "name"},
		{Advance{Shortlist: Quota{Count: 5}}, 4, 3, "reviews_per_work"},
		{Advance{Shortlist: Quota{Count: 5}}, 0, 0, "judges"},
	} {
		var got []string
		for f := range ErrorFields(checkAdvance(tt.in, tt.k, tt.js)) {
			got = append(got, f)
		}
		if strings.Join(got, ",") != tt.fields {
			t.Errorf("%+v k=%d judges=%d: fields %v, want %q", tt.in, tt.k, tt.js, got, tt.fields)
		}
	}
}

func TestRoundNames(t *testing.T) {
	j := JudgingSettings{}
	if j.RoundLabel() != "" || j.NextRoundName() != "终评" || j.CurrentRound() != 1 {
		t.Errorf("one round: label %q, next %q, current %d", j.RoundLabel(), j.NextRoundName(), j.CurrentRound())
	}
	j = JudgingSettings{Round: 3, Rounds: []RoundRecord{{Number: 1}, {Number: 2}}}
	if j.RoundLabel() != "第三轮" || j.NextRoundName() != "第四轮" {
		t.Errorf("third round: %q, next %q", j.RoundLabel(), j.NextRoundName())
	}
	j.RoundName = "复评"
	if j.RoundLabel() != "复评" || !j.InRound("x") {
		t.Errorf("named round %q", j.RoundLabel())
	}
	j.RoundJudges = []string{"y"}
	if j.InRound("x") || !j.InRound("y") {
		t.Error("a round's judges")
	}
}

func TestSettingsOnly_ANewContestStartsAtItsFirstRound(t *testing.T) {
	first := Rubric{{Key: "a", Name: "A", MaxPoints: 10, Weight: 100}}
	c := Contest{Judging: JudgingSettings{Rubric: Rubric{{Key: "b", Name: "B", MaxPoints: 5, Weight: 100}}, ReviewsPerWork: 5,
		Round: 2, RoundName: "终评", RoundJudges: []string{"j"}, Rounds: []RoundRecord{{Number: 1, Rubric: first, ReviewsPerWork: 3}},
		Calibration: []string{"w"}, ShareComments: true, FeedbackReleasedAt: &time.Time{}}}
	got := c.settingsOnly().Judging
	if got.Round != 0 || got.Rounds != nil || got.RoundJudges != nil || got.RoundName != "" || got.ReviewsPerWork != 3 || got.Rubric[0].Key != "a" ||
		got.Calibration != nil || got.FeedbackReleasedAt != nil || !got.ShareComments {
		t.Errorf("copied judging %+v", got)
	}
}

func TestFeedbackOverRounds_MeansOfTheLastRoundCommentsOfEvery(t *testing.T) {
	first := Rubric{{Key: "a", Name: "选题", MaxPoints: 10, Weight: 100}}
	final := Rubric{{Key: "b", Name: "表现", MaxPoints: 20, Weight: 100}}
	at := time.Date(2022, 5, 22, 2, 0, 0, 0, time.UTC)
	rec := func(work, judge string, s Scores, comment string) ReviewRecord {
		return ReviewRecord{Assignment: Assignment{WorkID: work, JudgeID: judge}, Scores: s, Comment: comment, SubmittedAt: &at}
	}
	rounds := []roundReviews{
		{first, []ReviewRecord{rec("w", "j1", Scores{"a": 6}, "初评意见"), rec("x", "j1", Scores{"a": 4}, "止于初评")}},
		{final, []ReviewRecord{rec("w", "j2", Scores{"b": 18}, "终评意见"), rec("w", "j3", Scores{"b": 14}, "")}},
	}
	f := feedbackOverRounds("w", rounds)
	if len(f.Criteria) != 1 || f.Criteria[0].Name != "表现" || f.Criteria[0].Mean != 16 {
		t.Errorf("a finalist's criteria %+v, want 终评's 表现 16", f.Criteria)
	}
	if len(f.Comments) != 2 || f.Comments[0] != (FeedbackComment{"评委一", "终评意见"}) || f.Comments[1] != (FeedbackComment{"评委二", "初评意见"}) {
		t.Errorf("a finalist's comments %+v", f.Comments)
	}
	g := feedbackOverRounds("x", rounds)
	if len(g.Criteria) != 1 || g.Criteria[0].Name != "选题" || len(g.Comments) != 1 || g.Comments[0].Text != "止于初评" {
		t.Errorf("a work that stopped at 初评: %+v", g)
	}
}
