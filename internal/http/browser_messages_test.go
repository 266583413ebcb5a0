package http_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// TestBrowser_MessageCentreOnAPhone: a contestant whose work was excluded sees the unread
// count in the header, reads the message on a phone-wide screen (nothing wider than the
// screen) and marks it read with the page's own form.
func TestBrowser_MessageCentreOnAPhone(t *testing.T) {
	ffmpegtest.Require(t)
	e := MustEnv(t, "sqlite+localfs")
	org := e.Organizer()
	_, id := e.SubmitWork("zhang@example.org", workOf("一个标题很长很长的作品，用来看看手机上会不会把页面撑宽", "省农业科学院", "南京市"))
	org.Must(http.StatusOK, "PUT", "/api/v1/admin/submissions/"+id+"/formal-review",
		map[string]string{"decision": "excluded", "reason": "作品内容与征集主题不符，且片尾出现了与活动无关的商业广告，请参看征集通知第三条。"})

	b := MustBrowser(t, e.Server.URL, 90*time.Second)
	b.Open("/login")
	b.Submit("sign in", Fill(`main form [name="email"]`, "zhang@example.org"), Fill(`main form [name="password"]`, "secret-pass"),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
	// The 回执, the video's verdict, 作品已提交 and the exclusion.
	if got := b.Text("#nav-messages .count"); got != "4" {
		b.Fatalf("header unread %q, want 4", got)
	}
	b.Submit("open the messages", chromedp.Click(chromedp.ID("nav-messages")))
	if got := b.Text("li.message.unread h2"); !strings.Contains(got, "形式审查未通过") {
		b.Fatalf("first message %q", got)
	}
	if w := Eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
		b.Errorf("the message centre is %d px wide on a 390 px screen", w)
	}
	b.Screenshot("messages")
	b.Submit("mark one read", chromedp.Click(chromedp.CSS(`li.message.unread form button`)))
	if got := b.Text("#nav-messages .count"); got != "3" {
		b.Fatalf("header unread after marking one %q, want 3", got)
	}
	b.Submit("mark all read", chromedp.Click(chromedp.CSS(`form[action="/messages/read"] button`)))
	if n := Eval[int](b, `document.querySelectorAll('li.message.unread, #nav-messages .count').length`); n != 0 {
		b.Errorf("after marking all read, %d unread marks remain", n)
	}
}
