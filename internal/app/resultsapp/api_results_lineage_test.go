package resultsapp_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"minyi/internal/results"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// publishFinal stores a final publication of the cycle with the grades
// given, by unit.
func publishFinal(t *testing.T, w *fixtures.APIWorld, cycleID int64, grades map[int64]string) {
	t.Helper()
	ctx := context.Background()
	var pub int64
	if err := w.App.Pool.QueryRow(ctx, `INSERT INTO assessment_publications (cycle_id, stage, published_at, settings_version, scheme_version)
		VALUES ($1, 'final', now(), 0, 1) RETURNING id`, cycleID).Scan(&pub); err != nil {
		t.Fatal(err)
	}
	for unit, grade := range grades {
		if _, err := w.App.Pool.Exec(ctx, `INSERT INTO assessment_results (publication_id, cycle_id, unit_id, category, grade, composite, rank, reason, breakdown)
			VALUES ($1, $2, $3, 'x', $4, 80, 1, '', jsonb_build_object('unit', jsonb_build_object('id', $3::bigint, 'name', 'u'), 'grade', $4::text))`,
			pub, cycleID, unit, grade); err != nil {
			t.Fatal(err)
		}
	}
}

// TestResultStreaksFollowMerger: A and B merge into M in 2026. M's
// three-year 合格 streak reads A's and B's grades of 2024 and 2025 from
// each year's main cycle; a special cycle of 2025 that graded A 优秀 is
// not read; the special cycle itself has no streaks.
func TestResultStreaksFollowMerger(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	m := w.CreateUnit(t, "市税务和政务服务局", "经济发展类")
	for _, p := range []int64{w.A.ID, w.B.ID} {
		apptest.APIJSON(t, w.Office, "POST", "/api/v1/units/"+apptest.Itoa(m.ID)+"/predecessors", map[string]any{"predecessor_id": p}).
			Decode(t, http.StatusCreated, nil)
	}
	c24 := w.CreateCycle(t, "2024年度", 2024, nil)
	c25 := w.CreateCycle(t, "2025年度", 2025, nil)
	special := w.CreateCycle(t, "2025年度专项考核", 2025, nil)
	c26 := w.CreateCycle(t, "2026年度", 2026, nil)
	if special.Main || !c25.Main {
		t.Fatalf("main: 2025 %v, special %v", c25.Main, special.Main)
	}
	publishFinal(t, w, c24.ID, map[int64]string{w.A.ID: "pass", w.B.ID: "pass"})
	publishFinal(t, w, c25.ID, map[int64]string{w.A.ID: "pass", w.B.ID: "pass"})
	publishFinal(t, w, special.ID, map[int64]string{w.A.ID: "excellent", w.B.ID: "pass"})
	publishFinal(t, w, c26.ID, map[int64]string{m.ID: "pass"})

	var uses struct{ Items []results.UnitUse }
	apptest.APIJSON(t, w.Office, "GET", "/api/v1/cycles/"+apptest.Itoa(c26.ID)+"/results/uses", nil).Decode(t, http.StatusOK, &uses)
	if len(uses.Items) != 1 || !uses.Items[0].ThreePass || uses.Items[0].ThreeExcellent {
		t.Fatalf("uses %+v", uses.Items)
	}
	want := []string{"2024年：合格（前身单位：市政务服务中心 合格、市税务局 合格）",
		"2025年：合格（前身单位：市政务服务中心 合格、市税务局 合格）", "2026年：合格"}
	if !slices.Equal(uses.Items[0].Years, want) {
		t.Errorf("years %q", uses.Items[0].Years)
	}
	if uses.Items[0].Report != results.ReportMissing {
		t.Errorf("report %q", uses.Items[0].Report)
	}
	// One unit's streak (the unit's to-do, its report) reads only its line.
	if owes, err := results.ThreePass(context.Background(), w.App.Pool, c26.ID, m.ID); err != nil || !owes {
		t.Errorf("ThreePass of the merged unit: %v %v", owes, err)
	}
	if owes, err := results.ThreePass(context.Background(), w.App.Pool, special.ID, w.B.ID); err != nil || owes {
		t.Errorf("ThreePass in a cycle that is not main: %v %v", owes, err)
	}

	apptest.APIJSON(t, w.Office, "GET", "/api/v1/cycles/"+apptest.Itoa(special.ID)+"/results/uses", nil).Decode(t, http.StatusOK, &uses)
	for _, u := range uses.Items {
		if u.ThreePass || u.ThreeExcellent || len(u.Years) != 0 {
			t.Errorf("special cycle has streaks: %+v", u)
		}
	}

	// Making the special cycle the main one of 2025 breaks M's streak: A
	// was 优秀 there.
	apptest.APIJSON(t, w.Office, "PUT", "/api/v1/cycles/"+apptest.Itoa(c25.ID)+"/main", map[string]any{"main": false}).Decode(t, http.StatusOK, nil)
	apptest.APIJSON(t, w.Office, "PUT", "/api/v1/cycles/"+apptest.Itoa(special.ID)+"/main", map[string]any{"main": true}).Decode(t, http.StatusOK, nil)
	apptest.APIJSON(t, w.Office, "GET", "/api/v1/cycles/"+apptest.Itoa(c26.ID)+"/results/uses", nil).Decode(t, http.StatusOK, &uses)
	if len(uses.Items) != 1 || uses.Items[0].ThreePass || uses.Items[0].Years[1] != "2025年：不计（前身单位：市政务服务中心 优秀、市税务局 合格）" {
		t.Errorf("after the main cycle moved: %+v", uses.Items)
	}
}
