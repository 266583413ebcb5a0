package contest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCityOf_ReadsThePrefectureFromAnAddress(t *testing.T) {
	for _, tc := range []struct{ address, want string }{
		{"江苏省南京市玄武区孝陵卫街50号", "南京市"},
		{"南京市鼓楼区汉口路22号", "南京市"},
		{"江苏省苏州市工业园区星湖街", "苏州市"},
		{"北京市海淀区中关村大街1号", "北京市"},
		{"新疆维吾尔自治区乌鲁木齐市天山区", "乌鲁木齐市"},
		{"湖北省恩施土家族苗族自治州恩施市", "恩施土家族苗族自治州"},
		{"  江苏省 南通市 崇川区", "南通市"},
		{"玄武区孝陵卫街50号", "未注明"},
		{"", "未注明"},
	} {
		if got := CityOf(tc.address); got != tc.want {
			t.Errorf("CityOf(%q) = %q, want %q", tc.address, got, tc.want)
		}
	}
}

func TestContestStage_FollowsConfirmationPublicityAndPublishing(t *testing.T) {
	now := time.Date(2022, 5, 29, 10, 0, 0, 0, Beijing)
	c := DefaultContest()
	if c.Stage(now) != StageJudging {
		t.Fatalf("fresh contest at %s", c.Stage(now))
	}
	c.Judging.AwardsConfirmedAt, c.Judging.AwardsVersion = &now, 1
	if c.Stage(now) != StageConfirmed {
		t.Fatalf("confirmed awards at %s", c.Stage(now))
	}
	end := now.AddDate(0, 0, 5)
	c.Publication.PublicityStart, c.Publication.PublicityEnd, c.Publication.PublicityVersion = &now, &end, 1
	if c.Stage(end.Add(-time.Second)) != StagePublicity || c.Stage(end) != StageReady {
		t.Fatalf("publicity: %s before its end, %s at its end", c.Stage(end.Add(-time.Second)), c.Stage(end))
	}
	c.Publication.WithdrawnAt = &end
	if c.Stage(end) != StageWithdrawn {
		t.Fatalf("withdrawn results at %s", c.Stage(end))
	}
	c.Publication.WithdrawnAt = nil
	c.Judging.AwardsVersion = 2 // a new version voids the 公示 of the old one
	if c.Stage(end) != StageConfirmed {
		t.Fatalf("a new awards version at %s, want a new 公示 needed", c.Stage(end))
	}
	c.Publication.PublishedAt = &end
	if c.Stage(end) != StagePublished {
		t.Fatalf("published at %s", c.Stage(end))
	}
}

func TestCertificatesFor_KeepsSerialsOfWhatDidNotChange(t *testing.T) {
	now := time.Date(2022, 5, 29, 10, 0, 0, 0, Beijing)
	c := DefaultContest()
	c.ID, c.Judging.AwardsVersion = "c", 1
	results := []Result{
		{WorkID: "a", Tier: TierFirst, Title: "量子之光", Names: []string{"张三", "李四"}, Employer: "东南大学"},
		{WorkID: "b", Tier: TierSecond, Title: "稻浪", Names: []string{"王五"}, Employer: "省农科院"},
	}
	first, revoke := certificatesFor(c, results, nil, now)
	if len(first) != 2 || len(revoke) != 0 || first[0].Serial == first[1].Serial || first[0].Serial[:7] != "2022-1-" {
		t.Fatalf("first issue %+v, revoke %v", first, revoke)
	}

	// Published again unchanged: the same serials, nothing revoked.
	again, revoke := certificatesFor(c, results, first, now.Add(time.Hour))
	if d := cmp.Diff([]string{first[0].Serial, first[1].Serial}, []string{again[0].Serial, again[1].Serial}); d != "" || len(revoke) != 0 {
		t.Fatalf("serials changed (-first +again):\n%s revoked %v", d, revoke)
	}

	// The wording changed (after a withdrawal): new serials, the old ones revoked.
	reworded := c
	reworded.Publication.Certificate.Issuer = "省科协科普部"
	if issue, revoke := certificatesFor(reworded, results, first, now.Add(time.Hour)); issue[0].Serial == first[0].Serial || len(revoke) != 2 {
		t.Fatalf("a new wording kept serial %s (revoked %v)", issue[0].Serial, revoke)
	}

	// b moves to 一等奖 and a drops out; per-participant certificates are asked for.
	c.Publication.Certificate.PerParticipant = true
	moved := []Result{{WorkID: "b", Tier: TierFirst, Title: "稻浪", Names: []string{"王五"}, Employer: "省农科院"}}
	issue, revoke := certificatesFor(c, moved, first, now.Add(2*time.Hour))
	if len(issue) != 2 || issue[0].Serial == first[1].Serial || issue[1].Recipient != "王五" {
		t.Fatalf("issued %+v", issue)
	}
	if d := cmp.Diff([]string{first[1].Serial, first[0].Serial}, revoke, cmpSorted); d != "" {
		t.Fatalf("revoked (-want +got):\n%s", d)
	}
}

var cmpSorted = cmp.Transformer("sort", func(in []string) map[string]bool {
	out := map[string]bool{}
	for _, s := range in {
		out[s] = true
	}
	return out
})

func TestCountStatistics_ByEmployerCityAndDay(t *testing.T) {
	loc := Beijing
	day1 := time.Date(2022, 5, 10, 23, 30, 0, 0, loc)
	day2 := time.Date(2022, 5, 11, 0, 30, 0, 0, loc)
	passed := &FormalReview{Decision: FormalPassed}
	works := []Submission{
		{ID: "a", Status: StatusSubmitted, CreatedAt: day1, SubmittedAt: &day2, Formal: passed,
			Registration: Registration{Employer: "东南大学", Address: "江苏省南京市玄武区"}},
		{ID: "b", Status: StatusSubmitted, CreatedAt: day1, SubmittedAt: &day1, Formal: passed,
			Registration: Registration{Employer: "东南 大学。", Address: "南京市鼓楼区"}},
		{ID: "c", Status: StatusSubmitted, CreatedAt: day2, SubmittedAt: &day2,
			Registration: Registration{Employer: "省人民医院", Address: "江苏省苏州市"}},
		{ID: "d", Status: StatusDraft, CreatedAt: day2, Registration: Registration{Employer: "省人民医院"}},
	}
	st := countStatistics(works, []Result{{WorkID: "a", Tier: TierFirst}, {WorkID: "b", Tier: TierThird}}, loc)
	if st.Works != 3 || st.Drafts != 1 || st.Accepted != 2 || st.Awards != [3]int{1, 0, 1} {
		t.Fatalf("totals %+v", st)
	}
	want := []StatRow{{Name: "东南大学", Works: 2, Accepted: 2, Awards: [3]int{1, 0, 1}}, {Name: "省人民医院", Works: 1}}
	if d := cmp.Diff(want, st.ByEmployer); d != "" {
		t.Errorf("by employer (-want +got):\n%s", d)
	}
	if st.ByCity[0].Name != "南京市" || st.ByCity[0].Works != 2 || st.ByCity[1].Name != "苏州市" {
		t.Errorf("by city %+v", st.ByCity)
	}
	wantDays := []DayCount{{Date: "2022-05-10", Created: 2, Submitted: 1}, {Date: "2022-05-11", Created: 2, Submitted: 2}}
	if d := cmp.Diff(wantDays, st.PerDay); d != "" {
		t.Errorf("per day (-want +got):\n%s", d)
	}
}
