package http_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// messageList is the API's page of one's own messages.
type messageList struct {
	Items []struct {
		ID      string
		Kind    string
		Subject string
		Body    string
		Link    string
		ReadAt  *string `json:"read_at"`
	}
	Total  int64
	Unread int64
}

func (c *client) Messages() messageList {
	c.t.Helper()
	var l messageList
	c.Must(http.StatusOK, "GET", "/api/v1/me/notifications", nil).JSON(c.t, &l)
	return l
}

// headerUnread is the unread count the page header shows ("" when none).
func (c *client) headerUnread(t *testing.T, path string) string {
	t.Helper()
	doc := mustDoc(t, c.Must(http.StatusOK, "GET", path, nil))
	if doc.Find("#nav-messages").Length() != 1 {
		t.Fatalf("%s has no link to the messages", path)
	}
	return doc.Find("#nav-messages .count").Text()
}

func TestMessages_VerdictsAndExclusionTellTheOwnerOnce(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		org := e.Organizer()
		c := e.Client().SignUp("zhang@example.org")
		other := e.Client().SignUp("li@example.org")
		s := c.Create(nil)
		c.ConsentAll(s)

		// A video that breaks two rules: one message listing both reasons and what to do.
		c.Upload(s.ID, fixtureFile(t, "从剪映导出.mp4", ffmpegtest.Video{Format: "mov", Width: 640, Height: 360}))
		got := c.WaitCheck(s.ID)
		if got.Video.Check.State != "rejected" || len(got.Video.Check.Reasons) != 2 {
			t.Fatalf("check = %+v, want rejected for two reasons", got.Video.Check)
		}
		// The 回执 of the work's creation, then the verdict.
		l := c.Messages()
		if len(l.Items) != 2 || l.Total != 2 || l.Unread != 2 || l.Items[1].Kind != "registration_received" {
			t.Fatalf("messages after a rejected video = %+v, want the 回执 and the verdict unread", l)
		}
		m := l.Items[0]
		if m.Kind != "video_rejected" || m.Subject != "视频检查未通过：《实验室里的创新誓言》" || m.Link != "/c/2022/submissions/"+s.ID || m.ReadAt != nil {
			t.Errorf("rejection message = %+v", m)
		}
		for _, r := range got.Video.Check.Reasons {
			if !strings.Contains(m.Body, r.Message) {
				t.Errorf("rejection body %q lacks the reason %q", m.Body, r.Message)
			}
		}
		if !strings.Contains(m.Body, "重新上传") {
			t.Errorf("rejection body %q does not say what to do", m.Body)
		}
		if strings.Contains(m.Body, "11010519491231002X") || strings.Contains(m.Body, "13800138000") {
			t.Errorf("message holds personal numbers: %q", m.Body)
		}

		// The organizer's 重新检查 of the same video reaches the same verdict: no second message.
		org.Must(http.StatusAccepted, "POST", "/api/v1/admin/submissions/"+s.ID+"/video/check", nil)
		if st := c.WaitCheck(s.ID).Video.Check.State; st != "rejected" {
			t.Fatalf("check run again = %q", st)
		}
		if l := c.Messages(); l.Total != 2 {
			t.Fatalf("messages after the same check ran again = %d, want 2", l.Total)
		}

		// A new video that passes, then the work submitted: two more messages, newest first.
		c.UploadAccepted(s.ID)
		c.Must(http.StatusOK, "POST", "/api/v1/submissions/"+s.ID+"/finalize", nil)
		l = c.Messages()
		if l.Total != 4 || l.Items[1].Kind != "video_accepted" || l.Items[1].Subject != "视频检查通过：《实验室里的创新誓言》" ||
			l.Items[0].Kind != "work_submitted" {
			t.Fatalf("messages after an accepted video and the submission = %+v", l)
		}

		// Excluded at 形式审查 twice at once (a double click): one message with the reason.
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				org.Must(http.StatusOK, "PUT", "/api/v1/admin/submissions/"+s.ID+"/formal-review",
					map[string]string{"decision": "excluded", "reason": "作品内容与征集主题不符"})
			}()
		}
		wg.Wait()
		l = c.Messages()
		if l.Total != 5 || l.Unread != 5 || l.Items[0].Kind != "formal_excluded" {
			t.Fatalf("messages after the exclusion = %+v, want 5 unread, the exclusion first", l)
		}
		if ex := l.Items[0]; ex.Subject != "形式审查未通过：《实验室里的创新誓言》" || !strings.Contains(ex.Body, "原因：作品内容与征集主题不符") {
			t.Errorf("exclusion message = %+v", ex)
		}

		// The header counts them; the message centre lists them, the unread marked.
		if n := c.headerUnread(t, "/my"); n != "5" {
			t.Errorf("header unread = %q, want 5", n)
		}
		doc := mustDoc(t, c.Must(http.StatusOK, "GET", "/messages", nil))
		if doc.Find("li.message.unread").Length() != 5 || !strings.Contains(doc.Find("li.message").First().Text(), "作品内容与征集主题不符") {
			t.Errorf("message centre: %d unread, first %q", doc.Find("li.message.unread").Length(), doc.Find("li.message").First().Text())
		}

		// Nobody else sees them, nor can mark them.
		if l := other.Messages(); l.Total != 0 || l.Unread != 0 || len(l.Items) != 0 {
			t.Errorf("another contestant's messages = %+v, want none", l)
		}
		if r := other.Do("POST", "/api/v1/me/notifications/read", map[string]any{"ids": []string{m.ID}}); r.Status != http.StatusNotFound {
			t.Errorf("another contestant marking the message = %d, want 404", r.Status)
		}
		if n := other.headerUnread(t, "/my"); n != "" {
			t.Errorf("another contestant's header unread = %q", n)
		}
		if doc := mustDoc(t, other.Must(http.StatusOK, "GET", "/messages", nil)); doc.Find("li.message").Length() != 0 {
			t.Errorf("another contestant's message centre lists %d messages", doc.Find("li.message").Length())
		}
		if r := e.Client().Do("GET", "/api/v1/me/notifications", nil); r.Status != http.StatusUnauthorized {
			t.Errorf("anonymous = %d, want 401", r.Status)
		}

		// Marking one read (API), then all (the page's form, no JavaScript).
		var read struct{ Unread int64 }
		c.Must(http.StatusOK, "POST", "/api/v1/me/notifications/read", map[string]any{"ids": []string{m.ID}}).JSON(t, &read)
		if read.Unread != 4 {
			t.Errorf("unread after marking one = %d, want 4", read.Unread)
		}
		c.Must(http.StatusOK, "POST", "/api/v1/me/notifications/read", map[string]any{"ids": []string{m.ID}}) // already read: still hers
		if n := c.headerUnread(t, "/messages"); n != "4" {
			t.Errorf("header unread after marking one = %q, want 4", n)
		}
		c.Must(http.StatusSeeOther, "POST", "/messages/read", url.Values{"all": {"1"}})
		if l := c.Messages(); l.Unread != 0 || l.Total != 5 || l.Items[0].ReadAt == nil {
			t.Errorf("after marking all read: %+v", l)
		}
		if n := c.headerUnread(t, "/my"); n != "" {
			t.Errorf("header unread after marking all = %q, want none", n)
		}
	})
}

// ofKind returns the messages of one kind.
func (l messageList) ofKind(kind string) []struct {
	ID      string
	Kind    string
	Subject string
	Body    string
	Link    string
	ReadAt  *string `json:"read_at"`
} {
	out := l.Items[:0:0]
	for _, m := range l.Items {
		if m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}

func TestMessages_PublicityAndResultsTellEachOwnerOnce(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		org := e.Organizer()
		drafter := e.Client().SignUp("draft@example.org")
		drafter.Create(nil) // never submitted: not in the results
		owners, _ := e.ConfirmAwards(org, workOf("金奖作品", "省农业科学院", "南京市"), workOf("银奖作品", "南京大学", "南京市"),
			workOf("铜奖作品", "东南大学", "南京市"), workOf("落选作品", "河海大学", "南京市"))

		// The 公示 started twice at once (a double click): each listed work's owner is told once.
		var wg sync.WaitGroup
		for range 2 {
			c := e.Organizer()
			wg.Go(func() { c.Do("POST", "/api/v1/admin/publication/publicity", nil) })
		}
		wg.Wait()
		for i, want := range []string{"一等奖", "二等奖", "三等奖"} {
			got := owners[i].Messages().ofKind("publicity_started")
			if len(got) != 1 || !strings.Contains(got[0].Body, want) || !strings.Contains(got[0].Body, "公示期至") || got[0].Link != "/c/2022/results" {
				t.Errorf("owner %d's 公示 messages = %+v, want one with %s", i, got, want)
			}
		}
		if got := owners[3].Messages().ofKind("publicity_started"); len(got) != 0 {
			t.Errorf("the owner of a work not in the 公示 got %+v", got)
		}

		// Published by three organizers at once: every owner of a submitted work is told once.
		e.Clock.Set(afterPublicity)
		publishTogether(t, e, 3)
		first := owners[0].Messages().ofKind("results_published")
		if len(first) != 1 || first[0].Subject != "评选结果：作品《金奖作品》荣获一等奖" || !strings.HasPrefix(first[0].Link, "/c/2022/certificates/") {
			t.Fatalf("the winner's result messages = %+v", first)
		}
		// The link is the winner's own certificate.
		if r := owners[0].Do("GET", first[0].Link, nil); r.Status != http.StatusOK {
			t.Errorf("certificate link %s = %d", first[0].Link, r.Status)
		}
		lost := owners[3].Messages().ofKind("results_not_awarded")
		if len(lost) != 1 || !strings.Contains(lost[0].Body, "未获奖") || lost[0].Link != "/c/2022/results" || lost[0].Kind != "results_not_awarded" {
			t.Errorf("the other owner's result messages = %+v", lost)
		}
		if l := drafter.Messages(); l.Total != 1 || l.Items[0].Kind != "registration_received" {
			t.Errorf("a contestant without a submitted work got %+v, want only the 回执", l)
		}
	})
}
