package demo_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"minyi/internal/assessment"
	"minyi/internal/results"
	"minyi/internal/units"
)

// TestSeedAbolishedUnit: the demo's 省口岸办 has a final result of last
// year's closed cycle, was abolished on 1 March of this year and merged
// into 省商务厅 (its predecessor link), is no unit of this year's cycle,
// and its old QR code points at the abolished unit.
func TestSeedAbolishedUnit(t *testing.T) {
	pool, _, _, _ := seeded(t, 2026, time.December, 4)
	ctx := context.Background()
	var id int64
	var code string
	if err := pool.QueryRow(ctx, `SELECT u.id, q.code FROM units u JOIN qr_codes q ON q.unit_id = u.id AND q.point_id IS NULL
		WHERE u.name = '省口岸办'`).Scan(&id, &code); err != nil {
		t.Fatal(err)
	}
	u, err := units.FindUnit(ctx, pool, id)
	if err != nil || u.AbolishedOn == nil || *u.AbolishedOn != "2026-03-01" {
		t.Fatalf("省口岸办 %+v: %v", u, err)
	}
	var last, this int64
	if err := pool.QueryRow(ctx, `SELECT id FROM assessment_cycles WHERE year = 2025`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT id FROM assessment_cycles WHERE year = 2026 AND main`).Scan(&this); err != nil {
		t.Fatal(err)
	}
	var grade string
	if err := pool.QueryRow(ctx, `SELECT r.grade FROM assessment_results r JOIN assessment_publications p ON p.id = r.publication_id
		WHERE r.cycle_id = $1 AND r.unit_id = $2 AND p.stage = 'final'`, last, id).Scan(&grade); err != nil || grade == "" {
		t.Errorf("last year's final result: %q %v", grade, err)
	}
	st, err := results.LoadStatus(ctx, pool, last)
	if err != nil || st.Final == nil {
		t.Errorf("last year's status %+v: %v", st, err)
	}
	scope, err := assessment.LoadScope(ctx, pool, this)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(scope.Units, func(x units.Unit) bool { return x.ID == id }) {
		t.Errorf("省口岸办 is a unit of this year's cycle")
	}
	succ, err := units.Successors(ctx, pool, id)
	if err != nil || len(succ) != 1 || succ[0].Name != "省商务厅" || succ[0].Code == "" {
		t.Errorf("successors %+v: %v", succ, err)
	}
	target, err := units.ResolveCode(ctx, pool, code)
	if err != nil || target.AbolishedOn == nil {
		t.Errorf("its QR code %+v: %v", target, err)
	}
}
