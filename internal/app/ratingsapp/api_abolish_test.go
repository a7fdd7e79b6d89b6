package ratingsapp_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/units"
)

// abolishWorld is an API world whose units were registered on 1 January
// 2025, with today's local date.
func abolishWorld(t *testing.T) (*fixtures.APIWorld, string) {
	t.Helper()
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	if _, err := w.App.Pool.Exec(context.Background(), `UPDATE units SET created_at = '2025-01-01 09:00+08'`); err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	return w, time.Now().In(loc).Format(time.DateOnly)
}

func hasHan(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) })
}

// TestAPIAbolishUnit: the office abolishes a unit on a day with a note and
// its successor (a predecessor link seen from the other side); bad input,
// a second abolition, a successor itself abolished are refused in Chinese
// and change nothing; restoring is refused while a cycle the abolition
// took the unit out of has published results, and allowed otherwise;
// every change is audited.
func TestAPIAbolishUnit(t *testing.T) {
	w, today := abolishWorld(t)
	ctx := context.Background()
	port := w.CreateUnit(t, "市口岸办", "经济发展类")
	gone := w.CreateUnit(t, "市粮食局", "经济发展类")
	if _, err := w.App.Pool.Exec(ctx, `UPDATE units SET created_at = '2025-01-01 09:00+08' WHERE id = ANY($1)`,
		[]int64{port.ID, gone.ID}); err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/units/" + apptest.Itoa(port.ID)
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/units/"+apptest.Itoa(gone.ID)+"/abolish",
		map[string]any{"abolished_on": "2025-06-30", "note": "2025年撤销"}).Decode(t, http.StatusOK, nil)

	count := func(sql string) int {
		var n int
		if err := w.App.Pool.QueryRow(ctx, sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	audits := func() int { return count(`SELECT count(*) FROM audit_log WHERE action LIKE 'unit.%'`) }
	before := audits()
	ahead := time.Now().AddDate(1, 0, 10).Format(time.DateOnly)
	bad := []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"no day", map[string]any{"note": "撤销"}, []string{"abolished_on"}},
		{"bad day", map[string]any{"abolished_on": "2026-02-30", "note": "撤销"}, []string{"abolished_on"}},
		{"more than a year ahead", map[string]any{"abolished_on": ahead, "note": "撤销"}, []string{"abolished_on"}},
		{"before it was registered", map[string]any{"abolished_on": "2024-12-31", "note": "撤销"}, []string{"abolished_on"}},
		{"no note", map[string]any{"abolished_on": today}, []string{"note"}},
		{"note too long", map[string]any{"abolished_on": today, "note": strings.Repeat("撤", 201)}, []string{"note"}},
		{"itself as successor", map[string]any{"abolished_on": today, "note": "撤销", "successor_ids": []int64{port.ID}}, []string{"successor_ids"}},
		{"unknown successor", map[string]any{"abolished_on": today, "note": "撤销", "successor_ids": []int64{999999}}, []string{"successor_ids"}},
		{"abolished successor", map[string]any{"abolished_on": today, "note": "撤销", "successor_ids": []int64{gone.ID}}, []string{"successor_ids"}},
	}
	for _, c := range bad {
		r := apptest.APIJSON(t, w.Office, "POST", path+"/abolish", c.body)
		apptest.WantAPIError(t, r, http.StatusUnprocessableEntity, "invalid", c.fields...)
		if !hasHan(string(r.Body)) {
			t.Errorf("%s: message not in Chinese: %s", c.name, r.Body)
		}
	}
	if audits() != before || count(`SELECT count(*) FROM units WHERE abolished_on IS NOT NULL`) != 1 {
		t.Fatalf("refused abolitions changed something")
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", path+"/abolish",
		map[string]any{"abolished_on": today, "note": "撤销"}), http.StatusForbidden, "forbidden")

	var u units.Unit
	apptest.APIJSON(t, w.Office, "POST", path+"/abolish", map[string]any{"abolished_on": "2026-03-01",
		"note": " 2026年机构改革，并入市税务局 ", "successor_ids": []int64{w.B.ID}}).Decode(t, http.StatusOK, &u)
	if u.AbolishedOn == nil || *u.AbolishedOn != "2026-03-01" || u.AbolitionNote != "2026年机构改革，并入市税务局" {
		t.Fatalf("abolished %+v", u)
	}
	var lin units.Lineage
	apptest.APIJSON(t, w.Office, "GET", "/api/v1/units/"+apptest.Itoa(w.B.ID)+"/lineage", nil).Decode(t, http.StatusOK, &lin)
	if len(lin.Predecessors) != 1 || lin.Predecessors[0].UnitID != port.ID {
		t.Errorf("successor's lineage %+v", lin)
	}
	if n := count(`SELECT count(*) FROM audit_log WHERE action IN ('unit.abolish', 'unit.predecessor_add')`); n != 3 {
		t.Errorf("audit rows %d, want the two abolitions and the link", n)
	}
	r := apptest.APIJSON(t, w.Office, "POST", path+"/abolish", map[string]any{"abolished_on": today, "note": "再次撤销"})
	apptest.WantAPIError(t, r, http.StatusConflict, "conflict")
	if !hasHan(string(r.Body)) {
		t.Errorf("twice: %s", r.Body)
	}

	// A cycle ending after the day, with published results: restoring
	// would put the unit back into it.
	var cycle int64
	if err := w.App.Pool.QueryRow(ctx, `INSERT INTO assessment_cycles (name, year, period_start, period_end, main)
		VALUES ('2026年度', 2026, '2026-01-01', '2026-12-31', true) RETURNING id`).Scan(&cycle); err != nil {
		t.Fatal(err)
	}
	var pub int64
	if err := w.App.Pool.QueryRow(ctx, `INSERT INTO assessment_publications (cycle_id, stage, published_at, settings_version, scheme_version)
		VALUES ($1, 'final', now(), 1, 1) RETURNING id`, cycle).Scan(&pub); err != nil {
		t.Fatal(err)
	}
	r = apptest.APIJSON(t, w.Office, "POST", path+"/restore", nil)
	apptest.WantAPIError(t, r, http.StatusConflict, "conflict")
	if !strings.Contains(string(r.Body), "2026年度") {
		t.Errorf("restore refusal does not name the cycle: %s", r.Body)
	}
	if _, err := w.App.Pool.Exec(ctx, `DELETE FROM assessment_publications WHERE id = $1`, pub); err != nil {
		t.Fatal(err)
	}
	apptest.APIJSON(t, w.Office, "POST", path+"/restore", nil).Decode(t, http.StatusOK, &u)
	if u.AbolishedOn != nil || u.AbolitionNote != "" {
		t.Errorf("restored %+v", u)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", path+"/restore", nil), http.StatusConflict, "conflict")
	if n := count(`SELECT count(*) FROM audit_log WHERE action = 'unit.restore'`); n != 1 {
		t.Errorf("restore audits %d", n)
	}

	// A unit with results of a cycle may not be abolished before that
	// cycle ends: the results would name a unit the cycle no longer has.
	if err := w.App.Pool.QueryRow(ctx, `INSERT INTO assessment_publications (cycle_id, stage, published_at, settings_version, scheme_version)
		VALUES ($1, 'final', now(), 1, 1) RETURNING id`, cycle).Scan(&pub); err != nil {
		t.Fatal(err)
	}
	if _, err := w.App.Pool.Exec(ctx, `INSERT INTO assessment_results (publication_id, cycle_id, unit_id, category, grade, composite, rank, reason, breakdown)
		VALUES ($1, $2, $3, '经济发展类', 'good', 90, 1, '演示', '{}')`, pub, cycle, port.ID); err != nil {
		t.Fatal(err)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", path+"/abolish",
		map[string]any{"abolished_on": "2026-03-01", "note": "撤销"}), http.StatusUnprocessableEntity, "invalid", "abolished_on")
	var raw map[string]any
	apptest.APIJSON(t, w.Office, "GET", path, nil).Decode(t, http.StatusOK, &raw)
	if b, _ := json.Marshal(raw); !strings.Contains(string(b), `"abolished_on":null`) {
		t.Errorf("unit after refusal %s", b)
	}
}
