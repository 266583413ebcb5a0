// Package smslog is the development SMS provider: it writes each SMS to the log, the number
// masked, instead of sending it (CONTEST_SMS_PROVIDER=log).
package smslog

import (
	"context"
	"log/slog"

	"github.com/jskx/contest/internal/contest"
)

// Sender logs SMS.
type Sender struct{ log *slog.Logger }

var _ contest.SMSSender = (*Sender)(nil)

// New returns a Sender that logs to log.
func New(log *slog.Logger) *Sender { return &Sender{log: log} }

// SendSMS logs the SMS: template, parameters and the masked number.
func (s *Sender) SendSMS(ctx context.Context, m contest.SMS) error {
	s.log.InfoContext(ctx, "sms (not sent: log provider)", "to", contest.MaskMobile(m.Number), "template", m.TemplateID, "params", m.Params)
	return nil
}
