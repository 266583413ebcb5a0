package contest

import (
	"fmt"
	"strings"
	"time"
)

// The contestant's own events: a work registered (the 回执 with its reference number), a work
// submitted, an objection received and decided. Each notification is made here from the
// event's facts and written by the store in the same transaction as the event.

// Number series, per contest (ContestStore.NextNumber).
const (
	seriesWork      = "work"
	seriesObjection = "objection"
)

// WorkReference is a work's reference number (报名编号): the contest's year and the work's
// number in the contest, 2026-000123. It is assigned when the work is created and never
// changes; a work that could not be stored leaves its number unused.
func WorkReference(c Contest, n int64) string {
	return fmt.Sprintf("%s-%06d", referenceSeries(c), n)
}

// referenceSeries starts a contest's reference numbers: the year its collection opens (2026),
// or, for a contest whose slug is not that year (a second contest of the year, a sibling
// activity), its slug in capitals (ESSAY-2026), so that no two contests share a number.
func referenceSeries(c Contest) string {
	year := fmt.Sprint(c.CollectionStart.In(c.Location()).Year())
	if c.Slug == "" || c.Slug == year {
		return year
	}
	return strings.ToUpper(c.Slug)
}

// ObjectionReference is an objection's reference number (异议编号): YY-2026-0007.
func ObjectionReference(c Contest, n int64) string {
	return fmt.Sprintf("YY-%s-%04d", referenceSeries(c), n)
}

// registrationNotification is the 回执 of a work just created: its reference number and what
// is left to do before the deadline. One per work.
func registrationNotification(now time.Time, c Contest, sub Submission) Notification {
	return notice(now, c, sub.OwnerID, NoteRegistered, "registered:"+sub.ID, workLink(sub.ID), noticeValues(c,
		"作品名称", noticeTitle(sub), "报名编号", sub.Reference, "征集截止", FormatTime(c.CollectionEnd, Beijing)))
}

// submittedNotification tells the owner that the work is submitted. A work submitted again
// (after a new video sent it back to draft) is a new event: the key holds the time.
func submittedNotification(now time.Time, c Contest, sub Submission) Notification {
	key := fmt.Sprintf("submitted:%s:%d", sub.ID, sub.SubmittedAt.UnixMilli())
	return notice(now, c, sub.OwnerID, NoteSubmitted, key, workLink(sub.ID), noticeValues(c,
		"作品名称", noticeTitle(sub), "报名编号", sub.Reference,
		"提交时间", FormatTime(*sub.SubmittedAt, Beijing), "征集截止", FormatTime(c.CollectionEnd, Beijing)))
}

// objectionReceivedNotifications tell a signed-in filer that the objection is recorded, with
// its reference number; an anonymous filer reads the number on the page after filing.
func objectionReceivedNotifications(now time.Time, c Contest, o Objection) []Notification {
	if o.FiledBy == "" {
		return nil
	}
	return []Notification{notice(now, c, o.FiledBy, NoteObjectionReceived, "objection:"+o.ID+":received", "/results",
		noticeValues(c, "作品名称", o.WorkTitle, "异议编号", o.Reference))}
}

// objectionDecidedNotifications tell a signed-in filer the decision and the organizers'
// answer, and, when the objection is upheld, the owner of the work objected to: their award
// will change. A dismissed objection changes nothing for the owner, who is not told of it
// (nor ever of who objected: neither message names the filer).
func objectionDecidedNotifications(now time.Time, c Contest, o Objection, owner string) []Notification {
	var out []Notification
	if o.FiledBy != "" {
		out = append(out, notice(now, c, o.FiledBy, NoteObjectionDecided, "objection:"+o.ID+":decided", "/results",
			noticeValues(c, "作品名称", o.WorkTitle, "异议编号", o.Reference, "处理结果", o.Status.Label(), "处理意见", o.Decision)))
	}
	if o.Status == ObjectionUpheld && owner != "" {
		out = append(out, notice(now, c, owner, NoteObjectionUpheld, "objection:"+o.ID+":upheld", workLink(o.WorkID),
			noticeValues(c, "作品名称", o.WorkTitle, "处理意见", o.Decision)))
	}
	return out
}
