package server_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"minyi/internal/safetext"
	"minyi/internal/sheet/sheettest"
	"minyi/internal/testutil/apptest"
)

// Spreadsheet bombs (issue 9, finding 1): every route that reads an
// uploaded table refuses them with a Chinese reason, within the client's
// 30-second timeout, instead of unpacking them.

type sheetBomb struct {
	name, words string
	data        []byte
}

// sheetBombs returns the hostile files with the given header: a worksheet
// of a million blank rows, 60,000 blank rows without numbers (walked in
// quadratic time by excelize when the worksheet was loaded whole), a
// 40 MB cell, a 100 KB cell, and 200,000 CSV rows of commas, each with
// the words its refusal must contain.
func sheetBombs(t *testing.T, header ...string) []sheetBomb {
	t.Helper()
	unnumbered := sheettest.WithSheetXML(t, func(w io.Writer) {
		sheettest.Row(w, 1, header...)
		io.WriteString(w, strings.Repeat("<row/>", 60000))
	})
	return []sheetBomb{
		{"blank rows", "行数过多", sheettest.BlankRowsXLSX(t, header, 1_000_000)},
		{"blank rows without numbers", "行数过多", unnumbered},
		{"40 MB cell", "文件解压后过大", sheettest.HugeCellXLSX(t, header, 40<<20)},
		{"100 KB cell", "第 2 行 A 列的内容超过 10000 字", sheettest.HugeCellXLSX(t, header, 100<<10)},
		{"csv rows of commas", "行数过多", sheettest.BlankLinesCSV(header, 200_000)},
	}
}

func TestAgencyAPIRefusesSheetBombs(t *testing.T) {
	w := newAgencyWorld(t)
	for _, b := range sheetBombs(t, "答卷编号", "单位", "受访群体", "总体满意度") {
		r := w.postFile(t, w.token, "bomb.xlsx", b.data)
		wantAPIError(t, r, http.StatusUnprocessableEntity, "invalid", "file")
		if !strings.Contains(string(r.Body), b.words) {
			t.Errorf("%s: %s", b.name, r.Body)
		}
	}
	// An ordinary file afterwards is read and its valid rows stored.
	var up agencyUploadReply
	w.postFile(t, w.token, "ok.csv", []byte("答卷编号,单位,受访群体,总体满意度\nB1,ZWZX,人大代表,5\nB2,ZWZX,人大代表,9\n")).
		decode(t, http.StatusOK, &up)
	if up.RowsStored != 1 || up.RowsInvalid != 1 {
		t.Errorf("ordinary upload: %+v", up)
	}
	if n := w.count(t, `SELECT count(*) FROM survey_uploads`); n != 1 {
		t.Errorf("%d uploads recorded, want only the ordinary one", n)
	}
}

func TestRespondentImportRefusesSheetBombs(t *testing.T) {
	w := newSurveyWorld(t, apptest.Options{})
	s := w.createSurvey(t, map[string]any{"groups": []map[string]any{{"key": "npc_deputies"}}})
	path := "/console/surveys/" + itoa(s.ID) + "/respondents/import"
	for _, b := range sheetBombs(t, "姓名", "群体") {
		if p := postFile(t, w.office, path, "名单.xlsx", b.data); p.Status != http.StatusUnprocessableEntity || !p.has(b.words) {
			t.Errorf("%s: %d %s", b.name, p.Status, pageText(p.Body))
		}
	}
}

func TestScoreSheetRefusesSheetBombs(t *testing.T) {
	w := newAssessWorld(t)
	ua := signedIn(t, w.app, "unit-a", "unit-pass-a")
	path := "/console/cycles/" + itoa(w.cycle) + "/assessment/score/upload"
	for _, b := range sheetBombs(t, "单位", "预算执行") {
		if p := postMultipart(t, ua, path, map[string]string{}, "s.xlsx", b.data); p.Status != http.StatusUnprocessableEntity || !p.has(b.words) {
			t.Errorf("%s: %d %s", b.name, p.Status, pageText(p.Body))
		}
	}
}

// pageText cuts a page for a failure message.
func pageText(body string) string {
	if len(body) > 2000 {
		return body[:2000] + "…"
	}
	return body
}

// A NUL or another control character in one row of a batch or a file is
// reported for that row and field; the other rows are stored.
func TestAgencyUploadUnreadableText(t *testing.T) {
	w := newAgencyWorld(t)
	var up agencyUploadReply
	w.postBatch(t, w.token, goodRow("N1"), withField(goodRow("N2"), "opinion", "好\u0000"),
		withField(goodRow("N3"), "unit", "ZWZX\u0007"), goodRow("N4")).decode(t, http.StatusOK, &up)
	if up.RowsStored != 2 || up.RowsInvalid != 2 || up.errorAt(2, "opinion") != safetext.Message || up.errorAt(3, "unit") != safetext.Message {
		t.Errorf("batch: %+v", up)
	}
	file := xlsxFile(t, [][]any{{"答卷编号", "单位", "受访群体", "总体满意度", "意见建议"},
		{"F1", "ZWZX", "人大代表", 5, "好"}, {"F2", "ZWZX", "人大代表", 5, "好_x0000_"}, {"F3", "ZWZX", "人大代表", 4, ""}}, nil)
	w.postFile(t, w.token, "名单.xlsx", file).decode(t, http.StatusOK, &up)
	if up.RowsStored != 2 || up.RowsInvalid != 1 || up.errorAt(3, "opinion") != safetext.Message || up.Filename != "名单.xlsx" {
		t.Errorf("file: %+v", up)
	}
	if e := up.Report.Errors; len(e) != 1 || e[0].Column != "意见建议" || e[0].ResponseID != "F2" {
		t.Errorf("file report: %+v", e)
	}
	if n := w.count(t, `SELECT count(*) FROM survey_responses`); n != 4 {
		t.Errorf("%d responses stored, want 4", n)
	}
	if n := w.count(t, fmt.Sprintf(`SELECT count(*) FROM survey_responses WHERE agency_response_id IN ('%s', '%s', '%s')`, "N2", "N3", "F2")); n != 0 {
		t.Errorf("%d unreadable rows stored", n)
	}
}
