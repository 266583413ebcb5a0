package contest

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestWorkFeedbackOf_MeansAndAnonymousCommentsInAStableOrder(t *testing.T) {
	r := Rubric{{Key: "a", Name: "主题", MaxPoints: 30, Weight: 60}, {Key: "b", Name: "艺术性", MaxPoints: 20, Weight: 40}}
	now := time.Now()
	records := []ReviewRecord{
		{Assignment: Assignment{"w", "judge-zhang"}, Scores: Scores{"a": 24, "b": 10}, Comment: "  节奏紧凑。 ", SubmittedAt: &now},
		{Assignment: Assignment{"w", "judge-li"}, Scores: Scores{"a": 27, "b": 15}, Comment: "", SubmittedAt: &now},
		{Assignment: Assignment{"w", "judge-wang"}, Scores: Scores{"a": 21, "b": 20}, Comment: "立意新颖。", SubmittedAt: &now},
		{Assignment: Assignment{"w", "judge-zhao"}, Scores: Scores{"a": 0, "b": 0}, Comment: "草稿不算", SavedAt: &now},
		{Assignment: Assignment{"other", "judge-li"}, Scores: Scores{"a": 1, "b": 1}, Comment: "别的作品", SubmittedAt: &now},
	}
	f := WorkFeedbackOf(r, "w", records)
	wantCrit := []CriterionFeedback{{"主题", 24, 30}, {"艺术性", 15, 20}}
	if diff := cmp.Diff(wantCrit, f.Criteria); diff != "" {
		t.Errorf("criteria (-want +got):\n%s", diff)
	}
	if len(f.Comments) != 2 || f.Comments[0].Judge != "评委一" || f.Comments[1].Judge != "评委二" {
		t.Fatalf("comments %+v, want two, labelled 评委一 and 评委二", f.Comments)
	}
	texts := []string{f.Comments[0].Text, f.Comments[1].Text}
	if !cmp.Equal(texts, []string{"节奏紧凑。", "立意新颖。"}) && !cmp.Equal(texts, []string{"立意新颖。", "节奏紧凑。"}) {
		t.Errorf("comments %q", texts)
	}
	// The same order whatever order the records come in.
	reversed := []ReviewRecord{records[4], records[3], records[2], records[1], records[0]}
	if diff := cmp.Diff(f, WorkFeedbackOf(r, "w", reversed)); diff != "" {
		t.Errorf("order depends on the records' order (-first +second):\n%s", diff)
	}
	for _, c := range f.Comments {
		if strings.Contains(c.Judge+c.Text, "judge") {
			t.Errorf("a judge's id in %+v", c)
		}
	}
	if got := WorkFeedbackOf(r, "none", records); got.Criteria != nil || got.Comments != nil {
		t.Errorf("a work without reviews has feedback %+v", got)
	}
}

func TestChineseNumber(t *testing.T) {
	for n, want := range map[int]string{1: "一", 9: "九", 10: "十", 11: "十一", 20: "二十", 23: "二十三"} {
		if got := chineseNumber(n); got != want {
			t.Errorf("%d: %q, want %q", n, got, want)
		}
	}
}
