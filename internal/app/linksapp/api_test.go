package linksapp_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"minyi/internal/links"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// integrationReply is an integration as the office's API answers it.
type integrationReply struct {
	ID      int64    `json:"id"`
	Name    string   `json:"name"`
	PF      int      `json:"pf"`
	Origins []string `json:"origins"`
	Enabled bool     `json:"enabled"`
}

// keyReply is the answer to making a key.
type keyReply struct {
	KeyID   string `json:"key_id"`
	Secret  string `json:"secret"`
	Example string `json:"example"`
}

// The office adds an integration through the API, makes keys whose
// signed links /l takes, rotates and revokes them and disables the
// integration, each as the console would; a unit's user may do none of it.
func TestOfficeRatingLinksAPI(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	if _, err := w.App.Pool.Exec(context.Background(), `INSERT INTO service_items (unit_id, code, name, online)
		VALUES ($1, 'SX-1', '企业设立登记', true)`, w.A.ID); err != nil {
		t.Fatal(err)
	}
	const base = "/api/v1/rating-links"

	var it integrationReply
	apptest.APIJSON(t, w.Office, "POST", base, map[string]any{"name": "皖事通", "pf": 2,
		"origins": []string{"https://app.example.gov.cn/", "https://app.example.gov.cn"}}).Decode(t, http.StatusCreated, &it)
	if it.ID == 0 || it.Name != "皖事通" || it.PF != 2 || !it.Enabled || len(it.Origins) != 1 || it.Origins[0] != "https://app.example.gov.cn" {
		t.Fatalf("created %+v", it)
	}
	path := base + "/" + apptest.Itoa(it.ID)
	// Sending the same integration again adds nothing.
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", base, map[string]any{"name": "皖事通", "pf": 2}),
		http.StatusUnprocessableEntity, "invalid", "name")
	if n := w.App.Count(t, `SELECT count(*) FROM rating_link_integrations`); n != 1 {
		t.Fatalf("%d integrations after a repeat, want 1", n)
	}
	// Bad input: no name, no channel, an origin with CSP syntax, a bad body.
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", base, map[string]any{"name": "",
		"origins": []string{"https://bad.example.gov.cn/path; script-src *"}}), http.StatusUnprocessableEntity, "invalid", "name", "pf", "origins")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", base, map[string]any{"name": "省网", "pf": 1, "origins": "https://a.example.gov.cn"}),
		http.StatusUnprocessableEntity, "invalid", "origins")
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "POST", base, "application/json", `{"name":`), http.StatusUnprocessableEntity, "invalid")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "PATCH", path, map[string]any{"pf": 3}), http.StatusUnprocessableEntity, "invalid", "pf")

	var list struct {
		Total int
		Items []integrationReply
	}
	apptest.APIDo(t, w.Office, "GET", base, "", "").Decode(t, http.StatusOK, &list)
	if list.Total != 1 || list.Items[0].ID != it.ID {
		t.Fatalf("list %+v", list)
	}

	// A key made through the API signs links /l takes; its secret is shown
	// this once.
	var k1 keyReply
	apptest.APIJSON(t, w.Office, "POST", path+"/keys", map[string]any{}).Decode(t, http.StatusCreated, &k1)
	if !strings.HasPrefix(k1.KeyID, "lk") || len(k1.Secret) != 43 || !strings.Contains(k1.Example, "kid="+k1.KeyID) {
		t.Fatalf("key %+v", k1)
	}
	link := func(kid, secret string) string {
		return links.Link{Unit: apptest.Itoa(w.A.ID), Case: "SL-API-1", Item: "SX-1", Stage: "3",
			Expires: time.Now().Add(time.Hour), KeyID: kid}.URL("", secret)
	}
	open := func(l string) int { return apptest.DoPage(t, w.Anon, "GET", l, nil).Status }
	if s := open(link(k1.KeyID, k1.Secret)); s != http.StatusOK {
		t.Fatalf("link of the new key: %d", s)
	}
	var got struct {
		Integration integrationReply `json:"integration"`
		Keys        []struct {
			KeyID     string  `json:"key_id"`
			RevokedAt *string `json:"revoked_at"`
		} `json:"keys"`
	}
	res := apptest.APIDo(t, w.Office, "GET", path, "", "")
	res.Decode(t, http.StatusOK, &got)
	if got.Integration.ID != it.ID || len(got.Keys) != 1 || got.Keys[0].KeyID != k1.KeyID || strings.Contains(string(res.Body), k1.Secret) {
		t.Fatalf("integration %s", res.Body)
	}

	// Rotation: a second key, both live; revoking the first refuses its
	// links at once and the second goes on. Revoking again is harmless.
	var k2 keyReply
	apptest.APIJSON(t, w.Office, "POST", path+"/keys", map[string]any{}).Decode(t, http.StatusCreated, &k2)
	var revoked struct {
		Key struct {
			KeyID     string  `json:"key_id"`
			RevokedAt *string `json:"revoked_at"`
		} `json:"key"`
	}
	for i := 0; i < 2; i++ {
		apptest.APIDo(t, w.Office, "DELETE", path+"/keys/"+k1.KeyID, "", "").Decode(t, http.StatusOK, &revoked)
	}
	if revoked.Key.KeyID != k1.KeyID || revoked.Key.RevokedAt == nil {
		t.Fatalf("revoked %+v", revoked)
	}
	if s := open(link(k1.KeyID, k1.Secret)); s != http.StatusForbidden {
		t.Errorf("link of the revoked key: %d", s)
	}
	if s := open(link(k2.KeyID, k2.Secret)); s != http.StatusOK {
		t.Errorf("link of the live key: %d", s)
	}
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "DELETE", path+"/keys/lknothere", "", ""), http.StatusNotFound, "not_found")
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "DELETE", base+"/999999/keys/"+k2.KeyID, "", ""), http.StatusNotFound, "not_found")

	// A patch changes the fields sent and keeps the others; disabled, the
	// integration's links are refused.
	apptest.APIJSON(t, w.Office, "PATCH", path, map[string]any{"enabled": false}).Decode(t, http.StatusOK, &it)
	if it.Enabled || it.Name != "皖事通" || it.PF != 2 || len(it.Origins) != 1 {
		t.Fatalf("disabled %+v", it)
	}
	if p := apptest.DoPage(t, w.Anon, "GET", link(k2.KeyID, k2.Secret), nil); p.Status != http.StatusForbidden || !strings.Contains(p.Body, "评价渠道已停用") {
		t.Errorf("link of a disabled integration: %d", p.Status)
	}
	apptest.APIJSON(t, w.Office, "PATCH", path, map[string]any{"enabled": true, "origins": []string{}}).Decode(t, http.StatusOK, &it)
	if !it.Enabled || len(it.Origins) != 0 {
		t.Fatalf("enabled %+v", it)
	}
	if s := open(link(k2.KeyID, k2.Secret)); s != http.StatusOK {
		t.Errorf("link after enabling: %d", s)
	}
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "GET", base+"/999999", "", ""), http.StatusNotFound, "not_found")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", base+"/999999/keys", map[string]any{}), http.StatusNotFound, "not_found")

	// Every change is audited with the console's actions, never with a secret.
	var n, secrets int
	if err := w.App.Pool.QueryRow(context.Background(), `SELECT count(*), count(*) FILTER (WHERE after::text LIKE '%' || $1 || '%'
		OR after::text LIKE '%' || $2 || '%') FROM audit_log WHERE entity = 'link_integration'`, k1.Secret, k2.Secret).Scan(&n, &secrets); err != nil ||
		n != 6 || secrets != 0 {
		t.Errorf("audit entries %d (want 6: create, 2 keys, revoke, 2 updates), with a secret %d (%v)", n, secrets, err)
	}

	// A unit's user gets the office-only refusal on every route.
	for _, r := range []struct{ method, path string }{{"GET", base}, {"POST", base}, {"GET", path}, {"PATCH", path},
		{"POST", path + "/keys"}, {"DELETE", path + "/keys/" + k2.KeyID}} {
		res := apptest.APIJSON(t, w.UnitUser, r.method, r.path, map[string]any{"name": "单位的渠道", "pf": 1, "enabled": false})
		apptest.WantAPIError(t, res, http.StatusForbidden, "forbidden")
		if !strings.Contains(string(res.Body), "只有绩效办工作人员可以进行此操作") {
			t.Errorf("%s %s: %s", r.method, r.path, res.Body)
		}
	}
	if s := open(link(k2.KeyID, k2.Secret)); s != http.StatusOK {
		t.Errorf("the unit user's requests changed the integration: %d", s)
	}
}
