package contest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCategories_Validation(t *testing.T) {
	long := strings.Repeat("组", MaxCategoryRunes+1)
	many := make([]Category, MaxCategories+1)
	for i := range many {
		many[i].Name = fmt.Sprintf("组%d", i)
	}
	tooMuch := [3]Quota{{Percent: 60}, {Percent: 30}, {Percent: 20}}
	for _, tc := range []struct {
		name string
		cats []Category
		want map[string]string // field → code
	}{
		{"none", nil, map[string]string{}},
		{"two named", []Category{{Name: " 个人 "}, {Name: "团队"}}, map[string]string{}},
		{"empty name", []Category{{Name: "个人"}, {Name: "  "}}, map[string]string{"categories.1": "category_name"}},
		{"name too long", []Category{{Name: long}}, map[string]string{"categories.0": "category_name"}},
		{"name twice", []Category{{Name: "个人"}, {Name: "个人"}}, map[string]string{"categories.1": "category_duplicate"}},
		{"too many", many, map[string]string{"categories": "categories_max"}},
		{"own quotas over 100%", []Category{{Name: "个人", Quotas: &tooMuch}}, map[string]string{"categories.0": "category_quotas"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultContest()
			c.Categories = tc.cats
			got := map[string]string{}
			for k, fe := range ErrorFields(c.Validate()) {
				got[k] = fe.Code
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCategories_NewOnesGetFreeKeysAndNamesAreTrimmed(t *testing.T) {
	c := DefaultContest()
	c.Categories = []Category{{Key: "c2", Name: "团队"}, {Name: " 个人 "}, {Name: "农业科技"}, {Key: "c2", Name: "重复的键"}}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, cat := range c.Categories {
		got = append(got, cat.Key+"="+cat.Name)
	}
	if diff := cmp.Diff([]string{"c2=团队", "c1=个人", "c3=农业科技", "c4=重复的键"}, got); diff != "" {
		t.Errorf("categories (-want +got):\n%s", diff)
	}
}

func TestMissingIn_AContestWithCategoriesAsksForOne(t *testing.T) {
	sub := Submission{}
	c := DefaultContest()
	if _, ok := sub.MissingIn(c)["category"]; ok {
		t.Error("a contest without categories asks for one")
	}
	c.Categories = []Category{{Key: "c1", Name: "个人"}}
	if fe := sub.MissingIn(c)["category"]; fe.Message != "请选择组别" {
		t.Errorf("no category: %+v, want 请选择组别", fe)
	}
	sub.Category = "c1"
	if _, ok := sub.MissingIn(c)["category"]; ok {
		t.Error("a chosen category is still missing")
	}
	if ErrorFields(c.checkCategory("c9"))["category"].Code != "category_unknown" {
		t.Error("an unknown key passes")
	}
}

// TestRankingGroups_EachCategoryRankedAndAwardedByItsOwnQuotas ranks two categories of five
// works: 个人 with the contest's quotas (1, 1, 1), 团队 with its own (2, 0, 1).
func TestRankingGroups_EachCategoryRankedAndAwardedByItsOwnQuotas(t *testing.T) {
	c := DefaultContest()
	c.Judging.Quotas = [3]Quota{{Count: 1}, {Count: 1}, {Count: 1}}
	own := [3]Quota{{Count: 2}, {Count: 0}, {Count: 1}}
	c.Categories = []Category{{Key: "c1", Name: "个人"}, {Key: "c2", Name: "团队", Quotas: &own}}
	var subs []Submission
	var reviews []Review
	for i := range 10 {
		cat := []string{"c1", "c2"}[i%2]
		id := fmt.Sprintf("w%02d", i)
		subs = append(subs, Submission{ID: id, Category: cat})
		points := float64(10 + i) // later works score higher in both categories
		reviews = append(reviews, Review{WorkID: id, JudgeID: "j", Scores: Scores{CritTheme: points, CritOrientation: 10, CritTimeliness: 10, CritArtistry: 10}})
	}
	subs = append(subs, Submission{ID: "stale", Category: "c9"})
	reviews = append(reviews, Review{WorkID: "stale", JudgeID: "j", Scores: Scores{CritTheme: 1}})
	got := map[string][]string{}
	for _, g := range rankingGroups(c, subs) {
		ranked := Rank(c.Judging.Rubric, reviews, g.ids, RankOptions{})
		props, _ := ProposeAwards(ranked, g.Quotas)
		for _, p := range props {
			got[g.Name] = append(got[g.Name], fmt.Sprintf("%s#%d:%s", p.WorkID, p.Rank, p.Tier.Label()))
		}
	}
	want := map[string][]string{
		"个人":   {"w08#1:一等奖", "w06#2:二等奖", "w04#3:三等奖", "w02#4:未获奖", "w00#5:未获奖"},
		"团队":   {"w09#1:一等奖", "w07#2:一等奖", "w05#3:三等奖", "w03#4:未获奖", "w01#5:未获奖"},
		"未选组别": {"stale#1:一等奖"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("awards by category (-want +got):\n%s", diff)
	}
}

func TestRankingGroups_WithoutCategoriesOneGroupWithTheContestsQuotas(t *testing.T) {
	c := DefaultContest()
	groups := rankingGroups(c, []Submission{{ID: "a", Category: "c1"}, {ID: "b"}})
	if len(groups) != 1 || groups[0].Name != "" || groups[0].Quotas != c.Judging.Quotas || len(groups[0].ids) != 2 {
		t.Errorf("groups %+v, want one unnamed group of both works", groups)
	}
}

func TestAssign_JudgesLimitedToCategoriesGetOnlyTheirWorks(t *testing.T) {
	var works []AssignWork
	for i := range 12 {
		works = append(works, AssignWork{ID: fmt.Sprintf("w%d", i), Employers: []string{fmt.Sprintf("单位%d", i)}, Category: []string{"c1", "c2"}[i%2]})
	}
	only := func(keys ...string) map[string]bool {
		m := map[string]bool{}
		for _, k := range keys {
			m[k] = true
		}
		return m
	}
	judges := []AssignJudge{
		{ID: "a", Categories: only("c1")}, {ID: "b", Categories: only("c1")}, {ID: "c", Categories: only("c1")},
		{ID: "d", Categories: only("c2")}, {ID: "e", Categories: only("c2")}, {ID: "f", Categories: only("c2")},
	}
	p := Assign(works, judges, 2, nil, 7)
	cat := map[string]string{}
	for _, w := range works {
		cat[w.ID] = w.Category
	}
	per := map[string]int{}
	for _, a := range p.Assignments {
		j := judges[strings.Index("abcdef", a.JudgeID)]
		if !j.Categories[cat[a.WorkID]] {
			t.Errorf("judge %s (only %v) got work %s of %s", a.JudgeID, j.Categories, a.WorkID, cat[a.WorkID])
		}
		per[a.WorkID]++
	}
	for _, w := range works {
		if per[w.ID] != 2 {
			t.Errorf("work %s has %d judges, want 2", w.ID, per[w.ID])
		}
	}
	for id, n := range p.Load {
		if n != 4 { // 6 works × 2 reviews over 3 judges per category
			t.Errorf("judge %s has %d works, want 4 (balanced)", id, n)
		}
	}
	if len(p.Short) != 0 || len(p.ShortCategories) != 0 {
		t.Errorf("short %v, short categories %v; want none", p.Short, p.ShortCategories)
	}
}

func TestAssign_ACategoryWithTooFewJudgesIsReported(t *testing.T) {
	works := []AssignWork{{ID: "w1", Category: "c1"}, {ID: "w2", Category: "c2"}}
	judges := []AssignJudge{{ID: "a", Categories: map[string]bool{"c1": true}}, {ID: "b", Categories: map[string]bool{"c1": true}},
		{ID: "c"}} // c reviews every category
	p := Assign(works, judges, 2, nil, 1)
	if diff := cmp.Diff(map[string]int{"c2": 1}, p.ShortCategories); diff != "" {
		t.Errorf("short categories (-want +got):\n%s", diff)
	}
	if p.Short["w2"] != 1 {
		t.Errorf("short works %v, want w2 with 1 judge", p.Short)
	}
}

func TestCertificateDoc_NamesTheCategory(t *testing.T) {
	tpl := DefaultCertificateTemplate("省科协")
	cert := Certificate{Tier: TierFirst, Title: "作品", Names: []string{"张三"}}
	plain := tpl.Doc(DefaultContest(), cert, "", time.Now())
	cert.Category = "个人"
	doc := tpl.Doc(DefaultContest(), cert, "", time.Now())
	want := append(append([]string{}, plain.Paragraphs[:2]...), "组别：个人", plain.Paragraphs[2])
	if diff := cmp.Diff(want, doc.Paragraphs); diff != "" {
		t.Errorf("paragraphs (-want +got):\n%s", diff)
	}
	tpl.Body = "{姓名}在{组别}组荣获{奖项}"
	if got := tpl.Doc(DefaultContest(), cert, "", time.Now()).Paragraphs; !cmp.Equal(got, []string{"张三在个人组荣获一等奖"}) {
		t.Errorf("with {组别}: %v", got)
	}
}

func TestPublicResults_GroupsByCategoryInTheContestsOrder(t *testing.T) {
	c := DefaultContest()
	c.Categories = []Category{{Key: "c1", Name: "个人"}, {Key: "c2", Name: "团队"}}
	p := PublicResults{Contest: c, Results: []Result{
		{WorkID: "t1", Tier: TierFirst, Category: "团队"}, {WorkID: "p1", Tier: TierFirst, Category: "个人"},
		{WorkID: "p2", Tier: TierThird, Category: "个人"}, {WorkID: "o1", Tier: TierSecond, Category: "旧组别"},
	}}
	var got []string
	for _, g := range p.Groups() {
		for _, tier := range g.Tiers {
			for _, r := range tier {
				got = append(got, g.Category+":"+r.Tier.Label()+":"+r.WorkID)
			}
		}
	}
	want := []string{"个人:一等奖:p1", "个人:三等奖:p2", "团队:一等奖:t1", "旧组别:二等奖:o1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	if g := (PublicResults{Results: []Result{{Tier: TierFirst}}}).Groups(); len(g) != 1 || g[0].Category != "" {
		t.Errorf("without categories: %+v, want one unnamed group", g)
	}
}
