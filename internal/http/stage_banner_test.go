package http_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// TestPages_BannerNamesTheStageWithItsDates: the banner above every page follows the notice's
// contest from before the collection to the published results, each stage with its dates; a
// judge reads when the review closes; the 公示 is given by its days, never to the second.
func TestPages_BannerNamesTheStageWithItsDates(t *testing.T) {
	ffmpegtest.Require(t)
	e := MustEnv(t, "sqlite+localfs")
	org, anon := e.Organizer(), e.Client()
	banner := func(c *client, path string) string {
		t.Helper()
		doc := mustDoc(t, c.Must(http.StatusOK, "GET", path, nil))
		return strings.Join(strings.Fields(doc.Find("#stage-banner").Text()), " ")
	}
	expect := func(who, got string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s's banner %q lacks %q", who, got, w)
			}
		}
	}

	e.Clock.Set(time.Date(2022, 5, 9, 2, 0, 0, 0, time.UTC))
	expect("before the collection", banner(anon, "/"), "征集尚未开始", "作品征集 2022年5月10日至5月20日", "开始时间 2022年5月10日 00:00:00")
	e.Clock.Set(inWindow)
	expect("during the collection", banner(anon, "/"), "征集中", "截止时间 2022年5月20日 23:59:59")
	judge, judgeID, _ := e.InviteJudge(org, "judge2@example.org", "李评委", "省广播电视台")
	expect("a judge during the collection", banner(judge, "/judge"), "评审尚未开始", "评审 2022年5月21日至5月28日", "开始时间 2022年5月21日 00:00:00")
	e.Clock.Set(reviewWindow)
	expect("a judge in the review", banner(judge, "/judge"), "评审中", "截止时间 2022年5月28日 23:59:59")
	// The review set to begin two days after the close: between them, no one reads 评审中.
	var ct map[string]any
	org.Must(http.StatusOK, "GET", "/api/v1/contest", nil).JSON(t, &ct)
	ct["review_start"] = "2022-05-23T00:00:00+08:00"
	org.Must(http.StatusOK, "PUT", "/api/v1/admin/contest", ct)
	e.Clock.Set(time.Date(2022, 5, 21, 2, 0, 0, 0, time.UTC)) // 5月21日 10:00 Beijing
	got := banner(anon, "/")
	expect("the public after the close", got, "征集已截止", "作品征集已于2022年5月20日截止", "评审将于2022年5月23日 00:00:00（北京时间）开始")
	expect("a judge after the close", banner(judge, "/judge"), "评审尚未开始", "开始时间 2022年5月23日 00:00:00")
	if strings.Contains(got, "评审中") {
		t.Errorf("the banner before the review: %q", got)
	}
	ct["review_start"] = "2022-05-21T00:00:00+08:00"
	org.Must(http.StatusOK, "PUT", "/api/v1/admin/contest", ct)
	// Out of the way of the judging below, which has one judge of its own.
	org.Must(http.StatusOK, "POST", "/api/v1/admin/judges/"+judgeID+"/deactivate", nil)
	e.Clock.Set(inWindow)

	owners, _ := e.ConfirmAwards(org, workOf("量子之光", "省农业科学院", "南京市"))
	// ConfirmAwards leaves the clock on 5月22日, judging closed and the awards confirmed.
	expect("the public in the review", banner(anon, "/results"), "评审中", "作品征集已于2022年5月20日截止", "评审 2022年5月21日至5月28日")
	expect("the contestant in the review", banner(owners[0], "/my"), "评审中")

	// Started on 5月22日 10:00, a 5-day 公示 runs to midnight before 5月28日.
	org.Must(http.StatusOK, "POST", "/api/v1/admin/publication/publicity", nil)
	expect("the public in the 公示", banner(anon, "/"), "公示中", "拟获奖作品公示 2022年5月22日至5月27日")
	home := mustDoc(t, anon.Must(http.StatusOK, "GET", "/", nil))
	results := mustDoc(t, anon.Must(http.StatusOK, "GET", "/results", nil))
	expect("the home page", home.Find("#home-results").Text(), "公示期为2022年5月22日至5月27日")
	expect("the 公示", results.Find(".lead").Text(), "公示期为2022年5月22日至5月27日")
	for page, text := range map[string]string{"home": home.Find("main").Text(), "results": results.Find("main").Text()} {
		if strings.Contains(text, "00:00:00") || strings.Contains(text, "10:00:00") {
			t.Errorf("the %s page gives the 公示 to the second:\n%s", page, text)
		}
	}
	notes := owners[0].Messages().ofKind("publicity_started")
	if len(notes) != 1 || !strings.Contains(notes[0].Body, "公示期至2022年5月27日。") {
		t.Errorf("the winner's 公示 message %+v", notes)
	}

	e.Clock.Set(afterPublicity)
	expect("the public after the 公示", banner(anon, "/"), "公示期满", "评选结果即将发布")
	org.Must(http.StatusOK, "POST", "/api/v1/admin/publication/publish", nil)
	got = banner(anon, "/showcase")
	expect("the public after publishing", got, "结果已发布", "评选结果已于2022年5月28日发布")
	if strings.Contains(got, "征集") {
		t.Errorf("the published results' banner still speaks of the collection: %q", got)
	}
}
