package sheet

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"

	"minyi/internal/apperr"
)

// readXLSX reads the first worksheet of a workbook into c. The zip's
// declared sizes are checked first (Go's zip reader holds every part to
// its declared size), the worksheet and shared strings are scanned for
// texts too long for a cell and merged cells, and the rows are read with
// excelize's streaming iterator, never by loading the worksheet whole. Parts excelize unpacks to
// temporary files go to a directory of this read's own, removed at the
// end whatever happens (excelize leaves its files behind when a later
// part of the zip is corrupt).
func readXLSX(c *collector, data []byte) error {
	sheetPart, sharedStrings, err := checkZip(data)
	if err != nil {
		return err
	}
	if err := scanParts(c.ctx, sheetPart, sharedStrings); err != nil {
		return err
	}
	inMemory := min(maxXMLInMemory, maxUnzipped)
	tmp, err := os.MkdirTemp("", "minyi-sheet-")
	if err == nil {
		defer os.RemoveAll(tmp)
	} else {
		// No writable temporary directory (a read-only file system): every
		// part is read in memory, within maxUnzipped.
		tmp, inMemory = "", maxUnzipped
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    maxUnzipped,
		UnzipXMLSizeLimit: inMemory,
		TmpDir:            tmp,
		// Dates appear as the office writes them, whatever the cell's
		// regional short-date format.
		ShortDatePattern: "yyyy-mm-dd",
		CultureInfo:      excelize.CultureNameZhCN,
	})
	if f != nil {
		defer f.Close()
	}
	if err != nil {
		return xlsxError(err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return fail(msgBroken)
	}
	c.t.Format, c.t.Sheet = FormatXLSX, sheets[0]
	rows, err := f.Rows(c.t.Sheet)
	if err != nil {
		return xlsxError(err)
	}
	defer rows.Close()
	// Next steps over rows missing from the XML too, so line is the row
	// number Excel shows and a jump to row 1,000,000 counts as what it is.
	for line := 1; rows.Next(); line++ {
		if err := c.next(); err != nil {
			return err
		}
		cells, err := rows.Columns()
		if err != nil {
			return xlsxError(err)
		}
		if err := c.take(line, cells); err != nil {
			return err
		}
	}
	if err := rows.Error(); err != nil {
		return xlsxError(err)
	}
	return nil
}

// scanParts scans the worksheet and the shared strings (nil for none)
// before excelize reads them: a text too long for any cell is refused, in
// the worksheet naming its cell; a worksheet with merged cells is refused
// naming them (found by decoding it only when the scan saw <mergeCell>).
func scanParts(ctx context.Context, sheetPart, sharedStrings *zip.File) error {
	sheet, err := scanPart(sheetPart, 10*maxCellChars)
	if err != nil {
		return err
	}
	if sheet.longText {
		col, row, err := excelize.SplitCellName(sheet.cell)
		if err != nil {
			return overLimit(fmt.Sprintf(msgLongCellSomewhere, maxCellChars))
		}
		return longCell(row, col)
	}
	if sharedStrings != nil {
		sst, err := scanPart(sharedStrings, maxSharedStringRun)
		if err != nil {
			return err
		}
		if sst.longText {
			return overLimit(fmt.Sprintf(msgLongCellSomewhere, maxCellChars))
		}
	}
	if !sheet.merged {
		return nil
	}
	merged, err := mergedCells(ctx, sheetPart)
	if err != nil {
		return err
	}
	if len(merged.refs) > 0 {
		return fail(mergedMessage(merged))
	}
	return nil
}

// merges is what mergedCells found: the first few ranges and how many.
type merges struct {
	refs  []string
	count int
}

// mergedMessage names the merged ranges, at most three of them.
func mergedMessage(m merges) string {
	list := strings.Join(m.refs, "、")
	if m.count > len(m.refs) {
		list += fmt.Sprintf(" 等 %d 处", m.count)
	}
	return "表格含合并单元格（" + list + "），请取消合并后重新上传"
}

// xlsxError turns an excelize or zip error into a Chinese message; the
// details do not help the person uploading.
func xlsxError(err error) error {
	switch {
	case apperr.Is(err, apperr.Invalid):
		return err
	case strings.Contains(err.Error(), "unzip size exceeds"):
		return fail(msgUnzipped)
	case errors.Is(err, excelize.ErrWorkbookFileFormat), errors.Is(err, excelize.ErrWorkbookPassword):
		return fail(msgOLE)
	}
	return fail(msgBroken)
}
