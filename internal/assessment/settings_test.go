package assessment_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/audit"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/testutil"
)

func TestSettingsVersions(t *testing.T) {
	ctx := context.Background()
	pool := testutil.DB(t)
	var cy cycles.Cycle
	if err := db.Tx(ctx, pool, func(tx pgx.Tx) error {
		var err error
		cy, err = cycles.CreateCycle(ctx, tx, audit.System, cycles.CycleInput{Name: "2026年度", Year: 2026,
			PeriodStart: "2026-01-01", PeriodEnd: "2026-12-31"}, cycles.DefaultConfig([]float64{100, 80, 60, 30, 0}))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	got, err := assessment.LoadSettings(ctx, pool, cy.ID)
	if err != nil || got.Version != 0 || got.Settings.ExcellentShare != 0.40 || got.Settings.AppealDays != 5 {
		t.Fatalf("defaults: %+v %v", got, err)
	}
	save := func(s assessment.Settings) (assessment.SettingsVersion, error) {
		var v assessment.SettingsVersion
		err := db.Tx(ctx, pool, func(tx pgx.Tx) error {
			var err error
			v, err = assessment.SaveSettings(ctx, tx, audit.System, cy.ID, s, "")
			return err
		})
		return v, err
	}
	s := assessment.DefaultSettings()
	s.PassMin = 75
	if v, err := save(s); err != nil || v.Version != 1 {
		t.Fatalf("first save: %+v %v", v, err)
	}
	if v, err := save(s); err != nil || v.Version != 1 {
		t.Fatalf("same settings again: %+v %v", v, err)
	}
	s.ExcellentShare, s.GoodShare = 0.6, 0.5
	if _, err := save(s); !apperr.Is(err, apperr.Invalid) || apperr.From(err).Fields["good_share"] == "" {
		t.Fatalf("shares over 100%%: %v", err)
	}
	got, err = assessment.LoadSettings(ctx, pool, cy.ID)
	if err != nil || got.Version != 1 || got.Settings.PassMin != 75 {
		t.Fatalf("stored: %+v %v", got, err)
	}
	if _, err := pool.Exec(ctx, `UPDATE assessment_settings SET note = 'x'`); err == nil {
		t.Error("a settings version could be updated")
	}
}
