package http_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// smsRecorder is an SMS provider that records what it is asked to send, or fails with err.
type smsRecorder struct {
	mu   sync.Mutex
	sent []contest.SMS
	err  error
}

func (r *smsRecorder) SendSMS(_ context.Context, m contest.SMS) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	r.sent = append(r.sent, m)
	return nil
}

func (r *smsRecorder) Sent() []contest.SMS {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]contest.SMS(nil), r.sent...)
}

// smsTemplates are the template IDs the tests configure.
var smsTemplates = map[contest.NotificationKind]string{contest.NoteVideoRejected: "1001", contest.NoteFormalExcluded: "1002",
	contest.NotePublicity: "1003", contest.NoteResults: "1004"}

// withSMS restarts e sending SMS through sender, as `contest serve` with CONTEST_SMS_PROVIDER
// and the templates set.
func withSMS(e *env, sender contest.SMSSender) {
	kinds := make([]contest.NotificationKind, 0, len(smsTemplates))
	for k := range smsTemplates {
		kinds = append(kinds, k)
	}
	e.DB.SetSMSDelivery(kinds)
	e.Configure(func(o *contest.Options) { o.SMS = contest.SMSSettings{Sender: sender, Templates: smsTemplates} })
}

// signUpWithMobile makes a contestant account with a mobile number and signs the client in.
func (c *client) signUpWithMobile(email, mobile string) *client {
	c.t.Helper()
	c.Must(http.StatusCreated, "POST", "/api/v1/auth/signup", map[string]string{"email": email, "password": "secret-pass", "name": "张三", "mobile": mobile})
	return c
}

// smsDeliveries returns the SMS deliveries once want of them have settled (sent or failed).
func smsDeliveries(t *testing.T, e *env, want int) []contest.DeliveryRecord {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		all, err := e.Stores.ListDeliveries(t.Context(), 100, "")
		if err != nil {
			t.Fatal(err)
		}
		var got []contest.DeliveryRecord
		settled := 0
		for _, d := range all {
			if d.Channel == "sms" {
				got = append(got, d)
				if d.State == contest.DeliverySent || d.State == contest.DeliveryFailed {
					settled++
				}
			}
		}
		if settled >= want || time.Now().After(deadline) {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// rejectedWork makes a work for c and uploads a video the check rejects.
func rejectedWork(t *testing.T, c *client) submission {
	t.Helper()
	s := c.Create(nil)
	c.ConsentAll(s)
	c.Upload(s.ID, fixtureFile(t, "从剪映导出.mp4", ffmpegtest.Video{Format: "mov", Width: 640, Height: 360}))
	if st := c.WaitCheck(s.ID).Video.Check.State; st != "rejected" {
		t.Fatalf("check = %q, want rejected", st)
	}
	return s
}

func TestSMS_RejectedVideoIsSentToTheOwnersNumberOnce(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		sms := &smsRecorder{}
		withSMS(e, sms)
		c := e.Client().signUpWithMobile(address("zhang"), "138 0013 8000")
		var me struct{ Mobile string }
		c.Must(http.StatusOK, "GET", "/api/v1/me", nil).JSON(t, &me)
		if me.Mobile != "138****8000" {
			t.Errorf("/api/v1/me mobile = %q, want it masked", me.Mobile)
		}
		s := rejectedWork(t, c)
		d := smsDeliveries(t, e, 1)
		want := []contest.SMS{{Number: "13800138000", TemplateID: "1001", Params: []string{"实验室里的…"}}}
		if diff := cmp.Diff(want, sms.Sent()); diff != "" {
			t.Fatalf("SMS sent (-want +got):\n%s", diff)
		}
		if len(d) != 1 || d[0].State != contest.DeliverySent || d[0].Recipient != "138****8000" || d[0].Kind != contest.NoteVideoRejected {
			t.Fatalf("SMS deliveries = %+v, want one sent to the masked number", d)
		}

		// The organizer's 重新检查 reaches the same verdict: no second message, no second SMS.
		org := e.Organizer()
		org.Must(http.StatusAccepted, "POST", "/api/v1/admin/submissions/"+s.ID+"/video/check", nil)
		if st := c.WaitCheck(s.ID).Video.Check.State; st != "rejected" {
			t.Fatalf("check run again = %q", st)
		}
		if n := len(smsDeliveries(t, e, 1)); n != 1 || len(sms.Sent()) != 1 {
			t.Errorf("after the same verdict again: %d deliveries, %d SMS; want 1 and 1", n, len(sms.Sent()))
		}
		doc := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/notifications", nil))
		row := doc.Find("#deliveries tr.delivery-sent")
		if row.Length() != 1 || row.Find(".channel").Text() != "短信" || row.Find(".recipient").Text() != "138****8000" {
			t.Errorf("the organizers' page does not show the SMS with its channel and masked number: %q", doc.Find("#deliveries").Text())
		}
		if strings.Contains(doc.Text(), "13800138000") || strings.Contains(e.Log.String(), "13800138000") {
			t.Error("the number shows on the organizers' page or in the log")
		}
	})
}

func TestSMS_NoNumberNoSMS(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		sms := &smsRecorder{}
		withSMS(e, sms)
		c := e.Client().SignUp(address("li"))
		rejectedWork(t, c)
		if got := c.Messages().ofKind("video_rejected"); len(got) != 1 {
			t.Fatalf("site messages = %+v, want the rejection", got)
		}
		// The verdict's transaction queued the deliveries with the message: none for SMS.
		if d := smsDeliveries(t, e, 0); len(d) != 0 || len(sms.Sent()) != 0 {
			t.Errorf("an account without a number: deliveries %+v, SMS %+v", d, sms.Sent())
		}
	})
}

func TestSMS_ASecondSMSToTheSameNumberWithin30SecondsIsDeferred(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		sms := &smsRecorder{}
		withSMS(e, sms)
		c := e.Client().signUpWithMobile(address("wang"), "13900139000")
		rejectedWork(t, c)
		rejectedWork(t, c)
		eventually(t, 20*time.Second, func() string {
			d := smsDeliveries(t, e, 1)
			if len(d) != 2 {
				return "want 2 SMS deliveries"
			}
			var states []string
			for _, x := range d {
				states = append(states, string(x.State))
			}
			if !(d[0].State == contest.DeliveryRetrying && strings.Contains(d[0].LastError, "推迟") && d[1].State == contest.DeliverySent) &&
				!(d[1].State == contest.DeliveryRetrying && strings.Contains(d[1].LastError, "推迟") && d[0].State == contest.DeliverySent) {
				return "states " + strings.Join(states, ", ") + ", want one sent and one deferred"
			}
			return ""
		})
		if n := len(sms.Sent()); n != 1 {
			t.Fatalf("%d SMS sent within 30 s to one number, want 1", n)
		}
		// 31 seconds later by the service's clock, the deferred one goes.
		e.Clock.Set(e.Clock.Now().Add(31 * time.Second))
		eventually(t, 20*time.Second, func() string {
			if n := len(sms.Sent()); n != 2 {
				return "the deferred SMS was not sent"
			}
			return ""
		})
		for _, d := range smsDeliveries(t, e, 2) {
			if d.State != contest.DeliverySent || d.Attempts != 1 {
				t.Errorf("delivery %+v, want sent at its first attempt (a deferral is not an attempt)", d)
			}
		}
	})
}

func TestSMS_AFailingProviderEndsFailedWithTheCauseOnTheOrganizersPage(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		sms := &smsRecorder{err: errors.New("provider unreachable while sending to 13700137000")}
		withSMS(e, sms)
		c := e.Client().signUpWithMobile(address("zhao"), "13700137000")
		rejectedWork(t, c)
		if got := c.Messages().ofKind("video_rejected"); len(got) != 1 {
			t.Fatalf("site messages = %+v, want the rejection although SMS fails", got)
		}
		d := smsDeliveries(t, e, 1)
		if len(d) != 1 || d[0].State != contest.DeliveryFailed || d[0].Attempts != e.JobSettings.MaxAttempts || !strings.Contains(d[0].LastError, "provider unreachable") {
			t.Fatalf("deliveries = %+v, want one failed after %d attempts with its cause", d, e.JobSettings.MaxAttempts)
		}
		page := e.Organizer().Must(http.StatusOK, "GET", "/admin/notifications", nil)
		doc := mustDoc(t, page)
		row := doc.Find("#deliveries tr.delivery-failed")
		if row.Length() != 1 || row.Find(".state").Text() != "发送失败" || !strings.Contains(row.Find(".cause").Text(), "137****7000") {
			t.Errorf("the organizers' page does not show the failed SMS with its cause, number masked: %q", doc.Find("#deliveries").Text())
		}
		if strings.Contains(doc.Text(), "13700137000") || strings.Contains(e.Log.String(), "13700137000") {
			t.Error("the number shows on the organizers' page or in the log")
		}
	})
}

func TestAccountMobile_SetShownMaskedAndRemoved(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.Client().SignUp(address("sun"))
		if r := c.Do("PUT", "/api/v1/me/mobile", map[string]string{"mobile": "12345"}); r.FieldCodes()["mobile"] != "mobile_format" {
			t.Errorf("a bad number: %d %s, want the field error mobile_format", r.Status, r.Body)
		}
		var u struct{ Mobile string }
		c.Must(http.StatusOK, "PUT", "/api/v1/me/mobile", map[string]string{"mobile": "+86 186-0000-1234"}).JSON(t, &u)
		if u.Mobile != "186****1234" {
			t.Errorf("after setting: mobile %q, want 186****1234", u.Mobile)
		}

		// The page shows it masked, refuses a bad one on the form, and removes it.
		status, _, body := c.page("/account/mobile")
		if status != http.StatusOK || !strings.Contains(body, "186****1234") || strings.Contains(body, "18600001234") {
			t.Fatalf("page = %d, want the masked number only", status)
		}
		status, _, body = c.postForm("/account/mobile", url.Values{"mobile": {"0571-88888888"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "请填写正确的11位手机号码") {
			t.Errorf("a landline on the form: %d", status)
		}
		if status, _, _ = c.postForm("/account/mobile", url.Values{"mobile": {"13800138000"}}); status != http.StatusSeeOther {
			t.Errorf("saving on the form: %d, want 303 back to the page", status)
		}
		if _, _, body = c.page("/account/mobile"); !strings.Contains(body, "138****8000") || !strings.Contains(body, "手机号码已保存") {
			t.Errorf("after saving on the form, the page does not show the new number masked")
		}
		if status, _, _ = c.postForm("/account/mobile", url.Values{"remove": {"1"}}); status != http.StatusSeeOther {
			t.Errorf("removing on the form: %d, want 303", status)
		}
		var me struct {
			Mobile *string
		}
		c.Must(http.StatusOK, "GET", "/api/v1/me", nil).JSON(t, &me)
		if me.Mobile != nil {
			t.Errorf("after removal: mobile %q; want none", *me.Mobile)
		}
		// Sign-up asks for it (optional) and checks it too.
		if _, _, body := e.Client().page("/signup"); !strings.Contains(body, `name="mobile"`) {
			t.Error("the sign-up page has no mobile field")
		}
		if r := e.Client().Do("POST", "/api/v1/auth/signup", map[string]string{"email": address("zhou"), "password": "secret-pass", "name": "周", "mobile": "1380013800"}); r.FieldCodes()["mobile"] != "mobile_format" {
			t.Errorf("sign-up with a bad number: %d %s", r.Status, r.Body)
		}
	})
}
