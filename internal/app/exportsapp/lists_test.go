package exportsapp_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"minyi/internal/surveys"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// The review queue exports what its filter selects, as the page's buttons
// carry it (pending 差评 by default), with the period and the filter in
// 说明; it is the office's list, so a unit may not export it.
func TestFeedbackExport(t *testing.T) {
	w := newWorld(t, nil)
	period := "from=2026-03-01&to=2026-03-02"
	res, body := get(t, w.Office, w.App.URL+"/console/feedback/export.xlsx?"+period+"&status=pending&tone=complaint")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("export: %d %s", res.StatusCode, body)
	}
	_, rows := sheetRows(t, body, "民意核查")
	if len(rows) != 11 || rows[0][0] != "评价时间" || rows[0][9] != "核查结论" {
		t.Fatalf("%d rows, header %q", len(rows), rows[0])
	}
	for _, r := range rows[1:] {
		if r[1] != "日常评价" || r[2] != "市政务服务中心" || r[4] != "不满意" || r[7] != "是" || r[9] != "待核查" {
			t.Fatalf("row %q", r)
		}
	}
	_, note := sheetRows(t, body, "说明")
	var text strings.Builder
	for _, r := range note {
		text.WriteString(strings.Join(r, " ") + "\n")
	}
	for _, s := range []string{"期间：2026-03-01 至 2026-03-02", "核查状态：待核查", "反馈类型：需要处理（基本满意及以下）"} {
		if !strings.Contains(text.String(), s) {
			t.Errorf("说明 lacks %q:\n%s", s, text.String())
		}
	}
	// Every item of the period through the API, as CSV: the messages'
	// leading "=" cannot run as a formula.
	res, body = get(t, w.Office, w.App.URL+"/api/v1/feedback/export.csv?"+period+"&status=all&tone=all")
	csv := string(body)
	if res.StatusCode != http.StatusOK || strings.Count(csv, "市政务服务中心") != 30 || strings.Contains(csv, ",=留言") ||
		!strings.Contains(csv, "'=留言") {
		t.Errorf("all items: %d\n%s", res.StatusCode, csv)
	}
	// The page offers the buttons with its filter.
	res, body = get(t, w.Office, w.App.URL+"/console/feedback?"+period)
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "/console/feedback/export.xlsx?from=2026-03-01") {
		t.Errorf("queue page: %d, no export button", res.StatusCode)
	}
	for _, path := range []string{"/console/feedback/export.xlsx", "/api/v1/feedback/export.csv"} {
		if res, _ := get(t, w.Unit, w.App.URL+path); res.StatusCode != http.StatusForbidden {
			t.Errorf("a unit's %s: %d, want 403", path, res.StatusCode)
		}
	}
}

// Survey responses export with one column an aspect when one survey is
// chosen; the office sees the agency's answer number, a unit only its own
// unit's responses and nothing pointing at a respondent.
func TestResponsesExport(t *testing.T) {
	w := fixtures.NewAgencyWorld(t)
	ctx := context.Background()
	if _, err := w.App.Pool.Exec(ctx, `INSERT INTO survey_responses (survey_id, unit_id, group_key, source, agency_id,
		agency_response_id, level, aspects, opinion, submitted_on)
		SELECT $1, u, 'experts', 'agency', $2, 'WJX-' || g, 4 + g % 2, '{"efficiency": 3}', CASE WHEN g = 1 THEN '窗口太少' ELSE '' END,
			DATE '2025-11-01' + g % 3
		FROM generate_series(1, 7) g, LATERAL (SELECT CASE WHEN g <= 5 THEN $3::bigint ELSE $4::bigint END AS u) x`,
		w.Survey, w.Agency, w.A.ID, w.B.ID); err != nil {
		t.Fatal(err)
	}
	res, body := get(t, w.Office, w.App.URL+"/console/responses/export.xlsx?survey_id="+apptest.Itoa(w.Survey))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("export: %d %s", res.StatusCode, body)
	}
	_, rows := sheetRows(t, body, "问卷答卷")
	if len(rows) != 8 || strings.Join(rows[0], ",") != "提交日期,问卷,被评单位,受访群体,来源,调查机构,机构答卷编号,受访人,总体满意度,办事效率,意见建议,答卷编号" {
		t.Fatalf("%d rows, header %q", len(rows), rows[0])
	}
	var ids []string
	for _, r := range rows[1:] {
		if r[4] != "第三方调查机构" || r[5] != "甲调查公司" || r[9] != "基本满意" {
			t.Fatalf("row %q", r)
		}
		ids = append(ids, r[6])
	}
	if slices.Sort(ids); strings.Join(ids, ",") != "WJX-1,WJX-2,WJX-3,WJX-4,WJX-5,WJX-6,WJX-7" {
		t.Errorf("agency numbers %v: each response once", ids)
	}
	// The unit: its five, no agency number, no respondent column.
	res, body = get(t, w.UnitUser, w.App.URL+"/api/v1/responses/export.csv")
	csv := string(body)
	if res.StatusCode != http.StatusOK || strings.Count(csv, "\n") != 5+1+4 || strings.Contains(csv, "WJX-") ||
		strings.Contains(csv, "受访人,") || !strings.Contains(csv, "办事效率：基本满意") || !strings.Contains(csv, "窗口太少") {
		t.Errorf("the unit's export: %d\n%s", res.StatusCode, csv)
	}
	if res, _ := get(t, w.UnitUser, w.App.URL+"/console/responses/export.xlsx?unit_id="+apptest.Itoa(w.B.ID)); res.StatusCode != http.StatusForbidden {
		t.Errorf("another unit's responses: %d, want 403", res.StatusCode)
	}
	// Batches of any size walk every response once, newest day first.
	var seen []string
	var after *surveys.ResponseCursor
	last := "9999-12-31"
	for {
		list, next, err := surveys.ResponseBatch(ctx, w.App.Pool, surveys.ResponseFilter{SurveyID: w.Survey}, after, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range list {
			if r.SubmittedOn > last {
				t.Fatalf("%s after %s", r.SubmittedOn, last)
			}
			last = r.SubmittedOn
			seen = append(seen, *r.AgencyResponseID)
		}
		if len(list) < 3 {
			break
		}
		after = next
	}
	if slices.Sort(seen); strings.Join(seen, ",") != "WJX-1,WJX-2,WJX-3,WJX-4,WJX-5,WJX-6,WJX-7" {
		t.Errorf("batches of 3: %v", seen)
	}
}

// A background export that can no longer be made as asked (its unit
// account moved to another unit meanwhile) fails with the reason in words,
// and its owner is told.
func TestBackgroundExportFailureIsTold(t *testing.T) {
	w := newWorld(t, map[string]string{"EXPORT_INLINE_MAX_ROWS": "5"})
	r := apptest.APIDo(t, w.Unit, "GET", "/api/v1/ratings/export.xlsx?unit_id="+apptest.Itoa(w.UnitA), "", "")
	var started struct{ Job jobReply }
	r.Decode(t, http.StatusAccepted, &started)
	if _, err := w.App.Pool.Exec(context.Background(), `UPDATE users SET unit_id = $1 WHERE username = 'unita'`, w.UnitB); err != nil {
		t.Fatal(err)
	}
	startWorker(t, w.App)
	id := apptest.Itoa(started.Job.ID)
	j := waitJob(t, w.Unit, w.App.URL+"/api/v1/exports/"+id)
	if j.State != "failed" || j.Download != "" {
		t.Fatalf("job %+v, want failed", j)
	}
	_, inbox := get(t, w.Unit, w.App.URL+"/api/v1/notifications")
	if text := string(inbox); !strings.Contains(text, "导出未能完成：评价记录") || !strings.Contains(text, "无法按原筛选条件导出") {
		t.Errorf("the owner's notifications: %s", text)
	}
}
