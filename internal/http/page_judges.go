package http

import (
	"encoding/csv"
	"mime"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// judgesPage is the organizer's list of judges, with the invitation form and, right after an
// invitation, the one-time password to hand over.
type judgesPage struct {
	Judges   []contest.User
	Progress map[string]contest.JudgeProgress
	Input    contest.JudgeInput
	Invited  *contest.User
	Password string
}

func (s *Server) judgesView(c echo.Context, d judgesPage) (view, error) {
	u, _ := currentUser(c)
	judges, err := s.svc.Judging.Judges(c.Request().Context(), u)
	if err != nil {
		return view{}, err
	}
	d.Judges = judges
	d.Progress, err = s.svc.Judging.Progress(c.Request().Context(), u)
	return view{Title: "评委管理", Wide: true, Data: d}, err
}

func (s *Server) pageJudges(c echo.Context) error {
	v, err := s.judgesView(c, judgesPage{})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "admin_judges", v)
}

func (s *Server) pageInviteJudge(c echo.Context) error {
	u, _ := currentUser(c)
	in := contest.JudgeInput{Email: c.FormValue("email"), Name: c.FormValue("name"), Employer: c.FormValue("employer")}
	j, password, err := s.svc.Judging.InviteJudge(c.Request().Context(), u, in)
	if err != nil {
		v, lerr := s.judgesView(c, judgesPage{Input: in})
		if lerr != nil {
			return lerr
		}
		return s.formError(c, "admin_judges", v.Title, err, v.Data)
	}
	v, err := s.judgesView(c, judgesPage{Invited: &j, Password: password})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "admin_judges", v)
}

func (s *Server) pageSetJudgeActive(active bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		u, _ := currentUser(c)
		if _, err := s.svc.Judging.SetJudgeDisabled(c.Request().Context(), u, c.Param("id"), !active); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/admin/judges")
	}
}

// pageFormalReview is the formal review form on the organizer's view of a work.
func (s *Server) pageFormalReview(c echo.Context) error {
	u, _ := currentUser(c)
	_, err := s.svc.Judging.DecideFormal(c.Request().Context(), u, c.Param("id"),
		contest.FormalDecision(c.FormValue("decision")), c.FormValue("reason"))
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/submissions/"+c.Param("id")+"#formal")
}

// auditPage is a page of the audit log.
type auditPage struct {
	Entries    []contest.AuditEntry
	Total      int64
	Prev, Next string
}

const auditPageSize = 100

func (s *Server) pageAudit(c echo.Context) error {
	u, _ := currentUser(c)
	n, _ := strconv.Atoi(c.QueryParam("page"))
	n = max(n, 1)
	entries, total, err := s.svc.Reports.Audit(c.Request().Context(), u, auditPageSize, (n-1)*auditPageSize)
	if err != nil {
		return err
	}
	d := auditPage{Entries: entries, Total: total}
	if n > 1 {
		d.Prev = "page=" + strconv.Itoa(n-1)
	}
	if int64(n*auditPageSize) < total {
		d.Next = "page=" + strconv.Itoa(n+1)
	}
	return s.render(c, http.StatusOK, "admin_audit", view{Title: "审计日志", Wide: true, Data: d})
}

// auditCSV exports the whole audit log as CSV (UTF-8 with a byte-order mark, so Excel shows the
// Chinese), newest first.
func (s *Server) auditCSV(c echo.Context) error {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	h := c.Response().Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "审计日志.csv"}))
	first := true
	var w *csv.Writer
	for offset := 0; ; offset += 500 {
		entries, _, err := s.svc.Reports.Audit(ctx, u, 500, offset)
		if err != nil {
			if first {
				return err
			}
			return nil // the header is sent; the cut is visible as a short file
		}
		if first {
			c.Response().WriteHeader(http.StatusOK)
			c.Response().Write([]byte("\ufeff"))
			w = csv.NewWriter(c.Response())
			w.Write([]string{"时间（北京时间）", "操作人", "操作人ID", "对象", "对象ID", "操作", "变更前", "变更后"})
			first = false
		}
		for _, a := range entries {
			w.Write([]string{contest.FormatTime(a.At, beijing), a.ActorName, a.ActorID, a.Entity, a.EntityID, a.Action, a.Before, a.After})
		}
		w.Flush()
		if len(entries) < 500 {
			return w.Error()
		}
	}
}
