package contest

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Sheet is a table for export: a sheet of a workbook, or a CSV file. Cells are strings,
// numbers or times.
type Sheet struct {
	Name    string // at most 31 characters (Excel's limit)
	Columns []Column
	Rows    [][]any
}

// Column is a column's header and width (in characters).
type Column struct {
	Title string
	Width float64
}

// Export sheets.
const (
	SheetRegistrations = "registrations"
	SheetScores        = "scores"
	SheetResults       = "results"
	SheetStatistics    = "statistics"
)

// Sheets returns the named export as sheets, and records the download in the audit log.
// Registrations carry personal numbers, names and contact data masked unless full is set (a
// full export has its own audit entry). Organizers only.
func (s *ReportService) Sheets(ctx context.Context, actor User, name string, full bool) ([]Sheet, error) {
	if err := requireOrganizer(actor); err != nil {
		return nil, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return nil, err
	}
	if !slices.Contains([]string{SheetRegistrations, SheetScores, SheetResults, SheetStatistics}, name) {
		return nil, Errorf(ENotFound, "没有这种导出")
	}
	if !full { // the full export has its own entry, written before anything is read
		if err := s.audit(ctx, actor, "export", c.ID, "download", nil, map[string]any{"sheet": name}); err != nil {
			return nil, err
		}
	}
	switch name {
	case SheetRegistrations:
		return s.registrationSheets(ctx, actor, c, full)
	case SheetScores:
		return s.scoreSheets(ctx, c)
	case SheetResults:
		sh, err := s.resultSheet(ctx, c)
		if err != nil {
			return nil, err
		}
		objections, err := s.objectionSheet(ctx, c)
		return []Sheet{sh, objections}, err
	case SheetStatistics:
		st, err := s.Statistics(ctx, actor)
		return st.Sheets(), err
	}
	return nil, Errorf(ENotFound, "没有这种导出")
}

// byCategory puts a 组别 column first in a sheet of the awards, one row per award in order:
// the rows come by category already, each ranked within its own.
func byCategory(sh *Sheet, awards []AwardRow, groups []RankingGroup) {
	sh.Columns = append([]Column{{"组别", 12}}, sh.Columns...)
	for i, a := range awards {
		sh.Rows[i] = append([]any{groupName(groups, a.Category)}, sh.Rows[i]...)
	}
}

func timeCell(t *time.Time) any {
	if t == nil {
		return ""
	}
	return t.In(Beijing).Format("2006-01-02 15:04:05")
}

func (s *ReportService) registrationSheets(ctx context.Context, actor User, c Contest, full bool) ([]Sheet, error) {
	if at := c.Publication.PurgedAt; full && at != nil {
		return nil, Errorf(EConflict, "个人信息已于%s按保存期限清除，不能再完整导出；脱敏导出仍可使用", at.In(Beijing).Format("2006年1月2日"))
	}
	page, err := s.submissions.ListSubmissions(ctx, SubmissionFilter{ContestID: c.ID})
	if err != nil {
		return nil, err
	}
	works := page.Items
	if full {
		// Personal numbers in the clear: each work is read whole, and the export is audited
		// before anything is returned.
		for i, w := range works {
			if works[i], err = s.submissions.SubmissionByID(ctx, w.ID); err != nil {
				return nil, err
			}
		}
		if err := s.audit(ctx, actor, "export", c.ID, "registrations_full", nil, map[string]any{"works": len(works)}); err != nil {
			return nil, err
		}
	}
	id := func(number, masked string) string {
		if full {
			return number
		}
		return masked
	}
	// Masked means masked for contact data too: names keep their surname, addresses their
	// city, e-mail its domain.
	shown := func(v string, mask func(string) string) string {
		if full {
			return v
		}
		return mask(v)
	}
	reg := Sheet{Name: "报名登记表", Columns: []Column{{"序号", 6}, {"作品名称", 28}, {"主创姓名", 10}, {"工作单位", 26},
		{"联系人", 10}, {"证件类型", 12}, {"证件号码", 21}, {"手机", 13}, {"电子邮箱", 24}, {"微信号", 14}, {"通信地址", 32},
		{"邮政编码", 9}, {"作品创意说明", 40}, {"参与人员", 24}, {"授权书", 9}, {"状态", 8}, {"提交时间", 19},
		{"形式审查", 10}, {"视频", 10}, {"报名编号", 13}}}
	team := Sheet{Name: "参与人员与授权", Columns: []Column{{"作品序号", 8}, {"作品名称", 28}, {"姓名", 10}, {"证件类型", 12},
		{"证件号码", 21}, {"工作单位", 26}, {"授权时间", 19}, {"报名编号", 13}}}
	for i, w := range works {
		r := w.Registration
		names := make([]string, len(w.Participants))
		signed := 0
		for k, p := range w.Participants {
			names[k] = shown(p.Name, MaskName)
			var at *time.Time
			if p.Consent != nil {
				signed++
				at = &p.Consent.At
			}
			team.Rows = append(team.Rows, []any{i + 1, r.Title, shown(p.Name, MaskName), p.IDType.Label(), id(p.IDNumber, p.IDMasked), p.Employer, timeCell(at), w.Reference})
		}
		formal := "待审查"
		if w.Formal != nil {
			formal = w.Formal.Decision.Label()
		}
		video := "未上传"
		if w.Video != nil {
			video = w.Video.Check.State.Label()
		}
		reg.Rows = append(reg.Rows, []any{i + 1, r.Title, shown(r.LeadName, MaskName), r.Employer, shown(r.ContactName, MaskName),
			r.ContactIDType.Label(), id(r.ContactIDNumber, w.ContactIDMasked), id(r.Mobile, w.MobileMasked),
			shown(r.Email, MaskEmail), shown(r.WeChat, MaskWeChat), shown(r.Address, MaskAddress), r.PostalCode,
			r.Description, strings.Join(names, "、"), fmt.Sprintf("%d/%d", signed, len(w.Participants)), w.Status.Label(),
			timeCell(w.SubmittedAt), formal, video, w.Reference})
		if len(c.Categories) > 0 {
			reg.Rows[i] = append(reg.Rows[i], c.CategoryName(w.Category))
		}
	}
	if len(c.Categories) > 0 {
		reg.Columns = append(reg.Columns, Column{"组别", 12})
	}
	return []Sheet{reg, team}, nil
}

// scoreSheets lists every review of every round, by work in ranking order, each round's with
// its judging statistics: the rounds advanced (评分明细（初评）, 评审统计（初评）), then the current
// round's.
func (s *ReportService) scoreSheets(ctx context.Context, c Contest) ([]Sheet, error) {
	t, err := s.judging.ranking(ctx, c)
	if err != nil {
		return nil, err
	}
	rounds, err := s.judging.advancedRounds(ctx, c)
	if err != nil {
		return nil, err
	}
	rep, err := s.judging.report(ctx, c, t)
	if err != nil {
		return nil, err
	}
	judges, err := s.users.ContestUsers(ctx, c.ID, RoleJudge)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, j := range judges {
		names[j.ID] = j.Name
	}
	var out []Sheet
	for _, r := range rounds {
		stats := MakeJudgingReport(r.Rubric, r.Ranking, r.Ranking.records, DefaultStatisticsOptions).Sheet(r.Ranking)
		stats.Name += "（" + r.Name + "）"
		out = append(out, scoreSheet("评分明细（"+r.Name+"）", r.Rubric, r.Ranking, names), stats)
	}
	scores, stats := scoreSheet("评分明细", c.Judging.Rubric, t, names), rep.Sheet(t)
	if label := c.Judging.RoundLabel(); label != "" {
		scores.Name += "（" + label + "）"
		stats.Name += "（" + label + "）"
	}
	return append(out, scores, stats), nil
}

// scoreSheet lists the reviews of a ranking, each work's by judge name.
func scoreSheet(name string, rubric Rubric, t RankingTable, names map[string]string) Sheet {
	grouped := len(t.Groups) > 1 || len(t.Groups) == 1 && t.Groups[0].Name != ""
	sh := Sheet{Name: name, Columns: []Column{{"名次", 6}, {"作品名称", 28}, {"评委", 10}}}
	for _, cr := range rubric {
		sh.Columns = append(sh.Columns, Column{fmt.Sprintf("%s（%g分）", cr.Name, cr.MaxPoints), 14})
	}
	sh.Columns = append(sh.Columns, Column{"加权总分", 10}, Column{"状态", 8}, Column{"提交时间", 19}, Column{"评语", 40})
	// In ranking order, each work's reviews by judge name.
	byWork := map[string][]ReviewRecord{}
	for _, r := range t.records {
		byWork[r.WorkID] = append(byWork[r.WorkID], r)
	}
	if grouped { // ranks count within each category
		sh.Columns = append([]Column{{"组别", 12}}, sh.Columns...)
	}
	// The ranked works, then the calibration works (校准, not ranked), whose reviews count too.
	type sheetWork struct {
		id, title, category string
		rank                any
	}
	var works []sheetWork
	for _, row := range t.Rows {
		works = append(works, sheetWork{row.WorkID, row.Title, t.CategoryName(row.Category), row.Rank})
	}
	for _, w := range t.Calibration {
		works = append(works, sheetWork{w.WorkID, w.Title, "", "校准"})
	}
	for _, row := range works {
		rs := byWork[row.id]
		slices.SortStableFunc(rs, func(a, b ReviewRecord) int { return strings.Compare(names[a.JudgeID], names[b.JudgeID]) })
		for _, r := range rs {
			cells := []any{row.rank, row.title, names[r.JudgeID]}
			if grouped {
				cells = append([]any{row.category}, cells...)
			}
			for _, cr := range rubric {
				if v, ok := r.Scores[cr.Key]; ok {
					cells = append(cells, v)
				} else {
					cells = append(cells, "")
				}
			}
			state, total := "未评", any("")
			switch {
			case r.SubmittedAt != nil:
				state, total = "已提交", round2(rubric.Total(r.Scores))
			case r.SavedAt != nil:
				state = "草稿"
			}
			sh.Rows = append(sh.Rows, append(cells, total, state, timeCell(r.SubmittedAt), r.Comment))
		}
	}
	return sh
}

func (s *ReportService) resultSheet(ctx context.Context, c Contest) (Sheet, error) {
	t, err := s.judging.awardTable(ctx, c)
	if err != nil {
		return Sheet{}, err
	}
	rec, err := s.recommendations.Recommended(ctx, c.ID)
	if err != nil {
		return Sheet{}, err
	}
	sh := Sheet{Name: "评审结果", Columns: []Column{{"名次", 6}, {"作品名称", 28}, {"主创及参与人员", 28}, {"工作单位", 26},
		{"得分", 8}, {"评审数", 8}, {"拟定奖项", 10}, {"最终奖项", 10}, {"调整原因", 24}, {"推荐至全国", 10}, {"报名编号", 13}}}
	for _, a := range t.Awards {
		w := t.works[a.WorkID]
		sh.Rows = append(sh.Rows, []any{a.Rank, a.Title, strings.Join(creators(w), "、"), w.Registration.Employer,
			round2(a.Score), a.Reviews, a.Proposed.Label(), a.Final.Label(), a.Reason, map[bool]string{true: "是"}[rec[a.WorkID]], w.Reference})
	}
	if len(c.Categories) > 0 {
		byCategory(&sh, t.Awards, t.Groups)
	}
	return sh, nil
}

// objectionSheet lists the objections and their decisions, contacts masked.
func (s *ReportService) objectionSheet(ctx context.Context, c Contest) (Sheet, error) {
	list, err := s.objections.Objections(ctx, c.ID)
	if err != nil {
		return Sheet{}, err
	}
	sh := Sheet{Name: "异议处理", Columns: []Column{{"提交时间", 19}, {"作品名称", 28}, {"提出人", 10}, {"联系方式", 18},
		{"异议理由", 40}, {"处理结论", 12}, {"处理意见", 40}, {"处理时间", 19}, {"异议编号", 13}}}
	for i := len(list) - 1; i >= 0; i-- { // oldest first, as a register reads
		o := list[i]
		sh.Rows = append(sh.Rows, []any{timeCell(&o.CreatedAt), o.WorkTitle, o.Name, o.ContactMasked(), o.Reason,
			o.Status.Label(), o.Decision, timeCell(o.DecidedAt), o.Reference})
	}
	return sh, nil
}

// Sheets returns the statistics as three sheets: per employer, per city and per day.
func (st Statistics) Sheets() []Sheet {
	cols := func(first string) []Column {
		return []Column{{first, 30}, {"作品数", 9}, {"通过形式审查", 13}, {"一等奖", 8}, {"二等奖", 8}, {"三等奖", 8}, {"获奖合计", 10}}
	}
	rows := func(rs []StatRow) [][]any {
		out := make([][]any, len(rs))
		for i, r := range rs {
			out[i] = []any{r.Name, r.Works, r.Accepted, r.Awards[0], r.Awards[1], r.Awards[2], r.Awarded()}
		}
		return out
	}
	days := Sheet{Name: "每日提交", Columns: []Column{{"日期", 12}, {"新建作品", 10}, {"提交作品", 10}}}
	for _, d := range st.PerDay {
		days.Rows = append(days.Rows, []any{d.Date, d.Created, d.Submitted})
	}
	return []Sheet{{Name: "按工作单位统计", Columns: cols("工作单位"), Rows: rows(st.ByEmployer)},
		{Name: "按城市统计", Columns: cols("城市"), Rows: rows(st.ByCity)}, days}
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

// WriteWorkbook writes the sheets as one workbook, one tab a sheet.
func (s *ReportService) WriteWorkbook(w io.Writer, sheets ...Sheet) error {
	if s.spreadsheets == nil {
		return Errorf(EUnavailable, "表格导出不可用")
	}
	if err := s.spreadsheets.WriteSpreadsheet(w, sheets...); err != nil {
		return Internal(err)
	}
	return nil
}
