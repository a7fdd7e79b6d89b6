package resultsapp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"minyi/internal/results"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

var testPDF = []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")

// resultsWorld is a cycle with a one-leaf scheme and an entry for units a
// and b, and a signed-in user of unit b.
type resultsWorld struct {
	*fixtures.APIWorld
	cycle fixtures.CycleReply
	unitB *apptest.Client
	base  string // API: /api/v1/cycles/:id/results
	page  string // console: /console/cycles/:id/results
}

func newResultsWorld(t *testing.T, now func() time.Time, year int) *resultsWorld {
	t.Helper()
	w := &resultsWorld{APIWorld: fixtures.NewAPIWorld(t, apptest.Options{Now: now})}
	w.App.AddUser(t, "unit-b", "unit-pass-b", "unit", &w.B.ID)
	w.unitB = w.App.Client()
	w.unitB.SignIn(t, "unit-b", "unit-pass-b")
	w.cycle = w.CreateCycle(t, apptest.Itoa(int64(year))+"年度", year, nil)
	w.base = "/api/v1/cycles/" + apptest.Itoa(w.cycle.ID) + "/results"
	w.page = "/console/cycles/" + apptest.Itoa(w.cycle.ID) + "/results"
	tree := map[string]any{"key": "total", "name": "综合", "kind": "sum", "children": []map[string]any{
		{"key": "work", "name": "工作实绩", "kind": "manual", "max": 100, "assessor": map[string]any{"name": "市考评办"}}}}
	apptest.APIJSON(t, w.Office, "PUT", "/api/v1/cycles/"+apptest.Itoa(w.cycle.ID)+"/scheme", map[string]any{"tree": tree}).Decode(t, http.StatusCreated, nil)
	for _, u := range []int64{w.A.ID, w.B.ID} {
		if _, err := w.App.Pool.Exec(context.Background(), `INSERT INTO assessment_entries (cycle_id, unit_id, leaf_key, points)
			VALUES ($1, $2, 'work', 86.5)`, w.cycle.ID, u); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

type upload struct {
	name string
	data []byte
}

// postFiles submits a console form with the files in the field "files".
func postFiles(t *testing.T, c *apptest.Client, path string, fields map[string]string, files ...upload) apptest.Page {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("_csrf", apptest.CSRF(t, c, "/console"))
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for _, f := range files {
		fw, err := mw.CreateFormFile("files", f.name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(f.data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", c.App.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return apptest.SendPage(t, c, req)
}

// download fetches an evidence file through the API.
func download(t *testing.T, c *apptest.Client, id string) apptest.APIReply {
	t.Helper()
	return apptest.APIDo(t, c, "GET", "/api/v1/evidence/"+id, "", "")
}

// TestAppealEvidence: an application for review carries evidence files,
// uploaded with it (API and console); the office and the unit download
// them, another unit cannot; a file of the wrong type or too large is
// refused with the Chinese message and nothing is stored.
func TestAppealEvidence(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, loc)
	w := newResultsWorld(t, func() time.Time { return now }, 2026)
	apptest.APIJSON(t, w.Office, "POST", w.base+"/preliminary", map[string]any{}).Decode(t, http.StatusCreated, nil)
	apply := w.base + "/units/" + apptest.Itoa(w.A.ID) + "/appeal"
	nothingStored := func(label string) {
		t.Helper()
		if n := w.App.Count(t, `SELECT count(*) FROM evidence_files`) + w.App.Count(t, `SELECT count(*) FROM assessment_appeals`); n != 0 {
			t.Fatalf("%s: %d rows stored", label, n)
		}
	}
	file := func(name string, data []byte) map[string]any {
		return map[string]any{"filename": name, "content_base64": data}
	}

	// Wrong type, too large, too many: refused, nothing stored.
	r := apptest.APIJSON(t, w.UnitUser, "POST", apply, map[string]any{"grounds": "漏计表彰",
		"files": []any{file("表彰.pdf", testPDF), file("说明.txt", []byte("纯文本"))}})
	apptest.WantAPIError(t, r, http.StatusUnprocessableEntity, "invalid", "files")
	if !strings.Contains(string(r.Body), "“说明.txt”：仅支持 PDF、PNG、JPEG 格式") {
		t.Fatalf("wrong type: %s", r.Body)
	}
	nothingStored("wrong type")
	big := append(append([]byte{}, apptest.TestPNG...), make([]byte, 10<<20)...)
	r = apptest.APIJSON(t, w.UnitUser, "POST", apply, map[string]any{"grounds": "漏计表彰", "files": []any{file("大图.png", big)}})
	apptest.WantAPIError(t, r, http.StatusUnprocessableEntity, "invalid", "files")
	if !strings.Contains(string(r.Body), "文件不能超过10MB") {
		t.Fatalf("oversize: %s", r.Body)
	}
	nothingStored("oversize")
	six := []any{}
	for range results.MaxUploads + 1 {
		six = append(six, file("a.pdf", testPDF))
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", apply, map[string]any{"grounds": "漏计表彰", "files": six}),
		http.StatusUnprocessableEntity, "invalid", "files")
	nothingStored("too many")

	// Accepted with two files, owned by the unit.
	var a results.Appeal
	body := map[string]any{"grounds": "漏计表彰", "evidence_note": "市政府表彰文件及奖牌照片",
		"files": []any{file("表彰文件.pdf", testPDF), file("奖牌.png", apptest.TestPNG)}}
	apptest.APIJSON(t, w.UnitUser, "POST", apply, body).Decode(t, http.StatusCreated, &a)
	if len(a.Evidence) != 2 || a.Evidence[0].Filename != "表彰文件.pdf" || a.Evidence[1].ContentType != "image/png" ||
		*a.Evidence[0].OwnerUnitID != w.A.ID || len(a.EvidenceIDs) != 2 {
		t.Fatalf("appeal evidence: %+v", a)
	}
	// A retry stores nothing again.
	var again results.Appeal
	apptest.APIJSON(t, w.UnitUser, "POST", apply, body).Decode(t, http.StatusCreated, &again)
	if again.ID != a.ID || w.App.Count(t, `SELECT count(*) FROM evidence_files`) != 2 {
		t.Fatalf("retry: %+v", again)
	}
	// Downloads: the office and the unit; not another unit.
	for _, c := range []*apptest.Client{w.Office, w.UnitUser} {
		r := download(t, c, a.Evidence[0].ID)
		if r.Status != http.StatusOK || !bytes.Equal(r.Body, testPDF) || r.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("download: %d %s", r.Status, r.Header)
		}
	}
	apptest.WantAPIError(t, download(t, w.unitB, a.Evidence[0].ID), http.StatusNotFound, "not_found")
	consoleGet(t, w.unitB, "/console/evidence/"+a.Evidence[1].ID, http.StatusNotFound)
	if p := apptest.Get(t, w.UnitUser, "/console/evidence/"+a.Evidence[1].ID); p.Status != http.StatusOK || p.Body != string(apptest.TestPNG) {
		t.Fatalf("console download by the unit: %d", p.Status)
	}

	// Listed with the files: the API, the office's page, the unit's page.
	var list struct {
		Items []results.Appeal `json:"items"`
	}
	apptest.APIJSON(t, w.Office, "GET", w.base+"/appeals", nil).Decode(t, http.StatusOK, &list)
	if len(list.Items) != 1 || len(list.Items[0].Evidence) != 2 {
		t.Fatalf("list: %+v", list)
	}
	link := `href="/console/evidence/` + a.Evidence[0].ID + `">表彰文件.pdf</a>`
	if body := consoleGet(t, w.Office, w.page, http.StatusOK); !strings.Contains(body, link) {
		t.Fatalf("office page lacks the file: %s", body)
	}
	if body := consoleGet(t, w.UnitUser, w.page+"/"+apptest.Itoa(w.A.ID), http.StatusOK); !strings.Contains(body, link) {
		t.Fatalf("unit page lacks the file: %s", body)
	}

	// The console form: a wrong file is refused with the message, the
	// grounds kept and nothing stored; then accepted.
	own := w.page + "/" + apptest.Itoa(w.B.ID)
	if body := consoleGet(t, w.unitB, own, http.StatusOK); !strings.Contains(body, `enctype="multipart/form-data"`) {
		t.Fatalf("no upload form: %s", body)
	}
	p := postFiles(t, w.unitB, own+"/appeal", map[string]string{"grounds": "扣分有误"}, upload{"x.exe", []byte("MZ\x90\x00")})
	if p.Status != http.StatusUnprocessableEntity || !p.Has("仅支持 PDF、PNG、JPEG 格式") || !p.Has("扣分有误") {
		t.Fatalf("console wrong type: %d %s", p.Status, p.Body)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM evidence_files WHERE owner_unit_id = $1`, w.B.ID); n != 0 {
		t.Fatalf("stored %d files", n)
	}
	p = postFiles(t, w.unitB, own+"/appeal", map[string]string{"grounds": "扣分有误"}, upload{"通报.pdf", testPDF})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("console apply: %d %s", p.Status, p.Body)
	}
	if body := consoleGet(t, w.unitB, own, http.StatusOK); !strings.Contains(body, ">通报.pdf</a>") {
		t.Fatalf("unit b page: %s", body)
	}
	// Unit a cannot apply for unit b.
	if p := postFiles(t, w.UnitUser, own+"/appeal", map[string]string{"grounds": "x"}); p.Status != http.StatusForbidden {
		t.Fatalf("other unit: %d", p.Status)
	}
}

// finalResult stores a final publication of the cycle with the units'
// grades, as PublishFinal would (the breakdown holds what Uses reads).
func (w *resultsWorld) finalResult(t *testing.T, cycleID int64, grades map[int64]string) {
	t.Helper()
	ctx := context.Background()
	var pub int64
	if err := w.App.Pool.QueryRow(ctx, `INSERT INTO assessment_publications (cycle_id, stage, published_at, settings_version, scheme_version)
		VALUES ($1, 'final', now(), 0, 1) RETURNING id`, cycleID).Scan(&pub); err != nil {
		t.Fatal(err)
	}
	labels := map[string]string{"excellent": "优秀", "good": "良好", "pass": "合格"}
	rank := 0
	for unit, g := range grades {
		rank++
		name := "市政务服务中心"
		if unit == w.B.ID {
			name = "市税务局"
		}
		b, _ := json.Marshal(map[string]any{"unit": map[string]any{"id": unit, "name": name, "category": "社会服务类"},
			"complete": true, "grade": g, "grade_label": labels[g], "composite": 75, "rank": rank})
		if _, err := w.App.Pool.Exec(ctx, `INSERT INTO assessment_results (publication_id, cycle_id, unit_id, category, grade, composite, rank, reason, breakdown)
			VALUES ($1, $2, $3, '社会服务类', $4, 75, $5, '', $6)`, pub, cycleID, unit, g, rank, b); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRectificationReports: a unit with three 合格 in a row submits its
// written rectification report with evidence (API and console), may revise
// it until the office marks it received; the office's use-of-results list
// shows who has not submitted; other units and the office cannot submit;
// every write is audited.
func TestRectificationReports(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2027, 2, 1, 10, 0, 0, 0, loc)
	w := newResultsWorld(t, func() time.Time { return now }, 2026)
	report := w.base + "/units/" + apptest.Itoa(w.A.ID) + "/rectification"
	// Before the final results: refused.
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "PUT", report, map[string]any{"content": "整改措施"}), http.StatusConflict, "conflict")
	for _, year := range []int{2024, 2025} {
		cy := w.CreateCycle(t, apptest.Itoa(int64(year))+"年度", year, nil)
		w.finalResult(t, cy.ID, map[int64]string{w.A.ID: "pass", w.B.ID: "pass"})
	}
	w.finalResult(t, w.cycle.ID, map[int64]string{w.A.ID: "pass", w.B.ID: "good"})

	// The office sees that unit a owes a report and has not submitted it.
	var uses struct {
		Items []results.UnitUse `json:"items"`
	}
	apptest.APIJSON(t, w.Office, "GET", w.base+"/uses", nil).Decode(t, http.StatusOK, &uses)
	for _, u := range uses.Items {
		want := ""
		if u.Unit.ID == w.A.ID {
			want = results.ReportMissing
		}
		if u.Report != want || u.ThreePass != (want != "") {
			t.Fatalf("use of %s: %+v", u.Unit.Name, u)
		}
	}
	if body := consoleGet(t, w.Office, w.page, http.StatusOK); !strings.Contains(body, "尚有 1 个未提交书面整改报告：市政务服务中心") {
		t.Fatalf("office page: %s", body)
	}

	// Refusals: unit b owes none; the office and another unit cannot
	// submit for a; a bad file stores nothing.
	apptest.WantAPIError(t, apptest.APIJSON(t, w.unitB, "PUT", w.base+"/units/"+apptest.Itoa(w.B.ID)+"/rectification", map[string]any{"content": "x"}),
		http.StatusConflict, "conflict")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "PUT", report, map[string]any{"content": "x"}), http.StatusForbidden, "forbidden")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.unitB, "PUT", report, map[string]any{"content": "x"}), http.StatusForbidden, "forbidden")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "PUT", report, map[string]any{"content": ""}), http.StatusUnprocessableEntity, "invalid", "content")
	r := apptest.APIJSON(t, w.UnitUser, "PUT", report, map[string]any{"content": "整改措施",
		"files": []any{map[string]any{"filename": "a.gif", "content_base64": []byte("GIF89a....")}}})
	apptest.WantAPIError(t, r, http.StatusUnprocessableEntity, "invalid", "files")
	if w.App.Count(t, `SELECT count(*) FROM assessment_rectification_reports`)+w.App.Count(t, `SELECT count(*) FROM evidence_files`) != 0 {
		t.Fatal("a refused report stored something")
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "GET", report, nil), http.StatusNotFound, "not_found")

	// Submitted with a file; a retry changes nothing.
	var rep results.Report
	body := map[string]any{"content": "一、问题分析；二、整改措施；三、时限",
		"files": []any{map[string]any{"filename": "整改方案.pdf", "content_base64": testPDF}}}
	apptest.APIJSON(t, w.UnitUser, "PUT", report, body).Decode(t, http.StatusCreated, &rep)
	if rep.State != results.ReportSubmitted || len(rep.Evidence) != 1 || *rep.Evidence[0].OwnerUnitID != w.A.ID {
		t.Fatalf("report: %+v", rep)
	}
	apptest.APIJSON(t, w.UnitUser, "PUT", report, body).Decode(t, http.StatusOK, &rep)
	if w.App.Count(t, `SELECT count(*) FROM evidence_files`) != 1 {
		t.Fatal("a retry stored the file again")
	}
	apptest.APIJSON(t, w.Office, "GET", report, nil).Decode(t, http.StatusOK, &rep)
	apptest.WantAPIError(t, apptest.APIJSON(t, w.unitB, "GET", report, nil), http.StatusForbidden, "forbidden")
	apptest.WantAPIError(t, download(t, w.unitB, rep.Evidence[0].ID), http.StatusNotFound, "not_found")
	if r := download(t, w.Office, rep.Evidence[0].ID); r.Status != http.StatusOK {
		t.Fatalf("office download: %d", r.Status)
	}
	apptest.APIJSON(t, w.Office, "GET", w.base+"/uses", nil).Decode(t, http.StatusOK, &uses)
	for _, u := range uses.Items {
		if u.Unit.ID == w.A.ID && u.Report != results.ReportSubmitted {
			t.Fatalf("after submission: %+v", u)
		}
	}

	// Revised in the console (text only keeps the file), then the office
	// marks it received there; no more changes.
	own := w.page + "/" + apptest.Itoa(w.A.ID)
	if body := consoleGet(t, w.UnitUser, own, http.StatusOK); !strings.Contains(body, "修改整改报告") || !strings.Contains(body, ">整改方案.pdf</a>") {
		t.Fatalf("unit page: %s", body)
	}
	if p := postFiles(t, w.UnitUser, own+"/rectification", map[string]string{"content": "修订后的整改报告"}); p.Status != http.StatusSeeOther {
		t.Fatalf("console revise: %d %s", p.Status, p.Body)
	}
	body2 := consoleGet(t, w.Office, own, http.StatusOK)
	if !strings.Contains(body2, "修订后的整改报告") || !strings.Contains(body2, ">整改方案.pdf</a>") || !strings.Contains(body2, "签收整改报告") {
		t.Fatalf("office unit page: %s", body2)
	}
	consolePost(t, w.UnitUser, own+"/rectification/receive", url.Values{}, http.StatusForbidden)
	consolePost(t, w.Office, own+"/rectification/receive", url.Values{"note": {"已收悉"}}, http.StatusSeeOther)
	apptest.APIJSON(t, w.Office, "POST", report+"/receive", map[string]any{}).Decode(t, http.StatusOK, &rep)
	if rep.State != results.ReportReceived || rep.ReceiptNote != "已收悉" || rep.ReceivedBy == nil {
		t.Fatalf("received: %+v", rep)
	}
	r = apptest.APIJSON(t, w.UnitUser, "PUT", report, map[string]any{"content": "再改"})
	apptest.WantAPIError(t, r, http.StatusConflict, "conflict")
	if !strings.Contains(string(r.Body), "由绩效办签收，不能再修改") {
		t.Fatalf("after receipt: %s", r.Body)
	}
	if body := consoleGet(t, w.UnitUser, own, http.StatusOK); strings.Contains(body, `id="report-submit"`) || !strings.Contains(body, "整改报告已签收") {
		t.Fatalf("unit page after receipt: %s", body)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM audit_log WHERE action LIKE 'results.rectification_%'`); n != 3 {
		t.Fatalf("audited %d report writes, want 3", n)
	}
}
