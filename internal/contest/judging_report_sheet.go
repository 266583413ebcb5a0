package contest

import (
	"fmt"
	"math"
	"strings"
)

// StatisticsSheetName names the statistics' sheet in the scores export.
const StatisticsSheetName = "评审统计"

// Sheet writes the report as one sheet: the reliability of the total and of each criterion,
// each judge's agreement, then each ranked work's stability. A value that cannot be computed
// is left empty.
func (r JudgingReport) Sheet(t RankingTable) Sheet {
	sh := Sheet{Name: StatisticsSheetName, Columns: []Column{{"类别", 10}, {"名称", 28}, {"指标", 16}, {"值", 9},
		{"下限", 9}, {"上限", 9}, {"说明", 60}}}
	pct := fmt.Sprintf("%g%% 置信区间", r.Options.Level*100)
	for _, rel := range r.Reliabilities() {
		a := rel.Alpha
		sh.Rows = append(sh.Rows, []any{"一致性", rel.Name, "Krippendorff α", cell(a.Value), cell(a.Lower), cell(a.Upper),
			fmt.Sprintf("区间数据；%d 个可配对评分；%s（对作品 %d 次自助抽样）", a.Pairable, pct, r.Options.Samples)})
		if icc := rel.ICC; icc != nil {
			sh.Rows = append(sh.Rows,
				[]any{"一致性", rel.Name, "ICC(2,k)", cell(icc.Average.Value), cell(icc.Average.Lower), cell(icc.Average.Upper), rel.ICCNote},
				[]any{"一致性", rel.Name, "ICC(2,1)", cell(icc.Single.Value), cell(icc.Single.Lower), cell(icc.Single.Upper), rel.ICCNote})
		} else {
			sh.Rows = append(sh.Rows, []any{"一致性", rel.Name, "ICC(2,k)", "", "", "", rel.ICCNote})
		}
	}
	for _, j := range r.JudgeLines() {
		sh.Rows = append(sh.Rows, []any{"评委", j.Name, "宽严（标准差）", cell(j.Severity), "", "", j.Sentence()},
			[]any{"评委", j.Name, "排序相关系数", cell(j.Consistency), "", "", fmt.Sprintf("与其他评委共同评审 %d 件作品", j.Shared)})
	}
	for _, row := range t.Rows {
		ws := r.Stability[row.WorkID]
		note := "建议奖项：" + ws.Tier.Label()
		if ws.Flagged {
			note += "；不稳定，建议增加评委"
		}
		if len(ws.Decisive) > 0 {
			names := make([]string, len(ws.Decisive))
			for i, id := range ws.Decisive {
				names[i] = r.JudgeName(id)
			}
			note += "；去掉评委 " + strings.Join(names, "、") + " 会改变奖项"
		}
		sh.Rows = append(sh.Rows, []any{"评奖稳定性", row.Title, "保持奖项的比例", cell(ws.Keep), "", "", note})
	}
	return sh
}

// cell is a statistic for a sheet, rounded to 3 decimals; empty when it cannot be computed.
func cell(x float64) any {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return ""
	}
	return math.Round(x*1000) / 1000
}
