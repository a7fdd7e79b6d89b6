package inspectionsapp_test

import (
	"net/http"
	"strings"
	"testing"

	"minyi/internal/inspections"
	"minyi/internal/testutil/apptest"
)

type inspectionJSON struct {
	ID       int64  `json:"id"`
	Kind     string `json:"kind"`
	KindName string `json:"kind_name"`
	HeldOn   string `json:"held_on"`
	Units    []struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"units"`
	Indicators []struct {
		ID int64 `json:"id"`
	} `json:"indicators"`
	Findings []struct {
		ID            int64   `json:"id"`
		UnitID        int64   `json:"unit_id"`
		IndicatorName *string `json:"indicator_name"`
		Severity      string  `json:"severity"`
		Body          string  `json:"body"`
		CaseID        *int64  `json:"case_id"`
		ProposalID    *int64  `json:"proposal_id"`
	} `json:"findings"`
	EvidenceIDs []string `json:"evidence_ids"`
	Files       []struct {
		Filename string `json:"filename"`
	} `json:"files"`
}

type listReply struct {
	Items []inspectionJSON `json:"items"`
	Total int              `json:"total"`
}

// spotCheck is an inspection of M and E with a finding on each (M's on
// its indicator).
func (w *world) spotCheck(key string) map[string]any {
	return map[string]any{"kind": "spot_check", "held_on": "2026-04-08", "title": "第一季度重点工作抽查",
		"people": "绩效办张三、李四", "unit_ids": []int64{w.m, w.e}, "indicator_ids": []int64{w.mInd}, "client_key": key,
		"findings": []map[string]any{
			{"unit_id": w.m, "indicator_id": w.mInd, "severity": "serious", "body": "救助台账未按月更新"},
			{"unit_id": w.e, "severity": "general", "body": "佐证材料不全"},
		}}
}

func (w *world) create(t *testing.T, body map[string]any, status int) inspectionJSON {
	t.Helper()
	var out inspectionJSON
	want(t, w.office.JSON(t, "POST", w.path("/inspections"), body, &out), status, "create")
	return out
}

// The office records an inspection with its units, indicators and
// findings; a retry with the same client_key returns it without a second
// record. The office and a leader read all of it; a unit reads the
// inspections of its unit with only its own findings and no files, and
// gets 403 for another.
func TestRecordAndReadInspections(t *testing.T) {
	w := newWorld(t)
	first := w.create(t, w.spotCheck("k1"), http.StatusCreated)
	if first.KindName != "季度抽查" || first.HeldOn != "2026-04-08" || len(first.Units) != 2 || len(first.Findings) != 2 ||
		len(first.Indicators) != 1 || first.Findings[0].IndicatorName == nil || *first.Findings[0].IndicatorName != "社会救助" {
		t.Fatalf("created: %+v", first)
	}
	again := w.create(t, w.spotCheck("k1"), http.StatusOK)
	if again.ID != first.ID || w.count(t, "inspections") != 1 || w.count(t, "inspection_findings") != 2 {
		t.Fatalf("retry made a second record: %d vs %d", again.ID, first.ID)
	}
	if n := w.app.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'inspection.create'`); n != 1 {
		t.Fatalf("audit entries: %d", n)
	}
	onlyM := map[string]any{"kind": "visit_verify", "held_on": "2026-04-09", "title": "察访核验", "unit_ids": []int64{w.m}}
	second := w.create(t, onlyM, http.StatusCreated)

	for _, tc := range []struct {
		name  string
		c     *apptest.Client
		query string
		total int
	}{
		{"office, all", w.office, "", 2},
		{"leader, all", w.leader, "", 2},
		{"office, of E", w.office, "?unit_id=" + apptest.Itoa(w.e), 1},
		{"office, 察访核验", w.office, "?kind=visit_verify", 1},
		{"office, 月度自查", w.office, "?kind=self_check", 0},
		{"M, its own", w.cm, "", 2},
		{"E, its own", w.ce, "", 1},
		{"E cannot widen its view", w.ce, "?unit_id=" + apptest.Itoa(w.m), 1},
	} {
		var l listReply
		want(t, tc.c.JSON(t, "GET", w.path("/inspections"+tc.query), nil, &l), http.StatusOK, tc.name)
		if l.Total != tc.total || len(l.Items) != tc.total {
			t.Errorf("%s: %d items of %d, want %d", tc.name, len(l.Items), l.Total, tc.total)
		}
	}
	var e apiErr
	want(t, w.office.JSON(t, "GET", w.path("/inspections?kind=audit"), nil, &e), http.StatusUnprocessableEntity, "bad kind filter")
	if e.Error.Fields["kind"] != "检查类型无效" {
		t.Fatalf("bad kind filter: %+v", e)
	}

	var got inspectionJSON
	want(t, w.leader.JSON(t, "GET", "/api/v1/inspections/"+apptest.Itoa(first.ID), nil, &got), http.StatusOK, "leader reads")
	if len(got.Findings) != 2 || len(got.Units) != 2 {
		t.Fatalf("leader's view: %+v", got)
	}
	want(t, w.ce.JSON(t, "GET", "/api/v1/inspections/"+apptest.Itoa(first.ID), nil, &got), http.StatusOK, "E reads")
	if len(got.Findings) != 1 || got.Findings[0].UnitID != w.e || len(got.Units) != 1 || got.Units[0].ID != w.e {
		t.Fatalf("E's view: %+v", got)
	}
	e = apiErr{}
	want(t, w.ce.JSON(t, "GET", "/api/v1/inspections/"+apptest.Itoa(second.ID), nil, &e), http.StatusForbidden, "E reads M's")
	if e.Error.Message != inspections.MsgNotInspected {
		t.Fatalf("E reads M's inspection: %+v", e)
	}
}

// Bad input is refused with a Chinese message naming the field, a unit or
// a leader may not record, and a cycle whose result is final takes no
// inspection; nothing is stored by any of them.
func TestRecordRefusals(t *testing.T) {
	w := newWorld(t)
	with := func(change func(map[string]any)) map[string]any {
		b := w.spotCheck("")
		change(b)
		return b
	}
	for _, tc := range []struct {
		name   string
		c      *apptest.Client
		body   map[string]any
		status int
		field  string
		msg    string
	}{
		{"unit not in the cycle", w.office, with(func(b map[string]any) { b["unit_ids"] = []int64{w.m, w.e, w.o} }),
			422, "unit_ids", inspections.MsgUnitNotInCycle},
		{"unknown unit", w.office, with(func(b map[string]any) { b["unit_ids"] = []int64{w.m, w.e, 999999} }),
			422, "unit_ids", inspections.MsgUnitNotInCycle},
		{"indicator of a unit not inspected", w.office, with(func(b map[string]any) {
			b["unit_ids"], b["indicator_ids"], b["findings"] = []int64{w.m}, []int64{w.eInd}, nil
		}), 422, "indicator_ids", inspections.MsgIndicator},
		{"finding on another unit's indicator", w.office, with(func(b map[string]any) {
			b["findings"] = []map[string]any{{"unit_id": w.e, "indicator_id": w.mInd, "severity": "general", "body": "x"}}
		}), 422, "findings", inspections.MsgIndicator},
		{"finding of a unit not inspected", w.office, with(func(b map[string]any) {
			b["unit_ids"] = []int64{w.m}
		}), 422, "findings", "发现的问题须属于被检查的单位"},
		{"unknown kind", w.office, with(func(b map[string]any) { b["kind"] = "audit" }), 422, "kind", "请选择检查类型"},
		{"date after today", w.office, with(func(b map[string]any) { b["held_on"] = "2026-04-11" }), 422, "held_on", "检查日期不能晚于今天"},
		{"no title", w.office, with(func(b map[string]any) { b["title"] = " " }), 422, "title", "请填写检查名称（不超过200字）"},
		{"bad file id", w.office, with(func(b map[string]any) { b["evidence_ids"] = []string{"nope"} }), 422, "evidence_ids", "证明材料编号无效"},
		{"a unit may not record", w.cm, w.spotCheck(""), 403, "", ""},
		{"a leader may not record", w.leader, w.spotCheck(""), 403, "", ""},
	} {
		var e apiErr
		want(t, tc.c.JSON(t, "POST", w.path("/inspections"), tc.body, &e), tc.status, tc.name)
		if tc.field != "" && e.Error.Fields[tc.field] != tc.msg {
			t.Errorf("%s: %+v, want %s: %s", tc.name, e.Error, tc.field, tc.msg)
		}
		if tc.status == 403 && (e.Error.Code != "forbidden" || !hasHan(e.Error.Message)) {
			t.Errorf("%s: %+v", tc.name, e.Error)
		}
	}
	if n := w.count(t, "inspections") + w.count(t, "inspection_findings"); n != 0 {
		t.Fatalf("refusals stored %d rows", n)
	}
	w.closeCycle(t)
	var e apiErr
	want(t, w.office.JSON(t, "POST", w.path("/inspections"), w.spotCheck(""), &e), http.StatusConflict, "closed cycle")
	if !hasHan(e.Error.Message) || w.count(t, "inspections") != 0 {
		t.Fatalf("closed cycle: %+v", e)
	}
}

func (w *world) closeCycle(t *testing.T) {
	t.Helper()
	if _, err := w.app.Pool.Exec(t.Context(), `INSERT INTO assessment_publications (cycle_id, stage, published_at,
		settings_version, scheme_version) VALUES ($1, 'final', now(), 1, 1)`, w.cycle); err != nil {
		t.Fatal(err)
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

// Findings and files are added to an inspection later; a retried finding
// (same client_key) or file is stored once, and a finding of a unit the
// inspection did not inspect is refused.
func TestAddFindingsAndFiles(t *testing.T) {
	w := newWorld(t)
	i := w.create(t, w.spotCheck(""), http.StatusCreated)
	base := "/api/v1/inspections/" + apptest.Itoa(i.ID)
	add := map[string]any{"unit_id": w.e, "indicator_id": w.eInd, "severity": "general", "body": "课后服务未公示", "client_key": "f1"}
	var f struct{ ID int64 }
	want(t, w.office.JSON(t, "POST", base+"/findings", add, &f), http.StatusCreated, "add finding")
	var f2 struct{ ID int64 }
	want(t, w.office.JSON(t, "POST", base+"/findings", add, &f2), http.StatusOK, "retry finding")
	if f2.ID != f.ID || w.count(t, "inspection_findings") != 3 {
		t.Fatalf("retried finding stored twice")
	}
	for _, tc := range []struct {
		name  string
		body  map[string]any
		field string
		msg   string
	}{
		{"unit not inspected", map[string]any{"unit_id": w.o, "severity": "general", "body": "x"}, "unit_id", inspections.MsgNotOfUnit},
		{"indicator of another unit", map[string]any{"unit_id": w.e, "indicator_id": w.mInd, "severity": "general", "body": "x"},
			"indicator_id", inspections.MsgIndicator},
		{"no severity", map[string]any{"unit_id": w.e, "body": "x"}, "severity", "请选择问题性质"},
		{"no text", map[string]any{"unit_id": w.e, "severity": "general"}, "body", "请填写发现的问题（不超过2000字）"},
	} {
		var e apiErr
		want(t, w.office.JSON(t, "POST", base+"/findings", tc.body, &e), http.StatusUnprocessableEntity, tc.name)
		if e.Error.Fields[tc.field] != tc.msg {
			t.Errorf("%s: %+v", tc.name, e.Error)
		}
	}
	want(t, w.cm.JSON(t, "POST", base+"/findings", add, nil), http.StatusForbidden, "unit adds a finding")
	if w.count(t, "inspection_findings") != 3 {
		t.Fatal("a refused finding was stored")
	}

	var ev struct{ ID string }
	png := append([]byte("\x89PNG\r\n\x1a\n"), []byte("inspection-photo")...)
	want(t, w.office.JSON(t, "POST", "/api/v1/evidence", map[string]any{"filename": "现场照片.png", "content_base64": png}, &ev),
		http.StatusCreated, "upload")
	var got inspectionJSON
	for range 2 {
		want(t, w.office.JSON(t, "POST", base+"/files", map[string]any{"evidence_ids": []string{ev.ID}}, &got), http.StatusOK, "attach")
	}
	if len(got.Files) != 1 || got.Files[0].Filename != "现场照片.png" {
		t.Fatalf("files: %+v", got.Files)
	}
	var e apiErr
	want(t, w.office.JSON(t, "POST", base+"/files", map[string]any{"evidence_ids": []string{"00000000-0000-0000-0000-000000000000"}}, &e),
		http.StatusUnprocessableEntity, "unknown file")
	want(t, w.cm.JSON(t, "GET", base, nil, &got), http.StatusOK, "M reads")
	if len(got.Files) != 0 || len(got.EvidenceIDs) != 0 {
		t.Fatalf("a unit sees the office's files: %+v", got)
	}
}

// A finding becomes a rectification case for its unit in one step, with
// the finding's text and the monitoring period's deadline, linked both
// ways; pressing again shows the same case. A 工作亮点 is refused, a unit
// may not, and the unit sees its case.
func TestFindingBecomesACaseOnce(t *testing.T) {
	w := newWorld(t)
	i := w.create(t, w.spotCheck(""), http.StatusCreated)
	fid := apptest.Itoa(i.Findings[0].ID)
	type caseReply struct {
		Case struct {
			ID         int64   `json:"id"`
			UnitID     int64   `json:"unit_id"`
			Problem    string  `json:"problem"`
			SourceKind string  `json:"source_kind"`
			SourceID   string  `json:"source_id"`
			AnswerDue  *string `json:"answer_due"`
			CycleID    *int64  `json:"cycle_id"`
			Status     string  `json:"status"`
		} `json:"case"`
		Created bool `json:"created"`
	}
	want(t, w.cm.JSON(t, "POST", "/api/v1/inspection-findings/"+fid+"/case", struct{}{}, nil), http.StatusForbidden, "unit converts")
	var r caseReply
	want(t, w.office.JSON(t, "POST", "/api/v1/inspection-findings/"+fid+"/case", struct{}{}, &r), http.StatusCreated, "to case")
	c := r.Case
	if !r.Created || c.UnitID != w.m || c.SourceKind != "inspection" || c.SourceID != fid || c.AnswerDue == nil ||
		c.CycleID == nil || *c.CycleID != w.cycle || c.Status != "sent" ||
		!strings.Contains(c.Problem, "救助台账未按月更新") || !strings.Contains(c.Problem, "【社会救助】") {
		t.Fatalf("case: %+v", r)
	}
	var again caseReply
	want(t, w.office.JSON(t, "POST", "/api/v1/inspection-findings/"+fid+"/case", struct{}{}, &again), http.StatusOK, "again")
	if again.Created || again.Case.ID != c.ID || w.count(t, "rectification_cases") != 1 {
		t.Fatalf("second press: %+v", again)
	}
	var got inspectionJSON
	want(t, w.office.JSON(t, "GET", "/api/v1/inspections/"+apptest.Itoa(i.ID), nil, &got), http.StatusOK, "read")
	if got.Findings[0].CaseID == nil || *got.Findings[0].CaseID != c.ID {
		t.Fatalf("finding not linked: %+v", got.Findings[0])
	}
	want(t, w.cm.JSON(t, "GET", "/api/v1/cases/"+apptest.Itoa(c.ID), nil, nil), http.StatusOK, "M reads its case")
	link := `href="/console/inspections/` + apptest.Itoa(i.ID) + `#f` + fid + `"`
	for _, cl := range []*apptest.Client{w.office, w.cm} {
		if p := apptest.Get(t, cl, "/console/cases/"+apptest.Itoa(c.ID)); !p.Has(link) {
			t.Fatalf("the case page does not link its inspection (%d): %s", p.Status, apptest.PageText(p.Body))
		}
	}

	good := map[string]any{"unit_id": w.e, "severity": "good", "body": "家校共育做法值得推广"}
	var f struct{ ID int64 }
	want(t, w.office.JSON(t, "POST", "/api/v1/inspections/"+apptest.Itoa(i.ID)+"/findings", good, &f), http.StatusCreated, "good")
	var e apiErr
	want(t, w.office.JSON(t, "POST", "/api/v1/inspection-findings/"+apptest.Itoa(f.ID)+"/case", struct{}{}, &e), http.StatusConflict, "good to case")
	if e.Error.Message != inspections.MsgGoodFinding || w.count(t, "rectification_cases") != 1 {
		t.Fatalf("good finding: %+v", e)
	}
	want(t, w.office.JSON(t, "POST", "/api/v1/inspection-findings/999999/case", struct{}{}, &e), http.StatusNotFound, "unknown")
}

// A finding becomes a deduction proposal of the office with a reason of
// the cycle's settings, once; the office then confirms it in the usual
// queue and the deduction is filed. A reason not listed, and a cycle
// whose result is final, are refused with nothing stored.
func TestFindingBecomesAProposalOnce(t *testing.T) {
	w := newWorld(t)
	i := w.create(t, w.spotCheck(""), http.StatusCreated)
	fid := apptest.Itoa(i.Findings[1].ID)
	url := "/api/v1/inspection-findings/" + fid + "/proposal"
	var e apiErr
	want(t, w.office.JSON(t, "POST", url, map[string]any{"reason_key": "made_up"}, &e), http.StatusUnprocessableEntity, "bad reason")
	if e.Error.Fields["reason_key"] != "请选择考核设置中列出的扣分事由" || w.count(t, "deduction_proposals") != 0 {
		t.Fatalf("bad reason: %+v", e)
	}
	want(t, w.ce.JSON(t, "POST", url, map[string]any{"reason_key": "targets_incomplete"}, nil), http.StatusForbidden, "unit")
	type propReply struct {
		Proposal struct {
			ID           int64  `json:"id"`
			UnitID       int64  `json:"unit_id"`
			ProposerName string `json:"proposer_name"`
			ReasonName   string `json:"reason_name"`
			Status       string `json:"status"`
			Description  string `json:"description"`
		} `json:"proposal"`
		Created bool `json:"created"`
	}
	var r propReply
	want(t, w.office.JSON(t, "POST", url, map[string]any{"reason_key": "targets_incomplete"}, &r), http.StatusCreated, "to proposal")
	p := r.Proposal
	if !r.Created || p.UnitID != w.e || p.ProposerName != "绩效办" || p.ReasonName != "目标任务未完成" || p.Status != "pending" ||
		!strings.Contains(p.Description, "佐证材料不全") {
		t.Fatalf("proposal: %+v", r)
	}
	var again propReply
	want(t, w.office.JSON(t, "POST", url, map[string]any{"reason_key": "data_withheld"}, &again), http.StatusOK, "again")
	if again.Created || again.Proposal.ID != p.ID || w.count(t, "deduction_proposals") != 1 {
		t.Fatalf("second press: %+v", again)
	}
	var list struct {
		Total int `json:"total"`
	}
	want(t, w.office.JSON(t, "GET", w.path("/deduction-proposals?status=pending"), nil, &list), http.StatusOK, "queue")
	if list.Total != 1 {
		t.Fatalf("office queue: %+v", list)
	}
	want(t, w.office.JSON(t, "POST", "/api/v1/deduction-proposals/"+apptest.Itoa(p.ID)+"/confirm", struct{}{}, &e), http.StatusOK, "confirm "+e.Error.Message)
	if n := w.app.Count(t, `SELECT count(*) FROM assessment_deductions WHERE unit_id = $1`, w.e); n != 1 {
		t.Fatalf("deductions filed: %d", n)
	}

	w.closeCycle(t)
	mid := apptest.Itoa(i.Findings[0].ID)
	e = apiErr{}
	want(t, w.office.JSON(t, "POST", "/api/v1/inspection-findings/"+mid+"/proposal", map[string]any{"reason_key": "targets_incomplete"}, &e),
		http.StatusConflict, "closed cycle proposal")
	want(t, w.office.JSON(t, "POST", "/api/v1/inspection-findings/"+mid+"/case", struct{}{}, &e), http.StatusConflict, "closed cycle case")
	if !hasHan(e.Error.Message) || w.count(t, "deduction_proposals") != 1 || w.count(t, "rectification_cases") != 0 {
		t.Fatalf("closed cycle: %+v", e)
	}
}
