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

// workTitle is a work's title in Chinese quotes for a subject line.
func workTitle(sub Submission) string {
	if t := strings.TrimSpace(sub.Registration.Title); t != "" {
		return "《" + t + "》"
	}
	return "您的作品"
}

// verdictNotification tells a work's owner the verdict on its video: accepted, or rejected with
// every reason and what to do. The same verdict on the same video is one notification, however
// often the check runs.
func verdictNotification(now time.Time, sub Submission, videoKey string, c VideoCheck) Notification {
	key := fmt.Sprintf("video:%s:%s:%s", sub.ID, videoKey, c.State)
	title := workTitle(sub)
	if c.State == CheckAccepted {
		body := fmt.Sprintf("作品%s的视频已通过格式检查。", title)
		if sub.Status != StatusSubmitted {
			body += "\n请确认报名信息和全部作品授权书后提交作品。"
		}
		return newNotification(now, sub.OwnerID, NoteVideoAccepted, key,
			"视频检查通过："+title, body, workLink(sub.ID))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "作品%s的视频未通过格式检查，原因如下：\n", title)
	for i, r := range c.Reasons {
		fmt.Fprintf(&b, "%d. %s\n", i+1, r.Message)
	}
	b.WriteString("请按以上要求修改视频后，在作品页面重新上传。截止前可以多次上传。")
	return newNotification(now, sub.OwnerID, NoteVideoRejected, key, "视频检查未通过："+title, b.String(), workLink(sub.ID)).
		withSMS(smsTitle(sub))
}

// exclusionNotification tells a work's owner that the work was excluded at 形式审查, with the
// organizers' reason. The same exclusion decided again (a double click, two organizers at
// once) is one notification; a different reason is a new one.
func exclusionNotification(now time.Time, sub Submission, fr FormalReview) Notification {
	sum := sha256.Sum256([]byte(fr.Reason))
	key := fmt.Sprintf("formal:%s:excluded:%x", sub.ID, sum[:8])
	title := workTitle(sub)
	body := fmt.Sprintf("作品%s未通过形式审查，不进入评审。\n原因：%s\n如有疑问，请联系主办单位。", title, fr.Reason)
	return newNotification(now, sub.OwnerID, NoteFormalExcluded, key, "形式审查未通过："+title, body, workLink(sub.ID)).
		withSMS(smsTitle(sub))
}

// publicityNotifications tell the owner of each work in the 公示 that it is listed, with the
// tier, until when, and where to read it. The contest's other contestants are told when the
// results are published (resultNotifications): the 公示 names only the winning works. One per
// work and 公示 version, however often the start is clicked.
func publicityNotifications(now time.Time, c Contest, results []Result, works map[string]Submission) []Notification {
	var out []Notification
	for _, r := range results {
		w, ok := works[r.WorkID]
		if !ok || w.OwnerID == "" {
			continue
		}
		key := fmt.Sprintf("publicity:%s:%d:%s", c.ID, c.Publication.PublicityVersion, r.WorkID)
		body := fmt.Sprintf("您的作品《%s》拟获%s，现予公示，公示期至%s。\n公示期间如有异议，任何人均可在公示页面提出；公示期满后结果正式发布。",
			r.Title, r.Tier.Label(), FormatTime(*c.Publication.PublicityEnd, Beijing))
		out = append(out, newNotification(now, w.OwnerID, NotePublicity, key, "作品入选公示：《"+r.Title+"》", body, "/results").
			withSMS(r.Title, r.Tier.Label(), smsDay(*c.Publication.PublicityEnd)))
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
		title := workTitle(w)
		if t, ok := tier[w.ID]; ok {
			link, body := "/results", fmt.Sprintf("评选结果已正式发布，您的作品%s荣获%s。", title, t.Label())
			if serial, ok := cert[w.ID]; ok {
				link = "/certificates/" + serial
				body += "\n获奖证书可通过本消息的链接或“我的作品”页面下载，证书编号 " + serial + "。"
			}
			out = append(out, newNotification(now, w.OwnerID, NoteResults, key, "评选结果：作品"+title+"荣获"+t.Label(), body, link).
				withSMS(smsTitle(w), t.Label()))
			continue
		}
		body := fmt.Sprintf("评选结果已正式发布。您的作品%s本次未获奖，感谢您的参与。", title)
		out = append(out, newNotification(now, w.OwnerID, NoteResults, key, "评选结果已发布："+title, body, "/results").
			withSMS(smsTitle(w), "未获奖"))
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
