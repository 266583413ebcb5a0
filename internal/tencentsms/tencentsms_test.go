package tencentsms_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/tencentsms"
)

// fakeAPI speaks SendSms's JSON: it records each request and answers with the status code set.
type fakeAPI struct {
	mu       sync.Mutex
	requests []request
	code     string // SendStatusSet's Code ("Ok")
	errCode  string // a whole-request error (Response.Error.Code) instead
}

type request struct {
	Action, Version, Region, Authorization string
	Body                                   struct {
		PhoneNumberSet   []string
		SmsSdkAppId      string
		SignName         string
		TemplateId       string
		TemplateParamSet []string
	}
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req request
	req.Action, req.Version, req.Region = r.Header.Get("X-TC-Action"), r.Header.Get("X-TC-Version"), r.Header.Get("X-TC-Region")
	req.Authorization = r.Header.Get("Authorization")
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, &req.Body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, req)
	code, errCode := f.code, f.errCode
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if errCode != "" {
		json.NewEncoder(w).Encode(map[string]any{"Response": map[string]any{
			"Error": map[string]string{"Code": errCode, "Message": "refused"}, "RequestId": "req-1"}})
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"Response": map[string]any{
		"SendStatusSet": []map[string]any{{"SerialNo": "2640:1", "PhoneNumber": req.Body.PhoneNumberSet[0], "Fee": 1,
			"Code": code, "Message": map[bool]string{true: "send success", false: "refused"}[code == "Ok"], "IsoCode": "CN"}},
		"RequestId": "req-1"}})
}

func mustSender(t *testing.T, api *fakeAPI) *tencentsms.Sender {
	t.Helper()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	s, err := tencentsms.New(tencentsms.Settings{SecretID: "AKIDtest", SecretKey: "secret", AppID: "1400006666",
		Sign: "微视频大赛", Region: "ap-beijing", Endpoint: strings.TrimPrefix(srv.URL, "http://"), Insecure: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSendSMS_SendsTheTemplateSignAndNumberAndReadsOk(t *testing.T) {
	api := &fakeAPI{code: "Ok"}
	s := mustSender(t, api)
	err := s.SendSMS(t.Context(), contest.SMS{Number: "13800138000", TemplateID: "2001", Params: []string{"星空下的…", "一等奖"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(api.requests) != 1 {
		t.Fatalf("%d requests, want 1", len(api.requests))
	}
	got := api.requests[0]
	if got.Action != "SendSms" || got.Version != "2021-01-11" || got.Region != "ap-beijing" {
		t.Errorf("action %q version %q region %q", got.Action, got.Version, got.Region)
	}
	if !strings.HasPrefix(got.Authorization, "TC3-HMAC-SHA256 Credential=AKIDtest/") {
		t.Errorf("the request is not signed with TC3: %q", got.Authorization)
	}
	want := request{}.Body
	want.PhoneNumberSet, want.SmsSdkAppId, want.SignName = []string{"+8613800138000"}, "1400006666", "微视频大赛"
	want.TemplateId, want.TemplateParamSet = "2001", []string{"星空下的…", "一等奖"}
	if d := cmp.Diff(want, got.Body); d != "" {
		t.Errorf("request body (-want +got):\n%s", d)
	}
}

func TestSendSMS_RefusalsBecomeDomainErrors(t *testing.T) {
	for _, tc := range []struct {
		name, code, errCode string
		retry               bool
		permanent           bool
	}{
		{name: "thirty seconds", code: "LimitExceeded.PhoneNumberThirtySecondLimit", retry: true},
		{name: "daily", code: "LimitExceeded.PhoneNumberDailyLimit", permanent: true},
		{name: "template", code: "FailedOperation.TemplateIncorrectOrUnapproved", permanent: true},
		{name: "number", code: "InvalidParameterValue.IncorrectPhoneNumber", permanent: true},
		{name: "busy", code: "InternalError.Timeout"},
		{name: "auth", errCode: "AuthFailure.SignatureFailure", permanent: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mustSender(t, &fakeAPI{code: tc.code, errCode: tc.errCode})
			err := s.SendSMS(t.Context(), contest.SMS{Number: "13800138000", TemplateID: "2001", Params: []string{"x"}})
			var e *contest.SMSError
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want a *contest.SMSError", err)
			}
			if want := tc.code + tc.errCode; e.Code != want || (e.RetryAfter > 0) != tc.retry || e.Permanent != tc.permanent {
				t.Errorf("err = %+v, want code %s retry %v permanent %v", e, want, tc.retry, tc.permanent)
			}
			if strings.Contains(err.Error(), "13800138000") {
				t.Errorf("the error holds the number: %v", err)
			}
		})
	}
}

func TestSendSMS_UnreachableIsAnErrorWithoutTheNumber(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := strings.TrimPrefix(srv.URL, "http://")
	srv.Close()
	s, err := tencentsms.New(tencentsms.Settings{SecretID: "a", SecretKey: "b", AppID: "1", Sign: "s", Endpoint: addr, Insecure: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = s.SendSMS(t.Context(), contest.SMS{Number: "13800138000", TemplateID: "1", Params: []string{"x"}})
	if err == nil || strings.Contains(err.Error(), "13800138000") {
		t.Fatalf("err = %v, want an error without the number", err)
	}
}

func TestNew_RefusesIncompleteSettings(t *testing.T) {
	for _, s := range []tencentsms.Settings{
		{SecretKey: "b", AppID: "1", Sign: "s"},
		{SecretID: "a", SecretKey: "b", Sign: "s"},
		{SecretID: "a", SecretKey: "b", AppID: "1"},
	} {
		if _, err := tencentsms.New(s); err == nil {
			t.Errorf("New(%+v) = nil error", s)
		}
	}
}
