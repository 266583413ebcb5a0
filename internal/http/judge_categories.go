package http

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// judgeCategories handles which categories each judge reviews (评委按组别评审).
type judgeCategories struct{ *Server }

func (s judgeCategories) routes(r router) {
	r.admin.POST("/judges/:id/categories", s.pageSetJudgeCategories)
	r.org.PUT("/judges/:id/categories", s.apiSetJudgeCategories)
}

// judgeCategoriesJSON is the categories (keys) a judge reviews; empty: every category.
type judgeCategoriesJSON struct {
	Categories []string `json:"categories"`
}

func (s judgeCategories) apiSetJudgeCategories(c echo.Context) error {
	var in judgeCategoriesJSON
	if err := bind(c, &in); err != nil {
		return err
	}
	u, _ := currentUser(c)
	ct, err := s.svc.Judging.SetJudgeCategories(c.Request().Context(), u, c.Param("id"), in.Categories)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, judgeCategoriesJSON{Categories: nonNil(ct.Judging.JudgeCategories[c.Param("id")])})
}

func (s judgeCategories) pageSetJudgeCategories(c echo.Context) error {
	form, err := formParams(c)
	if err != nil {
		return err
	}
	u, _ := currentUser(c)
	if _, err := s.svc.Judging.SetJudgeCategories(c.Request().Context(), u, c.Param("id"), form["category"]); err != nil {
		return err
	}
	return seeOther(c, "/admin/judges")
}
