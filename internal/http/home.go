package http

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// home handles the home page and each user's own start page.
type home struct{ *Server }

func (s home) routes(r router) {
	r.public.GET("/", s.pageHome)
	r.my.GET("/my", s.pageMy)
}

func (s home) pageHome(c echo.Context) error {
	return s.render(c, http.StatusOK, "home", view{Title: "首页"})
}

func (s home) pageMy(c echo.Context) error {
	u, _ := currentUser(c)
	if u.IsOrganizer() {
		return c.Redirect(http.StatusSeeOther, "/admin/submissions")
	}
	if u.Role == contest.RoleJudge { // a judge's home is the queue at /judge
		return c.Redirect(http.StatusSeeOther, "/judge")
	}
	subs, err := s.svc.Registration.MySubmissions(c.Request().Context(), u)
	if err != nil {
		return err
	}
	results, err := s.svc.Publication.MyResults(c.Request().Context(), u, subs)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "my", view{Title: "我的作品", Data: myPage{Works: subs, Results: results, Published: results != nil}})
}

// homeOf is where an account starts after signing in: an organizer's 作品管理, a judge's queue,
// a contestant's works.
func homeOf(u contest.User) string {
	switch {
	case u.IsOrganizer():
		return "/admin/submissions"
	case u.Role == contest.RoleJudge:
		return "/judge"
	}
	return "/my"
}

// myPage is a contestant's works, with their results once published.
type myPage struct {
	Works     []contest.Submission
	Results   map[string]contest.MyResult
	Published bool
}
