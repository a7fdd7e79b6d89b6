package cyclesapp_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"minyi/internal/schemes"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// apiSchemeReply is a scheme version as the API returns it.
type apiSchemeReply struct {
	CycleID   int64        `json:"cycle_id"`
	Version   int          `json:"version"`
	Name      string       `json:"name"`
	Preset    string       `json:"preset"`
	CreatedBy *string      `json:"created_by"`
	Note      string       `json:"note"`
	Tree      schemes.Node `json:"tree"`
}

// TestAPISchemes covers presets, saving a cycle's scheme (preset or tree,
// versions, retries, refusals with node paths), reading it and the
// stateless computation.
func TestAPISchemes(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	cy := w.CreateCycle(t, "2025年度", 2025, nil)
	base := "/api/v1/cycles/" + apptest.Itoa(cy.ID) + "/scheme"

	var presets struct{ Items []schemes.Preset }
	apptest.APIJSON(t, w.UnitUser, "GET", "/api/v1/schemes/presets", nil).Decode(t, http.StatusOK, &presets)
	if len(presets.Items) != 3 || presets.Items[0].Key != "jiangxi" || presets.Items[1].Tree.Max != 100 ||
		len(schemes.Leaves(presets.Items[1].Tree)) != 14 {
		t.Errorf("presets: %+v", presets.Items)
	}

	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "GET", base, nil), http.StatusNotFound, "not_found")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "GET", "/api/v1/cycles/999999/scheme", nil), http.StatusNotFound, "not_found")

	// Saving: office only; a preset, then a tree; a retry makes no version.
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "PUT", base, map[string]any{"preset": "jiangxi"}), http.StatusForbidden, "forbidden")
	var v1 apiSchemeReply
	apptest.APIJSON(t, w.Office, "PUT", base, map[string]any{"preset": "jiangxi", "note": "按省办法"}).Decode(t, http.StatusCreated, &v1)
	if v1.Version != 1 || v1.Preset != "jiangxi" || v1.Name != "江西省省直机关绩效管理" || v1.CreatedBy == nil || *v1.CreatedBy != "office1" ||
		v1.Tree.Children[1].Children[2].Kind != "prorated" {
		t.Errorf("v1: %+v", v1)
	}
	var again apiSchemeReply
	apptest.APIJSON(t, w.Office, "PUT", base, map[string]any{"preset": "jiangxi"}).Decode(t, http.StatusOK, &again)
	if again.Version != 1 {
		t.Errorf("retry made version %d", again.Version)
	}
	county := presets.Items[2].Tree
	var v2 apiSchemeReply
	apptest.APIJSON(t, w.Office, "PUT", base, map[string]any{"tree": county, "name": "县直部门方案", "note": "改用县方案"}).
		Decode(t, http.StatusCreated, &v2)
	if v2.Version != 2 || v2.Preset != "" || v2.Name != "县直部门方案" || v2.Note != "改用县方案" {
		t.Errorf("v2: %+v", v2)
	}

	// Refusals name the node path; nothing is stored.
	bad := county
	bad.Children = append([]schemes.Node(nil), county.Children...)
	bad.Children[0].Weight = 0.7
	bad.Children[2].Key = "public"
	r := apptest.APIJSON(t, w.Office, "PUT", base, map[string]any{"tree": bad})
	apptest.WantAPIError(t, r, http.StatusUnprocessableEntity, "invalid", "tree.composite", "tree.public")
	var e struct {
		Error struct {
			Message string
			Fields  map[string]string
		}
	}
	_ = json.Unmarshal(r.Body, &e)
	if e.Error.Fields["tree.composite"] != "绩效评估总分: 权重之和须为100%（现为90%）" ||
		e.Error.Message != "考核方案有误：绩效评估总分: 权重之和须为100%（现为90%）（共2处问题）" {
		t.Errorf("refusal: %s", r.Body)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "PUT", base, map[string]any{}), http.StatusUnprocessableEntity, "invalid", "preset")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "PUT", base, map[string]any{"preset": "shanghai"}), http.StatusUnprocessableEntity, "invalid", "preset")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "PUT", "/api/v1/cycles/999999/scheme", map[string]any{"preset": "county"}),
		http.StatusNotFound, "not_found")

	// Reading: newest, a version, the list.
	var got apiSchemeReply
	apptest.APIJSON(t, w.UnitUser, "GET", base, nil).Decode(t, http.StatusOK, &got)
	if got.Version != 2 || got.Tree.Children[0].Weight != 0.8 {
		t.Errorf("newest: %+v", got)
	}
	apptest.APIJSON(t, w.Office, "GET", base+"?version=1", nil).Decode(t, http.StatusOK, &got)
	if got.Version != 1 || got.Preset != "jiangxi" {
		t.Errorf("version 1: %+v", got)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "GET", base+"?version=3", nil), http.StatusNotFound, "not_found")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "GET", base+"?version=x", nil), http.StatusNotFound, "not_found")
	var list struct {
		Total int
		Items []apiSchemeReply
	}
	apptest.APIJSON(t, w.Office, "GET", base+"/versions", nil).Decode(t, http.StatusOK, &list)
	if list.Total != 2 || len(list.Items) != 2 || list.Items[0].Version != 2 || list.Items[1].Note != "按省办法" {
		t.Errorf("versions: %+v", list)
	}

	// Stateless computation: the Jiangxi pro-rated worked example.
	var res schemes.Result
	apptest.APIJSON(t, w.UnitUser, "POST", "/api/v1/schemes/compute", map[string]any{"preset": "jiangxi", "inputs": map[string]any{
		"key_work": 70, "lead_assessment": 16, "process": 91, "provincial_leaders": 90, "public": 90.125,
		"leadership": "na", "party_building": 8, "public_security": 9, "energy_saving": "na", "budget_performance": 4,
	}}).Decode(t, http.StatusOK, &res)
	if res.Composite == nil || *res.Composite != 87.62 || !res.Complete {
		t.Errorf("compute: %+v", res)
	}
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/schemes/compute", map[string]any{"tree": county,
		"inputs": map[string]any{"indicators": 85.5}}).Decode(t, http.StatusOK, &res)
	if res.Composite != nil || res.Complete || len(res.Missing) != 2 || res.Missing[0].Key != "public" {
		t.Errorf("compute with missing leaves: %+v", res)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/schemes/compute", map[string]any{"preset": "county",
		"inputs": map[string]any{"indicators": 120}}), http.StatusUnprocessableEntity, "invalid", "inputs.indicators")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/schemes/compute", map[string]any{"preset": "county",
		"inputs": map[string]any{"indicators": "x"}}), http.StatusUnprocessableEntity, "invalid", "inputs.indicators")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/schemes/compute", map[string]any{"tree": bad}),
		http.StatusUnprocessableEntity, "invalid", "tree.composite", "tree.public")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Anon, "POST", "/api/v1/schemes/compute", map[string]any{"preset": "county"}),
		http.StatusUnauthorized, "unauthorized")
}
