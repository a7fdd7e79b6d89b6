package ratingsapp_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"unicode"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/units"
)

// TestAPIUnitLineage: the office names a unit's predecessors; a unit
// cannot be its own predecessor, the lineage has no cycles, a link is
// recorded once; bad input changes nothing; every change is audited.
func TestAPIUnitLineage(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	ctx := context.Background()
	merged := w.CreateUnit(t, "市税务和政务服务局", "经济发展类")
	path := "/api/v1/units/" + apptest.Itoa(merged.ID)
	for _, p := range []int64{w.A.ID, w.B.ID} {
		var l units.Link
		apptest.APIJSON(t, w.Office, "POST", path+"/predecessors", map[string]any{"predecessor_id": p, "note": " 2024年合并 "}).
			Decode(t, http.StatusCreated, &l)
		if l.UnitID != p || l.Note != "2024年合并" {
			t.Errorf("link %+v", l)
		}
	}
	var lin units.Lineage
	apptest.APIJSON(t, w.Office, "GET", path+"/lineage", nil).Decode(t, http.StatusOK, &lin)
	if len(lin.Predecessors) != 2 || len(lin.Successors) != 0 {
		t.Fatalf("lineage %+v", lin)
	}
	apptest.APIJSON(t, w.Office, "GET", "/api/v1/units/"+apptest.Itoa(w.A.ID)+"/lineage", nil).Decode(t, http.StatusOK, &lin)
	if len(lin.Successors) != 1 || lin.Successors[0].UnitID != merged.ID || lin.Successors[0].UnitName != "市税务和政务服务局" {
		t.Errorf("successors %+v", lin)
	}

	audits := func() int {
		var n int
		if err := w.App.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action LIKE 'unit.predecessor%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	links := func() int {
		var n int
		if err := w.App.Pool.QueryRow(ctx, `SELECT count(*) FROM unit_predecessors`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before, beforeLinks := audits(), links()
	if before != 2 {
		t.Errorf("audit rows %d", before)
	}
	bad := []struct {
		name   string
		unit   int64
		body   map[string]any
		status int
		code   string
		fields []string
	}{
		{"itself", merged.ID, map[string]any{"predecessor_id": merged.ID}, http.StatusUnprocessableEntity, "invalid", []string{"predecessor_id"}},
		{"a cycle: A's predecessor is its successor", w.A.ID, map[string]any{"predecessor_id": merged.ID}, http.StatusUnprocessableEntity, "invalid", []string{"predecessor_id"}},
		{"none chosen", merged.ID, map[string]any{}, http.StatusUnprocessableEntity, "invalid", []string{"predecessor_id"}},
		{"unknown predecessor", merged.ID, map[string]any{"predecessor_id": 999999}, http.StatusUnprocessableEntity, "invalid", []string{"predecessor_id"}},
		{"note too long", merged.ID, map[string]any{"predecessor_id": w.A.ID, "note": strings.Repeat("改", 201)}, http.StatusUnprocessableEntity, "invalid", []string{"note"}},
		{"twice", merged.ID, map[string]any{"predecessor_id": w.A.ID}, http.StatusConflict, "conflict", nil},
		{"unknown unit", 999999, map[string]any{"predecessor_id": w.A.ID}, http.StatusNotFound, "not_found", nil},
	}
	for _, c := range bad {
		r := apptest.APIJSON(t, w.Office, "POST", "/api/v1/units/"+apptest.Itoa(c.unit)+"/predecessors", c.body)
		apptest.WantAPIError(t, r, c.status, c.code, c.fields...)
		if !strings.ContainsFunc(string(r.Body), func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
			t.Errorf("%s: message not in Chinese: %s", c.name, r.Body)
		}
	}
	// A longer cycle: C continues merged, then merged may not continue C.
	c3 := w.CreateUnit(t, "市行政审批局", "经济发展类")
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/units/"+apptest.Itoa(c3.ID)+"/predecessors", map[string]any{"predecessor_id": merged.ID}).
		Decode(t, http.StatusCreated, nil)
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/units/"+apptest.Itoa(w.B.ID)+"/predecessors",
		map[string]any{"predecessor_id": c3.ID}), http.StatusUnprocessableEntity, "invalid", "predecessor_id")
	if audits() != before+1 || links() != beforeLinks+1 {
		t.Errorf("refused links changed something: audits %d links %d", audits(), links())
	}

	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", path+"/predecessors", map[string]any{"predecessor_id": w.B.ID}), http.StatusForbidden, "forbidden")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "DELETE", path+"/predecessors/"+apptest.Itoa(w.A.ID), nil), http.StatusForbidden, "forbidden")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "GET", path+"/lineage", nil), http.StatusForbidden, "forbidden")
	apptest.APIJSON(t, w.UnitUser, "GET", "/api/v1/units/"+apptest.Itoa(w.A.ID)+"/lineage", nil).Decode(t, http.StatusOK, &lin)

	apptest.APIJSON(t, w.Office, "DELETE", path+"/predecessors/"+apptest.Itoa(w.A.ID), nil).Decode(t, http.StatusOK, nil)
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "DELETE", path+"/predecessors/"+apptest.Itoa(w.A.ID), nil), http.StatusNotFound, "not_found")
	apptest.APIJSON(t, w.Office, "GET", path+"/lineage", nil).Decode(t, http.StatusOK, &lin)
	if len(lin.Predecessors) != 1 || lin.Predecessors[0].UnitID != w.B.ID || audits() != before+2 {
		t.Errorf("after removal %+v, audits %d", lin, audits())
	}
}
