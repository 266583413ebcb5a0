package contest

import (
	"strings"
	"testing"
)

// A work's title is the contestant's text: in the HTML part it is text, never markup.
func TestNotificationMail_HTMLEscapesTheText(t *testing.T) {
	n := Notification{ID: "n1", Subject: "视频检查未通过：《<b>标题</b>》", Body: "作品《<script>alert(1)</script>》\n第二行",
		Link: "/submissions/s1"}
	m := NotificationMail(n, "张三", "zhang@example.org", "https://contest.example.org/")
	if strings.Contains(m.HTML, "<script>") || strings.Contains(m.HTML, "<b>") || !strings.Contains(m.HTML, "&lt;script&gt;") {
		t.Errorf("HTML part = %s", m.HTML)
	}
	if !strings.Contains(m.Text, "<script>alert(1)</script>") || !strings.Contains(m.Text, "https://contest.example.org/submissions/s1") {
		t.Errorf("text part = %s", m.Text)
	}
	if m.MessageID != "notification-n1" || m.ToName != "张三" || m.Subject != n.Subject {
		t.Errorf("mail = %+v", m)
	}
}
