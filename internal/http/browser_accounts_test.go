package http_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// signInBrowser signs the browser in on the sign-in page.
func signInBrowser(b *browser, email, password string) {
	b.t.Helper()
	b.Open("/login")
	b.Submit("sign in", Fill(`main form [name="email"]`, email), Fill(`main form [name="password"]`, password),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
}

// TestBrowser_ContestantResetsAForgottenPasswordFromTheMailedLink: from the sign-in page's
// 忘记密码, the contestant asks for a link, opens it from the mail, sets a new password, and
// signs in with it.
func TestBrowser_ContestantResetsAForgottenPasswordFromTheMailedLink(t *testing.T) {
	mp := mustMailpit(t)
	e := MustEnv(t, "sqlite+localfs")
	withEmail(t, e, mp.smtpAddr)
	addr := address("forgetful")
	e.Client().SignUp(addr)

	b := MustBrowser(t, e.Server.URL, 90*time.Second)
	b.Open("/login")
	b.Submit("open 忘记密码", chromedp.Click(chromedp.ID("forgot")))
	b.Submit("ask for a link", Fill(`main form [name="email"]`, addr), chromedp.Click(chromedp.ID("send-reset")))
	if got := b.Text("#forgot-sent"); !strings.Contains(got, "如果该邮箱已注册，我们已发送重置链接") {
		b.Fatalf("answer %q", got)
	}
	b.Screenshot("forgot-sent")
	token, _ := mailOne(t, mp, addr, subjectReset)

	b.Open("/password/reset/" + token)
	b.Screenshot("reset-form")
	b.Submit("set a new password", Fill(`main form [name="new_password"]`, "remembered-now"), chromedp.Click(chromedp.ID("set-password")))
	if !strings.HasSuffix(b.URL(), "/my") || !strings.Contains(b.Text("main .flash"), "新密码已设置") {
		b.Fatalf("after the reset: %s", b.URL())
	}
	b.Screenshot("password-reset")
	b.Submit("sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)))
	signInBrowser(b, addr, "remembered-now")
	if !strings.HasSuffix(b.URL(), "/my") {
		b.Fatalf("signing in with the new password did not reach 我的作品")
	}
	// The link was used up.
	b.Open("/password/reset/" + token)
	if n := Eval[int](b, `document.querySelectorAll('input[name="new_password"]').length`); n != 0 {
		b.Errorf("the used link still offers the form")
	}
}

// TestBrowser_JudgeAcceptsAnInvitationByLinkAndLandsOnTheQueue: the organizer invites a judge
// by mail on 评委管理; the judge opens the link, sets a password and is on their review queue.
func TestBrowser_JudgeAcceptsAnInvitationByLinkAndLandsOnTheQueue(t *testing.T) {
	mp := mustMailpit(t)
	e := MustEnv(t, "sqlite+localfs")
	withEmail(t, e, mp.smtpAddr)
	addr := address("invited")

	b := MustBrowser(t, e.Server.URL, 90*time.Second)
	signInBrowser(b, "organizer@example.org", "organizer-pass")
	b.Open("/admin/judges")
	if !Eval[bool](b, `document.getElementById('by-email').checked`) {
		b.Fatalf("inviting by mail is not the default when mail is configured")
	}
	b.Submit("invite", Fill(`form [name="email"]`, addr), Fill(`form [name="name"]`, "赵评委"), Fill(`form [name="employer"]`, "东南大学"),
		chromedp.Click(chromedp.ID("invite")))
	if got := b.Text("#judge-mailed"); !strings.Contains(got, "已向评委 赵评委") {
		b.Fatalf("after inviting: %q", got)
	}
	b.Screenshot("judges-invited-by-mail")
	if n := Eval[int](b, `document.querySelectorAll('#judge-password').length`); n != 0 {
		b.Errorf("a one-time password is shown for an invitation by mail")
	}
	b.Submit("sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)))

	token, _ := mailOne(t, mp, addr, subjectInvite)
	b.Open("/password/reset/" + token)
	if got := b.Text("main h1"); got != "接受评委邀请" {
		b.Fatalf("the invitation page's title %q", got)
	}
	b.Screenshot("invitation-form")
	b.Submit("set a password", Fill(`main form [name="new_password"]`, "judge-chosen"), chromedp.Click(chromedp.ID("set-password")))
	if !strings.HasSuffix(b.URL(), "/judge") || !strings.Contains(b.Text("#judge-home h1"), "赵评委评委，您好") {
		b.Fatalf("the judge is not on the queue: %s", b.URL())
	}
	b.Screenshot("judge-invited")
	e.Client().Must(http.StatusOK, "POST", "/api/v1/auth/login", map[string]string{"email": addr, "password": "judge-chosen"})
}
