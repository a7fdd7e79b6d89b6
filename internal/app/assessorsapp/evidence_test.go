package assessorsapp_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"minyi/internal/assessors"
	"minyi/internal/targets"
	"minyi/internal/testutil/apptest"
)

// get answers a GET's status, body and Content-Disposition.
func get(t *testing.T, c *apptest.Client, path string) (int, string, string) {
	t.Helper()
	res, err := c.C.Get(c.App.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(data), res.Header.Get("Content-Disposition")
}

// M attaches 佐证材料 to its indicators (the console form and the API); an
// assessor downloads exactly the files of the indicators it assesses of
// the units it assesses: any other is a 403 with a Chinese message (JSON
// on the API, a page in the console) or, for a file the unit's sheet does
// not cite, a 404.
func TestAssessorDownloadsEvidenceInScope(t *testing.T) {
	w := newWorld(t)
	var sheet int64
	if err := w.app.Pool.QueryRow(t.Context(), `SELECT id FROM target_sheets WHERE unit_id = $1`, w.m).Scan(&sheet); err != nil {
		t.Fatal(err)
	}
	target := "/console/targets/" + apptest.Itoa(sheet)
	budgetPNG := append(append([]byte{}, apptest.TestPNG...), []byte("budget")...)
	page := apptest.PostMultipart(t, w.cm, target+"/evidence", map[string]string{"indicator_id": apptest.Itoa(w.budgetInd)},
		"预算执行报表.png", budgetPNG)
	if page.Status != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", page.Status, page.Body[strings.Index(page.Body, "<main"):])
	}
	// No file chosen: the page again with the message, nothing stored.
	page = apptest.PostMultipart(t, w.cm, target+"/evidence", map[string]string{"indicator_id": apptest.Itoa(w.budgetInd)}, "", nil)
	if page.Status != http.StatusUnprocessableEntity || !apptest.HasText(page, "请选择要上传的佐证材料") {
		t.Fatalf("upload without a file: %d %s", page.Status, apptest.PageText(page.Body))
	}
	// The API: upload, then attach to the safety indicator.
	var up struct{ ID string }
	want(t, w.cm.JSON(t, "POST", "/api/v1/evidence", map[string]any{"filename": "安全检查记录.png",
		"content_base64": append(append([]byte{}, apptest.TestPNG...), []byte("safety")...)}, &up), 201, "upload")
	want(t, w.cm.JSON(t, "POST", "/api/v1/targets/"+apptest.Itoa(sheet)+"/evidence",
		map[string]any{"indicator_id": w.safetyInd, "evidence_id": up.ID}, nil), 201, "attach")
	// Another unit's file, or another unit's sheet, is refused.
	var e apiErr
	want(t, w.cm.JSON(t, "POST", "/api/v1/targets/"+apptest.Itoa(sheet)+"/evidence",
		map[string]any{"indicator_id": w.safetyInd, "evidence_id": w.evidence(t, w.f)}, &e), 422, "F's file")
	if e.Error.Fields["evidence_id"] != targets.MsgEvidenceNotOwn {
		t.Fatalf("F's file: %+v", e)
	}
	want(t, w.cf.JSON(t, "POST", "/api/v1/targets/"+apptest.Itoa(sheet)+"/evidence",
		map[string]any{"indicator_id": w.safetyInd, "evidence_id": w.evidence(t, w.f)}, nil), 403, "F attaches to M's sheet")
	if n := w.app.Count(t, `SELECT count(*) FROM target_evidence`); n != 2 {
		t.Fatalf("%d files attached, want 2", n)
	}
	if w.app.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'target_evidence.attach'`) != 2 {
		t.Fatal("attachments not audited")
	}

	// F (the budget leaf) sees and downloads only the budget file.
	var v struct {
		Indicators []struct {
			Name  string
			Files []struct{ ID, Filename string }
		}
	}
	want(t, w.cf.JSON(t, "GET", w.path("/assessor/units/"+apptest.Itoa(w.m)), nil, &v), 200, "F reads M")
	if len(v.Indicators) != 1 || len(v.Indicators[0].Files) != 1 || v.Indicators[0].Files[0].Filename != "预算执行报表.png" {
		t.Fatalf("F's view: %+v", v)
	}
	budget := v.Indicators[0].Files[0].ID
	safety := up.ID
	file := func(unit int64, id string) string {
		return "/cycles/" + apptest.Itoa(w.cycle) + "/assessor/units/" + apptest.Itoa(unit) + "/evidence/" + id
	}
	status, body, disp := get(t, w.cf, "/api/v1"+file(w.m, budget))
	if status != 200 || body != string(budgetPNG) || !strings.HasPrefix(disp, "attachment") {
		t.Fatalf("F downloads the budget file: %d %q", status, disp)
	}
	status, _, disp = get(t, w.cf, "/console"+file(w.m, budget))
	if status != 200 || !strings.HasPrefix(disp, "attachment") {
		t.Fatalf("F downloads in the console: %d %q", status, disp)
	}
	status, _, _ = get(t, w.cs, "/api/v1"+file(w.m, safety))
	if status != 200 {
		t.Fatalf("S downloads the safety file: %d", status)
	}
	for _, tc := range []struct {
		name string
		c    *apptest.Client
		path string
		msg  string
	}{
		{"F, a leaf it does not assess", w.cf, file(w.m, safety), assessors.MsgEvidenceNotAssessed},
		{"S, a leaf it does not assess", w.cs, file(w.m, budget), assessors.MsgEvidenceNotAssessed},
		{"S, a unit it does not assess", w.cs, file(w.e, safety), assessors.MsgNotAssessed},
		{"X, no assessor", w.cx, file(w.m, budget), assessors.MsgNotAssessor},
		{"the office, no assessor unit", w.office, file(w.m, budget), assessors.MsgUnitRoleOnly},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantForbidden(t, tc.c, "GET", "/api/v1"+tc.path, nil, tc.msg)
			p := apptest.Get(t, tc.c, "/console"+tc.path)
			if p.Status != http.StatusForbidden || !apptest.HasText(p, tc.msg) || strings.Contains(p.Body, "budget") {
				t.Fatalf("console: %d %s", p.Status, apptest.PageText(p.Body))
			}
		})
	}
	// A file M's sheet does not cite, through a unit F assesses: not found.
	want(t, w.cf.JSON(t, "GET", "/api/v1"+file(w.e, budget), nil, nil), 404, "E cites no file")
	want(t, w.cf.JSON(t, "GET", "/api/v1"+file(w.m, w.evidence(t, w.m)), nil, nil), 404, "M's file not attached")
	want(t, w.cf.JSON(t, "GET", "/api/v1"+file(w.m, "not-a-uuid"), nil, nil), 404, "bad id")

	// The assessor's page links the file; M removes it, and F's link is gone.
	page = apptest.Get(t, w.cf, "/console/cycles/"+apptest.Itoa(w.cycle)+"/assessor/units/"+apptest.Itoa(w.m))
	if !strings.Contains(page.Body, "/console"+file(w.m, budget)) || strings.Contains(page.Body, safety) {
		t.Fatalf("F's page: %s", apptest.PageText(page.Body))
	}
	page = apptest.Post(t, w.cm, target+"/evidence/remove", map[string][]string{"indicator_id": {apptest.Itoa(w.budgetInd)},
		"evidence_id": {budget}})
	if page.Status != http.StatusSeeOther {
		t.Fatalf("remove: %d %s", page.Status, apptest.PageText(page.Body))
	}
	want(t, w.cf.JSON(t, "GET", "/api/v1"+file(w.m, budget), nil, nil), 404, "removed file")
	page = apptest.Get(t, w.cm, target)
	if !apptest.HasText(page, "安全检查记录.png") || apptest.HasText(page, "预算执行报表.png") {
		t.Fatalf("M's page: %s", apptest.PageText(page.Body))
	}
}
