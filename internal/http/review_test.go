package http_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// reviewWindow is inside the default contest's review window (2022-05-21 to 05-28, Beijing).
var reviewWindow = time.Date(2022, 5, 22, 2, 0, 0, 0, time.UTC)

type task struct {
	ID, Title, Description string
	VideoURL               string `json:"video_url"`
	PosterURL              string `json:"poster_url"`
	Scores                 map[string]float64
	SubmittedAt            *time.Time `json:"submitted_at"`
}

// TestReview_AssignScoreAndRankBlind runs judging end to end through the API: formal review,
// assignment without conflicts, blind queues, scoring, and the ranking.
func TestReview_AssignScoreAndRankBlind(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		org := e.Organizer()
		// Three works from three employers; the third is excluded at formal review.
		employers := []string{"省农业科学院", "东南大学", "省人民医院"}
		var works []string
		for i, emp := range employers {
			_, id := e.SubmitWork("c"+string(rune('a'+i))+"@example.org", workBy(emp, []string{"星辰", "稻浪", "匠心"}[i]))
			works = append(works, id)
		}
		org.PassFormal(works[0])
		org.PassFormal(works[1])
		org.Must(http.StatusOK, "PUT", "/api/v1/admin/submissions/"+works[2]+"/formal-review", map[string]string{"decision": "excluded", "reason": "偏离主题"})

		// Four judges; the one from 东南大学 must never see that work.
		judges, judgeIDs := map[string]*client{}, map[string]string{}
		for _, j := range []struct{ email, employer string }{
			{"j1@example.org", "省科技馆"}, {"j2@example.org", "南京大学"}, {"j3@example.org", "省广播电视台"}, {"j4@example.org", "东南大学"},
		} {
			judges[j.email], judgeIDs[j.email], _ = e.InviteJudge(org, j.email, "评委", j.employer)
		}
		var run struct{ Assignments int }
		org.Must(http.StatusOK, "POST", "/api/v1/admin/assignments/run", nil).JSON(t, &run)
		if run.Assignments != 6 {
			t.Fatalf("%d assignments, want 2 works × 3 judges", run.Assignments)
		}

		queue := func(c *client) []task {
			var q struct{ Items []task }
			r := c.Must(http.StatusOK, "GET", "/api/v1/judge/works", nil)
			r.JSON(t, &q)
			// Blind: nothing personal of the contestants in the judge's API — not even a masked
			// number ("1101**…"; a bare "1101" also occurs in random ids, 1 run in ~300).
			for _, personal := range []string{"张三", idZhang, "1101*", "13800138000", "zhang@example.org", "zhangsan",
				"孝陵卫街", "210014", "省农业科学院", "东南大学", "省人民医院"} {
				if strings.Contains(string(r.Body), personal) {
					t.Fatalf("judge's queue contains %q:\n%s", personal, r.Body)
				}
			}
			return q.Items
		}
		seen := map[string]int{}
		for email, c := range judges {
			for _, it := range queue(c) {
				seen[it.ID]++
				if email == "j4@example.org" && it.ID == works[1] {
					t.Fatal("the 东南大学 judge got the 东南大学 work")
				}
				if it.ID == works[2] {
					t.Fatal("an excluded work was assigned")
				}
			}
		}
		if seen[works[0]] != 3 || seen[works[1]] != 3 {
			t.Fatalf("reviews per work: %v", seen)
		}

		// Roles: only the assigned judge reaches the work.
		j1 := judges["j1@example.org"]
		mine := queue(j1)
		w := mine[0].ID
		var other *client
		for _, c := range judges {
			if !slices.ContainsFunc(queue(c), func(t task) bool { return t.ID == w }) {
				other = c
			}
		}
		if other != nil {
			if r := other.Do("GET", "/api/v1/judge/works/"+w, nil); r.Status != http.StatusNotFound {
				t.Errorf("unassigned judge = %d, want 404", r.Status)
			}
		}
		for who, c := range map[string]*client{"anonymous": e.Client(), "contestant": e.Client().SignUp("x@example.org"), "organizer": org} {
			if r := c.Do("GET", "/api/v1/judge/works/"+w, nil); r.Status != http.StatusUnauthorized && r.Status != http.StatusForbidden {
				t.Errorf("%s reads a judge's work = %d", who, r.Status)
			}
		}
		// Blind in the pages too: the queue and the review page.
		for _, path := range []string{"/judge", "/judge/works/" + w} {
			page := string(j1.Must(http.StatusOK, "GET", path, nil).Body)
			for _, personal := range []string{"张三", idZhang, "13800138000", "zhang@example.org", "zhangsan", "孝陵卫街", "210014",
				"省农业科学院", "东南大学", "省人民医院"} {
				if strings.Contains(page, personal) {
					t.Fatalf("judge's page %s contains %q", path, personal)
				}
			}
		}
		if body := j1.Fetch(mine[0].VideoURL); len(body) < 1000 || mine[0].PosterURL == "" {
			t.Errorf("judge's video: %d bytes, poster %q", len(body), mine[0].PosterURL)
		}

		// A judge declares a conflict with works[0]: it leaves their queue for another judge.
		var leaving *client
		for email, c := range judges {
			if email != "j4@example.org" && slices.ContainsFunc(queue(c), func(t task) bool { return t.ID == works[0] }) {
				leaving = c
				break
			}
		}
		leaving.Must(http.StatusNoContent, "POST", "/api/v1/judge/works/"+works[0]+"/conflict", map[string]string{"reason": "与作者是同学"})
		if slices.ContainsFunc(queue(leaving), func(t task) bool { return t.ID == works[0] }) {
			t.Fatal("the work stays in the queue of the judge who declared a conflict")
		}
		org.Must(http.StatusOK, "POST", "/api/v1/admin/assignments/run", nil)
		count := 0
		for _, c := range judges {
			if slices.ContainsFunc(queue(c), func(t task) bool { return t.ID == works[0] }) {
				count++
				if c == leaving {
					t.Fatal("re-running the assignment gave the work back to the judge who declared a conflict")
				}
			}
		}
		if count != 3 {
			t.Fatalf("works[0] has %d judges after the conflict, want 3", count)
		}
		mine = queue(j1)
		w = mine[0].ID

		// Deactivating a judge gives their works to the others; a fifth judge, invited for the
		// purpose, takes one on and leaves again.
		_, j5ID, j5Password := e.InviteJudge(org, "j5@example.org", "评委", "省图书馆")
		org.Must(http.StatusOK, "POST", "/api/v1/admin/judges/"+j5ID+"/deactivate", nil) // nothing to hand over yet
		org.Must(http.StatusOK, "POST", "/api/v1/admin/judges/"+j5ID+"/activate", nil)
		j3Works := queue(judges["j3@example.org"])
		org.Must(http.StatusOK, "POST", "/api/v1/admin/judges/"+judgeIDs["j3@example.org"]+"/deactivate", nil)
		e5 := e.Client() // signed out by the deactivation: signs in again
		e5.Must(http.StatusOK, "POST", "/api/v1/auth/login", map[string]string{"email": "j5@example.org", "password": j5Password})
		got5 := queue(e5)
		if len(got5) != len(j3Works) || len(j3Works) == 0 {
			t.Fatalf("the judge left with %d works; the new judge got %d", len(j3Works), len(got5))
		}
		delete(judges, "j3@example.org")
		judges["j5@example.org"] = e5

		// Scoring only in the review window; a draft may be partial, a submission not.
		score := map[string]any{"scores": map[string]float64{"theme": 28, "orientation": 18, "timeliness": 22, "artistry": 24}, "submit": true}
		if r := j1.Do("PUT", "/api/v1/judge/works/"+w+"/review", score); r.Status != http.StatusForbidden {
			t.Fatalf("scoring before the review window = %d %s", r.Status, r.Body)
		}
		e.Clock.Set(reviewWindow)
		j1.Must(http.StatusOK, "PUT", "/api/v1/judge/works/"+w+"/review", map[string]any{"scores": map[string]float64{"theme": 20}})
		if r := j1.Do("PUT", "/api/v1/judge/works/"+w+"/review", map[string]any{"scores": map[string]float64{"theme": 20}, "submit": true}); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("submitting partial scores = %d", r.Status)
		}
		if r := j1.Do("PUT", "/api/v1/judge/works/"+w+"/review", map[string]any{"scores": map[string]float64{"theme": 31}}); r.FieldCodes()["scores.theme"] != "score_range" {
			t.Fatalf("31 of 30 = %d %s", r.Status, r.Body)
		}

		// Every judge submits: works[0] gets 92, 90, 88; works[1] 70, 75, 80.
		points := map[string][]float64{works[0]: {92, 90, 88}, works[1]: {70, 75, 80}}
		for _, c := range judges {
			for _, it := range queue(c) {
				p := points[it.ID][0]
				points[it.ID] = points[it.ID][1:]
				c.Must(http.StatusOK, "PUT", "/api/v1/judge/works/"+it.ID+"/review", map[string]any{"submit": true,
					"scores": map[string]float64{"theme": p * 0.3, "orientation": p * 0.2, "timeliness": p * 0.25, "artistry": p * 0.25}})
			}
		}
		var ranking struct {
			Items []struct {
				ID       string
				Rank     int
				Raw      float64
				Reviews  int
				Missing  []string
				Disputed bool
			}
		}
		org.Must(http.StatusOK, "GET", "/api/v1/admin/ranking", nil).JSON(t, &ranking)
		if len(ranking.Items) != 2 || ranking.Items[0].ID != works[0] || ranking.Items[0].Rank != 1 ||
			ranking.Items[0].Raw < 89.99 || ranking.Items[0].Raw > 90.01 || ranking.Items[1].Reviews != 3 || len(ranking.Items[1].Missing) != 0 {
			t.Fatalf("ranking = %+v", ranking.Items)
		}
		if r := j1.Do("GET", "/api/v1/admin/ranking", nil); r.Status != http.StatusForbidden {
			t.Errorf("judge reads the ranking = %d", r.Status)
		}
		// The queue shows progress and puts done works last.
		var q struct{ Done, Total int }
		j1.Must(http.StatusOK, "GET", "/api/v1/judge/works", nil).JSON(t, &q)
		if q.Done != q.Total || q.Total == 0 {
			t.Errorf("progress %d/%d", q.Done, q.Total)
		}
		// The organizer sees each judge's progress.
		doc := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/judges", nil))
		done := 0
		doc.Find("#judges td.progress").Each(func(_ int, sel *goquery.Selection) {
			if strings.Contains(sel.Text(), "已评 ") {
				var d, n int
				fmt.Sscanf(strings.TrimSpace(sel.Text()), "已评 %d / %d", &d, &n)
				if d != n {
					t.Errorf("judge progress %q after every review", sel.Text())
				}
				done += d
			}
		})
		if done != 6 {
			t.Errorf("judges page counts %d submitted reviews, want 6", done)
		}
		// A submitted review is not taken back by a draft, so it cannot be withdrawn either.
		if r := j1.Do("PUT", "/api/v1/judge/works/"+w+"/review", map[string]any{"scores": map[string]float64{"theme": 1}}); r.Status != http.StatusConflict {
			t.Fatalf("a draft over a submitted review = %d, want 409", r.Status)
		}
		if r := j1.Do("POST", "/api/v1/judge/works/"+w+"/conflict", nil); r.Status != http.StatusConflict {
			t.Fatalf("withdrawing from a submitted review = %d, want 409", r.Status)
		}
		// Re-running the assignment keeps every scored review.
		org.Must(http.StatusOK, "POST", "/api/v1/admin/assignments/run", nil).JSON(t, &run)
		org.Must(http.StatusOK, "GET", "/api/v1/admin/ranking", nil).JSON(t, &ranking)
		if ranking.Items[0].Reviews != 3 || ranking.Items[1].Reviews != 3 {
			t.Errorf("after re-running the assignment: %+v", ranking.Items)
		}
		// A work excluded after all leaves the judges' queues and the ranking.
		org.Must(http.StatusOK, "PUT", "/api/v1/admin/submissions/"+works[1]+"/formal-review", map[string]string{"decision": "excluded", "reason": "内容重复投稿"})
		for _, c := range judges {
			if slices.ContainsFunc(queue(c), func(t task) bool { return t.ID == works[1] }) {
				t.Fatal("an excluded work stays in a judge's queue")
			}
		}
		org.Must(http.StatusOK, "GET", "/api/v1/admin/ranking", nil).JSON(t, &ranking)
		if len(ranking.Items) != 1 {
			t.Errorf("ranking after the exclusion: %+v", ranking.Items)
		}

		// Closing judging locks the scores and says which works have too few reviews.
		if r := j1.Do("POST", "/api/v1/admin/judging/close", nil); r.Status != http.StatusForbidden {
			t.Fatalf("a judge closes judging = %d", r.Status)
		}
		var closed struct {
			ClosedAt *time.Time `json:"closed_at"`
			Items    []struct {
				ID       string
				Short    bool
				Proposed string
			}
		}
		org.Must(http.StatusOK, "POST", "/api/v1/admin/judging/close", nil).JSON(t, &closed)
		if closed.ClosedAt == nil || len(closed.Items) != 1 || closed.Items[0].Short || closed.Items[0].Proposed == "" {
			t.Fatalf("closing = %+v", closed)
		}
		if r := j1.Do("PUT", "/api/v1/judge/works/"+works[0]+"/review", score); r.Status != http.StatusConflict && r.Status != http.StatusNotFound {
			t.Fatalf("scoring after the close = %d %s", r.Status, r.Body)
		}
		if r := org.Do("POST", "/api/v1/admin/assignments/run", nil); r.Status != http.StatusConflict {
			t.Fatalf("assignment after the close = %d", r.Status)
		}
		// Saving the contest's other settings does not reopen it.
		org.Must(http.StatusOK, "PUT", "/api/v1/admin/contest", map[string]string{"name": "“创新争先、自立自强”主题视频征集活动（2022）"})
		if doc := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/judging", nil)); doc.Find("#closed").Length() != 1 || doc.Find("#run-assignment").Length() != 0 {
			t.Errorf("judging page after the close: %q", doc.Find("main").Text())
		}

		// Awards: moved with a reason, confirmed (frozen), reopened as a new version.
		type awards struct {
			ConfirmedAt *time.Time `json:"confirmed_at"`
			Version     int
			Items       []struct{ ID, Proposed, Final, Reason string }
		}
		var aw awards
		path := "/api/v1/admin/awards/" + works[0]
		if r := org.Do("PUT", path, map[string]string{"tier": "first"}); r.FieldCodes()["reason"] != "reason_required" {
			t.Fatalf("a move without a reason = %d %s", r.Status, r.Body)
		}
		org.Must(http.StatusOK, "PUT", path, map[string]string{"tier": "first", "reason": "评委一致推荐"}).JSON(t, &aw)
		if aw.Items[0].Final != "first" || aw.Items[0].Proposed == "first" || aw.Items[0].Reason != "评委一致推荐" {
			t.Fatalf("after the move: %+v", aw.Items)
		}
		org.Must(http.StatusOK, "POST", "/api/v1/admin/awards/confirm", nil).JSON(t, &aw)
		if aw.ConfirmedAt == nil || aw.Version != 1 {
			t.Fatalf("confirmation: %+v", aw)
		}
		if r := org.Do("PUT", path, map[string]string{"tier": "second", "reason": "再议"}); r.Status != http.StatusConflict {
			t.Fatalf("a move after confirmation = %d", r.Status)
		}
		if r := org.Do("POST", "/api/v1/admin/awards/reopen", map[string]string{}); r.FieldCodes()["reason"] != "reason_required" {
			t.Fatalf("reopen without a reason = %d", r.Status)
		}
		var reopened awards // a fresh value: confirmed_at is absent, not null, once reopened
		org.Must(http.StatusOK, "POST", "/api/v1/admin/awards/reopen", map[string]string{"reason": "发现重复获奖"}).JSON(t, &reopened)
		if reopened.ConfirmedAt != nil || reopened.Items[0].Final != "first" {
			t.Fatalf("after reopening: %+v", reopened)
		}
		var log auditList
		org.Must(http.StatusOK, "GET", "/api/v1/admin/audit?limit=3", nil).JSON(t, &log)
		if len(log.Items) != 3 || log.Items[0].Action != "reopen" || log.Items[1].Action != "confirm" || log.Items[2].Action != "move" ||
			!strings.Contains(log.Items[1].After, works[0]) {
			t.Errorf("award audit: %+v", log.Items)
		}
	})
}

func TestJudgingSettings_RubricQuotasAndTheirLimits(t *testing.T) {
	ffmpegtest.Require(t)
	e := MustEnv(t, "sqlite+localfs")
	org := e.Organizer()
	var got struct {
		Rubric []struct {
			Key       string
			Name      string
			MaxPoints float64 `json:"max_points"`
			Weight    float64
		}
		ReviewsPerWork int `json:"reviews_per_work"`
		Quotas         []struct {
			Count   int
			Percent float64
		}
	}
	org.Must(http.StatusOK, "GET", "/api/v1/admin/judging/settings", nil).JSON(t, &got)
	if len(got.Rubric) != 4 || got.Rubric[0].Weight != 30 || got.ReviewsPerWork != 3 || got.Quotas[0].Percent != 5 {
		t.Fatalf("default settings %+v", got)
	}
	bad := map[string]any{"rubric": []map[string]any{{"key": "a", "name": "创意", "max_points": 10, "weight": 60}, {"key": "b", "name": "制作", "max_points": 10, "weight": 30}},
		"reviews_per_work": 0, "quotas": []map[string]any{{"count": 1}, {"percent": 120}, {"count": 2, "percent": 5}}}
	r := org.Do("PUT", "/api/v1/admin/judging/settings", bad)
	codes := r.FieldCodes()
	if r.Status != http.StatusUnprocessableEntity || codes["rubric"] != "rubric_weights" || codes["reviews_per_work"] != "reviews_range" ||
		codes["quotas.1"] != "quota_range" || codes["quotas.2"] != "quota_both" {
		t.Fatalf("invalid settings = %d %v", r.Status, codes)
	}
	// The page takes "2" and "10%" as typed.
	form := url.Values{"name_0": {"创意"}, "max_0": {"10"}, "weight_0": {"60"}, "name_1": {"制作"}, "max_1": {"20"}, "weight_1": {"40"},
		"reviews_per_work": {"2"}, "quota_0": {"1"}, "quota_1": {"10%"}, "quota_2": {"20 %"}, "normalize": {"1"}}
	org.Must(http.StatusSeeOther, "POST", "/admin/judging/settings", form)
	org.Must(http.StatusOK, "GET", "/api/v1/admin/judging/settings", nil).JSON(t, &got)
	if len(got.Rubric) != 2 || got.Rubric[1].MaxPoints != 20 || got.ReviewsPerWork != 2 || got.Quotas[0].Count != 1 || got.Quotas[1].Percent != 10 || got.Quotas[2].Percent != 20 {
		t.Fatalf("saved settings %+v", got)
	}

	// A judge's saved score freezes the rubric; the judges per work can still change.
	_, work := e.SubmitWork("zhang@example.org", nil)
	org.PassFormal(work)
	judge, _, _ := e.InviteJudge(org, "j@example.org", "评委", "省科技馆")
	org.Must(http.StatusOK, "POST", "/api/v1/admin/assignments/run", nil)
	var q struct {
		Rubric []struct{ Key string }
	}
	judge.Must(http.StatusOK, "GET", "/api/v1/judge/works", nil).JSON(t, &q)
	if len(q.Rubric) != 2 || q.Rubric[0].Key != "c1" {
		t.Fatalf("judge's rubric %+v", q.Rubric)
	}
	e.Clock.Set(reviewWindow)
	judge.Must(http.StatusOK, "PUT", "/api/v1/judge/works/"+work+"/review", map[string]any{"scores": map[string]float64{"c1": 8}})
	changed := map[string]any{"rubric": []map[string]any{{"key": "c1", "name": "创意", "max_points": 10, "weight": 50}, {"key": "c2", "name": "制作", "max_points": 20, "weight": 50}},
		"reviews_per_work": 2, "quotas": []map[string]any{{"count": 1}, {"percent": 10}, {"percent": 20}}}
	if r := org.Do("PUT", "/api/v1/admin/judging/settings", changed); r.Status != http.StatusConflict {
		t.Fatalf("changing the rubric after a score = %d %s", r.Status, r.Body)
	}
	same := changed
	same["rubric"] = got.Rubric
	same["reviews_per_work"] = 4
	org.Must(http.StatusOK, "PUT", "/api/v1/admin/judging/settings", same)
}

// TestReviewPage_ScoreFormMarksBadInputAndWalksTheQueue drives the judge's review form without
// JavaScript: a score that is not a number comes back marked under its criterion, a draft
// stays on the work, and each submission goes on to the next unscored work, then home.
func TestReviewPage_ScoreFormMarksBadInputAndWalksTheQueue(t *testing.T) {
	ffmpegtest.Require(t)
	e := MustEnv(t, "sqlite+localfs")
	org := e.Organizer()
	for i, title := range []string{"星辰", "稻浪"} {
		_, id := e.SubmitWork(fmt.Sprintf("c%d@example.org", i), workBy("省农业科学院", title))
		org.PassFormal(id)
	}
	judge, _, _ := e.InviteJudge(org, "j1@example.org", "评委", "省科技馆")
	org.Must(http.StatusOK, "PUT", "/api/v1/admin/judging/settings", map[string]any{"rubric": e.Contest.Judging.Rubric,
		"reviews_per_work": 1, "quotas": []map[string]any{{"count": 1}, {"count": 0}, {"count": 0}}})
	org.Must(http.StatusOK, "POST", "/api/v1/admin/assignments/run", nil)
	e.Clock.Set(reviewWindow)
	var q struct{ Items []task }
	judge.Must(http.StatusOK, "GET", "/api/v1/judge/works", nil).JSON(t, &q)
	if len(q.Items) != 2 {
		t.Fatalf("queue = %d works, want 2", len(q.Items))
	}
	first, second := q.Items[0].ID, q.Items[1].ID
	full := url.Values{"score_theme": {"28"}, "score_orientation": {"18"}, "score_timeliness": {"22"}, "score_artistry": {"24"},
		"comment": {"紧扣主题"}, "action": {"submit"}}

	bad := url.Values{"score_theme": {"二十八"}, "score_artistry": {"24"}, "action": {"draft"}}
	r := judge.Must(http.StatusUnprocessableEntity, "POST", "/judge/works/"+first, bad)
	if body := string(r.Body); !strings.Contains(body, "“主题契合度”请填写数字") || !strings.Contains(body, `value="二十八"`) {
		t.Errorf("a score that is not a number: the page does not name the criterion or keep the input:\n%s", body)
	}
	// Refusals come back on the page with their reason, the scores as typed.
	for _, tc := range []struct {
		form   url.Values
		status int
		say    string
	}{
		{url.Values{"score_theme": {"31"}, "action": {"draft"}}, http.StatusUnprocessableEntity, "“主题契合度”的分数须在0到30之间"},
		{url.Values{"score_theme": {"28"}, "action": {"submit"}}, http.StatusUnprocessableEntity, "请为“艺术性”打分"},
	} {
		r := judge.Must(tc.status, "POST", "/judge/works/"+first, tc.form)
		if body := string(r.Body); !strings.Contains(body, tc.say) || !strings.Contains(body, "星辰") && !strings.Contains(body, "稻浪") {
			t.Errorf("%v: the page does not say %q on the work:\n%s", tc.form, tc.say, body)
		}
	}
	// Without JavaScript too, each score out of range is refused and marked by its own field.
	r = judge.Must(http.StatusUnprocessableEntity, "POST", "/judge/works/"+first,
		url.Values{"score_theme": {"3526"}, "score_orientation": {"1818"}, "score_artistry": {"20"}, "action": {"draft"}})
	doc := mustDoc(t, r)
	for key, say := range map[string]string{"theme": "“主题契合度”的分数须在0到30之间", "orientation": "“导向与内容”的分数须在0到20之间"} {
		field := doc.Find(`[name="score_` + key + `"]`)
		if field.AttrOr("aria-invalid", "") != "true" || field.AttrOr("aria-describedby", "") != "score-err-"+key ||
			strings.TrimSpace(doc.Find("#score-err-"+key).Text()) != say {
			t.Errorf("score_%s out of range: aria-invalid %q, message beside it %q, want %q", key,
				field.AttrOr("aria-invalid", ""), doc.Find("#score-err-"+key).Text(), say)
		}
	}
	if field := doc.Find(`[name="score_artistry"]`); field.AttrOr("aria-invalid", "") != "" || doc.Find("#score-err-artistry").AttrOr("hidden", "x") == "x" {
		t.Errorf("a score in range is marked: aria-invalid %q", field.AttrOr("aria-invalid", ""))
	}
	// A page drawn before the rubric changed sends a criterion that is gone: it is dropped.
	stale := url.Values{"score_theme": {"20"}, "score_creativity": {"5"}, "action": {"draft"}}
	judge.Must(http.StatusSeeOther, "POST", "/judge/works/"+first, stale)
	draft := url.Values{"score_theme": {"20"}, "action": {"draft"}}
	if loc := judge.Must(http.StatusSeeOther, "POST", "/judge/works/"+first, draft).Header.Get("Location"); loc != "/judge/works/"+first+"?saved=1" {
		t.Errorf("a draft goes to %q, want to stay on the work", loc)
	}
	if loc := judge.Must(http.StatusSeeOther, "POST", "/judge/works/"+first, full).Header.Get("Location"); loc != "/judge/works/"+second {
		t.Errorf("after submitting the first work: %q, want the next unscored /judge/works/%s", loc, second)
	}
	if loc := judge.Must(http.StatusSeeOther, "POST", "/judge/works/"+second, full).Header.Get("Location"); loc != "/judge" {
		t.Errorf("after submitting the last work: %q, want the queue /judge", loc)
	}
	judge.Must(http.StatusOK, "GET", "/api/v1/judge/works", nil).JSON(t, &q)
	for _, it := range q.Items {
		if it.SubmittedAt == nil || it.Scores["theme"] != 28 {
			t.Errorf("work %s: submitted %v, scores %v", it.ID, it.SubmittedAt, it.Scores)
		}
	}

	// After the review window (5月28日 in Beijing) the form is refused, saying why.
	e.Clock.Set(time.Date(2022, 5, 28, 16, 30, 0, 0, time.UTC))
	r = judge.Must(http.StatusForbidden, "POST", "/judge/works/"+first, full)
	if body := string(r.Body); !strings.Contains(body, "不在评审期内") {
		t.Errorf("after the review window: the page does not say why:\n%s", body)
	}
}
