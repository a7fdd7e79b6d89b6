package exportsapp_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// Cases export one row a case and, in the workbook, the sheet 时间线 with
// one row an update; the CSV carries the timeline in its last column. A
// unit exports its own cases only.
func TestCasesExportWithTimeline(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	cs := fixtures.QRCase(t, w, "13900001111")
	if _, err := w.App.Pool.Exec(context.Background(), `INSERT INTO case_updates (case_id, kind, body)
		VALUES ($1, 'answer', '已安排专人负责'), ($1, 'progress', '增设两个窗口')`, cs.ID); err != nil {
		t.Fatal(err)
	}
	res, body := get(t, w.Office, w.App.URL+"/console/cases/export.xlsx?unit_id="+apptest.Itoa(w.A.ID))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("export: %d %s", res.StatusCode, body)
	}
	f, rows := sheetRows(t, body, "整改案件")
	if len(rows) != 2 || rows[0][0] != "案件编号" || rows[1][1] != "市政务服务中心" || !strings.Contains(rows[1][15], "单位答复：已安排专人负责") {
		t.Fatalf("cases sheet %q", rows)
	}
	if raw, _ := f.GetCellValue("整改案件", "A2", excelizeRaw); raw != apptest.Itoa(cs.ID) {
		t.Errorf("case number cell %q", raw)
	}
	_, tl := sheetRows(t, body, "时间线")
	if len(tl) != 3 || tl[1][3] != "单位答复" || tl[2][4] != "增设两个窗口" {
		t.Errorf("timeline sheet %q", tl)
	}
	res, body = get(t, w.UnitUser, w.App.URL+"/api/v1/cases/export.csv")
	if text := string(body); res.StatusCode != http.StatusOK || !strings.Contains(text, "整改进展：增设两个窗口") {
		t.Errorf("the unit's CSV: %d\n%s", res.StatusCode, text)
	}
	if res, _ := get(t, w.UnitUser, w.App.URL+"/console/cases/export.csv?unit_id="+apptest.Itoa(w.B.ID)); res.StatusCode != http.StatusForbidden {
		t.Errorf("another unit's cases: %d, want 403", res.StatusCode)
	}
}

// The call-backs export shows the phone in full to the office (in
// CALLBACK_ROLES) and masked to the unit.
func TestCallbacksExportPhones(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	fixtures.QRCase(t, w, "13900002222")
	_, body := get(t, w.Office, w.App.URL+"/console/callbacks/export.csv")
	if text := string(body); !strings.Contains(text, "13900002222") || !strings.Contains(text, "市政务服务中心") {
		t.Errorf("the office's call-backs:\n%s", text)
	}
	_, body = get(t, w.UnitUser, w.App.URL+"/console/callbacks/export.xlsx")
	_, rows := sheetRows(t, body, "回访")
	if len(rows) != 2 || rows[0][7] != "回访电话" || strings.Contains(rows[1][7], "13900002222") || !strings.Contains(rows[1][7], "*") {
		t.Errorf("the unit's call-backs %q", rows)
	}
}

// Each case's row of the call-backs export has its own phones and calls,
// which the export reads for a whole page of cases at once.
func TestCallbacksExportRowsKeepTheirOwnPhonesAndCalls(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	one, two := fixtures.QRCase(t, w, "13900003333"), fixtures.QRCase(t, w, "13900004444")
	if _, err := w.App.Pool.Exec(context.Background(), `INSERT INTO case_callbacks (case_id, caller_name, called_at, said, outcome)
		VALUES ($1, '张三', now() - interval '1 hour', '第一次', 'unreachable'), ($1, '张三', now(), '第二次', 'satisfied'),
		($2, '李四', now(), '另一件', 'unsatisfied')`, one.ID, two.ID); err != nil {
		t.Fatal(err)
	}
	_, body := get(t, w.Office, w.App.URL+"/console/callbacks/export.xlsx?state=all")
	_, rows := sheetRows(t, body, "回访")
	byCase := map[string][]string{}
	for _, r := range rows[1:] {
		byCase[r[0]] = r
	}
	a, b := byCase[apptest.Itoa(one.ID)], byCase[apptest.Itoa(two.ID)]
	if len(rows) != 3 || a == nil || b == nil {
		t.Fatalf("rows %q", rows)
	}
	if a[7] != "13900003333" || !strings.Contains(a[8], "第一次") || !strings.Contains(a[8], "第二次") ||
		strings.Index(a[8], "第一次") > strings.Index(a[8], "第二次") || strings.Contains(a[8], "另一件") {
		t.Errorf("the first case's phone and calls %q, %q", a[7], a[8])
	}
	if b[7] != "13900004444" || !strings.Contains(b[8], "李四 不满意：另一件") || strings.Contains(b[8], "第") {
		t.Errorf("the second case's phone and calls %q, %q", b[7], b[8])
	}
}
