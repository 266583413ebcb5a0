package xlsx

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/jskx/contest/internal/contest"
)

func TestWriteSpreadsheet_ReopensWithHeadersRowsAndFrozenHeader(t *testing.T) {
	sheets := []contest.Sheet{
		{Name: "报名登记表", Columns: []contest.Column{{Title: "序号", Width: 6}, {Title: "作品名称", Width: 30}, {Title: "得分", Width: 8}},
			Rows: [][]any{{1, "量子之光", 91.5}, {2, "星辰大海", 88.25}}},
		{Name: "按城市统计/汇总[全部]而且名字很长很长很长很长很长很长很长很长", Columns: []contest.Column{{Title: "城市"}}, Rows: [][]any{{"南京市"}}},
	}
	var buf bytes.Buffer
	if err := (Writer{}).WriteSpreadsheet(&buf, sheets...); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	names := f.GetSheetList()
	if len(names) != 2 || names[0] != "报名登记表" || len([]rune(names[1])) != 31 {
		t.Fatalf("sheets %q: want the first named as given and the second cut to 31 characters", names)
	}
	rows, err := f.GetRows("报名登记表")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"序号", "作品名称", "得分"}, {"1", "量子之光", "91.5"}, {"2", "星辰大海", "88.25"}}
	if d := cmp.Diff(want, rows); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}
	panes, err := f.GetPanes("报名登记表")
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes %+v, %v: want the header row frozen", panes, err)
	}
	if tables, err := f.GetTables("报名登记表"); err != nil || len(tables) != 1 || tables[0].Range != "A1:C3" {
		t.Errorf("tables %+v, %v: want one over A1:C3, which gives the header its filter", tables, err)
	}
	if w, _ := f.GetColWidth("报名登记表", "B"); w != 30 {
		t.Errorf("width of 作品名称 = %v, want 30", w)
	}
	// A number cell carries no string type, so Excel can sum the column.
	isText := func(cell string) bool {
		v, _ := f.GetCellType("报名登记表", cell)
		return v == excelize.CellTypeSharedString || v == excelize.CellTypeInlineString
	}
	if !isText("B2") || isText("C2") {
		t.Errorf("B2 text %v, C2 text %v: want the title as text and the score as a number", isText("B2"), isText("C2"))
	}
}
