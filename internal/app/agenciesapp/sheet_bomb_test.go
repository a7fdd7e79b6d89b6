package agenciesapp_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"minyi/internal/safetext"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// Spreadsheet bombs (issue 9, finding 1): every route that reads an
// uploaded table refuses them with a Chinese reason, within the client's
// 30-second timeout, instead of unpacking them.

func TestAgencyAPIRefusesSheetBombs(t *testing.T) {
	w := fixtures.NewAgencyWorld(t)
	for _, b := range fixtures.SheetBombs(t, "答卷编号", "单位", "受访群体", "总体满意度") {
		r := w.PostFile(t, w.Token, "bomb.xlsx", b.Data)
		apptest.WantAPIError(t, r, http.StatusUnprocessableEntity, "invalid", "file")
		if !strings.Contains(string(r.Body), b.Words) {
			t.Errorf("%s: %s", b.Name, r.Body)
		}
	}
	// An ordinary file afterwards is read and its valid rows stored.
	var up agencyUploadReply
	w.PostFile(t, w.Token, "ok.csv", []byte("答卷编号,单位,受访群体,总体满意度\nB1,ZWZX,人大代表,5\nB2,ZWZX,人大代表,9\n")).
		Decode(t, http.StatusOK, &up)
	if up.RowsStored != 1 || up.RowsInvalid != 1 {
		t.Errorf("ordinary upload: %+v", up)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM survey_uploads`); n != 1 {
		t.Errorf("%d uploads recorded, want only the ordinary one", n)
	}
}

// A NUL or another control character in one row of a batch or a file is
// reported for that row and field; the other rows are stored.
func TestAgencyUploadUnreadableText(t *testing.T) {
	w := fixtures.NewAgencyWorld(t)
	var up agencyUploadReply
	postBatch(t, w, w.Token, goodRow("N1"), withField(goodRow("N2"), "opinion", "好\u0000"),
		withField(goodRow("N3"), "unit", "ZWZX\u0007"), goodRow("N4")).Decode(t, http.StatusOK, &up)
	if up.RowsStored != 2 || up.RowsInvalid != 2 || up.errorAt(2, "opinion") != safetext.Message || up.errorAt(3, "unit") != safetext.Message {
		t.Errorf("batch: %+v", up)
	}
	file := xlsxFile(t, [][]any{{"答卷编号", "单位", "受访群体", "总体满意度", "意见建议"},
		{"F1", "ZWZX", "人大代表", 5, "好"}, {"F2", "ZWZX", "人大代表", 5, "好_x0000_"}, {"F3", "ZWZX", "人大代表", 4, ""}}, nil)
	w.PostFile(t, w.Token, "名单.xlsx", file).Decode(t, http.StatusOK, &up)
	if up.RowsStored != 2 || up.RowsInvalid != 1 || up.errorAt(3, "opinion") != safetext.Message || up.Filename != "名单.xlsx" {
		t.Errorf("file: %+v", up)
	}
	if e := up.Report.Errors; len(e) != 1 || e[0].Column != "意见建议" || e[0].ResponseID != "F2" {
		t.Errorf("file report: %+v", e)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM survey_responses`); n != 4 {
		t.Errorf("%d responses stored, want 4", n)
	}
	if n := w.App.Count(t, fmt.Sprintf(`SELECT count(*) FROM survey_responses WHERE agency_response_id IN ('%s', '%s', '%s')`, "N2", "N3", "F2")); n != 0 {
		t.Errorf("%d unreadable rows stored", n)
	}
}
