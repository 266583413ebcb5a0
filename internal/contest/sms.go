package contest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// SMS delivery of notifications. Providers in mainland China send only approved templates: the
// text is fixed at the provider, with numbered variables ({1}, {2}) filled by short parameters.
// So an SMS here is a template ID (from the configuration, per kind) and the kind's ordered
// parameters; the message centre and the e-mail carry the full text. Only the important kinds
// go by SMS (smsKinds), and only those with a template configured.

// SMS is one templated text message to one mainland mobile number.
type SMS struct {
	Number     string // 11 digits
	TemplateID string
	Params     []string // in the template's order, each already short enough
}

// SMSSender sends one templated SMS (internal/tencentsms, or the log in development).
type SMSSender interface {
	SendSMS(ctx context.Context, m SMS) error
}

// SMSError is a provider's refusal of one SMS, by its code. RetryAfter > 0 means the provider
// limits the number's frequency: try again after that long. Permanent means trying again would
// fail the same way (a daily limit, an unapproved template, an invalid number).
type SMSError struct {
	Code       string
	Message    string
	RetryAfter time.Duration
	Permanent  bool
}

func (e *SMSError) Error() string { return "sms: " + e.Code + ": " + e.Message }

// SMSArgs is the job that sends one notification by SMS.
type SMSArgs struct {
	NotificationID string `json:"notification_id"`
}

// Kind is the job's stable name.
func (SMSArgs) Kind() string { return "notification_sms" }

// smsKinds are the kinds that may go by SMS, and so have a template setting
// (CONTEST_SMS_TEMPLATE_<KIND>). Each kind's parameters are set where its notification is made
// (withSMS); adding a kind is a line here and its template's parameters there.
var smsKinds = []NotificationKind{
	NoteVideoRejected,  // {1} the work's title
	NoteFormalExcluded, // {1} the work's title
	NotePublicity,      // {1} the work's title, {2} the tier, {3} the 公示's last day
	NoteResults,        // {1} the work's title, {2} the tier
	NoteNotAwarded,     // {1} the work's title, {2} 未获奖 (the results' template fits both)
}

// SMSKinds returns the kinds that may go by SMS, for the configuration.
func SMSKinds() []NotificationKind { return append([]NotificationKind(nil), smsKinds...) }

// The per-number limits: at most one SMS every SMSInterval and SMSPerDay a day (Beijing
// calendar day), the limits Tencent Cloud applies by default to one number, so that what we
// defer here is not refused there.
const (
	SMSInterval = 30 * time.Second
	SMSPerDay   = 10
)

// DefaultSMSParamMax is how many characters one template parameter may hold: Tencent Cloud's
// mainland templates allow 6 per variable for notifications (cloud.tencent.com, 短信 FAQ
// 模板 "每个变量取值最多支持6个字符"); accounts allowed more may raise it.
const DefaultSMSParamMax = 6

// SMSSettings are what SMS delivery needs; a nil Sender sends none.
type SMSSettings struct {
	Sender SMSSender
	// Templates are the provider's template IDs by kind; a kind without one is not sent by SMS.
	Templates map[NotificationKind]string
	// ParamMax is the longest parameter in characters (DefaultSMSParamMax); longer ones are cut.
	ParamMax int
}

// SMSRate is how much one number has been sent lately: the time of the last SMS, and how many
// on the Beijing day Day ("2006-01-02"). Version changes with every update, so that replicas
// sending at once cannot both take the last place.
type SMSRate struct {
	LastSentAt *time.Time
	Day        string
	DayCount   int
	Version    int
}

// reserveSMS decides whether a number with rate r may be sent an SMS at now: next is its rate
// after sending; wait > 0 means not before that long; dayFull means not today at all.
func reserveSMS(r SMSRate, now time.Time) (next SMSRate, wait time.Duration, dayFull bool) {
	day := now.In(Beijing).Format(time.DateOnly)
	count := r.DayCount
	if r.Day != day {
		count = 0
	}
	if r.LastSentAt != nil {
		if w := r.LastSentAt.Add(SMSInterval).Sub(now); w > 0 {
			return r, w, false
		}
	}
	if count >= SMSPerDay {
		return r, 0, true
	}
	at := now
	return SMSRate{LastSentAt: &at, Day: day, DayCount: count + 1, Version: r.Version + 1}, 0, false
}

// SMSDelivery is a notification to send by SMS, with its recipient's number (opened) and the
// number's keyed hash, by which it is rate-limited.
type SMSDelivery struct {
	Notification Notification
	Number       string
	NumberKey    string
	State        DeliveryState
	Attempts     int
}

// SMSDeliveryStore keeps the SMS deliveries and the per-number rates.
type SMSDeliveryStore interface {
	// SMSDelivery returns the notification to send by SMS and its recipient's number.
	SMSDelivery(ctx context.Context, notificationID string) (SMSDelivery, error)
	// RecordSMSDelivery records an attempt's outcome.
	RecordSMSDelivery(ctx context.Context, notificationID string, state DeliveryState, attempts int, cause string, sentAt *time.Time) error
	// SMSRate returns a number's rate (zero when never sent to).
	SMSRate(ctx context.Context, numberKey string) (SMSRate, error)
	// SwapSMSRate replaces a number's rate old by next, unless another replica changed it
	// since old was read (false).
	SwapSMSRate(ctx context.Context, numberKey string, old, next SMSRate) (bool, error)
}

// SMSDeferred is an SMS that may not be sent yet (its number's interval): the job runs again
// after Wait without counting an attempt.
type SMSDeferred struct {
	Wait  time.Duration
	Cause string
}

func (e *SMSDeferred) Error() string { return e.Cause }

// withSMS sets the notification's SMS parameters, the facts its kind's template shows.
func (n Notification) withSMS(params ...string) Notification {
	n.SMSParams = params
	return n
}

// smsParam cuts s to max characters (runes, never bytes), ending a cut one with "…". An empty
// parameter is refused by providers, so it becomes "-".
func smsParam(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "-"
	}
	if max < 2 || utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}

// smsMessage is the SMS of notification n to number with template: its parameters cut to max.
func smsMessage(n Notification, number, template string, max int) SMS {
	params := make([]string, len(n.SMSParams))
	for i, p := range n.SMSParams {
		params[i] = smsParam(p, max)
	}
	return SMS{Number: number, TemplateID: template, Params: params}
}

// smsDay is the 公示's last day as a template parameter: "12月8日".
func smsDay(t time.Time) string {
	return fmt.Sprintf("%d月%d日", t.In(Beijing).Month(), t.In(Beijing).Day())
}

// SendSMS runs one attempt of the job that sends a notification by SMS; final says it is the
// last. A delivery already sent or failed is not sent again. The number's limits come first: too
// soon after the last SMS to it, the delivery is deferred (SMSDeferred); past the day's limit it
// fails with the cause. The recorded cause never holds the number, only its mask.
func (s *MessageService) SendSMS(ctx context.Context, a SMSArgs, attempt int, final bool) error {
	if s.sms.Sender == nil {
		return errors.New("SMS is not configured")
	}
	d, err := s.smsStore.SMSDelivery(ctx, a.NotificationID)
	if err != nil {
		return err
	}
	if d.State == DeliverySent || d.State == DeliveryFailed {
		return nil
	}
	fail := func(cause string) error {
		return s.smsStore.RecordSMSDelivery(ctx, a.NotificationID, DeliveryFailed, attempt, cause, nil)
	}
	template := s.sms.Templates[d.Notification.Kind]
	switch {
	case d.Number == "":
		return fail("收信人已删除手机号码")
	case template == "":
		return fail("未配置此类通知的短信模板")
	}
	old, next, err := s.reserveSMS(ctx, d)
	if err != nil {
		return err
	}
	m := smsMessage(d.Notification, d.Number, template, s.sms.ParamMax)
	if err := s.sms.Sender.SendSMS(ctx, m); err != nil {
		// Not sent: give the place back, so a retry is not held up by an SMS that never went.
		back := old
		back.Version = next.Version + 1
		if _, rerr := s.smsStore.SwapSMSRate(ctx, d.NumberKey, next, back); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return s.smsFailed(ctx, a, d, attempt, final, err)
	}
	// The provider has it: record it even if the job's time or the replica's shutdown ends ctx
	// now, for an attempt that ends unrecorded is sent (and paid for) again.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	now := s.Now()
	return s.smsStore.RecordSMSDelivery(rctx, a.NotificationID, DeliverySent, attempt, "", &now)
}

// reserveSMS takes a place in the number's limits, or says why not: SMSDeferred to wait, or the
// delivery recorded failed for the day's limit (an error that ends the job as it is).
func (s *MessageService) reserveSMS(ctx context.Context, d SMSDelivery) (old, next SMSRate, err error) {
	for range 5 {
		if old, err = s.smsStore.SMSRate(ctx, d.NumberKey); err != nil {
			return old, next, err
		}
		now := s.Now()
		var wait time.Duration
		var dayFull bool
		next, wait, dayFull = reserveSMS(old, now)
		switch {
		case dayFull:
			cause := fmt.Sprintf("号码 %s 今日已收到 %d 条短信，达到每日上限，不再发送", MaskMobile(d.Number), SMSPerDay)
			if err := s.smsStore.RecordSMSDelivery(ctx, d.Notification.ID, DeliveryFailed, d.Attempts, cause, nil); err != nil {
				return old, next, err
			}
			return old, next, errSMSSettled
		case wait > 0:
			cause := fmt.Sprintf("同一号码 %d 秒内最多发送 1 条短信，已推迟到 %s", int(SMSInterval.Seconds()), FormatTime(now.Add(wait), Beijing))
			if err := s.smsStore.RecordSMSDelivery(ctx, d.Notification.ID, DeliveryRetrying, d.Attempts, cause, nil); err != nil {
				return old, next, err
			}
			return old, next, &SMSDeferred{Wait: wait, Cause: cause}
		}
		ok, err := s.smsStore.SwapSMSRate(ctx, d.NumberKey, old, next)
		if err != nil || ok {
			return old, next, err
		}
		// Another replica sent to the number meanwhile: read its rate again.
	}
	return old, next, &SMSDeferred{Wait: time.Second, Cause: "同一号码的短信正在发送，稍后重试"}
}

// errSMSSettled ends an SMS job whose delivery was recorded failed for good (the day's limit,
// a refusal that would repeat, the last attempt).
var errSMSSettled = errors.New("sms: the delivery failed for good")

// SMSFinished reports whether err, returned by SendSMS, means the delivery is settled (failed
// for good) and the job must not be retried.
func SMSFinished(err error) bool { return errors.Is(err, errSMSSettled) }

// smsFailed records a send that failed: deferred when the provider limits the number's
// frequency, failed at once when retrying cannot help or on the last attempt, else retrying.
func (s *MessageService) smsFailed(ctx context.Context, a SMSArgs, d SMSDelivery, attempt int, final bool, err error) error {
	cause := strings.ReplaceAll(err.Error(), d.Number, MaskMobile(d.Number))
	var pe *SMSError
	if errors.As(err, &pe) && pe.RetryAfter > 0 && !pe.Permanent {
		cause = "服务商限制同一号码的发送频率，已推迟：" + cause
		if rerr := s.smsStore.RecordSMSDelivery(ctx, a.NotificationID, DeliveryRetrying, attempt-1, cause, nil); rerr != nil {
			return errors.Join(errors.New(cause), rerr)
		}
		return &SMSDeferred{Wait: pe.RetryAfter, Cause: cause}
	}
	state := DeliveryRetrying
	if final || (pe != nil && pe.Permanent) {
		state = DeliveryFailed
	}
	// The error goes to River's log: the cause, never the number.
	if rerr := s.smsStore.RecordSMSDelivery(ctx, a.NotificationID, state, attempt, cause, nil); rerr != nil {
		return errors.Join(errors.New(cause), rerr)
	}
	if state == DeliveryFailed {
		return fmt.Errorf("%s: %w", cause, errSMSSettled)
	}
	return errors.New(cause)
}
