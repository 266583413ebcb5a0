package http

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

func (s *Server) pageHome(c echo.Context) error {
	return s.render(c, http.StatusOK, "home", view{Title: "首页"})
}

func (s *Server) pageSignUp(c echo.Context) error {
	return s.render(c, http.StatusOK, "signup", view{Title: "注册", Data: contest.SignUpInput{}})
}

func (s *Server) pageSignUpPost(c echo.Context) error {
	in := contest.SignUpInput{Email: c.FormValue("email"), Password: c.FormValue("password"), Name: c.FormValue("name")}
	ctx := c.Request().Context()
	if _, err := s.svc.Registration.SignUp(ctx, in); err != nil {
		return s.formError(c, "signup", "注册", err, in)
	}
	sess, _, err := s.svc.Registration.SignIn(ctx, in.Email, in.Password)
	if err != nil {
		return err
	}
	s.setSession(c, sess)
	flash(c, "signedup")
	return c.Redirect(http.StatusSeeOther, "/submissions/new")
}

type loginForm struct{ Email, Next string }

func (s *Server) pageLogin(c echo.Context) error {
	return s.render(c, http.StatusOK, "login", view{Title: "登录", Data: loginForm{Next: safeNext(c.QueryParam("next"))}})
}

func (s *Server) pageLoginPost(c echo.Context) error {
	form := loginForm{Email: c.FormValue("email"), Next: safeNext(c.FormValue("next"))}
	sess, u, err := s.svc.Registration.SignIn(c.Request().Context(), form.Email, c.FormValue("password"))
	if err != nil {
		return s.formError(c, "login", "登录", err, form)
	}
	s.setSession(c, sess)
	next := form.Next
	if next == "" {
		next = "/my"
		if u.IsOrganizer() {
			next = "/admin/submissions"
		}
	}
	return c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) pageLogout(c echo.Context) error {
	if err := s.svc.Registration.SignOut(c.Request().Context(), sessionToken(c)); err != nil {
		return err
	}
	s.clearSession(c)
	flash(c, "signedout")
	return c.Redirect(http.StatusSeeOther, "/")
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

// formError shows a form again with its errors: invalid input as inline messages with status
// 422, other refusals (deadline, wrong password) as a message at the top with their status.
func (s *Server) formError(c echo.Context, page, title string, err error, data any) error {
	code := contest.ErrorCode(err)
	if code == contest.EInternal {
		return err
	}
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusBadRequest
	}
	v := view{Title: title, Data: data, Errors: contest.ErrorFields(err)}
	if len(v.Errors) == 0 || code != contest.EInvalid {
		v.ErrorMsg = contest.ErrorMessage(err)
	} else {
		v.ErrorMsg = "填写内容有误，请按提示修改"
	}
	return s.render(c, status, page, v)
}
