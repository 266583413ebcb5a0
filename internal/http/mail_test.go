package http_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
	"github.com/jskx/contest/internal/smtp"
	"github.com/jskx/contest/internal/smtp/smtptest"
)

// mailpit is the test command's Mailpit (scripts/mailpit.sh): its SMTP address and HTTP API.
type mailpit struct {
	t        testing.TB
	smtpAddr string
	api      string
}

// mustMailpit returns the Mailpit the test command started; without one the test is skipped,
// or fails under CONTEST_TEST_REQUIRE_ALL=1.
func mustMailpit(t testing.TB) mailpit {
	t.Helper()
	addr, api := os.Getenv("CONTEST_TEST_SMTP_ADDR"), os.Getenv("CONTEST_TEST_MAILPIT_API")
	if addr == "" || api == "" {
		if os.Getenv("CONTEST_TEST_REQUIRE_ALL") == "1" {
			t.Fatal("CONTEST_TEST_SMTP_ADDR and CONTEST_TEST_MAILPIT_API are not set (scripts/test.sh starts a Mailpit)")
		}
		t.Skip("no Mailpit: set CONTEST_TEST_SMTP_ADDR and CONTEST_TEST_MAILPIT_API (scripts/mailpit.sh)")
	}
	return mailpit{t: t, smtpAddr: addr, api: strings.TrimRight(api, "/")}
}

// mailer is an SMTP mailer to addr (host:port) without TLS, as a relay on the same host.
func mailer(t testing.TB, addr string) *smtp.Mailer {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := strconv.Atoi(port)
	m, err := smtp.New(smtp.Settings{Host: host, Port: p, TLS: smtp.TLSNone, From: "全国大学生微视频大赛组委会 <noreply@contest.example.org>",
		Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// address is a fresh address, so that tests sharing one Mailpit (and runs sharing it) find
// only their own mail.
func address(name string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return name + "-" + hex.EncodeToString(b) + "@example.org"
}

type mailAddress struct{ Name, Address string }

// mailpitMessage is what Mailpit's API says of one message.
type mailpitMessage struct {
	ID        string
	MessageID string
	From      mailAddress
	To        []mailAddress
	Subject   string
	Text      string
	HTML      string
}

// to returns the messages Mailpit received for addr, each read in full.
func (m mailpit) to(addr string) []mailpitMessage {
	m.t.Helper()
	var list struct{ Messages []mailpitMessage }
	m.get("/api/v1/messages?limit=1000", &list)
	var out []mailpitMessage
	for _, x := range list.Messages {
		for _, to := range x.To {
			if strings.EqualFold(to.Address, addr) {
				var full mailpitMessage
				m.get("/api/v1/message/"+x.ID, &full)
				out = append(out, full)
			}
		}
	}
	return out
}

// waitFor waits until Mailpit holds n messages for addr, and returns them.
func (m mailpit) waitFor(addr string, n int) []mailpitMessage {
	m.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := m.to(addr)
		if len(got) >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (m mailpit) get(path string, v any) {
	m.t.Helper()
	resp, err := http.Get(m.api + path)
	if err != nil {
		m.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		m.t.Fatalf("Mailpit GET %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		m.t.Fatalf("Mailpit GET %s: %v", path, err)
	}
}

// emailDeliveries waits until the delivery of every listed notification has settled (sent or
// failed) and returns them.
func emailDeliveries(t *testing.T, e *env, want int) []contest.DeliveryRecord {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := e.Stores.ListDeliveries(t.Context(), 100, "")
		if err != nil {
			t.Fatal(err)
		}
		settled := len(got) >= want
		for _, d := range got {
			if d.State != contest.DeliverySent && d.State != contest.DeliveryFailed {
				settled = false
			}
		}
		if settled || time.Now().After(deadline) {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// withEmail restarts e with e-mail delivery through addr, as `contest serve` with
// CONTEST_SMTP_HOST set.
func withEmail(t *testing.T, e *env, addr string) {
	e.DB.SetEmailDelivery(true)
	e.Configure(func(o *contest.Options) { o.Mailer = mailer(t, addr) })
}

func TestMail_RejectedVideoIsMailedToTheOwnerOnce(t *testing.T) {
	ffmpegtest.Require(t)
	mp := mustMailpit(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		withEmail(t, e, mp.smtpAddr)
		org := e.Organizer()
		addr := address("zhang")
		c := e.Client().SignUp(addr)
		s := c.Create(nil)
		c.ConsentAll(s)

		c.Upload(s.ID, fixtureFile(t, "从剪映导出.mp4", ffmpegtest.Video{Format: "mov", Width: 640, Height: 360}))
		got := c.WaitCheck(s.ID)
		if got.Video.Check.State != "rejected" || len(got.Video.Check.Reasons) == 0 {
			t.Fatalf("check = %+v, want rejected", got.Video.Check)
		}
		mails := mp.waitFor(addr, 2) // the 回执 and the verdict
		if len(mails) != 2 {
			t.Fatalf("Mailpit holds %d mails for the owner, want 2", len(mails))
		}
		m := mails[0]
		if !strings.HasPrefix(m.Subject, "视频检查") {
			m = mails[1]
		}
		if m.Subject != "视频检查未通过：《实验室里的创新誓言》" {
			t.Errorf("subject = %q", m.Subject)
		}
		if len(m.To) != 1 || m.To[0].Name != "张三" || m.From.Name != "全国大学生微视频大赛组委会" {
			t.Errorf("to = %+v, from = %+v: the Chinese names are not decoded as sent", m.To, m.From)
		}
		for _, r := range got.Video.Check.Reasons {
			if !strings.Contains(m.Text, r.Message) || !strings.Contains(m.HTML, r.Message) {
				t.Errorf("the mail lacks the reason %q:\n%s", r.Message, m.Text)
			}
		}
		if !strings.Contains(m.Text, "/submissions/"+s.ID) || !strings.Contains(m.Text, "张三，您好") {
			t.Errorf("the mail has no greeting or link to the work:\n%s", m.Text)
		}
		notes := c.Messages()
		if notes.Total != 2 || !strings.HasPrefix(m.MessageID, "notification-"+notes.Items[0].ID+"@") {
			t.Errorf("Message-ID %q is not derived from the notification %+v", m.MessageID, notes.Items)
		}

		// The organizer's 重新检查 reaches the same verdict: no second message, no second mail.
		org.Must(http.StatusAccepted, "POST", "/api/v1/admin/submissions/"+s.ID+"/video/check", nil)
		if st := c.WaitCheck(s.ID).Video.Check.State; st != "rejected" {
			t.Fatalf("check run again = %q", st)
		}
		d := emailDeliveries(t, e, 2)
		if len(d) != 2 || d[0].State != contest.DeliverySent || d[0].Attempts != 1 || d[0].SentAt == nil {
			t.Fatalf("deliveries = %+v, want the 回执's and the verdict's, sent at the first attempt", d)
		}
		if n := len(mp.to(addr)); n != 2 {
			t.Errorf("Mailpit holds %d mails after the same verdict again, want 2", n)
		}
		if strings.Contains(e.Log.String(), addr) {
			t.Error("the log holds the recipient's address")
		}
	})
}

func TestMail_ServerDownTheEventStillHappensAndTheDeliveryFails(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		// A port nobody listens on: the connection is refused.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		closed := ln.Addr().String()
		ln.Close()
		withEmail(t, e, closed)
		addr := address("li")
		c := e.Client().SignUp(addr)
		s := c.Create(nil)
		c.ConsentAll(s)

		c.Upload(s.ID, fixtureFile(t, "从剪映导出.mp4", ffmpegtest.Video{Format: "mov", Width: 640, Height: 360}))
		if st := c.WaitCheck(s.ID).Video.Check.State; st != "rejected" {
			t.Fatalf("check = %q, want the verdict saved although mail is down", st)
		}
		if l := c.Messages(); l.Total != 2 || l.Items[0].Kind != "video_rejected" {
			t.Fatalf("site messages = %+v, want the 回执 and the rejection", l)
		}
		d := emailDeliveries(t, e, 2)
		if len(d) != 2 || d[0].State != contest.DeliveryFailed || d[0].Attempts != e.JobSettings.MaxAttempts || d[0].LastError == "" {
			t.Fatalf("deliveries = %+v, want both failed after %d attempts with their cause", d, e.JobSettings.MaxAttempts)
		}
		if strings.Contains(d[0].LastError, addr) || d[0].Recipient == addr || strings.Contains(e.Log.String(), addr) {
			t.Errorf("the address shows: cause %q, recipient %q", d[0].LastError, d[0].Recipient)
		}

		// Organizers see it failed, with the cause, and not the address.
		page := e.Organizer().Must(http.StatusOK, "GET", "/admin/notifications", nil)
		doc := mustDoc(t, page)
		row := doc.Find("#deliveries tr.delivery-failed")
		if row.Length() != 2 || row.First().Find(".state").Text() != "发送失败" || strings.TrimSpace(row.First().Find(".cause").Text()) == "" {
			t.Errorf("the organizers' page does not show the failed delivery with its cause: %q", doc.Find("#deliveries").Text())
		}
		if strings.Contains(doc.Text(), addr) {
			t.Error("the organizers' page shows the full address")
		}
		e.Client().SignUp(address("wang")).Must(http.StatusForbidden, "GET", "/admin/notifications", nil)
	})
}

// A mail server that refuses the mail for good (550 to RCPT): the verdict and the site message
// still happen, and the delivery fails at the first attempt — a 5xx reply would come again —
// with the server's reason, the address masked, on the organizers' page.
func TestMail_RefusedForGoodFailsAtOnceWithTheServersReason(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		addr := address("zhao")
		srv := smtptest.Start(t, func(int) smtptest.Step {
			return smtptest.Step{At: "RCPT", Reply: "550 5.1.1 <" + addr + ">: Recipient address rejected: User unknown"}
		})
		c := e.Client().SignUp(addr)
		s := c.Create(nil)
		c.ConsentAll(s)
		withEmail(t, e, srv.Addr) // after the 回执: only the verdict's mail meets the server

		c.Upload(s.ID, fixtureFile(t, "从剪映导出.mp4", ffmpegtest.Video{Format: "mov", Width: 640, Height: 360}))
		if st := c.WaitCheck(s.ID).Video.Check.State; st != "rejected" {
			t.Fatalf("check = %q, want the verdict saved although the mail is refused", st)
		}
		if got := c.Messages().ofKind("video_rejected"); len(got) != 1 {
			t.Fatalf("site messages = %+v, want the rejection", got)
		}
		d := emailDeliveries(t, e, 1)
		if len(d) != 1 || d[0].State != contest.DeliveryFailed || d[0].Attempts != 1 {
			t.Fatalf("deliveries = %+v, want one failed at the first attempt (of %d)", d, e.JobSettings.MaxAttempts)
		}
		if !strings.Contains(d[0].LastError, "550") || !strings.Contains(d[0].LastError, "User unknown") ||
			!strings.Contains(d[0].LastError, contest.MaskEmail(addr)) {
			t.Errorf("cause = %q, want the server's reply with the address masked", d[0].LastError)
		}
		if srv.Conns() != 1 {
			t.Errorf("the server was asked %d times, want once", srv.Conns())
		}
		page := e.Organizer().Must(http.StatusOK, "GET", "/admin/notifications", nil)
		doc := mustDoc(t, page)
		row := doc.Find("#deliveries tr.delivery-failed")
		if row.Length() != 1 || row.Find(".state").Text() != "发送失败" || !strings.Contains(row.Find(".cause").Text(), "User unknown") {
			t.Errorf("the organizers' page does not show the refusal with its reason: %q", doc.Find("#deliveries").Text())
		}
		if strings.Contains(doc.Text(), addr) || strings.Contains(d[0].LastError, addr) || strings.Contains(e.Log.String(), addr) {
			t.Error("the full address shows on the page, in the cause or in the log")
		}
	})
}

// A temporary refusal (451 to RCPT) is retried, and the retry reaches Mailpit: one mail.
func TestMail_TemporaryRefusalIsRetriedAndMailedOnce(t *testing.T) {
	ffmpegtest.Require(t)
	mp := mustMailpit(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		srv := smtptest.Start(t, func(n int) smtptest.Step {
			if n == 1 {
				return smtptest.Step{At: "RCPT", Reply: "451 4.3.0 Temporary lookup failure"}
			}
			return smtptest.Step{Relay: mp.smtpAddr}
		})
		addr := address("qian")
		c := e.Client().SignUp(addr)
		s := c.Create(nil)
		c.ConsentAll(s)
		withEmail(t, e, srv.Addr) // after the 回执: only the verdict's mail meets the server

		c.Upload(s.ID, fixtureFile(t, "从剪映导出.mp4", ffmpegtest.Video{Format: "mov", Width: 640, Height: 360}))
		c.WaitCheck(s.ID)
		d := emailDeliveries(t, e, 1)
		if len(d) != 1 || d[0].State != contest.DeliverySent || d[0].Attempts != 2 {
			t.Fatalf("deliveries = %+v, want one sent at the second attempt", d)
		}
		if mails := mp.waitFor(addr, 1); len(mails) != 1 || mails[0].Subject != "视频检查未通过：《实验室里的创新誓言》" {
			t.Fatalf("Mailpit holds %d mails for the owner, want 1: %+v", len(mails), mails)
		}
		if srv.Conns() != 2 {
			t.Errorf("the server was asked %d times, want twice", srv.Conns())
		}
	})
}

// lateMailer sends, then returns only once the job's time is up: a server that answered 250
// to the end of DATA just as the job timed out.
type lateMailer struct{ m contest.Mailer }

func (l lateMailer) Send(ctx context.Context, m contest.Mail) error {
	err := l.m.Send(ctx, m)
	<-ctx.Done()
	return err
}

// A mail the server accepted as the job's time ran out is recorded sent, not sent again.
func TestMail_AMailAcceptedAsTheJobTimesOutIsNotSentAgain(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		sink := smtptest.Start(t, func(int) smtptest.Step { return smtptest.Step{} }) // accepts every mail
		c := e.Client().SignUp(address("sun"))
		s := c.Create(nil)
		c.ConsentAll(s)
		// After the 回执: only the verdict's mail meets the server.
		e.DB.SetEmailDelivery(true)
		e.JobSettings.MailTimeout = time.Second
		e.Configure(func(o *contest.Options) { o.Mailer = lateMailer{mailer(t, sink.Addr)} })

		c.Upload(s.ID, fixtureFile(t, "从剪映导出.mp4", ffmpegtest.Video{Format: "mov", Width: 640, Height: 360}))
		c.WaitCheck(s.ID)
		d := emailDeliveries(t, e, 1)
		if len(d) != 1 || d[0].State != contest.DeliverySent || d[0].Attempts != 1 {
			t.Fatalf("deliveries = %+v, want one sent at the first attempt", d)
		}
		if sink.Conns() != 1 {
			t.Errorf("the server got %d connections, want 1", sink.Conns())
		}
	})
}
