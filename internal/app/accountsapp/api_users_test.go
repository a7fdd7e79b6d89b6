package accountsapp_test

import (
	"fmt"
	"net/http"
	"testing"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

type userReply struct {
	User struct {
		ID                 int64  `json:"id"`
		Username           string `json:"username"`
		Role               string `json:"role"`
		UnitID             *int64 `json:"unit_id"`
		Name               string `json:"name"`
		Mobile             string `json:"mobile"`
		MustChangePassword bool   `json:"must_change_password"`
		DisabledAt         any    `json:"disabled_at"`
	} `json:"user"`
	InitialPassword string `json:"initial_password"`
}

// The office hands out an account; its holder must change the initial
// password before anything else works, then works.
func TestAPIAccountsLifecycle(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	office := w.Office
	bad := []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"no username", map[string]any{"role": "unit", "unit_id": w.A.ID}, []string{"username"}},
		{"unknown role", map[string]any{"username": "zhang3", "role": "admin"}, []string{"role"}},
		{"unit without unit", map[string]any{"username": "zhang3", "role": "unit"}, []string{"unit_id"}},
		{"leader with unit", map[string]any{"username": "zhang3", "role": "leader", "unit_id": w.A.ID}, []string{"unit_id"}},
		{"bad mobile and e-mail", map[string]any{"username": "zhang3", "role": "office", "mobile": "1234", "email": "x@"}, []string{"email", "mobile"}},
		{"taken username", map[string]any{"username": "unit-a", "role": "unit", "unit_id": w.A.ID}, []string{"username"}},
		{"unit_id a string", map[string]any{"username": "zhang3", "role": "unit", "unit_id": "A"}, []string{"unit_id"}},
	}
	before := w.App.Count(t, `SELECT count(*) FROM users`)
	for _, b := range bad {
		apptest.WantAPIError(t, apptest.APIJSON(t, office, "POST", "/api/v1/users", b.body), 422, "invalid", b.fields...)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM users`); n != before {
		t.Fatalf("refused accounts were stored: %d users, want %d", n, before)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", "/api/v1/users",
		map[string]any{"username": "zhang3", "role": "office"}), 403, "forbidden")
	apptest.WantAPIError(t, apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/users", "", ""), 403, "forbidden")

	var created userReply
	apptest.APIJSON(t, office, "POST", "/api/v1/users", map[string]any{"username": "zhang3", "role": "unit", "unit_id": w.B.ID,
		"name": "张三", "mobile": "13912345678", "email": "zhang3@example.gov.cn"}).Decode(t, http.StatusCreated, &created)
	if created.InitialPassword == "" || !created.User.MustChangePassword || created.User.Name != "张三" {
		t.Fatalf("created: %+v", created)
	}

	// The holder signs in with the initial password: only the session and
	// the password change answer until it is changed.
	zhang := w.App.Client()
	zhang.SignIn(t, "zhang3", created.InitialPassword)
	var who struct {
		MustChange bool `json:"must_change_password"`
	}
	apptest.APIDo(t, zhang, "GET", "/api/v1/session", "", "").Decode(t, http.StatusOK, &who)
	if !who.MustChange {
		t.Error("GET /session does not say the password must change")
	}
	apptest.WantAPIError(t, apptest.APIDo(t, zhang, "GET", "/api/v1/units", "", ""), 403, "password_change_required")
	apptest.WantAPIError(t, apptest.APIJSON(t, zhang, "PUT", "/api/v1/session/password",
		map[string]string{"current_password": "wrong", "new_password": "12345678"}), 422, "invalid", "current_password", "new_password")
	if r := apptest.APIJSON(t, zhang, "PUT", "/api/v1/session/password",
		map[string]string{"current_password": created.InitialPassword, "new_password": "meadow-lantern-4"}); r.Status != http.StatusNoContent {
		t.Fatalf("change: %d %s", r.Status, r.Body)
	}
	if r := apptest.APIDo(t, zhang, "GET", "/api/v1/units", "", ""); r.Status != http.StatusOK {
		t.Errorf("after the change GET /units answers %d", r.Status)
	}

	// The office sees the account and its session, and lists by unit.
	var detail struct {
		Sessions []struct {
			ID      string `json:"id"`
			Address string `json:"address"`
		} `json:"sessions"`
	}
	apptest.APIDo(t, office, "GET", fmt.Sprintf("/api/v1/users/%d", created.User.ID), "", "").Decode(t, http.StatusOK, &detail)
	if len(detail.Sessions) != 1 || detail.Sessions[0].Address == "" {
		t.Errorf("sessions: %+v", detail.Sessions)
	}
	var list struct {
		Items []struct {
			Username string `json:"username"`
			UnitName string `json:"unit_name"`
		} `json:"items"`
		Total int `json:"total"`
	}
	apptest.APIDo(t, office, "GET", fmt.Sprintf("/api/v1/users?unit_id=%d", w.B.ID), "", "").Decode(t, http.StatusOK, &list)
	if list.Total != 1 || list.Items[0].Username != "zhang3" || list.Items[0].UnitName != "市税务局" {
		t.Errorf("accounts of unit B: %+v", list)
	}
	apptest.WantAPIError(t, apptest.APIDo(t, office, "GET", "/api/v1/users?disabled=maybe", "", ""), 422, "invalid", "disabled")

	// A reset gives a temporary password and signs the holder out.
	var reset struct {
		Temporary string `json:"temporary_password"`
	}
	apptest.APIJSON(t, office, "POST", fmt.Sprintf("/api/v1/users/%d/password-reset", created.User.ID), map[string]any{}).
		Decode(t, http.StatusOK, &reset)
	apptest.WantAPIError(t, apptest.APIDo(t, zhang, "GET", "/api/v1/units", "", ""), 401, "unauthorized")
	zhang.SignIn(t, "zhang3", reset.Temporary)
	apptest.WantAPIError(t, apptest.APIDo(t, zhang, "GET", "/api/v1/units", "", ""), 403, "password_change_required")

	// Disabling ends the session at once; re-enabling lets it sign in.
	var patched userReply
	apptest.APIJSON(t, office, "PATCH", fmt.Sprintf("/api/v1/users/%d", created.User.ID),
		map[string]any{"disabled": true, "name": "张三（已调离）"}).Decode(t, http.StatusOK, &patched)
	if patched.User.DisabledAt == nil || patched.User.Name != "张三（已调离）" || patched.User.Mobile != "13912345678" {
		t.Errorf("patched: %+v", patched.User)
	}
	apptest.WantAPIError(t, apptest.APIDo(t, zhang, "GET", "/api/v1/session", "", ""), 401, "unauthorized")
	apptest.WantAPIError(t, apptest.APIJSON(t, office, "PATCH", fmt.Sprintf("/api/v1/users/%d", created.User.ID),
		map[string]any{"username": "li4"}), 422, "invalid", "username")
	apptest.WantAPIError(t, apptest.APIJSON(t, office, "PATCH", "/api/v1/users/999999", map[string]any{"name": "x"}), 404, "not_found")
	apptest.APIJSON(t, office, "PATCH", fmt.Sprintf("/api/v1/users/%d", created.User.ID),
		map[string]any{"disabled": false}).Decode(t, http.StatusOK, &patched)
	zhang.SignIn(t, "zhang3", reset.Temporary)
	if r := apptest.APIDo(t, office, "DELETE", fmt.Sprintf("/api/v1/users/%d/sessions", created.User.ID), "", ""); r.Status != http.StatusNoContent {
		t.Errorf("ending the sessions: %d", r.Status)
	}
	apptest.WantAPIError(t, apptest.APIDo(t, zhang, "GET", "/api/v1/session", "", ""), 401, "unauthorized")
}

// A leader reads every unit and changes nothing; every unit without an
// account gets one in one call.
func TestAPILeaderReadsOnlyAndUnitAccountsInOneCall(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	var leader userReply
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/users", map[string]any{"username": "leader1", "role": "leader", "name": "王局长"}).
		Decode(t, http.StatusCreated, &leader)
	c := w.App.Client()
	c.SignIn(t, "leader1", leader.InitialPassword)
	if r := apptest.APIJSON(t, c, "PUT", "/api/v1/session/password",
		map[string]string{"current_password": leader.InitialPassword, "new_password": "meadow-lantern-4"}); r.Status != http.StatusNoContent {
		t.Fatalf("a leader changes their own password: %d %s", r.Status, r.Body)
	}
	var units struct{ Total int }
	apptest.APIDo(t, c, "GET", "/api/v1/units", "", "").Decode(t, http.StatusOK, &units)
	if units.Total != 2 {
		t.Errorf("a leader sees %d units, want 2", units.Total)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, c, "POST", "/api/v1/units", map[string]string{"name": "新单位", "category": "x"}), 403, "forbidden")
	apptest.WantAPIError(t, apptest.APIJSON(t, c, "PATCH", fmt.Sprintf("/api/v1/units/%d", w.A.ID), map[string]string{"name": "改名"}), 403, "forbidden")
	if n := w.App.Count(t, `SELECT count(*) FROM units WHERE name IN ('新单位', '改名')`); n != 0 {
		t.Errorf("a leader changed %d units", n)
	}

	var issued struct {
		Created int `json:"created"`
		Items   []struct {
			UnitName        string `json:"unit_name"`
			InitialPassword string `json:"initial_password"`
			User            struct{ Username string }
		} `json:"items"`
	}
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/users/unit-accounts", map[string]any{}).Decode(t, http.StatusCreated, &issued)
	if issued.Created != 1 || issued.Items[0].UnitName != "市税务局" || issued.Items[0].InitialPassword == "" {
		t.Fatalf("issued: %+v", issued)
	}
	w.App.Client().SignIn(t, issued.Items[0].User.Username, issued.Items[0].InitialPassword)
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/users/unit-accounts", map[string]any{}).Decode(t, http.StatusCreated, &issued)
	if issued.Created != 0 || len(issued.Items) != 0 {
		t.Errorf("second call issued %+v", issued)
	}
}
