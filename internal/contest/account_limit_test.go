package contest

import (
	"strings"
	"testing"
	"time"
)

func TestMailLimit_RefusesPastTheLimitUntilTheWindowEnds(t *testing.T) {
	var l mailLimit
	start := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	for i := range 3 {
		if d := l.allow("reset:a@example.org", 3, start.Add(time.Duration(i)*time.Minute)); d != 0 {
			t.Fatalf("use %d refused for %v", i+1, d)
		}
	}
	if d := l.allow("reset:a@example.org", 3, start.Add(10*time.Minute)); d != 50*time.Minute {
		t.Errorf("4th use: wait %v, want the rest of the hour (50m)", d)
	}
	if d := l.allow("reset:b@example.org", 3, start.Add(10*time.Minute)); d != 0 {
		t.Errorf("another key is refused for %v", d)
	}
	if d := l.allow("reset:a@example.org", 3, start.Add(time.Hour)); d != 0 {
		t.Errorf("after the window: refused for %v", d)
	}
	if msg := ErrorMessage(errMailLimit(50 * time.Minute)); !strings.Contains(msg, "请50分钟后再试") {
		t.Errorf("message %q", msg)
	}
}

func TestAccountLinkMail_SaysWhatTheLinkDoesAndUntilWhen(t *testing.T) {
	expires := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	m := accountLinkMail(Mail{ToName: "<张三>", ToAddress: "a@example.org"}, TokenReset, "https://x.example/password/reset/TOKEN", expires)
	if m.Subject != "重置密码" || !strings.Contains(m.Text, "https://x.example/password/reset/TOKEN") ||
		!strings.Contains(m.Text, "2026年5月1日 17:00:00") || !strings.Contains(m.Text, "只能使用一次") {
		t.Errorf("reset mail:\n%s", m.Text)
	}
	if strings.Contains(m.HTML, "<张三>") || !strings.Contains(m.HTML, "&lt;张三&gt;") {
		t.Errorf("the HTML part does not escape the name: %s", m.HTML)
	}
	n := emailChangeNotice(Mail{ToName: "张三"}, "newbox@example.org")
	if strings.Contains(n.Text, "newbox@example.org") || strings.Contains(n.Text, "http") {
		t.Errorf("the notice to the old address shows the new one or a link:\n%s", n.Text)
	}
}
