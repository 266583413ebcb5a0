// Package xlsx writes the contest's exports as Excel workbooks with excelize: one sheet per
// table, Chinese headers in bold on a frozen first row, a filter over the columns, and the
// columns' widths. Rows are streamed, so a large registration list stays small in memory.
package xlsx

import (
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/jskx/contest/internal/contest"
)

// Writer writes workbooks.
type Writer struct{}

var _ contest.SpreadsheetWriter = Writer{}

// WriteSpreadsheet writes the sheets, in order, as one .xlsx workbook.
func (Writer) WriteSpreadsheet(w io.Writer, sheets ...contest.Sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	header, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2E6D9"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
	})
	if err != nil {
		return err
	}
	for i, sh := range sheets {
		name := sheetName(sh.Name, i)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		if err := writeSheet(f, name, i, sh, header); err != nil {
			return fmt.Errorf("xlsx: %s: %w", name, err)
		}
	}
	_, err = f.WriteTo(w)
	return err
}

func writeSheet(f *excelize.File, name string, index int, sh contest.Sheet, header int) error {
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	for i, c := range sh.Columns {
		if c.Width > 0 {
			if err := sw.SetColWidth(i+1, i+1, c.Width); err != nil {
				return err
			}
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	titles := make([]any, len(sh.Columns))
	for i, c := range sh.Columns {
		titles[i] = excelize.Cell{StyleID: header, Value: c.Title}
	}
	if err := sw.SetRow("A1", titles, excelize.RowOpts{Height: 22}); err != nil {
		return err
	}
	for r, row := range sh.Rows {
		cells := make([]any, len(row))
		for i, v := range row {
			if t, ok := v.(time.Time); ok {
				v = t.Format("2006-01-02 15:04:05") // as text: Excel has no time zones
			}
			cells[i] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, r+2)
		if err := sw.SetRow(cell, cells); err != nil {
			return err
		}
	}
	if len(sh.Columns) > 0 && len(sh.Rows) > 0 && uniqueTitles(sh.Columns) {
		// A table gives the header its filter buttons (a stream writer keeps no autofilter).
		last, _ := excelize.CoordinatesToCellName(len(sh.Columns), len(sh.Rows)+1)
		if err := sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: fmt.Sprintf("Table%d", index+1), StyleName: "TableStyleLight1", ShowRowStripes: new(true)}); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// sheetName keeps a name within Excel's rules: at most 31 characters, none of : \ / ? * [ ].
func sheetName(s string, i int) string {
	r := []rune(s)
	out := make([]rune, 0, len(r))
	for _, c := range r {
		switch c {
		case ':', '\\', '/', '?', '*', '[', ']':
			c = '_'
		}
		out = append(out, c)
	}
	if len(out) > 31 {
		out = out[:31]
	}
	if len(out) == 0 {
		return fmt.Sprintf("Sheet%d", i+1)
	}
	return string(out)
}

// uniqueTitles reports whether no two columns share a title (a table needs that).
func uniqueTitles(cols []contest.Column) bool {
	seen := map[string]bool{}
	for _, c := range cols {
		if seen[c.Title] {
			return false
		}
		seen[c.Title] = true
	}
	return true
}
