package http_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// second is another contest open at the same time as the default one (2022-05-10 to 05-20,
// review 05-21 to 05-28): collection 05-01 to 05-18, review 05-19 to 05-31, Beijing time.
func second(slug, copyFrom string) map[string]any {
	bj := contest.Beijing
	return map[string]any{
		"name": "“创新争先、自立自强”主题征文活动", "slug": slug, "copy_from": copyFrom,
		"collection_start": time.Date(2022, 5, 1, 0, 0, 0, 0, bj), "collection_end": time.Date(2022, 5, 18, 23, 59, 59, 0, bj),
		"review_start": time.Date(2022, 5, 19, 0, 0, 0, 0, bj), "review_end": time.Date(2022, 5, 31, 23, 59, 59, 0, bj),
	}
}

// newContest has the site administrator start a second contest copying the default one's
// settings; it returns its id.
func (e *env) newContest(org *client, slug string) string {
	e.t.Helper()
	var ct struct{ ID, Slug string }
	org.Must(http.StatusCreated, "POST", "/api/v1/admin/contests", second(slug, e.Contest.ID)).JSON(e.t, &ct)
	if ct.Slug != slug {
		e.t.Fatalf("new contest's slug %q", ct.Slug)
	}
	return ct.ID
}

// enter has the contestant enter a finished work in the client's contest (its video checked
// and accepted by that contest's rules) and returns its id.
func enter(c *client, title string, f videoFile) string {
	c.t.Helper()
	in := validInput()
	in["registration"].(map[string]any)["title"] = title
	s := c.Create(in)
	c.ConsentAll(s)
	c.Upload(s.ID, f)
	if got := c.WaitCheck(s.ID); got.Video.Check.State != "accepted" {
		c.t.Fatalf("%s: video check %s: %+v", title, got.Video.Check.State, got.Video.Check.Reasons)
	}
	c.Must(http.StatusOK, "POST", "/api/v1/submissions/"+s.ID+"/finalize", nil)
	return s.ID
}

func TestContests_TwoContestsRunSideBySide(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		admin := e.Organizer() // the first organizer administers the site
		essayID := e.newContest(admin, "essay-2022")
		essay := admin.In("essay-2022")

		// Different rules: the essay contest wants 1080P.
		var settings map[string]any
		essay.Must(http.StatusOK, "GET", "/api/v1/contest", nil).JSON(t, &settings)
		settings["rules"].(map[string]any)["min_short_side"] = 1080
		for _, k := range []string{"id", "slug", "default", "collection_open", "server_time"} {
			delete(settings, k)
		}
		essay.Must(http.StatusOK, "PUT", "/api/v1/admin/contest", settings)

		var list struct {
			Items []struct{ Slug, Stage, URL string }
		}
		e.Client().Must(http.StatusOK, "GET", "/api/v1/contests", nil).JSON(t, &list)
		if len(list.Items) != 2 || list.Items[0].Stage != "collecting" || list.Items[1].Stage != "collecting" {
			t.Fatalf("contests listed: %+v", list.Items)
		}

		// One account enters both; a 720P video is valid for one and refused by the other.
		me := e.Client().SignUp("both@example.org")
		hd := fixtureFile(t, "720p.mp4", ffmpegtest.Video{Width: 1280, Height: 720})
		videoWork := enter(me, "视频作品", hd)
		s := me.In("essay-2022").Create(validInput())
		me.In("essay-2022").Upload(s.ID, hd)
		got := me.In("essay-2022").WaitCheck(s.ID)
		if got.Video.Check.State != "rejected" || len(got.Video.Check.Reasons) != 1 || got.Video.Check.Reasons[0].Code != "low_resolution" ||
			!strings.Contains(got.Video.Check.Reasons[0].Message, "1080") {
			t.Fatalf("the essay contest's verdict on a 720P video: %s %+v", got.Video.Check.State, got.Video.Check.Reasons)
		}
		full := fixtureFile(t, "1080p.mp4", ffmpegtest.Video{Width: 1920, Height: 1080})
		me.In("essay-2022").Upload(s.ID, full)
		if got := me.In("essay-2022").WaitCheck(s.ID); got.Video.Check.State != "accepted" {
			t.Fatalf("1080P in the essay contest: %s %+v", got.Video.Check.State, got.Video.Check.Reasons)
		}
		me.In("essay-2022").ConsentAll(s)
		me.In("essay-2022").Must(http.StatusOK, "POST", "/api/v1/submissions/"+s.ID+"/finalize", nil)
		essayWork := s.ID

		// Each contest sees only its own works, whatever the id in the URL.
		if r := me.In("essay-2022").Do("GET", "/api/v1/submissions/"+videoWork, nil); r.Status != http.StatusNotFound {
			t.Errorf("the video contest's work read in the essay contest = %d", r.Status)
		}
		if r := me.Do("GET", "/api/v1/submissions/"+essayWork, nil); r.Status != http.StatusNotFound {
			t.Errorf("the essay contest's work read on the default routes = %d", r.Status)
		}
		page := mustDoc(t, me.Must(http.StatusOK, "GET", "/my", nil))
		if page.Find(".contest-group").Length() != 2 || !strings.Contains(page.Text(), "视频作品") || !strings.Contains(page.Text(), "主题征文活动") {
			t.Errorf("我的作品 does not group the two contests' works:\n%s", page.Find("main").Text())
		}

		// The essay contest's own organizer: runs it, and nothing of the other.
		var added struct{ ID, Password string }
		admin.Must(http.StatusOK, "POST", "/api/v1/admin/contests/"+essayID+"/organizers",
			map[string]string{"email": "essay-org@example.org", "name": "征文组织者"}).JSON(t, &added)
		essayOrg := e.Client()
		essayOrg.Must(http.StatusOK, "POST", "/api/v1/auth/login", map[string]string{"email": "essay-org@example.org", "password": added.Password})
		essayOrg.Must(http.StatusNoContent, "POST", "/api/v1/me/password", map[string]string{"current_password": added.Password, "new_password": "essay-org-pass"})
		essayOrg.In("essay-2022").Must(http.StatusOK, "GET", "/api/v1/admin/submissions", nil)
		for _, path := range []string{"/api/v1/admin/submissions", "/api/v1/admin/audit", "/api/v1/admin/judges"} {
			if r := essayOrg.Do("GET", path, nil); r.Status != http.StatusForbidden {
				t.Errorf("the essay organizer: GET %s in the video contest = %d", path, r.Status)
			}
		}
		if r := essayOrg.Do("GET", "/api/v1/submissions/"+videoWork, nil); r.Status != http.StatusNotFound {
			t.Errorf("the essay organizer reads the video contest's work = %d", r.Status)
		}
		if r := essayOrg.In("essay-2022").Do("GET", "/api/v1/submissions/"+videoWork, nil); r.Status != http.StatusNotFound {
			t.Errorf("the essay organizer reads the video contest's work through their own = %d", r.Status)
		}
		if r := essayOrg.Do("POST", "/api/v1/admin/contests", second("x-2022", "")); r.Status != http.StatusForbidden {
			t.Errorf("a contest's organizer creates a contest = %d", r.Status)
		}
		// Accounts are the site's: a contest's organizer resets only its own people's passwords.
		e.Client().SignUp("video-only@example.org").Create(validInput())
		if r := essayOrg.In("essay-2022").Do("POST", "/api/v1/admin/password-resets", map[string]string{"email": "video-only@example.org"}); r.Status != http.StatusUnprocessableEntity || r.FieldCodes()["email"] != "no_account" {
			t.Errorf("the essay organizer resets the password of the video contest's contestant = %d %s", r.Status, r.Body)
		}
		admin.Must(http.StatusOK, "POST", "/api/v1/admin/password-resets", map[string]string{"email": "video-only@example.org"})
		if r := essayOrg.In("essay-2022").Do("POST", "/api/v1/admin/password-resets", map[string]string{"email": "both@example.org"}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("the essay organizer resets the password of a contestant of both contests = %d", r.Status)
		}

		// One judge in both: two queues, each of its contest's works only.
		judge, _, _ := e.InviteJudge(admin, "both-judge@example.org", "王评委", "省科技馆")
		both := map[string]string{"email": "both-judge@example.org", "name": "王评委", "employer": "省科技馆"}
		// Another contest's judge is the site administrators' to share: a contest's organizer
		// cannot pull them in (and then reset their password).
		if r := essayOrg.In("essay-2022").Do("POST", "/api/v1/admin/judges", both); r.Status != http.StatusUnprocessableEntity || r.FieldCodes()["email"] != "judge_elsewhere" {
			t.Errorf("the essay organizer adds the video contest's judge = %d %s", r.Status, r.Body)
		}
		var inv struct{ Password string }
		admin.In("essay-2022").Must(http.StatusCreated, "POST", "/api/v1/admin/judges", both).JSON(t, &inv)
		if inv.Password != "" {
			t.Error("a judge of another contest got a new password when joining the essay contest")
		}
		for _, c := range []struct {
			org  *client
			slug string
			work string
		}{{admin, "", videoWork}, {essayOrg, "essay-2022", essayWork}} {
			c.org.In(c.slug).PassFormal(c.work)
			var js map[string]any
			c.org.In(c.slug).Must(http.StatusOK, "GET", "/api/v1/admin/judging/settings", nil).JSON(t, &js)
			js["reviews_per_work"], js["quotas"] = 1, []map[string]any{{"count": 1}, {"count": 0}, {"count": 0}}
			c.org.In(c.slug).Must(http.StatusOK, "PUT", "/api/v1/admin/judging/settings", js)
			c.org.In(c.slug).Must(http.StatusOK, "POST", "/api/v1/admin/assignments/run", nil)
		}
		e.Clock.Set(reviewWindow)
		for _, c := range []struct{ slug, work, other string }{{"", videoWork, essayWork}, {"essay-2022", essayWork, videoWork}} {
			var q struct{ Items []struct{ ID string } }
			judge.In(c.slug).Must(http.StatusOK, "GET", "/api/v1/judge/works", nil).JSON(t, &q)
			if len(q.Items) != 1 || q.Items[0].ID != c.work {
				t.Fatalf("judge's queue in %q: %+v, want only %s", c.slug, q.Items, c.work)
			}
			if r := judge.In(c.slug).Do("GET", "/api/v1/judge/works/"+c.other, nil); r.Status != http.StatusNotFound && r.Status != http.StatusForbidden {
				t.Errorf("judge reads the other contest's work in %q = %d", c.slug, r.Status)
			}
			scores := map[string]float64{"theme": 25, "orientation": 15, "timeliness": 20, "artistry": 20}
			judge.In(c.slug).Must(http.StatusOK, "PUT", "/api/v1/judge/works/"+c.work+"/review", map[string]any{"scores": scores, "submit": true})
		}

		// Both published, each with its own certificate serials, both verifying.
		for _, c := range []struct {
			org  *client
			slug string
		}{{admin, ""}, {essayOrg, "essay-2022"}} {
			c.org.In(c.slug).Must(http.StatusOK, "POST", "/api/v1/admin/judging/close", nil)
			c.org.In(c.slug).Must(http.StatusOK, "POST", "/api/v1/admin/awards/confirm", nil)
			c.org.In(c.slug).Must(http.StatusOK, "POST", "/api/v1/admin/publication/publicity", nil)
		}
		e.Clock.Set(afterPublicity)
		for _, c := range []struct {
			org  *client
			slug string
		}{{admin, ""}, {essayOrg, "essay-2022"}} {
			c.org.In(c.slug).Must(http.StatusOK, "POST", "/api/v1/admin/publication/publish", nil)
		}
		videoCerts, err := e.Stores.Certificates(ctx, e.Contest.ID)
		if err != nil {
			t.Fatal(err)
		}
		essayCerts, err := e.Stores.Certificates(ctx, essayID)
		if err != nil {
			t.Fatal(err)
		}
		if len(videoCerts) != 1 || len(essayCerts) != 1 || videoCerts[0].WorkID != videoWork || essayCerts[0].WorkID != essayWork ||
			videoCerts[0].Serial == essayCerts[0].Serial {
			t.Fatalf("certificates: video %+v, essay %+v", videoCerts, essayCerts)
		}
		for _, serial := range []string{videoCerts[0].Serial, essayCerts[0].Serial} {
			if body := e.Client().Must(http.StatusOK, "GET", "/api/v1/verify/"+serial, nil).Body; !strings.Contains(string(body), `"genuine":true`) {
				t.Errorf("serial %s does not verify: %s", serial, body)
			}
		}
		var results struct{ Items []struct{ Title string } }
		e.Client().In("essay-2022").Must(http.StatusOK, "GET", "/api/v1/results", nil).JSON(t, &results)
		if len(results.Items) != 1 || results.Items[0].Title != "实验室里的创新誓言" {
			t.Errorf("the essay contest's results: %+v", results.Items)
		}

		// Archived: read-only, results and certificates stay.
		if r := essayOrg.Do("PUT", "/api/v1/admin/contests/"+essayID+"/archive", map[string]bool{"archived": true}); r.Status != http.StatusForbidden {
			t.Errorf("a contest's organizer archives it = %d", r.Status)
		}
		admin.Must(http.StatusOK, "PUT", "/api/v1/admin/contests/"+essayID+"/archive", map[string]bool{"archived": true})
		for _, r := range []response{
			essayOrg.In("essay-2022").Do("POST", "/api/v1/admin/publication/unpublish", map[string]string{"reason": "复核"}),
			me.In("essay-2022").Do("POST", "/api/v1/submissions", validInput()),
			admin.In("essay-2022").Do("PUT", "/api/v1/admin/contest", settings),
		} {
			if r.Status != http.StatusForbidden || r.ErrorCode() != "archived" {
				t.Errorf("a change in the archived contest = %d %s", r.Status, r.Body)
			}
		}
		e.Client().In("essay-2022").Must(http.StatusOK, "GET", "/api/v1/results", nil)
		essayOrg.In("essay-2022").Must(http.StatusOK, "POST", "/api/v1/admin/submissions/search", map[string]any{})
		if body := e.Client().Must(http.StatusOK, "GET", "/api/v1/verify/"+essayCerts[0].Serial, nil).Body; !strings.Contains(string(body), `"genuine":true`) {
			t.Errorf("the archived contest's certificate no longer verifies: %s", body)
		}
		if doc := mustDoc(t, e.Client().Must(http.StatusOK, "GET", "/c/essay-2022/results", nil)); doc.Find("#archived-note").Length() != 1 {
			t.Error("the archived contest's pages do not say it is archived")
		}
		// The public home lists the live contest first, then the past results.
		home := mustDoc(t, e.Client().Must(http.StatusOK, "GET", "/", nil))
		var slugs []string
		home.Find("[data-contest-slug]").Each(func(_ int, s *goquery.Selection) { slugs = append(slugs, s.AttrOr("data-contest-slug", "")) })
		if !slices.Equal(slugs, []string{"2022", "essay-2022"}) {
			t.Errorf("home lists contests %v", slugs)
		}
	})
}
