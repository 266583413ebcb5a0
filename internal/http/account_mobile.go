package http

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// accountMobile is the account's mobile number (手机号码), where the important notifications
// also go by SMS: set, changed or removed by the account itself, shown only masked.
type accountMobile struct{ *Server }

func (s accountMobile) routes(r router) {
	r.my.GET("/account/mobile", s.page)
	r.my.POST("/account/mobile", s.pagePost)
	r.user.PUT("/me/mobile", s.api)
}

// mobileForm is the page's data: the number as saved (masked), and what was typed on an error.
type mobileForm struct {
	Masked string
	Mobile string
}

func (s accountMobile) page(c echo.Context) error {
	u, _ := currentUser(c)
	return s.render(c, http.StatusOK, "account_mobile", view{Title: "手机号码", Data: mobileForm{Masked: u.MobileMasked}})
}

func (s accountMobile) pagePost(c echo.Context) error {
	u, _ := currentUser(c)
	raw := c.FormValue("mobile")
	if c.FormValue("remove") != "" {
		raw = ""
	}
	if _, err := s.svc.Registration.SetMobile(c.Request().Context(), u, raw); err != nil {
		return s.formError(c, "account_mobile", "手机号码", err, mobileForm{Masked: u.MobileMasked, Mobile: raw})
	}
	flash(c, "mobile")
	return seeOther(c, "/account/mobile")
}

func (s accountMobile) api(c echo.Context) error {
	u, _ := currentUser(c)
	var in struct {
		Mobile string `json:"mobile"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	u, err := s.svc.Registration.SetMobile(c.Request().Context(), u, in.Mobile)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toUserJSON(u))
}
