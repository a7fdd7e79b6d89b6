package resultsapp_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"minyi/internal/assessment"
	"minyi/internal/notify"
	"minyi/internal/results"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

type resultsReply struct {
	Status    results.Status      `json:"status"`
	Published []results.Category  `json:"published"`
	Draft     *results.Assessment `json:"draft"`
	Appeals   []results.Appeal    `json:"appeals"`
}

// TestAPIResultsFlow covers computing, publishing the preliminary results
// with the review deadline in working days, applications (deadline,
// another unit, retries), answers, the final publication's refusals,
// reopening, the public page, the export and access control.
func TestAPIResultsFlow(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	var mu sync.Mutex
	now := time.Date(2026, 9, 28, 10, 0, 0, 0, loc) // a Monday before National Day
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	setNow := func(t time.Time) { mu.Lock(); now = t; mu.Unlock() }
	w := fixtures.NewAPIWorld(t, apptest.Options{Now: clock})
	ctx := context.Background()
	c2 := w.CreateUnit(t, "市公安局", "社会服务类")
	c3 := w.CreateUnit(t, "市人社局", "社会服务类")
	w.App.AddUser(t, "unit-c", "unit-pass-3", "unit", &c2.ID)
	unitC := w.App.Client()
	unitC.SignIn(t, "unit-c", "unit-pass-3")
	cy := w.CreateCycle(t, "2026年度", 2026, nil)
	base := "/api/v1/cycles/" + apptest.Itoa(cy.ID) + "/results"
	tree := map[string]any{"key": "total", "name": "综合", "kind": "sum", "children": []map[string]any{
		{"key": "work", "name": "工作实绩", "kind": "manual", "max": 100, "assessor": map[string]any{"name": "市考评办"}}}}
	apptest.APIJSON(t, w.Office, "PUT", "/api/v1/cycles/"+apptest.Itoa(cy.ID)+"/scheme", map[string]any{"tree": tree}).Decode(t, http.StatusCreated, nil)
	entry := func(unit int64, pts float64) {
		t.Helper()
		if _, err := w.App.Pool.Exec(ctx, `INSERT INTO assessment_entries (cycle_id, unit_id, leaf_key, points) VALUES ($1, $2, 'work', $3)
			ON CONFLICT (cycle_id, unit_id, leaf_key) DO UPDATE SET points = EXCLUDED.points`, cy.ID, unit, pts); err != nil {
			t.Fatal(err)
		}
	}
	entry(w.A.ID, 91)
	entry(c2.ID, 88.5)
	entry(c3.ID, 65)

	// Nothing published: a unit sees nothing, the office the draft.
	var r resultsReply
	apptest.APIJSON(t, w.UnitUser, "GET", base, nil).Decode(t, http.StatusOK, &r)
	if r.Draft != nil || r.Published != nil || r.Status.Stage != "draft" {
		t.Fatalf("unit before publication: %+v", r)
	}
	apptest.APIJSON(t, w.Office, "GET", base, nil).Decode(t, http.StatusOK, &r)
	if len(r.Draft.Incomplete) != 1 || r.Draft.Incomplete[0].Name != "市税务局" {
		t.Fatalf("draft incomplete: %+v", r.Draft.Incomplete)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", base+"/preliminary", map[string]any{}), http.StatusForbidden, "forbidden")
	rep := apptest.APIJSON(t, w.Office, "POST", base+"/preliminary", map[string]any{})
	apptest.WantAPIError(t, rep, http.StatusConflict, "conflict")
	if !strings.Contains(string(rep.Body), "尚有1个单位得分不完整，不能公布结果：市税务局") {
		t.Fatalf("incomplete refusal: %s", rep.Body)
	}
	entry(w.B.ID, 75)

	var st results.Status
	apptest.APIJSON(t, w.Office, "POST", base+"/preliminary", map[string]any{"show_composite": true}).Decode(t, http.StatusCreated, &st)
	// 5 working days after Mon 2026-09-28: 29, 30 Sep, then the National
	// Day holidays to 7 Oct, make-up Sat 10 Oct? The seeded calendar says.
	deadline := *st.Preliminary.AppealDeadline
	if deadline <= "2026-10-02" || st.Stage != "preliminary" {
		t.Fatalf("status: %+v deadline %s", st, deadline)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", base+"/preliminary", map[string]any{}), http.StatusConflict, "conflict")
	// Each unit is told, with its review deadline, once.
	if n := notices(t, w.UnitUser); len(n) != 1 || n[0].Kind != results.NoticePreliminary || n[0].Title != "2026年度初步考核结果已公布" ||
		!strings.Contains(n[0].Body, "5个工作日内") || n[0].Link != "/console/cycles/"+apptest.Itoa(cy.ID)+"/results/"+apptest.Itoa(w.A.ID) {
		t.Fatalf("unit notices after the preliminary results: %+v", n)
	}

	// The unit sees its own published line only.
	r = resultsReply{}
	apptest.APIJSON(t, w.UnitUser, "GET", base, nil).Decode(t, http.StatusOK, &r)
	if len(r.Published) != 1 || len(r.Published[0].Lines) != 1 || r.Published[0].Lines[0].Unit.ID != w.A.ID ||
		r.Published[0].Lines[0].GradeLabel != "优秀" || r.Draft != nil {
		t.Fatalf("unit view: %+v", *r.Published[0].Lines[0])
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "GET", base+"/units/"+apptest.Itoa(c2.ID), nil), http.StatusForbidden, "forbidden")

	// Applications: another unit's, the office's, then the own one.
	appeal := map[string]any{"grounds": "工作实绩得分漏计一项市级表彰", "evidence_note": "表彰文件见附件"}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", base+"/units/"+apptest.Itoa(c2.ID)+"/appeal", appeal), http.StatusForbidden, "forbidden")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", base+"/units/"+apptest.Itoa(w.A.ID)+"/appeal", appeal), http.StatusForbidden, "forbidden")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", base+"/units/"+apptest.Itoa(w.A.ID)+"/appeal", map[string]any{}), http.StatusUnprocessableEntity, "invalid", "grounds")
	var ap, again results.Appeal
	apptest.APIJSON(t, w.UnitUser, "POST", base+"/units/"+apptest.Itoa(w.A.ID)+"/appeal", appeal).Decode(t, http.StatusCreated, &ap)
	apptest.APIJSON(t, w.UnitUser, "POST", base+"/units/"+apptest.Itoa(w.A.ID)+"/appeal", appeal).Decode(t, http.StatusCreated, &again)
	if ap.Status != "pending" || again.ID != ap.ID || ap.AnswerDue <= deadline {
		t.Fatalf("appeal %+v again %+v", ap, again)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", base+"/units/"+apptest.Itoa(w.A.ID)+"/appeal", map[string]any{"grounds": "另一理由"}), http.StatusConflict, "conflict")
	if n := notices(t, w.Office); len(n) != 1 || n[0].Kind != results.NoticeAppealFiled || n[0].Title != "复核申请待答复：市政务服务中心" {
		t.Fatalf("office notices after the application (sent twice): %+v", n)
	}

	// Final: not before the window closes.
	rep = apptest.APIJSON(t, w.Office, "POST", base+"/final", map[string]any{})
	apptest.WantAPIError(t, rep, http.StatusConflict, "conflict")
	// (No unit signed: the windows count from the notification once the
	// days to sign have passed.)
	if !strings.Contains(string(rep.Body), "个单位未签收初步结果") {
		t.Fatalf("early final: %s", rep.Body)
	}
	day, _ := time.ParseInLocation(time.DateOnly, deadline, loc)
	setNow(day.Add(24*time.Hour + 9*time.Hour))
	rep = apptest.APIJSON(t, unitC, "POST", base+"/units/"+apptest.Itoa(c2.ID)+"/appeal", appeal)
	apptest.WantAPIError(t, rep, http.StatusConflict, "conflict")
	if !strings.Contains(string(rep.Body), "已超过申请复核期限（逾期未签收") || !strings.Contains(string(rep.Body), "截至"+deadline+"）") {
		t.Fatalf("late appeal: %s", rep.Body)
	}
	rep = apptest.APIJSON(t, w.Office, "POST", base+"/final", map[string]any{})
	apptest.WantAPIError(t, rep, http.StatusConflict, "conflict")
	if !strings.Contains(string(rep.Body), "尚有1件复核申请未答复，不能公布最终结果：市政务服务中心") {
		t.Fatalf("pending final: %s", rep.Body)
	}

	// Answer (once), correct the input, publish the final results.
	ans := base + "/appeals/" + apptest.Itoa(ap.ID) + "/answer"
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", ans, map[string]any{"status": "upheld", "answer": "x"}), http.StatusForbidden, "forbidden")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", ans, map[string]any{"status": "maybe"}), http.StatusUnprocessableEntity, "invalid", "status", "answer")
	answer := map[string]any{"status": "upheld", "answer": "经核实，补计市级表彰2分"}
	apptest.APIJSON(t, w.Office, "POST", ans, answer).Decode(t, http.StatusOK, &ap)
	if ap.Status != "upheld" || ap.StatusLabel != "复核成立" {
		t.Fatalf("answered %+v", ap)
	}
	apptest.APIJSON(t, w.Office, "POST", ans, answer).Decode(t, http.StatusOK, nil)
	if n := notices(t, w.UnitUser); len(n) != 2 || n[0].Kind != results.NoticeAppealAnswered ||
		n[0].Body != "绩效办已答复本单位的复核申请，结论：复核成立。答复意见：经核实，补计市级表彰2分" {
		t.Fatalf("unit notices after the answer (sent twice): %+v", n)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", ans, map[string]any{"status": "rejected", "answer": "改变主意"}), http.StatusConflict, "conflict")
	entry(w.A.ID, 93)

	if resp, err := http.Get(w.App.URL + "/results/" + apptest.Itoa(cy.ID)); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("public page before final: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	// The public evaluation scores are still provisional (no survey, the
	// period not over): final results need a reason, which is recorded.
	refused := apptest.APIJSON(t, w.Office, "POST", base+"/final", map[string]any{"show_composite": true})
	apptest.WantAPIError(t, refused, http.StatusConflict, "conflict")
	if !strings.Contains(string(refused.Body), "公众评价得分仍为暂定") {
		t.Errorf("refusal: %s", refused.Body)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM assessment_publications WHERE stage = 'final'`); n != 0 {
		t.Fatalf("a refused final publication stored %d", n)
	}
	apptest.APIJSON(t, w.Office, "POST", base+"/final", map[string]any{"show_composite": true,
		"provisional_reason": "考核委员会决定按12月15日数据定档"}).Decode(t, http.StatusCreated, &st)
	if n := w.App.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'results.publish_final'
		AND after->>'provisional_reason' = '考核委员会决定按12月15日数据定档'`); n != 1 {
		t.Errorf("the reason is not in the audit log (%d)", n)
	}
	if st.Stage != "final" {
		t.Fatalf("final: %+v", st)
	}
	if err := assessment.CheckEditable(ctx, w.App.Pool, cy.ID); err == nil || !strings.Contains(err.Error(), "考核结果已公布") {
		t.Fatalf("edit after final: %v", err)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", base+"/final", map[string]any{}), http.StatusConflict, "conflict")

	// Category 社会服务类 (3 units): 优秀 1 place, 良好 1 place.
	apptest.APIJSON(t, w.Office, "GET", base, nil).Decode(t, http.StatusOK, &r)
	got := map[string]string{}
	for _, c := range r.Published {
		for _, l := range c.Lines {
			got[l.Unit.Name] = l.GradeLabel + " " + results.FormatPoints(*l.Composite, 2)
		}
	}
	want := map[string]string{"市政务服务中心": "优秀 93.00", "市公安局": "良好 88.50", "市人社局": "不合格 65.00", "市税务局": "合格 75.00"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}

	// Public page: no login, final grades.
	resp, err := http.Get(w.App.URL + "/results/" + apptest.Itoa(cy.ID))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	if resp.StatusCode != 200 || !strings.Contains(page, "市政务服务中心") || !strings.Contains(page, "93.00") || !strings.Contains(page, "不合格") {
		t.Fatalf("public page %d: %s", resp.StatusCode, page)
	}

	// The published results prove themselves: the page shows the
	// snapshot's hash, the recomputation from the stored data matches it,
	// and an entry changed behind the product's back is named.
	pubs := st.History
	fin := pubs[len(pubs)-1]
	if fin.SnapshotSHA256 == nil || !strings.Contains(page, *fin.SnapshotSHA256) || fin.PreviousID == nil ||
		*fin.PreviousID != pubs[len(pubs)-2].ID {
		t.Fatalf("final publication %+v: snapshot on the public page, after the preliminary one", fin)
	}
	ck, err := results.Verify(ctx, w.App.Pool, w.App.Config.Location, cy.ID, 0)
	if err != nil || !ck.OK || ck.Recomputed != *fin.SnapshotSHA256 || ck.Units != 4 {
		t.Fatalf("verify the final results: %+v %v", ck, err)
	}
	if ck, err := results.Verify(ctx, w.App.Pool, w.App.Config.Location, cy.ID, pubs[0].ID); err == nil && ck.OK {
		t.Fatalf("the preliminary results verified though an application for review changed an entry since: %+v", ck)
	}
	if _, err := w.App.Pool.Exec(ctx, `UPDATE assessment_entries SET points = points - 1 WHERE cycle_id = $1 AND unit_id = $2`,
		cy.ID, w.A.ID); err != nil {
		t.Fatal(err)
	}
	ck, err = results.Verify(ctx, w.App.Pool, w.App.Config.Location, cy.ID, 0)
	if err != nil || ck.OK || ck.Recomputed == *fin.SnapshotSHA256 || !strings.Contains(strings.Join(ck.Differences, "\n"), "市政务服务中心）：综合得分：公布时 93") {
		t.Fatalf("verify after an entry was changed: %+v %v", ck, err)
	}
	if _, err := w.App.Pool.Exec(ctx, `UPDATE assessment_entries SET points = points + 1 WHERE cycle_id = $1 AND unit_id = $2`,
		cy.ID, w.A.ID); err != nil {
		t.Fatal(err)
	}

	// Export, checked cell by cell.
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "GET", base+"/xlsx", nil), http.StatusForbidden, "forbidden")
	x := apptest.APIJSON(t, w.Office, "GET", base+"/xlsx", nil)
	if x.Status != 200 || x.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("xlsx %d %s", x.Status, x.Header)
	}
	f, err := excelize.OpenReader(bytes.NewReader(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	cells := map[string]string{"A1": "2026年度 考核结果", "A3": "类别", "H3": "综合得分", "I3": "等次",
		"A4": "经济发展类", "B4": "1", "C4": "市税务局", "D4": "75", "H4": "75", "I4": "合格",
		"A5": "社会服务类", "C5": "市政务服务中心", "H5": "93", "I5": "优秀", "C7": "市人社局", "H7": "65", "I7": "不合格"}
	for ref, v := range cells {
		if got, _ := f.GetCellValue("考核结果", ref); got != v {
			t.Errorf("%s = %q, want %q", ref, got, v)
		}
	}
	if typ, _ := f.GetCellType("考核结果", "H4"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("H4 type %v", typ)
	}
	if v, _ := f.GetCellValue("考核结果", "A2"); !strings.HasPrefix(v, "最终结果，") {
		t.Errorf("A2 %q", v)
	}
	f.Close()

	// Reopen: a reason is required; then edits are allowed, the public
	// page waits, and the final results are published again.
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", base+"/reopen", map[string]any{"reason": "x"}), http.StatusForbidden, "forbidden")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", base+"/reopen", map[string]any{"reason": " "}), http.StatusUnprocessableEntity, "invalid", "reason")
	apptest.APIJSON(t, w.Office, "POST", base+"/reopen", map[string]any{"reason": "市人社局得分录入错误，予以更正"}).Decode(t, http.StatusOK, &st)
	if st.Stage != "reopened" || st.Final.ReopenReason == nil {
		t.Fatalf("reopened: %+v", st)
	}
	if err := assessment.CheckEditable(ctx, w.App.Pool, cy.ID); err != nil {
		t.Fatalf("editable after reopen: %v", err)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", base+"/reopen", map[string]any{"reason": "再次"}), http.StatusConflict, "conflict")
	entry(c3.ID, 72)
	apptest.APIJSON(t, w.Office, "POST", base+"/final", map[string]any{"show_composite": false, "provisional_reason": "测试"}).Decode(t, http.StatusCreated, &st)
	if len(st.History) != 3 || st.Stage != "final" {
		t.Fatalf("history %+v", st.History)
	}
	resp, _ = http.Get(w.App.URL + "/results/" + apptest.Itoa(cy.ID))
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(body), "93.00") || !strings.Contains(string(body), "合格") {
		t.Fatalf("public page without composite: %s", body)
	}

	// Staff counts and the quota of next year.
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "PUT", base+"/units/"+apptest.Itoa(w.A.ID)+"/staff-count", map[string]any{"staff_count": -1}), http.StatusUnprocessableEntity, "invalid", "staff_count")
	apptest.APIJSON(t, w.Office, "PUT", base+"/units/"+apptest.Itoa(w.A.ID)+"/staff-count", map[string]any{"staff_count": 52}).Decode(t, http.StatusOK, nil)
	var uses struct{ Items []results.UnitUse }
	apptest.APIJSON(t, w.Office, "GET", base+"/uses", nil).Decode(t, http.StatusOK, &uses)
	for _, u := range uses.Items {
		if u.Unit.ID == w.A.ID && (u.Quota == nil || *u.Quota != 10 || u.GradeLabel != "优秀") {
			t.Errorf("quota: %+v", u)
		}
	}

	var n int
	if err := w.App.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action LIKE 'results.%'`).Scan(&n); err != nil || n != 7 {
		t.Errorf("audit rows %d %v", n, err)
	}
}

// TestResultStreaks: three 优秀 and three 合格 in a row over the final
// results of three consecutive years.
// notices are the signed-in user's notifications, newest first.
func notices(t *testing.T, c *apptest.Client) []notify.Item {
	t.Helper()
	var p notify.Page
	apptest.APIJSON(t, c, "GET", "/api/v1/notifications", nil).Decode(t, http.StatusOK, &p)
	return p.Items
}

func TestResultStreaks(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	ctx := context.Background()
	var last int64
	for i, year := range []int{2024, 2025, 2026} {
		cy := w.CreateCycle(t, apptest.Itoa(int64(year))+"年度", year, nil)
		last = cy.ID
		var pub int64
		if err := w.App.Pool.QueryRow(ctx, `INSERT INTO assessment_publications (cycle_id, stage, published_at, settings_version, scheme_version)
			VALUES ($1, 'final', now(), 0, 1) RETURNING id`, cy.ID).Scan(&pub); err != nil {
			t.Fatal(err)
		}
		gradeB := "pass"
		if i == 1 {
			gradeB = "pass"
		}
		for _, r := range []struct {
			unit  int64
			grade string
		}{{w.A.ID, "excellent"}, {w.B.ID, gradeB}} {
			if _, err := w.App.Pool.Exec(ctx, `INSERT INTO assessment_results (publication_id, cycle_id, unit_id, category, grade, composite, rank, reason, breakdown)
				VALUES ($1, $2, $3, 'x', $4, 90, 1, '', jsonb_build_object('unit', jsonb_build_object('id', $3::bigint, 'name', 'u'), 'grade', $4::text))`,
				pub, cy.ID, r.unit, r.grade); err != nil {
				t.Fatal(err)
			}
		}
	}
	var uses struct{ Items []results.UnitUse }
	apptest.APIJSON(t, w.Office, "GET", "/api/v1/cycles/"+apptest.Itoa(last)+"/results/uses", nil).Decode(t, http.StatusOK, &uses)
	if len(uses.Items) != 2 {
		t.Fatalf("uses %+v", uses.Items)
	}
	for _, u := range uses.Items {
		if u.Unit.ID == w.A.ID && (!u.ThreeExcellent || u.ThreePass) || u.Unit.ID == w.B.ID && (u.ThreeExcellent || !u.ThreePass) {
			t.Errorf("streaks %+v", u)
		}
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "GET", "/api/v1/cycles/"+apptest.Itoa(last)+"/results/uses", nil), http.StatusForbidden, "forbidden")
}
