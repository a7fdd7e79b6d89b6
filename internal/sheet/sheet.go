// Package sheet reads the tables staff and agencies upload: CSV as Excel or
// WPS saves it in China (UTF-8 with or without BOM, or GB18030/GBK) and
// Excel workbooks (.xlsx). It gives back the header and the data rows with
// the row numbers a person sees in Excel, and matches the header against
// the columns a caller expects. Every failure is an apperr invalid error on
// the field "file" with a Chinese message that says what to fix.
package sheet

import (
	"bytes"
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
// header is the first non-blank row; blank rows are skipped. For .xlsx the
// first worksheet is read, cell values as displayed (formulas give their
// saved results), and merged cells are refused. maxRows bounds the data
// rows (0 means no bound). It returns an invalid error on the field "file"
// for an empty, broken, unsupported or over-long file, merged cells, or a
// CSV row with another number of fields than the header.
func Read(data []byte, maxRows int) (*Table, error) {
	if len(bytes.TrimSpace(bytes.TrimPrefix(data, utf8BOM))) == 0 {
		return nil, fail(msgEmpty)
	}
	var t *Table
	var err error
	switch {
	case bytes.HasPrefix(data, zipMagic):
		t, err = readXLSX(data, maxRows)
	case bytes.HasPrefix(data, oleMagic):
		return nil, fail(msgOLE)
	default:
		t, err = readCSV(data, maxRows)
	}
	if err != nil {
		return nil, err
	}
	if len(t.Header) == 0 {
		return nil, fail(msgNoHeader)
	}
	return t, nil
}

// tooMany is the error for a file with more than max data rows.
func tooMany(max int) error {
	return fail(fmt.Sprintf("文件数据行数超过上限（最多 %d 行），请拆分后分批上传", max))
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

// trimTrailingBlank drops empty cells at the end of a header, as Excel
// leaves them when a column further right was once formatted.
func trimTrailingBlank(cells []string) []string {
	n := len(cells)
	for n > 0 && strings.TrimSpace(cells[n-1]) == "" {
		n--
	}
	return cells[:n]
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
