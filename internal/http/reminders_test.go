package http_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// The default contest's collection closes at 2022-05-21 00:00 Beijing (16:00 UTC the day
// before); its review at 2022-05-28 23:59:59 Beijing.
var (
	collectionCloses = time.Date(2022, 5, 20, 16, 0, 0, 0, time.UTC)
	reviewEnds       = time.Date(2022, 5, 28, 15, 59, 59, 0, time.UTC)
)

// runReminders runs the periodic reminders task once, as the housekeeping does.
func (e *env) runReminders() {
	e.t.Helper()
	if _, err := e.Svc.Messages.RunReminders(e.t.Context()); err != nil {
		e.t.Fatal(err)
	}
}

// headers returns the headers of a message Mailpit received.
func (m mailpit) headers(id string) map[string][]string {
	m.t.Helper()
	var h map[string][]string
	m.get("/api/v1/message/"+id+"/headers", &h)
	return h
}

var unsubscribeLink = regexp.MustCompile(`http://\S+/unsubscribe/\S+`)

func TestReminders_DeadlineRemindsUnsubmittedWorksOnceAtTheirMoment(t *testing.T) {
	ffmpegtest.Require(t)
	mp := mustMailpit(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		addr := address("draft")
		c := e.Client().SignUp(addr)
		s := c.Create(nil)
		c.ConsentAll(s) // the video is what is missing
		done, _ := e.SubmitWork(address("done"), nil)
		withEmail(t, e, mp.smtpAddr) // after the 回执: the reminder is the draft's owner's only mail

		e.Clock.Set(collectionCloses.Add(-24*time.Hour - time.Minute))
		e.runReminders()
		if n := len(c.Messages().ofKind("deadline_reminder")); n != 0 {
			t.Fatalf("%d reminders a minute before their moment", n)
		}

		// At the 24-hour moment, run twice (two replicas, or two rounds): one reminder.
		e.Clock.Set(collectionCloses.Add(-24*time.Hour + 5*time.Minute))
		e.runReminders()
		e.runReminders()
		got := c.Messages().ofKind("deadline_reminder")
		if len(got) != 1 {
			t.Fatalf("the draft's owner has %d deadline reminders, want 1", len(got))
		}
		m := got[0]
		if m.Subject != "距作品征集截止不到 24 小时：《实验室里的创新誓言》尚未提交" || m.Link != "/c/2022/submissions/"+s.ID {
			t.Errorf("reminder = %+v", m)
		}
		if !strings.Contains(m.Body, "2022年5月20日 23:59:59") || !strings.Contains(m.Body, "1. 尚未上传参赛视频") {
			t.Errorf("the reminder does not say the deadline and what is missing:\n%s", m.Body)
		}
		if n := len(done.Messages().ofKind("deadline_reminder")); n != 0 {
			t.Errorf("the owner of a submitted work got %d reminders", n)
		}
		mails := mp.waitFor(addr, 1)
		if len(mails) != 1 || mails[0].Subject != m.Subject {
			t.Fatalf("Mailpit holds %d mails for the draft's owner, want the reminder", len(mails))
		}
		h := mp.headers(mails[0].ID)
		if lu := strings.Join(h["List-Unsubscribe"], ""); !strings.Contains(lu, "/unsubscribe/") ||
			strings.Join(h["List-Unsubscribe-Post"], "") != "List-Unsubscribe=One-Click" {
			t.Errorf("the reminder lacks the one-click unsubscribe headers: %v", h)
		}
		if !unsubscribeLink.MatchString(mails[0].Text) || !strings.Contains(mails[0].HTML, "/unsubscribe/") {
			t.Errorf("the reminder's text has no unsubscribe link:\n%s", mails[0].Text)
		}

		// The 2-hour reminder missed by more than its window (the service was down from
		// 2 h to 1 h 20 min before the end) is not sent late.
		e.Clock.Set(collectionCloses.Add(-80 * time.Minute))
		e.runReminders()
		if n := len(c.Messages().ofKind("deadline_reminder")); n != 1 {
			t.Errorf("%d reminders after a missed window, want still 1", n)
		}
		if n := len(mp.to(addr)); n != 1 {
			t.Errorf("Mailpit holds %d mails, want still 1", n)
		}

		// The organizers move the deadline two days later: the new deadline is reminded of
		// again, with its own date, 24 hours before it.
		ct, err := e.Stores.CurrentContest(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		ct.CollectionEnd = ct.CollectionEnd.Add(48 * time.Hour)
		if err := e.Stores.UpdateContest(t.Context(), &ct); err != nil {
			t.Fatal(err)
		}
		e.Clock.Set(collectionCloses.Add(48*time.Hour - 24*time.Hour + 5*time.Minute))
		e.runReminders()
		e.runReminders()
		got = c.Messages().ofKind("deadline_reminder")
		if len(got) != 2 || !strings.Contains(got[0].Body, "2022年5月22日 23:59:59") {
			t.Errorf("after the deadline moved, the reminders are %+v, want a second one with the new deadline", got)
		}
	})
}

func TestReminders_UnsubscribeLinkStopsReminderMailsNotTheOthers(t *testing.T) {
	ffmpegtest.Require(t)
	mp := mustMailpit(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		addr := address("unsub")
		c := e.Client().SignUp(addr)
		s := c.Create(nil)
		c.ConsentAll(s)
		withEmail(t, e, mp.smtpAddr) // after the 回执: the reminder is the first mail

		e.Clock.Set(collectionCloses.Add(-24 * time.Hour))
		e.runReminders()
		mails := mp.waitFor(addr, 1)
		if len(mails) != 1 {
			t.Fatalf("Mailpit holds %d mails, want the reminder", len(mails))
		}
		link := unsubscribeLink.FindString(mails[0].Text)
		path := strings.TrimPrefix(link, e.Server.URL)
		if link == "" || path == link {
			t.Fatalf("no unsubscribe link to this site in:\n%s", mails[0].Text)
		}

		// A stranger's GET (a mail scanner following the link) only shows the question.
		anon := e.Client()
		doc := mustDoc(t, anon.Must(http.StatusOK, "GET", path, nil))
		if doc.Find("#confirm-unsubscribe").Length() != 1 {
			t.Fatalf("the unsubscribe page has no button: %s", doc.Find("main").Text())
		}
		if doc := mustDoc(t, c.Must(http.StatusOK, "GET", "/account/password", nil)); doc.Find("#reminders-off").Length() != 1 {
			t.Fatal("the GET turned reminders off")
		}
		// A forged token is not found.
		if r := anon.Do("GET", path[:len(path)-4]+"0000", nil); r.Status != http.StatusNotFound {
			t.Errorf("a forged token = %d, want 404", r.Status)
		}
		// The mail program's one-click POST (RFC 8058): no cookie, no CSRF token.
		res, err := http.Post(link, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("one-click unsubscribe = %d, want 200", res.StatusCode)
		}
		if doc := mustDoc(t, anon.Must(http.StatusOK, "GET", path, nil)); doc.Find("#already-off").Length() != 1 {
			t.Error("the link's page does not say reminders are off")
		}

		// The 2-hour reminder: in the message centre, not e-mailed.
		e.Clock.Set(collectionCloses.Add(-2 * time.Hour))
		e.runReminders()
		if n := len(c.Messages().ofKind("deadline_reminder")); n != 2 {
			t.Errorf("%d reminders in the message centre, want 2", n)
		}
		// A transactional message still arrives by mail: the video's verdict.
		e.Clock.Set(collectionCloses.Add(-90 * time.Minute))
		c.Upload(s.ID, fixtureFile(t, "从剪映导出.mp4", ffmpegtest.Video{Format: "mov", Width: 640, Height: 360}))
		if st := c.WaitCheck(s.ID).Video.Check.State; st != "rejected" {
			t.Fatalf("check = %q", st)
		}
		got := mp.waitFor(addr, 2)
		verdicts := 0
		for _, m := range got {
			if strings.HasPrefix(m.Subject, "视频检查未通过") {
				verdicts++
			}
			if strings.Contains(m.Subject, "2 小时") {
				t.Errorf("the 2-hour reminder was mailed after unsubscribing")
			}
		}
		if len(got) != 2 || verdicts != 1 {
			t.Fatalf("mails: %d with %d verdicts, want the 24-hour reminder from before and the verdict", len(got), verdicts)
		}

		// The account page turns them back on.
		c.Must(http.StatusSeeOther, "POST", "/account/reminders", url.Values{"reminders": {"on"}})
		if doc := mustDoc(t, c.Must(http.StatusOK, "GET", "/account/password", nil)); doc.Find("#reminders-off").Length() != 1 {
			t.Error("the account page does not show reminders on again")
		}
		var out struct{ Enabled bool }
		c.Must(http.StatusOK, "PUT", "/api/v1/me/reminders", map[string]bool{"enabled": false}).JSON(t, &out)
		if out.Enabled {
			t.Error("PUT /api/v1/me/reminders did not turn them off")
		}
	})
}

func TestReminders_JudgesAreToldOfAssignmentsRemindedAndThanked(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		org := e.Organizer()
		var works []string
		for i, employer := range []string{"甲大学", "乙大学"} {
			_, id := e.SubmitWork(address("w"+string(rune('a'+i))), workBy(employer, ""))
			org.PassFormal(id)
			works = append(works, id)
		}
		done, _, _ := e.InviteJudge(org, address("j1"), "评委一", "丙研究所")
		late, _, _ := e.InviteJudge(org, address("j2"), "评委二", "丁研究所")

		e.Clock.Set(time.Date(2022, 5, 22, 2, 0, 0, 0, time.UTC))
		org.Must(http.StatusOK, "POST", "/api/v1/admin/assignments/run", nil)
		org.Must(http.StatusOK, "POST", "/api/v1/admin/assignments/run", nil) // the same assignment saved again
		for _, j := range []*client{done, late} {
			got := j.Messages().ofKind("review_assigned")
			if len(got) != 1 {
				t.Fatalf("a judge has %d assignment messages, want 1", len(got))
			}
			if got[0].Subject != "新的评审任务：2 件作品" || !strings.Contains(got[0].Body, "2022年5月28日 23:59:59") || got[0].Link != "/c/2022/judge" {
				t.Errorf("assignment message = %+v", got[0])
			}
		}
		// A work the late judge declares a conflict with goes to a judge invited since: a new
		// work for them, and they are told.
		third, _, _ := e.InviteJudge(org, address("j3"), "评委三", "戊研究所")
		late.Must(http.StatusNoContent, "POST", "/api/v1/judge/works/"+works[0]+"/conflict", map[string]string{"reason": "与作者是同学"})
		if got := third.Messages().ofKind("review_assigned"); len(got) != 1 || got[0].Subject != "新的评审任务：1 件作品" {
			t.Errorf("the judge given the conflicted work was told %+v", got)
		}
		for _, w := range works {
			done.Must(http.StatusOK, "PUT", "/api/v1/judge/works/"+w+"/review", map[string]any{"submit": true,
				"scores": map[string]float64{"theme": 28, "orientation": 18, "timeliness": 22, "artistry": 24}})
		}

		// 48 hours before the review closes: only the judge with unfinished reviews, once.
		e.Clock.Set(reviewEnds.Add(-48*time.Hour + time.Minute))
		e.runReminders()
		e.runReminders()
		if n := len(done.Messages().ofKind("review_reminder")); n != 0 {
			t.Errorf("the judge who finished got %d reminders", n)
		}
		got := late.Messages().ofKind("review_reminder")
		if len(got) != 1 || got[0].Subject != "距评审截止不到 48 小时：还有 1 件作品未提交评分" {
			t.Fatalf("the late judge's reminders = %+v", got)
		}

		// The organizer closes judging (twice): each judge is thanked once.
		org.Must(http.StatusOK, "POST", "/api/v1/admin/judging/close", nil)
		org.Must(http.StatusOK, "POST", "/api/v1/admin/judging/close", nil)
		closed := done.Messages().ofKind("judging_closed")
		if len(closed) != 1 || !strings.Contains(closed[0].Body, "您共提交了 2 件") || !strings.Contains(closed[0].Body, "感谢") {
			t.Errorf("the finished judge's closing messages = %+v", closed)
		}
		if n := len(late.Messages().ofKind("judging_closed")); n != 1 {
			t.Errorf("the late judge has %d closing messages, want 1", n)
		}
		// Closed: the 24-hour reminder is not sent.
		e.Clock.Set(reviewEnds.Add(-24*time.Hour + time.Minute))
		e.runReminders()
		if n := len(late.Messages().ofKind("review_reminder")); n != 1 {
			t.Errorf("%d review reminders after judging closed, want still 1", n)
		}
	})
}

func TestReminders_OrganizersDailyDigestCountsTheDay(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		org := e.Organizer()
		// On 2022-05-15 (Beijing): two works entered, one submitted, one video rejected.
		c := e.Client().SignUp(address("a"))
		s := c.Create(nil)
		c.ConsentAll(s)
		c.Upload(s.ID, fixtureFile(t, "从剪映导出.mp4", ffmpegtest.Video{Format: "mov", Width: 640, Height: 360}))
		if st := c.WaitCheck(s.ID).Video.Check.State; st != "rejected" {
			t.Fatalf("check = %q", st)
		}
		e.SubmitWork(address("b"), nil)

		// 07:59 Beijing the next day: the day's digest is not due yet (and the day before's
		// is past its window).
		e.Clock.Set(time.Date(2022, 5, 15, 23, 59, 0, 0, time.UTC))
		e.runReminders()
		if n := len(org.Messages().ofKind("organizer_digest")); n != 0 {
			t.Fatalf("%d digests before 08:00", n)
		}
		e.Clock.Set(time.Date(2022, 5, 16, 0, 5, 0, 0, time.UTC)) // 08:05 Beijing
		e.runReminders()
		e.runReminders()
		got := org.Messages().ofKind("organizer_digest")
		if len(got) != 1 {
			t.Fatalf("the organizer has %d digests, want 1", len(got))
		}
		d := got[0]
		if d.Subject != "每日摘要（2022-05-16）：新报名 2，新提交 1" {
			t.Errorf("digest subject = %q", d.Subject)
		}
		for _, want := range []string{"2022-05-15 08:00 至 2022-05-16 08:00", "视频检查未通过 1 次", "草稿 1 件、已提交 1 件"} {
			if !strings.Contains(d.Body, want) {
				t.Errorf("digest lacks %q:\n%s", want, d.Body)
			}
		}
		if strings.Contains(d.Body, "评委") || strings.Contains(d.Body, "异议") {
			t.Errorf("the digest during collection speaks of judges or objections:\n%s", d.Body)
		}
		if n := len(c.Messages().ofKind("organizer_digest")); n != 0 {
			t.Errorf("a contestant got %d digests", n)
		}
	})
}
