package sheet

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"minyi/internal/apperr"
	"minyi/internal/safetext"
)

// MaxRows is the most data rows Read returns, whatever a caller asks for.
const MaxRows = 10000

// Limits of one Read, against files built to be small when uploaded and
// huge or slow when read (issue 9). Variables so a test can lower them.
var (
	// maxCellChars is the longest cell. The longest legitimate field the
	// callers read is an agency's opinion of 1,000 characters
	// (agencies.MaxOpinion, surveys.MaxOpinion); a respondent's list of
	// units to rate (评价单位) runs to a few thousand for a list of about a
	// hundred units; unit names, respondent names and points are short.
	// Ten thousand characters is comfortably above all of them.
	maxCellChars = 10000
	// maxSharedStringRun is the longest text the shared strings of a
	// workbook may hold before excelize decodes them. The worksheet may
	// hold none longer than 10 bytes (the longest character reference,
	// &#1114111;) a character of maxCellChars; a shared string between that
	// and this is decoded cheaply and refused naming its cell.
	maxSharedStringRun = 1 << 20
	// maxColumns is the widest row: the column of its last non-blank cell.
	// An assessor's score sheet has a column per scored item, an agency's
	// file a dozen; Excel allows 16,384.
	maxColumns = 1000
	// maxKeptBytes bounds the text of the rows kept (each cell counts its
	// bytes and 16 more), so one long shared string repeated in every cell
	// cannot make gigabytes. 5,000 agency rows with 1,000-character
	// opinions in every one keep about 17 MB.
	maxKeptBytes int64 = 48 << 20
	// maxUnzipped bounds a workbook's parts unpacked, all together, and
	// maxSheetXML the worksheet read. A 5,000-row agency file with
	// 1,000-character opinions in every row unpacks to about 17 MB (the
	// opinions in its shared strings), its worksheet to about 1 MB; written
	// with inline strings, as some tools do, the worksheet holds them and
	// is about as large (TestReadLegitimateLimits).
	maxUnzipped int64 = 64 << 20
	maxSheetXML int64 = 32 << 20
	// maxParts bounds the number of parts of a workbook; Excel writes a
	// dozen, a few dozen more with pictures and charts.
	maxParts = 1000
	// maxXMLInMemory is the size above which excelize unpacks a worksheet
	// or the shared strings to a temporary file (in a directory of its own
	// for each Read, removed afterwards) instead of memory.
	maxXMLInMemory int64 = 4 << 20
	// parseTime is the time budget of one parse. A legitimate 5,000-row
	// file is read in well under a second.
	parseTime = 10 * time.Second
)

// Messages of the limits.
const (
	msgTooSlow    = "文件过大或过于复杂，无法在规定时间内读取，请删除多余的内容或拆分后分批上传"
	msgBusy       = "系统繁忙，请稍后再上传"
	msgUnzipped   = "文件解压后过大，无法读取，请删除多余的工作表或内容后重新上传"
	msgHeaderText = "表头第 %d 行 %s 列" + safetext.Message
	// msgLongCellSomewhere refuses a text too long for a cell whose cell
	// the scan cannot name.
	msgLongCellSomewhere = "表格中有单元格的内容超过 %d 字，请检查后重新上传"
)

var errTooSlow = fail(msgTooSlow)

// Parses at once in the process: each Read takes a slot, and waits at
// most slotWait for one.
var (
	slots    = make(chan struct{}, 2)
	slotWait = 5 * time.Second
)

// takeSlot waits for a parse slot and returns its release; unavailable
// when none frees within slotWait or ctx ends first.
func takeSlot(ctx context.Context) (func(), error) {
	timer := time.NewTimer(slotWait)
	defer timer.Stop()
	select {
	case slots <- struct{}{}:
		return func() { <-slots }, nil
	case <-timer.C:
	case <-ctx.Done():
	}
	return nil, apperr.New(apperr.Unavailable, msgBusy)
}

// collector builds a Table from the rows a format reader hands it, in
// order, and holds every limit the formats share.
type collector struct {
	ctx     context.Context
	t       *Table
	maxRows int
	// maxRead bounds the rows read in all: data, header and blank ones.
	// Blank rows get as much room again as the data rows, at least 1,000.
	maxRead int
	read    int
	kept    int64
}

func newCollector(ctx context.Context, maxRows int) *collector {
	return &collector{ctx: ctx, t: &Table{}, maxRows: maxRows, maxRead: maxRows + max(maxRows, 1000)}
}

// next counts a row about to be read, blank or not. It returns an error
// beyond maxRead rows or past the time budget.
func (c *collector) next() error {
	c.read++
	if c.read > c.maxRead {
		return overLimit(fmt.Sprintf("文件行数过多：连同空行超过 %d 行。请删除表格中多余的空行（可选中后整行删除），或拆分后分批上传", c.maxRead))
	}
	if c.ctx.Err() != nil {
		return errTooSlow
	}
	return nil
}

// take checks the row read at line against the cell and width limits and
// keeps it: the first non-blank row as the header, later non-blank ones
// as data rows (without trailing blank cells). Blank rows are dropped.
func (c *collector) take(line int, cells []string) error {
	for i, v := range cells {
		if len(v) > maxCellChars && utf8.RuneCountInString(v) > maxCellChars {
			return longCell(line, ColumnName(i))
		}
	}
	cells = trimTrailingBlank(cells)
	if len(cells) > maxColumns {
		return overLimit(fmt.Sprintf("第 %d 行在 %s 列有内容，表格最多 %d 列，请删除多余的列后重新上传",
			line, ColumnName(len(cells)-1), maxColumns))
	}
	if len(cells) == 0 {
		return nil
	}
	if c.t.Header == nil {
		for i, h := range cells {
			if !safetext.Valid(h) {
				return fail(fmt.Sprintf(msgHeaderText, line, ColumnName(i)))
			}
		}
		c.t.Header = cells
		return nil
	}
	if len(c.t.Rows) == c.maxRows {
		return overLimit(fmt.Sprintf("文件数据行数超过上限（最多 %d 行），请拆分后分批上传", c.maxRows))
	}
	for _, v := range cells {
		c.kept += int64(len(v)) + 16
	}
	if c.kept > maxKeptBytes {
		return overLimit(fmt.Sprintf("文件内容过多（单元格文字合计超过 %d MB），请拆分后分批上传", maxKeptBytes>>20))
	}
	c.t.Rows = append(c.t.Rows, Row{Line: line, Cells: cells})
	return nil
}

// longCell is the refusal of the cell at line and column col.
func longCell(line int, col string) error {
	return overLimit(fmt.Sprintf("第 %d 行 %s 列的内容超过 %d 字，请检查该单元格（是否粘贴了多余的内容）后重新上传", line, col, maxCellChars))
}

// trimTrailingBlank drops empty cells at the end of a row, as Excel
// leaves them when a column further right was once formatted.
func trimTrailingBlank(cells []string) []string {
	n := len(cells)
	for n > 0 && strings.TrimSpace(cells[n-1]) == "" {
		n--
	}
	return cells[:n]
}
