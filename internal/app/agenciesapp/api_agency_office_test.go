package agenciesapp_test

import (
	"net/http"
	"testing"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

func TestAgencyOfficeAPI(t *testing.T) {
	w := fixtures.NewAgencyWorld(t)
	base := "/api/v1/agencies/" + apptest.Itoa(w.Agency)
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/surveys/"+apptest.Itoa(w.Survey)+"/agencies", map[string]string{"name": "甲调查公司"}),
		422, "invalid", "name")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/surveys/999999/agencies", map[string]string{"name": "丁"}), 404, "not_found")
	var list struct {
		Total int
		Items []struct {
			Name         string
			ActiveTokens int `json:"active_tokens"`
		}
	}
	apptest.APIDo(t, w.Office, "GET", "/api/v1/surveys/"+apptest.Itoa(w.Survey)+"/agencies", "", "").Decode(t, http.StatusOK, &list)
	if list.Total != 1 || list.Items[0].Name != "甲调查公司" || list.Items[0].ActiveTokens != 1 {
		t.Errorf("list %+v", list)
	}
	var q struct {
		Items []struct {
			GroupKey string `json:"group_key"`
			UnitID   int64  `json:"unit_id"`
			Target   int
		}
	}
	apptest.APIJSON(t, w.Office, "PUT", base+"/quotas", map[string]any{"items": []map[string]any{
		{"group_key": "npc_deputies", "target": 20}, {"group_key": "npc_deputies", "unit_id": w.B.ID, "target": 5},
	}}).Decode(t, http.StatusOK, &q)
	if len(q.Items) != 2 {
		t.Fatalf("quotas %+v", q)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "PUT", base+"/quotas", map[string]any{"items": []map[string]any{
		{"group_key": "nobody", "target": 1}, {"group_key": "experts", "target": -1}}}), 422, "invalid", "items[0].group_key", "items[1].target")
	postBatch(t, w, w.Token, goodRow("R1"), goodRow("R2")).Decode(t, http.StatusOK, nil)
	var p struct {
		Rows []struct {
			GroupKey string `json:"group_key"`
			UnitID   int64  `json:"unit_id"`
			Target   int
			Received int
			Percent  *int
		}
		Total struct{ Target, Received int }
	}
	apptest.APIDo(t, w.Office, "GET", base+"/progress", "", "").Decode(t, http.StatusOK, &p)
	if p.Total.Target != 25 || p.Total.Received != 2 || len(p.Rows) != 2 {
		t.Errorf("progress %+v", p)
	}
	for _, r := range p.Rows {
		if r.UnitID == w.A.ID && (r.Received != 2 || r.Target != 20 || *r.Percent != 10) {
			t.Errorf("row %+v", r)
		}
	}
	var ups struct{ Total int }
	apptest.APIDo(t, w.Office, "GET", base+"/uploads", "", "").Decode(t, http.StatusOK, &ups)
	if ups.Total != 1 {
		t.Errorf("uploads %+v", ups)
	}
	var a struct{ Name, Contact string }
	apptest.APIJSON(t, w.Office, "PATCH", base, map[string]any{"contact": "王五 010-1234"}).Decode(t, http.StatusOK, &a)
	if a.Name != "甲调查公司" || a.Contact != "王五 010-1234" {
		t.Errorf("patched %+v", a)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM audit_log WHERE action IN ('agency.create','agency_token.issue','agency.quotas','agency.update')`); n != 4 {
		t.Errorf("%d audit entries", n)
	}
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "GET", "/api/v1/agencies/999999", "", ""), 404, "not_found")
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "DELETE", base+"/tokens/999999", "", ""), 404, "not_found")
}

// An agency token is rate limited per token (RATE_AGENCY): the third
// request in the minute gets 429 with Retry-After, and another agency's
// token is not affected.
func TestAgencyAPIRateLimit(t *testing.T) {
	clock := apptest.NewClock(fixtures.AgencyNow)
	w := &fixtures.AgencyWorld{APIWorld: fixtures.NewAPIWorld(t, apptest.Options{Now: clock.Now, Env: map[string]string{"RATE_AGENCY": "2-M"}}), Clock: clock}
	w.Survey = w.InsertSurvey(t, "2025年度满意度调查", "open")
	w.Agency = w.CreateAgency(t, w.Survey, "甲调查公司")
	w.Token = w.IssueToken(t, w.Agency)
	w.AgencyCl = w.App.Client()
	other := w.IssueToken(t, w.CreateAgency(t, w.Survey, "乙调查公司"))
	for i := 0; i < 2; i++ {
		apptest.APIJSON(t, w.AgencyCl, "GET", "/api/v1/agency", nil, "Authorization", "Bearer "+w.Token).Decode(t, http.StatusOK, nil)
	}
	res := apptest.APIJSON(t, w.AgencyCl, "GET", "/api/v1/agency/progress", nil, "Authorization", "Bearer "+w.Token)
	if res.Status != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("third request: %d %s", res.Status, res.Body)
	}
	apptest.APIJSON(t, w.AgencyCl, "GET", "/api/v1/agency", nil, "Authorization", "Bearer "+other).Decode(t, http.StatusOK, nil)
}
