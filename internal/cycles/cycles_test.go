package cycles_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/testutil"
)

// TestVersionsAreAppendOnly checks that the database itself refuses to
// change or delete a stored configuration version.
func TestVersionsAreAppendOnly(t *testing.T) {
	ctx := context.Background()
	pool := testutil.DB(t)
	var cy cycles.Cycle
	err := db.Tx(ctx, pool, func(tx pgx.Tx) (err error) {
		in := cycles.CycleInput{Name: "2025年度", Year: 2025, PeriodStart: "2025-01-01", PeriodEnd: "2025-12-31"}
		cy, err = cycles.CreateCycle(ctx, tx, audit.System, in, cycles.DefaultConfig([]float64{100, 80, 60, 30, 0}))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if cy.ConfigVersion != 1 {
		t.Fatalf("new cycle at version %d", cy.ConfigVersion)
	}
	for _, q := range []string{
		`UPDATE cycle_config_versions SET note = 'x' WHERE cycle_id = $1`,
		`DELETE FROM cycle_config_versions WHERE cycle_id = $1`,
	} {
		if _, err := pool.Exec(ctx, q, cy.ID); err == nil {
			t.Errorf("%s succeeded", q)
		}
	}
	v, err := cycles.FindConfigVersion(ctx, pool, cy.ID, 1)
	if err != nil || v.Note != "" || v.CreatedBy != nil {
		t.Errorf("version 1 after refused changes: %+v, %v", v, err)
	}
	if _, err := cycles.FindCycle(ctx, pool, cy.ID+1); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("FindCycle of an unknown id: %v, want not_found", err)
	}
	err = db.Tx(ctx, pool, func(tx pgx.Tx) error {
		_, err := cycles.SetConfig(ctx, tx, audit.System, cy.ID+1, cy.Config, "")
		return err
	})
	if !apperr.Is(err, apperr.NotFound) {
		t.Errorf("SetConfig of an unknown id: %v, want not_found", err)
	}
}
