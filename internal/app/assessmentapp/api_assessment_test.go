package assessmentapp_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
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
	w.base = "/api/v1/cycles/" + apptest.Itoa(w.cycle) + "/assessment"
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
	return w.base + "/entries/" + apptest.Itoa(unit) + "/" + key
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
	expectStatus(t, w.office.JSON(t, "GET", w.base+"/entries?unit_id="+apptest.Itoa(w.cu), nil, &list), 200, "office entries")
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

func TestAPIEvidence(t *testing.T) {
	w := newAssessWorld(t)
	id, _ := uploadEvidence(t, w.uc, "证明.png", apptest.TestPNG, 201)
	if _, e := uploadEvidence(t, w.uc, "evil.pdf", []byte("<html><script>alert(1)</script></html>"), 422); e.Error.Fields["file"] != "仅支持 PDF、PNG、JPEG 格式" {
		t.Fatalf("html: %+v", e)
	}
	if _, e := uploadEvidence(t, w.uc, "big.png", append(apptest.TestPNG, make([]byte, 10<<20)...), 422); !strings.Contains(e.text(), "文件不能超过10MB") {
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
	ev, _ := uploadEvidence(t, w.uc, "表彰.png", apptest.TestPNG, 201)
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
	expectStatus(t, w.uc.JSON(t, "POST", "/api/v1/bonus-claims/"+apptest.Itoa(c1.ID)+"/approve", map[string]any{}, nil), 403, "unit approves")
	var e apiErr
	expectStatus(t, w.office.JSON(t, "POST", "/api/v1/bonus-claims/"+apptest.Itoa(c1.ID)+"/approve", map[string]any{"points": 3}, &e), 422, "approve above")
	if !strings.Contains(e.text(), "不能超过申报分值 2 分") {
		t.Fatalf("approve above claimed: %+v", e)
	}
	expectStatus(t, w.office.JSON(t, "POST", "/api/v1/bonus-claims/"+apptest.Itoa(c1.ID)+"/approve", map[string]any{}, nil), 200, "approve")
	expectStatus(t, w.office.JSON(t, "POST", "/api/v1/bonus-claims/"+apptest.Itoa(c2.ID)+"/approve", map[string]any{"points": 2}, nil), 200, "approve 2")

	deds := w.base + "/deductions"
	expectStatus(t, w.uc.JSON(t, "POST", deds, map[string]any{"unit_id": w.cu, "reason_key": "accountability", "description": "x"}, nil), 403, "unit files")
	var d struct {
		ID       int64
		Points   float64
		SetsFail bool `json:"sets_fail"`
	}
	for i := range 6 {
		expectStatus(t, w.office.JSON(t, "POST", deds, map[string]any{"unit_id": w.cu, "reason_key": "accountability",
			"description": "问责" + apptest.Itoa(int64(i)), "client_key": "d" + apptest.Itoa(int64(i))}, &d), 201, "file")
	}
	expectStatus(t, w.office.JSON(t, "POST", deds, map[string]any{"unit_id": w.cu, "reason_key": "serious_violation",
		"description": "严重违纪"}, &d), 201, "file serious")
	if !d.SetsFail {
		t.Fatalf("serious: %+v", d)
	}
	// Unit C heard of both decisions and of the seven deductions, once each (the retries told nobody).
	var inbox struct {
		Items []struct{ Kind, Title, Body string }
	}
	expectStatus(t, w.uc.JSON(t, "GET", "/api/v1/notifications?limit=50", nil, &inbox), 200, "notifications")
	kinds := map[string]int{}
	for _, it := range inbox.Items {
		kinds[it.Kind]++
	}
	if kinds["assessment.bonus_decided"] != 2 || kinds["assessment.deduction"] != 7 || len(inbox.Items) != 9 ||
		inbox.Items[0].Body != "绩效办对本单位登记扣分：严重违纪违法（直接定为不合格），本单位考核等次将直接定为不合格。扣分事实：严重违纪" ||
		inbox.Items[7].Body != "绩效办审核了本单位的加分申报“省级表彰”：认定加2分（申报2.5分）。" {
		t.Fatalf("unit C's notifications: %+v", inbox.Items)
	}
	expectStatus(t, w.ua.JSON(t, "GET", "/api/v1/notifications", nil, &inbox), 200, "notifications A")
	if len(inbox.Items) != 0 {
		t.Fatalf("unit A was told of C's: %+v", inbox.Items)
	}
	e = apiErr{}
	expectStatus(t, w.office.JSON(t, "POST", "/api/v1/deductions/"+apptest.Itoa(d.ID)+"/revoke", map[string]any{}, &e), 422, "revoke without reason")
	expectStatus(t, w.office.JSON(t, "POST", "/api/v1/deductions/"+apptest.Itoa(d.ID)+"/revoke", map[string]any{"reason": "误登"}, nil), 200, "revoke")

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
	expectStatus(t, w.uc.JSON(t, "GET", w.base+"/units/"+apptest.Itoa(w.cu), nil, &ua), 200, "own unit")
	in := ua.Inputs
	if in.BonusApproved != 4 || in.BonusCounted != 3 || in.DeductionsFiled != 12 || in.DeductionsCounted != 10 ||
		in.SetsFail || !in.NoExcellent || in.Raise != 1 || len(ua.Claims) != 2 || len(ua.Deductions) != 7 || len(ua.Adjustments) != 2 {
		t.Fatalf("unit C: %+v", ua)
	}
	expectStatus(t, w.ua.JSON(t, "GET", w.base+"/units/"+apptest.Itoa(w.cu), nil, nil), 403, "other unit")
	var list struct{ Items []json.RawMessage }
	expectStatus(t, w.ua.JSON(t, "GET", claims, nil, &list), 200, "A's claims")
	if len(list.Items) != 0 {
		t.Fatalf("unit A sees C's claims: %d", len(list.Items))
	}
	expectStatus(t, w.ua.JSON(t, "GET", deds+"?unit_id="+apptest.Itoa(w.cu), nil, nil), 403, "A asks for C's deductions")
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
