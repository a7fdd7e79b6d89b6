package assessorsapp_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/assessment"
	"minyi/internal/audit"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/schemes"
	"minyi/internal/targets"
	"minyi/internal/testutil/apptest"
	"minyi/internal/units"
)

// world is a 2026 cycle whose scheme has the leaves budget (10, assessed
// by 市财政局 F) and law (20, no unit). 市民政局 M has an approved target
// sheet: indicator "预算执行" feeds budget (assessor F) and "安全生产"
// names 市安监局 S as its assessor; both carry a progress report and a
// self-evaluation. 市教育局 E has no sheet, 市统计局 X assesses nothing,
// 市审计局 A is named by Zhongshan's preset only. Clients: office, f, s, m,
// e, x, a.
type world struct {
	app                    *apptest.App
	cycle                  int64
	f, s, m, e, x, a       int64
	budgetInd, safetyInd   int64
	office, cf, cs, cm, ce *apptest.Client
	cx, ca                 *apptest.Client
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
		names := []string{"市财政局", "市安监局", "市民政局", "市教育局", "市统计局", "市审计局"}
		for i, p := range []*int64{&w.f, &w.s, &w.m, &w.e, &w.x, &w.a} {
			u, err := units.CreateUnit(ctx, tx, audit.System, units.UnitInput{Name: names[i], Category: "党政综合类"},
				app.Config.UnitCategories)
			if err != nil {
				return err
			}
			*p = u.ID
		}
		tree := schemes.Node{Key: "root", Name: "方案", Kind: schemes.KindSum, Children: []schemes.Node{
			{Key: "budget", Name: "预算执行", Kind: schemes.KindManual, Max: 10, Assessor: &schemes.Assessor{Name: "市财政局", UnitID: &w.f}},
			{Key: "law", Name: "依法行政", Kind: schemes.KindManual, Max: 20, Assessor: &schemes.Assessor{Name: "市法制局"}},
		}}
		if _, _, err := schemes.Set(ctx, tx, audit.System, cy.ID, schemes.Change{Tree: &tree}); err != nil {
			return err
		}
		sh, _, err := targets.CreateSheet(ctx, tx, audit.System, cy.ID, w.m, at)
		if err != nil {
			return err
		}
		sh, err = targets.SaveDraft(ctx, tx, audit.System, sh.ID, sh.LockVersion, []targets.IndicatorInput{
			{Name: "预算执行", Tasks: "按期执行年度预算", Points: 10, Standard: "执行率达到95%", Deadline: "2026-12-31",
				AssessorUnitID: &w.f, SchemeKey: "budget"},
			{Name: "安全生产", Tasks: "无重大安全事故", Points: 20, Standard: "全年无事故", Deadline: "2026-12-31",
				AssessorUnitID: &w.s, SchemeKey: "law"},
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
		set, err := targets.FindSettings(ctx, tx, cy.ID)
		if err != nil {
			return err
		}
		pct, half := 30, 50
		if _, err := targets.SaveReports(ctx, tx, audit.System, sh, set, "2026-Q1", []targets.ReportInput{
			{IndicatorID: w.budgetInd, Progress: "一季度预算执行过半", Percent: &pct, Evidence: "预算执行报表"},
			{IndicatorID: w.safetyInd, Progress: "开展安全检查", Percent: &half},
		}, "2026-04-10", at); err != nil {
			return err
		}
		nine, eighteen := 9.0, 18.0
		_, err = targets.SaveSelfEvaluation(ctx, tx, audit.System, sh, set, []targets.SelfEvaluationInput{
			{IndicatorID: w.budgetInd, Claimed: &nine, Note: "预算执行良好"},
			{IndicatorID: w.safetyInd, Claimed: &eighteen, Note: "安全形势平稳"},
		}, at)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	sign := func(name string, unit *int64) *apptest.Client {
		role := "unit"
		if unit == nil {
			role = "office"
		}
		app.AddUser(t, name, name+"-pass-1", role, unit)
		c := app.Client()
		c.SignIn(t, name, name+"-pass-1")
		return c
	}
	w.office, w.cf, w.cs, w.cm = sign("office1", nil), sign("unit-f", &w.f), sign("unit-s", &w.s), sign("unit-m", &w.m)
	w.ce, w.cx, w.ca = sign("unit-e", &w.e), sign("unit-x", &w.x), sign("unit-a", &w.a)
	return w
}

// evidence stores a small PNG owned by the unit and returns its id.
func (w *world) evidence(t *testing.T, owner int64) string {
	t.Helper()
	var id string
	err := db.Tx(context.Background(), w.app.Pool, func(tx pgx.Tx) error {
		f, err := assessment.SaveEvidence(context.Background(), tx, audit.System, &owner, "证明.png",
			append([]byte("\x89PNG\r\n\x1a\n"), []byte(apptest.Itoa(owner)+"-evidence")...))
		id = f.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (w *world) path(rest string) string { return "/api/v1/cycles/" + apptest.Itoa(w.cycle) + rest }

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

// wantForbidden checks a 403 with a Chinese message.
func wantForbidden(t *testing.T, c *apptest.Client, method, path string, body any, msg string) {
	t.Helper()
	var e apiErr
	want(t, c.JSON(t, method, path, body, &e), http.StatusForbidden, method+" "+path)
	if e.Error.Code != "forbidden" || e.Error.Message != msg {
		t.Fatalf("%s %s: error %+v, want forbidden %q", method, path, e.Error, msg)
	}
}
