package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
)

// apiReply is the raw reply to one API request.
type apiReply struct {
	Status int
	Header http.Header
	Body   []byte
}

// apiDo sends body with the given Content-Type ("" for none) and returns
// the reply. headers are name, value pairs.
func apiDo(t *testing.T, c *apptest.Client, method, path, ctype, body string, headers ...string) apiReply {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.App.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.C.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return apiReply{Status: res.StatusCode, Header: res.Header, Body: data}
}

// apiJSON sends v as JSON.
func apiJSON(t *testing.T, c *apptest.Client, method, path string, v any, headers ...string) apiReply {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return apiDo(t, c, method, path, "application/json", string(b), headers...)
}

// decode unmarshals the body into out, failing on anything but want.
func (r apiReply) decode(t *testing.T, want int, out any) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d; body %s", r.Status, want, r.Body)
	}
	if out != nil {
		if err := json.Unmarshal(r.Body, out); err != nil {
			t.Fatalf("decoding %s: %v", r.Body, err)
		}
	}
}

// wantAPIError checks the status and the one error shape
// {"error":{"code","message","fields"}}, with exactly the given fields.
func wantAPIError(t *testing.T, r apiReply, status int, code string, fields ...string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want JSON", ct)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &top); err != nil || len(top) != 1 || top["error"] == nil {
		t.Fatalf("body %s is not {\"error\": {...}}", r.Body)
	}
	var e struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	}
	dec := json.NewDecoder(bytes.NewReader(top["error"]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("error object %s: %v", top["error"], err)
	}
	if e.Code != code {
		t.Errorf("code %q, want %q; body %s", e.Code, code, r.Body)
	}
	if e.Message == "" {
		t.Errorf("empty message in %s", r.Body)
	}
	got := make([]string, 0, len(e.Fields))
	for k, v := range e.Fields {
		got = append(got, k)
		if v == "" {
			t.Errorf("field %s has an empty message", k)
		}
	}
	sort.Strings(got)
	want := slices.Clone(fields)
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("fields %v, want %v; body %s", got, want, r.Body)
	}
}

// apiUnitReply is a unit as the API returns it.
type apiUnitReply struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Category  string  `json:"category"`
	ShortCode *string `json:"short_code"`
	QR        struct {
		Code string `json:"code"`
		URL  string `json:"url"`
	} `json:"qr"`
}

// apiClock is a settable clock for apptest.Options.Now.
type apiClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *apiClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *apiClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// apiWorld is a server with two units A and B, an office client, a client
// of a unit-role user of A, and an anonymous client.
type apiWorld struct {
	app                    *apptest.App
	office, unitUser, anon *apptest.Client
	a, b                   apiUnitReply
}

// newAPIWorld starts the server with generous rate limits (limits are
// tested elsewhere) unless opt.Env says otherwise.
func newAPIWorld(t *testing.T, opt apptest.Options) *apiWorld {
	t.Helper()
	env := map[string]string{"RATE_LOGIN": "1000-M", "RATE_TERMINAL": "10000-M", "RATE_PUBLIC_CLIENT": "1000-M",
		"RATE_PUBLIC_CODE": "1000-M", "RATE_PUBLIC_PAGE": "1000-M"}
	for k, v := range opt.Env {
		env[k] = v
	}
	opt.Env = env
	w := &apiWorld{app: apptest.New(t, opt)}
	w.app.AddUser(t, "office1", "office-pass-1", "office", nil)
	w.office = w.app.Client()
	w.office.SignIn(t, "office1", "office-pass-1")
	w.a = w.createUnit(t, "市政务服务中心", "社会服务类")
	w.b = w.createUnit(t, "市税务局", "经济发展类")
	w.app.AddUser(t, "unit-a", "unit-pass-1", "unit", &w.a.ID)
	w.unitUser = w.app.Client()
	w.unitUser.SignIn(t, "unit-a", "unit-pass-1")
	w.anon = w.app.Client()
	return w
}

func (w *apiWorld) createUnit(t *testing.T, name, category string) apiUnitReply {
	t.Helper()
	var u apiUnitReply
	apiJSON(t, w.office, "POST", "/api/v1/units", map[string]string{"name": name, "category": category}).decode(t, http.StatusCreated, &u)
	return u
}

// createTerminal registers a terminal of the unit and returns its id and token.
func (w *apiWorld) createTerminal(t *testing.T, unitID int64, body map[string]any) (int64, string) {
	t.Helper()
	var out struct {
		ID    int64  `json:"id"`
		Token string `json:"token"`
	}
	apiJSON(t, w.office, "POST", "/api/v1/units/"+itoa(unitID)+"/terminals", body).decode(t, http.StatusCreated, &out)
	if out.ID == 0 || out.Token == "" {
		t.Fatalf("terminal reply without id or token: %+v", out)
	}
	return out.ID, out.Token
}

func TestAPISession(t *testing.T) {
	w := newAPIWorld(t, apptest.Options{})
	c := w.app.Client()
	bad := []struct {
		name, ctype, body string
		status            int
		code              string
		fields            []string
	}{
		{"malformed JSON", "application/json", `{"username":`, 422, "invalid", nil},
		{"wrong content type", "text/plain", `{"username":"office1","password":"office-pass-1"}`, 422, "invalid", nil},
		{"form post", "application/x-www-form-urlencoded", `username=office1&password=office-pass-1`, 422, "invalid", nil},
		{"empty body", "application/json", ``, 422, "invalid", nil},
		{"two values", "application/json", `{} {}`, 422, "invalid", nil},
		{"array", "application/json", `[]`, 422, "invalid", nil},
		{"username a number", "application/json", `{"username":1,"password":"x"}`, 422, "invalid", []string{"username"}},
		{"missing both", "application/json", `{}`, 422, "invalid", []string{"username", "password"}},
		{"missing password", "application/json", `{"username":"office1"}`, 422, "invalid", []string{"password"}},
		{"wrong password", "application/json", `{"username":"office1","password":"nope-nope"}`, 401, "unauthorized", nil},
		{"unknown user", "application/json", `{"username":"ghost","password":"office-pass-1"}`, 401, "unauthorized", nil},
		{"too large", "application/json", `{"username":"` + strings.Repeat("a", 5000) + `"}`, 413, "too_large", nil},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			r := apiDo(t, c, "POST", "/api/v1/session", tt.ctype, tt.body)
			wantAPIError(t, r, tt.status, tt.code, tt.fields...)
			if r.Header.Get("Set-Cookie") != "" {
				t.Errorf("a failed sign-in set a cookie: %s", r.Header.Get("Set-Cookie"))
			}
		})
	}

	r := apiJSON(t, c, "POST", "/api/v1/session", map[string]string{"username": "office1", "password": "office-pass-1"},
		"Content-Type", "application/json; charset=utf-8")
	var in struct {
		User struct {
			ID       int64  `json:"id"`
			Username string `json:"username"`
			Role     string `json:"role"`
			UnitID   *int64 `json:"unit_id"`
		} `json:"user"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	r.decode(t, http.StatusOK, &in)
	if in.User.Username != "office1" || in.User.Role != "office" || in.User.UnitID != nil || in.ExpiresAt.Before(time.Now()) {
		t.Errorf("sign-in reply %s", r.Body)
	}
	if bytes.Contains(r.Body, []byte("password")) || bytes.Contains(r.Body, []byte("$2a$")) {
		t.Errorf("sign-in reply shows the password hash: %s", r.Body)
	}
	cookie := r.Header.Get("Set-Cookie")
	if !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Lax") {
		t.Errorf("session cookie %q, want HttpOnly and SameSite=Lax", cookie)
	}
	var who struct{ User struct{ Username string } }
	apiDo(t, c, "GET", "/api/v1/session", "", "").decode(t, http.StatusOK, &who)
	if who.User.Username != "office1" {
		t.Errorf("GET /session = %+v", who)
	}
	if r := apiDo(t, c, "DELETE", "/api/v1/session", "", ""); r.Status != http.StatusNoContent {
		t.Fatalf("sign out: %d", r.Status)
	}
	wantAPIError(t, apiDo(t, c, "GET", "/api/v1/session", "", ""), 401, "unauthorized")
	if r := apiDo(t, w.app.Client(), "DELETE", "/api/v1/session", "", ""); r.Status != http.StatusNoContent {
		t.Errorf("signing out without a session: %d, want 204", r.Status)
	}
	forged := apiDo(t, w.app.Client(), "GET", "/api/v1/units", "", "", "Cookie", "minyi_session=forged-token")
	wantAPIError(t, forged, 401, "unauthorized")
}

// apiRoutes are the session-protected routes, with a body each could take.
func apiRoutes(w *apiWorld, pointID, terminalID int64, ratingID string) []struct{ method, path, body string } {
	a := itoa(w.a.ID)
	return []struct{ method, path, body string }{
		{"GET", "/api/v1/session", ""},
		{"GET", "/api/v1/units", ""},
		{"POST", "/api/v1/units", `{"name":"新单位","category":"社会服务类"}`},
		{"GET", "/api/v1/units/" + a, ""},
		{"PATCH", "/api/v1/units/" + a, `{"name":"改名","category":"社会服务类"}`},
		{"POST", "/api/v1/units/" + a + "/qr/rotate", `{}`},
		{"GET", "/api/v1/units/" + a + "/points", ""},
		{"POST", "/api/v1/units/" + a + "/points", `{"name":"2号窗口","kind":"window"}`},
		{"POST", "/api/v1/points/" + itoa(pointID) + "/qr/rotate", `{}`},
		{"GET", "/api/v1/units/" + a + "/terminals", ""},
		{"POST", "/api/v1/units/" + a + "/terminals", `{"name":"9号评价器"}`},
		{"DELETE", "/api/v1/terminals/" + itoa(terminalID), ""},
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
	w := newAPIWorld(t, apptest.Options{})
	var point struct{ ID int64 }
	apiJSON(t, w.office, "POST", "/api/v1/units/"+itoa(w.a.ID)+"/points", map[string]string{"name": "1号窗口", "kind": "window"}).
		decode(t, http.StatusCreated, &point)
	termID, token := w.createTerminal(t, w.a.ID, map[string]any{"name": "1号评价器"})
	var batch struct {
		Results []struct{ ID, Status string }
	}
	apiJSON(t, w.anon, "POST", "/api/v1/terminal/ratings", map[string]any{"ratings": []map[string]any{{"id": "r-1", "level": 5}}},
		"Authorization", "Bearer "+token).decode(t, http.StatusOK, &batch)
	var feed struct{ Items []struct{ ID string } }
	apiDo(t, w.office, "GET", "/api/v1/ratings", "", "").decode(t, http.StatusOK, &feed)
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
			wantAPIError(t, apiDo(t, w.anon, r.method, r.path, ctype, r.body), 401, "unauthorized")
		})
		if !officeOnly[r.method+" "+r.path] {
			continue
		}
		t.Run("unit user "+r.method+" "+r.path, func(t *testing.T) {
			ctype := ""
			if r.body != "" {
				ctype = "application/json"
			}
			wantAPIError(t, apiDo(t, w.unitUser, r.method, r.path, ctype, r.body), 403, "forbidden")
		})
	}
	var units struct{ Total int }
	apiDo(t, w.office, "GET", "/api/v1/units", "", "").decode(t, http.StatusOK, &units)
	var terms struct {
		Items []struct {
			RevokedAt *time.Time `json:"revoked_at"`
		}
	}
	apiDo(t, w.office, "GET", "/api/v1/units/"+itoa(w.a.ID)+"/terminals", "", "").decode(t, http.StatusOK, &terms)
	var excluded struct{ Total int }
	apiDo(t, w.office, "GET", "/api/v1/ratings?excluded=true", "", "").decode(t, http.StatusOK, &excluded)
	if units.Total != 2 || len(terms.Items) != 1 || terms.Items[0].RevokedAt != nil || excluded.Total != 0 {
		t.Errorf("refused requests changed data: %d units, terminals %+v, %d excluded", units.Total, terms.Items, excluded.Total)
	}
}

func TestAPIUnknownRoutes(t *testing.T) {
	w := newAPIWorld(t, apptest.Options{})
	for _, path := range []string{"/api/v1/nothing", "/api/v2/units", "/api/v1/units/1/nothing"} {
		wantAPIError(t, apiDo(t, w.office, "GET", path, "", ""), 404, "not_found")
	}
	var health struct{ Status string }
	apiDo(t, w.anon, "GET", "/healthz", "", "").decode(t, http.StatusOK, &health)
	var ready struct{ Status, Postgres, Redis string }
	apiDo(t, w.anon, "GET", "/readyz", "", "").decode(t, http.StatusOK, &ready)
	if health.Status != "ok" || ready.Status != "ready" || ready.Postgres != "ok" || ready.Redis != "ok" {
		t.Errorf("healthz %+v, readyz %+v", health, ready)
	}
}
