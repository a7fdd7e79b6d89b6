package export

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// Progress is told how many rows of the main sheet are written so far,
// every ProgressEvery rows and once at the end.
type Progress func(rows int)

// ProgressEvery is how many rows pass between two calls of a Progress.
const ProgressEvery = 2000

// Write writes spec in format to w and returns how many rows the main
// sheet holds. An .xlsx is assembled by excelize's StreamWriter, which
// keeps at most 16 MiB of a sheet in memory and the rest in a temporary
// file, and is sent when complete; a CSV goes out as its rows come.
func Write(ctx context.Context, w io.Writer, format string, spec Spec, m Meta, progress Progress) (int, error) {
	if format == CSV {
		return writeCSV(ctx, w, spec, m, progress)
	}
	return writeXLSX(ctx, w, spec, m, progress)
}

// counter wraps emit to count rows and report progress.
func counter(emit Emit, progress Progress, n *int) Emit {
	return func(row []any) error {
		if err := emit(row); err != nil {
			return err
		}
		*n++
		if progress != nil && *n%ProgressEvery == 0 {
			progress(*n)
		}
		return nil
	}
}

// statement is the lines that say what the file holds.
func statement(spec Spec, m Meta) [][2]string {
	lines := [][2]string{{"导出内容", spec.Title}}
	if len(spec.Filter) == 0 {
		lines = append(lines, [2]string{"筛选条件", "全部"})
	}
	for _, c := range spec.Filter {
		lines = append(lines, [2]string{"筛选条件", c.Label + "：" + c.Value})
	}
	return append(lines, [2]string{"导出时间", m.At.In(m.Loc).Format("2006-01-02 15:04:05")})
}

// excelEpoch is day 0 of Excel's 1900 date system as its serial numbers
// count after February 1900 (which has Lotus's 29 February).
var excelEpoch = time.Date(1899, time.December, 30, 0, 0, 0, 0, time.UTC)

// excelSerial is t's wall clock in loc as an Excel date serial number.
func excelSerial(t time.Time, loc *time.Location) float64 {
	l := t.In(loc)
	wall := time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC)
	return float64(wall.Sub(excelEpoch)) / float64(24*time.Hour)
}

// xlsxStyles are the styles of a workbook's typed cells.
type xlsxStyles struct{ head, date, dateTime, wrap int }

func newStyles(f *excelize.File) (xlsxStyles, error) {
	var s xlsxStyles
	var err error
	dateFmt, timeFmt := "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"
	if s.head, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEF2F7"}}}); err != nil {
		return s, err
	}
	if s.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
		return s, err
	}
	if s.dateTime, err = f.NewStyle(&excelize.Style{CustomNumFmt: &timeFmt}); err != nil {
		return s, err
	}
	s.wrap, err = f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	return s, err
}

// writeXLSX writes every sheet of spec through a StreamWriter, then the
// sheet 说明 with the statement and the number of rows.
func writeXLSX(ctx context.Context, w io.Writer, spec Spec, m Meta, progress Progress) (int, error) {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return 0, err
	}
	first := f.GetSheetName(0)
	var n int
	for i, sh := range append([]Sheet{spec.Main}, spec.Extra...) {
		name := sheetName(sh.Name, i)
		if i == 0 {
			err = f.SetSheetName(first, name)
		} else {
			_, err = f.NewSheet(name)
		}
		if err != nil {
			return 0, err
		}
		count := new(int)
		p := progress
		if i > 0 {
			p = nil
		}
		if err := streamSheet(ctx, f, name, sh, st, m.Loc, p, count); err != nil {
			return 0, err
		}
		if i == 0 {
			n = *count
		}
	}
	if err := writeStatement(f, statement(spec, m), n); err != nil {
		return 0, err
	}
	// The list's sheet is the workbook's first and already the active one.
	// SetActiveSheet must not be called: it reads every sheet back, and a
	// streamed sheet small enough to stay in memory (under 16 MiB of XML:
	// the exports that answer in the request) was parsed and then written
	// again from there, 85 % of such an export's time. (A larger sheet,
	// in its temporary file, was not read back: a million ratings took
	// the same 46 s either way.)
	if progress != nil {
		progress(n)
	}
	// excelize's Write assembles the whole zip in a bytes.Buffer (84 MB
	// for a million ratings, twice that while it grows); its zip writer
	// goes straight to w instead, so the sheets' temporary files are
	// copied through. What this skips is excelize's rewrite of the local
	// headers of entries over 4 GB (zip64), which no export reaches.
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(w) })
	_, err = f.WriteToBuffer()
	return n, err
}

// sheetName is a valid, distinct sheet name.
func sheetName(name string, i int) string {
	r := []rune(strings.NewReplacer(":", "：", "\\", "、", "/", "、", "?", "？", "*", "＊", "[", "【", "]", "】").Replace(name))
	if len(r) > 31 {
		r = r[:31]
	}
	if len(r) == 0 {
		return "Sheet" + strconv.Itoa(i+1)
	}
	return string(r)
}

// streamSheet writes one sheet's header and rows.
func streamSheet(ctx context.Context, f *excelize.File, name string, sh Sheet, st xlsxStyles, loc *time.Location,
	progress Progress, n *int) error {
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	head := make([]any, len(sh.Columns))
	for i, c := range sh.Columns {
		w := c.Width
		if w == 0 {
			w = defaultWidth(c)
		}
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
		head[i] = excelize.Cell{StyleID: st.head, Value: c.Head}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	cells := make([]any, len(sh.Columns))
	emit := func(row []any) error {
		if len(row) != len(sh.Columns) {
			return fmt.Errorf("export: %s: row of %d cells, %d columns", name, len(row), len(sh.Columns))
		}
		for i, v := range row {
			cells[i] = xlsxCell(sh.Columns[i].Kind, v, st, loc)
		}
		cell, err := excelize.CoordinatesToCellName(1, *n+2)
		if err != nil {
			return err
		}
		return sw.SetRow(cell, cells)
	}
	if err := sh.Rows(ctx, counter(emit, progress, n)); err != nil {
		return err
	}
	return sw.Flush()
}

func defaultWidth(c Column) float64 {
	switch c.Kind {
	case Date:
		return 12
	case DateTime:
		return 20
	case Number:
		return 10
	}
	return 16
}

// xlsxCell is v as a cell of kind k.
func xlsxCell(k Kind, v any, st xlsxStyles, loc *time.Location) any {
	if v == nil {
		return nil
	}
	switch k {
	case Date, DateTime:
		t, ok := v.(time.Time)
		if !ok || t.IsZero() {
			return nil
		}
		style := st.dateTime
		if k == Date {
			style = st.date
		}
		return excelize.Cell{StyleID: style, Value: excelSerial(t, loc)}
	case Text:
		if s, ok := v.(string); ok && strings.Contains(s, "\n") {
			return excelize.Cell{StyleID: st.wrap, Value: s}
		}
	}
	return v
}

// writeStatement fills the sheet 说明.
func writeStatement(f *excelize.File, lines [][2]string, n int) error {
	const name = "说明"
	if _, err := f.NewSheet(name); err != nil {
		return err
	}
	lines = append(lines, [2]string{"记录条数", strconv.Itoa(n)})
	for i, l := range lines {
		for j, v := range l {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellStr(name, cell, v); err != nil {
				return err
			}
		}
	}
	if err := f.SetColWidth(name, "A", "A", 12); err != nil {
		return err
	}
	return f.SetColWidth(name, "B", "B", 80)
}

// utf8BOM makes Excel read a CSV as UTF-8.
const utf8BOM = "\uFEFF"

// writeCSV writes the byte-order mark, the statement, an empty line, the
// header and the rows.
func writeCSV(ctx context.Context, w io.Writer, spec Spec, m Meta, progress Progress) (int, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString(utf8BOM); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	for _, l := range statement(spec, m) {
		if err := cw.Write(l[:]); err != nil {
			return 0, err
		}
	}
	if err := cw.Write(nil); err != nil {
		return 0, err
	}
	cols := spec.Main.Columns
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = c.Head
	}
	if err := cw.Write(head); err != nil {
		return 0, err
	}
	rec := make([]string, len(cols))
	var n int
	emit := func(row []any) error {
		if len(row) != len(cols) {
			return fmt.Errorf("export: row of %d cells, %d columns", len(row), len(cols))
		}
		for i, v := range row {
			rec[i] = csvCell(cols[i].Kind, v, m.Loc)
		}
		return cw.Write(rec)
	}
	if err := spec.Main.Rows(ctx, counter(emit, progress, &n)); err != nil {
		return n, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return n, err
	}
	if progress != nil {
		progress(n)
	}
	return n, bw.Flush()
}

// csvCell is v as CSV text. A text that Excel would read as a formula
// (starting with = + - @ or a control character) gets a leading
// apostrophe: citizens' messages must not run in the office's Excel.
func csvCell(k Kind, v any, loc *time.Location) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		if x.IsZero() {
			return ""
		}
		if k == Date {
			return x.In(loc).Format(time.DateOnly)
		}
		return x.In(loc).Format(time.DateTime)
	case string:
		if x != "" && strings.ContainsRune("=+-@\t\r", rune(x[0])) {
			return "'" + x
		}
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	}
	return fmt.Sprint(v)
}
