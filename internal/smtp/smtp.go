// Package smtp sends e-mail over SMTP with github.com/wneessen/go-mail: UTF-8 throughout, so
// Chinese subjects and names are encoded (RFC 2047) and bodies are quoted-printable; each mail
// is plain text with an HTML alternative.
package smtp

import (
	"context"
	"errors"
	"fmt"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/jskx/contest/internal/contest"
)

// TLS modes.
const (
	TLSNone     = "none"     // plain SMTP (a relay on the same host, Mailpit in tests)
	TLSStartTLS = "starttls" // STARTTLS required (usually port 587)
	TLSImplicit = "tls"      // TLS from the first byte (usually port 465)
)

// Settings say where and how to send.
type Settings struct {
	Host     string
	Port     int
	TLS      string // none, starttls or tls
	User     string // empty: no authentication
	Password string
	From     string // e.g. "大赛组委会 <noreply@example.org>" or an address
	Timeout  time.Duration
}

// Mailer sends mail with the settings; one connection per mail.
type Mailer struct {
	s        Settings
	fromName string
	fromAddr string
}

// New checks the settings and returns a Mailer.
func New(s Settings) (*Mailer, error) {
	if s.Host == "" {
		return nil, fmt.Errorf("smtp: no host")
	}
	switch s.TLS {
	case "":
		s.TLS = TLSStartTLS
	case TLSNone, TLSStartTLS, TLSImplicit:
	default:
		return nil, fmt.Errorf("smtp: TLS mode %q is not none, starttls or tls", s.TLS)
	}
	if s.Port == 0 {
		s.Port = map[string]int{TLSNone: 25, TLSStartTLS: 587, TLSImplicit: 465}[s.TLS]
	}
	if s.Timeout == 0 {
		s.Timeout = 30 * time.Second
	}
	// Parse From once, so a bad one fails at start-up and not at the first mail.
	m := mail.NewMsg()
	if err := m.From(s.From); err != nil {
		return nil, fmt.Errorf("smtp: from %q: %w", s.From, err)
	}
	from := m.GetFrom()
	return &Mailer{s: s, fromName: from[0].Name, fromAddr: from[0].Address}, nil
}

// Send sends one mail.
func (x *Mailer) Send(ctx context.Context, cm contest.Mail) error {
	m := mail.NewMsg(mail.WithCharset(mail.CharsetUTF8), mail.WithEncoding(mail.EncodingQP))
	if err := m.FromFormat(x.fromName, x.fromAddr); err != nil {
		return fmt.Errorf("smtp: from: %w", err)
	}
	if err := m.AddToFormat(cm.ToName, cm.ToAddress); err != nil {
		return fmt.Errorf("smtp: the recipient's address is not valid")
	}
	m.Subject(cm.Subject)
	if cm.MessageID != "" {
		m.SetMessageIDWithValue(cm.MessageID + "@" + domainOf(x.fromAddr))
	}
	m.SetDate()
	if cm.Unsubscribe != "" { // RFC 2369 and RFC 8058: one-click unsubscribing from reminders
		m.SetGenHeader(mail.HeaderListUnsubscribe, "<"+cm.Unsubscribe+">")
		m.SetGenHeader(mail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	}
	m.SetBodyString(mail.TypeTextPlain, cm.Text)
	if cm.HTML != "" {
		m.AddAlternativeString(mail.TypeTextHTML, cm.HTML)
	}
	opts := []mail.Option{mail.WithPort(x.s.Port), mail.WithTimeout(x.s.Timeout)}
	switch x.s.TLS {
	case TLSNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case TLSStartTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case TLSImplicit:
		opts = append(opts, mail.WithSSL())
	}
	if x.s.User != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(x.s.User), mail.WithPassword(x.s.Password))
	}
	c, err := mail.NewClient(x.s.Host, opts...)
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		if m.IsDelivered() {
			// The server accepted the mail (250 to the end of DATA); what failed came after,
			// the RSET or QUIT. Reporting it would send the mail a second time.
			return nil
		}
		if permanent(err) {
			return fmt.Errorf("smtp: %w", refused{err})
		}
		return fmt.Errorf("smtp: %w", err)
	}
	return nil
}

// permanent reports whether the server refused the mail with a 5xx reply to MAIL, RCPT or
// DATA, which it would give again (RFC 5321 §4.2.1). A 4xx reply, a timeout, a refused
// connection or a failed login may pass and is not permanent.
func permanent(err error) bool {
	var se *mail.SendError
	return errors.As(err, &se) && se.ErrorCode() >= 500 && se.ErrorCode() < 600
}

// refused is a refusal for good: its text is the server's, and it is contest.ErrMailRefused.
type refused struct{ error }

func (r refused) Unwrap() []error { return []error{r.error, contest.ErrMailRefused} }

func domainOf(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == '@' {
			return addr[i+1:]
		}
	}
	return "localhost"
}
