package http

import (
	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/demo"
)

// demoClock is the demo's clock on the settings page (`contest demo` only): without
// Options.Demo it registers nothing, so production has no such route.
type demoClock struct{ *Server }

// demoView is what the pages show in demo mode: the banner and, on the settings page, the
// stage and the jumps.
type demoView struct {
	Stage string
	Steps []demo.Step
}

func (s demoClock) routes(r router) {
	if s.opts.Demo == nil {
		return
	}
	r.admin.POST("/demo/clock", s.pageAdvance)
}

// pageAdvance moves the demo's clock to the step asked (form field "step") and returns to the
// settings page.
func (s demoClock) pageAdvance(c echo.Context) error {
	u, _ := currentUser(c)
	if err := s.opts.Demo.Advance(c.Request().Context(), u, c.FormValue("step")); err != nil {
		return err
	}
	flash(c, "democlock")
	return seeOther(c, "/admin/contest#demo-clock")
}
