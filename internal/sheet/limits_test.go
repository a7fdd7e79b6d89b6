package sheet

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"minyi/internal/apperr"
)

// read calls Read as the callers do.
func read(data []byte, maxRows int) (*Table, error) { return Read(context.Background(), data, maxRows) }

func TestReadRefusesLongCells(t *testing.T) {
	long := strings.Repeat("长", maxCellChars+1)
	shared := workbook(t, [][]any{{"单位", "群体", "意见"}, {"甲", "乙", "好"}, {"甲", "乙", long}}, nil)
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"inline string", hugeCellXLSX(t, 100<<10), "第 2 行 A 列"},
		{"shared string", shared, "第 3 行 C 列"},
		{"csv field", hugeFieldCSV(100 << 10), "第 2 行 A 列"},
		{"csv header", []byte("单位," + long + "\n甲,乙\n"), "第 1 行 B 列"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			_, err := read(tt.data, 5000)
			wantFileError(t, err, tt.want, fmt.Sprintf("超过 %d 字", maxCellChars))
		})
	}
	// The longest legitimate field fits.
	ok := strings.Repeat("长", maxCellChars)
	if _, err := read(workbook(t, [][]any{{"单位", "意见"}, {"甲", ok}}, nil), 10); err != nil {
		t.Errorf("a cell of %d characters: %v", maxCellChars, err)
	}
}

func TestReadRefusesWideRows(t *testing.T) {
	far := ColumnName(maxColumns)
	data := withSheetXML(t, func(w io.Writer) {
		inlineRow(w, 1, "单位", "群体")
		fmt.Fprintf(w, `<row r="2"><c r="%s2" t="inlineStr"><is><t>x</t></is></c></row>`, far)
	})
	_, err := read(data, 5000)
	wantFileError(t, err, "第 2 行", far+" 列", fmt.Sprintf("最多 %d 列", maxColumns))
}

// unzippedSizes returns the unpacked size of a workbook and of its first
// worksheet.
func unzippedSizes(t *testing.T, data []byte) (total, sheet uint64) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if f.Name == "xl/worksheets/sheet1.xml" {
			sheet = f.UncompressedSize64
		}
	}
	return total, sheet
}

// The limits leave room for the largest legitimate upload: 5,000 agency
// rows with six aspects and a 1,000-character opinion in every row, as
// Excel writes it (shared strings) and as streaming tools write it
// (inline strings). The time budget is not what this test is about (the
// race detector alone can exceed it), so it is lifted.
func TestReadLegitimateLimits(t *testing.T) {
	defer func(d time.Duration) { parseTime = d }(parseTime)
	parseTime = time.Hour
	header := []string{"答卷编号", "单位", "受访群体", "总体满意度", "办事效率", "服务态度", "政务公开", "廉洁自律", "营商环境", "依法行政", "意见建议", "日期"}
	row := func(i int) []string {
		opinion := strings.Repeat(fmt.Sprintf("第%d份意见：办事效率有待提高，", i), 100)
		opinion = string([]rune(opinion)[:1000])
		return []string{fmt.Sprintf("R%05d", i), "市政务服务中心", "人大代表", "非常满意", "5", "4", "3", "5", "4", "满意", opinion, "2025-11-05"}
	}
	shared := workbook(t, nil, func(f *excelize.File, sheet string) {
		for i := 0; i <= 5000; i++ {
			cells := header
			if i > 0 {
				cells = row(i)
			}
			f.SetSheetRow(sheet, fmt.Sprintf("A%d", i+1), &cells)
		}
	})
	inline := withSheetXML(t, func(w io.Writer) {
		inlineRow(w, 1, header...)
		for i := 1; i <= 5000; i++ {
			inlineRow(w, i+1, row(i)...)
		}
	})
	for name, data := range map[string][]byte{"shared strings": shared, "inline strings": inline} {
		total, sheet := unzippedSizes(t, data)
		t.Logf("%s: %d KB packed, %d KB unpacked, worksheet %d KB", name, len(data)>>10, total>>10, sheet>>10)
		tb, err := read(data, 5000)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(tb.Rows) != 5000 || len([]rune(tb.Rows[4999].Cells[10])) != 1000 {
			t.Errorf("%s: %d rows", name, len(tb.Rows))
		}
	}
}

// waitIdle waits until no parse holds a slot, so a test that abandoned
// one leaves nothing running for the next.
func waitIdle(t *testing.T) {
	t.Helper()
	for i := 0; i < cap(slots); i++ {
		select {
		case slots <- struct{}{}:
		case <-time.After(time.Minute):
			t.Fatal("a parse still holds its slot")
		}
	}
	for i := 0; i < cap(slots); i++ {
		<-slots
	}
}

func TestReadDeadline(t *testing.T) {
	defer func(d time.Duration) { parseTime = d }(parseTime)
	parseTime = time.Nanosecond
	files := map[string][]byte{
		"xlsx": workbook(t, [][]any{{"单位"}, {"市税务局"}}, nil),
		"csv":  []byte("单位\n市税务局\n"),
	}
	for name, data := range files {
		_, err := read(data, 10)
		if wantFileError(t, err, "无法在规定时间内读取"); t.Failed() {
			t.Fatalf("%s: %v", name, err)
		}
	}
	waitIdle(t)
}

func TestReadBusy(t *testing.T) {
	defer func(d time.Duration) { slotWait = d }(slotWait)
	slotWait = 20 * time.Millisecond
	data := []byte("单位\n市税务局\n")
	for i := 0; i < cap(slots); i++ {
		slots <- struct{}{}
	}
	_, err := read(data, 10)
	if e := apperr.From(err); e.Code != apperr.Unavailable || e.Message != "系统繁忙，请稍后再上传" {
		t.Errorf("every slot busy: %v", err)
	}
	// A slot freed while the caller waits is taken.
	slotWait = time.Minute
	go func() {
		time.Sleep(20 * time.Millisecond)
		<-slots
	}()
	if _, err := read(data, 10); err != nil {
		t.Errorf("after a slot freed: %v", err)
	}
	for i := 0; i < cap(slots)-1; i++ {
		<-slots
	}
	waitIdle(t)
}

// Header texts appear in messages and reports, so unreadable characters
// in them are refused; data cells are left to the callers' row checks.
func TestReadHeaderText(t *testing.T) {
	xlsx := withSheetXML(t, func(w io.Writer) {
		inlineRow(w, 1, "单位", "群体_x0000_")
		inlineRow(w, 2, "甲", "乙_x0001_")
	})
	_, err := read(xlsx, 10)
	wantFileError(t, err, "表头第 1 行 B 列含有无法识别的字符")
	csv := []byte(strings.Repeat("\n", 9000) + "单位,群体\x01\n甲,乙\n")
	_, err = read(csv, 10)
	wantFileError(t, err, "表头第 9001 行 B 列含有无法识别的字符")

	data := withSheetXML(t, func(w io.Writer) {
		inlineRow(w, 1, "单位", "群体")
		inlineRow(w, 2, "甲", "乙_x0000_")
	})
	if tb := mustRead(t, data, 10); tb.Rows[0].Cells[1] != "乙\x00" {
		t.Errorf("data cell %q", tb.Rows[0].Cells[1])
	}
}

func TestReadCSVFieldCount(t *testing.T) {
	_, err := read([]byte("a,b\n1,2\n"+strings.Repeat(",", maxCSVFields)+"\n"), 10)
	wantFileError(t, err, "第 3 行的列数超过 16384 列")
	// Separators inside quotes, also over several lines, are text.
	field := `"` + strings.Repeat(",", 9000) + "\n" + strings.Repeat(",", 900) + `"`
	tb := mustRead(t, []byte("a,b\n"+field+","+field+"\n"), 10)
	if len(tb.Rows) != 1 || len(tb.Rows[0].Cells[1]) != 9901 {
		t.Errorf("quoted separators: %d rows", len(tb.Rows))
	}
}

// The worksheet checked for merged cells is the one read: the workbook's
// first, wherever its relationship points.
func TestReadXLSXSheetPaths(t *testing.T) {
	merged := workbook(t, [][]any{{"单位", "群体"}, {"甲", "乙"}}, func(f *excelize.File, sheet string) {
		f.MergeCell(sheet, "A3", "B3")
	})
	absolute := rewritePart(t, merged, "xl/_rels/workbook.xml.rels", func(s string) string {
		return strings.Replace(s, `Target="worksheets/sheet1.xml"`, `Target="/xl/worksheets/sheet1.xml"`, 1)
	})
	if bytes.Equal(absolute, merged) {
		t.Fatal("relationship not rewritten")
	}
	_, err := read(absolute, 10)
	wantFileError(t, err, "合并单元格（A3:B3）")
	// Merged cells on another sheet, such as a sheet of instructions, are fine.
	other := workbook(t, [][]any{{"单位"}, {"甲"}}, func(f *excelize.File, _ string) {
		f.NewSheet("填写说明")
		f.MergeCell("填写说明", "A1", "D1")
	})
	if tb := mustRead(t, other, 10); cells(tb) != "单位|2:甲|" {
		t.Errorf("read %s", cells(tb))
	}
}

// rewritePart returns the zip with one part's text changed by edit.
func rewritePart(t *testing.T, data []byte, name string, edit func(string) string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == name {
			b = []byte(edit(string(b)))
		}
		w, _ := zw.Create(f.Name)
		w.Write(b)
	}
	zw.Close()
	return out.Bytes()
}

// The bound on rows read is inclusive: with 5 data rows allowed, 1,005
// rows are read (blank rows get at least 1,000), one more is refused.
func TestReadRowsReadBoundary(t *testing.T) {
	data := []byte("a\n" + strings.Repeat("1\n", 5) + strings.Repeat(",\n", 999))
	if tb, err := read(data, 5); err != nil || len(tb.Rows) != 5 {
		t.Fatalf("1,005 rows read: %v", err)
	}
	_, err := read(append(data, ",\n"...), 5)
	wantFileError(t, err, "超过 1005 行")
}

func TestFilename(t *testing.T) {
	cases := map[string]string{
		`C:\Users\张三\答卷.csv`:              "答卷.csv",
		"../../etc/名单.xlsx":               "名单.xlsx",
		" 名单\x00\xff\x1b.xlsx ":           "名单.xlsx",
		strings.Repeat("长", 201) + ".csv": strings.Repeat("长", 200),
	}
	for in, want := range cases {
		if got := Filename(in); got != want {
			t.Errorf("Filename(%q) = %q, want %q", in, got, want)
		}
	}
}
