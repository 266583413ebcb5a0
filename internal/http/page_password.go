package http

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

func (s *Server) pagePassword(c echo.Context) error {
	return s.render(c, http.StatusOK, "password", view{Title: "修改密码"})
}

func (s *Server) pagePasswordPost(c echo.Context) error {
	u, _ := currentUser(c)
	err := s.svc.Registration.ChangePassword(c.Request().Context(), u, sessionToken(c), c.FormValue("current_password"), c.FormValue("new_password"))
	if err != nil {
		return s.formError(c, "password", "修改密码", err, nil)
	}
	flash(c, "password")
	return c.Redirect(http.StatusSeeOther, "/")
}

// resetResult is what the organizer sees after a reset: the one-time password to hand over.
type resetResult struct {
	Email    string
	Password string
}

func (s *Server) pageAdminReset(c echo.Context) error {
	return s.render(c, http.StatusOK, "admin_reset", view{Title: "重置参赛者密码", Data: resetResult{}})
}

func (s *Server) pageAdminResetPost(c echo.Context) error {
	u, _ := currentUser(c)
	email := c.FormValue("email")
	password, err := s.svc.Registration.ResetPassword(c.Request().Context(), u, email)
	if err != nil {
		return s.formError(c, "admin_reset", "重置参赛者密码", err, resetResult{Email: email})
	}
	return s.render(c, http.StatusOK, "admin_reset", view{Title: "重置参赛者密码", Data: resetResult{Email: email, Password: password}})
}

func (s *Server) apiChangePassword(c echo.Context) error {
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

func (s *Server) apiResetPassword(c echo.Context) error {
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
