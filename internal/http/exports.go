package http

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// exports handles exports, background packages and statistics.
type exports struct{ *Server }

func (s exports) routes(r router) {
	r.admin.GET("/exports", s.pageExports)
	r.admin.GET("/exports/sheets/:name", s.downloadSheets)
	r.admin.POST("/exports/registrations-full", s.downloadFullRegistrations)
	r.admin.GET("/exports/packages/:id/download", s.downloadExport)
	r.admin.GET("/statistics", s.pageStatistics)
	r.org.POST("/exports", s.apiStartExport)
	r.org.GET("/exports/:id", s.apiExport)
	r.org.GET("/statistics", s.apiStatistics)
}

// exportJSON is a package being built.
type exportJSON struct {
	ID          string     `json:"id"`
	Kind        string     `json:"kind"`
	Status      string     `json:"status"`
	Done        int        `json:"done"`
	Total       int        `json:"total"`
	Size        int64      `json:"size,omitempty"`
	Error       string     `json:"error,omitempty"`
	DownloadURL string     `json:"download_url,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
}

func toExportJSON(j contest.ExportJob) exportJSON {
	out := exportJSON{ID: j.ID, Kind: j.Kind, Status: j.Status, Done: j.Done, Total: j.Total, Size: j.Size, Error: j.Error,
		CreatedAt: j.CreatedAt, FinishedAt: j.FinishedAt}
	if j.Status == contest.ExportDone {
		out.DownloadURL = "/admin/exports/packages/" + j.ID + "/download"
	}
	return out
}

func (s exports) apiStartExport(c echo.Context) error {
	var in struct {
		Kind string `json:"kind"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	u, _ := currentUser(c)
	j, err := s.svc.Reports.StartExport(c.Request().Context(), u, in.Kind)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, toExportJSON(j))
}

func (s exports) apiExport(c echo.Context) error {
	u, _ := currentUser(c)
	j, err := s.svc.Reports.Export(c.Request().Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toExportJSON(j))
}

func (s exports) apiStatistics(c echo.Context) error {
	u, _ := currentUser(c)
	st, err := s.svc.Reports.Statistics(c.Request().Context(), u)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toStatisticsJSON(st))
}

// statisticsJSON are the figures of the organizers' report.
type statisticsJSON struct {
	Drafts     int           `json:"drafts"`
	Works      int           `json:"works"`
	Accepted   int           `json:"accepted"`
	Awards     [3]int        `json:"awards"` // 一/二/三等奖
	ByEmployer []statRowJSON `json:"by_employer"`
	ByCity     []statRowJSON `json:"by_city"`
	PerDay     []statDayJSON `json:"per_day"`
}

// statRowJSON counts the works of one employer or city.
type statRowJSON struct {
	Name     string `json:"name"`
	Works    int    `json:"works"`
	Accepted int    `json:"accepted"`
	Awards   [3]int `json:"awards"`
}

// statDayJSON counts the works started and submitted on one day.
type statDayJSON struct {
	Date      string `json:"date"`
	Created   int    `json:"created"`
	Submitted int    `json:"submitted"`
}

func toStatisticsJSON(st contest.Statistics) statisticsJSON {
	rows := func(rs []contest.StatRow) []statRowJSON {
		out := make([]statRowJSON, len(rs))
		for i, r := range rs {
			out[i] = statRowJSON{Name: r.Name, Works: r.Works, Accepted: r.Accepted, Awards: r.Awards}
		}
		return out
	}
	days := make([]statDayJSON, len(st.PerDay))
	for i, d := range st.PerDay {
		days[i] = statDayJSON{Date: d.Date, Created: d.Created, Submitted: d.Submitted}
	}
	return statisticsJSON{Drafts: st.Drafts, Works: st.Works, Accepted: st.Accepted, Awards: st.Awards,
		ByEmployer: rows(st.ByEmployer), ByCity: rows(st.ByCity), PerDay: days}
}

// exportTitles name the sheet exports in Chinese, for file names and the page.
var exportTitles = map[string]string{
	contest.SheetRegistrations: "报名登记表",
	contest.SheetScores:        "评分明细",
	contest.SheetResults:       "评审结果",
	contest.SheetStatistics:    "统计",
}

type exportsPage struct {
	Sheets []exportLink
}

type exportLink struct {
	Name, Title string
	Parts       []string // the sheets, each a CSV of its own
}

func (s exports) pageExports(c echo.Context) error {
	d := exportsPage{Sheets: []exportLink{
		{contest.SheetRegistrations, "报名登记表（个人证件号码、手机号已遮盖）", []string{"报名登记表", "参与人员与授权"}},
		{contest.SheetScores, "评分明细（每位评委、每项标准）与评审统计（一致性、评奖稳定性）", []string{"评分明细", contest.StatisticsSheetName}},
		{contest.SheetResults, "评审结果（名次、得分、奖项、推荐）与异议处理", []string{"评审结果", "异议处理"}},
		{contest.SheetStatistics, "统计（按工作单位、城市、日期）", []string{"按工作单位统计", "按城市统计", "每日提交"}},
	}}
	return s.render(c, http.StatusOK, "admin_exports", view{Title: "数据导出", Data: d})
}

// downloadSheets sends an export as .xlsx, or one of its sheets as CSV (?format=csv&sheet=N).
func (s exports) downloadSheets(c echo.Context) error {
	return s.sendSheets(c, c.Param("name"), false)
}

// downloadFullRegistrations sends the registrations with personal numbers in the clear. It is
// a POST from a form the organizer confirms, and the service records it in the audit log.
func (s exports) downloadFullRegistrations(c echo.Context) error {
	if c.FormValue("confirm") != "1" {
		return (contest.Fields{"confirm": {Code: "confirm_required", Message: "导出完整个人信息须勾选确认"}}).Err()
	}
	return s.sendSheets(c, contest.SheetRegistrations, true)
}

func (s exports) sendSheets(c echo.Context, name string, full bool) error {
	u, _ := currentUser(c)
	sheets, err := s.svc.Reports.Sheets(c.Request().Context(), u, name, full)
	if err != nil {
		return err
	}
	base := exportTitles[name]
	if full {
		base += "（完整）"
	}
	base += "-" + s.svc.Now().In(beijing).Format("20060102")
	var buf bytes.Buffer
	if c.FormValue("format") == "csv" {
		i, _ := strconv.Atoi(c.FormValue("sheet"))
		if i < 0 || i >= len(sheets) {
			return contest.Errorf(contest.ENotFound, "没有这张表")
		}
		if err := writeCSV(&buf, sheets[i]); err != nil {
			return contest.Internal(err)
		}
		return sendFile(c, base+"-"+sheets[i].Name+".csv", "text/csv; charset=utf-8", int64(buf.Len()), &buf)
	}
	if err := s.svc.Reports.WriteWorkbook(&buf, sheets...); err != nil {
		return err
	}
	return sendFile(c, base+".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", int64(buf.Len()), &buf)
}

// writeCSV writes a sheet as CSV with a UTF-8 BOM (so Excel reads the Chinese right). Text
// that a spreadsheet would run as a formula gets a leading apostrophe.
func writeCSV(w io.Writer, sh contest.Sheet) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	head := make([]string, len(sh.Columns))
	for i, col := range sh.Columns {
		head[i] = col.Title
	}
	cw.Write(head)
	for _, row := range sh.Rows {
		rec := make([]string, len(row))
		for i, v := range row {
			switch v := v.(type) {
			case string:
				if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
					v = "'" + v
				}
				rec[i] = v
			case time.Time:
				rec[i] = v.In(beijing).Format("2006-01-02 15:04:05")
			default:
				rec[i] = fmt.Sprint(v)
			}
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

// statisticsPage is the statistics with the largest counts, for the bars' scale.
type statisticsPage struct {
	contest.Statistics
	MaxEmployer, MaxCity, MaxDay int
}

func (s exports) pageStatistics(c echo.Context) error {
	u, _ := currentUser(c)
	st, err := s.svc.Reports.Statistics(c.Request().Context(), u)
	if err != nil {
		return err
	}
	d := statisticsPage{Statistics: st}
	for _, r := range st.ByEmployer {
		d.MaxEmployer = max(d.MaxEmployer, r.Works)
	}
	for _, r := range st.ByCity {
		d.MaxCity = max(d.MaxCity, r.Works)
	}
	for _, r := range st.PerDay {
		d.MaxDay = max(d.MaxDay, r.Created, r.Submitted)
	}
	return s.render(c, http.StatusOK, "admin_statistics", view{Title: "统计", Wide: true, Data: d})
}

// downloadExport sends a finished package.
func (s exports) downloadExport(c echo.Context) error {
	u, _ := currentUser(c)
	j, rc, err := s.svc.Reports.OpenExport(c.Request().Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	defer rc.Close()
	return sendFile(c, j.FileName(), "application/zip", j.Size, rc)
}
