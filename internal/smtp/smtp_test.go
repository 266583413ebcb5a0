package smtp_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/smtp"
	"github.com/jskx/contest/internal/smtp/smtptest"
)

// mailpit returns the test command's Mailpit (scripts/mailpit.sh): host, port and API URL.
func mailpit(t *testing.T) (string, int, string) {
	addr, api := os.Getenv("CONTEST_TEST_SMTP_ADDR"), os.Getenv("CONTEST_TEST_MAILPIT_API")
	if addr == "" || api == "" {
		if os.Getenv("CONTEST_TEST_REQUIRE_ALL") == "1" {
			t.Fatal("CONTEST_TEST_SMTP_ADDR and CONTEST_TEST_MAILPIT_API are not set (scripts/test.sh starts a Mailpit)")
		}
		t.Skip("no Mailpit: set CONTEST_TEST_SMTP_ADDR and CONTEST_TEST_MAILPIT_API (scripts/mailpit.sh)")
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := strconv.Atoi(port)
	return host, p, strings.TrimRight(api, "/")
}

func get(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %s", url, resp.Status, b)
	}
	return b
}

// The raw message is 7-bit clean: the Chinese subject and names are encoded words, the bodies
// quoted-printable; Mailpit decodes them back to what was sent.
func TestSend_ChineseMailIsEncodedForAnyServer(t *testing.T) {
	host, port, api := mailpit(t)
	m, err := smtp.New(smtp.Settings{Host: host, Port: port, TLS: smtp.TLSNone, From: "大赛组委会 <noreply@contest.example.org>"})
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	to := "wang-" + hex.EncodeToString(b) + "@example.org"
	mail := contest.Mail{MessageID: "notification-" + hex.EncodeToString(b), ToName: "王小明", ToAddress: to,
		Subject: "评选结果：作品《星空》荣获一等奖", Text: "王小明，您好：\n评选结果已正式发布。", HTML: "<p>王小明，您好：</p><p>评选结果已正式发布。</p>"}
	if err := m.Send(context.Background(), mail); err != nil {
		t.Fatal(err)
	}
	var list struct {
		Messages []struct {
			ID string
			To []struct{ Name, Address string }
		}
	}
	var id string
	for deadline := time.Now().Add(10 * time.Second); id == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if err := json.Unmarshal(get(t, api+"/api/v1/messages?limit=200"), &list); err != nil {
			t.Fatal(err)
		}
		for _, x := range list.Messages {
			if len(x.To) == 1 && x.To[0].Address == to {
				id = x.ID
			}
		}
	}
	if id == "" {
		t.Fatal("the mail did not arrive")
	}
	raw := string(get(t, api+"/api/v1/message/"+id+"/raw"))
	for i, c := range []byte(raw) {
		if c >= 0x80 {
			t.Fatalf("the raw message has an 8-bit byte at %d: %q", i, raw[max(0, i-40):min(len(raw), i+40)])
		}
	}
	var full struct {
		Subject   string
		MessageID string
		From      struct{ Name string }
		To        []struct{ Name string }
		Text      string
		HTML      string
	}
	if err := json.Unmarshal(get(t, api+"/api/v1/message/"+id), &full); err != nil {
		t.Fatal(err)
	}
	if full.Subject != mail.Subject || full.From.Name != "大赛组委会" || len(full.To) != 1 || full.To[0].Name != "王小明" ||
		!strings.Contains(full.Text, "评选结果已正式发布。") || !strings.Contains(full.HTML, "<p>评选结果已正式发布。</p>") ||
		full.MessageID != mail.MessageID+"@contest.example.org" {
		t.Errorf("Mailpit read %+v", full)
	}
}

// STARTTLS is required in starttls mode: a server without it gets nothing in clear text.
func TestSend_StartTLSIsRequired(t *testing.T) {
	host, port, _ := mailpit(t)
	m, err := smtp.New(smtp.Settings{Host: host, Port: port, TLS: smtp.TLSStartTLS, From: "noreply@contest.example.org", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = m.Send(context.Background(), contest.Mail{ToAddress: "x@example.org", Subject: "测试", Text: "测试"})
	if err == nil {
		t.Fatal("sent without STARTTLS in starttls mode")
	}
}

func TestNew_RefusesBadSettings(t *testing.T) {
	for _, s := range []smtp.Settings{
		{Host: "", From: "a@example.org"},
		{Host: "smtp.example.org", TLS: "ssl", From: "a@example.org"},
		{Host: "smtp.example.org", From: "not an address"},
	} {
		if _, err := smtp.New(s); err == nil {
			t.Errorf("New(%+v) accepted", s)
		}
	}
}

// A 5xx reply is a refusal for good (contest.ErrMailRefused: the job is not retried); a 4xx
// reply, or a server that hangs, may pass and is not.
func TestSend_OnlyA5xxReplyIsARefusalForGood(t *testing.T) {
	for _, c := range []struct {
		step    smtptest.Step
		refused bool
	}{
		{smtptest.Step{At: "RCPT", Reply: "550 5.1.1 <x@example.org>: mailbox unavailable"}, true},
		{smtptest.Step{At: "DATA", Reply: "554 5.7.1 message rejected as spam"}, true},
		{smtptest.Step{At: "MAIL", Reply: "553 5.7.1 sender not allowed"}, true},
		{smtptest.Step{At: "RCPT", Reply: "451 4.3.0 try again later"}, false},
		{smtptest.Step{At: "DATA", Reply: "421 4.3.2 shutting down"}, false},
		{smtptest.Step{At: "DATA"}, false}, // no answer: the client's timeout
	} {
		srv := smtptest.Start(t, func(int) smtptest.Step { return c.step })
		host, port, _ := net.SplitHostPort(srv.Addr)
		p, _ := strconv.Atoi(port)
		m, err := smtp.New(smtp.Settings{Host: host, Port: p, TLS: smtp.TLSNone, From: "noreply@contest.example.org", Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		err = m.Send(context.Background(), contest.Mail{ToAddress: "x@example.org", Subject: "测试", Text: "测试"})
		if err == nil {
			t.Fatalf("%+v: sent", c.step)
		}
		if got := errors.Is(err, contest.ErrMailRefused); got != c.refused {
			t.Errorf("%+v: %v is a refusal for good: %v, want %v", c.step, err, got, c.refused)
		}
		if c.step.Reply != "" && !strings.Contains(err.Error(), c.step.Reply[:3]) {
			t.Errorf("%+v: the error %q does not give the server's reply", c.step, err)
		}
	}
}

// Once the server has accepted the mail (250 to the end of DATA), a failure of what follows —
// the RSET, the QUIT, a server that stops answering — is no failure to send: reporting one
// would send the mail again.
func TestSend_AMailTheServerAcceptedIsSentWhateverFollows(t *testing.T) {
	for _, step := range []smtptest.Step{
		{At: "RSET", Reply: "421 4.4.2 closing the connection"},
		{At: "QUIT", Reply: "421 4.4.2 closing the connection"},
		{At: "RSET"}, // no answer: the client's timeout
	} {
		srv := smtptest.Start(t, func(int) smtptest.Step { return step })
		host, port, _ := net.SplitHostPort(srv.Addr)
		p, _ := strconv.Atoi(port)
		m, err := smtp.New(smtp.Settings{Host: host, Port: p, TLS: smtp.TLSNone, From: "noreply@contest.example.org", Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Send(context.Background(), contest.Mail{ToAddress: "x@example.org", Subject: "测试", Text: "测试"}); err != nil {
			t.Errorf("%+v after the mail was accepted: %v", step, err)
		}
	}
}
