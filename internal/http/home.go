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

// homePage lists the contests, open ones first, then past results (the site's home, /); a
// contest's own home (/c/{slug}/) shows that contest only.
type homePage struct {
	Contests []contest.Contest
	One      bool // the page of one contest, named by its URL
}

func (s home) pageHome(c echo.Context) error {
	if base(c) != "" {
		return s.render(c, http.StatusOK, "home", view{Title: "首页", Data: homePage{One: true}})
	}
	all, err := s.svc.Contests.Contests(c.Request().Context())
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "home", view{Title: "首页", Data: homePage{Contests: contest.ListOrder(all, s.svc.Now())}})
}

func (s home) pageMy(c echo.Context) error {
	u, _ := currentUser(c)
	if u.IsOrganizer() {
		return seeOther(c, "/admin/submissions")
	}
	if u.Role == contest.RoleOrganizer { // a contest's organizer, outside it: to the one they run
		mine, err := s.svc.Contests.MemberContests(c.Request().Context(), u.ID)
		if err != nil {
			return err
		}
		if len(mine) == 0 {
			return contest.Errorf(contest.EForbidden, "您的组织者账号尚未加入任何活动，请联系站点管理员")
		}
		return c.Redirect(http.StatusSeeOther, mine[0].Path()+"/admin/submissions")
	}
	if u.Role == contest.RoleJudge { // a judge's home is the queue at /judge
		return seeOther(c, "/judge")
	}
	subs, err := s.svc.Registration.AllMySubmissions(c.Request().Context(), u)
	if err != nil {
		return err
	}
	groups, err := s.svc.Publication.MyContests(c.Request().Context(), u, subs)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "my", view{Title: "我的作品", Data: myPage{Groups: groups}})
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

// myPage is a contestant's works by contest, with their results once published.
type myPage struct {
	Groups []contest.MyContest
}
