package schemes_test

import (
	"context"
	"strconv"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/schemes"
	"minyi/internal/testutil"
)

// TestStore checks scheme versions: append-only, consecutive under
// concurrency, idempotent on a repeated change, audited, and refused
// cleanly when invalid.
func TestStore(t *testing.T) {
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
	set := func(ch schemes.Change) (v schemes.Version, changed bool, err error) {
		err = db.Tx(ctx, pool, func(tx pgx.Tx) (err error) {
			v, changed, err = schemes.Set(ctx, tx, audit.System, cy.ID, ch)
			return err
		})
		return v, changed, err
	}
	if _, err := schemes.Find(ctx, pool, cy.ID, 0); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("Find before any scheme: %v", err)
	}
	v1, changed, err := set(schemes.Change{Preset: schemes.PresetJiangxi, Note: "按省办法"})
	if err != nil || !changed || v1.Version != 1 || v1.Name != "江西省省直机关绩效管理" || v1.Preset != "jiangxi" {
		t.Fatalf("first set: %+v %v %v", v1.Info, changed, err)
	}
	p, _ := schemes.FindPreset(schemes.PresetJiangxi)
	got, err := schemes.Find(ctx, pool, cy.ID, 1)
	if err != nil || got.Tree.Children[1].Children[2].Max != 50 || len(schemes.Leaves(got.Tree)) != len(schemes.Leaves(p.Tree)) {
		t.Errorf("stored tree: %+v, %v", got.Tree, err)
	}
	// The same change again stores nothing.
	again, changed, err := set(schemes.Change{Preset: schemes.PresetJiangxi, Note: "重复提交"})
	if err != nil || changed || again.Version != 1 {
		t.Errorf("repeated set: version %d changed %v %v", again.Version, changed, err)
	}
	// Concurrent different changes get consecutive versions.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			tree := p.Tree
			tree.Name = "方案" + strconv.Itoa(i)
			_, _, errs[i] = set(schemes.Change{Tree: &tree})
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	list, total, err := schemes.List(ctx, pool, cy.ID, 0, 0)
	if err != nil || total != 5 || len(list) != 5 || list[0].Version != 5 || list[4].Version != 1 || list[0].Preset != "" {
		t.Errorf("list: %d %+v %v", total, list, err)
	}
	// Invalid: nothing stored.
	bad := p.Tree
	bad.Children = append([]schemes.Node(nil), bad.Children...)
	bad.Children[1].Weight = 0.5
	_, _, err = set(schemes.Change{Tree: &bad})
	if e := apperr.From(err); e.Code != apperr.Invalid || e.Fields["tree.composite"] != "年度综合绩效成绩: 权重之和须为100%（现为110%）" {
		t.Errorf("invalid tree: %v %v", err, e.Fields)
	}
	uid := int64(999999)
	withUnit := p.Tree
	withUnit.Children = append([]schemes.Node(nil), withUnit.Children...)
	ev := withUnit.Children[1]
	ev.Children = append([]schemes.Node(nil), ev.Children...)
	ev.Children[0].Assessor = &schemes.Assessor{Name: "省领导", UnitID: &uid}
	withUnit.Children[1] = ev
	_, _, err = set(schemes.Change{Tree: &withUnit})
	if e := apperr.From(err); e.Code != apperr.Invalid || e.Fields["tree.provincial_leaders"] == "" {
		t.Errorf("unknown assessor unit: %v", err)
	}
	for _, ch := range []schemes.Change{{}, {Preset: "x"}, {Preset: "county", Tree: &p.Tree}} {
		if _, _, err := set(ch); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%+v: %v", ch, err)
		}
	}
	if _, _, err := func() (schemes.Version, bool, error) {
		var v schemes.Version
		err := db.Tx(ctx, pool, func(tx pgx.Tx) (err error) {
			v, _, err = schemes.Set(ctx, tx, audit.System, cy.ID+100, schemes.Change{Preset: "county"})
			return err
		})
		return v, false, err
	}(); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unknown cycle: %v", err)
	}
	if _, total, _ := schemes.List(ctx, pool, cy.ID, 0, 0); total != 5 {
		t.Errorf("refused changes stored versions: %d", total)
	}
	var audited int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'cycle.scheme' AND entity_id = $1`,
		strconv.FormatInt(cy.ID, 10)).Scan(&audited); err != nil || audited != 5 {
		t.Errorf("audited %d (%v), want 5", audited, err)
	}
	for _, q := range []string{
		`UPDATE cycle_schemes SET note = 'x' WHERE cycle_id = $1`,
		`DELETE FROM cycle_schemes WHERE cycle_id = $1`,
	} {
		if _, err := pool.Exec(ctx, q, cy.ID); err == nil {
			t.Errorf("%s succeeded", q)
		}
	}
	if _, err := schemes.Find(ctx, pool, cy.ID, 9); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unknown version: %v", err)
	}
}
