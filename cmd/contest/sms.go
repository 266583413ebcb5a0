package main

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/smslog"
	"github.com/jskx/contest/internal/tencentsms"
)

// The SMS providers (CONTEST_SMS_PROVIDER).
const (
	smsTencent = "tencent" // Tencent Cloud SMS
	smsLog     = "log"     // development: each SMS written to the log, the number masked
)

// smsConfig are the SMS settings; Provider "" sends none (e-mail and site messages only).
type smsConfig struct {
	Provider  string
	SecretID  string
	SecretKey string
	AppID     string // SmsSdkAppId
	Sign      string // 签名
	Region    string
	// Templates are the template IDs by kind (CONTEST_SMS_TEMPLATE_<KIND>); a kind without
	// one is not sent by SMS.
	Templates map[contest.NotificationKind]string
	ParamMax  int
}

// smsTemplateVar is the setting of a kind's template: CONTEST_SMS_TEMPLATE_VIDEO_REJECTED.
func smsTemplateVar(k contest.NotificationKind) string {
	return "SMS_TEMPLATE_" + strings.ToUpper(string(k))
}

// loadSMSConfig reads the CONTEST_SMS_* settings and checks them.
func loadSMSConfig(getenv func(string) string) (smsConfig, []error) {
	env := func(key string) string { return strings.TrimSpace(getenv("CONTEST_" + key)) }
	c := smsConfig{Provider: env("SMS_PROVIDER"), AppID: env("SMS_APP_ID"), Sign: env("SMS_SIGN"), Region: env("SMS_REGION"),
		Templates: map[contest.NotificationKind]string{}}
	var errs []error
	for key, dst := range map[string]*string{"SMS_SECRET_ID": &c.SecretID, "SMS_SECRET_KEY": &c.SecretKey} {
		v, err := secret(getenv, "CONTEST_"+key)
		errs = append(errs, err)
		*dst = v
	}
	for _, k := range contest.SMSKinds() {
		id := env(smsTemplateVar(k))
		if id == "" {
			continue
		}
		if _, err := strconv.ParseUint(id, 10, 64); err != nil {
			errs = append(errs, fmt.Errorf("CONTEST_%s: want the template's numeric ID, such as 1234567", smsTemplateVar(k)))
		}
		c.Templates[k] = id
	}
	c.ParamMax = contest.DefaultSMSParamMax
	if v := env("SMS_PARAM_MAX"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 || n > 100 {
			errs = append(errs, fmt.Errorf("CONTEST_SMS_PARAM_MAX: want a number of characters from 2 to 100"))
		}
		c.ParamMax = n
	}
	switch c.Provider {
	case "", smsLog:
	case smsTencent:
		if _, err := tencentsms.New(c.tencent()); err != nil {
			errs = append(errs, fmt.Errorf("CONTEST_SMS_*: %w", err))
		}
	default:
		errs = append(errs, fmt.Errorf("CONTEST_SMS_PROVIDER: %q is not tencent, log or empty", c.Provider))
	}
	return c, errs
}

func (c smsConfig) tencent() tencentsms.Settings {
	return tencentsms.Settings{SecretID: c.SecretID, SecretKey: c.SecretKey, AppID: c.AppID, Sign: c.Sign, Region: c.Region}
}

// kinds are the kinds with a template: those the database queues SMS deliveries for.
func (c smsConfig) kinds() []contest.NotificationKind {
	var out []contest.NotificationKind
	for _, k := range contest.SMSKinds() {
		if c.Templates[k] != "" {
			out = append(out, k)
		}
	}
	return out
}

// settings are the services' SMS settings; the zero value without a provider.
func (c smsConfig) settings(log *slog.Logger) (contest.SMSSettings, error) {
	var sender contest.SMSSender
	switch c.Provider {
	case "":
		return contest.SMSSettings{}, nil
	case smsLog:
		sender = smslog.New(log.With("component", "sms"))
	case smsTencent:
		s, err := tencentsms.New(c.tencent())
		if err != nil {
			return contest.SMSSettings{}, err
		}
		sender = s
	}
	if len(c.kinds()) == 0 {
		log.Warn("CONTEST_SMS_PROVIDER is set but no CONTEST_SMS_TEMPLATE_* is: no notification goes by SMS")
	}
	return contest.SMSSettings{Sender: sender, Templates: c.Templates, ParamMax: c.ParamMax}, nil
}
