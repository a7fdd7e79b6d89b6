package units_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/inspections"
	"minyi/internal/targets"
	"minyi/internal/testutil"
	"minyi/internal/units"
)

// TestCycleUnitsFollowAbolition: a unit abolished on 1 March 2026 stays a
// unit of the 2025 cycle (its period ended before) and of a cycle ending
// the day before, and is no unit of the 2026 cycle nor of one ending on
// the day itself: the cycle's scope, the inspection options and the
// units.CycleUnits rule agree; it gets no target sheet of the 2026 cycle
// nor a new service point or terminal; restoring puts it back.
func TestCycleUnitsFollowAbolition(t *testing.T) {
	pool := testutil.DB(t)
	ctx := context.Background()
	stay := createUnit(t, pool, units.UnitInput{Name: "省商务厅", Category: "经济发展类"})
	port := createUnit(t, pool, units.UnitInput{Name: "省口岸办", Category: "经济发展类"})
	if _, err := pool.Exec(ctx, `UPDATE units SET created_at = '2024-01-01 09:00+08'`); err != nil {
		t.Fatal(err)
	}
	cycle := func(name, start, end string) int64 {
		var id int64
		if err := pool.QueryRow(ctx, `INSERT INTO assessment_cycles (name, year, period_start, period_end, main)
			VALUES ($1, $2, $3, $4, false) RETURNING id`, name, 2025, start, end).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	y2025 := cycle("2025年度", "2025-01-01", "2025-12-31")
	dayBefore := cycle("一季度前", "2026-01-01", "2026-02-28")
	onTheDay := cycle("截至3月1日", "2026-01-01", "2026-03-01")
	y2026 := cycle("2026年度", "2026-01-01", "2026-12-31")
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 3, 10, 10, 0, 0, 0, loc)
	err := inTx(t, pool, func(tx pgx.Tx) error {
		_, err := units.Abolish(ctx, tx, actor, loc, now, port.ID, units.AbolishInput{On: "2026-03-01", Note: "并入省商务厅",
			SuccessorIDs: []int64{stay.ID}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	check := func(id int64, want bool) {
		t.Helper()
		list, err := units.CycleUnits(ctx, pool, id)
		if err != nil {
			t.Fatal(err)
		}
		in := slices.ContainsFunc(list, func(u units.Unit) bool { return u.ID == port.ID })
		scope, err := assessment.LoadScope(ctx, pool, id)
		if err != nil {
			t.Fatal(err)
		}
		inScope := slices.ContainsFunc(scope.Units, func(u units.Unit) bool { return u.ID == port.ID })
		opts, err := inspections.CycleUnits(ctx, pool, id)
		if err != nil {
			t.Fatal(err)
		}
		inOpts := slices.ContainsFunc(opts, func(u inspections.UnitRef) bool { return u.ID == port.ID })
		if in != want || inScope != want || inOpts != want || len(list) != len(scope.Units) {
			t.Errorf("cycle %d: in units %v, scope %v, inspections %v; want %v", id, in, inScope, inOpts, want)
		}
	}
	check(y2025, true)
	check(dayBefore, true)
	check(onTheDay, false)
	check(y2026, false)
	u, err := units.FindUnit(ctx, pool, port.ID)
	if err != nil || !u.AbolishedBy("2026-03-01") || u.AbolishedBy("2026-02-28") {
		t.Errorf("abolished %+v: %v", u, err)
	}
	// No new sheet of the 2026 cycle, service point or terminal for it.
	err = inTx(t, pool, func(tx pgx.Tx) error {
		_, _, err := targets.CreateSheet(ctx, tx, actor, y2026, port.ID, now)
		return err
	})
	if !apperr.Is(err, apperr.Conflict) {
		t.Errorf("sheet of the 2026 cycle: %v", err)
	}
	err = inTx(t, pool, func(tx pgx.Tx) error {
		_, err := units.CreatePoint(ctx, tx, actor, port.ID, units.PointInput{Name: "大厅", Kind: units.KindHall})
		return err
	})
	wantInvalid(t, err, "name")
	err = inTx(t, pool, func(tx pgx.Tx) error {
		_, _, err := units.CreateTerminal(ctx, tx, actor, port.ID, units.TerminalInput{Name: "评价器"})
		return err
	})
	wantInvalid(t, err, "name")
	if err := inTx(t, pool, func(tx pgx.Tx) error { _, err := units.Restore(ctx, tx, actor, port.ID); return err }); err != nil {
		t.Fatal(err)
	}
	check(y2026, true)
}
