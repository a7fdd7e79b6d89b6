package inspectionsapp_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/audit"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/schemes"
	"minyi/internal/targets"
	"minyi/internal/testutil/apptest"
	"minyi/internal/units"
)

// world is a 2026 cycle of the category 党政综合类: 市民政局 M and 市教育局 E
// each have a target sheet with one indicator (mInd, eInd); 市发改委 O is
// of 经济发展类 and so not in the cycle. The cycle has two schemes: the
// default one (重点工作 › 民生实事, 营商环境; 日常管理) and the group
// 党政方案's (履职尽责 › 依法行政, scored by O, which so assesses M and E;
// 群众满意度); dflt and grp
// are refs of 民生实事 and 依法行政. Clients: office, leader, m (a unit
// user of M), e (of E) and co (of O).
type world struct {
	app                    *apptest.App
	cycle                  int64
	m, e, o                int64
	mInd, eInd             int64
	group                  int64
	dflt, grp              string
	office, leader, cm, ce *apptest.Client
	co                     *apptest.Client
}

var at = time.Date(2026, 4, 10, 10, 0, 0, 0, time.UTC)

func newWorld(t *testing.T) *world {
	t.Helper()
	app := apptest.New(t, apptest.Options{Now: func() time.Time { return at }})
	w := &world{app: app}
	ctx := context.Background()
	if err := db.Tx(ctx, app.Pool, func(tx pgx.Tx) error {
		cy, err := cycles.CreateCycle(ctx, tx, audit.System, cycles.CycleInput{Name: "2026年度", Year: 2026,
			PeriodStart: "2026-01-01", PeriodEnd: "2026-12-31"}, cycles.DefaultConfig([]float64{100, 80, 60, 30, 0}))
		if err != nil {
			return err
		}
		w.cycle = cy.ID
		for _, u := range []struct {
			p              *int64
			name, category string
		}{{&w.m, "市民政局", "党政综合类"}, {&w.e, "市教育局", "党政综合类"}, {&w.o, "市发改委", "经济发展类"}} {
			x, err := units.CreateUnit(ctx, tx, audit.System, units.UnitInput{Name: u.name, Category: u.category},
				app.Config.UnitCategories)
			if err != nil {
				return err
			}
			*u.p = x.ID
		}
		if _, err := tx.Exec(ctx, `UPDATE assessment_cycles SET categories = ARRAY['党政综合类'] WHERE id = $1`, cy.ID); err != nil {
			return err
		}
		for _, s := range []struct {
			unit int64
			ind  *int64
			name string
		}{{w.m, &w.mInd, "社会救助"}, {w.e, &w.eInd, "义务教育"}} {
			sh, _, err := targets.CreateSheet(ctx, tx, audit.System, cy.ID, s.unit, at)
			if err != nil {
				return err
			}
			sh, err = targets.SaveDraft(ctx, tx, audit.System, sh.ID, sh.LockVersion, []targets.IndicatorInput{
				{Name: s.name, Tasks: "完成年度任务", Points: 10, Standard: "按期完成", Deadline: "2026-12-31",
					AssessorName: "市绩效办"}}, at)
			if err != nil {
				return err
			}
			*s.ind = sh.Indicators[0].ID
		}
		if _, err = assessment.SaveSettings(ctx, tx, audit.System, cy.ID, assessment.DefaultSettings(), ""); err != nil {
			return err
		}
		return w.setSchemes(ctx, tx)
	}); err != nil {
		t.Fatal(err, apperr.From(err).Fields)
	}
	sign := func(name, role string, unit *int64) *apptest.Client {
		app.AddUser(t, name, name+"-pass-1", role, unit)
		c := app.Client()
		c.SignIn(t, name, name+"-pass-1")
		return c
	}
	w.office, w.leader = sign("office1", "office", nil), sign("leader1", "leader", nil)
	w.cm, w.ce = sign("unit-m", "unit", &w.m), sign("unit-e", "unit", &w.e)
	w.co = sign("unit-o", "unit", &w.o)
	return w
}

// setSchemes stores the cycle's default scheme and its group's.
func (w *world) setSchemes(ctx context.Context, tx pgx.Tx) error {
	leaf := func(key, name string, max float64, unit *int64) schemes.Node {
		return schemes.Node{Key: key, Name: name, Kind: schemes.KindManual, Max: max,
			Assessor: &schemes.Assessor{Name: "市绩效办", UnitID: unit}}
	}
	dflt := schemes.Node{Key: "root", Name: "通用考核方案", Kind: schemes.KindSum, Children: []schemes.Node{
		{Key: "key_work", Name: "重点工作", Kind: schemes.KindSum, Children: []schemes.Node{
			leaf("livelihood", "民生实事", 30, nil), leaf("business", "营商环境", 20, nil)}},
		leaf("daily", "日常管理", 50, nil)}}
	if _, _, err := schemes.Set(ctx, tx, audit.System, w.cycle, schemes.Change{Tree: &dflt}); err != nil {
		return err
	}
	g, err := schemes.SaveGroup(ctx, tx, audit.System, w.cycle, 0, schemes.GroupInput{Name: "党政方案", Categories: []string{"党政综合类"}})
	if err != nil {
		return err
	}
	w.group = g.ID
	party := schemes.Node{Key: "root", Name: "党政机关考核方案", Kind: schemes.KindSum, Children: []schemes.Node{
		{Key: "duty", Name: "履职尽责", Kind: schemes.KindSum, Children: []schemes.Node{leaf("law", "依法行政", 60, &w.o)}},
		leaf("satisfaction", "群众满意度", 40, nil)}}
	if _, _, err := schemes.Set(ctx, tx, audit.System, w.cycle, schemes.Change{GroupID: &g.ID, Tree: &party}); err != nil {
		return err
	}
	w.dflt, w.grp = "0:livelihood", apptest.Itoa(g.ID)+":law"
	return nil
}

func (w *world) path(rest string) string { return "/api/v1/cycles/" + apptest.Itoa(w.cycle) + rest }

// count counts rows of a table.
func (w *world) count(t *testing.T, table string) int {
	t.Helper()
	return w.app.Count(t, `SELECT count(*) FROM `+table)
}

// apiErr is the JSON error body.
type apiErr struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

func want(t *testing.T, res *http.Response, status int, what string) {
	t.Helper()
	if res.StatusCode != status {
		t.Fatalf("%s: status %d, want %d", what, res.StatusCode, status)
	}
}
