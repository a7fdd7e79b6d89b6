package targets_test

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/targets"
	"minyi/internal/testutil"
)

var (
	ctx   = context.Background()
	unitA = audit.Actor{Name: "unit-a"}
	staff = audit.Actor{Name: "office"}
)

type world struct {
	pool             *pgxpool.Pool
	cycle            int64
	unit, other, ass int64
}

func newWorld(t *testing.T) world {
	t.Helper()
	pool := testutil.DB(t)
	w := world{pool: pool}
	for _, p := range []struct {
		id   *int64
		name string
	}{{&w.unit, "市发改委"}, {&w.other, "市教育局"}, {&w.ass, "市督查室"}} {
		if err := pool.QueryRow(ctx, `INSERT INTO units (name, category) VALUES ($1, '经济发展类') RETURNING id`, p.name).Scan(p.id); err != nil {
			t.Fatal(err)
		}
	}
	err := db.Tx(ctx, pool, func(tx pgx.Tx) error {
		c, err := cycles.CreateCycle(ctx, tx, staff, cycles.CycleInput{Name: "2025年度", Year: 2025, PeriodStart: "2025-01-01",
			PeriodEnd: "2025-12-31"}, cycles.DefaultConfig([]float64{100, 80, 60, 30, 0}))
		w.cycle = c.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func tx[T any](t *testing.T, w world, fn func(tx pgx.Tx) (T, error)) (T, error) {
	t.Helper()
	var out T
	err := db.Tx(ctx, w.pool, func(tx pgx.Tx) (err error) {
		out, err = fn(tx)
		return err
	})
	return out, err
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func fieldsOf(err error) []string {
	var out []string
	for k := range apperr.From(err).Fields {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func day(s string) time.Time {
	d, _ := time.Parse("2006-01-02 15:04", s)
	return d
}

func ind(name string, points float64, deadline string) targets.IndicatorInput {
	return targets.IndicatorInput{Name: name, Tasks: name + "的任务", Points: points, Standard: "全部完成得满分",
		Deadline: deadline, AssessorName: "市委督查室"}
}

func TestValidateIndicators(t *testing.T) {
	p := targets.Period{Start: "2025-01-01", End: "2025-12-31"}
	ok := ind("招商引资", 10, "2025-12-31")
	tests := []struct {
		name   string
		change func(in *targets.IndicatorInput)
		fields []string
	}{
		{"ok", func(in *targets.IndicatorInput) {}, nil},
		{"deadline next year", func(in *targets.IndicatorInput) { in.Deadline = "2026-03-31" }, nil},
		{"zero points", func(in *targets.IndicatorInput) { in.Points = 0 }, []string{"indicators[0].points"}},
		{"three decimals", func(in *targets.IndicatorInput) { in.Points = 1.005 }, []string{"indicators[0].points"}},
		{"too many points", func(in *targets.IndicatorInput) { in.Points = 1001 }, []string{"indicators[0].points"}},
		{"bad deadline", func(in *targets.IndicatorInput) { in.Deadline = "2025-02-30" }, []string{"indicators[0].deadline"}},
		{"deadline before", func(in *targets.IndicatorInput) { in.Deadline = "2024-12-31" }, []string{"indicators[0].deadline"}},
		{"empty task", func(in *targets.IndicatorInput) { in.Tasks = "" }, []string{"indicators[0].tasks"}},
		{"no assessor", func(in *targets.IndicatorInput) { in.AssessorName = "" }, []string{"indicators[0].assessor"}},
		{"assessor unit", func(in *targets.IndicatorInput) { in.AssessorName = ""; in.AssessorUnitID = new(int64(3)) }, nil},
		{"all empty", func(in *targets.IndicatorInput) { *in = targets.IndicatorInput{} }, []string{"indicators[0].assessor",
			"indicators[0].deadline", "indicators[0].name", "indicators[0].points", "indicators[0].standard", "indicators[0].tasks"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := ok
			tt.change(&in)
			if got := fieldsOf(targets.ValidateIndicators([]targets.IndicatorInput{in}, p)); !slices.Equal(got, tt.fields) {
				t.Errorf("fields %v, want %v", got, tt.fields)
			}
		})
	}
	if got := fieldsOf(targets.ValidateIndicators(nil, p)); !slices.Equal(got, []string{"indicators"}) {
		t.Errorf("empty list: %v", got)
	}
}

func TestPeriods(t *testing.T) {
	q := targets.Periods("2025-02-10", "2025-12-31", targets.Quarterly, 10)
	if len(q) != 4 || q[0].Key != "2025-Q1" || q[0].Start != "2025-02-10" || q[0].End != "2025-03-31" || q[0].Due != "2025-04-10" ||
		q[3].Key != "2025-Q4" || q[3].Due != "2026-01-10" || q[1].Label != "2025年第2季度" {
		t.Errorf("quarters %+v", q)
	}
	m := targets.Periods("2025-01-01", "2025-12-31", targets.Monthly, 0)
	if len(m) != 12 || m[1].Key != "2025-02" || m[1].End != "2025-02-28" || m[1].Due != "2025-02-28" || m[11].Label != "2025年12月" {
		t.Errorf("months %+v", m)
	}
}

func TestComputeWarnings(t *testing.T) {
	periods := targets.Periods("2025-01-01", "2025-12-31", targets.Quarterly, 10)
	sheets := []targets.WatchedSheet{{SheetID: 1, UnitID: 7, UnitName: "甲", ApprovedOn: "2025-02-15", Indicators: []targets.WatchedIndicator{
		{ID: 11, Name: "按时报告", Deadline: "2025-12-31", CreatedOn: "2025-02-01", Reported: map[string]int{"2025-Q1": 20, "2025-Q2": 50}},
		{ID: 12, Name: "漏报", Deadline: "2025-06-30", CreatedOn: "2025-02-01", Reported: map[string]int{"2025-Q1": 30}},
		{ID: 13, Name: "已完成", Deadline: "2025-06-30", CreatedOn: "2025-02-01", Reported: map[string]int{"2025-Q1": 100}},
		{ID: 14, Name: "年中新增", Deadline: "2025-12-31", CreatedOn: "2025-07-20"},
	}}}
	// On 2025-07-10 Q2's report is due that day: no warning yet, but
	// indicator 12's deadline has passed at 30 %.
	if got := targets.ComputeWarnings("2025-07-10", periods, sheets); len(got) != 1 || got[0].Kind != targets.WarnOverdue {
		t.Errorf("on the due date: %+v", got)
	}
	got := targets.ComputeWarnings("2025-07-11", periods, sheets)
	want := []string{"12 missing_report 2025-Q2", "12 overdue "}
	var have []string
	for _, w := range got {
		have = append(have, itoa(w.IndicatorID)+" "+w.Kind+" "+w.Period)
	}
	if !slices.Equal(have, want) || got[1].Percent == nil || *got[1].Percent != 30 || got[0].Due != "2025-07-10" {
		t.Errorf("warnings %v (%+v), want %v", have, got, want)
	}
	// In October the new indicator, added in July, owes Q3 but not Q2.
	got = targets.ComputeWarnings("2025-10-11", periods, sheets)
	have = nil
	for _, w := range got {
		have = append(have, itoa(w.IndicatorID)+" "+w.Kind+" "+w.Period)
	}
	// Indicator 13, reported complete in Q1, owes nothing more.
	want = []string{"11 missing_report 2025-Q3", "12 missing_report 2025-Q2", "12 missing_report 2025-Q3", "12 overdue ",
		"14 missing_report 2025-Q3"}
	if !slices.Equal(have, want) {
		t.Errorf("October warnings %v, want %v", have, want)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestSheetWorkflowAndVersions(t *testing.T) {
	w := newWorld(t)
	now := day("2025-02-01 09:00")
	s, err := tx(t, w, func(tx pgx.Tx) (targets.Sheet, error) {
		s, created, err := targets.CreateSheet(ctx, tx, unitA, w.cycle, w.unit, now)
		if !created && err == nil {
			t.Error("first create not reported as created")
		}
		return s, err
	})
	if err != nil || s.Status != targets.StatusDraft || s.LockVersion != 1 {
		t.Fatalf("create: %+v %v", s, err)
	}
	again := must[targets.Sheet](t)(tx(t, w, func(tx pgx.Tx) (targets.Sheet, error) {
		s, created, err := targets.CreateSheet(ctx, tx, unitA, w.cycle, w.unit, now)
		if created {
			t.Error("second create reported as created")
		}
		return s, err
	}))
	if again.ID != s.ID {
		t.Errorf("retry created another sheet")
	}

	// Approving a draft or submitting an empty sheet is refused.
	if _, err := tx(t, w, func(tx pgx.Tx) (targets.Sheet, error) { return targets.Approve(ctx, tx, staff, s.ID, 1, now) }); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("approve draft: %v", err)
	}
	if _, err := tx(t, w, func(tx pgx.Tx) (targets.Sheet, error) { return targets.Submit(ctx, tx, unitA, s.ID, 1, now) }); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("submit empty: %v", err)
	}
	// Bad input changes nothing.
	bad := ind("招商引资", -1, "明年")
	if _, err := tx(t, w, func(tx pgx.Tx) (targets.Sheet, error) {
		return targets.SaveDraft(ctx, tx, unitA, s.ID, 1, []targets.IndicatorInput{bad}, now)
	}); !slices.Equal(fieldsOf(err), []string{"indicators[0].deadline", "indicators[0].points"}) {
		t.Errorf("bad save: %v", err)
	}
	assessor := w.ass
	withUnit := ind("项目建设", 20, "2025-10-31")
	withUnit.AssessorName, withUnit.AssessorUnitID = "", &assessor
	s = must[targets.Sheet](t)(tx(t, w, func(tx pgx.Tx) (targets.Sheet, error) {
		return targets.SaveDraft(ctx, tx, unitA, s.ID, 1, []targets.IndicatorInput{ind("招商引资", 10, "2025-12-31"), withUnit}, now)
	}))
	if s.LockVersion != 2 || len(s.Indicators) != 2 || s.Indicators[1].AssessorName != "市督查室" || targets.TotalPoints(s.Indicators) != 30 {
		t.Fatalf("saved %+v", s)
	}
	// A stale version is a conflict and stores nothing.
	_, err = tx(t, w, func(tx pgx.Tx) (targets.Sheet, error) {
		return targets.SaveDraft(ctx, tx, unitA, s.ID, 1, []targets.IndicatorInput{ind("别的", 1, "2025-12-31")}, now)
	})
	if !apperr.Is(err, apperr.Conflict) {
		t.Errorf("stale save: %v", err)
	}
	if cur := must[targets.Sheet](t)(targets.FindSheet(ctx, w.pool, s.ID)); len(cur.Indicators) != 2 {
		t.Errorf("stale save changed the sheet")
	}

	s = must[targets.Sheet](t)(tx(t, w, func(tx pgx.Tx) (targets.Sheet, error) { return targets.Submit(ctx, tx, unitA, s.ID, 2, now) }))
	// A submitted sheet cannot be edited.
	if _, err := tx(t, w, func(tx pgx.Tx) (targets.Sheet, error) {
		return targets.SaveDraft(ctx, tx, unitA, s.ID, s.LockVersion, []targets.IndicatorInput{ind("x", 1, "2025-12-31")}, now)
	}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("edit submitted: %v", err)
	}
	first := s.Indicators[0].ID
	s = must[targets.Sheet](t)(tx(t, w, func(tx pgx.Tx) (targets.Sheet, error) {
		return targets.Return(ctx, tx, staff, s.ID, s.LockVersion, "分值偏低", map[int64]string{first: "请细化任务"}, now)
	}))
	if s.Status != targets.StatusReturned || s.ReviewComment != "分值偏低" || s.Indicators[0].ReviewComment != "请细化任务" {
		t.Errorf("returned %+v", s)
	}
	in0 := ind("招商引资", 15, "2025-12-31")
	in0.ID = first
	s = must[targets.Sheet](t)(tx(t, w, func(tx pgx.Tx) (targets.Sheet, error) {
		return targets.SaveDraft(ctx, tx, unitA, s.ID, s.LockVersion, []targets.IndicatorInput{in0}, now)
	}))
	if len(s.Indicators) != 1 || s.Indicators[0].ID != first || s.Indicators[0].Points != 15 {
		t.Errorf("resaved %+v", s.Indicators)
	}
	s = must[targets.Sheet](t)(tx(t, w, func(tx pgx.Tx) (targets.Sheet, error) {
		return targets.Submit(ctx, tx, unitA, s.ID, s.LockVersion, now)
	}))
	s = must[targets.Sheet](t)(tx(t, w, func(tx pgx.Tx) (targets.Sheet, error) {
		return targets.Approve(ctx, tx, staff, s.ID, s.LockVersion, now)
	}))
	if s.Status != targets.StatusApproved || s.PublishedVersion != 1 || s.Indicators[0].ReviewComment != "" {
		t.Errorf("approved %+v", s)
	}
	// After approval: no direct edit; a change request with a reason.
	if _, err := tx(t, w, func(tx pgx.Tx) (targets.Sheet, error) {
		return targets.SaveDraft(ctx, tx, unitA, s.ID, s.LockVersion, []targets.IndicatorInput{in0}, now)
	}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("edit approved: %v", err)
	}
	changed := in0
	changed.Points, changed.Deadline = 12, "2025-11-30"
	later := day("2025-06-01 10:00")
	if _, err := tx(t, w, func(tx pgx.Tx) (targets.ChangeRequest, error) {
		return targets.RequestChange(ctx, tx, unitA, s.ID, s.LockVersion, "", []targets.IndicatorInput{in0}, later)
	}); !slices.Equal(fieldsOf(err), []string{"reason"}) {
		t.Errorf("no reason: %v", err)
	}
	if _, err := tx(t, w, func(tx pgx.Tx) (targets.ChangeRequest, error) {
		return targets.RequestChange(ctx, tx, unitA, s.ID, s.LockVersion, "无变化", []targets.IndicatorInput{in0}, later)
	}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("same indicators: %v", err)
	}
	cr := must[targets.ChangeRequest](t)(tx(t, w, func(tx pgx.Tx) (targets.ChangeRequest, error) {
		return targets.RequestChange(ctx, tx, unitA, s.ID, s.LockVersion, "上级政策调整", []targets.IndicatorInput{changed, ind("新增指标", 5, "2025-12-31")}, later)
	}))
	if _, err := tx(t, w, func(tx pgx.Tx) (targets.ChangeRequest, error) {
		return targets.RequestChange(ctx, tx, unitA, s.ID, s.LockVersion, "再来", []targets.IndicatorInput{in0}, later)
	}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("second pending: %v", err)
	}
	if _, err := tx(t, w, func(tx pgx.Tx) (targets.ChangeRequest, error) {
		return targets.DecideChange(ctx, tx, staff, cr.ID, false, "", later)
	}); !slices.Equal(fieldsOf(err), []string{"comment"}) {
		t.Errorf("reject without comment: %v", err)
	}
	cr = must[targets.ChangeRequest](t)(tx(t, w, func(tx pgx.Tx) (targets.ChangeRequest, error) {
		return targets.DecideChange(ctx, tx, staff, cr.ID, true, "同意", later)
	}))
	if cr.Status != targets.RequestApproved || cr.ResultVersion == nil || *cr.ResultVersion != 2 {
		t.Errorf("decided %+v", cr)
	}
	if _, err := tx(t, w, func(tx pgx.Tx) (targets.ChangeRequest, error) {
		return targets.DecideChange(ctx, tx, staff, cr.ID, true, "", later)
	}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("decide twice: %v", err)
	}
	vs := must[[]targets.Version](t)(targets.ListVersions(ctx, w.pool, s.ID))
	if len(vs) != 2 || vs[0].Version != 2 || vs[0].Reason != "上级政策调整" || len(vs[1].Indicators) != 1 || vs[1].Indicators[0].Points != 15 {
		t.Fatalf("versions %+v", vs)
	}
	ch := vs[0].Changes
	if len(ch) != 2 || ch[0].Kind != targets.ChangeChanged || !slices.Equal(ch[0].Fields, []string{"points", "deadline"}) ||
		ch[0].Before.Points != 15 || ch[0].After.Points != 12 || ch[1].Kind != targets.ChangeAdded || ch[1].Name != "新增指标" {
		t.Errorf("changes %+v", ch)
	}
	// Version rows are append-only.
	if _, err := w.pool.Exec(ctx, `UPDATE target_sheet_versions SET reason = 'x'`); err == nil {
		t.Error("a version row was updated")
	}
	// Version 1 stays as published.
	v1 := must[targets.Version](t)(targets.FindVersion(ctx, w.pool, s.ID, 1))
	if v1.Indicators[0].Points != 15 || v1.Indicators[0].Deadline != "2025-12-31" {
		t.Errorf("version 1 changed: %+v", v1.Indicators)
	}
	// A later removal keeps the removed indicator's reports.
	s = must[targets.Sheet](t)(targets.FindSheet(ctx, w.pool, s.ID))
	set := targets.Settings{CycleID: w.cycle, Frequency: targets.Quarterly, DueDays: 10}
	pct := 40
	if _, err := tx(t, w, func(tx pgx.Tx) ([]targets.Report, error) {
		return targets.SaveReports(ctx, tx, unitA, s, set, "2025-Q2", []targets.ReportInput{{IndicatorID: s.Indicators[1].ID, Progress: "推进中", Percent: &pct}}, "2025-06-01", later)
	}); err != nil {
		t.Fatal(err)
	}
	keep := changed
	keep.ID = s.Indicators[0].ID
	cr = must[targets.ChangeRequest](t)(tx(t, w, func(tx pgx.Tx) (targets.ChangeRequest, error) {
		return targets.RequestChange(ctx, tx, unitA, s.ID, s.LockVersion, "取消新增指标", []targets.IndicatorInput{keep}, later)
	}))
	must[targets.ChangeRequest](t)(tx(t, w, func(tx pgx.Tx) (targets.ChangeRequest, error) {
		return targets.DecideChange(ctx, tx, staff, cr.ID, true, "", later)
	}))
	v3 := must[targets.Version](t)(targets.FindVersion(ctx, w.pool, s.ID, 3))
	if len(v3.Indicators) != 1 || len(v3.Changes) != 1 || v3.Changes[0].Kind != targets.ChangeRemoved {
		t.Errorf("version 3 %+v", v3)
	}
	if reps := must[[]targets.Report](t)(targets.ListReports(ctx, w.pool, s.ID)); len(reps) != 1 {
		t.Errorf("reports after removal: %d", len(reps))
	}
	var n int
	if err := w.pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE entity = 'target_sheet' AND entity_id = $1`, itoa(s.ID)).Scan(&n); err != nil || n < 10 {
		t.Errorf("audit entries %d %v", n, err)
	}
}

// approvedSheet makes the unit's sheet with two indicators (10 and 20
// points) and approves it on 2025-01-20.
func approvedSheet(t *testing.T, w world, unit int64) targets.Sheet {
	t.Helper()
	now := day("2025-01-20 09:00")
	return must[targets.Sheet](t)(tx(t, w, func(tx pgx.Tx) (targets.Sheet, error) {
		s, _, err := targets.CreateSheet(ctx, tx, unitA, w.cycle, unit, now)
		if err != nil {
			return s, err
		}
		if s, err = targets.SaveDraft(ctx, tx, unitA, s.ID, s.LockVersion,
			[]targets.IndicatorInput{ind("招商引资", 10, "2025-05-31"), ind("项目建设", 20, "2025-12-31")}, now); err != nil {
			return s, err
		}
		if s, err = targets.Submit(ctx, tx, unitA, s.ID, s.LockVersion, now); err != nil {
			return s, err
		}
		return targets.Approve(ctx, tx, staff, s.ID, s.LockVersion, now)
	}))
}

func TestReportsWarningsAndSelfEvaluation(t *testing.T) {
	w := newWorld(t)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	s := approvedSheet(t, w, w.unit)
	approvedSheet(t, w, w.other)
	set := must[targets.Settings](t)(targets.FindSettings(ctx, w.pool, w.cycle))
	if set.Frequency != targets.Quarterly || set.DueDays != 10 {
		t.Errorf("default settings %+v", set)
	}
	now := day("2025-04-05 10:00")
	pct := func(n int) *int { return &n }
	save := func(period, today string, items ...targets.ReportInput) error {
		_, err := tx(t, w, func(tx pgx.Tx) ([]targets.Report, error) {
			return targets.SaveReports(ctx, tx, unitA, s, set, period, items, today, now)
		})
		return err
	}
	a, b := s.Indicators[0].ID, s.Indicators[1].ID
	if err := save("2025-Q3", "2025-04-05", targets.ReportInput{IndicatorID: a, Progress: "x", Percent: pct(5)}); !slices.Equal(fieldsOf(err), []string{"period"}) {
		t.Errorf("future period: %v", err)
	}
	if err := save("2025-Q1", "2025-04-05", targets.ReportInput{IndicatorID: a, Progress: "", Percent: pct(101)}); !slices.Equal(fieldsOf(err), []string{"items[0].percent", "items[0].progress"}) {
		t.Errorf("bad report: %v", err)
	}
	if err := save("2025-Q1", "2025-04-05", targets.ReportInput{IndicatorID: a, Progress: "已签约3个项目", Percent: pct(40), Evidence: "签约文件"},
		targets.ReportInput{IndicatorID: b, Progress: "已开工", Percent: pct(10)}); err != nil {
		t.Fatal(err)
	}
	// Retrying replaces rather than duplicates.
	if err := save("2025-Q1", "2025-04-05", targets.ReportInput{IndicatorID: a, Progress: "已签约4个项目", Percent: pct(50)}); err != nil {
		t.Fatal(err)
	}
	if reps := must[[]targets.Report](t)(targets.ListReports(ctx, w.pool, s.ID)); len(reps) != 2 || reps[0].Percent != 50 {
		t.Errorf("reports %+v", reps)
	}

	// On 2025-07-11: Q2 is overdue for both units' indicators, and
	// indicator a's deadline (05-31) has passed at 50 %.
	jul := day("2025-07-11 08:00").In(loc)
	ws := must[[]targets.Warning](t)(targets.Warnings(ctx, w.pool, w.cycle, targets.WarningFilter{UnitID: &w.unit}, jul, loc))
	var kinds []string
	for _, x := range ws {
		kinds = append(kinds, x.Kind+" "+x.Period)
	}
	if !slices.Equal(kinds, []string{"missing_report 2025-Q2", "overdue ", "missing_report 2025-Q2"}) || *ws[1].Percent != 50 {
		t.Errorf("unit warnings %v", kinds)
	}
	all := must[[]targets.Warning](t)(targets.Warnings(ctx, w.pool, w.cycle, targets.WarningFilter{Kind: targets.WarnOverdue}, jul, loc))
	if len(all) != 2 {
		t.Errorf("overdue in all units: %+v", all)
	}
	// Monthly reporting raises more periods.
	set.Frequency = targets.Monthly
	must[targets.Settings](t)(tx(t, w, func(tx pgx.Tx) (targets.Settings, error) { return targets.SaveSettings(ctx, tx, staff, set, now) }))
	ws = must[[]targets.Warning](t)(targets.Warnings(ctx, w.pool, w.cycle, targets.WarningFilter{UnitID: &w.unit, Kind: targets.WarnMissingReport}, jul, loc))
	if len(ws) != 12 { // January to June, two indicators
		t.Errorf("monthly missing reports: %d", len(ws))
	}

	// Self-evaluation: within the points, with a note; refused once locked.
	self := func(items ...targets.SelfEvaluationInput) error {
		_, err := tx(t, w, func(tx pgx.Tx) ([]targets.SelfEvaluation, error) {
			cur := must[targets.Settings](t)(targets.FindSettings(ctx, tx, w.cycle))
			return targets.SaveSelfEvaluation(ctx, tx, unitA, s, cur, items, now)
		})
		return err
	}
	over := 10.5
	if err := self(targets.SelfEvaluationInput{IndicatorID: a, Claimed: &over, Note: "超额"}); !slices.Equal(fieldsOf(err), []string{"items[0].claimed"}) {
		t.Errorf("above points: %v", err)
	}
	nine := 9.5
	if err := self(targets.SelfEvaluationInput{IndicatorID: a, Claimed: &nine, Note: "基本完成"}); err != nil {
		t.Fatal(err)
	}
	set.SelfEvalLocked = true
	must[targets.Settings](t)(tx(t, w, func(tx pgx.Tx) (targets.Settings, error) { return targets.SaveSettings(ctx, tx, staff, set, now) }))
	if err := self(targets.SelfEvaluationInput{IndicatorID: a, Claimed: &nine, Note: "改"}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("locked: %v", err)
	}
	if ev := must[[]targets.SelfEvaluation](t)(targets.ListSelfEvaluations(ctx, w.pool, s.ID)); len(ev) != 1 || ev[0].Claimed != 9.5 || ev[0].Note != "基本完成" {
		t.Errorf("self-evaluations %+v", ev)
	}
}
