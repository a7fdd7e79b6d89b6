package sheet

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"minyi/internal/apperr"
	"minyi/internal/safetext"
)

// fuzzMaxRows is the data-row cap the fuzz target reads with.
const fuzzMaxRows = 50

// FuzzRead feeds arbitrary bytes to Read. Whatever the input, Read does
// not panic; it either refuses the file with an invalid error on "file"
// in readable Chinese, or returns a table within the limits: a readable,
// non-empty header, at most fuzzMaxRows data rows in increasing line
// order, none blank, every cell at most maxCellChars characters and every
// row at most maxColumns wide. Data cells may hold any text; the callers
// check it row by row (FuzzAgencyRows).
func FuzzRead(f *testing.F) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String("答卷编号,单位\nR1,市税务局\n")
	for _, s := range []string{
		"a,b\n1,2\n3,4\n",
		"\xEF\xBB\xBF单位,群体\r\n市税务局,人大代表\r\n",
		"a\tb\n1\t2,3\n",
		"意见,单位\n\"好,很好\",\"市\n税务局\"\n\"说\"\"不错\"\"\",乙\n",
		"a,b\n1,x\"y\n",
		"a,b\n1,2,3\n",
		"a,b,,\n1,2,,\n\n,\n3,4\n",
		gbk,
		string(utf16le("单位\t群体\r\n市税务局\t专家学者\r\n")),
		"单位,群体\x01\n甲,乙\n",
		"a\n" + strings.Repeat(",", maxCSVFields+1) + "\n",
		string(blankLinesCSV(fuzzMaxRows * 40)),
		string(hugeFieldCSV(maxCellChars + 1)),
		"%PDF-1.7\n",
		"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
		"PK\x03\x04",
	} {
		f.Add([]byte(s))
	}
	good := workbook(f, [][]any{{"答卷编号", "单位", "总体满意度", "日期"},
		{"A-1", "市税务局", 5, time.Date(2024, 11, 5, 0, 0, 0, 0, time.UTC)}, {}, {"B-2", "市政务服务中心", "满意", "2024-11-06"}}, nil)
	merged := workbook(f, [][]any{{"单位", "群体"}, {"市税务局", "人大代表"}, {"", ""}}, func(x *excelize.File, sheet string) {
		x.MergeCell(sheet, "B2", "B3")
	})
	for _, data := range [][]byte{
		good, good[:len(good)/2], merged,
		blankRowsXLSX(f, fuzzMaxRows*40),
		hugeCellXLSX(f, 100<<10),
		hugeCellXLSX(f, int(maxSheetXML)+1),
		withSheetXML(f, func(w io.Writer) {
			inlineRow(w, 1, "单位", "群体_x0000_")
			inlineRow(w, 3, "甲_x0001_", "乙")
			inlineRow(w, 2, "丙", "")
		}),
	} {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, err := Read(context.Background(), data, fuzzMaxRows)
		if err != nil {
			e := apperr.From(err)
			if e.Code != apperr.Invalid || e.Fields[Field] == "" || !chinese(e.Message) {
				t.Fatalf("refusal %v is not an invalid error on %q in Chinese", err, Field)
			}
			return
		}
		if len(tb.Header) == 0 || len(tb.Header) > maxColumns || len(tb.Rows) > fuzzMaxRows {
			t.Fatalf("header of %d cells, %d rows", len(tb.Header), len(tb.Rows))
		}
		for i, h := range tb.Header {
			if !safetext.Valid(h) || utf8.RuneCountInString(h) > maxCellChars {
				t.Fatalf("header cell %d %q", i, h)
			}
		}
		line := 0
		for _, r := range tb.Rows {
			if r.Line <= line || blank(r.Cells) || len(r.Cells) > maxColumns {
				t.Fatalf("row at line %d after %d: %q", r.Line, line, r.Cells)
			}
			line = r.Line
			for _, c := range r.Cells {
				if utf8.RuneCountInString(c) > maxCellChars {
					t.Fatalf("cell of %d characters at line %d", utf8.RuneCountInString(c), r.Line)
				}
			}
		}
		if _, err := tb.Map(columns); err != nil && !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("Map: %v", err)
		}
	})
}

// chinese reports whether s is readable text with Chinese in it.
func chinese(s string) bool {
	return safetext.Valid(s) && strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}
