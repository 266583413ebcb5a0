package main

import (
	"bytes"
	"context"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jskx/contest/internal/contest"
)

func TestConfig_SMS(t *testing.T) {
	key := filepath.Join(t.TempDir(), "sms_secret_key")
	if err := os.WriteFile(key, []byte("sk-tencent-789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := map[string]string{"CONTEST_SMS_PROVIDER": "tencent", "CONTEST_SMS_SECRET_ID": "AKIDabc", "CONTEST_SMS_SECRET_KEY_FILE": key,
		"CONTEST_SMS_APP_ID": "1400006666", "CONTEST_SMS_SIGN": "微视频大赛", "CONTEST_SMS_REGION": "ap-beijing",
		"CONTEST_SMS_TEMPLATE_VIDEO_REJECTED": "1001", "CONTEST_SMS_TEMPLATE_RESULTS_PUBLISHED": "1004"}
	cfg, _, err := loadConfig("serve", nil, func(k string) string { return base[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SMS.SecretKey != "sk-tencent-789" || cfg.SMS.AppID != "1400006666" || cfg.SMS.Sign != "微视频大赛" || cfg.SMS.ParamMax != contest.DefaultSMSParamMax {
		t.Errorf("sms config = %+v", cfg.SMS)
	}
	if d := cmp.Diff([]contest.NotificationKind{contest.NoteVideoRejected, contest.NoteResults}, cfg.SMS.kinds()); d != "" {
		t.Errorf("kinds with a template (-want +got):\n%s", d)
	}
	if strings.Contains(cfg.String(), "sk-tencent-789") {
		t.Errorf("config string shows the SMS secret key: %s", cfg.String())
	}
	for k, bad := range map[string]string{"CONTEST_SMS_PROVIDER": "aliyun", "CONTEST_SMS_SIGN": "", "CONTEST_SMS_TEMPLATE_FORMAL_EXCLUDED": "SMS_1",
		"CONTEST_SMS_PARAM_MAX": "1"} {
		env := maps.Clone(base)
		env[k] = bad
		err := run(context.Background(), []string{"serve"}, func(k string) string { return env[k] }, &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), "CONTEST_SMS") || exitCode(err) != 2 {
			t.Errorf("%s=%q: err = %v (exit %d), want a usage error naming it", k, bad, err, exitCode(err))
		}
	}
	// The log provider needs no account.
	if cfg, _, err := loadConfig("serve", nil, func(k string) string { return map[string]string{"CONTEST_SMS_PROVIDER": "log"}[k] }); err != nil || cfg.SMS.Provider != "log" {
		t.Errorf("log provider: %+v, %v", cfg.SMS, err)
	}
}
