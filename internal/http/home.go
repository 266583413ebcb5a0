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
	if u.Role == contest.RoleJudge {
		return reviews{s.Server}.pageJudgeQueue(c)
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

// myPage is a contestant's works, with their results once published.
type myPage struct {
	Works     []contest.Submission
	Results   map[string]contest.MyResult
	Published bool
}
