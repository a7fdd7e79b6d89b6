package ratingsapp_test

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

func TestAPIUnits(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	u := w.A
	if u.ID == 0 || u.Name != "市政务服务中心" || u.Category != "社会服务类" || u.ShortCode != nil {
		t.Errorf("created unit %+v", u)
	}
	if len(u.QR.Code) < 16 || u.QR.Code == apptest.Itoa(u.ID) || u.QR.URL != w.App.URL+"/q/"+u.QR.Code {
		t.Errorf("qr %+v: want a random code of 16+ characters and url %s/q/{code}", u.QR, w.App.URL)
	}
	bad := append([]apptest.APIBodyCase{
		{Name: "name a number", ContentType: "application/json", Body: `{"name":5,"category":"社会服务类"}`, Fields: []string{"name"}},
		{Name: "category a list", ContentType: "application/json", Body: `{"name":"x","category":["社会服务类"]}`, Fields: []string{"category"}},
		{Name: "missing fields", ContentType: "application/json", Body: `{}`, Fields: []string{"name", "category"}},
		{Name: "blank name", ContentType: "application/json", Body: `{"name":"  ","category":"社会服务类"}`, Fields: []string{"name"}},
		{Name: "name 101 chars", ContentType: "application/json", Body: `{"name":"` + strings.Repeat("局", 101) + `","category":"社会服务类"}`, Fields: []string{"name"}},
		{Name: "unknown category", ContentType: "application/json", Body: `{"name":"x","category":"其他类"}`, Fields: []string{"category"}},
		{Name: "bad short code", ContentType: "application/json", Body: `{"name":"x","category":"社会服务类","short_code":"A B"}`, Fields: []string{"short_code"}},
		{Name: "duplicate name", ContentType: "application/json", Body: `{"name":"市税务局","category":"社会服务类"}`, Fields: []string{"name"}},
	}, apptest.APIBadBodies...)
	for _, tt := range bad {
		t.Run("create "+tt.Name, func(t *testing.T) {
			apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "POST", "/api/v1/units", tt.ContentType, tt.Body), 422, "invalid", tt.Fields...)
		})
		t.Run("update "+tt.Name, func(t *testing.T) {
			if tt.Name == "duplicate name" || tt.Name == "missing fields" {
				return // covered below: PATCH changes only the fields sent
			}
			apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "PATCH", "/api/v1/units/"+apptest.Itoa(u.ID), tt.ContentType, tt.Body), 422, "invalid", tt.Fields...)
		})
	}
	var list struct {
		Total int                  `json:"total"`
		Items []fixtures.UnitReply `json:"items"`
	}
	apptest.APIDo(t, w.Office, "GET", "/api/v1/units", "", "").Decode(t, http.StatusOK, &list)
	if list.Total != 2 || len(list.Items) != 2 {
		t.Fatalf("refused creates stored units: %+v", list)
	}

	var got fixtures.UnitReply
	apptest.APIDo(t, w.Office, "GET", "/api/v1/units/"+apptest.Itoa(u.ID), "", "").Decode(t, http.StatusOK, &got)
	if got.ID != u.ID || got.QR != u.QR {
		t.Errorf("GET unit %+v, want %+v", got, u)
	}
	var updated fixtures.UnitReply
	apptest.APIJSON(t, w.Office, "PATCH", "/api/v1/units/"+apptest.Itoa(u.ID), map[string]string{"name": "市行政审批局", "category": "经济发展类", "short_code": "XZSP"}).
		Decode(t, http.StatusOK, &updated)
	if updated.Name != "市行政审批局" || updated.Category != "经济发展类" || updated.ShortCode == nil || *updated.ShortCode != "XZSP" || updated.QR != u.QR {
		t.Errorf("updated %+v", updated)
	}
	var patched fixtures.UnitReply
	apptest.APIJSON(t, w.Office, "PATCH", "/api/v1/units/"+apptest.Itoa(u.ID), map[string]string{}).Decode(t, http.StatusOK, &patched)
	if patched.Name != updated.Name || patched.Category != updated.Category || patched.ShortCode == nil || *patched.ShortCode != "XZSP" {
		t.Errorf("an empty PATCH changed the unit: %+v", patched)
	}
	apptest.APIJSON(t, w.Office, "PATCH", "/api/v1/units/"+apptest.Itoa(u.ID), map[string]string{"short_code": ""}).Decode(t, http.StatusOK, &patched)
	if patched.Name != "市行政审批局" || patched.Category != "经济发展类" || patched.ShortCode != nil {
		t.Errorf(`PATCH {"short_code":""} gave %+v, want only the short code cleared`, patched)
	}
	apptest.APIJSON(t, w.Office, "PATCH", "/api/v1/units/"+apptest.Itoa(u.ID), map[string]string{"short_code": "XZSP"}).Decode(t, http.StatusOK, &patched)
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "PATCH", "/api/v1/units/"+apptest.Itoa(w.B.ID), map[string]string{"name": "市行政审批局"}),
		422, "invalid", "name")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "PATCH", "/api/v1/units/"+apptest.Itoa(w.B.ID), map[string]string{"short_code": "XZSP"}),
		422, "invalid", "short_code")

	// A unit user sees only their own unit.
	apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/units", "", "").Decode(t, http.StatusOK, &list)
	if list.Total != 1 || list.Items[0].ID != u.ID {
		t.Errorf("unit user lists %+v, want only unit %d", list, u.ID)
	}
	apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/units/"+apptest.Itoa(u.ID), "", "").Decode(t, http.StatusOK, &got)
	for _, suffix := range []string{"", "/points", "/terminals", "/ratings", "/stats"} {
		apptest.WantAPIError(t, apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/units/"+apptest.Itoa(w.B.ID)+suffix, "", ""), 403, "forbidden")
		if r := apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/units/"+apptest.Itoa(u.ID)+suffix, "", ""); r.Status != http.StatusOK {
			t.Errorf("unit user GET own unit%s: %d", suffix, r.Status)
		}
	}
}

// TestAPIBadIDs sends ids that are not numbers, or not found, to every
// route with an id in its path.
func TestAPIBadIDs(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
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
				apptest.WantAPIError(t, apptest.APIDo(t, w.Office, r.method, path, ctype, r.body), 404, "not_found")
			})
		}
	}
}

func TestAPIPointsAndTerminals(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	a := apptest.Itoa(w.A.ID)
	var hall struct {
		ID     int64  `json:"id"`
		UnitID int64  `json:"unit_id"`
		Name   string `json:"name"`
		Kind   string `json:"kind"`
		QR     struct{ Code, URL string }
	}
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/units/"+a+"/points", map[string]string{"name": "政务服务大厅", "kind": "hall"}).
		Decode(t, http.StatusCreated, &hall)
	if hall.UnitID != w.A.ID || hall.Kind != "hall" || hall.QR.Code == "" || hall.QR.Code == w.A.QR.Code ||
		hall.QR.URL != w.App.URL+"/q/"+hall.QR.Code {
		t.Errorf("created point %+v", hall)
	}
	badPoints := append([]apptest.APIBodyCase{
		{Name: "missing fields", ContentType: "application/json", Body: `{}`, Fields: []string{"name", "kind"}},
		{Name: "bad kind", ContentType: "application/json", Body: `{"name":"3号窗口","kind":"desk"}`, Fields: []string{"kind"}},
		{Name: "kind a number", ContentType: "application/json", Body: `{"name":"3号窗口","kind":1}`, Fields: []string{"kind"}},
		{Name: "name 101 chars", ContentType: "application/json", Body: `{"name":"` + strings.Repeat("窗", 101) + `","kind":"window"}`, Fields: []string{"name"}},
		{Name: "duplicate name", ContentType: "application/json", Body: `{"name":"政务服务大厅","kind":"hall"}`, Fields: []string{"name"}},
	}, apptest.APIBadBodies...)
	for _, tt := range badPoints {
		t.Run("point "+tt.Name, func(t *testing.T) {
			apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "POST", "/api/v1/units/"+a+"/points", tt.ContentType, tt.Body), 422, "invalid", tt.Fields...)
		})
	}
	var points struct {
		Total int `json:"total"`
		Items []struct {
			ID int64
			QR struct{ Code string }
		} `json:"items"`
	}
	apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/units/"+a+"/points", "", "").Decode(t, http.StatusOK, &points)
	if points.Total != 1 || points.Items[0].ID != hall.ID || points.Items[0].QR.Code != hall.QR.Code {
		t.Errorf("points %+v", points)
	}

	var bPoint struct{ ID int64 }
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/units/"+apptest.Itoa(w.B.ID)+"/points", map[string]string{"name": "大厅", "kind": "hall"}).
		Decode(t, http.StatusCreated, &bPoint)
	termID, token := w.CreateTerminal(t, w.A.ID, map[string]any{"name": "1号评价器", "point_id": hall.ID})
	if !strings.HasPrefix(token, "mt_") || len(token) < 40 {
		t.Errorf("token %q", token)
	}
	badTerminals := append([]apptest.APIBodyCase{
		{Name: "missing name", ContentType: "application/json", Body: `{}`, Fields: []string{"name"}},
		{Name: "blank name", ContentType: "application/json", Body: `{"name":" "}`, Fields: []string{"name"}},
		{Name: "name 101 chars", ContentType: "application/json", Body: `{"name":"` + strings.Repeat("器", 101) + `"}`, Fields: []string{"name"}},
		{Name: "name a number", ContentType: "application/json", Body: `{"name":7}`, Fields: []string{"name"}},
		{Name: "point a string", ContentType: "application/json", Body: `{"name":"x","point_id":"1"}`, Fields: []string{"point_id"}},
		{Name: "point of another unit", ContentType: "application/json", Body: `{"name":"x","point_id":` + apptest.Itoa(bPoint.ID) + `}`, Fields: []string{"point_id"}},
		{Name: "unknown point", ContentType: "application/json", Body: `{"name":"x","point_id":999999}`, Fields: []string{"point_id"}},
	}, apptest.APIBadBodies...)
	for _, tt := range badTerminals {
		t.Run("terminal "+tt.Name, func(t *testing.T) {
			apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "POST", "/api/v1/units/"+a+"/terminals", tt.ContentType, tt.Body), 422, "invalid", tt.Fields...)
		})
	}
	var terms struct {
		Total int `json:"total"`
		Items []map[string]any
	}
	r := apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/units/"+a+"/terminals", "", "")
	r.Decode(t, http.StatusOK, &terms)
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
	apptest.APIDo(t, w.Office, "DELETE", "/api/v1/terminals/"+apptest.Itoa(termID), "", "").Decode(t, http.StatusOK, &revoked)
	if revoked.Terminal.ID != termID || revoked.Terminal.RevokedAt == nil {
		t.Errorf("revoke reply %+v", revoked)
	}
	first := *revoked.Terminal.RevokedAt
	apptest.APIDo(t, w.Office, "DELETE", "/api/v1/terminals/"+apptest.Itoa(termID), "", "").Decode(t, http.StatusOK, &revoked)
	if !revoked.Terminal.RevokedAt.Equal(first) {
		t.Errorf("revoking again moved revoked_at %v → %v", first, revoked.Terminal.RevokedAt)
	}
}

func TestAPIQRRotation(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	a := apptest.Itoa(w.A.ID)
	old := w.A.QR.Code
	var rot struct{ QR struct{ Code, URL string } }
	apptest.APIDo(t, w.Office, "POST", "/api/v1/units/"+a+"/qr/rotate", "application/json", "{}").Decode(t, http.StatusOK, &rot)
	if rot.QR.Code == "" || rot.QR.Code == old || rot.QR.URL != w.App.URL+"/q/"+rot.QR.Code {
		t.Fatalf("rotate reply %+v", rot)
	}
	var unit fixtures.UnitReply
	apptest.APIDo(t, w.Office, "GET", "/api/v1/units/"+a, "", "").Decode(t, http.StatusOK, &unit)
	if unit.QR.Code != rot.QR.Code {
		t.Errorf("unit shows code %q after rotation, want %q", unit.QR.Code, rot.QR.Code)
	}
	page := apptest.APIDo(t, w.Anon, "GET", "/q/"+old, "", "")
	if page.Status != http.StatusGone || !strings.Contains(page.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(page.Body), "已更换") {
		t.Errorf("old code page: %d %q", page.Status, page.Header.Get("Content-Type"))
	}
	if st := fixtures.PostQR(t, w.App, old, "phone-1", url.Values{"level": {"5"}}); st != http.StatusGone {
		t.Errorf("rating through the old code: %d, want 410", st)
	}
	if total, _, _ := fixtures.Feed(t, w.Office, "/api/v1/units/"+a+"/ratings"); total != 0 {
		t.Fatalf("the old code stored %d ratings", total)
	}
	if p := apptest.APIDo(t, w.Anon, "GET", "/q/"+rot.QR.Code, "", ""); p.Status != http.StatusOK {
		t.Errorf("new code page: %d", p.Status)
	}
	if st := fixtures.PostQR(t, w.App, rot.QR.Code, "phone-1", url.Values{"level": {"4"}}); st != http.StatusSeeOther {
		t.Errorf("rating through the new code: %d, want 303", st)
	}
	if total, _, _ := fixtures.Feed(t, w.Office, "/api/v1/units/"+a+"/ratings"); total != 1 {
		t.Errorf("the new code stored %d ratings, want 1", total)
	}

	// A service point's code rotates on its own.
	var point struct {
		ID int64
		QR struct{ Code string }
	}
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/units/"+a+"/points", map[string]string{"name": "1号窗口", "kind": "window"}).Decode(t, http.StatusCreated, &point)
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "POST", "/api/v1/points/"+apptest.Itoa(point.ID)+"/qr/rotate", "", ""), 422, "invalid")
	apptest.APIDo(t, w.Office, "POST", "/api/v1/points/"+apptest.Itoa(point.ID)+"/qr/rotate", "application/json", "{}").Decode(t, http.StatusOK, &rot)
	codes := []string{point.QR.Code, rot.QR.Code, unit.QR.Code}
	sort.Strings(codes)
	if codes[0] == codes[1] || codes[1] == codes[2] {
		t.Errorf("codes repeat: %v", codes)
	}
	if st := fixtures.PostQR(t, w.App, point.QR.Code, "phone-2", url.Values{"level": {"5"}}); st != http.StatusGone {
		t.Errorf("rating through the old point code: %d, want 410", st)
	}
	if st := fixtures.PostQR(t, w.App, unit.QR.Code, "phone-3", url.Values{"level": {"5"}}); st != http.StatusSeeOther {
		t.Errorf("the unit's code stopped working when the point's rotated: %d", st)
	}
}
