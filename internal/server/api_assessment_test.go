package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"minyi/internal/audit"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/schemes"
	"minyi/internal/testutil/apptest"
	"minyi/internal/units"
)

// assessWorld is a cycle with units A, B (assessors) and C, a scheme
// a (10, by A), b (20, no unit), p prorated of p1 (5, by A) and p2 (5, by
// B), and signed-in API clients office, ua (unit A), ub and uc.
type assessWorld struct {
	app            *apptest.App
	cycle          int64
	a, b, cu       int64
	office, ua, ub *apptest.Client
	uc             *apptest.Client
	base           string
}

func newAssessWorld(t *testing.T) *assessWorld {
	t.Helper()
	app := apptest.New(t, apptest.Options{})
	w := &assessWorld{app: app}
	ctx := context.Background()
	if err := db.Tx(ctx, app.Pool, func(tx pgx.Tx) error {
		cy, err := cycles.CreateCycle(ctx, tx, audit.System, cycles.CycleInput{Name: "2026年度", Year: 2026,
			PeriodStart: "2026-01-01", PeriodEnd: "2026-12-31"}, cycles.DefaultConfig([]float64{100, 80, 60, 30, 0}))
		if err != nil {
			return err
		}
		w.cycle = cy.ID
		for i, p := range []*int64{&w.a, &w.b, &w.cu} {
			u, err := units.CreateUnit(ctx, tx, audit.System, units.UnitInput{Name: []string{"市财政局", "市审计局", "市民政局"}[i],
				Category: "党政综合类"}, app.Config.UnitCategories)
			if err != nil {
				return err
			}
			*p = u.ID
		}
		leaf := func(key, name string, max float64, unit *int64) schemes.Node {
			return schemes.Node{Key: key, Name: name, Kind: schemes.KindManual, Max: max,
				Assessor: &schemes.Assessor{Name: "考评单位", UnitID: unit}}
		}
		tree := schemes.Node{Key: "root", Name: "方案", Kind: schemes.KindSum, Children: []schemes.Node{
			leaf("a", "预算执行", 10, &w.a), leaf("b", "依法行政", 20, nil),
			{Key: "p", Name: "专项工作", Kind: schemes.KindProrated, Children: []schemes.Node{
				leaf("p1", "专项一", 5, &w.a), leaf("p2", "专项二", 5, &w.b)}},
		}}
		_, _, err = schemes.Set(ctx, tx, audit.System, cy.ID, schemes.Change{Tree: &tree})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	app.AddUser(t, "office1", "office-pass-1", "office", nil)
	app.AddUser(t, "unit-a", "unit-pass-a", "unit", &w.a)
	app.AddUser(t, "unit-b", "unit-pass-b", "unit", &w.b)
	app.AddUser(t, "unit-c", "unit-pass-c", "unit", &w.cu)
	sign := func(u, p string) *apptest.Client {
		c := app.Client()
		c.SignIn(t, u, p)
		return c
	}
	w.office, w.ua, w.ub, w.uc = sign("office1", "office-pass-1"), sign("unit-a", "unit-pass-a"),
		sign("unit-b", "unit-pass-b"), sign("unit-c", "unit-pass-c")
	w.base = "/api/v1/cycles/" + itoa(w.cycle) + "/assessment"
	return w
}

// apiErr is the error body.
type apiErr struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

func (e apiErr) text() string {
	s := e.Error.Message
	for _, m := range e.Error.Fields {
		s += " " + m
	}
	return s
}

func expectStatus(t *testing.T, res *http.Response, want int, what string) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s: status %d, want %d", what, res.StatusCode, want)
	}
}

func entryPath(w *assessWorld, unit int64, key string) string {
	return w.base + "/entries/" + itoa(unit) + "/" + key
}

func TestAPIAssessmentEntries(t *testing.T) {
	w := newAssessWorld(t)
	var leaves struct {
		Items []struct {
			Key      string
			Prorated bool
		}
	}
	expectStatus(t, w.ua.JSON(t, "GET", w.base+"/leaves", nil, &leaves), 200, "A's leaves")
	if len(leaves.Items) != 2 || leaves.Items[0].Key != "a" || leaves.Items[1].Key != "p1" || !leaves.Items[1].Prorated {
		t.Fatalf("A's leaves: %+v", leaves)
	}
	var e apiErr
	expectStatus(t, w.ua.JSON(t, "PUT", entryPath(w, w.cu, "a"), map[string]any{"points": 11}, &e), 422, "above max")
	if e.Error.Fields["points"] != "得分不能超过该项满分 10 分" {
		t.Fatalf("above max: %+v", e)
	}
	e = apiErr{}
	expectStatus(t, w.ua.JSON(t, "PUT", entryPath(w, w.cu, "b"), map[string]any{"points": 1}, &e), 403, "not owned")
	if !strings.Contains(e.Error.Message, "不由本单位考评") {
		t.Fatalf("not owned: %+v", e)
	}
	e = apiErr{}
	expectStatus(t, w.ua.JSON(t, "PUT", entryPath(w, w.cu, "a"), map[string]any{"not_applicable": true}, &e), 422, "na outside")
	if !strings.Contains(e.text(), "按参加项目折算") {
		t.Fatalf("na outside a pro-rated group: %+v", e)
	}
	var entry struct {
		Version int
		Points  *float64
	}
	expectStatus(t, w.ua.JSON(t, "PUT", entryPath(w, w.cu, "a"), map[string]any{"points": 8.5, "note": "按标准"}, &entry), 200, "save")
	if entry.Version != 1 || *entry.Points != 8.5 {
		t.Fatalf("saved: %+v", entry)
	}
	expectStatus(t, w.ua.JSON(t, "PUT", entryPath(w, w.cu, "a"), map[string]any{"points": 9, "version": 1}, &entry), 200, "update")
	e = apiErr{}
	expectStatus(t, w.ua.JSON(t, "PUT", entryPath(w, w.cu, "a"), map[string]any{"points": 7, "version": 1}, &e), 409, "stale")
	if !strings.Contains(e.Error.Message, "已被他人修改") {
		t.Fatalf("stale: %+v", e)
	}
	expectStatus(t, w.ua.JSON(t, "PUT", entryPath(w, w.cu, "p1"), map[string]any{"not_applicable": true}, nil), 200, "na")
	expectStatus(t, w.ub.JSON(t, "PUT", entryPath(w, w.cu, "p2"), map[string]any{"points": 4}, nil), 200, "B scores p2")
	expectStatus(t, w.office.JSON(t, "PUT", entryPath(w, w.cu, "b"), map[string]any{"points": 18}, nil), 200, "office scores b")

	var list struct {
		Items []struct {
			LeafKey string `json:"leaf_key"`
		}
	}
	expectStatus(t, w.ua.JSON(t, "GET", w.base+"/entries", nil, &list), 200, "A's entries")
	for _, it := range list.Items {
		if it.LeafKey != "a" && it.LeafKey != "p1" {
			t.Fatalf("unit A sees another leaf's entry: %+v", list)
		}
	}
	if len(list.Items) != 2 {
		t.Fatalf("A's entries: %+v", list)
	}
	expectStatus(t, w.office.JSON(t, "GET", w.base+"/entries?unit_id="+itoa(w.cu), nil, &list), 200, "office entries")
	if len(list.Items) != 4 {
		t.Fatalf("office sees all: %+v", list)
	}
	// The office maps b to unit B, who may then score it.
	var mapped struct {
		Changed bool
	}
	expectStatus(t, w.office.JSON(t, "PUT", w.base+"/leaves/b/assessor", map[string]any{"unit_id": w.b}, &mapped), 200, "map")
	if !mapped.Changed {
		t.Fatal("mapping did not change the scheme")
	}
	expectStatus(t, w.ub.JSON(t, "PUT", entryPath(w, w.cu, "b"), map[string]any{"points": 17, "version": 1}, nil), 200, "B scores b")
	expectStatus(t, w.ua.JSON(t, "PUT", w.base+"/leaves/b/assessor", map[string]any{"unit_id": w.a}, nil), 403, "unit maps")
	expectStatus(t, w.ua.JSON(t, "GET", w.base, nil, nil), 403, "unit overview")

	var ov struct {
		Leaves int
		Units  []struct {
			UnitID  int64 `json:"unit_id"`
			Filled  int
			Missing int
			Entries map[string]any
		}
	}
	expectStatus(t, w.office.JSON(t, "GET", w.base, nil, &ov), 200, "overview")
	for _, u := range ov.Units {
		if u.UnitID == w.cu && (u.Filled != 4 || u.Missing != 0 || u.Entries["p1"] != "na" || u.Entries["b"] != 17.0) {
			t.Fatalf("overview of C: %+v", u)
		}
		if u.UnitID == w.a && u.Missing != 4 {
			t.Fatalf("overview of A: %+v", u)
		}
	}
}

// uploadEvidence uploads data through the API and returns the file id.
func uploadEvidence(t *testing.T, c *apptest.Client, name string, data []byte, want int) (string, apiErr) {
	t.Helper()
	var out struct {
		ID string
		apiErr
	}
	res := c.JSON(t, "POST", "/api/v1/evidence", map[string]any{"filename": name,
		"content_base64": base64.StdEncoding.EncodeToString(data)}, &out)
	expectStatus(t, res, want, "upload "+name)
	return out.ID, out.apiErr
}

var testPNG = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)

func TestAPIEvidence(t *testing.T) {
	w := newAssessWorld(t)
	id, _ := uploadEvidence(t, w.uc, "证明.png", testPNG, 201)
	if _, e := uploadEvidence(t, w.uc, "evil.pdf", []byte("<html><script>alert(1)</script></html>"), 422); e.Error.Fields["file"] != "仅支持 PDF、PNG、JPEG 格式" {
		t.Fatalf("html: %+v", e)
	}
	if _, e := uploadEvidence(t, w.uc, "big.png", append(testPNG, make([]byte, 10<<20)...), 422); !strings.Contains(e.text(), "文件不能超过10MB") {
		t.Fatalf("big: %+v", e)
	}
	for _, c := range []struct {
		who  *apptest.Client
		want int
	}{{w.office, 200}, {w.uc, 200}, {w.ua, 404}} {
		res := c.who.JSON(t, "GET", "/api/v1/evidence/"+id, nil, nil)
		if res.StatusCode != c.want {
			t.Fatalf("download: %d, want %d", res.StatusCode, c.want)
		}
		if c.want == 200 && (res.Header.Get("Content-Type") != "image/png" || res.Header.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment")) {
			t.Fatalf("headers: %v", res.Header)
		}
	}
	expectStatus(t, w.office.JSON(t, "GET", "/api/v1/evidence/not-a-uuid", nil, nil), 404, "bad id")
	// A cannot cite C's file on an entry.
	var e apiErr
	expectStatus(t, w.ua.JSON(t, "PUT", entryPath(w, w.cu, "a"), map[string]any{"points": 3, "evidence_ids": []string{id}}, &e), 422, "cite other's")
	if !strings.Contains(e.text(), "本单位") {
		t.Fatalf("cite: %+v", e)
	}
}

func TestAPIClaimsDeductionsAdjustments(t *testing.T) {
	w := newAssessWorld(t)
	ev, _ := uploadEvidence(t, w.uc, "表彰.png", testPNG, 201)
	claims := w.base + "/bonus-claims"
	var c1, c2 struct{ ID int64 }
	body := map[string]any{"title": "全国先进集体", "points": 2, "evidence_ids": []string{ev}, "client_key": "k1"}
	expectStatus(t, w.uc.JSON(t, "POST", claims, body, &c1), 201, "claim")
	var again struct{ ID int64 }
	expectStatus(t, w.uc.JSON(t, "POST", claims, body, &again), 200, "retried claim")
	if again.ID != c1.ID {
		t.Fatalf("retry made a second claim: %d %d", again.ID, c1.ID)
	}
	expectStatus(t, w.uc.JSON(t, "POST", claims, map[string]any{"title": "省级表彰", "points": 2.5, "evidence_ids": []string{ev}}, &c2), 201, "claim 2")
	expectStatus(t, w.ua.JSON(t, "POST", claims, map[string]any{"title": "x", "points": 1, "unit_id": w.cu, "evidence_ids": []string{ev}}, nil), 403, "claim for another unit")
	expectStatus(t, w.uc.JSON(t, "POST", "/api/v1/bonus-claims/"+itoa(c1.ID)+"/approve", map[string]any{}, nil), 403, "unit approves")
	var e apiErr
	expectStatus(t, w.office.JSON(t, "POST", "/api/v1/bonus-claims/"+itoa(c1.ID)+"/approve", map[string]any{"points": 3}, &e), 422, "approve above")
	if !strings.Contains(e.text(), "不能超过申报分值 2 分") {
		t.Fatalf("approve above claimed: %+v", e)
	}
	expectStatus(t, w.office.JSON(t, "POST", "/api/v1/bonus-claims/"+itoa(c1.ID)+"/approve", map[string]any{}, nil), 200, "approve")
	expectStatus(t, w.office.JSON(t, "POST", "/api/v1/bonus-claims/"+itoa(c2.ID)+"/approve", map[string]any{"points": 2}, nil), 200, "approve 2")

	deds := w.base + "/deductions"
	expectStatus(t, w.uc.JSON(t, "POST", deds, map[string]any{"unit_id": w.cu, "reason_key": "accountability", "description": "x"}, nil), 403, "unit files")
	var d struct {
		ID       int64
		Points   float64
		SetsFail bool `json:"sets_fail"`
	}
	for i := range 6 {
		expectStatus(t, w.office.JSON(t, "POST", deds, map[string]any{"unit_id": w.cu, "reason_key": "accountability",
			"description": "问责" + itoa(int64(i)), "client_key": "d" + itoa(int64(i))}, &d), 201, "file")
	}
	expectStatus(t, w.office.JSON(t, "POST", deds, map[string]any{"unit_id": w.cu, "reason_key": "serious_violation",
		"description": "严重违纪"}, &d), 201, "file serious")
	if !d.SetsFail {
		t.Fatalf("serious: %+v", d)
	}
	e = apiErr{}
	expectStatus(t, w.office.JSON(t, "POST", "/api/v1/deductions/"+itoa(d.ID)+"/revoke", map[string]any{}, &e), 422, "revoke without reason")
	expectStatus(t, w.office.JSON(t, "POST", "/api/v1/deductions/"+itoa(d.ID)+"/revoke", map[string]any{"reason": "误登"}, nil), 200, "revoke")

	adj := w.base + "/adjustments"
	var a struct{ ID int64 }
	expectStatus(t, w.office.JSON(t, "POST", adj, map[string]any{"unit_id": w.cu, "kind": "no_excellent", "reason": "重大腐败案件"}, &a), 201, "adjust")
	expectStatus(t, w.office.JSON(t, "POST", adj, map[string]any{"unit_id": w.cu, "kind": "raise", "reason": "重大贡献"}, nil), 201, "raise")
	expectStatus(t, w.ub.JSON(t, "POST", adj, map[string]any{"unit_id": w.cu, "kind": "raise", "reason": "x"}, nil), 403, "unit adjusts")

	var ua struct {
		Inputs struct {
			BonusApproved     float64 `json:"bonus_approved"`
			BonusCounted      float64 `json:"bonus_counted"`
			DeductionsFiled   float64 `json:"deductions_filed"`
			DeductionsCounted float64 `json:"deductions_counted"`
			SetsFail          bool    `json:"sets_fail"`
			NoExcellent       bool    `json:"no_excellent"`
			Raise             int
		}
		Claims      []json.RawMessage
		Deductions  []json.RawMessage
		Adjustments []json.RawMessage
	}
	expectStatus(t, w.uc.JSON(t, "GET", w.base+"/units/"+itoa(w.cu), nil, &ua), 200, "own unit")
	in := ua.Inputs
	if in.BonusApproved != 4 || in.BonusCounted != 3 || in.DeductionsFiled != 12 || in.DeductionsCounted != 10 ||
		in.SetsFail || !in.NoExcellent || in.Raise != 1 || len(ua.Claims) != 2 || len(ua.Deductions) != 7 || len(ua.Adjustments) != 2 {
		t.Fatalf("unit C: %+v", ua)
	}
	expectStatus(t, w.ua.JSON(t, "GET", w.base+"/units/"+itoa(w.cu), nil, nil), 403, "other unit")
	var list struct{ Items []json.RawMessage }
	expectStatus(t, w.ua.JSON(t, "GET", claims, nil, &list), 200, "A's claims")
	if len(list.Items) != 0 {
		t.Fatalf("unit A sees C's claims: %d", len(list.Items))
	}
	expectStatus(t, w.ua.JSON(t, "GET", deds+"?unit_id="+itoa(w.cu), nil, nil), 403, "A asks for C's deductions")
}

func TestAPIAssessmentSettings(t *testing.T) {
	w := newAssessWorld(t)
	var v struct {
		Version  int
		Settings map[string]any
	}
	expectStatus(t, w.ua.JSON(t, "GET", w.base+"/settings", nil, &v), 200, "get")
	if v.Version != 0 || v.Settings["bonus_cap"] != 3.0 {
		t.Fatalf("defaults: %+v", v)
	}
	v.Settings["bonus_cap"] = 5.0
	expectStatus(t, w.ua.JSON(t, "PUT", w.base+"/settings", map[string]any{"settings": v.Settings}, nil), 403, "unit saves")
	expectStatus(t, w.office.JSON(t, "PUT", w.base+"/settings", map[string]any{"settings": v.Settings}, &v), 200, "save")
	if v.Version != 1 {
		t.Fatalf("saved: %+v", v)
	}
	v.Settings["pass_min"] = 150.0
	var e apiErr
	expectStatus(t, w.office.JSON(t, "PUT", w.base+"/settings", map[string]any{"settings": v.Settings}, &e), 422, "bad")
	if e.Error.Fields["pass_min"] == "" {
		t.Fatalf("bad settings: %+v", e)
	}
}

// postMultipart submits a console form with a file in field "file".
func postMultipart(t *testing.T, c *apptest.Client, path string, fields map[string]string, filename string, data []byte) page {
	t.Helper()
	fields["_csrf"] = csrf(t, c, "/console")
	body, ctype := multipartBody(t, filename, data, fields)
	req, _ := http.NewRequest("POST", c.App.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	res, err := c.C.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return page{Status: res.StatusCode, Location: res.Header.Get("Location"), Body: string(b)}
}

func TestConsoleAssessment(t *testing.T) {
	w := newAssessWorld(t)
	office := signedIn(t, w.app, "office1", "office-pass-1")
	ua := signedIn(t, w.app, "unit-a", "unit-pass-a")
	uc := signedIn(t, w.app, "unit-c", "unit-pass-c")
	base := "/console/cycles/" + itoa(w.cycle) + "/assessment"

	if p := get(t, office, "/console/cycles/"+itoa(w.cycle)); !p.has(base) {
		t.Fatal("cycle page has no link to the assessment")
	}
	if p := get(t, office, base); p.Status != 200 || !p.has("市民政局") || !p.has("考评单位对应") || !p.has("预算执行") {
		t.Fatalf("overview: %d", p.Status)
	}
	if p := get(t, ua, base); p.Status != 403 {
		t.Fatalf("unit sees overview: %d", p.Status)
	}
	score := get(t, ua, base+"/score")
	if score.Status != 200 || !score.has("预算执行") || !score.has("专项一") || score.has("依法行政") || score.has("专项二") {
		t.Fatalf("A's score page: %d\n%s", score.Status, score.Body)
	}
	p := post(t, ua, base+"/score", url.Values{"unit_id": {itoa(w.cu)}, "p_a": {"12"}, "v_a": {"0"}, "na_p1": {"1"}})
	if p.Status != 422 || !p.has("得分不能超过该项满分 10 分") {
		t.Fatalf("row above max: %d", p.Status)
	}
	p = post(t, ua, base+"/score", url.Values{"unit_id": {itoa(w.cu)}, "p_a": {"9.5"}, "v_a": {"0"}, "na_p1": {"1"}})
	if p.Status != 303 || !strings.Contains(p.Location, "msg=entries_saved") {
		t.Fatalf("row: %d %s", p.Status, p.Location)
	}
	if p := get(t, ua, base+"/score"); !p.has(`value="9.5"`) {
		t.Fatal("saved value not shown")
	}
	// A stale row (version 0 again) is refused.
	p = post(t, ua, base+"/score", url.Values{"unit_id": {itoa(w.cu)}, "p_a": {"8"}, "v_a": {"0"}})
	if p.Status != 422 || !p.has("已被他人修改") {
		t.Fatalf("stale row: %d", p.Status)
	}
	// Detail form with a note and evidence.
	d := postMultipart(t, ua, base+"/score", map[string]string{"unit_id": itoa(w.cu), "mode": "detail",
		"p_a": "9.5", "v_a": "1", "n_a": "依据审计报告", "na_p1": "1", "v_p1": "1"}, "", nil)
	if d.Status != 303 {
		t.Fatalf("detail: %d %s", d.Status, d.Body)
	}

	unitPage := base + "/units/" + itoa(w.cu)
	if p := get(t, ua, unitPage); p.Status != 403 {
		t.Fatalf("A sees C's page: %d", p.Status)
	}
	cp := postMultipart(t, uc, unitPage+"/claims", map[string]string{"title": "全国先进", "points": "2", "client_key": "x1"}, "a.txt", []byte("plain text"))
	if cp.Status != 422 || !cp.has("仅支持 PDF、PNG、JPEG 格式") {
		t.Fatalf("claim with text: %d", cp.Status)
	}
	cp = postMultipart(t, uc, unitPage+"/claims", map[string]string{"title": "全国先进", "points": "2", "client_key": "x1"}, "a.png", testPNG)
	if cp.Status != 303 {
		t.Fatalf("claim: %d %s", cp.Status, cp.Body)
	}
	own := get(t, uc, unitPage)
	if !own.has("全国先进") || !own.has("待审核") || own.has("登记扣分") || own.has("预算执行") {
		t.Fatalf("C's own page:\n%s", own.Body)
	}
	view := get(t, office, unitPage)
	if !view.has("依据审计报告") || !view.has("认定") {
		t.Fatal("office's unit page misses the entry note or the review form")
	}
	claimAction := regexpFind(t, view.Body, `action="(`+base+`/claims/\d+)#`)
	if p := post(t, office, claimAction, url.Values{"decision": {"approve"}, "points": {"5"}}); p.Status != 422 || !p.has("不能超过申报分值 2 分") {
		t.Fatalf("approve above: %d", p.Status)
	}
	if p := post(t, office, claimAction, url.Values{"decision": {"approve"}, "points": {"2"}}); p.Status != 303 {
		t.Fatalf("approve: %d", p.Status)
	}
	if p := post(t, office, unitPage+"/deductions", url.Values{"reason_key": {"serious_violation"}, "description": {"严重违纪"}}); p.Status != 303 {
		t.Fatalf("deduction: %d %s", p.Status, p.Body)
	}
	if p := post(t, office, unitPage+"/adjustments", url.Values{"kind": {"lower"}, "reason": {""}}); p.Status != 422 || !p.has("请填写调整理由") {
		t.Fatalf("adjustment without reason: %d", p.Status)
	}
	if p := post(t, office, unitPage+"/adjustments", url.Values{"kind": {"lower"}, "reason": {"重大安全事故"}}); p.Status != 303 {
		t.Fatalf("adjustment: %d", p.Status)
	}
	view = get(t, office, unitPage)
	if !view.has("直接定为不合格") || !view.has("计入 2 分（上限 3 分）") || !view.has("重大安全事故") {
		t.Fatalf("unit page after review:\n%s", view.Body)
	}
	revoke := regexpFind(t, view.Body, `action="(`+base+`/adjustments/\d+/revoke)#`)
	if p := post(t, office, revoke, url.Values{"reason": {""}}); p.Status != 422 || !p.has("请填写撤销理由") {
		t.Fatalf("revoke without reason: %d", p.Status)
	}
	if p := post(t, office, revoke, url.Values{"reason": {"经核实不属实"}}); p.Status != 303 {
		t.Fatalf("revoke: %d", p.Status)
	}
	if p := get(t, office, unitPage); !p.has("已撤销") || !p.has("经核实不属实") {
		t.Fatal("revoked adjustment not shown")
	}

	sp := get(t, office, base+"/settings")
	if sp.Status != 200 || !sp.has("accountability|行政问责|2|10|否") {
		t.Fatalf("settings page: %d", sp.Status)
	}
	form := url.Values{"bonus_cap": {"5"}, "deduction_cap": {"10"}, "excellent_share": {"40"}, "good_share": {"70"},
		"pass_min": {"70"}, "decimals": {"2"}, "tie_rule": {"exclude"}, "appeal_days": {"5"}, "answer_days": {"15"},
		"reasons": {"accountability|行政问责|2|10|否\nbad line"}, "quota_excellent": {"20"}, "quota_good": {"18"},
		"quota_pass": {"15"}, "quota_fail": {"10"}}
	if p := post(t, office, base+"/settings", form); p.Status != 422 || !p.has("与优秀比例之和不超过100%") || !p.has("五项") {
		t.Fatalf("bad settings: %d", p.Status)
	}
	form.Set("good_share", "50")
	form.Set("reasons", "accountability|行政问责|2|10|否\nserious|严重违纪|0|0|是")
	if p := post(t, office, base+"/settings", form); p.Status != 303 || !strings.Contains(p.Location, "assess_settings_saved") {
		t.Fatalf("save settings: %d %s", p.Status, p.Body)
	}
	if p := get(t, ua, base+"/settings"); p.Status != 403 {
		t.Fatalf("unit settings page: %d", p.Status)
	}
}

func regexpFind(t *testing.T, body, pattern string) string {
	t.Helper()
	m := regexpMust(pattern).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no match for %s", pattern)
	}
	return m[1]
}

func regexpMust(p string) *regexp.Regexp { return regexp.MustCompile(p) }

func TestConsoleAssessmentSheet(t *testing.T) {
	w := newAssessWorld(t)
	ua := signedIn(t, w.app, "unit-a", "unit-pass-a")
	base := "/console/cycles/" + itoa(w.cycle) + "/assessment/score"
	expectStatus(t, w.ua.JSON(t, "PUT", entryPath(w, w.cu, "a"), map[string]any{"points": 6, "note": "保留的说明"}, nil), 200, "save")
	dl := get(t, ua, base+".csv")
	if dl.Status != 200 || !strings.Contains(dl.Body, "单位,预算执行,专项工作 › 专项一") || !strings.Contains(dl.Body, "市民政局,6,") ||
		strings.Contains(dl.Body, "依法行政") {
		t.Fatalf("download: %d\n%s", dl.Status, dl.Body)
	}
	bad := "单位,预算执行,专项一\n市民政局,12,不参加\n某不存在单位,1,\n"
	p := postMultipart(t, ua, base+"/upload", map[string]string{}, "s.csv", []byte(bad))
	if p.Status != 422 || !p.has("第2行 “预算执行”：得分不能超过该项满分 10 分") || !p.has("第3行：单位“某不存在单位”不在单位名录中") {
		t.Fatalf("bad upload: %d\n%s", p.Status, p.Body)
	}
	if p := postMultipart(t, ua, base+"/upload", map[string]string{}, "s.csv", []byte("单位,依法行政\n市民政局,3\n")); p.Status != 422 || !p.has("无法识别的列") {
		t.Fatalf("another's column: %d", p.Status)
	}
	good := "单位,预算执行,a\n市民政局,9,\n市审计局,,\n"
	if p := postMultipart(t, ua, base+"/upload", map[string]string{}, "s.csv", []byte(good)); p.Status != 422 || !p.has("重复出现") {
		t.Fatalf("same leaf twice: %d", p.Status)
	}
	good = "单位,预算执行,专项一\n市民政局,9,不参加\n市审计局,,4.5\n"
	if p := postMultipart(t, ua, base+"/upload", map[string]string{}, "s.csv", []byte(good)); p.Status != 303 || !strings.Contains(p.Location, "entries_uploaded") {
		t.Fatalf("upload: %d %s", p.Status, p.Body)
	}
	var list struct {
		Items []struct {
			UnitID        int64  `json:"unit_id"`
			LeafKey       string `json:"leaf_key"`
			Points        *float64
			NotApplicable bool `json:"not_applicable"`
			Note          string
		}
	}
	expectStatus(t, w.ua.JSON(t, "GET", "/api/v1/cycles/"+itoa(w.cycle)+"/assessment/entries", nil, &list), 200, "entries")
	got := map[string]string{}
	for _, e := range list.Items {
		v := "na"
		if e.Points != nil {
			v = strconv.FormatFloat(*e.Points, 'f', -1, 64)
		}
		got[itoa(e.UnitID)+"/"+e.LeafKey] = v + "|" + e.Note
	}
	if len(got) != 3 || got[itoa(w.cu)+"/a"] != "9|保留的说明" || got[itoa(w.cu)+"/p1"] != "na|" || got[itoa(w.b)+"/p1"] != "4.5|" {
		t.Fatalf("after upload: %v", got)
	}
}
