package contest

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strings"
	"time"
)

// E-mail delivery of notifications. When a Mailer is configured, every notification whose
// recipient has an e-mail address gets a delivery, written in the same transaction as the
// notification, and a job (EmailArgs) that sends it: retried with back-off, marked sent, or
// failed with the cause after the last attempt. The notification itself (the message centre)
// does not depend on it: a mail server that is down delays or fails only the e-mail.

// Mail is one e-mail to one person.
type Mail struct {
	// MessageID is derived from the notification's id, so a resend after a lost
	// acknowledgement is recognisably the same message.
	MessageID string
	ToName    string
	ToAddress string
	Subject   string
	Text      string // plain text
	HTML      string // the same text as simple HTML
	// Unsubscribe, on reminders only, is the link that turns reminders off: sent as the
	// List-Unsubscribe header with one-click unsubscribing (RFC 8058).
	Unsubscribe string
}

// Mailer sends e-mail (internal/smtp). An error that wraps ErrMailRefused is a refusal for
// good.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// ErrMailRefused marks a mail the server refused for good (an SMTP 5xx reply: no such mailbox,
// content rejected, relaying denied): the same mail would be refused again (RFC 5321 §4.2.1), so
// it is not retried.
var ErrMailRefused = errors.New("refused for good")

// EmailArgs is the job that e-mails one notification.
type EmailArgs struct {
	NotificationID string `json:"notification_id"`
}

// Kind is the job's stable name.
func (EmailArgs) Kind() string { return "notification_email" }

// DeliveryState is where an e-mail delivery stands.
type DeliveryState string

// The delivery states.
const (
	DeliveryPending  DeliveryState = "pending"
	DeliverySent     DeliveryState = "sent"
	DeliveryRetrying DeliveryState = "retrying"
	DeliveryFailed   DeliveryState = "failed"
)

// Label is the state in Chinese.
func (s DeliveryState) Label() string {
	switch s {
	case DeliverySent:
		return "已发送"
	case DeliveryRetrying:
		return "重试中"
	case DeliveryFailed:
		return "发送失败"
	}
	return "待发送"
}

// EmailDelivery is a notification to send by e-mail, with its recipient's name and address.
type EmailDelivery struct {
	Notification Notification
	Name         string
	Address      string
	State        DeliveryState
}

// DeliveryRecord is one delivery as organizers see it: the address masked.
type DeliveryRecord struct {
	NotificationID string
	Channel        string // email or sms
	Kind           NotificationKind
	Subject        string
	Recipient      string // masked address, or masked number for SMS
	State          DeliveryState
	Attempts       int
	LastError      string
	CreatedAt      time.Time
	SentAt         *time.Time
}

// DeliveryStore keeps the e-mail deliveries; they are inserted with their notifications.
type DeliveryStore interface {
	// EmailDelivery returns the notification to e-mail and its recipient.
	EmailDelivery(ctx context.Context, notificationID string) (EmailDelivery, error)
	// RecordEmailDelivery records an attempt's outcome.
	RecordEmailDelivery(ctx context.Context, notificationID string, state DeliveryState, attempts int, cause string, sentAt *time.Time) error
	// ListDeliveries returns the newest deliveries, newest first, addresses masked; with
	// linkPrefix, those of messages linking under it only (one contest's: /c/{slug}/).
	ListDeliveries(ctx context.Context, limit int, linkPrefix string) ([]DeliveryRecord, error)
}

// NotificationMail is the e-mail of notification n to name at address: the subject, the body
// and the link on the site (baseURL + n.Link), as plain text and as simple HTML.
func NotificationMail(n Notification, name, address, baseURL string) Mail {
	link := ""
	if n.Link != "" && baseURL != "" {
		link = strings.TrimRight(baseURL, "/") + n.Link
	}
	greeting := "您好："
	if name != "" {
		greeting = name + "，您好："
	}
	var text strings.Builder
	text.WriteString(greeting + "\n\n" + n.Body + "\n")
	if link != "" {
		text.WriteString("\n详情：" + link + "\n")
	}
	text.WriteString("\n本邮件由系统自动发送，请勿直接回复。\n")

	var h strings.Builder
	h.WriteString(`<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>` + html.EscapeString(n.Subject) + `</title></head><body>`)
	h.WriteString("<p>" + html.EscapeString(greeting) + "</p>")
	for line := range strings.SplitSeq(n.Body, "\n") {
		h.WriteString("<p>" + html.EscapeString(line) + "</p>")
	}
	if link != "" {
		h.WriteString(`<p><a href="` + html.EscapeString(link) + `">查看详情</a></p>`)
	}
	h.WriteString("<p><small>本邮件由系统自动发送，请勿直接回复。</small></p></body></html>")
	return Mail{MessageID: "notification-" + n.ID, ToName: name, ToAddress: address, Subject: n.Subject,
		Text: text.String(), HTML: h.String()}
}

// SendEmail runs one attempt of the job that e-mails a notification; final says it is the
// last. A delivery already sent is not sent again. A refusal for good ends the delivery as
// failed at once, and the error returned wraps ErrMailRefused so that the job is not retried.
// The cause recorded for organizers never holds the address.
func (s *MessageService) SendEmail(ctx context.Context, a EmailArgs, attempt int, final bool) error {
	if s.mailer == nil {
		return errors.New("e-mail is not configured")
	}
	d, err := s.deliveries.EmailDelivery(ctx, a.NotificationID)
	if err != nil {
		return err
	}
	if d.State == DeliverySent || d.State == DeliveryFailed {
		return nil
	}
	m := NotificationMail(d.Notification, d.Name, d.Address, s.baseURL)
	if k, _ := NoticeKindOf(d.Notification.Kind); k.Reminder {
		m = withUnsubscribe(m, s.UnsubscribeLink(d.Notification.Recipient))
	}
	if err := s.mailer.Send(ctx, m); err != nil {
		refused := errors.Is(err, ErrMailRefused)
		state := DeliveryRetrying
		if final || refused {
			state = DeliveryFailed
		}
		cause := strings.ReplaceAll(err.Error(), d.Address, MaskEmail(d.Address))
		// The error goes to River's log: the cause, never the address.
		out := errors.New(cause)
		if refused {
			out = fmt.Errorf("%s (%w)", cause, ErrMailRefused)
		}
		if rerr := s.deliveries.RecordEmailDelivery(ctx, a.NotificationID, state, attempt, cause, nil); rerr != nil {
			return errors.Join(out, rerr)
		}
		return out
	}
	// The server has the mail: record it even if the job's time or the replica's shutdown ends
	// ctx now, for an attempt that ends unrecorded is sent again (docs/design/notifications.md).
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	now := s.Now()
	return s.deliveries.RecordEmailDelivery(rctx, a.NotificationID, DeliverySent, attempt, "", &now)
}

// recordTimeout bounds recording a mail the server accepted.
const recordTimeout = 10 * time.Second

// Deliveries returns the newest deliveries (e-mail and SMS) for organizers.
func (s *MessageService) Deliveries(ctx context.Context, u User) ([]DeliveryRecord, error) {
	if err := requireOrganizer(u); err != nil {
		return nil, err
	}
	prefix := "" // a site administrator sees every contest's
	if !u.IsSiteAdmin() {
		c, err := s.contests.CurrentContest(ctx)
		if err != nil {
			return nil, err
		}
		prefix = c.Path() + "/"
	}
	return s.deliveries.ListDeliveries(ctx, 200, prefix)
}

// withUnsubscribe adds the unsubscribe link to a reminder's mail: at its end, and as the
// List-Unsubscribe header.
func withUnsubscribe(m Mail, link string) Mail {
	if link == "" {
		return m
	}
	m.Unsubscribe = link
	m.Text += "\n不想再收到提醒邮件？点此退订（其他通知不受影响）：" + link + "\n"
	m.HTML = strings.Replace(m.HTML, "</body></html>",
		`<p><small>不想再收到提醒邮件？<a href="`+html.EscapeString(link)+`">点此退订</a>（其他通知不受影响）</small></p></body></html>`, 1)
	return m
}
