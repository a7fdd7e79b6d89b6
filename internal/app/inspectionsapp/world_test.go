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
	"minyi/internal/targets"
	"minyi/internal/testutil/apptest"
	"minyi/internal/units"
)

// world is a 2026 cycle of the category 党政综合类: 市民政局 M and 市教育局 E
// each have a target sheet with one indicator (mInd, eInd); 市发改委 O is
// of 经济发展类 and so not in the cycle. Clients: office, leader, m (a unit
// user of M) and e (of E).
type world struct {
	app                    *apptest.App
	cycle                  int64
	m, e, o                int64
	mInd, eInd             int64
	office, leader, cm, ce *apptest.Client
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
		_, err = assessment.SaveSettings(ctx, tx, audit.System, cy.ID, assessment.DefaultSettings(), "")
		return err
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
	return w
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
