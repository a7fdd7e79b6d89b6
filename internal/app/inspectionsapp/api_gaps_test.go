package inspectionsapp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"minyi/internal/inspections"
	"minyi/internal/testutil/apptest"
)

type itemsReply struct {
	Groups []struct {
		Scheme string `json:"scheme"`
		Parent string `json:"parent"`
		Items  []struct {
			Ref  string `json:"ref"`
			Name string `json:"name"`
		} `json:"items"`
	} `json:"groups"`
}

type schemeInspection struct {
	ID          int64 `json:"id"`
	SchemeItems []struct {
		ID     int64  `json:"id"`
		Ref    string `json:"ref"`
		Name   string `json:"name"`
		Parent string `json:"parent"`
		Scheme string `json:"scheme"`
	} `json:"scheme_items"`
	Findings []struct {
		ID             int64   `json:"id"`
		UnitID         int64   `json:"unit_id"`
		SchemeItem     *string `json:"scheme_item"`
		SchemeItemName *string `json:"scheme_item_name"`
	} `json:"findings"`
	EvidenceIDs []string `json:"evidence_ids"`
	Files       []struct {
		ID       string `json:"id"`
		Filename string `json:"filename"`
		Shared   bool   `json:"shared"`
	} `json:"files"`
}

// The indicators an inspection may cover are the leaves of the cycle's
// schemes (the default one and each group's) by parent item; an
// inspection records some, a finding names one of them, and the case it
// becomes says which. An indicator not of the cycle's schemes, or a
// finding's indicator the inspection does not cover, is refused with
// nothing stored; the office changes the indicators later, but not to drop
// one a finding names.
func TestSchemeIndicators(t *testing.T) {
	w := newWorld(t)
	var opts itemsReply
	want(t, w.office.JSON(t, "GET", w.path("/inspection-items"), nil, &opts), http.StatusOK, "options")
	var got []string
	for _, g := range opts.Groups {
		names := []string{}
		for _, it := range g.Items {
			names = append(names, it.Name)
		}
		got = append(got, g.Scheme+"|"+g.Parent+"|"+strings.Join(names, ","))
	}
	if strings.Join(got, ";") != "通用方案|重点工作|民生实事,营商环境;通用方案||日常管理;党政方案|履职尽责|依法行政;党政方案||群众满意度" {
		t.Fatalf("options: %v", got)
	}

	body := w.spotCheck("s1")
	body["scheme_items"] = []string{w.dflt, w.grp}
	body["findings"] = []map[string]any{{"unit_id": w.m, "scheme_item": w.grp, "severity": "serious", "body": "执法台账缺失"}}
	var i schemeInspection
	want(t, w.office.JSON(t, "POST", w.path("/inspections"), body, &i), http.StatusCreated, "create")
	if len(i.SchemeItems) != 2 || i.SchemeItems[1].Name != "依法行政" || i.SchemeItems[1].Parent != "履职尽责" ||
		i.SchemeItems[1].Scheme != "党政方案" || len(i.Findings) != 1 || i.Findings[0].SchemeItemName == nil ||
		*i.Findings[0].SchemeItemName != "依法行政" {
		t.Fatalf("created: %+v", i)
	}
	var c struct {
		Case struct{ Problem string } `json:"case"`
	}
	want(t, w.office.JSON(t, "POST", "/api/v1/inspection-findings/"+apptest.Itoa(i.Findings[0].ID)+"/case", struct{}{}, &c),
		http.StatusCreated, "case")
	if !strings.Contains(c.Case.Problem, "【依法行政】") {
		t.Fatalf("case problem: %q", c.Case.Problem)
	}

	for _, tc := range []struct {
		name  string
		items []string
		item  string
		field string
		msg   string
	}{
		{"leaf of no scheme", []string{"0:nope"}, "", "scheme_items", inspections.MsgSchemeItem},
		{"a parent item is no indicator", []string{"0:key_work"}, "", "scheme_items", inspections.MsgSchemeItem},
		{"the group's leaf under the default scheme", []string{"0:law"}, "", "scheme_items", inspections.MsgSchemeItem},
		{"finding's indicator not covered", []string{w.dflt}, w.grp, "findings", inspections.MsgFindingItem},
	} {
		b := w.spotCheck("")
		b["scheme_items"] = tc.items
		b["findings"] = []map[string]any{{"unit_id": w.m, "scheme_item": tc.item, "severity": "general", "body": "x"}}
		var e apiErr
		want(t, w.office.JSON(t, "POST", w.path("/inspections"), b, &e), http.StatusUnprocessableEntity, tc.name)
		if e.Error.Fields[tc.field] != tc.msg {
			t.Errorf("%s: %+v", tc.name, e.Error)
		}
	}
	if w.count(t, "inspections") != 1 || w.count(t, "inspection_items") != 2 {
		t.Fatal("a refused inspection stored rows")
	}
	base := "/api/v1/inspections/" + apptest.Itoa(i.ID)
	var e apiErr
	want(t, w.office.JSON(t, "POST", base+"/findings", map[string]any{"unit_id": w.e, "scheme_item": "0:daily",
		"severity": "general", "body": "x"}, &e), http.StatusUnprocessableEntity, "finding's indicator not covered")
	if e.Error.Fields["scheme_item"] != inspections.MsgFindingItem {
		t.Fatalf("finding on an indicator not covered: %+v", e.Error)
	}

	e = apiErr{}
	want(t, w.office.JSON(t, "PUT", base+"/scheme-items", map[string]any{"scheme_items": []string{w.dflt}}, &e),
		http.StatusUnprocessableEntity, "drop an indicator in use")
	if !strings.HasPrefix(e.Error.Fields["scheme_items"], inspections.MsgItemInUse) || w.count(t, "inspection_items") != 2 {
		t.Fatalf("dropping an indicator in use: %+v", e.Error)
	}
	want(t, w.cm.JSON(t, "PUT", base+"/scheme-items", map[string]any{"scheme_items": []string{w.grp}}, nil),
		http.StatusForbidden, "a unit changes indicators")
	var after schemeInspection
	want(t, w.office.JSON(t, "PUT", base+"/scheme-items", map[string]any{"scheme_items": []string{w.grp, "0:daily"}}, &after),
		http.StatusOK, "change")
	if len(after.SchemeItems) != 2 || after.SchemeItems[0].ID != i.SchemeItems[1].ID || after.SchemeItems[1].Name != "日常管理" {
		t.Fatalf("changed: %+v", after.SchemeItems)
	}
	if n := w.app.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'inspection.items'`); n != 1 {
		t.Fatalf("audit entries: %d", n)
	}
}

// uploadPNG uploads an evidence file as the office and returns its id.
func (w *world) uploadPNG(t *testing.T, name string) string {
	t.Helper()
	var ev struct{ ID string }
	want(t, w.office.JSON(t, "POST", "/api/v1/evidence", map[string]any{"filename": name, "content_base64": append(append([]byte{}, apptest.TestPNG...), name...)}, &ev),
		http.StatusCreated, "upload")
	return ev.ID
}

// An inspected unit downloads only the files the office shared with it,
// and only of an inspection of its unit (403 otherwise, as for the
// inspection itself); a leader downloads every file. The office shares,
// stops sharing and removes a file, each audited, the removal with the
// file's name; a unit or a leader may do none of it.
func TestInspectionFilesAndSharing(t *testing.T) {
	w := newWorld(t)
	i := w.create(t, w.spotCheck(""), http.StatusCreated)
	onlyE := w.create(t, map[string]any{"kind": "on_site", "held_on": "2026-04-09", "title": "实地核查", "unit_ids": []int64{w.e}},
		http.StatusCreated)
	base := "/api/v1/inspections/" + apptest.Itoa(i.ID)
	shared, private := w.uploadPNG(t, "检查通报.png"), w.uploadPNG(t, "内部记录.png")
	var got schemeInspection
	want(t, w.office.JSON(t, "POST", base+"/files", map[string]any{"evidence_ids": []string{shared}, "shared": true}, &got),
		http.StatusOK, "attach shared")
	want(t, w.office.JSON(t, "POST", base+"/files", map[string]any{"evidence_ids": []string{private}}, &got), http.StatusOK, "attach")
	if len(got.Files) != 2 || !got.Files[0].Shared || got.Files[1].Shared {
		t.Fatalf("files: %+v", got.Files)
	}
	eBase := "/api/v1/inspections/" + apptest.Itoa(onlyE.ID)
	sharedE := w.uploadPNG(t, "E的通报.png")
	want(t, w.office.JSON(t, "POST", eBase+"/files", map[string]any{"evidence_ids": []string{sharedE}, "shared": true}, nil),
		http.StatusOK, "attach to E's")

	want(t, w.cm.JSON(t, "GET", base, nil, &got), http.StatusOK, "M reads")
	if len(got.Files) != 1 || got.Files[0].ID != shared || len(got.EvidenceIDs) != 1 {
		t.Fatalf("M sees files %+v", got.Files)
	}
	for _, tc := range []struct {
		name   string
		c      *apptest.Client
		path   string
		status int
		msg    string
	}{
		{"M, shared", w.cm, base + "/files/" + shared, 200, ""},
		{"M, not shared", w.cm, base + "/files/" + private, 403, inspections.MsgFileNotShared},
		{"M, another unit's inspection", w.cm, eBase + "/files/" + sharedE, 403, inspections.MsgNotInspected},
		{"M, a file of another inspection", w.cm, base + "/files/" + sharedE, 404, inspections.MsgFileNotFound},
		{"E, shared", w.ce, base + "/files/" + shared, 200, ""},
		{"leader, not shared", w.leader, base + "/files/" + private, 200, ""},
		{"office, not shared", w.office, base + "/files/" + private, 200, ""},
		{"office, not an id", w.office, base + "/files/x", 404, inspections.MsgFileNotFound},
	} {
		var e apiErr
		var out any = &e
		if tc.status == 200 {
			out = nil
		}
		res := tc.c.JSON(t, "GET", tc.path, nil, out)
		want(t, res, tc.status, tc.name)
		if tc.msg != "" && e.Error.Message != tc.msg {
			t.Errorf("%s: %+v", tc.name, e.Error)
		}
		if tc.status == 200 && !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("%s: not a download: %v", tc.name, res.Header)
		}
	}
	p := apptest.Get(t, w.cm, "/console/inspections/"+apptest.Itoa(i.ID)+"/files/"+private)
	if p.Status != http.StatusForbidden || !apptest.HasText(p, inspections.MsgFileNotShared) {
		t.Fatalf("console, not shared: %d %s", p.Status, apptest.PageText(p.Body))
	}
	if p := apptest.Get(t, w.cm, "/console/inspections/"+apptest.Itoa(onlyE.ID)); p.Status != http.StatusForbidden {
		t.Fatalf("M opens E's inspection: %d", p.Status)
	}

	for _, c := range []*apptest.Client{w.cm, w.leader} {
		want(t, c.JSON(t, "POST", base+"/files/"+private+"/share", map[string]any{"shared": true}, nil), http.StatusForbidden, "share")
		want(t, c.JSON(t, "DELETE", base+"/files/"+private, nil, nil), http.StatusForbidden, "remove")
	}
	var e apiErr
	want(t, w.office.JSON(t, "POST", base+"/files/"+private+"/share", map[string]any{}, &e), http.StatusUnprocessableEntity, "no flag")
	want(t, w.office.JSON(t, "POST", base+"/files/"+private+"/share", map[string]any{"shared": true}, &got), http.StatusOK, "share")
	want(t, w.cm.JSON(t, "GET", base+"/files/"+private, nil, nil), http.StatusOK, "M, now shared")
	want(t, w.office.JSON(t, "POST", base+"/files/"+shared+"/share", map[string]any{"shared": false}, &got), http.StatusOK, "unshare")
	want(t, w.cm.JSON(t, "GET", base+"/files/"+shared, nil, nil), http.StatusForbidden, "M, no longer shared")

	want(t, w.office.JSON(t, "DELETE", base+"/files/"+private, nil, &got), http.StatusOK, "remove")
	if len(got.Files) != 1 || got.Files[0].ID != shared {
		t.Fatalf("after removal: %+v", got.Files)
	}
	want(t, w.office.JSON(t, "DELETE", base+"/files/"+private, nil, &e), http.StatusNotFound, "remove again")
	want(t, w.cm.JSON(t, "GET", base+"/files/"+private, nil, nil), http.StatusNotFound, "M, removed")
	var logged string
	if err := w.app.Pool.QueryRow(t.Context(), `SELECT before->>'filename' FROM audit_log WHERE action = 'inspection.file_remove'`).
		Scan(&logged); err != nil || logged != "内部记录.png" {
		t.Fatalf("audit of the removal: %q %v", logged, err)
	}
	if n := w.app.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'inspection.file_share'`); n != 2 {
		t.Fatalf("share audit entries: %d", n)
	}

	// A leader reads the files on the page, read-only.
	page := "/console/inspections/" + apptest.Itoa(i.ID)
	p = apptest.Get(t, w.leader, page)
	if p.Status != 200 || !p.Has(page+"/files/"+shared) || p.Has("share-form") || p.Has("remove-form") || p.Has("file-form") {
		t.Fatalf("leader's page: %d %s", p.Status, apptest.PageText(p.Body))
	}

	// The console: the office removes the last file with the form.
	p = apptest.Post(t, w.office, page+"/files/"+shared+"/remove", url.Values{})
	if p.Status != http.StatusSeeOther || w.app.Count(t, `SELECT cardinality(evidence_ids) FROM inspections WHERE id = $1`, i.ID) != 0 {
		t.Fatalf("console removal: %d", p.Status)
	}
	p = apptest.Post(t, w.office, page+"/files/"+shared+"/remove", url.Values{})
	if p.Status != http.StatusUnprocessableEntity || !apptest.HasText(p, inspections.MsgFileNotFound) {
		t.Fatalf("console removal again: %d %s", p.Status, apptest.PageText(p.Body))
	}
}

// An assessor unit (O scores 依法行政 of the scheme M and E are scored on)
// sees the inspections of the units it assesses with their findings, but
// neither the files shared with the inspected units nor a link to their
// cases; M still sees only its own findings, E's inspection stays
// closed to M.
func TestAssessorSeesFindingsOfAssessedUnits(t *testing.T) {
	w := newWorld(t)
	b := w.spotCheck("")
	i := w.create(t, b, http.StatusCreated)
	base := "/api/v1/inspections/" + apptest.Itoa(i.ID)
	f := w.uploadPNG(t, "通报.png")
	want(t, w.office.JSON(t, "POST", base+"/files", map[string]any{"evidence_ids": []string{f}, "shared": true}, nil), http.StatusOK, "attach")
	var c struct {
		Case struct{ ID int64 } `json:"case"`
	}
	want(t, w.office.JSON(t, "POST", "/api/v1/inspection-findings/"+apptest.Itoa(i.Findings[0].ID)+"/case", struct{}{}, &c),
		http.StatusCreated, "case")

	var l listReply
	want(t, w.co.JSON(t, "GET", w.path("/inspections"), nil, &l), http.StatusOK, "O lists")
	if l.Total != 1 || l.Items[0].ID != i.ID {
		t.Fatalf("O's list: %+v", l)
	}
	var got inspectionJSON
	want(t, w.co.JSON(t, "GET", base, nil, &got), http.StatusOK, "O reads")
	if len(got.Findings) != 2 || len(got.Units) != 2 || len(got.Files) != 0 {
		t.Fatalf("O's view: %+v", got)
	}
	want(t, w.co.JSON(t, "GET", base+"/files/"+f, nil, nil), http.StatusForbidden, "O downloads")
	p := apptest.Get(t, w.co, "/console/inspections/"+apptest.Itoa(i.ID))
	if p.Status != 200 || !apptest.HasText(p, "本单位及本单位考评的单位") || !apptest.HasText(p, "救助台账未按月更新") ||
		!apptest.HasText(p, "佐证材料不全") || p.Has("/console/cases/"+apptest.Itoa(c.Case.ID)) || !apptest.HasText(p, "已转为整改案件") {
		t.Fatalf("O's page: %d %s", p.Status, apptest.PageText(p.Body))
	}
	p = apptest.Get(t, w.cm, "/console/inspections/"+apptest.Itoa(i.ID))
	if p.Status != 200 || apptest.HasText(p, "佐证材料不全") || !p.Has(`href="/console/cases/`+apptest.Itoa(c.Case.ID)+`"`) ||
		!p.Has(`/files/`+f) {
		t.Fatalf("M's page: %d %s", p.Status, apptest.PageText(p.Body))
	}
}
