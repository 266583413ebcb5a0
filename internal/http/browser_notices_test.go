package http_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowser_NoticeEditorPreviewsOnAPhoneAndBesideTheFormOnADesk: an organizer previews an
// edited text (the page's own form, rendered by the server), on a 390 px phone below the form
// with nothing wider than the screen, on a 1366 px screen beside it; then saves it.
func TestBrowser_NoticeEditorPreviewsOnAPhoneAndBesideTheFormOnADesk(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	e.Organizer()
	b := MustBrowser(t, e.Server.URL, 90*time.Second)
	b.Open("/login")
	b.Submit("sign in", Fill(`main form [name="email"]`, "organizer@example.org"), Fill(`main form [name="password"]`, "organizer-pass"),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
	b.Open("/admin/notices")
	if got := b.Text("#kind-formal_excluded"); !strings.Contains(got, "默认") {
		b.Fatalf("list row %q", got)
	}
	b.Submit("open the editor", chromedp.Click(chromedp.CSS(`#kind-formal_excluded a`)))
	b.Submit("preview", Fill(`#notice-form [name="subject"]`, "形式审查结果：《{作品名称}》"), chromedp.Click(chromedp.ID("preview")))
	if got := b.Text("#preview-message .preview-subject"); got != "形式审查结果：《实验室里的创新誓言》" {
		b.Fatalf("preview subject %q", got)
	}
	if got := b.Text("#preview-mail .mail-text"); !strings.Contains(got, "张三，您好：") || !strings.Contains(got, "作品内容与征集主题关联不足") {
		b.Fatalf("preview mail %q", got)
	}
	if w := Eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
		b.Errorf("the editor is %d px wide on a 390 px screen", w)
	}
	if Eval[bool](b, `document.querySelector('#notice-preview').getBoundingClientRect().top <= document.querySelector('#notice-form').getBoundingClientRect().top`) {
		b.Errorf("on a phone the preview is not below the form")
	}
	b.Screenshot("notice-preview-phone")
	b.Do("a desk screen", chromedp.EmulateViewport(1366, 768))
	if !Eval[bool](b, `document.querySelector('#notice-preview').getBoundingClientRect().left > document.querySelector('#notice-form').getBoundingClientRect().right`) {
		b.Errorf("on a 1366 px screen the preview is not beside the form")
	}
	if w := Eval[int](b, `document.documentElement.scrollWidth`); w > 1366 {
		b.Errorf("the editor is %d px wide on a 1366 px screen", w)
	}
	b.Screenshot("notice-preview-desk")
	b.Submit("save", chromedp.Click(chromedp.ID("save")))
	if got := b.Text("#edited"); got != "已修改" {
		b.Fatalf("after saving the page says %q", got)
	}
}
