package http

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// accountLinks handles the self-service accounts: 忘记密码, the links mailed to reset a
// password, accept a judge's invitation, verify an address or confirm a new one, and asking
// for those mails. The link's token is in the path (the log records the route, not the path;
// the pages' Referrer-Policy keeps it on the site).
type accountLinks struct{ *Server }

func (s accountLinks) routes(r router) {
	r.public.GET("/password/forgot", s.pageForgot)
	r.public.POST("/password/forgot", s.pageForgotPost)
	r.public.GET("/password/reset/:token", s.pageReset)
	r.public.POST("/password/reset/:token", s.pageResetPost)
	r.public.GET("/email/verify/:token", s.pageVerify)
	r.public.POST("/email/verify/:token", s.pageVerifyPost)
	r.my.POST("/account/verification", s.pageResendVerification)
	r.my.POST("/account/email", s.pageChangeEmail)
	r.api.POST("/password/forgot", s.apiForgot)
	r.api.POST("/password/reset", s.apiReset)
	r.api.POST("/email/verify", s.apiVerify)
	r.user.POST("/me/email", s.apiChangeEmail)
	r.user.POST("/me/email/verification", s.apiResendVerification)
}

// forgotAnswer is the one answer to 忘记密码, whether or not the address has an account.
const forgotAnswer = "如果该邮箱已注册，我们已发送重置链接，请在1小时内查收邮件并点击链接设置新密码。没有收到？请检查垃圾邮件，或稍后重试。"

// forgotPage is the 忘记密码 form and, once sent, the answer.
type forgotPage struct {
	Email  string
	Sent   string
	MailOn bool
}

func (s accountLinks) pageForgot(c echo.Context) error {
	return s.render(c, http.StatusOK, "forgot", view{Title: "忘记密码", Data: forgotPage{MailOn: s.svc.Accounts.MailConfigured()}})
}

func (s accountLinks) pageForgotPost(c echo.Context) error {
	d := forgotPage{Email: c.FormValue("email"), MailOn: s.svc.Accounts.MailConfigured()}
	if err := s.svc.Accounts.ForgotPassword(c.Request().Context(), d.Email, c.RealIP()); err != nil {
		return s.formError(c, "forgot", "忘记密码", err, d)
	}
	d.Sent = forgotAnswer
	return s.render(c, http.StatusOK, "forgot", view{Title: "忘记密码", Data: d})
}

// messageJSON is an answer that only says something to the person.
type messageJSON struct {
	Message string `json:"message"`
}

func (s accountLinks) apiForgot(c echo.Context) error {
	var in struct {
		Email string `json:"email"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	if err := s.svc.Accounts.ForgotPassword(c.Request().Context(), in.Email, c.RealIP()); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, messageJSON{Message: forgotAnswer})
}

// resetPage is the form a reset or invitation link opens.
type resetPage struct {
	Token   string
	Account contest.LinkAccount
}

// title is the page's title for the link's purpose.
func (p resetPage) title() string {
	if p.Account.Purpose == contest.TokenInvite {
		return "接受评委邀请"
	}
	return "设置新密码"
}

func (s accountLinks) pageReset(c echo.Context) error {
	d := resetPage{Token: c.Param("token")}
	a, err := s.svc.Accounts.CheckLink(c.Request().Context(), d.Token, contest.TokenReset, contest.TokenInvite)
	if err != nil {
		return s.formError(c, "reset", "设置新密码", err, resetPage{})
	}
	d.Account = a
	return s.render(c, http.StatusOK, "reset", view{Title: d.title(), Data: d})
}

func (s accountLinks) pageResetPost(c echo.Context) error {
	ctx := c.Request().Context()
	d := resetPage{Token: c.Param("token")}
	a, err := s.svc.Accounts.CheckLink(ctx, d.Token, contest.TokenReset, contest.TokenInvite)
	if err != nil {
		return s.formError(c, "reset", "设置新密码", err, resetPage{})
	}
	d.Account = a
	sess, u, err := s.svc.Accounts.SetPasswordByLink(ctx, d.Token, c.FormValue("new_password"))
	if err != nil {
		if contest.ErrorCode(err) != contest.EInvalid {
			d = resetPage{}
		}
		return s.formError(c, "reset", d.title(), err, d)
	}
	s.setSession(c, sess)
	key, next := "reset", homeOf(u)
	if a.Purpose == contest.TokenInvite {
		key = "invited"
	}
	flash(c, key)
	return seeOther(c, next)
}

func (s accountLinks) apiReset(c echo.Context) error {
	var in struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	sess, u, err := s.svc.Accounts.SetPasswordByLink(c.Request().Context(), in.Token, in.Password)
	if err != nil {
		return err
	}
	s.setSession(c, sess)
	return c.JSON(http.StatusOK, toUserJSON(u))
}

// verifyEmailPage asks to confirm a verification or change-of-address link: opening the link (a
// mail scanner may) changes nothing; the button does.
type verifyEmailPage struct {
	Token   string
	Account contest.LinkAccount
}

func (s accountLinks) pageVerify(c echo.Context) error {
	d := verifyEmailPage{Token: c.Param("token")}
	a, err := s.svc.Accounts.CheckLink(c.Request().Context(), d.Token, contest.TokenVerify, contest.TokenEmail)
	if err != nil {
		return s.formError(c, "verify_email", "验证邮箱", err, verifyEmailPage{})
	}
	d.Account = a
	return s.render(c, http.StatusOK, "verify_email", view{Title: "验证邮箱", Data: d})
}

func (s accountLinks) pageVerifyPost(c echo.Context) error {
	ctx := c.Request().Context()
	a, err := s.svc.Accounts.CheckLink(ctx, c.Param("token"), contest.TokenVerify, contest.TokenEmail)
	if err == nil {
		_, err = s.svc.Accounts.ConfirmEmail(ctx, c.Param("token"))
	}
	if err != nil {
		return s.formError(c, "verify_email", "验证邮箱", err, verifyEmailPage{})
	}
	if a.Purpose == contest.TokenEmail {
		flash(c, "emailchanged")
	} else {
		flash(c, "verified")
	}
	if _, ok := currentUser(c); ok {
		return seeOther(c, "/my")
	}
	return seeOther(c, "/login")
}

func (s accountLinks) apiVerify(c echo.Context) error {
	var in struct {
		Token string `json:"token"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	if _, err := s.svc.Accounts.ConfirmEmail(c.Request().Context(), in.Token); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s accountLinks) pageResendVerification(c echo.Context) error {
	u, _ := currentUser(c)
	if err := s.svc.Accounts.RequestVerification(c.Request().Context(), u); err != nil {
		return s.formError(c, "password", "账号设置", err, nil)
	}
	flash(c, "verifysent")
	return seeOther(c, "/account/password")
}

func (s accountLinks) apiResendVerification(c echo.Context) error {
	u, _ := currentUser(c)
	if err := s.svc.Accounts.RequestVerification(c.Request().Context(), u); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, messageJSON{Message: "验证邮件已发送，请查收"})
}

// emailForm is the change-of-address form as typed.
type emailForm struct{ NewEmail string }

func (s accountLinks) pageChangeEmail(c echo.Context) error {
	u, _ := currentUser(c)
	f := emailForm{NewEmail: c.FormValue("new_email")}
	if err := s.svc.Accounts.ChangeEmail(c.Request().Context(), u, c.FormValue("current_password"), f.NewEmail); err != nil {
		return s.formError(c, "password", "账号设置", err, f)
	}
	flash(c, "emailsent")
	return seeOther(c, "/account/password")
}

func (s accountLinks) apiChangeEmail(c echo.Context) error {
	u, _ := currentUser(c)
	var in struct {
		CurrentPassword string `json:"current_password"`
		NewEmail        string `json:"new_email"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	if err := s.svc.Accounts.ChangeEmail(c.Request().Context(), u, in.CurrentPassword, in.NewEmail); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, messageJSON{Message: "确认邮件已发送到新邮箱，点击邮件中的链接后邮箱才会更改"})
}
