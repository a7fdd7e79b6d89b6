package sheet

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"minyi/internal/sheet/sheettest"
)

// Hostile files as the security test built them (issue 9, finding 1),
// with a two-column header.
var bombHeader = []string{"单位", "群体"}

var (
	withSheetXML = sheettest.WithSheetXML
	inlineRow    = sheettest.Row
)

func blankRowsXLSX(tb testing.TB, n int) []byte { return sheettest.BlankRowsXLSX(tb, bombHeader, n) }
func hugeCellXLSX(tb testing.TB, size int) []byte {
	return sheettest.HugeCellXLSX(tb, bombHeader, size)
}
func blankLinesCSV(n int) []byte   { return sheettest.BlankLinesCSV(bombHeader, n) }
func hugeFieldCSV(size int) []byte { return sheettest.HugeFieldCSV(bombHeader, size) }

// Every row read counts, blank or not, so a sheet of blank rows is refused
// after a bounded number of them instead of being walked to the end.
func TestReadCountsBlankRows(t *testing.T) {
	gap := withSheetXML(t, func(w io.Writer) {
		inlineRow(w, 1, "单位", "群体")
		inlineRow(w, 20000, "市税务局", "人大代表")
	})
	noNumbers := withSheetXML(t, func(w io.Writer) {
		inlineRow(w, 1, "单位", "群体")
		io.WriteString(w, strings.Repeat("<row/>", 20000))
	})
	cases := []struct {
		name string
		data []byte
	}{
		{"blank rows", blankRowsXLSX(t, 20000)},
		{"blank rows without numbers", noNumbers},
		{"one row far down", gap},
		{"csv rows of commas", blankLinesCSV(20000)},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			_, err := read(tt.data, 5000)
			wantFileError(t, err, "行数过多", "空行")
		})
	}
	// Blank rows within the slack are skipped as before.
	tb, err := read(withSheetXML(t, func(w io.Writer) {
		inlineRow(w, 1, "单位", "群体")
		for i := 2; i < 100; i++ {
			fmt.Fprintf(w, `<row r="%d"/>`, i)
		}
		inlineRow(w, 100, "市税务局", "人大代表")
	}), 10)
	if err != nil || cells(tb) != "单位,群体|100:市税务局,人大代表|" {
		t.Fatalf("blank rows within the slack: %v", err)
	}
}

// A worksheet that unpacks beyond the cap is refused before it is read.
func TestReadRefusesHugeWorksheet(t *testing.T) {
	data := hugeCellXLSX(t, int(maxSheetXML)+1)
	if len(data) > 1<<20 {
		t.Fatalf("bomb of %d bytes is not small when packed", len(data))
	}
	_, err := read(data, 5000)
	wantFileError(t, err, "解压后过大")
}

// One long shared string repeated in every cell would keep gigabytes;
// the text kept is capped.
func TestReadRefusesRepeatedSharedStrings(t *testing.T) {
	long := strings.Repeat("x", 5000)
	data := workbook(t, [][]any{{"a", "b", "c", "d", "e"}}, func(f *excelize.File, sheet string) {
		row := []any{long, long, long, long, long}
		for r := 2; r <= 3001; r++ {
			f.SetSheetRow(sheet, fmt.Sprintf("A%d", r), &row)
		}
	})
	_, err := read(data, 5000)
	wantFileError(t, err, "内容过多")
}

// twoHundredRows is a workbook whose worksheet is larger than 1 KB.
func twoHundredRows(t *testing.T) []byte {
	rows := [][]any{{"单位", "群体"}}
	for i := 0; i < 200; i++ {
		rows = append(rows, []any{fmt.Sprintf("单位%d", i), "人大代表"})
	}
	return workbook(t, rows, nil)
}

// Worksheets above the in-memory size are unpacked to temporary files;
// none is left behind, also when a later part of the zip is corrupt.
func TestReadXLSXRemovesTempFiles(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	defer func(x int64) { maxXMLInMemory = x }(maxXMLInMemory)
	maxXMLInMemory = 1 << 10
	good := twoHundredRows(t)
	if tb, err := read(good, 5000); err != nil || len(tb.Rows) != 200 {
		t.Fatalf("read: %v", err)
	}
	_, err := read(corruptAfterSheet(t, good), 5000)
	wantFileError(t, err, "已损坏")
	left, _ := os.ReadDir(dir)
	for _, e := range left {
		t.Errorf("left behind: %s", e.Name())
	}
}

// Without a writable temporary directory (a read-only file system) a
// workbook is read in memory instead.
func TestReadXLSXWithoutTempDir(t *testing.T) {
	notDir := t.TempDir() + "/file"
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", notDir)
	defer func(x int64) { maxXMLInMemory = x }(maxXMLInMemory)
	maxXMLInMemory = 1 << 10
	if tb, err := read(twoHundredRows(t), 5000); err != nil || len(tb.Rows) != 200 {
		t.Fatalf("read: %v", err)
	}
}

// corruptAfterSheet spoils the packed data of the first part stored after
// the first worksheet, keeping the sizes the zip declares.
func corruptAfterSheet(t *testing.T, data []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	after := false
	for _, f := range zr.File {
		if after {
			off, err := f.DataOffset()
			if err != nil {
				t.Fatal(err)
			}
			out := bytes.Clone(data)
			for i := off; i < off+int64(f.CompressedSize64); i++ {
				out[i] ^= 0x55
			}
			return out
		}
		after = f.Name == "xl/worksheets/sheet1.xml"
	}
	t.Fatal("no part after the worksheet")
	return nil
}

// Reading a bomb allocates a bounded amount and leaves the heap where it
// was: nothing of it is kept.
func TestReadBombMemory(t *testing.T) {
	bombs := map[string][]byte{
		"a million blank rows":     blankRowsXLSX(t, 1_000_000),
		"a 200 MB cell":            hugeCellXLSX(t, 200<<20),
		"a million rows of commas": blankLinesCSV(1_000_000),
	}
	for name, data := range bombs {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := read(data, 5000)
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Error("bomb read without an error")
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("reading allocated %d MB, want at most 64 MB", alloc>>20)
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			if after.HeapAlloc > before.HeapAlloc+8<<20 {
				t.Errorf("heap %d MB after reading, %d MB before", after.HeapAlloc>>20, before.HeapAlloc>>20)
			}
		})
	}
}

// A cell far beyond the limit is found by a byte scan before excelize
// decodes it (which takes seconds and hundreds of MB for 30 MB), in the
// worksheet (naming the cell) and in the shared strings.
func TestReadLongTextFoundBeforeDecoding(t *testing.T) {
	cases := []struct {
		name, words string
		data        []byte
	}{
		{"inline string", "第 2 行 A 列的内容超过 10000 字", hugeCellXLSX(t, 30<<20)},
		{"shared string", "表格中有单元格的内容超过 10000 字", rewritePart(t, workbook(t, [][]any{{"单位"}, {"占位"}}, nil),
			"xl/sharedStrings.xml", func(s string) string { return strings.Replace(s, "占位", strings.Repeat("长", 1<<20), 1) })},
	}
	for _, tt := range cases {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := read(tt.data, 5000)
		runtime.ReadMemStats(&after)
		if wantFileError(t, err, tt.words); t.Failed() {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
			t.Errorf("%s: reading allocated %d MB, want at most 16 MB", tt.name, alloc>>20)
		}
	}
}
