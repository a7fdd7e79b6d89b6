package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// apiRoutes are the session-protected routes, with a body each could take.
func apiRoutes(w *fixtures.APIWorld, pointID, terminalID int64, ratingID string) []struct{ method, path, body string } {
	a := apptest.Itoa(w.A.ID)
	return []struct{ method, path, body string }{
		{"GET", "/api/v1/session", ""},
		{"GET", "/api/v1/units", ""},
		{"POST", "/api/v1/units", `{"name":"新单位","category":"社会服务类"}`},
		{"GET", "/api/v1/units/" + a, ""},
		{"PATCH", "/api/v1/units/" + a, `{"name":"改名","category":"社会服务类"}`},
		{"POST", "/api/v1/units/" + a + "/qr/rotate", `{}`},
		{"GET", "/api/v1/units/" + a + "/points", ""},
		{"POST", "/api/v1/units/" + a + "/points", `{"name":"2号窗口","kind":"window"}`},
		{"POST", "/api/v1/points/" + apptest.Itoa(pointID) + "/qr/rotate", `{}`},
		{"GET", "/api/v1/units/" + a + "/terminals", ""},
		{"POST", "/api/v1/units/" + a + "/terminals", `{"name":"9号评价器"}`},
		{"DELETE", "/api/v1/terminals/" + apptest.Itoa(terminalID), ""},
		{"GET", "/api/v1/units/" + a + "/ratings", ""},
		{"GET", "/api/v1/units/" + a + "/stats", ""},
		{"GET", "/api/v1/ratings", ""},
		{"POST", "/api/v1/ratings/" + ratingID + "/exclude", `{"reason":"刷分"}`},
		{"POST", "/api/v1/ratings/" + ratingID + "/restore", `{}`},
		{"GET", "/api/v1/audit", ""},
	}
}

// TestAPIAccessControl sends every protected route without a session (401)
// and, for office-only routes, as a unit-role user of the very unit (403),
// and checks that nothing changed.
func TestAPIAccessControl(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	var point struct{ ID int64 }
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/units/"+apptest.Itoa(w.A.ID)+"/points", map[string]string{"name": "1号窗口", "kind": "window"}).
		Decode(t, http.StatusCreated, &point)
	termID, token := w.CreateTerminal(t, w.A.ID, map[string]any{"name": "1号评价器"})
	var batch struct {
		Results []struct{ ID, Status string }
	}
	apptest.APIJSON(t, w.Anon, "POST", "/api/v1/terminal/ratings", map[string]any{"ratings": []map[string]any{{"id": "r-1", "level": 5}}},
		"Authorization", "Bearer "+token).Decode(t, http.StatusOK, &batch)
	var feed struct{ Items []struct{ ID string } }
	apptest.APIDo(t, w.Office, "GET", "/api/v1/ratings", "", "").Decode(t, http.StatusOK, &feed)
	if len(feed.Items) != 1 {
		t.Fatalf("feed has %d ratings, want 1", len(feed.Items))
	}
	routes := apiRoutes(w, point.ID, termID, feed.Items[0].ID)
	officeOnly := map[string]bool{"POST /api/v1/units": true}
	for _, r := range routes {
		if r.method != "GET" || strings.HasSuffix(r.path, "/audit") {
			officeOnly[r.method+" "+r.path] = true
		}
	}
	for _, r := range routes {
		t.Run("anonymous "+r.method+" "+r.path, func(t *testing.T) {
			ctype := ""
			if r.body != "" {
				ctype = "application/json"
			}
			apptest.WantAPIError(t, apptest.APIDo(t, w.Anon, r.method, r.path, ctype, r.body), 401, "unauthorized")
		})
		if !officeOnly[r.method+" "+r.path] {
			continue
		}
		t.Run("unit user "+r.method+" "+r.path, func(t *testing.T) {
			ctype := ""
			if r.body != "" {
				ctype = "application/json"
			}
			apptest.WantAPIError(t, apptest.APIDo(t, w.UnitUser, r.method, r.path, ctype, r.body), 403, "forbidden")
		})
	}
	var units struct{ Total int }
	apptest.APIDo(t, w.Office, "GET", "/api/v1/units", "", "").Decode(t, http.StatusOK, &units)
	var terms struct {
		Items []struct {
			RevokedAt *time.Time `json:"revoked_at"`
		}
	}
	apptest.APIDo(t, w.Office, "GET", "/api/v1/units/"+apptest.Itoa(w.A.ID)+"/terminals", "", "").Decode(t, http.StatusOK, &terms)
	var excluded struct{ Total int }
	apptest.APIDo(t, w.Office, "GET", "/api/v1/ratings?excluded=true", "", "").Decode(t, http.StatusOK, &excluded)
	if units.Total != 2 || len(terms.Items) != 1 || terms.Items[0].RevokedAt != nil || excluded.Total != 0 {
		t.Errorf("refused requests changed data: %d units, terminals %+v, %d excluded", units.Total, terms.Items, excluded.Total)
	}
}

func TestAPIUnknownRoutes(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	for _, path := range []string{"/api/v1/nothing", "/api/v2/units", "/api/v1/units/1/nothing"} {
		apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "GET", path, "", ""), 404, "not_found")
	}
	var health struct{ Status string }
	apptest.APIDo(t, w.Anon, "GET", "/healthz", "", "").Decode(t, http.StatusOK, &health)
	var ready struct{ Status, Postgres, Redis string }
	apptest.APIDo(t, w.Anon, "GET", "/readyz", "", "").Decode(t, http.StatusOK, &ready)
	if health.Status != "ok" || ready.Status != "ready" || ready.Postgres != "ok" || ready.Redis != "ok" {
		t.Errorf("healthz %+v, readyz %+v", health, ready)
	}
}
