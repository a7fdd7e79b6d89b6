package demo_test

import (
	"context"
	"testing"
	"time"

	"minyi/internal/assessment"
	"minyi/internal/results"
)

// TestSeedClosesLastYear: the demo's previous year has gone through its
// whole end — final results published after the receipts (8 signed, 2
// delivered on paper, 2 never received), one answered application for
// review and a rank moved with its reason — and in January, before that
// end could have happened this year, the demo uses the year before.
func TestSeedClosesLastYear(t *testing.T) {
	for _, tc := range []struct {
		month     time.Month
		cycleYear int
	}{{time.December, 2025}, {time.January, 2024}} {
		pool, cfg, _, now := seeded(t, 2026, tc.month, 4)
		ctx := context.Background()
		var id int64
		var main bool
		if err := pool.QueryRow(ctx, `SELECT id, main FROM assessment_cycles WHERE year = $1`, tc.cycleYear).Scan(&id, &main); err != nil {
			t.Fatalf("%s: last year's cycle: %v", tc.month, err)
		}
		st, err := results.LoadStatus(ctx, pool, id)
		if err != nil || st.Preliminary == nil || st.Final == nil || !main {
			t.Fatalf("%s: status %+v main %v: %v", tc.month, st, main, err)
		}
		_, sum, err := results.ListReceipts(ctx, pool, cfg.Location, now, id, results.ReceiptFilter{})
		if err != nil || sum.Units != 12 || sum.Signed != 8 || sum.Delivered != 2 || sum.Unreceived != 2 || sum.Overdue != 2 {
			t.Fatalf("%s: receipts %+v: %v", tc.month, sum, err)
		}
		appeals, err := results.ListAppeals(ctx, pool, id, nil)
		if err != nil || len(appeals) != 1 || appeals[0].Status != "rejected" {
			t.Fatalf("%s: appeals %+v: %v", tc.month, appeals, err)
		}
		moves, err := assessment.ListRankAdjustments(ctx, pool, id, nil)
		if err != nil || len(moves) != 1 || moves[0].ToRank != 1 {
			t.Fatalf("%s: rank moves %+v: %v", tc.month, moves, err)
		}
	}
}
