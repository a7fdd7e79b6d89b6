package windowapp_test

import (
	"net/http"
	"strings"
	"testing"

	"minyi/internal/testutil/apptest"
)

// systemReply is a business system as the office's API answers it.
type systemReply struct {
	ID         int64   `json:"id"`
	Name       string  `json:"name"`
	UnitIDs    []int64 `json:"unit_ids"`
	DisabledAt *string `json:"disabled_at"`
}

// The office adds a business system through the API, issues it a token
// the business API then takes, disables, enables and revokes, each as the
// console would; a unit's user may do none of it.
func TestOfficeBusinessSystemsAPI(t *testing.T) {
	w := newWindowWorld(t, apptest.Options{})
	const base = "/api/v1/business-systems"

	var sys systemReply
	apptest.APIJSON(t, w.Office, "POST", base, map[string]any{"name": " 一窗受理系统 ", "unit_ids": []int64{w.A.ID, w.A.ID}}).
		Decode(t, http.StatusCreated, &sys)
	if sys.ID == 0 || sys.Name != "一窗受理系统" || len(sys.UnitIDs) != 1 || sys.UnitIDs[0] != w.A.ID || sys.DisabledAt != nil {
		t.Fatalf("created %+v", sys)
	}
	path := base + "/" + apptest.Itoa(sys.ID)
	// Sending the same system again adds nothing.
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", base, map[string]any{"name": "一窗受理系统", "unit_ids": []int64{w.A.ID}}),
		http.StatusUnprocessableEntity, "invalid", "name")
	if n := w.App.Count(t, `SELECT count(*) FROM business_systems WHERE name = '一窗受理系统'`); n != 1 {
		t.Fatalf("%d systems after a repeat, want 1", n)
	}
	// Bad input: no name, no units, an unknown unit, a bad body.
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", base, map[string]any{"name": "", "unit_ids": []int64{}}),
		http.StatusUnprocessableEntity, "invalid", "name", "unit_ids")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", base, map[string]any{"name": "乙", "unit_ids": []int64{999999}}),
		http.StatusUnprocessableEntity, "invalid", "unit_ids")
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "POST", base, "application/json", `{"name":`), http.StatusUnprocessableEntity, "invalid")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", base, map[string]any{"name": 7}),
		http.StatusUnprocessableEntity, "invalid", "name")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "PATCH", path, map[string]any{}),
		http.StatusUnprocessableEntity, "invalid", "disabled")

	var list struct {
		Total int
		Items []systemReply
	}
	apptest.APIDo(t, w.Office, "GET", base, "", "").Decode(t, http.StatusOK, &list)
	if list.Total != 2 || len(list.Items) != 2 {
		t.Fatalf("list %+v", list)
	}

	// A token issued through the API is shown once and is taken by the
	// business API.
	var issued struct {
		ID        int64  `json:"id"`
		Token     string `json:"token"`
		TokenInfo struct {
			Hint string `json:"token_hint"`
		} `json:"token_info"`
	}
	apptest.APIJSON(t, w.Office, "POST", path+"/tokens", map[string]any{}).Decode(t, http.StatusCreated, &issued)
	if !strings.HasPrefix(issued.Token, "mb_") || issued.ID == 0 || issued.TokenInfo.Hint == "" {
		t.Fatalf("issued %+v", issued)
	}
	wantStatus(t, createRequest(t, w.App, issued.Token, requestBody("api-1", "BJ-API-1", w.termID)), http.StatusCreated)
	var got struct {
		System systemReply `json:"system"`
		Tokens []struct {
			ID         int64   `json:"id"`
			Hint       string  `json:"token_hint"`
			LastUsedAt *string `json:"last_used_at"`
			RevokedAt  *string `json:"revoked_at"`
		} `json:"tokens"`
	}
	apptest.APIDo(t, w.Office, "GET", path, "", "").Decode(t, http.StatusOK, &got)
	if got.System.ID != sys.ID || len(got.Tokens) != 1 || got.Tokens[0].ID != issued.ID || got.Tokens[0].LastUsedAt == nil ||
		strings.Contains(string(apptest.APIDo(t, w.Office, "GET", path, "", "").Body), issued.Token) {
		t.Fatalf("system %+v", got)
	}

	// Renamed and given unit B instead of A (twice: the second changes
	// nothing), its requests for A's terminal are refused and B's taken;
	// a name another system uses and an unknown unit are refused.
	for i := 0; i < 2; i++ {
		apptest.APIJSON(t, w.Office, "PATCH", path, map[string]any{"name": "一窗受理系统（新版）", "unit_ids": []int64{w.B.ID}}).
			Decode(t, http.StatusOK, &sys)
	}
	if sys.Name != "一窗受理系统（新版）" || len(sys.UnitIDs) != 1 || sys.UnitIDs[0] != w.B.ID || sys.DisabledAt != nil {
		t.Fatalf("updated %+v", sys)
	}
	apptest.WantAPIError(t, createRequest(t, w.App, issued.Token, requestBody("api-b1", "BJ-API-B1", w.termID)),
		http.StatusForbidden, "forbidden")
	forB := requestBody("api-b2", "BJ-API-B2", w.termBID)
	forB["item_code"] = "SX-B"
	wantStatus(t, createRequest(t, w.App, issued.Token, forB), http.StatusCreated)
	var firstName string
	for _, s := range list.Items {
		if s.ID != sys.ID {
			firstName = s.Name
		}
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "PATCH", path, map[string]any{"name": firstName}),
		http.StatusUnprocessableEntity, "invalid", "name")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "PATCH", path, map[string]any{"unit_ids": []int64{999999}}),
		http.StatusUnprocessableEntity, "invalid", "unit_ids")
	// Only the units sent change: the name stays.
	apptest.APIJSON(t, w.Office, "PATCH", path, map[string]any{"unit_ids": []int64{w.A.ID}}).Decode(t, http.StatusOK, &sys)
	if sys.Name != "一窗受理系统（新版）" || len(sys.UnitIDs) != 1 || sys.UnitIDs[0] != w.A.ID {
		t.Fatalf("units back to A %+v", sys)
	}

	// Disabled, its token is refused and no token is issued; enabled, the
	// token works again. Doing either twice is harmless.
	for i := 0; i < 2; i++ {
		apptest.APIJSON(t, w.Office, "PATCH", path, map[string]bool{"disabled": true}).Decode(t, http.StatusOK, &sys)
	}
	if sys.DisabledAt == nil {
		t.Fatalf("disabled %+v", sys)
	}
	apptest.WantAPIError(t, createRequest(t, w.App, issued.Token, requestBody("api-2", "BJ-API-2", w.termID)),
		http.StatusUnauthorized, "unauthorized")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", path+"/tokens", map[string]any{}), http.StatusUnprocessableEntity, "invalid")
	apptest.APIJSON(t, w.Office, "PATCH", path, map[string]bool{"disabled": false}).Decode(t, http.StatusOK, &sys)
	if sys.DisabledAt != nil {
		t.Fatalf("enabled %+v", sys)
	}
	wantStatus(t, createRequest(t, w.App, issued.Token, requestBody("api-3", "BJ-API-3", w.termID)), http.StatusCreated)

	// Revoked, the token is refused at once; revoking again is harmless.
	tokenPath := path + "/tokens/" + apptest.Itoa(issued.ID)
	var revoked struct {
		Token struct {
			RevokedAt *string `json:"revoked_at"`
		} `json:"token"`
	}
	for i := 0; i < 2; i++ {
		apptest.APIDo(t, w.Office, "DELETE", tokenPath, "", "").Decode(t, http.StatusOK, &revoked)
	}
	if revoked.Token.RevokedAt == nil {
		t.Fatalf("revoked %+v", revoked)
	}
	apptest.WantAPIError(t, createRequest(t, w.App, issued.Token, requestBody("api-4", "BJ-API-4", w.termID)),
		http.StatusUnauthorized, "unauthorized")
	// Another system's token is not this system's to revoke.
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "DELETE", base+"/"+apptest.Itoa(w.sysID)+"/tokens/"+apptest.Itoa(issued.ID), "", ""),
		http.StatusNotFound, "not_found")
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "GET", base+"/999999", "", ""), http.StatusNotFound, "not_found")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "PATCH", base+"/999999", map[string]bool{"disabled": true}),
		http.StatusNotFound, "not_found")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", base+"/999999/tokens", map[string]any{}), http.StatusNotFound, "not_found")

	// Every change is audited with the console's actions.
	if n := w.App.Count(t, `SELECT count(*) FROM audit_log WHERE entity = 'business_system' AND entity_id = '`+apptest.Itoa(sys.ID)+`'`); n != 7 {
		t.Errorf("%d audit entries, want 7 (create, issue, two updates, disable, enable, revoke)", n)
	}

	// A unit's user gets the office-only refusal on every route.
	for _, r := range []struct{ method, path string }{{"GET", base}, {"POST", base}, {"GET", path}, {"PATCH", path},
		{"POST", path + "/tokens"}, {"DELETE", tokenPath}} {
		res := apptest.APIJSON(t, w.UnitUser, r.method, r.path, map[string]any{"disabled": true, "name": "单位的系统", "unit_ids": []int64{w.A.ID}})
		apptest.WantAPIError(t, res, http.StatusForbidden, "forbidden")
		if !strings.Contains(string(res.Body), "只有绩效办工作人员可以进行此操作") {
			t.Errorf("%s %s: %s", r.method, r.path, res.Body)
		}
	}
	if n := w.App.Count(t, `SELECT count(*) FROM business_systems WHERE name = '单位的系统'`); n != 0 {
		t.Fatalf("a unit user added a system")
	}
}
