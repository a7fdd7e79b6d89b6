package selfevalapp_test

import (
	"net/http"
	"strings"
	"testing"

	"minyi/internal/testutil/apptest"
)

type apiPeriod struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	CoversTo string `json:"covers_to"`
	DueOn    string `json:"due_on"`
	Annual   bool   `json:"annual"`
	Status   string `json:"status"`
}

type apiReport struct {
	Status string `json:"status"`
	Report *struct {
		Body  string `json:"body"`
		Late  bool   `json:"late"`
		Files []struct {
			ID string `json:"id"`
		} `json:"files"`
	} `json:"report"`
}

type apiOverview struct {
	Counts struct {
		Units, Submitted, Late, Pending, Missing int
	} `json:"counts"`
	Total int `json:"total"`
	Items []struct {
		UnitID int64  `json:"unit_id"`
		Status string `json:"status"`
	} `json:"items"`
}

type apiTodos struct {
	Items []struct {
		Kind  string `json:"kind"`
		Title string `json:"title"`
		Count int    `json:"count"`
		Link  string `json:"link"`
	} `json:"items"`
}

func (w *world) periodsPath() string {
	return "/api/v1/cycles/" + apptest.Itoa(w.cycle) + "/self-eval-periods"
}

func reportPath(period, unit int64) string {
	return "/api/v1/self-eval-periods/" + apptest.Itoa(period) + "/units/" + apptest.Itoa(unit)
}

// TestSelfEvaluationRoleFlow walks the office defining the periods, a
// unit submitting on time and late, its assessors reading the report and
// evidence, the leader reading the overview, and the to-dos, with every
// refusal on the way changing nothing.
func TestSelfEvaluationRoleFlow(t *testing.T) {
	w := newWorld(t)
	half := map[string]any{"name": "半年自评", "covers_to": "2026-06-30", "due_on": "2026-07-15"}

	// Periods: only the office, validated, a retried create is the same.
	apptest.WantAPIError(t, apptest.APIJSON(t, w.cm, "POST", w.periodsPath(), half), http.StatusForbidden, "forbidden")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.office, "POST", w.periodsPath(),
		map[string]any{"name": "", "covers_to": "2025-06-30", "due_on": "2026-01-01"}), http.StatusUnprocessableEntity, "invalid", "name", "covers_to")
	var hp, again, annual apiPeriod
	apptest.APIJSON(t, w.office, "POST", w.periodsPath(), half).Decode(t, http.StatusOK, &hp)
	apptest.APIJSON(t, w.office, "POST", w.periodsPath(), half).Decode(t, http.StatusOK, &again)
	if hp.ID == 0 || again.ID != hp.ID || hp.DueOn != "2026-07-15" {
		t.Fatalf("periods %+v %+v", hp, again)
	}
	apptest.APIJSON(t, w.office, "POST", w.periodsPath(), map[string]any{"name": "年度自评", "covers_to": "2026-11-30",
		"due_on": "2026-12-10", "annual": true}).Decode(t, http.StatusOK, &annual)
	apptest.WantAPIError(t, apptest.APIJSON(t, w.office, "PUT", "/api/v1/self-eval-periods/"+apptest.Itoa(annual.ID),
		half), http.StatusUnprocessableEntity, "invalid", "name")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.office, "PUT", "/api/v1/self-eval-periods/999999", half), http.StatusNotFound, "not_found")
	if n := w.app.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'self_eval_period.create'`); n != 2 {
		t.Errorf("%d period entries, want 2", n)
	}

	// A unit's to-do a week before the due date.
	w.at("2026-07-10")
	var td apiTodos
	w.cm.JSON(t, "GET", "/api/v1/todos", nil, &td)
	if !hasTodo(td, "self_eval_report", "提交自评报告：半年自评") {
		t.Errorf("unit M's to-dos %+v", td)
	}

	// Refusals of the report.
	report := map[string]any{"body": "上半年各项目标按计划推进。"}
	for _, tc := range []struct {
		name   string
		c      *apptest.Client
		path   string
		body   any
		status int
		code   string
		fields []string
	}{
		{"unknown period", w.cm, reportPath(999999, w.m), report, http.StatusNotFound, "not_found", nil},
		{"another unit's report", w.cf, reportPath(hp.ID, w.m), report, http.StatusForbidden, "forbidden", nil},
		{"the office writes no report", w.office, reportPath(hp.ID, w.m), report, http.StatusForbidden, "forbidden", nil},
		{"a unit without a target sheet", w.cx, reportPath(hp.ID, w.x), report, http.StatusConflict, "conflict", nil},
		{"empty text", w.cm, reportPath(hp.ID, w.m), map[string]any{"body": " "}, http.StatusUnprocessableEntity, "invalid", []string{"body"}},
		{"another unit's file", w.cm, reportPath(hp.ID, w.m), map[string]any{"body": "x", "evidence_ids": []string{w.evidence(t, w.f, "财政.png")}},
			http.StatusUnprocessableEntity, "invalid", []string{"evidence_ids"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := apptest.APIJSON(t, tc.c, "PUT", tc.path, tc.body)
			apptest.WantAPIError(t, r, tc.status, tc.code, tc.fields...)
			if !strings.ContainsFunc(string(r.Body), func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) {
				t.Errorf("message not in Chinese: %s", r.Body)
			}
		})
	}
	if n := w.app.Count(t, `SELECT count(*) FROM self_eval_reports`); n != 0 {
		t.Fatalf("%d reports after refusals", n)
	}

	// M submits on time with a file; its indicators carry evidence.
	file := w.evidence(t, w.m, "半年总结.png")
	w.attach(t, w.budgetInd, w.evidence(t, w.m, "预算报表.png"))
	safety := w.evidence(t, w.m, "安全检查.png")
	w.attach(t, w.safetyInd, safety)
	var rep apiReport
	apptest.APIJSON(t, w.cm, "PUT", reportPath(hp.ID, w.m), map[string]any{"body": "上半年各项目标按计划推进。",
		"evidence_ids": []string{file}}).Decode(t, http.StatusOK, nil)
	apptest.APIJSON(t, w.cm, "GET", reportPath(hp.ID, w.m), nil).Decode(t, http.StatusOK, &rep)
	if rep.Status != "submitted" || rep.Report == nil || rep.Report.Late || len(rep.Report.Files) != 1 {
		t.Fatalf("M's report %+v", rep)
	}

	// Readers: the office, the leader, F (assesses M), S (assesses M);
	// X assesses nothing: 403; F cannot read S's report.
	for _, c := range []*apptest.Client{w.office, w.leader, w.cf, w.cs} {
		var r apiReport
		apptest.APIJSON(t, c, "GET", reportPath(hp.ID, w.m), nil).Decode(t, http.StatusOK, &r)
		if r.Report == nil || r.Report.Body != "上半年各项目标按计划推进。" {
			t.Errorf("reader sees %+v", r)
		}
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.cx, "GET", reportPath(hp.ID, w.m), nil), http.StatusForbidden, "forbidden")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.cf, "GET", reportPath(hp.ID, w.s), nil), http.StatusForbidden, "forbidden")
	// The assessor downloads the report's file; F not S's indicator evidence.
	dl := func(c *apptest.Client, id string) int {
		return apptest.APIDo(t, c, "GET", "/api/v1/cycles/"+apptest.Itoa(w.cycle)+"/assessor/units/"+apptest.Itoa(w.m)+"/evidence/"+id, "", "").Status
	}
	if st := dl(w.cf, file); st != http.StatusOK {
		t.Errorf("F downloads the report's file: %d", st)
	}
	if st := dl(w.cf, safety); st != http.StatusForbidden {
		t.Errorf("F downloads S's indicator evidence: %d", st)
	}
	if st := dl(w.cs, safety); st != http.StatusOK {
		t.Errorf("S downloads its indicator's evidence: %d", st)
	}

	// After the due date: the overview (office and leader; not a unit),
	// the office's to-do, and F submitting late.
	w.at("2026-07-16")
	var ov apiOverview
	apptest.APIJSON(t, w.leader, "GET", "/api/v1/self-eval-periods/"+apptest.Itoa(hp.ID)+"/units?status=missing", nil).Decode(t, http.StatusOK, &ov)
	if ov.Counts.Units != 3 || ov.Counts.Submitted != 1 || ov.Counts.Missing != 2 || ov.Total != 2 || len(ov.Items) != 2 {
		t.Errorf("overview %+v", ov)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.cm, "GET", "/api/v1/self-eval-periods/"+apptest.Itoa(hp.ID)+"/units", nil), http.StatusForbidden, "forbidden")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.office, "GET", "/api/v1/self-eval-periods/"+apptest.Itoa(hp.ID)+"/units?status=x", nil),
		http.StatusUnprocessableEntity, "invalid", "status")
	td = apiTodos{}
	w.office.JSON(t, "GET", "/api/v1/todos", nil, &td)
	if !hasTodo(td, "self_eval_overdue", "半年自评：2 个单位逾期未交自评报告") {
		t.Errorf("office to-dos %+v", td)
	}
	if p := apptest.Get(t, w.office, "/console/targets?cycle_id="+apptest.Itoa(w.cycle)); !apptest.HasText(p,
		"“半年自评”的自评报告已于 2026-07-15 截止，仍有 2 个单位未提交。") {
		t.Errorf("the targets page's warning: %s", apptest.PageText(p.Body))
	}
	apptest.APIJSON(t, w.cf, "PUT", reportPath(hp.ID, w.f), map[string]any{"body": "补交。"}).Decode(t, http.StatusOK, nil)
	var periods struct{ Items []apiPeriod }
	apptest.APIJSON(t, w.cf, "GET", w.periodsPath(), nil).Decode(t, http.StatusOK, &periods)
	if len(periods.Items) != 2 || periods.Items[0].Status != "late" || periods.Items[1].Status != "open" {
		t.Errorf("F's periods %+v", periods)
	}

	// The office locks the cycle's self-evaluation: the cycle is closed.
	apptest.APIJSON(t, w.office, "PUT", "/api/v1/cycles/"+apptest.Itoa(w.cycle)+"/target-settings",
		map[string]any{"frequency": "quarterly", "due_days": 10, "self_eval_locked": true}).Decode(t, http.StatusOK, nil)
	r := apptest.APIJSON(t, w.cm, "PUT", reportPath(hp.ID, w.m), map[string]any{"body": "锁定后修改"})
	apptest.WantAPIError(t, r, http.StatusConflict, "conflict")
	if !strings.Contains(string(r.Body), "锁定") {
		t.Errorf("locked message %s", r.Body)
	}
}

func hasTodo(td apiTodos, kind, title string) bool {
	for _, it := range td.Items {
		if it.Kind == kind && it.Title == title {
			return true
		}
	}
	return false
}

// TestReportFormRefusesTooLargeFile posts an 11 MB file with the console
// form: refused in Chinese, and no report is stored.
func TestReportFormRefusesTooLargeFile(t *testing.T) {
	w := newWorld(t)
	var hp apiPeriod
	apptest.APIJSON(t, w.office, "POST", w.periodsPath(), map[string]any{"name": "半年自评", "covers_to": "2026-06-30",
		"due_on": "2026-07-15"}).Decode(t, http.StatusOK, &hp)
	page := "/console/self-eval-periods/" + apptest.Itoa(hp.ID) + "/units/" + apptest.Itoa(w.m)
	big := append(append([]byte{}, apptest.TestPNG...), make([]byte, 11<<20)...)
	p := apptest.PostMultipart(t, w.cm, page, map[string]string{"body": "半年报告"}, "大文件.png", big)
	if p.Status != http.StatusRequestEntityTooLarge || !apptest.HasText(p, "10 MB") {
		t.Errorf("too large: %d %s", p.Status, apptest.PageText(p.Body))
	}
	if n := w.app.Count(t, `SELECT count(*) FROM self_eval_reports`); n != 0 {
		t.Errorf("%d reports stored", n)
	}
	// A wrong type is shown beside the field, the text kept.
	p = apptest.PostMultipart(t, w.cm, page, map[string]string{"body": "半年报告正文"}, "a.txt", []byte("plain text"))
	if p.Status != http.StatusUnprocessableEntity || !apptest.HasText(p, "仅支持 PDF、PNG、JPEG 格式") || !apptest.HasText(p, "半年报告正文") {
		t.Errorf("wrong type: %d %s", p.Status, apptest.PageText(p.Body))
	}
	if n := w.app.Count(t, `SELECT count(*) FROM self_eval_reports`); n != 0 {
		t.Errorf("%d reports stored after a refused file", n)
	}
	// With a good file: submitted, the page shows it; F (assessor) reads it.
	p = apptest.PostMultipart(t, w.cm, page, map[string]string{"body": "半年报告正文"}, "总结.png", apptest.TestPNG)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d %s", p.Status, apptest.PageText(p.Body))
	}
	got := apptest.Get(t, w.cm, page)
	if !apptest.HasText(got, "半年报告正文") || !apptest.HasText(got, "总结.png") || !apptest.HasText(got, "已提交") {
		t.Errorf("own page %s", apptest.PageText(got.Body))
	}
	got = apptest.Get(t, w.cf, "/console/cycles/"+apptest.Itoa(w.cycle)+"/assessor/units/"+apptest.Itoa(w.m))
	if !strings.Contains(got.Body, `href="`+page+`"`) || !apptest.HasText(got, "已提交") {
		t.Errorf("the assessor's unit page links the report: %s", apptest.PageText(got.Body))
	}
	got = apptest.Get(t, w.cf, page)
	if got.Status != http.StatusOK || !apptest.HasText(got, "半年报告正文") || !apptest.HasText(got, "预算执行") || apptest.HasText(got, "安全生产") {
		t.Errorf("assessor page %d %s", got.Status, apptest.PageText(got.Body))
	}
	if got = apptest.Get(t, w.cx, page); got.Status != http.StatusForbidden || !apptest.HasText(got, "只能查看") {
		t.Errorf("X's page %d %s", got.Status, apptest.PageText(got.Body))
	}
	got = apptest.Get(t, w.office, "/console/self-eval-periods/"+apptest.Itoa(hp.ID)+"?q=民政")
	if got.Status != http.StatusOK || !apptest.HasText(got, "市民政局") || apptest.HasText(got, "市财政局") {
		t.Errorf("overview %d %s", got.Status, apptest.PageText(got.Body))
	}
}
