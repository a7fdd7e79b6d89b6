package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// readCSV parses a CSV file in UTF-8 (with or without BOM), UTF-16 with
// BOM (Excel's "Unicode text") or GB18030/GBK into c. The separator is a
// comma, or a tab when the first line has tabs and no comma. Empty lines
// are skipped by the CSV reader itself at no cost; every record it
// returns, blank ones (",,,") too, counts as a row read.
func readCSV(c *collector, data []byte) error {
	text, err := decodeText(data)
	if err != nil {
		return err
	}
	comma := ','
	first, _, _ := strings.Cut(text, "\n")
	if strings.Contains(first, "\t") && !strings.Contains(first, ",") {
		comma = '\t'
	}
	if err := checkFieldCounts(text, byte(comma)); err != nil {
		return err
	}
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	r.Comma = comma
	c.t.Format = FormatCSV
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return csvError(err)
		}
		if err := c.next(); err != nil {
			return err
		}
		line, _ := r.FieldPos(0)
		if width := len(c.t.Header); width > 0 && !blank(rec) {
			// Extra empty fields at the end are harmless (Excel pads rows
			// to the widest one); anything else means a field too many or
			// too few.
			if n := len(trimTrailingBlank(rec)); n > width || len(rec) < width {
				return fail(fmt.Sprintf("第 %d 行有 %d 列，表头有 %d 列，请检查该行是否多了或少了逗号（含逗号的内容须用英文双引号括起）",
					line, max(n, len(rec)), width))
			}
			rec = rec[:width]
		}
		if err := c.take(line, rec); err != nil {
			return err
		}
	}
}

// maxCSVFields is the most fields a CSV record may have before it is
// parsed: Excel's 16,384 columns. The CSV reader keeps some 40 bytes per
// field of a record, so a line of ten million commas would take hundreds
// of megabytes.
const maxCSVFields = 16384

// checkFieldCounts refuses a record with more than maxCSVFields fields,
// counting separators outside double quotes line by line as the CSV
// reader will split them.
func checkFieldCounts(text string, comma byte) error {
	line, start, fields, quoted := 1, 1, 1, false
	for i := 0; i < len(text); i++ {
		switch b := text[i]; {
		case b == '"':
			quoted = !quoted
		case b == '\n':
			line++
			if !quoted {
				start, fields = line, 1
			}
		case b == comma && !quoted:
			if fields++; fields > maxCSVFields {
				return overLimit(fmt.Sprintf("第 %d 行的列数超过 %d 列，文件可能已损坏，请重新导出后上传", start, maxCSVFields))
			}
		}
	}
	return nil
}

// csvError turns a parse error into a Chinese message naming the line.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote) {
			return fail(fmt.Sprintf("第 %d 行格式有误：引号不成对，请检查该行的英文双引号，或重新导出后上传", pe.StartLine))
		}
		return fail(fmt.Sprintf("第 %d 行格式有误，无法读取，请重新导出后上传", pe.StartLine))
	}
	return fail(msgBroken)
}

// decodeText returns the file as UTF-8 text. Binary content (a PDF, an
// image, a zip that is not a workbook) is refused as an unsupported format.
func decodeText(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, utf8BOM):
		data = data[len(utf8BOM):]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		out, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		if err != nil {
			return "", fail(msgBroken)
		}
		data = out
	}
	if looksBinary(data) {
		return "", fail(msgUnsupported)
	}
	if utf8.Valid(data) {
		return string(data), nil
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
		return "", fail("文件编码无法识别，请将 CSV 保存为 UTF-8 或 GBK 编码后上传")
	}
	return string(out), nil
}

// looksBinary reports whether data holds control bytes no text file has:
// NUL, or other C0 controls than tab, line feed, carriage return and form feed.
func looksBinary(data []byte) bool {
	head := data[:min(len(data), 8192)]
	if bytes.HasPrefix(head, []byte("%PDF")) {
		return true
	}
	for _, b := range head {
		if b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' {
			return true
		}
	}
	return false
}
