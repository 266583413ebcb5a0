package http_test

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
	"github.com/jskx/contest/internal/smtp/smtptest"
)

// The subjects of the account mails.
const (
	subjectReset  = "重置密码"
	subjectInvite = "评委邀请：请设置您的密码"
	subjectVerify = "请验证您的邮箱"
	subjectNewBox = "请确认您的新邮箱"
	subjectNotice = "您的账号邮箱正在更改"
)

// withSubject waits until Mailpit holds n mails for addr with the subject, and returns them.
func (m mailpit) withSubject(addr, subject string, n int) []mailpitMessage {
	m.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var got []mailpitMessage
		for _, x := range m.to(addr) {
			if x.Subject == subject {
				got = append(got, x)
			}
		}
		if len(got) >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var linkPattern = regexp.MustCompile(`https?://[^\s"<]+/(password/reset|email/verify)/([A-Za-z0-9_-]+)`)

// linkIn returns the site path and token of the account link in a mail's plain text.
func linkIn(t testing.TB, m mailpitMessage) (path, token string) {
	t.Helper()
	x := linkPattern.FindStringSubmatch(m.Text)
	if x == nil {
		t.Fatalf("no account link in the mail %q:\n%s", m.Subject, m.Text)
	}
	return "/" + x[1] + "/" + x[2], x[2]
}

// mailOne waits for the one mail with the subject to addr and returns its link's token.
func mailOne(t testing.TB, mp mailpit, addr, subject string) (string, mailpitMessage) {
	t.Helper()
	got := mp.withSubject(addr, subject, 1)
	if len(got) != 1 {
		t.Fatalf("Mailpit holds %d mails %q for the address, want 1", len(got), subject)
	}
	_, token := linkIn(t, got[0])
	return token, got[0]
}

// waitAccountMails waits until no account mail job is waiting, running or retrying.
func waitAccountMails(t testing.TB, e *env) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		stats, err := e.DB.JobQueueStats(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		busy := false
		for _, s := range stats {
			busy = busy || s.Kind == "account_mail"
		}
		if !busy {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("account mails still queued: %+v", stats)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestPasswordReset_LinkWorksOnceEndsEverySessionAndTellsNoOneWhoExists(t *testing.T) {
	mp := mustMailpit(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		withEmail(t, e, mp.smtpAddr)
		addr, unknown := address("reset"), address("nobody")
		other := e.Client().SignUp(addr) // a browser that stays signed in with the old password

		anon := e.Client()
		forKnown := anon.Must(http.StatusAccepted, "POST", "/api/v1/password/forgot", map[string]string{"email": strings.ToUpper(addr)})
		forUnknown := anon.Must(http.StatusAccepted, "POST", "/api/v1/password/forgot", map[string]string{"email": unknown})
		if !bytes.Equal(forKnown.Body, forUnknown.Body) || !strings.Contains(string(forKnown.Body), "如果该邮箱已注册，我们已发送重置链接") {
			t.Fatalf("answers differ: %s vs %s", forKnown.Body, forUnknown.Body)
		}
		page := mustDoc(t, e.Client().Must(http.StatusOK, "GET", "/login", nil))
		if page.Find(`a#forgot[href="/password/forgot"]`).Length() != 1 {
			t.Error("the sign-in page has no 忘记密码 link")
		}

		token, m := mailOne(t, mp, addr, subjectReset)
		waitAccountMails(t, e)
		if n := len(mp.to(unknown)); n != 0 {
			t.Errorf("the unknown address got %d mails", n)
		}
		if !strings.Contains(m.Text, "张三，您好") || !strings.Contains(m.HTML, "/password/reset/"+token) {
			t.Errorf("the mail lacks the greeting or the link:\n%s", m.Text)
		}
		if strings.Contains(e.Log.String(), addr) || strings.Contains(e.Log.String(), token) {
			t.Error("the log holds the address or the token")
		}

		// The link's page names the account; the password is set with it, and this browser is
		// signed in, every other session ended.
		b := e.Client()
		doc := mustDoc(t, b.Must(http.StatusOK, "GET", "/password/reset/"+token, nil))
		if !strings.Contains(doc.Find("main").Text(), addr) {
			t.Errorf("the reset page does not name the account: %q", doc.Find("main").Text())
		}
		var u struct {
			Email         string
			EmailVerified bool `json:"email_verified"`
		}
		b.Must(http.StatusOK, "POST", "/api/v1/password/reset", map[string]string{"token": token, "password": "brand-new-pass"}).JSON(t, &u)
		if u.Email != addr || !u.EmailVerified {
			t.Errorf("after the reset: %+v, want the account, verified", u)
		}
		b.Must(http.StatusOK, "GET", "/api/v1/me", nil)
		other.Must(http.StatusUnauthorized, "GET", "/api/v1/me", nil)

		// Once only.
		if r := e.Client().Do("POST", "/api/v1/password/reset", map[string]string{"token": token, "password": "another-pass"}); r.Status != http.StatusNotFound {
			t.Errorf("the link used again = %d, want 404: %s", r.Status, r.Body)
		}
		e.Client().Must(http.StatusUnauthorized, "POST", "/api/v1/auth/login", map[string]string{"email": addr, "password": "secret-pass"})
		e.Client().Must(http.StatusOK, "POST", "/api/v1/auth/login", map[string]string{"email": addr, "password": "brand-new-pass"})
	})
}

func TestPasswordReset_ExpiredOrReplacedLinkIsRefused(t *testing.T) {
	mp := mustMailpit(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		withEmail(t, e, mp.smtpAddr)
		addr := address("late")
		e.Client().SignUp(addr)
		anon := e.Client()
		anon.Must(http.StatusAccepted, "POST", "/api/v1/password/forgot", map[string]string{"email": addr})
		first, _ := mailOne(t, mp, addr, subjectReset)

		// A second request replaces the first link.
		anon.Must(http.StatusAccepted, "POST", "/api/v1/password/forgot", map[string]string{"email": addr})
		got := mp.withSubject(addr, subjectReset, 2)
		if len(got) != 2 {
			t.Fatalf("%d reset mails, want 2", len(got))
		}
		var second string
		for _, m := range got {
			if _, tok := linkIn(t, m); tok != first {
				second = tok
			}
		}
		anon.Must(http.StatusNotFound, "POST", "/api/v1/password/reset", map[string]string{"token": first, "password": "brand-new-pass"})

		// An hour later the newest link has expired too.
		e.Clock.Set(inWindow.Add(time.Hour + time.Second))
		r := anon.Must(http.StatusNotFound, "POST", "/api/v1/password/reset", map[string]string{"token": second, "password": "brand-new-pass"})
		if !strings.Contains(r.ErrorMessage(), "链接无效或已过期") {
			t.Errorf("message = %q", r.ErrorMessage())
		}
		doc := mustDoc(t, anon.Must(http.StatusNotFound, "GET", "/password/reset/"+second, nil))
		if doc.Find(`input[name="new_password"]`).Length() != 0 || !strings.Contains(doc.Text(), "已过期") {
			t.Errorf("the page of an expired link offers the form: %q", doc.Find("main").Text())
		}
		e.Client().Must(http.StatusOK, "POST", "/api/v1/auth/login", map[string]string{"email": addr, "password": "secret-pass"})
	})
}

func TestPasswordReset_RateLimitedPerAddressAndPerClient(t *testing.T) {
	mp := mustMailpit(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		withEmail(t, e, mp.smtpAddr)
		anon := e.Client()
		addr := address("flood")
		for range 3 {
			anon.Must(http.StatusAccepted, "POST", "/api/v1/password/forgot", map[string]string{"email": addr})
		}
		r := anon.Must(http.StatusTooManyRequests, "POST", "/api/v1/password/forgot", map[string]string{"email": addr})
		if !strings.Contains(r.ErrorMessage(), "请求过于频繁") || r.Header.Get("Retry-After") == "" {
			t.Errorf("429 = %q, Retry-After %q", r.ErrorMessage(), r.Header.Get("Retry-After"))
		}
		// Other addresses from the same client: 20 an hour in all.
		for range 16 {
			anon.Must(http.StatusAccepted, "POST", "/api/v1/password/forgot", map[string]string{"email": address("other")})
		}
		anon.Must(http.StatusTooManyRequests, "POST", "/api/v1/password/forgot", map[string]string{"email": address("other")})

		// The page says the same, in Chinese, with the 429.
		v := url.Values{"email": {address("page")}}
		res := anon.Do("POST", "/password/forgot", v)
		if res.Status != http.StatusTooManyRequests || !strings.Contains(string(res.Body), "请求过于频繁") {
			t.Errorf("page = %d", res.Status)
		}
	})
}

func TestPasswordReset_WithoutMailThePageSendsToTheOrganizer(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	doc := mustDoc(t, e.Client().Must(http.StatusOK, "GET", "/password/forgot", nil))
	if !strings.Contains(doc.Find("#ask-organizer").Text(), "请联系活动组织者") || doc.Find(`input[name="email"]`).Length() != 0 {
		t.Errorf("the page without mail: %q", doc.Find("main").Text())
	}
	r := e.Client().Must(http.StatusForbidden, "POST", "/api/v1/password/forgot", map[string]string{"email": "a@example.org"})
	if !strings.Contains(r.ErrorMessage(), "组织者") {
		t.Errorf("message = %q", r.ErrorMessage())
	}
	// Nor can judges be invited by mail, nor verification be required.
	org := e.Organizer()
	org.Must(http.StatusForbidden, "POST", "/api/v1/admin/judges", map[string]any{"email": "j@example.org", "name": "王评委", "employer": "南京大学", "by_email": true})
	var ct map[string]any
	org.Must(http.StatusOK, "GET", "/api/v1/contest", nil).JSON(t, &ct)
	ct["require_email_verification"] = true
	if r := org.Must(http.StatusUnprocessableEntity, "PUT", "/api/v1/admin/contest", ct); r.FieldCodes()["require_email_verification"] != "no_mail" {
		t.Errorf("fields = %v", r.FieldCodes())
	}
}

func TestJudgeInvitation_ByLinkResentOnceUsed(t *testing.T) {
	mp := mustMailpit(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		withEmail(t, e, mp.smtpAddr)
		org := e.Organizer()
		addr := address("judge")
		var inv struct {
			Judge    struct{ ID string }
			Password string
			ByEmail  bool `json:"by_email"`
		}
		org.Must(http.StatusCreated, "POST", "/api/v1/admin/judges",
			map[string]any{"email": addr, "name": "王评委", "employer": "南京大学", "by_email": true}).JSON(t, &inv)
		if inv.Password != "" || !inv.ByEmail {
			t.Fatalf("invited by mail: %+v, want no password", inv)
		}
		first, m := mailOne(t, mp, addr, subjectInvite)
		if !strings.Contains(m.Text, "王评委，您好") || !strings.Contains(m.Text, "评委") {
			t.Errorf("invitation:\n%s", m.Text)
		}

		// Sent again: the first link stops working.
		org.Must(http.StatusAccepted, "POST", "/api/v1/admin/judges/"+inv.Judge.ID+"/invitation", nil)
		got := mp.withSubject(addr, subjectInvite, 2)
		if len(got) != 2 {
			t.Fatalf("%d invitations, want 2", len(got))
		}
		var second string
		for _, m := range got {
			if _, tok := linkIn(t, m); tok != first {
				second = tok
			}
		}
		j := e.Client()
		j.Must(http.StatusNotFound, "POST", "/api/v1/password/reset", map[string]string{"token": first, "password": "judge-own-pass"})
		var u struct {
			Role               string
			MustChangePassword bool `json:"must_change_password"`
		}
		j.Must(http.StatusOK, "POST", "/api/v1/password/reset", map[string]string{"token": second, "password": "judge-own-pass"}).JSON(t, &u)
		if u.Role != "judge" || u.MustChangePassword {
			t.Errorf("judge after accepting: %+v", u)
		}
		j.Must(http.StatusOK, "GET", "/api/v1/judge/works", nil)
		// Once they chose a password, the invitation cannot be sent again.
		org.Must(http.StatusConflict, "POST", "/api/v1/admin/judges/"+inv.Judge.ID+"/invitation", nil)

		// The one-time password stays the organizer's choice.
		var otp struct{ Password string }
		org.Must(http.StatusCreated, "POST", "/api/v1/admin/judges",
			map[string]any{"email": address("judge2"), "name": "李评委", "employer": "东南大学"}).JSON(t, &otp)
		if len(otp.Password) != contest.GeneratedPasswordLen {
			t.Errorf("one-time password %q", otp.Password)
		}
	})
}

func TestEmailVerification_RequiredBlocksSubmittingUntilVerified(t *testing.T) {
	ffmpegtest.Require(t)
	mp := mustMailpit(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		withEmail(t, e, mp.smtpAddr)
		org := e.Organizer()
		var ct map[string]any
		org.Must(http.StatusOK, "GET", "/api/v1/contest", nil).JSON(t, &ct)
		ct["require_email_verification"] = true
		org.Must(http.StatusOK, "PUT", "/api/v1/admin/contest", ct)
		var audit struct {
			Items []struct{ Action, Entity, After string }
		}
		org.Must(http.StatusOK, "GET", "/api/v1/admin/audit", nil).JSON(t, &audit)
		if len(audit.Items) == 0 || audit.Items[0].Entity != "contest" || !strings.Contains(audit.Items[0].After, "require_email_verification") {
			t.Errorf("the setting's change is not audited: %+v", audit.Items)
		}

		addr := address("verify")
		c := e.Client().SignUp(addr)
		token, _ := mailOne(t, mp, addr, subjectVerify)
		s := c.Create(nil)
		c.ConsentAll(s)
		c.UploadAccepted(s.ID)
		r := c.Must(http.StatusForbidden, "POST", "/api/v1/submissions/"+s.ID+"/finalize", nil)
		if r.ErrorCode() != "email_unverified" || !strings.Contains(r.ErrorMessage(), "验证") {
			t.Fatalf("unverified submit = %s %q", r.ErrorCode(), r.ErrorMessage())
		}
		doc := mustDoc(t, c.Must(http.StatusOK, "GET", "/my", nil))
		if b := doc.Find("#verify-banner"); !strings.Contains(b.Text(), "验证后才能提交作品") || b.Find("#banner-resend").Length() != 1 {
			t.Errorf("banner = %q", b.Text())
		}

		// Sent again from the banner: the newer link is the one that works.
		c.Must(http.StatusAccepted, "POST", "/api/v1/me/email/verification", nil)
		got := mp.withSubject(addr, subjectVerify, 2)
		var newer string
		for _, m := range got {
			if _, tok := linkIn(t, m); tok != token {
				newer = tok
			}
		}
		if newer == "" {
			t.Fatal("no second verification mail")
		}
		c.Must(http.StatusNotFound, "POST", "/api/v1/email/verify", map[string]string{"token": token})
		// Opening the link changes nothing; confirming does (a signed-out browser may).
		anon := e.Client()
		anon.Must(http.StatusOK, "GET", "/email/verify/"+newer, nil)
		var me struct {
			EmailVerified bool `json:"email_verified"`
		}
		c.Must(http.StatusOK, "GET", "/api/v1/me", nil).JSON(t, &me)
		if me.EmailVerified {
			t.Fatal("opening the link verified the address")
		}
		anon.Must(http.StatusNoContent, "POST", "/api/v1/email/verify", map[string]string{"token": newer})
		c.Must(http.StatusOK, "GET", "/api/v1/me", nil).JSON(t, &me)
		if !me.EmailVerified {
			t.Fatal("not verified after the link")
		}
		c.Must(http.StatusOK, "POST", "/api/v1/submissions/"+s.ID+"/finalize", nil)
		if mustDoc(t, c.Must(http.StatusOK, "GET", "/my", nil)).Find("#verify-banner").Length() != 0 {
			t.Error("the banner stays once verified")
		}
		c.Must(http.StatusConflict, "POST", "/api/v1/me/email/verification", nil)
	})
}

func TestEmailVerification_NotRequiredIsOfferedButNotEnforced(t *testing.T) {
	mp := mustMailpit(t)
	e := MustEnv(t, "sqlite+localfs")
	withEmail(t, e, mp.smtpAddr)
	addr := address("optional")
	c := e.Client().SignUp(addr)
	doc := mustDoc(t, c.Must(http.StatusOK, "GET", "/my", nil))
	// No mail was sent at sign-up: the banner offers one and does not point at a mail.
	if b := doc.Find("#verify-banner").Text(); b == "" || strings.Contains(b, "才能提交作品") ||
		strings.Contains(b, "邮件中的链接") || !strings.Contains(b, "发送验证邮件") {
		t.Errorf("banner = %q, want an offer without the requirement", b)
	}
	// Offered, not pressed on: the mail comes when asked for.
	c.Do("POST", "/account/verification", url.Values{})
	token, _ := mailOne(t, mp, addr, subjectVerify)
	if n := len(mp.to(addr)); n != 1 {
		t.Errorf("%d mails, want only the one asked for", n)
	}
	c.Do("POST", "/email/verify/"+token, url.Values{})
	if mustDoc(t, c.Must(http.StatusOK, "GET", "/my", nil)).Find("#verify-banner").Length() != 0 {
		t.Error("the banner stays once verified")
	}
	s := c.Create(nil)
	// Not required: an incomplete work is refused for being incomplete, not for the address.
	if r := c.Do("POST", "/api/v1/submissions/"+s.ID+"/finalize", nil); r.ErrorCode() != contest.EIncomplete {
		t.Errorf("submit = %d %s, want incomplete", r.Status, r.ErrorCode())
	}
}

func TestEmailChange_NewAddressConfirmedByLinkOldOneTold(t *testing.T) {
	mp := mustMailpit(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		withEmail(t, e, mp.smtpAddr)
		old, taken, next := address("old"), address("taken"), address("new")
		e.Client().SignUp(taken)
		c := e.Client().SignUp(old)

		if r := c.Must(http.StatusUnprocessableEntity, "POST", "/api/v1/me/email", map[string]string{"current_password": "wrong-pass", "new_email": next}); r.FieldCodes()["current_password"] != "wrong_password" {
			t.Errorf("wrong password: %v", r.FieldCodes())
		}
		if r := c.Must(http.StatusUnprocessableEntity, "POST", "/api/v1/me/email", map[string]string{"current_password": "secret-pass", "new_email": taken}); r.FieldCodes()["new_email"] != "email_taken" {
			t.Errorf("taken address: %v", r.FieldCodes())
		}
		// The page's form tells the error beside its own field.
		r := c.Do("POST", "/account/email", url.Values{"current_password": {"wrong-pass"}, "new_email": {next}})
		if doc := mustDoc(t, r); r.Status != http.StatusUnprocessableEntity || !strings.Contains(doc.Find("#account-email .err").Text(), "当前密码不正确") {
			t.Errorf("page with a wrong password = %d, form errors %q", r.Status, doc.Find("#account-email .err").Text())
		}
		c.Must(http.StatusAccepted, "POST", "/api/v1/me/email", map[string]string{"current_password": "secret-pass", "new_email": strings.ToUpper(next)})
		token, _ := mailOne(t, mp, next, subjectNewBox)
		notice := mp.withSubject(old, subjectNotice, 1)
		if len(notice) != 1 || strings.Contains(notice[0].Text, next) || linkPattern.MatchString(notice[0].Text) {
			t.Fatalf("notice to the old address: %+v (want one, the new address masked, no link)", notice)
		}
		var me struct{ Email string }
		c.Must(http.StatusOK, "GET", "/api/v1/me", nil).JSON(t, &me)
		if me.Email != old {
			t.Fatalf("the address changed to %q before the link was opened", me.Email)
		}
		doc := mustDoc(t, c.Must(http.StatusOK, "GET", "/email/verify/"+token, nil))
		if !strings.Contains(doc.Find("main").Text(), next) {
			t.Errorf("the confirmation page does not name the new address")
		}
		c.Do("POST", "/email/verify/"+token, url.Values{})
		c.Must(http.StatusOK, "GET", "/api/v1/me", nil).JSON(t, &me)
		if me.Email != next {
			t.Fatalf("address = %q after the link, want %q", me.Email, next)
		}
		e.Client().Must(http.StatusOK, "POST", "/api/v1/auth/login", map[string]string{"email": next, "password": "secret-pass"})
		e.Client().Must(http.StatusUnauthorized, "POST", "/api/v1/auth/login", map[string]string{"email": old, "password": "secret-pass"})
		c.Must(http.StatusNotFound, "POST", "/api/v1/email/verify", map[string]string{"token": token})
	})
}

// A reset mail the server refuses for good (550 to RCPT) is not tried again: a retry would
// meet the same refusal and mail yet another link.
func TestPasswordReset_RefusedMailIsNotRetried(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	addr := address("refused")
	srv := smtptest.Start(t, func(int) smtptest.Step {
		return smtptest.Step{At: "RCPT", Reply: "550 5.1.1 <" + addr + ">: Recipient address rejected: User unknown"}
	})
	withEmail(t, e, srv.Addr)
	e.Client().SignUp(addr)
	e.Client().Must(http.StatusAccepted, "POST", "/api/v1/password/forgot", map[string]string{"email": addr})
	waitAccountMails(t, e)
	if n := srv.Conns(); n != 1 {
		t.Errorf("the server was asked %d times, want once (of %d attempts)", n, e.JobSettings.MaxAttempts)
	}
	if strings.Contains(e.Log.String(), addr) {
		t.Error("the log holds the address")
	}
}

// A link mailed before the password was set or the address changed no longer works: whoever
// holds a session can start a change of address to their own mailbox, and changing the
// password must cancel it; a reset mailed to the old address must not work once the address
// changed.
func TestEmailChange_PendingLinksEndWithAPasswordOrAddressChange(t *testing.T) {
	mp := mustMailpit(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		withEmail(t, e, mp.smtpAddr)
		victim, thief := address("victim"), address("thief")
		owner := e.Client().SignUp(victim)
		stolen := e.Client()
		stolen.Must(http.StatusOK, "POST", "/api/v1/auth/login", map[string]string{"email": victim, "password": "secret-pass"})

		// The thief starts moving the account to their mailbox; the owner, told, changes the
		// password as the notice says: the change link stops working.
		stolen.Must(http.StatusAccepted, "POST", "/api/v1/me/email", map[string]string{"current_password": "secret-pass", "new_email": thief})
		change, _ := mailOne(t, mp, thief, subjectNewBox)
		notice := mp.withSubject(victim, subjectNotice, 1)
		if len(notice) != 1 || !strings.Contains(notice[0].Text, "修改密码即取消") {
			t.Fatalf("notice = %+v, want it to say a new password cancels the change", notice)
		}
		owner.Must(http.StatusNoContent, "POST", "/api/v1/me/password", map[string]string{"current_password": "secret-pass", "new_password": "owners-new-pass"})
		if r := e.Client().Do("POST", "/api/v1/email/verify", map[string]string{"token": change}); r.Status != http.StatusNotFound {
			t.Errorf("the change link after a new password = %d, want 404: %s", r.Status, r.Body)
		}
		var me struct{ Email string }
		owner.Must(http.StatusOK, "GET", "/api/v1/me", nil).JSON(t, &me)
		if me.Email != victim {
			t.Fatalf("address = %q, want it unchanged", me.Email)
		}

		// A reset mailed to the address, then the address changed: the reset link is refused.
		e.Client().Must(http.StatusAccepted, "POST", "/api/v1/password/forgot", map[string]string{"email": victim})
		reset, _ := mailOne(t, mp, victim, subjectReset)
		waitAccountMails(t, e)
		next := address("moved")
		owner.Must(http.StatusAccepted, "POST", "/api/v1/me/email", map[string]string{"current_password": "owners-new-pass", "new_email": next})
		moved, _ := mailOne(t, mp, next, subjectNewBox)
		owner.Must(http.StatusNoContent, "POST", "/api/v1/email/verify", map[string]string{"token": moved})
		if r := e.Client().Do("POST", "/api/v1/password/reset", map[string]string{"token": reset, "password": "thiefs-pass-1"}); r.Status != http.StatusNotFound {
			t.Errorf("the reset link after a change of address = %d, want 404: %s", r.Status, r.Body)
		}
		e.Client().Must(http.StatusOK, "POST", "/api/v1/auth/login", map[string]string{"email": next, "password": "owners-new-pass"})
	})
}
