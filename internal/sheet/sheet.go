// Package sheet reads the tables staff and agencies upload: CSV as Excel or
// WPS saves it in China (UTF-8 with or without BOM, or GB18030/GBK) and
// Excel workbooks (.xlsx). It gives back the header and the data rows with
// the row numbers a person sees in Excel, and matches the header against
// the columns a caller expects. Every failure is an apperr invalid error on
// the field "file" with a Chinese message that says what to fix.
package sheet

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/xuri/excelize/v2"

	"minyi/internal/apperr"
)

// Formats of a table.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// Field is the field name every error of this package carries.
const Field = "file"

// Table is an uploaded table: its header and its non-blank data rows.
type Table struct {
	Format string // FormatCSV or FormatXLSX
	// Sheet is the name of the worksheet read (xlsx only).
	Sheet  string
	Header []string
	Rows   []Row
}

// Row is one data row.
type Row struct {
	// Line is the row number as a person sees it in Excel, or the line the
	// record starts on in the CSV; 1-based, the header's row is the first
	// non-blank one (normally 1).
	Line  int
	Cells []string
}

// Signatures that tell file formats apart by content.
var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	utf8BOM  = []byte{0xEF, 0xBB, 0xBF}
)

// Messages shared by both formats.
const (
	msgEmpty       = "文件为空"
	msgBroken      = "文件已损坏或不完整，无法读取，请重新导出后上传"
	msgUnsupported = "不支持该文件格式，请上传 CSV 或 Excel（.xlsx）文件"
	msgOLE         = "不支持旧版 Excel（.xls）文件或带密码的 Excel 文件，请在 Excel 中另存为 .xlsx（不设密码）或 CSV 后上传"
	msgNoHeader    = "文件没有表头行，第一行应为列名"
)

// fail returns the invalid error every failure of this package is.
func fail(message string) error { return apperr.InvalidField(Field, message) }

// Read parses an uploaded CSV or .xlsx file, telling them apart by content
// (an .xlsx is a zip archive), and returns its header and data rows. The
// header is the first non-blank row; blank rows are skipped but counted.
// For .xlsx the first worksheet is read, cell values as displayed
// (formulas give their saved results), and merged cells are refused.
// maxRows bounds the data rows (0 or more than MaxRows means MaxRows).
//
// A hostile file costs a bounded amount (see limits.go): every row read
// counts, blank or not; a cell, a row's width, the text kept and a
// workbook's unpacked size are capped; the parse has a time budget; and
// at most two files are parsed at once in the process.
//
// It returns an invalid error on the field "file" for an empty, broken,
// unsupported, over-long or over-large file, merged cells, a CSV row with
// another number of fields than the header, a cell beyond the limits, a
// header with unreadable characters, or a file not read within the time
// budget; and unavailable when other files keep every parse slot busy
// for longer than a caller should wait. Data cells are returned as the
// file has them: a caller checks them with safetext, row by row.
func Read(ctx context.Context, data []byte, maxRows int) (_ *Table, err error) {
	defer func() { observe(ctx, err) }()
	if len(bytes.TrimSpace(bytes.TrimPrefix(data, utf8BOM))) == 0 {
		return nil, fail(msgEmpty)
	}
	if bytes.HasPrefix(data, oleMagic) {
		return nil, fail(msgOLE)
	}
	if maxRows <= 0 || maxRows > MaxRows {
		maxRows = MaxRows
	}
	release, err := takeSlot(ctx)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, parseTime)
	type result struct {
		t   *Table
		err error
	}
	done := make(chan result, 1)
	// The parse runs on its own goroutine so the caller is answered at the
	// deadline even inside a slow step; the parse keeps its slot until it
	// notices the deadline (at its next row) and returns.
	go func() {
		defer release()
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				done <- result{err: fail(msgBroken)}
			}
		}()
		t, err := parse(ctx, data, maxRows)
		done <- result{t, err}
	}()
	select {
	case r := <-done:
		return r.t, r.err
	case <-ctx.Done():
		select {
		case r := <-done:
			return r.t, r.err
		default:
			return nil, errTooSlow
		}
	}
}

// parse reads data as an .xlsx or a CSV file within the limits.
func parse(ctx context.Context, data []byte, maxRows int) (*Table, error) {
	c := newCollector(ctx, maxRows)
	var err error
	if bytes.HasPrefix(data, zipMagic) {
		err = readXLSX(c, data)
	} else {
		err = readCSV(c, data)
	}
	if err != nil {
		return nil, err
	}
	if len(c.t.Header) == 0 {
		return nil, fail(msgNoHeader)
	}
	return c.t, nil
}

// blank reports whether every cell is empty or white space.
func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// ColumnName returns the Excel name of the 0-based column index: 0 → A.
func ColumnName(index int) string {
	name, err := excelize.ColumnNumberToName(index + 1)
	if err != nil {
		return fmt.Sprint(index + 1)
	}
	return name
}

// normalizeHeader folds a header text for matching: trimmed (also of
// full-width spaces), lower case, without a trailing required mark "*" or
// a note such as "（必填）" / "(选填)".
func normalizeHeader(s string) string {
	s = strings.TrimFunc(s, unicode.IsSpace)
	for _, suffix := range []string{"*", "＊", "（必填）", "(必填)", "（选填）", "(选填)"} {
		s = strings.TrimFunc(strings.TrimSuffix(s, suffix), unicode.IsSpace)
	}
	s = strings.TrimPrefix(s, "*")
	return strings.ToLower(strings.TrimFunc(s, unicode.IsSpace))
}

// Filename returns the name of an uploaded file as it may be stored and
// shown: its base name, without unreadable bytes or control characters,
// at most 200 characters.
func Filename(name string) string {
	if i := strings.LastIndexAny(name, "/\\"); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, strings.ToValidUTF8(name, ""))
	name = strings.TrimSpace(name)
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	return name
}
