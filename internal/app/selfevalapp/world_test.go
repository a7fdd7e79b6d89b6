package selfevalapp_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/assessment"
	"minyi/internal/audit"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/targets"
	"minyi/internal/testutil/apptest"
	"minyi/internal/units"
)

// world is a 2026 cycle. 市民政局 M has an approved target sheet whose
// indicator "预算执行" names 市财政局 F as its assessor and "安全生产" names
// 市安监局 S; F and S have sheets too (empty drafts), so three units owe
// reports. 市统计局 X assesses nothing and has no sheet. Clients: office,
// leader, m, f, s, x. The clock starts on 2026-07-01 (Beijing).
type world struct {
	app                            *apptest.App
	clock                          *apptest.Clock
	cycle                          int64
	m, f, s, x                     int64
	budgetInd, safetyInd           int64
	office, leader, cm, cf, cs, cx *apptest.Client
}

var beijing, _ = time.LoadLocation("Asia/Shanghai")

func newWorld(t *testing.T) *world {
	t.Helper()
	clock := apptest.NewClock(time.Date(2026, 7, 1, 9, 0, 0, 0, beijing))
	app := apptest.New(t, apptest.Options{Now: clock.Now})
	w := &world{app: app, clock: clock}
	ctx := context.Background()
	at := clock.Now()
	if err := db.Tx(ctx, app.Pool, func(tx pgx.Tx) error {
		cy, err := cycles.CreateCycle(ctx, tx, audit.System, cycles.CycleInput{Name: "2026年度", Year: 2026,
			PeriodStart: "2026-01-01", PeriodEnd: "2026-12-31"}, cycles.DefaultConfig([]float64{100, 80, 60, 30, 0}))
		if err != nil {
			return err
		}
		w.cycle = cy.ID
		names := []string{"市民政局", "市财政局", "市安监局", "市统计局"}
		for i, p := range []*int64{&w.m, &w.f, &w.s, &w.x} {
			u, err := units.CreateUnit(ctx, tx, audit.System, units.UnitInput{Name: names[i], Category: "党政综合类"},
				app.Config.UnitCategories)
			if err != nil {
				return err
			}
			*p = u.ID
		}
		for _, u := range []int64{w.f, w.s} {
			if _, _, err := targets.CreateSheet(ctx, tx, audit.System, cy.ID, u, at); err != nil {
				return err
			}
		}
		sh, _, err := targets.CreateSheet(ctx, tx, audit.System, cy.ID, w.m, at)
		if err != nil {
			return err
		}
		sh, err = targets.SaveDraft(ctx, tx, audit.System, sh.ID, sh.LockVersion, []targets.IndicatorInput{
			{Name: "预算执行", Tasks: "按期执行年度预算", Points: 10, Standard: "执行率达到95%", Deadline: "2026-12-31", AssessorUnitID: &w.f},
			{Name: "安全生产", Tasks: "无重大安全事故", Points: 20, Standard: "全年无事故", Deadline: "2026-12-31", AssessorUnitID: &w.s},
		}, at)
		if err != nil {
			return err
		}
		if sh, err = targets.Submit(ctx, tx, audit.System, sh.ID, sh.LockVersion, at); err != nil {
			return err
		}
		if sh, err = targets.Approve(ctx, tx, audit.System, sh.ID, sh.LockVersion, at); err != nil {
			return err
		}
		w.budgetInd, w.safetyInd = sh.Indicators[0].ID, sh.Indicators[1].ID
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sign := func(name, role string, unit *int64) *apptest.Client {
		app.AddUser(t, name, name+"-pass-1", role, unit)
		c := app.Client()
		c.SignIn(t, name, name+"-pass-1")
		return c
	}
	w.office, w.leader = sign("office1", "office", nil), sign("leader1", "leader", nil)
	w.cm, w.cf, w.cs, w.cx = sign("unit-m", "unit", &w.m), sign("unit-f", "unit", &w.f), sign("unit-s", "unit", &w.s), sign("unit-x", "unit", &w.x)
	return w
}

// evidence stores a small PNG owned by the unit and returns its id.
func (w *world) evidence(t *testing.T, owner int64, name string) string {
	t.Helper()
	var id string
	err := db.Tx(context.Background(), w.app.Pool, func(tx pgx.Tx) error {
		f, err := assessment.SaveEvidence(context.Background(), tx, audit.System, &owner, name,
			append(append([]byte{}, apptest.TestPNG...), []byte(name)...))
		id = f.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// attach attaches a file of M to one of its indicators (佐证材料).
func (w *world) attach(t *testing.T, indicator int64, file string) {
	t.Helper()
	ctx := context.Background()
	err := db.Tx(ctx, w.app.Pool, func(tx pgx.Tx) error {
		sh, err := targets.FindSheetFor(ctx, tx, w.cycle, w.m)
		if err != nil {
			return err
		}
		_, err = targets.AttachEvidence(ctx, tx, audit.System, sh, indicator, file, w.clock.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (w *world) at(day string) {
	d, _ := time.ParseInLocation("2006-01-02", day, beijing)
	w.clock.Set(d.Add(10 * time.Hour))
}
