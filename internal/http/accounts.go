package http

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// accounts handles sign-up, sign-in and passwords, the organizer's password resets.
type accounts struct{ *Server }

func (s accounts) routes(r router) {
	r.public.GET("/signup", s.pageSignUp)
	r.public.POST("/signup", s.pageSignUpPost, r.signUp)
	r.public.GET("/login", s.pageLogin)
	r.public.POST("/login", s.pageLoginPost, r.signIn)
	r.public.POST("/logout", s.pageLogout)
	r.my.GET("/account/password", s.pagePassword)
	r.my.POST("/account/password", s.pagePasswordPost)
	r.admin.GET("/password-reset", s.pageAdminReset)
	r.admin.POST("/password-reset", s.pageAdminResetPost)
	r.api.POST("/auth/signup", s.apiSignUp, r.signUp)
	r.api.POST("/auth/login", s.apiLogin, r.signIn)
	r.api.POST("/auth/logout", s.apiLogout)
	r.user.GET("/me", s.apiMe)
	r.user.POST("/me/password", s.apiChangePassword)
	r.org.POST("/password-resets", s.apiResetPassword)
}

func (s accounts) apiSignUp(c echo.Context) error {
	var in struct{ Email, Password, Name, Mobile string }
	if err := bind(c, &in); err != nil {
		return err
	}
	sess, u, err := s.svc.Registration.SignUp(c.Request().Context(), contest.SignUpInput{Email: in.Email, Password: in.Password, Name: in.Name, Mobile: in.Mobile})
	if err != nil {
		return err
	}
	s.setSession(c, sess)
	return c.JSON(http.StatusCreated, toUserJSON(u))
}

func (s accounts) apiLogin(c echo.Context) error {
	var in struct{ Email, Password string }
	if err := bind(c, &in); err != nil {
		return err
	}
	sess, u, err := s.svc.Registration.SignIn(c.Request().Context(), in.Email, in.Password)
	if err != nil {
		return err
	}
	s.setSession(c, sess)
	return c.JSON(http.StatusOK, toUserJSON(u))
}

func (s accounts) apiLogout(c echo.Context) error {
	if err := s.svc.Registration.SignOut(c.Request().Context(), sessionToken(c)); err != nil {
		return err
	}
	s.clearSession(c)
	return c.NoContent(http.StatusNoContent)
}

func (s accounts) apiMe(c echo.Context) error {
	u, _ := currentUser(c)
	return c.JSON(http.StatusOK, toUserJSON(u))
}

type userJSON struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Role  string `json:"role"`
	// MustChangePassword: signed in with a temporary password, the account can only choose
	// its own (POST /api/v1/me/password) until it does.
	MustChangePassword bool `json:"must_change_password"`
	// Mobile is the account's mobile number, masked ("138****8000"); absent without one.
	Mobile string `json:"mobile,omitempty"`
	// EmailVerified: the owner opened a link mailed to the address.
	EmailVerified bool `json:"email_verified"`
}

func toUserJSON(u contest.User) userJSON {
	return userJSON{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), MustChangePassword: u.MustChangePassword,
		Mobile: u.MobileMasked, EmailVerified: u.EmailVerifiedAt != nil}
}

func (s accounts) pageSignUp(c echo.Context) error {
	return s.render(c, http.StatusOK, "signup", view{Title: "注册", Data: contest.SignUpInput{}})
}

func (s accounts) pageSignUpPost(c echo.Context) error {
	in := contest.SignUpInput{Email: c.FormValue("email"), Password: c.FormValue("password"), Name: c.FormValue("name"),
		Mobile: c.FormValue("mobile")}
	sess, _, err := s.svc.Registration.SignUp(c.Request().Context(), in)
	if err != nil {
		return s.formError(c, "signup", "注册", err, in)
	}
	s.setSession(c, sess)
	flash(c, "signedup")
	return seeOther(c, "/submissions/new")
}

type loginForm struct{ Email, Next string }

func (s accounts) pageLogin(c echo.Context) error {
	return s.render(c, http.StatusOK, "login", view{Title: "登录", Data: loginForm{Next: safeNext(c.QueryParam("next"))}})
}

func (s accounts) pageLoginPost(c echo.Context) error {
	form := loginForm{Email: c.FormValue("email"), Next: safeNext(c.FormValue("next"))}
	sess, u, err := s.svc.Registration.SignIn(c.Request().Context(), form.Email, c.FormValue("password"))
	if err != nil {
		return s.formError(c, "login", "登录", err, form)
	}
	s.setSession(c, sess)
	if form.Next == "" {
		return seeOther(c, homeOf(u))
	}
	return c.Redirect(http.StatusSeeOther, form.Next) // a whole path already, prefix and all
}

func (s accounts) pageLogout(c echo.Context) error {
	if err := s.svc.Registration.SignOut(c.Request().Context(), sessionToken(c)); err != nil {
		return err
	}
	s.clearSession(c)
	flash(c, "signedout")
	return seeOther(c, "/")
}

// safeNext keeps a post-login redirect on this site: a path starting with one slash, no scheme,
// no host, and no control characters (browsers drop tabs and newlines, so "/\t/evil" would
// become "//evil").
func safeNext(next string) string {
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return ""
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil ||
		!strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return ""
	}
	return next
}

func (s accounts) pagePassword(c echo.Context) error {
	return s.render(c, http.StatusOK, "password", view{Title: "修改密码"})
}

func (s accounts) pagePasswordPost(c echo.Context) error {
	u, _ := currentUser(c)
	err := s.svc.Registration.ChangePassword(c.Request().Context(), u, sessionToken(c), c.FormValue("current_password"), c.FormValue("new_password"))
	if err != nil {
		return s.formError(c, "password", "修改密码", err, nil)
	}
	flash(c, "password")
	return seeOther(c, "/")
}

// resetResult is what the organizer sees after a reset: the one-time password to hand over.
type resetResult struct {
	Email    string
	Password string
}

func (s accounts) pageAdminReset(c echo.Context) error {
	return s.render(c, http.StatusOK, "admin_reset", view{Title: "重置参赛者密码", Data: resetResult{}})
}

func (s accounts) pageAdminResetPost(c echo.Context) error {
	u, _ := currentUser(c)
	email := c.FormValue("email")
	password, err := s.svc.Registration.ResetPassword(c.Request().Context(), u, email)
	if err != nil {
		return s.formError(c, "admin_reset", "重置参赛者密码", err, resetResult{Email: email})
	}
	return s.render(c, http.StatusOK, "admin_reset", view{Title: "重置参赛者密码", Data: resetResult{Email: email, Password: password}})
}

func (s accounts) apiChangePassword(c echo.Context) error {
	u, _ := currentUser(c)
	var in struct {
		CurrentPassword string `json:"current_password"`
		NewPassword     string `json:"new_password"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	if err := s.svc.Registration.ChangePassword(c.Request().Context(), u, sessionToken(c), in.CurrentPassword, in.NewPassword); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s accounts) apiResetPassword(c echo.Context) error {
	u, _ := currentUser(c)
	var in struct {
		Email string `json:"email"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	password, err := s.svc.Registration.ResetPassword(c.Request().Context(), u, in.Email)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"email": in.Email, "password": password})
}
