package surveys_test

import (
	"testing"

	"minyi/internal/safetext"
)

// A cell with a NUL (Excel's _x0000_) or another control character makes
// its row invalid, reported by row and column; the other rows are added
// and the file name is stored without unreadable bytes.
func TestImportRespondentsUnreadableText(t *testing.T) {
	w := newWorld(t)
	s := w.survey(t, true)
	book := xlsxOf(t, [][]string{{"姓名", "群体", "工作单位"},
		{"张三", "人大代表", "市一中"}, {"李_x0000_四", "人大代表", ""}, {"王五", "人大代表", "市_x0001_二中"}, {"赵六", "人大代表", ""}})
	rep, err := w.importFile(s.ID, "名单\x00\xff.xlsx", book)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if rep.Added != 2 || rep.Invalid != 2 || len(rep.Errors) != 2 || rep.Filename != "名单.xlsx" {
		t.Fatalf("report %+v", rep)
	}
	want := map[int]string{3: "name/姓名", 4: "organisation/工作单位"}
	for _, e := range rep.Errors {
		if want[e.Row] != e.Field+"/"+e.Column || e.Message != safetext.Message {
			t.Errorf("error %+v", e)
		}
	}
	if n := w.count(t, `SELECT count(*) FROM survey_respondents`); n != 2 {
		t.Errorf("%d respondents stored, want 2", n)
	}
}
