package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
)

// apiBodyCase is one bad body for a JSON endpoint.
type apiBodyCase struct {
	name, ctype, body string
	fields            []string
}

// apiBadBodies are the malformed bodies every JSON endpoint refuses the
// same way, before looking at the fields.
var apiBadBodies = []apiBodyCase{
	{"malformed JSON", "application/json", `{"name":`, nil},
	{"wrong content type", "text/plain", `{"name":"x"}`, nil},
	{"no content type", "", `{"name":"x"}`, nil},
	{"empty body", "application/json", ``, nil},
	{"two values", "application/json", `{} {}`, nil},
	{"array", "application/json", `[{"name":"x"}]`, nil},
	{"string", "application/json", `"x"`, nil},
}

func TestAPIUnits(t *testing.T) {
	w := newAPIWorld(t, apptest.Options{})
	u := w.a
	if u.ID == 0 || u.Name != "市政务服务中心" || u.Category != "社会服务类" || u.ShortCode != nil {
		t.Errorf("created unit %+v", u)
	}
	if len(u.QR.Code) < 16 || u.QR.Code == itoa(u.ID) || u.QR.URL != w.app.URL+"/q/"+u.QR.Code {
		t.Errorf("qr %+v: want a random code of 16+ characters and url %s/q/{code}", u.QR, w.app.URL)
	}
	bad := append([]apiBodyCase{
		{"name a number", "application/json", `{"name":5,"category":"社会服务类"}`, []string{"name"}},
		{"category a list", "application/json", `{"name":"x","category":["社会服务类"]}`, []string{"category"}},
		{"missing fields", "application/json", `{}`, []string{"name", "category"}},
		{"blank name", "application/json", `{"name":"  ","category":"社会服务类"}`, []string{"name"}},
		{"name 101 chars", "application/json", `{"name":"` + strings.Repeat("局", 101) + `","category":"社会服务类"}`, []string{"name"}},
		{"unknown category", "application/json", `{"name":"x","category":"其他类"}`, []string{"category"}},
		{"bad short code", "application/json", `{"name":"x","category":"社会服务类","short_code":"A B"}`, []string{"short_code"}},
		{"duplicate name", "application/json", `{"name":"市税务局","category":"社会服务类"}`, []string{"name"}},
	}, apiBadBodies...)
	for _, tt := range bad {
		t.Run("create "+tt.name, func(t *testing.T) {
			wantAPIError(t, apiDo(t, w.office, "POST", "/api/v1/units", tt.ctype, tt.body), 422, "invalid", tt.fields...)
		})
		t.Run("update "+tt.name, func(t *testing.T) {
			if tt.name == "duplicate name" || tt.name == "missing fields" {
				return // covered below: PATCH changes only the fields sent
			}
			wantAPIError(t, apiDo(t, w.office, "PATCH", "/api/v1/units/"+itoa(u.ID), tt.ctype, tt.body), 422, "invalid", tt.fields...)
		})
	}
	var list struct {
		Total int            `json:"total"`
		Items []apiUnitReply `json:"items"`
	}
	apiDo(t, w.office, "GET", "/api/v1/units", "", "").decode(t, http.StatusOK, &list)
	if list.Total != 2 || len(list.Items) != 2 {
		t.Fatalf("refused creates stored units: %+v", list)
	}

	var got apiUnitReply
	apiDo(t, w.office, "GET", "/api/v1/units/"+itoa(u.ID), "", "").decode(t, http.StatusOK, &got)
	if got.ID != u.ID || got.QR != u.QR {
		t.Errorf("GET unit %+v, want %+v", got, u)
	}
	var updated apiUnitReply
	apiJSON(t, w.office, "PATCH", "/api/v1/units/"+itoa(u.ID), map[string]string{"name": "市行政审批局", "category": "经济发展类", "short_code": "XZSP"}).
		decode(t, http.StatusOK, &updated)
	if updated.Name != "市行政审批局" || updated.Category != "经济发展类" || updated.ShortCode == nil || *updated.ShortCode != "XZSP" || updated.QR != u.QR {
		t.Errorf("updated %+v", updated)
	}
	var patched apiUnitReply
	apiJSON(t, w.office, "PATCH", "/api/v1/units/"+itoa(u.ID), map[string]string{}).decode(t, http.StatusOK, &patched)
	if patched.Name != updated.Name || patched.Category != updated.Category || patched.ShortCode == nil || *patched.ShortCode != "XZSP" {
		t.Errorf("an empty PATCH changed the unit: %+v", patched)
	}
	apiJSON(t, w.office, "PATCH", "/api/v1/units/"+itoa(u.ID), map[string]string{"short_code": ""}).decode(t, http.StatusOK, &patched)
	if patched.Name != "市行政审批局" || patched.Category != "经济发展类" || patched.ShortCode != nil {
		t.Errorf(`PATCH {"short_code":""} gave %+v, want only the short code cleared`, patched)
	}
	apiJSON(t, w.office, "PATCH", "/api/v1/units/"+itoa(u.ID), map[string]string{"short_code": "XZSP"}).decode(t, http.StatusOK, &patched)
	wantAPIError(t, apiJSON(t, w.office, "PATCH", "/api/v1/units/"+itoa(w.b.ID), map[string]string{"name": "市行政审批局"}),
		422, "invalid", "name")
	wantAPIError(t, apiJSON(t, w.office, "PATCH", "/api/v1/units/"+itoa(w.b.ID), map[string]string{"short_code": "XZSP"}),
		422, "invalid", "short_code")

	// A unit user sees only their own unit.
	apiDo(t, w.unitUser, "GET", "/api/v1/units", "", "").decode(t, http.StatusOK, &list)
	if list.Total != 1 || list.Items[0].ID != u.ID {
		t.Errorf("unit user lists %+v, want only unit %d", list, u.ID)
	}
	apiDo(t, w.unitUser, "GET", "/api/v1/units/"+itoa(u.ID), "", "").decode(t, http.StatusOK, &got)
	for _, suffix := range []string{"", "/points", "/terminals", "/ratings", "/stats"} {
		wantAPIError(t, apiDo(t, w.unitUser, "GET", "/api/v1/units/"+itoa(w.b.ID)+suffix, "", ""), 403, "forbidden")
		if r := apiDo(t, w.unitUser, "GET", "/api/v1/units/"+itoa(u.ID)+suffix, "", ""); r.Status != http.StatusOK {
			t.Errorf("unit user GET own unit%s: %d", suffix, r.Status)
		}
	}
}

// TestAPIBadIDs sends ids that are not numbers, or not found, to every
// route with an id in its path.
func TestAPIBadIDs(t *testing.T) {
	w := newAPIWorld(t, apptest.Options{})
	routes := []struct{ method, pattern, body string }{
		{"GET", "/api/v1/units/ID", ""},
		{"PATCH", "/api/v1/units/ID", `{"name":"改名","category":"社会服务类"}`},
		{"POST", "/api/v1/units/ID/qr/rotate", `{}`},
		{"GET", "/api/v1/units/ID/points", ""},
		{"POST", "/api/v1/units/ID/points", `{"name":"大厅","kind":"hall"}`},
		{"POST", "/api/v1/points/ID/qr/rotate", `{}`},
		{"GET", "/api/v1/units/ID/terminals", ""},
		{"POST", "/api/v1/units/ID/terminals", `{"name":"评价器"}`},
		{"DELETE", "/api/v1/terminals/ID", ""},
		{"GET", "/api/v1/units/ID/ratings", ""},
		{"GET", "/api/v1/units/ID/stats", ""},
		{"POST", "/api/v1/ratings/ID/exclude", `{"reason":"刷分"}`},
		{"POST", "/api/v1/ratings/ID/restore", `{}`},
	}
	ids := []string{"abc", "0", "-1", "1.5", "1e3", "99999999999999999999", "999999"}
	for _, r := range routes {
		for _, id := range ids {
			if strings.Contains(r.pattern, "ratings/ID") && id == "999999" {
				id = "0190a3f4-0000-7000-8000-000000000000" // a well-formed id that does not exist
			}
			path := strings.Replace(r.pattern, "ID", url.PathEscape(id), 1)
			t.Run(r.method+" "+path, func(t *testing.T) {
				ctype := ""
				if r.body != "" {
					ctype = "application/json"
				}
				wantAPIError(t, apiDo(t, w.office, r.method, path, ctype, r.body), 404, "not_found")
			})
		}
	}
}

func TestAPIPointsAndTerminals(t *testing.T) {
	w := newAPIWorld(t, apptest.Options{})
	a := itoa(w.a.ID)
	var hall struct {
		ID     int64  `json:"id"`
		UnitID int64  `json:"unit_id"`
		Name   string `json:"name"`
		Kind   string `json:"kind"`
		QR     struct{ Code, URL string }
	}
	apiJSON(t, w.office, "POST", "/api/v1/units/"+a+"/points", map[string]string{"name": "政务服务大厅", "kind": "hall"}).
		decode(t, http.StatusCreated, &hall)
	if hall.UnitID != w.a.ID || hall.Kind != "hall" || hall.QR.Code == "" || hall.QR.Code == w.a.QR.Code ||
		hall.QR.URL != w.app.URL+"/q/"+hall.QR.Code {
		t.Errorf("created point %+v", hall)
	}
	badPoints := append([]apiBodyCase{
		{"missing fields", "application/json", `{}`, []string{"name", "kind"}},
		{"bad kind", "application/json", `{"name":"3号窗口","kind":"desk"}`, []string{"kind"}},
		{"kind a number", "application/json", `{"name":"3号窗口","kind":1}`, []string{"kind"}},
		{"name 101 chars", "application/json", `{"name":"` + strings.Repeat("窗", 101) + `","kind":"window"}`, []string{"name"}},
		{"duplicate name", "application/json", `{"name":"政务服务大厅","kind":"hall"}`, []string{"name"}},
	}, apiBadBodies...)
	for _, tt := range badPoints {
		t.Run("point "+tt.name, func(t *testing.T) {
			wantAPIError(t, apiDo(t, w.office, "POST", "/api/v1/units/"+a+"/points", tt.ctype, tt.body), 422, "invalid", tt.fields...)
		})
	}
	var points struct {
		Total int `json:"total"`
		Items []struct {
			ID int64
			QR struct{ Code string }
		} `json:"items"`
	}
	apiDo(t, w.unitUser, "GET", "/api/v1/units/"+a+"/points", "", "").decode(t, http.StatusOK, &points)
	if points.Total != 1 || points.Items[0].ID != hall.ID || points.Items[0].QR.Code != hall.QR.Code {
		t.Errorf("points %+v", points)
	}

	var bPoint struct{ ID int64 }
	apiJSON(t, w.office, "POST", "/api/v1/units/"+itoa(w.b.ID)+"/points", map[string]string{"name": "大厅", "kind": "hall"}).
		decode(t, http.StatusCreated, &bPoint)
	termID, token := w.createTerminal(t, w.a.ID, map[string]any{"name": "1号评价器", "point_id": hall.ID})
	if !strings.HasPrefix(token, "mt_") || len(token) < 40 {
		t.Errorf("token %q", token)
	}
	badTerminals := append([]apiBodyCase{
		{"missing name", "application/json", `{}`, []string{"name"}},
		{"blank name", "application/json", `{"name":" "}`, []string{"name"}},
		{"name 101 chars", "application/json", `{"name":"` + strings.Repeat("器", 101) + `"}`, []string{"name"}},
		{"name a number", "application/json", `{"name":7}`, []string{"name"}},
		{"point a string", "application/json", `{"name":"x","point_id":"1"}`, []string{"point_id"}},
		{"point of another unit", "application/json", `{"name":"x","point_id":` + itoa(bPoint.ID) + `}`, []string{"point_id"}},
		{"unknown point", "application/json", `{"name":"x","point_id":999999}`, []string{"point_id"}},
	}, apiBadBodies...)
	for _, tt := range badTerminals {
		t.Run("terminal "+tt.name, func(t *testing.T) {
			wantAPIError(t, apiDo(t, w.office, "POST", "/api/v1/units/"+a+"/terminals", tt.ctype, tt.body), 422, "invalid", tt.fields...)
		})
	}
	var terms struct {
		Total int `json:"total"`
		Items []map[string]any
	}
	r := apiDo(t, w.unitUser, "GET", "/api/v1/units/"+a+"/terminals", "", "")
	r.decode(t, http.StatusOK, &terms)
	if terms.Total != 1 || terms.Items[0]["point_id"] != float64(hall.ID) || terms.Items[0]["revoked_at"] != nil {
		t.Errorf("terminals %s", r.Body)
	}
	if strings.Contains(string(r.Body), token) || strings.Contains(string(r.Body), "token_hash") {
		t.Errorf("terminal list shows the token: %s", r.Body)
	}
	var revoked struct {
		Terminal struct {
			ID        int64      `json:"id"`
			RevokedAt *time.Time `json:"revoked_at"`
		} `json:"terminal"`
	}
	apiDo(t, w.office, "DELETE", "/api/v1/terminals/"+itoa(termID), "", "").decode(t, http.StatusOK, &revoked)
	if revoked.Terminal.ID != termID || revoked.Terminal.RevokedAt == nil {
		t.Errorf("revoke reply %+v", revoked)
	}
	first := *revoked.Terminal.RevokedAt
	apiDo(t, w.office, "DELETE", "/api/v1/terminals/"+itoa(termID), "", "").decode(t, http.StatusOK, &revoked)
	if !revoked.Terminal.RevokedAt.Equal(first) {
		t.Errorf("revoking again moved revoked_at %v → %v", first, revoked.Terminal.RevokedAt)
	}
}

// TestAPIAuditLog checks that each change is logged with who made it and
// the state before and after.
func TestAPIAuditLog(t *testing.T) {
	w := newAPIWorld(t, apptest.Options{})
	a := itoa(w.a.ID)
	apiJSON(t, w.office, "PATCH", "/api/v1/units/"+a, map[string]string{"name": "市行政审批局", "category": "社会服务类"}).decode(t, 200, nil)
	var rotated struct{ QR struct{ Code string } }
	apiDo(t, w.office, "POST", "/api/v1/units/"+a+"/qr/rotate", "application/json", "{}").decode(t, 200, &rotated)
	termID, token := w.createTerminal(t, w.a.ID, map[string]any{"name": "1号评价器"})
	apiDo(t, w.office, "DELETE", "/api/v1/terminals/"+itoa(termID), "", "").decode(t, 200, nil)

	type entry struct {
		Action, Actor, Entity string
		EntityID              string `json:"entity_id"`
		Before, After         map[string]any
	}
	audit := func(query string) []entry {
		var out struct {
			Total int
			Items []entry
		}
		apiDo(t, w.office, "GET", "/api/v1/audit?"+query, "", "").decode(t, 200, &out)
		if !strings.Contains(query, "limit") && out.Total != len(out.Items) {
			t.Errorf("audit total %d, %d items", out.Total, len(out.Items))
		}
		return out.Items
	}
	unitLog := audit("entity=unit&entity_id=" + a)
	if len(unitLog) != 3 {
		t.Fatalf("unit %s has %d audit entries, want create, update, rotate", a, len(unitLog))
	}
	rot, upd, create := unitLog[0], unitLog[1], unitLog[2]
	if create.Action != "unit.create" || create.Actor != "office1" || create.Before != nil || create.After["name"] != "市政务服务中心" {
		t.Errorf("create entry %+v", create)
	}
	if upd.Action != "unit.update" || upd.Before["name"] != "市政务服务中心" || upd.After["name"] != "市行政审批局" {
		t.Errorf("update entry %+v", upd)
	}
	if rot.Action != "qr.rotate" || rot.Before["qr_code"] != w.a.QR.Code || rot.After["qr_code"] != rotated.QR.Code {
		t.Errorf("rotate entry %+v, want %s → %s", rot, w.a.QR.Code, rotated.QR.Code)
	}
	termLog := audit("entity=terminal&entity_id=" + itoa(termID))
	if len(termLog) != 2 || termLog[1].Action != "terminal.create" || termLog[0].Action != "terminal.revoke" {
		t.Fatalf("terminal audit %+v", termLog)
	}
	if termLog[1].Before != nil || termLog[1].After["name"] != "1号评价器" || termLog[1].Actor != "office1" {
		t.Errorf("terminal create entry %+v", termLog[1])
	}
	if termLog[0].Before["revoked_at"] != nil || termLog[0].After["revoked_at"] == nil {
		t.Errorf("revoke entry before %v after %v", termLog[0].Before, termLog[0].After)
	}
	all, _ := json.Marshal(audit("limit=200"))
	if strings.Contains(string(all), token) || strings.Contains(string(all), "$2a$") {
		t.Error("the audit log holds a terminal token or a password hash")
	}
	if got := audit("entity=unit&limit=1"); len(got) != 1 {
		t.Errorf("limit=1 gave %d entries", len(got))
	}
	if got := audit("entity=unit&limit=1&offset=1"); len(got) != 1 || got[0].Action != upd.Action {
		t.Errorf("limit=1&offset=1 gave %+v, want the second newest entry", got)
	}
	// Past the default page of 50, the limit asked for is honoured.
	for i := range 60 {
		w.createUnit(t, "单位"+itoa(int64(i)), "社会服务类")
	}
	if got := audit("entity=unit&limit=300"); len(got) != 64 {
		t.Errorf("limit=300 gave %d entries, want all 64", len(got))
	}
	for _, q := range []string{"limit=0", "limit=501", "limit=x", "offset=-1", "offset=x"} {
		field := strings.SplitN(q, "=", 2)[0]
		wantAPIError(t, apiDo(t, w.office, "GET", "/api/v1/audit?"+q, "", ""), 422, "invalid", field)
	}
}

func TestAPIQRRotation(t *testing.T) {
	w := newAPIWorld(t, apptest.Options{})
	a := itoa(w.a.ID)
	old := w.a.QR.Code
	var rot struct{ QR struct{ Code, URL string } }
	apiDo(t, w.office, "POST", "/api/v1/units/"+a+"/qr/rotate", "application/json", "{}").decode(t, http.StatusOK, &rot)
	if rot.QR.Code == "" || rot.QR.Code == old || rot.QR.URL != w.app.URL+"/q/"+rot.QR.Code {
		t.Fatalf("rotate reply %+v", rot)
	}
	var unit apiUnitReply
	apiDo(t, w.office, "GET", "/api/v1/units/"+a, "", "").decode(t, http.StatusOK, &unit)
	if unit.QR.Code != rot.QR.Code {
		t.Errorf("unit shows code %q after rotation, want %q", unit.QR.Code, rot.QR.Code)
	}
	page := apiDo(t, w.anon, "GET", "/q/"+old, "", "")
	if page.Status != http.StatusGone || !strings.Contains(page.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(page.Body), "已更换") {
		t.Errorf("old code page: %d %q", page.Status, page.Header.Get("Content-Type"))
	}
	if st := postQR(t, w.app, old, "phone-1", url.Values{"level": {"5"}}); st != http.StatusGone {
		t.Errorf("rating through the old code: %d, want 410", st)
	}
	if total, _, _ := feed(t, w.office, "/api/v1/units/"+a+"/ratings"); total != 0 {
		t.Fatalf("the old code stored %d ratings", total)
	}
	if p := apiDo(t, w.anon, "GET", "/q/"+rot.QR.Code, "", ""); p.Status != http.StatusOK {
		t.Errorf("new code page: %d", p.Status)
	}
	if st := postQR(t, w.app, rot.QR.Code, "phone-1", url.Values{"level": {"4"}}); st != http.StatusSeeOther {
		t.Errorf("rating through the new code: %d, want 303", st)
	}
	if total, _, _ := feed(t, w.office, "/api/v1/units/"+a+"/ratings"); total != 1 {
		t.Errorf("the new code stored %d ratings, want 1", total)
	}

	// A service point's code rotates on its own.
	var point struct {
		ID int64
		QR struct{ Code string }
	}
	apiJSON(t, w.office, "POST", "/api/v1/units/"+a+"/points", map[string]string{"name": "1号窗口", "kind": "window"}).decode(t, http.StatusCreated, &point)
	wantAPIError(t, apiDo(t, w.office, "POST", "/api/v1/points/"+itoa(point.ID)+"/qr/rotate", "", ""), 422, "invalid")
	apiDo(t, w.office, "POST", "/api/v1/points/"+itoa(point.ID)+"/qr/rotate", "application/json", "{}").decode(t, http.StatusOK, &rot)
	codes := []string{point.QR.Code, rot.QR.Code, unit.QR.Code}
	sort.Strings(codes)
	if codes[0] == codes[1] || codes[1] == codes[2] {
		t.Errorf("codes repeat: %v", codes)
	}
	if st := postQR(t, w.app, point.QR.Code, "phone-2", url.Values{"level": {"5"}}); st != http.StatusGone {
		t.Errorf("rating through the old point code: %d, want 410", st)
	}
	if st := postQR(t, w.app, unit.QR.Code, "phone-3", url.Values{"level": {"5"}}); st != http.StatusSeeOther {
		t.Errorf("the unit's code stopped working when the point's rotated: %d", st)
	}
}
