package http

import (
	"encoding/csv"
	"html/template"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
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
	f, _ := auditFilterFrom(c) // the page's filters: actor, entity, q, from, to
	f.EntityID = c.QueryParam("entity_id")
	f.Limit, _ = strconv.Atoi(c.QueryParam("limit"))
	f.Offset, _ = strconv.Atoi(c.QueryParam("offset"))
	entries, total, err := s.svc.Reports.Audit(c.Request().Context(), u, f)
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

// auditPage is a page of the audit log: the entries with their names and changes, the
// filters, and the choices the filter form offers.
type auditPage struct {
	Rows       []auditEntryView
	Total      int64
	Prev, Next template.URL
	Query      template.URL // the filters (encoded by url.Values), for the CSV link
	Filtered   bool
	Actor      string
	Entity     string
	Subject    string
	From, To   string // YYYY-MM-DD, Beijing days, both included
	Actors     []contest.User
	Entities   []auditOption
}

// auditEntryView is one row of the page.
type auditEntryView struct {
	contest.AuditEntry
	Subject string
	Changes []auditChange
}

// auditOption is a choice of the entity filter.
type auditOption struct{ Code, Label string }

const auditPageSize = 100

// auditFilterFrom reads the page's filters from the query string. Dates are whole days in
// Beijing time; the "to" day is included.
func auditFilterFrom(c echo.Context) (contest.AuditFilter, auditPage) {
	q := c.QueryParams()
	d := auditPage{Actor: q.Get("actor"), Entity: q.Get("entity"), Subject: strings.TrimSpace(q.Get("q")),
		From: q.Get("from"), To: q.Get("to")}
	f := contest.AuditFilter{ActorID: d.Actor, Entity: d.Entity, Subject: d.Subject}
	if t, err := time.ParseInLocation("2006-01-02", d.From, beijing); err == nil {
		f.From = t
	} else {
		d.From = ""
	}
	if t, err := time.ParseInLocation("2006-01-02", d.To, beijing); err == nil {
		f.To = t.AddDate(0, 0, 1)
	} else {
		d.To = ""
	}
	v := url.Values{}
	for k, val := range map[string]string{"actor": d.Actor, "entity": d.Entity, "q": d.Subject, "from": d.From, "to": d.To} {
		if val != "" {
			v.Set(k, val)
		}
	}
	d.Query, d.Filtered = template.URL(v.Encode()), len(v) > 0
	return f, d
}

func (s auditLog) pageAudit(c echo.Context) error {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	n, _ := strconv.Atoi(c.QueryParam("page"))
	n = max(n, 1)
	f, d := auditFilterFrom(c)
	f.Limit, f.Offset = auditPageSize, (n-1)*auditPageSize
	entries, total, err := s.svc.Reports.Audit(ctx, u, f)
	if err != nil {
		return err
	}
	names, err := s.svc.Reports.AuditNames(ctx, u, entries)
	if err != nil {
		return err
	}
	if d.Actors, err = s.svc.Reports.AuditActors(ctx, u); err != nil {
		return err
	}
	d.Total = total
	for _, a := range entries {
		d.Rows = append(d.Rows, auditEntryView{AuditEntry: a, Subject: auditSubject(a, names),
			Changes: auditDiff(a.Entity, a.Before, a.After, names)})
	}
	for code, label := range entityLabels {
		d.Entities = append(d.Entities, auditOption{code, label})
	}
	slices.SortFunc(d.Entities, func(a, b auditOption) int { return strings.Compare(a.Code, b.Code) })
	page := func(p int) template.URL {
		if d.Query == "" {
			return template.URL("page=" + strconv.Itoa(p))
		}
		return d.Query + template.URL("&page="+strconv.Itoa(p))
	}
	if n > 1 {
		d.Prev = page(n - 1)
	}
	if int64(n*auditPageSize) < total {
		d.Next = page(n + 1)
	}
	return s.render(c, http.StatusOK, "admin_audit", view{Title: "审计日志", Wide: true, Data: d})
}

// auditCSV exports the audit log (with the page's filters, if any) as CSV, with the codes and
// JSON as recorded (UTF-8 with a byte-order mark, so Excel shows the Chinese), newest first.
func (s auditLog) auditCSV(c echo.Context) error {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	h := c.Response().Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "审计日志.csv"}))
	first := true
	var w *csv.Writer
	f, _ := auditFilterFrom(c)
	for offset := 0; ; offset += 500 {
		f.Limit, f.Offset = 500, offset
		entries, _, err := s.svc.Reports.Audit(ctx, u, f)
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
