package http

import (
	"encoding/csv"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// auditLog handles the audit log, as a page, JSON and CSV.
type auditLog struct{ *Server }

func (s auditLog) routes(r router) {
	r.admin.GET("/audit", s.pageAudit)
	r.admin.GET("/audit.csv", s.auditCSV)
	r.org.GET("/audit", s.apiAudit)
}

// auditJSON is one entry of the audit log; before and after are the JSON recorded.
type auditJSON struct {
	At        time.Time `json:"at"`
	ActorID   string    `json:"actor_id"`
	ActorName string    `json:"actor_name"`
	Entity    string    `json:"entity"`
	EntityID  string    `json:"entity_id"`
	Action    string    `json:"action"`
	Before    string    `json:"before"`
	After     string    `json:"after"`
}

func (s auditLog) apiAudit(c echo.Context) error {
	u, _ := currentUser(c)
	limit, _ := strconv.Atoi(c.QueryParam("limit"))
	offset, _ := strconv.Atoi(c.QueryParam("offset"))
	entries, total, err := s.svc.Reports.Audit(c.Request().Context(), u, limit, offset)
	if err != nil {
		return err
	}
	items := make([]auditJSON, len(entries))
	for i, a := range entries {
		items[i] = auditJSON{At: a.At, ActorID: a.ActorID, ActorName: a.ActorName, Entity: a.Entity, EntityID: a.EntityID,
			Action: a.Action, Before: a.Before, After: a.After}
	}
	return c.JSON(http.StatusOK, auditPageJSON{Items: items, Total: total})
}

// auditPageJSON is a page of the audit log and how many entries the log has.
type auditPageJSON struct {
	Items []auditJSON `json:"items"`
	Total int64       `json:"total"`
}

// auditPage is a page of the audit log.
type auditPage struct {
	Entries    []contest.AuditEntry
	Total      int64
	Prev, Next string
}

const auditPageSize = 100

func (s auditLog) pageAudit(c echo.Context) error {
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
func (s auditLog) auditCSV(c echo.Context) error {
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
