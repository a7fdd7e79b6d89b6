package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Limits against zip bombs: a workbook may unpack to at most
// maxUnzipped bytes in all, and parts larger than maxXMLInMemory are
// unpacked to a temporary file instead of memory. Variables so a test can
// lower them.
var (
	maxUnzipped    int64 = 256 << 20
	maxXMLInMemory int64 = 32 << 20
)

// readXLSX reads the first worksheet of a workbook.
func readXLSX(data []byte, maxRows int) (*Table, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    maxUnzipped,
		UnzipXMLSizeLimit: maxXMLInMemory,
		// Dates appear as the office writes them, whatever the cell's
		// regional short-date format.
		ShortDatePattern: "yyyy-mm-dd",
		CultureInfo:      excelize.CultureNameZhCN,
	})
	if err != nil {
		return nil, xlsxError(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, fail(msgBroken)
	}
	t := &Table{Format: FormatXLSX, Sheet: sheets[0]}
	merged, err := f.GetMergeCells(t.Sheet)
	if err != nil {
		return nil, xlsxError(err)
	}
	if len(merged) > 0 {
		return nil, fail(mergedMessage(merged))
	}
	rows, err := f.Rows(t.Sheet)
	if err != nil {
		return nil, xlsxError(err)
	}
	defer rows.Close()
	line := 0
	for rows.Next() {
		line++
		cells, err := rows.Columns()
		if err != nil {
			return nil, xlsxError(err)
		}
		if blank(cells) {
			continue
		}
		if t.Header == nil {
			t.Header = trimTrailingBlank(cells)
			continue
		}
		if maxRows > 0 && len(t.Rows) == maxRows {
			return nil, tooMany(maxRows)
		}
		t.Rows = append(t.Rows, Row{Line: line, Cells: cells})
	}
	if err := rows.Error(); err != nil {
		return nil, xlsxError(err)
	}
	return t, nil
}

// mergedMessage names the merged ranges, at most three of them.
func mergedMessage(merged []excelize.MergeCell) string {
	refs := make([]string, 0, 3)
	for _, m := range merged[:min(len(merged), 3)] {
		refs = append(refs, m.GetStartAxis()+":"+m.GetEndAxis())
	}
	list := strings.Join(refs, "、")
	if len(merged) > 3 {
		list += fmt.Sprintf(" 等 %d 处", len(merged))
	}
	return "表格含合并单元格（" + list + "），请取消合并后重新上传"
}

// xlsxError turns an excelize or zip error into a Chinese message; the
// details do not help the person uploading.
func xlsxError(err error) error {
	switch {
	case strings.Contains(err.Error(), "unzip size exceeds"):
		return fail("文件解压后过大，无法读取，请删除多余的工作表或内容后重新上传")
	case errors.Is(err, excelize.ErrWorkbookFileFormat), errors.Is(err, excelize.ErrWorkbookPassword):
		return fail(msgOLE)
	}
	return fail(msgBroken)
}
