package accountsapp_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

func TestAPISession(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	c := w.App.Client()
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
			r := apptest.APIDo(t, c, "POST", "/api/v1/session", tt.ctype, tt.body)
			apptest.WantAPIError(t, r, tt.status, tt.code, tt.fields...)
			if r.Header.Get("Set-Cookie") != "" {
				t.Errorf("a failed sign-in set a cookie: %s", r.Header.Get("Set-Cookie"))
			}
		})
	}

	r := apptest.APIJSON(t, c, "POST", "/api/v1/session", map[string]string{"username": "office1", "password": "office-pass-1"},
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
	r.Decode(t, http.StatusOK, &in)
	if in.User.Username != "office1" || in.User.Role != "office" || in.User.UnitID != nil || in.ExpiresAt.Before(time.Now()) {
		t.Errorf("sign-in reply %s", r.Body)
	}
	if bytes.Contains(r.Body, []byte("password_hash")) || bytes.Contains(r.Body, []byte("$2a$")) {
		t.Errorf("sign-in reply shows the password hash: %s", r.Body)
	}
	cookie := r.Header.Get("Set-Cookie")
	if !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Lax") {
		t.Errorf("session cookie %q, want HttpOnly and SameSite=Lax", cookie)
	}
	var who struct{ User struct{ Username string } }
	apptest.APIDo(t, c, "GET", "/api/v1/session", "", "").Decode(t, http.StatusOK, &who)
	if who.User.Username != "office1" {
		t.Errorf("GET /session = %+v", who)
	}
	if r := apptest.APIDo(t, c, "DELETE", "/api/v1/session", "", ""); r.Status != http.StatusNoContent {
		t.Fatalf("sign out: %d", r.Status)
	}
	apptest.WantAPIError(t, apptest.APIDo(t, c, "GET", "/api/v1/session", "", ""), 401, "unauthorized")
	if r := apptest.APIDo(t, w.App.Client(), "DELETE", "/api/v1/session", "", ""); r.Status != http.StatusNoContent {
		t.Errorf("signing out without a session: %d, want 204", r.Status)
	}
	forged := apptest.APIDo(t, w.App.Client(), "GET", "/api/v1/units", "", "", "Cookie", "minyi_session=forged-token")
	apptest.WantAPIError(t, forged, 401, "unauthorized")
}
