package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// messages is the message centre (站内消息): each signed-in person's notifications.
type messages struct{ *Server }

func (s messages) routes(r router) {
	r.my.GET("/messages", s.pageMessages)
	r.my.POST("/messages/read", s.pageMarkRead)
	r.user.GET("/me/notifications", s.apiList)
	r.user.POST("/me/notifications/read", s.apiMarkRead)
	r.admin.GET("/notifications", s.pageDeliveries)
}

// pageDeliveries shows organizers the newest e-mail deliveries: when, what, to whom (masked),
// where each stands and why it failed.
func (s messages) pageDeliveries(c echo.Context) error {
	u, _ := currentUser(c)
	list, err := s.svc.Messages.Deliveries(c.Request().Context(), u)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "admin_notifications", view{Title: "通知发送", Wide: true, Data: list})
}

// notificationJSON is one message.
type notificationJSON struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"`
	Subject   string     `json:"subject"`
	Body      string     `json:"body"`
	Link      string     `json:"link"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

// notificationPageJSON is a page of messages with the totals.
type notificationPageJSON struct {
	Items  []notificationJSON `json:"items"`
	Total  int64              `json:"total"`
	Unread int64              `json:"unread"`
}

func pageNumber(c echo.Context) int {
	n, _ := strconv.Atoi(c.QueryParam("page"))
	return max(n, 1)
}

func (s messages) apiList(c echo.Context) error {
	u, _ := currentUser(c)
	p, err := s.svc.Messages.Messages(c.Request().Context(), u, pageNumber(c))
	if err != nil {
		return err
	}
	out := notificationPageJSON{Items: make([]notificationJSON, len(p.Items)), Total: p.Total, Unread: p.Unread}
	for i, n := range p.Items {
		out.Items[i] = notificationJSON{ID: n.ID, Kind: string(n.Kind), Subject: n.Subject, Body: n.Body, Link: n.Link,
			CreatedAt: n.CreatedAt, ReadAt: n.ReadAt}
	}
	return c.JSON(http.StatusOK, out)
}

func (s messages) apiMarkRead(c echo.Context) error {
	var in struct {
		IDs []string `json:"ids"`
		All bool     `json:"all"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	if _, err := s.svc.Messages.MarkRead(ctx, u, in.IDs, in.All); err != nil {
		return err
	}
	unread, err := s.svc.Messages.Unread(ctx, u)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int64{"unread": unread})
}

// messagesPage is a page of the message centre.
type messagesPage struct {
	contest.NotificationPage
	Prev, Next string
}

func (s messages) pageMessages(c echo.Context) error {
	u, _ := currentUser(c)
	n := pageNumber(c)
	p, err := s.svc.Messages.Messages(c.Request().Context(), u, n)
	if err != nil {
		return err
	}
	d := messagesPage{NotificationPage: p}
	if n > 1 {
		d.Prev = "page=" + strconv.Itoa(n-1)
	}
	if int64(n*contest.MessagePageSize) < p.Total {
		d.Next = "page=" + strconv.Itoa(n+1)
	}
	return s.render(c, http.StatusOK, "messages", view{Title: "消息", Data: d})
}

// pageMarkRead marks one message (id) or all (all=1) read and goes back to the list.
func (s messages) pageMarkRead(c echo.Context) error {
	u, _ := currentUser(c)
	var ids []string
	if id := c.FormValue("id"); id != "" {
		ids = []string{id}
	}
	if _, err := s.svc.Messages.MarkRead(c.Request().Context(), u, ids, c.FormValue("all") == "1"); err != nil {
		return err
	}
	back := "/messages"
	if p := pageNumber(c); p > 1 {
		back += "?page=" + strconv.Itoa(p)
	}
	return seeOther(c, back)
}
