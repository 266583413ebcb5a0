package http

import (
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

const sessionCookie = "contest_session"

// userKey is where loadUser puts the signed-in user.
const userKey = "user"

// currentUser returns the signed-in user and whether there is one.
func currentUser(c echo.Context) (contest.User, bool) {
	u, ok := c.Get(userKey).(contest.User)
	return u, ok
}

// requireOrganizer refuses everyone but organizers.
func requireOrganizer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if u, _ := currentUser(c); !u.IsOrganizer() {
			return contest.Errorf(contest.EForbidden, "只有组织者可以访问")
		}
		return next(c)
	}
}

func sessionToken(c echo.Context) string {
	if ck, err := c.Cookie(sessionCookie); err == nil {
		return ck.Value
	}
	return ""
}

// loadUser resolves the session cookie, if any, to a user.
func (s *Server) loadUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
			u, err := s.svc.Registration.Authenticate(c.Request().Context(), ck.Value)
			switch contest.ErrorCode(err) {
			case "":
				if u, err = s.scopeUser(c, u); err != nil {
					return err
				}
				c.Set(userKey, u)
			case contest.EUnauthorized:
				s.clearSession(c)
			default:
				return err
			}
		}
		return next(c)
	}
}

// requireAPIUser answers 401 to anonymous API calls.
func (s *Server) requireAPIUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u, ok := currentUser(c)
		if !ok {
			return contest.Errorf(contest.EUnauthorized, "请先登录")
		}
		if u.MustChangePassword && !choosingPassword[c.Path()] {
			return contest.ErrPasswordChangeRequired
		}
		return next(c)
	}
}

// choosingPassword are the routes an account signed in with a temporary password may use:
// who it is, and choosing its own password (signing out needs no sign-in).
var choosingPassword = map[string]bool{"/api/v1/me": true, "/api/v1/me/password": true, "/account/password": true}

// requirePageUser sends anonymous visitors to the sign-in page and back afterwards.
func (s *Server) requirePageUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u, ok := currentUser(c)
		if !ok {
			return seeOther(c, "/login?next="+url.QueryEscape(base(c)+c.Request().URL.Path))
		}
		if u.MustChangePassword && !choosingPassword[c.Path()] {
			return seeOther(c, "/account/password")
		}
		return next(c)
	}
}

func (s *Server) setSession(c echo.Context, sess contest.Session) {
	c.SetCookie(&http.Cookie{
		// Max-Age, not Expires: the browser's clock may be wrong; the server checks expiry itself.
		Name: sessionCookie, Value: sess.Token, Path: "/", MaxAge: int(sess.ExpiresAt.Sub(sess.CreatedAt).Seconds()),
		HttpOnly: true, Secure: s.opts.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSession(c echo.Context) {
	c.SetCookie(&http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", Expires: time.Unix(0, 0), MaxAge: -1,
		HttpOnly: true, Secure: s.opts.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
}
