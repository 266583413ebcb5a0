package contest

import (
	"strings"
	"testing"
	"time"
)

func TestReferences_CarryTheContestsYearInItsZone(t *testing.T) {
	// The contest starts at midnight in Beijing on New Year's Day: still the previous year in UTC.
	c := Contest{TimeZone: "Asia/Shanghai", CollectionStart: time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC)}
	if got := WorkReference(c, 123); got != "2026-000123" {
		t.Errorf("work reference = %q", got)
	}
	if got := ObjectionReference(c, 7); got != "YY-2026-0007" {
		t.Errorf("objection reference = %q", got)
	}
	// A contest named by its year keeps the year; another contest of the year its slug, so that
	// two contests' works never share a number.
	c.Slug = "2026"
	if got := WorkReference(c, 123); got != "2026-000123" {
		t.Errorf("work reference of contest 2026 = %q", got)
	}
	c.Slug = "essay-2026"
	if got, obj := WorkReference(c, 123), ObjectionReference(c, 7); got != "ESSAY-2026-000123" || obj != "YY-ESSAY-2026-0007" {
		t.Errorf("references of contest essay-2026 = %q, %q", got, obj)
	}
}

func TestObjectionNotifications_FilerWhenSignedInOwnerOnlyWhenUpheld(t *testing.T) {
	now := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	c := Contest{Name: "测试活动"}
	o := Objection{ID: "o1", Reference: "YY-2026-0001", WorkID: "w1", WorkTitle: "光与影", Name: "吴八", Contact: "wu@example.org",
		Status: ObjectionDismissed, Decision: "作品为原创。"}

	if n := objectionReceivedNotifications(now, c, o); len(n) != 0 {
		t.Errorf("an anonymous filer was sent %+v", n)
	}
	if n := objectionDecidedNotifications(now, c, o, "owner"); len(n) != 0 {
		t.Errorf("a dismissed anonymous objection told %+v", n)
	}
	o.FiledBy = "filer"
	if n := objectionReceivedNotifications(now, c, o); len(n) != 1 || n[0].Recipient != "filer" || !strings.Contains(n[0].Subject, "YY-2026-0001") {
		t.Errorf("received = %+v", n)
	}
	if n := objectionDecidedNotifications(now, c, o, "owner"); len(n) != 1 || n[0].Recipient != "filer" || !strings.Contains(n[0].Subject, "异议不成立") {
		t.Errorf("dismissed = %+v, want the filer only", n)
	}
	o.Status = ObjectionUpheld
	n := objectionDecidedNotifications(now, c, o, "owner")
	if len(n) != 2 || n[1].Recipient != "owner" || n[1].Kind != NoteObjectionUpheld || n[1].Link != "/submissions/w1" {
		t.Fatalf("upheld = %+v, want the filer and the owner", n)
	}
	for _, m := range n {
		if strings.Contains(m.Subject+m.Body, "吴八") || strings.Contains(m.Subject+m.Body, "wu@example.org") {
			t.Errorf("a message names the filer: %+v", m)
		}
	}
}

func TestSubmittedNotification_EachSubmissionIsItsOwnEvent(t *testing.T) {
	c := Contest{Name: "测试活动", CollectionEnd: time.Date(2026, 5, 20, 15, 59, 59, 0, time.UTC)}
	first, again := time.Date(2026, 5, 18, 13, 30, 5, 0, time.UTC), time.Date(2026, 5, 19, 1, 0, 0, 0, time.UTC)
	sub := Submission{ID: "w1", OwnerID: "u1", Reference: "2026-000001", Registration: Registration{Title: "光与影"}, SubmittedAt: &first}
	a := submittedNotification(first, c, sub)
	if !strings.Contains(a.Body, "（报名编号 2026-000001）已于 2026年5月18日 21:30:05 提交成功") || !strings.Contains(a.Body, "2026年5月20日 23:59:59") {
		t.Errorf("body = %q", a.Body)
	}
	sub.SubmittedAt = &again
	if b := submittedNotification(again, c, sub); b.EventKey == a.EventKey {
		t.Error("a second submission (after going back to draft) has the first one's event key")
	}
}
