// Package sheettest builds hostile spreadsheets for tests: files small
// when packed and huge or slow when read, as the security test of issue 9
// built them (a worksheet of blank rows, one enormous cell), and the same
// kinds in CSV.
package sheettest

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// WithSheetXML returns an excelize-made workbook whose first worksheet's
// <sheetData> holds what write writes, so a test can shape the XML freely.
func WithSheetXML(tb testing.TB, write func(w io.Writer)) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	base, err := f.WriteToBuffer()
	if err != nil {
		tb.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(base.Bytes()), int64(base.Len()))
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, part := range zr.File {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: part.Name, Method: zip.Deflate})
		if err != nil {
			tb.Fatal(err)
		}
		if part.Name == "xl/worksheets/sheet1.xml" {
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
				`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
			write(w)
			io.WriteString(w, `</sheetData></worksheet>`)
			continue
		}
		rc, err := part.Open()
		if err != nil {
			tb.Fatal(err)
		}
		io.Copy(w, rc)
		rc.Close()
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

// Row writes row r with inline-string cells from column A; the texts are
// written as they are, so they may hold Excel's escapes such as _x0000_.
func Row(w io.Writer, r int, cells ...string) {
	fmt.Fprintf(w, `<row r="%d">`, r)
	for i, c := range cells {
		col, _ := excelize.ColumnNumberToName(i + 1)
		fmt.Fprintf(w, `<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>`, col, r, c)
	}
	io.WriteString(w, `</row>`)
}

// BlankRowsXLSX is the header row followed by n blank <row r="N"/> elements.
func BlankRowsXLSX(tb testing.TB, header []string, n int) []byte {
	return WithSheetXML(tb, func(w io.Writer) {
		Row(w, 1, header...)
		for i := 2; i < n+2; i++ {
			fmt.Fprintf(w, `<row r="%d"/>`, i)
		}
	})
}

// HugeCellXLSX is the header row and one row whose first cell is an
// inline string of size bytes.
func HugeCellXLSX(tb testing.TB, header []string, size int) []byte {
	return WithSheetXML(tb, func(w io.Writer) {
		Row(w, 1, header...)
		io.WriteString(w, `<row r="2"><c r="A2" t="inlineStr"><is><t>`)
		chunk := strings.Repeat("x", 1<<16)
		for left := size; left > 0; left -= len(chunk) {
			io.WriteString(w, chunk[:min(left, len(chunk))])
		}
		io.WriteString(w, `</t></is></c></row>`)
	})
}

// BlankLinesCSV is the header line followed by n empty lines and n lines
// of commas only.
func BlankLinesCSV(header []string, n int) []byte {
	return []byte(strings.Join(header, ",") + "\n" + strings.Repeat("\n", n) + strings.Repeat(",\n", n))
}

// HugeFieldCSV is the header line and one record whose first field has
// size bytes.
func HugeFieldCSV(header []string, size int) []byte {
	return []byte(strings.Join(header, ",") + "\n\"" + strings.Repeat("x", size) + "\"" + strings.Repeat(",甲", len(header)-1) + "\n")
}
