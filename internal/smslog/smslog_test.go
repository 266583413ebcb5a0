package smslog_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/smslog"
)

func TestSendSMS_LogsTheTemplateAndParamsWithTheNumberMasked(t *testing.T) {
	var buf bytes.Buffer
	s := smslog.New(slog.New(slog.NewTextHandler(&buf, nil)))
	if err := s.SendSMS(t.Context(), contest.SMS{Number: "13800138000", TemplateID: "2001", Params: []string{"星空", "一等奖"}}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "13800138000") {
		t.Errorf("the log holds the number: %s", out)
	}
	for _, want := range []string{"138****8000", "template=2001", "星空", "一等奖"} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %q: %s", want, out)
		}
	}
}
