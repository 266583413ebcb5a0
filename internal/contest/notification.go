package contest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"
)

// Notification is a message to one person about something that happened to them: a video's
// verdict, a work excluded at 形式审查. It is written in the same transaction as the event that
// causes it (the outbox), and shown in the recipient's message centre (站内消息). It holds no
// personal numbers: only the work's title, the verdict's reasons and a link into the site.
//
// This increment delivers on the site only. E-mail and SMS (docs/design/notifications.md) will
// add one delivery per channel to each notification — pending, sent, retrying or failed with
// the cause — sent by a job from the same row, so nothing here changes for them.
type Notification struct {
	ID        string
	Recipient string // the user's id
	Kind      NotificationKind
	// EventKey names the event; with Recipient it is unique, so an event recorded twice (a
	// retried job, a check run again on the same video, a double click) makes one notification.
	EventKey  string
	Subject   string // Chinese, plain text
	Body      string // Chinese, plain text; lines separated by \n
	Link      string // site-relative, e.g. /submissions/{id}
	CreatedAt time.Time
	ReadAt    *time.Time

	// SMSParams are the facts an SMS of this kind shows, in its template's order (sms.go);
	// nil for kinds not sent by SMS. Kept with the SMS delivery, not with the notification.
	SMSParams []string
}

// NotificationKind is the stable code of what a notification is about.
type NotificationKind string

// The events that notify someone.
const (
	NoteVideoAccepted  NotificationKind = "video_accepted"
	NoteVideoRejected  NotificationKind = "video_rejected"
	NoteFormalExcluded NotificationKind = "formal_excluded"
	NotePublicity      NotificationKind = "publicity_started"
	NoteResults        NotificationKind = "results_published"
	NoteNotAwarded     NotificationKind = "results_not_awarded"
	NoteFeedback       NotificationKind = "feedback_released" // 评审意见已发布
	// Reminders and the judges' and organizers' events (reminder.go).
	NoteDeadlineReminder NotificationKind = "deadline_reminder"
	NoteReviewAssigned   NotificationKind = "review_assigned"
	NoteReviewReminder   NotificationKind = "review_reminder"
	NoteJudgingClosed    NotificationKind = "judging_closed"
	NoteDigest           NotificationKind = "organizer_digest"

	NoteRegistered        NotificationKind = "registration_received"
	NoteSubmitted         NotificationKind = "work_submitted"
	NoteObjectionReceived NotificationKind = "objection_received"
	NoteObjectionDecided  NotificationKind = "objection_decided"
	NoteObjectionUpheld   NotificationKind = "objection_upheld"

	// NoteCandidateRejected: a video uploaded to replace an accepted one was refused; the
	// accepted one stays.
	NoteCandidateRejected NotificationKind = "video_candidate_rejected"
)

// Unread reports whether the recipient has not read it yet.
func (n Notification) Unread() bool { return n.ReadAt == nil }

// newNotification fills in the id and time of a notification to recipient; ids sort in the
// order they were made, so messages made in the same instant still list newest first.
func newNotification(now time.Time, recipient string, kind NotificationKind, key, subject, body, link string) Notification {
	return Notification{ID: newOrderedID(), Recipient: recipient, Kind: kind, EventKey: key, Subject: subject,
		Body: body, Link: link, CreatedAt: now}
}

// workLink is the contestant's page of a work.
func workLink(submissionID string) string { return "/submissions/" + submissionID }

// noticeValues are the values of a notification's placeholders: the contest's name, and the
// event's own (others by name, value, name, value...).
func noticeValues(c Contest, pairs ...string) map[string]string {
	v := map[string]string{"活动名称": c.Name}
	for i := 0; i+1 < len(pairs); i += 2 {
		v[pairs[i]] = pairs[i+1]
	}
	return v
}

// noticeTitle is a work's title for a notification and its SMS (the texts put the 《》); a
// work without one is 未命名作品.
func noticeTitle(sub Submission) string {
	if t := strings.TrimSpace(sub.Registration.Title); t != "" {
		return t
	}
	return "未命名作品"
}

// notice makes kind's notification to recipient in contest c with the contest's text of the
// kind filled with values.
func notice(now time.Time, c Contest, recipient string, kind NotificationKind, key, link string, values map[string]string) Notification {
	subject, body := c.Notices.render(kind, values)
	if c.Slug != "" && strings.HasPrefix(link, "/") {
		link = c.Path() + link // the contest's own URL: it stays right when another becomes the default
	}
	return newNotification(now, recipient, kind, key, subject, body, link)
}

// verdictNotification tells a work's owner the verdict on its video: accepted, or rejected with
// every reason and what to do. The same verdict on the same video is one notification, however
// often the check runs.
func verdictNotification(now time.Time, c Contest, sub Submission, videoKey string, check VideoCheck) Notification {
	key := fmt.Sprintf("video:%s:%s:%s", sub.ID, videoKey, check.State)
	if check.State == CheckAccepted {
		todo := ""
		if sub.Status != StatusSubmitted {
			todo = "请确认报名信息和全部作品授权书后提交作品。"
		}
		return notice(now, c, sub.OwnerID, NoteVideoAccepted, key, workLink(sub.ID),
			noticeValues(c, "作品名称", noticeTitle(sub), "待办", todo))
	}
	return notice(now, c, sub.OwnerID, NoteVideoRejected, key, workLink(sub.ID),
		noticeValues(c, "作品名称", noticeTitle(sub), "原因", reasonLines(check))).
		withSMS(noticeTitle(sub))
}

// candidateNotification tells a work's owner the verdict on a video uploaded to replace one
// that had passed: accepted, it has replaced that video; refused, with every reason, and the
// earlier video is still the one entered.
func candidateNotification(now time.Time, c Contest, sub Submission, cand Video, check VideoCheck) Notification {
	if check.State == CheckAccepted {
		n := verdictNotification(now, c, sub, cand.Key, check)
		todo := "新上传的视频“" + cand.Name + "”已替换原先的参赛视频。"
		if sub.Status != StatusSubmitted {
			todo += "请确认报名信息和全部作品授权书后提交作品。"
		}
		n.Subject, n.Body = c.Notices.render(NoteVideoAccepted, noticeValues(c, "作品名称", noticeTitle(sub), "待办", todo))
		return n
	}
	key := fmt.Sprintf("video:%s:%s:%s", sub.ID, cand.Key, check.State)
	return notice(now, c, sub.OwnerID, NoteCandidateRejected, key, workLink(sub.ID),
		noticeValues(c, "作品名称", noticeTitle(sub), "新视频", cand.Name, "原因", reasonLines(check),
			"参赛视频", sub.Video.Name))
}

// reasonLines numbers a check's reasons, one a line.
func reasonLines(check VideoCheck) string {
	var reasons []string
	for i, r := range check.Reasons {
		reasons = append(reasons, fmt.Sprintf("%d. %s", i+1, r.Message))
	}
	return strings.Join(reasons, "\n")
}

// exclusionNotification tells a work's owner that the work was excluded at 形式审查, with the
// organizers' reason. The same exclusion decided again (a double click, two organizers at
// once) is one notification; a different reason is a new one.
func exclusionNotification(now time.Time, c Contest, sub Submission, fr FormalReview) Notification {
	sum := sha256.Sum256([]byte(fr.Reason))
	key := fmt.Sprintf("formal:%s:excluded:%x", sub.ID, sum[:8])
	return notice(now, c, sub.OwnerID, NoteFormalExcluded, key, workLink(sub.ID),
		noticeValues(c, "作品名称", noticeTitle(sub), "原因", fr.Reason)).
		withSMS(noticeTitle(sub))
}

// publicityNotifications tell the owner of each work in the 公示 that it is listed, with the
// tier, until when, and where to read it. The contest's other contestants are told when the
// results are published (resultNotifications): the 公示 names only the winning works. One per
// work and 公示 version, however often the start is clicked.
func publicityNotifications(now time.Time, c Contest, results []Result, works map[string]Submission) []Notification {
	var out []Notification
	last := c.Publication.PublicityLastDay() // an official notice gives the 公示's days, not its midnight
	for _, r := range results {
		w, ok := works[r.WorkID]
		if !ok || w.OwnerID == "" {
			continue
		}
		key := fmt.Sprintf("publicity:%s:%d:%s", c.ID, c.Publication.PublicityVersion, r.WorkID)
		out = append(out, notice(now, c, w.OwnerID, NotePublicity, key, "/results", noticeValues(c,
			"作品名称", r.Title, "奖项", r.Tier.Label(), "公示截止", FormatDate(last, Beijing))).
			withSMS(r.Title, r.Tier.Label(), smsDay(last)))
	}
	return out
}

// resultNotifications tell the owner of every submitted work that the results are out: the
// award and the certificate's link, or that the work won nothing. One per work and published
// version: publishing again (a double click, or after a withdrawal with the same awards) tells
// nobody twice.
func resultNotifications(now time.Time, c Contest, submitted []Submission, results []Result, issue []Certificate) []Notification {
	tier := map[string]Tier{}
	for _, r := range results {
		tier[r.WorkID] = r.Tier
	}
	cert := map[string]string{}
	for _, x := range issue {
		if x.Recipient == "" {
			cert[x.WorkID] = x.Serial
		}
	}
	out := make([]Notification, 0, len(submitted))
	for _, w := range submitted {
		if w.OwnerID == "" {
			continue
		}
		key := fmt.Sprintf("results:%s:%d:%s", c.ID, c.Publication.PublishedVersion, w.ID)
		t, awarded := tier[w.ID]
		if !awarded {
			out = append(out, notice(now, c, w.OwnerID, NoteNotAwarded, key, "/results",
				noticeValues(c, "作品名称", noticeTitle(w))).withSMS(noticeTitle(w), "未获奖"))
			continue
		}
		link, serial := "/results", cert[w.ID]
		if serial != "" {
			link = "/certificates/" + serial
		}
		out = append(out, notice(now, c, w.OwnerID, NoteResults, key, link,
			noticeValues(c, "作品名称", noticeTitle(w), "奖项", t.Label(), "证书编号", serial)).withSMS(noticeTitle(w), t.Label()))
	}
	return out
}

// NotificationStore keeps notifications; they are inserted by the stores that record their
// events, in the same transaction.
type NotificationStore interface {
	// ListNotifications returns a page of the recipient's notifications, newest first, and
	// how many they have in all and unread.
	ListNotifications(ctx context.Context, recipient string, limit, offset int) (NotificationPage, error)
	// CountUnread counts the recipient's unread notifications.
	CountUnread(ctx context.Context, recipient string) (int64, error)
	// MarkNotificationsRead marks the recipient's unread notifications among ids (all of them
	// when ids is nil) read at the time. With ids it returns how many of them are the
	// recipient's (read before or now); other people's ids are left alone and not counted.
	MarkNotificationsRead(ctx context.Context, recipient string, ids []string, at time.Time) (int64, error)
}

// NotificationPage is one page of someone's notifications.
type NotificationPage struct {
	Items  []Notification
	Total  int64
	Unread int64
}

// MessageService is the message centre: each person reads and marks only their own messages.
type MessageService struct {
	*core
	notes      NotificationStore
	deliveries DeliveryStore
	users      UserStore
	reminders  ReminderStore
	mailer     Mailer // nil: site messages only
	baseURL    string
	sms        SMSSettings // nil Sender: no SMS
	smsStore   SMSDeliveryStore
}

// MessagePageSize is how many messages one page shows.
const MessagePageSize = 20

// Messages returns the page (from 1) of the user's messages, newest first.
func (s *MessageService) Messages(ctx context.Context, u User, page int) (NotificationPage, error) {
	page = max(page, 1)
	return s.notes.ListNotifications(ctx, u.ID, MessagePageSize, (page-1)*MessagePageSize)
}

// Unread counts the user's unread messages (the header's badge).
func (s *MessageService) Unread(ctx context.Context, u User) (int64, error) {
	return s.notes.CountUnread(ctx, u.ID)
}

// MarkRead marks the user's messages read: those among ids, or all when all is set. An id
// that is not the user's is not found.
func (s *MessageService) MarkRead(ctx context.Context, u User, ids []string, all bool) (int64, error) {
	if all {
		return s.notes.MarkNotificationsRead(ctx, u.ID, nil, s.Now())
	}
	if len(ids) == 0 {
		return 0, Errorf(EInvalid, "请选择要标记为已读的消息")
	}
	if len(ids) > 100 {
		return 0, Errorf(EInvalid, "一次最多标记 100 条消息")
	}
	n, err := s.notes.MarkNotificationsRead(ctx, u.ID, ids, s.Now())
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, Errorf(ENotFound, "消息不存在")
	}
	return n, nil
}
