package sheet

import (
	"archive/zip"
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"minyi/internal/apperr"
)

// workbook builds an .xlsx whose first sheet holds rows from A1; edit may
// change it further before it is written.
func workbook(t testing.TB, rows [][]any, edit func(f *excelize.File, sheet string)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	if edit != nil {
		edit(f, sheet)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// wantFileError checks that err is an invalid error on "file" whose message
// contains each part.
func wantFileError(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", parts)
	}
	e := apperr.From(err)
	if e.Code != apperr.Invalid || e.Fields[Field] == "" {
		t.Fatalf("error %v, want invalid on %q", err, Field)
	}
	for _, p := range parts {
		if !strings.Contains(e.Message, p) {
			t.Errorf("message %q does not contain %q", e.Message, p)
		}
	}
}

func mustRead(t *testing.T, data []byte, maxRows int) *Table {
	t.Helper()
	tb, err := read(data, maxRows)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return tb
}

func cells(tb *Table) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|", strings.Join(tb.Header, ","))
	for _, r := range tb.Rows {
		fmt.Fprintf(&b, "%d:%s|", r.Line, strings.Join(r.Cells, ","))
	}
	return b.String()
}

func TestReadXLSX(t *testing.T) {
	day := time.Date(2024, 11, 5, 0, 0, 0, 0, time.UTC)
	data := workbook(t, [][]any{
		{"答卷编号", "单位", "总体满意度", "日期"},
		{"A-1", "市税务局", 5, day},
		{},
		{123456789012345, "市政务服务中心", "满意", "2024-11-06"},
	}, func(f *excelize.File, sheet string) {
		style, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
		f.SetCellStyle(sheet, "D2", "D2", style)
		f.SetCellFormula(sheet, "C6", "=1+2")
		f.SetCellValue(sheet, "A6", "F-1")
		f.SetCellValue(sheet, "C6", 3)
		f.SetCellFormula(sheet, "C6", "=1+2")
	})
	tb := mustRead(t, data, 10)
	if tb.Format != FormatXLSX || tb.Sheet != "Sheet1" {
		t.Errorf("format %q sheet %q", tb.Format, tb.Sheet)
	}
	got := cells(tb)
	want := "答卷编号,单位,总体满意度,日期|2:A-1,市税务局,5,2024-11-05|4:123456789012345,市政务服务中心,满意,2024-11-06|6:F-1,,3|"
	if got != want {
		t.Errorf("table\n got %s\nwant %s", got, want)
	}
}

func TestReadXLSXMergedCells(t *testing.T) {
	data := workbook(t, [][]any{{"单位", "群体"}, {"市税务局", "人大代表"}, {"", ""}, {"", ""}, {"", ""}},
		func(f *excelize.File, sheet string) {
			if err := f.MergeCell(sheet, "B2", "B5"); err != nil {
				t.Fatal(err)
			}
		})
	_, err := read(data, 10)
	wantFileError(t, err, "合并单元格（B2:B5）", "取消合并")
}

func TestReadXLSXManyMergedCells(t *testing.T) {
	data := workbook(t, [][]any{{"a", "b", "c", "d"}}, func(f *excelize.File, sheet string) {
		for _, r := range []string{"2", "4", "6", "8"} {
			f.MergeCell(sheet, "A"+r, "B"+r)
		}
	})
	_, err := read(data, 10)
	wantFileError(t, err, "等 4 处")
}

func TestReadBrokenFiles(t *testing.T) {
	good := workbook(t, [][]any{{"单位", "群体"}, {"市税务局", "人大代表"}}, nil)
	pdf := []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
	xls := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...)
	var notWorkbook bytes.Buffer
	zw := zip.NewWriter(&notWorkbook)
	w, _ := zw.Create("hello.txt")
	w.Write([]byte("hello"))
	zw.Close()
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "文件为空"},
		{"only white space", []byte(" \r\n\t\n"), "文件为空"},
		{"only a BOM", []byte("\xEF\xBB\xBF"), "文件为空"},
		{"truncated xlsx", good[:len(good)/2], "文件已损坏或不完整"},
		{"zip that is no workbook", notWorkbook.Bytes(), "文件已损坏或不完整"},
		{"old xls", xls, ".xls"},
		{"pdf", pdf, "不支持该文件格式"},
		{"png", png, "不支持该文件格式"},
		{"blank rows only xlsx", workbook(t, [][]any{{}, {""}}, nil), "没有表头"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			_, err := read(tt.data, 10)
			wantFileError(t, err, tt.want)
		})
	}
}

func TestReadXLSXZipBomb(t *testing.T) {
	rows := [][]any{{"a"}}
	for i := 0; i < 2000; i++ {
		rows = append(rows, []any{strings.Repeat("x", 100)})
	}
	data := workbook(t, rows, nil)
	defer func(u, x int64) { maxUnzipped, maxXMLInMemory = u, x }(maxUnzipped, maxXMLInMemory)
	maxUnzipped, maxXMLInMemory = 100<<10, 50<<10
	if len(data) > int(maxUnzipped) {
		t.Fatalf("test workbook of %d bytes is not small when packed", len(data))
	}
	_, err := read(data, 0)
	wantFileError(t, err, "解压后过大")
}

func TestReadXLSXFirstSheet(t *testing.T) {
	data := workbook(t, [][]any{{"a"}, {"first"}}, func(f *excelize.File, _ string) {
		f.NewSheet("其他")
		f.SetCellValue("其他", "A1", "b")
	})
	if tb := mustRead(t, data, 0); tb.Sheet != "Sheet1" || cells(tb) != "a|2:first|" {
		t.Errorf("read %q: %s", tb.Sheet, cells(tb))
	}
}

func TestReadTooManyRows(t *testing.T) {
	rows := [][]any{{"a"}}
	for i := 0; i < 4; i++ {
		rows = append(rows, []any{i})
	}
	if tb := mustRead(t, workbook(t, rows, nil), 4); len(tb.Rows) != 4 {
		t.Errorf("%d rows, want 4", len(tb.Rows))
	}
	_, err := read(workbook(t, rows, nil), 3)
	wantFileError(t, err, "最多 3 行")
	_, err = read([]byte("a\n1\n2\n3\n4\n"), 3)
	wantFileError(t, err, "最多 3 行")
}

func TestReadCSV(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"plain", []byte("a,b\n1,2\n3,4\n"), "a,b|2:1,2|3:3,4|"},
		{"CRLF and blank lines", []byte("a,b\r\n\r\n1,2\r\n,\r\n3,4"), "a,b|3:1,2|5:3,4|"},
		{"BOM", []byte("\xEF\xBB\xBF单位,群体\n市税务局,人大代表\n"), "单位,群体|2:市税务局,人大代表|"},
		{"quoted commas and newlines", []byte("意见,单位\n\"好,很好\",\"市\n税务局\"\n\"说\"\"不错\"\"\",乙\n"),
			"意见,单位|2:好,很好,市\n税务局|4:说\"不错\",乙|"},
		{"trailing empty columns", []byte("a,b,,\n1,2,,\n3,4\n"), "a,b|2:1,2|3:3,4|"},
		{"tab separated", []byte("a\tb\n1\t2,3\n"), "a,b|2:1,2,3|"},
		{"UTF-16 with BOM", utf16le("单位\t群体\r\n市税务局\t专家学者\r\n"), "单位,群体|2:市税务局,专家学者|"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			tb := mustRead(t, tt.data, 0)
			if tb.Format != FormatCSV {
				t.Errorf("format %q", tb.Format)
			}
			if got := cells(tb); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func utf16le(s string) []byte {
	out := []byte{0xFF, 0xFE}
	for _, r := range s {
		out = append(out, byte(r), byte(r>>8))
	}
	return out
}

func TestReadGBKCSV(t *testing.T) {
	text := "答卷编号,单位,群体,总体满意度,意见建议\nR1,市税务局,人大代表,非常满意,办事效率高，态度好\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	tb := mustRead(t, gbk, 0)
	if got := cells(tb); got != "答卷编号,单位,群体,总体满意度,意见建议|2:R1,市税务局,人大代表,非常满意,办事效率高，态度好|" {
		t.Errorf("GBK CSV read as %q", got)
	}
}

func TestReadCSVErrors(t *testing.T) {
	cases := []struct {
		name  string
		data  string
		parts []string
	}{
		{"a field too many", "a,b\n1,2\n1,2,3\n", []string{"第 3 行有 3 列，表头有 2 列"}},
		{"a field too few", "a,b,c\n1,2,3\n\n1,2\n", []string{"第 4 行有 2 列，表头有 3 列"}},
		{"unclosed quote", "a,b\n1,2\n\"3,4\n", []string{"第 3 行", "引号"}},
		{"bare quote", "a,b\n1,x\"y\n", []string{"第 2 行", "引号"}},
		{"not GBK either", "a,b\n\xff\xfe\xfd,1\n", []string{"编码"}},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			_, err := read([]byte(tt.data), 0)
			wantFileError(t, err, tt.parts...)
		})
	}
}

var columns = []Column{
	{Field: "response_id", Names: []string{"答卷编号", "问卷编号", "response_id"}, Required: true},
	{Field: "unit", Names: []string{"单位", "unit"}, Required: true},
	{Field: "opinion", Names: []string{"意见建议", "opinion"}},
}

func TestMap(t *testing.T) {
	tb := mustRead(t, []byte(" 问卷编号 *,UNIT,opinion（选填）,\n R1 ,市税务局,\n"), 0)
	m, err := tb.Map(columns)
	if err != nil {
		t.Fatal(err)
	}
	r := tb.Rows[0]
	if m.Get(r, "response_id") != "R1" || m.Get(r, "unit") != "市税务局" || m.Get(r, "opinion") != "" || m.Get(r, "nope") != "" {
		t.Errorf("got %q %q %q", m.Get(r, "response_id"), m.Get(r, "unit"), m.Get(r, "opinion"))
	}
	if !m.Has("opinion") || m.Has("nope") {
		t.Error("Has")
	}
	tb = mustRead(t, []byte("答卷编号,单位\nR1,甲\n"), 0)
	if m, err = tb.Map(columns); err != nil || m.Has("opinion") {
		t.Errorf("optional column absent: %v %v", err, m.Has("opinion"))
	}
}

func TestMapWrongHeader(t *testing.T) {
	cases := []struct {
		name  string
		data  []byte
		parts []string
	}{
		{"missing required", []byte("答卷编号,意见建议\nR1,好\n"), []string{"缺少必填列“单位”", "“unit”"}},
		{"unknown", []byte("答卷编号,单位,电话\nR1,甲,1\n"), []string{"无法识别的列 “电话”"}},
		{"twice", []byte("答卷编号,单位,unit\nR1,甲,乙\n"), []string{"列“单位”重复出现（第 B、C 列）"}},
		{"data without header", workbook(t, [][]any{{"答卷编号", "单位"}, {"R1", "甲", "多余"}}, nil),
			[]string{"第 C 列有数据但没有表头"}},
		{"all at once", []byte("问卷编号,答卷编号,备注\nR1,R2,x\n"),
			[]string{"缺少必填列“单位”", "列“答卷编号”重复出现（第 A、B 列）", "无法识别的列 “备注”"}},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mustRead(t, tt.data, 0).Map(columns)
			wantFileError(t, err, append([]string{"表头有误"}, tt.parts...)...)
		})
	}
	// An empty header cell over an empty column is ignored.
	if _, err := mustRead(t, []byte("答卷编号,,单位\nR1,,甲\n"), 0).Map(columns); err != nil {
		t.Errorf("empty unnamed column: %v", err)
	}
}
