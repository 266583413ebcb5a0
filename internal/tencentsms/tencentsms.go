// Package tencentsms sends SMS through Tencent Cloud SMS (短信, API version 2021-01-11, action
// SendSms) with Tencent's Go SDK. The SDK's product package for SMS is not served by the Go
// module proxy this project builds from, so the request goes through the SDK's common client
// (common.NewCommonClient with a CommonRequest): the same signing (TC3-HMAC-SHA256), endpoint,
// timeouts and error parsing, with the action's documented JSON.
package tencentsms

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"

	"github.com/jskx/contest/internal/contest"
)

// Settings are the account's SMS settings.
type Settings struct {
	SecretID  string
	SecretKey string
	AppID     string // SmsSdkAppId, e.g. 1400006666
	Sign      string // 签名, e.g. 全国大学生微视频大赛 (approved at Tencent)
	Region    string // ap-guangzhou (default), ap-beijing or ap-nanjing
	// Endpoint overrides the API's host (sms.tencentcloudapi.com); with Insecure it is spoken
	// to over plain HTTP (tests).
	Endpoint string
	Insecure bool
	Timeout  time.Duration // 10 s
}

// Sender sends SMS with the settings.
type Sender struct {
	s      Settings
	client *common.Client
}

var _ contest.SMSSender = (*Sender)(nil)

// New checks the settings and returns a Sender.
func New(s Settings) (*Sender, error) {
	switch {
	case s.SecretID == "" || s.SecretKey == "":
		return nil, fmt.Errorf("tencentsms: the secret id and key are required")
	case s.AppID == "":
		return nil, fmt.Errorf("tencentsms: the SdkAppId is required")
	case s.Sign == "":
		return nil, fmt.Errorf("tencentsms: the sign (签名) is required")
	}
	if s.Region == "" {
		s.Region = "ap-guangzhou"
	}
	if s.Timeout == 0 {
		s.Timeout = 10 * time.Second
	}
	cp := profile.NewClientProfile()
	cp.HttpProfile.ReqMethod = "POST"
	cp.HttpProfile.ReqTimeout = max(int(s.Timeout/time.Second), 1)
	cp.HttpProfile.Endpoint = "sms.tencentcloudapi.com"
	if s.Endpoint != "" {
		cp.HttpProfile.Endpoint = s.Endpoint
	}
	if s.Insecure {
		cp.HttpProfile.Scheme = "HTTP"
	}
	// Retries are the job's (with back-off and the per-number limits), not the SDK's.
	cp.NetworkFailureMaxRetries, cp.RateLimitExceededMaxRetries = 0, 0
	c := common.NewCommonClient(common.NewCredential(s.SecretID, s.SecretKey), s.Region, cp)
	c.WithHttpTransport(http.DefaultTransport)
	return &Sender{s: s, client: c}, nil
}

// sendStatus is one number's outcome in SendSms's answer.
type sendStatus struct {
	SerialNo    string
	PhoneNumber string
	Code        string
	Message     string
}

// SendSMS sends one templated SMS to a mainland number (+86). A refusal is a *contest.SMSError
// with the provider's code; the number is not in the error.
func (x *Sender) SendSMS(ctx context.Context, m contest.SMS) error {
	req := tchttp.NewCommonRequest("sms", "2021-01-11", "SendSms")
	req.SetContext(ctx)
	params := map[string]any{
		"PhoneNumberSet":   []string{"+86" + m.Number},
		"SmsSdkAppId":      x.s.AppID,
		"SignName":         x.s.Sign,
		"TemplateId":       m.TemplateID,
		"TemplateParamSet": m.Params,
	}
	if err := req.SetActionParameters(params); err != nil {
		return fmt.Errorf("tencentsms: %w", err)
	}
	resp := tchttp.NewCommonResponse()
	if err := x.client.Send(req, resp); err != nil {
		hide := func(s string) string { return strings.ReplaceAll(s, m.Number, contest.MaskMobile(m.Number)) }
		if e, ok := err.(*tcerr.TencentCloudSDKError); ok {
			return refusal(e.Code, hide(e.Message))
		}
		return fmt.Errorf("tencentsms: %s", hide(err.Error()))
	}
	var out struct {
		Response struct {
			SendStatusSet []sendStatus
			RequestId     string
		}
	}
	if err := json.Unmarshal(resp.GetBody(), &out); err != nil {
		return fmt.Errorf("tencentsms: unreadable answer: %w", err)
	}
	if len(out.Response.SendStatusSet) != 1 {
		return fmt.Errorf("tencentsms: %d statuses in the answer, want 1 (request %s)", len(out.Response.SendStatusSet), out.Response.RequestId)
	}
	if st := out.Response.SendStatusSet[0]; !strings.EqualFold(st.Code, "Ok") {
		return refusal(st.Code, st.Message)
	}
	return nil
}

// refusal is the provider's code as a domain SMSError: the frequency limits of one number say
// when to try again; the daily limits and the errors of the account, the sign, the template or
// the number would repeat.
func refusal(code, message string) error {
	e := &contest.SMSError{Code: code, Message: message}
	switch code {
	case "LimitExceeded.PhoneNumberThirtySecondLimit":
		e.RetryAfter = 30 * time.Second
	case "LimitExceeded.PhoneNumberOneHourLimit", "LimitExceeded.PhoneNumberSameContentDailyLimit":
		e.RetryAfter = time.Hour
	case "LimitExceeded.PhoneNumberDailyLimit", "LimitExceeded.DailyLimit", "LimitExceeded.AppDailyLimit",
		"LimitExceeded.AppGlobalDailyLimit", "LimitExceeded.AppMainlandChinaDailyLimit":
		e.Permanent = true
	default:
		e.Permanent = strings.HasPrefix(code, "InvalidParameter") || strings.HasPrefix(code, "UnauthorizedOperation") ||
			strings.HasPrefix(code, "AuthFailure") || code == "FailedOperation.TemplateIncorrectOrUnapproved" ||
			code == "FailedOperation.SignatureIncorrectOrUnapproved" || code == "FailedOperation.InsufficientBalanceInSmsPackage" ||
			code == "FailedOperation.PhoneNumberInBlacklist" || code == "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber"
	}
	return e
}
