package assessors_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessors"
	"minyi/internal/audit"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/schemes"
	"minyi/internal/testutil"
	"minyi/internal/units"
)

// With a scheme per kind of unit, an assessor assesses the units of the
// schemes that name it on a leaf, not every unit: 县财政局 scores the
// towns' 经济发展 and 县教育局 the departments' 服务发展.
func TestAssessorScopeFollowsEachUnitsScheme(t *testing.T) {
	ctx := context.Background()
	pool := testutil.DB(t)
	var cycle, jia, yi, fin, edu, outside int64
	known := []string{"乡镇", "县直部门", "党政综合类"}
	err := db.Tx(ctx, pool, func(tx pgx.Tx) error {
		cy, err := cycles.CreateCycle(ctx, tx, audit.System, cycles.CycleInput{Name: "2026年度县考核", Year: 2026,
			PeriodStart: "2026-01-01", PeriodEnd: "2026-12-31"}, cycles.DefaultConfig([]float64{100, 80, 60, 30, 0}))
		if err != nil {
			return err
		}
		cycle = cy.ID
		if _, _, err := cycles.SetCategories(ctx, tx, audit.System, cy.ID, cycles.CategoriesInput{
			Categories: []string{"乡镇", "县直部门"}, ConfirmRemove: true}, known); err != nil {
			return err
		}
		for _, u := range []struct {
			id        *int64
			name, cat string
		}{{&jia, "甲镇", "乡镇"}, {&yi, "乙镇", "乡镇"}, {&fin, "县财政局", "县直部门"}, {&edu, "县教育局", "县直部门"},
			{&outside, "市外单位", "党政综合类"}} {
			x, err := units.CreateUnit(ctx, tx, audit.System, units.UnitInput{Name: u.name, Category: u.cat}, known)
			if err != nil {
				return err
			}
			*u.id = x.ID
		}
		leaf := func(key, name string, max float64, unit *int64) schemes.Node {
			return schemes.Node{Key: key, Name: name, Kind: schemes.KindManual, Max: max,
				Assessor: &schemes.Assessor{Name: "考评单位", UnitID: unit}}
		}
		for _, g := range []struct {
			name, cat string
			tree      schemes.Node
		}{
			{"乡镇方案", "乡镇", schemes.Node{Key: "town", Name: "乡镇考核", Kind: schemes.KindSum, Children: []schemes.Node{
				leaf("econ", "经济发展", 60, &fin), leaf("party", "党的建设", 40, &outside)}}},
			{"部门方案", "县直部门", schemes.Node{Key: "dept", Name: "部门考核", Kind: schemes.KindSum, Children: []schemes.Node{
				leaf("duty", "职能工作", 70, &outside), leaf("econ", "服务发展", 30, &edu)}}},
		} {
			grp, err := schemes.SaveGroup(ctx, tx, audit.System, cy.ID, 0, schemes.GroupInput{Name: g.name, Categories: []string{g.cat}})
			if err != nil {
				return err
			}
			if _, _, err := schemes.Set(ctx, tx, audit.System, cy.ID, schemes.Change{GroupID: &grp.ID, Tree: &g.tree}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name           string
		assessor, unit int64
		leaves         []string // nil: refused as not assessed
	}{
		{"the towns' assessor reads a town", fin, jia, []string{"econ"}},
		{"the towns' assessor is refused a department", fin, edu, nil},
		{"the departments' assessor reads a department", edu, fin, []string{"econ"}},
		{"the departments' assessor is refused a town", edu, yi, nil},
	}
	for _, c := range cases {
		sc, err := assessors.CheckAssesses(ctx, pool, cycle, c.assessor, c.unit)
		switch {
		case c.leaves == nil && (!apperr.Is(err, apperr.Forbidden) || apperr.From(err).Message != assessors.MsgNotAssessed):
			t.Errorf("%s: %v, want refused: %s", c.name, err, assessors.MsgNotAssessed)
		case c.leaves != nil && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.leaves != nil && (len(sc.LeafKeys()) != 1 || sc.LeafKeys()[0] != c.leaves[0]):
			t.Errorf("%s: leaves %v, want %v", c.name, sc.LeafKeys(), c.leaves)
		}
	}
	list, total, err := assessors.ListAssessedUnits(ctx, pool, cycle, fin, assessors.UnitPage{})
	if err != nil || total != 2 || len(list) != 2 || list[0].ID != jia && list[0].ID != yi {
		t.Fatalf("县财政局 assesses %+v (%d, %v), want the two towns", list, total, err)
	}
	for _, u := range list {
		if u.ID != jia && u.ID != yi {
			t.Errorf("县财政局 lists %s, not a town", u.Name)
		}
	}
}
