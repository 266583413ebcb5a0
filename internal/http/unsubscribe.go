package http

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// unsubscribe turns reminders off and on: by the link in every reminder's e-mail, without
// signing in (a page that asks, then a POST — mail scanners follow links, and must not
// unsubscribe anyone; mail programs POST the same address for RFC 8058's one-click), and from
// the account page or the API for the signed-in person.
type unsubscribe struct{ *Server }

func (s unsubscribe) routes(r router) {
	r.public.GET("/unsubscribe/:token", s.pageUnsubscribe)
	r.public.POST("/unsubscribe/:token", s.pageUnsubscribePost)
	r.my.POST("/account/reminders", s.pageReminders)
	r.user.PUT("/me/reminders", s.apiReminders)
}

// unsubscribePath is the route whose POST needs no CSRF token: the link's token is the
// authority, and mail programs POST it without a page.
const unsubscribePath = "/unsubscribe/:token"

// unsubscribeView is the unsubscribe page's data.
type unsubscribeView struct {
	Token string
	Off   bool // reminders are off (already, or now)
	Done  bool // turned off by this request
}

func (s unsubscribe) pageUnsubscribe(c echo.Context) error {
	token := c.Param("token")
	off, err := s.svc.Messages.CheckUnsubscribe(c.Request().Context(), token)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "unsubscribe", view{Title: "退订提醒邮件", Data: unsubscribeView{Token: token, Off: off}})
}

func (s unsubscribe) pageUnsubscribePost(c echo.Context) error {
	token := c.Param("token")
	if err := s.svc.Messages.Unsubscribe(c.Request().Context(), token); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "unsubscribe", view{Title: "退订提醒邮件", Data: unsubscribeView{Token: token, Off: true, Done: true}})
}

func (s unsubscribe) pageReminders(c echo.Context) error {
	u, _ := currentUser(c)
	on := c.FormValue("reminders") == "on"
	if err := s.svc.Messages.SetReminders(c.Request().Context(), u, on); err != nil {
		return err
	}
	flash(c, map[bool]string{true: "remindon", false: "remindoff"}[on])
	return seeOther(c, "/account/password")
}

// remindersJSON is whether the signed-in person gets reminders by e-mail.
type remindersJSON struct {
	Enabled bool `json:"enabled"`
}

func (s unsubscribe) apiReminders(c echo.Context) error {
	var in struct {
		Enabled *bool `json:"enabled"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	if in.Enabled == nil {
		return (contest.Fields{"enabled": {Code: "required", Message: "请说明是否接收提醒邮件"}}).Err()
	}
	u, _ := currentUser(c)
	if err := s.svc.Messages.SetReminders(c.Request().Context(), u, *in.Enabled); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, remindersJSON{Enabled: *in.Enabled})
}
