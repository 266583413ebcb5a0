package http

import (
	"bytes"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// resultsPage is the public results page: the list in 公示 with the objection form, or the
// final results, in the style of an official announcement.
type resultsPage struct {
	contest.PublicResults
	Input contest.ObjectionInput
	Filed bool
}

func (s *Server) pageResults(c echo.Context) error {
	r, err := s.svc.Publication.PublicResults(c.Request().Context())
	if err != nil {
		return err
	}
	return s.showResults(c, http.StatusOK, resultsPage{PublicResults: r, Filed: c.QueryParam("filed") != ""}, nil)
}

func (s *Server) showResults(c echo.Context, status int, d resultsPage, err error) error {
	title := "评选结果"
	if d.Stage == contest.StagePublicity || d.Stage == contest.StageReady {
		title = "拟获奖作品公示"
	}
	v := view{Title: title, Data: d, Contest: d.Contest}
	if err != nil {
		v.ErrorMsg, v.Errors = contest.ErrorMessage(err), contest.ErrorFields(err)
	}
	return s.render(c, status, "results", v)
}

func objectionInput(c echo.Context) contest.ObjectionInput {
	return contest.ObjectionInput{WorkID: c.FormValue("work_id"), Name: c.FormValue("name"),
		Contact: c.FormValue("contact"), Reason: c.FormValue("reason")}
}

func (s *Server) pageFileObjection(c echo.Context) error {
	in := objectionInput(c)
	if _, err := s.svc.Publication.FileObjection(c.Request().Context(), in); err != nil {
		r, rerr := s.svc.Publication.PublicResults(c.Request().Context())
		if rerr != nil {
			return rerr
		}
		status := http.StatusUnprocessableEntity
		switch contest.ErrorCode(err) {
		case contest.EInvalid:
		case contest.EConflict: // the 公示 ended while they typed, or a repeat: keep what they wrote
			status = http.StatusConflict
		default:
			return err
		}
		return s.showResults(c, status, resultsPage{PublicResults: r, Input: in}, err)
	}
	return c.Redirect(http.StatusSeeOther, "/results?filed=1#objection")
}

func (s *Server) pageVerify(c echo.Context) error {
	serial := c.Param("serial")
	if serial == "" {
		serial = c.QueryParam("serial")
	}
	v, err := s.svc.Publication.VerifyCertificate(c.Request().Context(), serial)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if serial != "" && !v.Found {
		status = http.StatusNotFound
	}
	return s.render(c, status, "verify", view{Title: "证书验证", Data: verifyPage{Verification: v, Serial: serial}})
}

type verifyPage struct {
	contest.Verification
	Serial string
}

func (s *Server) pageShowcase(c echo.Context) error {
	items, err := s.svc.Publication.Showcase(c.Request().Context())
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "showcase", view{Title: "优秀作品展播", Wide: true, Data: items})
}

func (s *Server) showcaseVideo(c echo.Context) error {
	v, err := s.svc.Publication.ShowcaseVideo(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.Request().URL.RawQuery = "inline=1" // always played in the page
	return s.serveVideo(c, v)
}

func (s *Server) showcasePoster(c echo.Context) error {
	return sendPoster(c)(s.svc.Publication.ShowcasePoster(c.Request().Context(), c.Param("id")))
}

// downloadCertificate sends one certificate as PDF to its work's owner or an organizer.
func (s *Server) downloadCertificate(c echo.Context) error {
	u, _ := currentUser(c)
	var buf bytes.Buffer
	cert, err := s.svc.Publication.WriteCertificate(c.Request().Context(), u, c.Param("serial"), &buf)
	if err != nil {
		return err
	}
	return sendFile(c, "获奖证书-"+cert.Serial+".pdf", "application/pdf", int64(buf.Len()), &buf)
}
