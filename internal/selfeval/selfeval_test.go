package selfeval_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/audit"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/selfeval"
	"minyi/internal/testutil"
)

var (
	ctx   = context.Background()
	staff = audit.Actor{Name: "office"}
	clerk = audit.Actor{Name: "unit-a"}
	png   = append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
)

type world struct {
	pool                  *pgxpool.Pool
	cycle                 int64
	unitA, unitB, noSheet int64
}

// newWorld makes a 2026 cycle with three units, two of them (甲 and 乙)
// with a target sheet.
func newWorld(t *testing.T) world {
	t.Helper()
	pool := testutil.DB(t)
	w := world{pool: pool}
	for _, p := range []struct {
		id   *int64
		name string
	}{{&w.unitA, "市甲局"}, {&w.unitB, "市乙局"}, {&w.noSheet, "市丙局"}} {
		if err := pool.QueryRow(ctx, `INSERT INTO units (name, category) VALUES ($1, '经济发展类') RETURNING id`, p.name).Scan(p.id); err != nil {
			t.Fatal(err)
		}
	}
	err := db.Tx(ctx, pool, func(tx pgx.Tx) error {
		c, err := cycles.CreateCycle(ctx, tx, staff, cycles.CycleInput{Name: "2026年度", Year: 2026, PeriodStart: "2026-01-01",
			PeriodEnd: "2026-12-31"}, cycles.DefaultConfig([]float64{100, 80, 60, 30, 0}))
		w.cycle = c.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []int64{w.unitA, w.unitB} {
		if _, err := pool.Exec(ctx, `INSERT INTO target_sheets (cycle_id, unit_id) VALUES ($1, $2)`, w.cycle, u); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func inTx[T any](w world, fn func(tx pgx.Tx) (T, error)) (T, error) {
	var out T
	err := db.Tx(ctx, w.pool, func(tx pgx.Tx) (err error) {
		out, err = fn(tx)
		return err
	})
	return out, err
}

func fieldsOf(err error) []string {
	var out []string
	for k := range apperr.From(err).Fields {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func count(t *testing.T, w world, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := w.pool.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var now = time.Date(2026, 7, 1, 2, 0, 0, 0, time.UTC)

func (w world) period(t *testing.T, in selfeval.PeriodInput) selfeval.Period {
	t.Helper()
	p, err := inTx(w, func(tx pgx.Tx) (selfeval.Period, error) { return selfeval.SavePeriod(ctx, tx, staff, w.cycle, in, now) })
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPeriodsAreCycleConfiguration(t *testing.T) {
	w := newWorld(t)
	half := selfeval.PeriodInput{Name: " 半年自评 ", CoversTo: "2026-06-30", DueOn: "2026-07-15"}
	p := w.period(t, half)
	if p.Name != "半年自评" || p.CoversTo != "2026-06-30" || p.DueOn != "2026-07-15" || p.Annual {
		t.Fatalf("period %+v", p)
	}
	// A retried create is the same period, recorded once.
	if again := w.period(t, half); again.ID != p.ID {
		t.Errorf("retry made period %d, want %d", again.ID, p.ID)
	}
	if n := count(t, w, `SELECT count(*) FROM audit_log WHERE action = 'self_eval_period.create'`); n != 1 {
		t.Errorf("%d create entries, want 1", n)
	}
	annual := w.period(t, selfeval.PeriodInput{Name: "年度自评", CoversTo: "2026-11-30", DueOn: "2026-12-10", Annual: true})

	refused := []struct {
		name string
		run  func(tx pgx.Tx) (selfeval.Period, error)
		code string
		bad  []string
	}{
		{"second annual", func(tx pgx.Tx) (selfeval.Period, error) {
			return selfeval.SavePeriod(ctx, tx, staff, w.cycle, selfeval.PeriodInput{Name: "全年自评", CoversTo: "2026-12-31", DueOn: "2027-01-10", Annual: true}, now)
		}, apperr.Invalid, []string{"annual"}},
		{"rename onto another", func(tx pgx.Tx) (selfeval.Period, error) {
			return selfeval.UpdatePeriod(ctx, tx, staff, annual.ID, selfeval.PeriodInput{Name: "半年自评", CoversTo: "2026-11-30", DueOn: "2026-12-10"}, now)
		}, apperr.Invalid, []string{"name"}},
		{"unknown cycle", func(tx pgx.Tx) (selfeval.Period, error) {
			return selfeval.SavePeriod(ctx, tx, staff, w.cycle+99, half, now)
		}, apperr.NotFound, nil},
		{"unknown period", func(tx pgx.Tx) (selfeval.Period, error) {
			return selfeval.UpdatePeriod(ctx, tx, staff, annual.ID+99, half, now)
		}, apperr.NotFound, nil},
		{"due outside the cycle", func(tx pgx.Tx) (selfeval.Period, error) {
			return selfeval.UpdatePeriod(ctx, tx, staff, p.ID, selfeval.PeriodInput{Name: "半年自评", CoversTo: "2026-06-30", DueOn: "2025-07-15"}, now)
		}, apperr.Invalid, []string{"due_on"}},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			_, err := inTx(w, tc.run)
			if !apperr.Is(err, tc.code) || !equal(fieldsOf(err), tc.bad) {
				t.Errorf("err %v fields %v, want %s %v", err, fieldsOf(err), tc.code, tc.bad)
			}
		})
	}
	list, err := selfeval.ListPeriods(ctx, w.pool, w.cycle)
	if err != nil || len(list) != 2 || list[0].ID != p.ID || list[0].DueOn != "2026-07-15" || list[1].Name != "年度自评" || !list[1].Annual {
		t.Fatalf("periods %+v %v", list, err)
	}
	moved, err := inTx(w, func(tx pgx.Tx) (selfeval.Period, error) {
		return selfeval.UpdatePeriod(ctx, tx, staff, p.ID, selfeval.PeriodInput{Name: "半年自评", CoversTo: "2026-06-30", DueOn: "2026-07-17"}, now)
	})
	if err != nil || moved.DueOn != "2026-07-17" {
		t.Fatalf("update %+v %v", moved, err)
	}
}

func TestReportsOnTimeLateAndMissing(t *testing.T) {
	w := newWorld(t)
	p := w.period(t, selfeval.PeriodInput{Name: "半年自评", CoversTo: "2026-06-30", DueOn: "2026-07-15"})
	save := func(unit int64, body string, ids []string, today string) (selfeval.Report, error) {
		return inTx(w, func(tx pgx.Tx) (selfeval.Report, error) {
			return selfeval.SaveReport(ctx, tx, clerk, p, unit, selfeval.ReportInput{Body: body, EvidenceIDs: ids}, today, now)
		})
	}
	upload := func(owner int64) string {
		f, err := inTx(w, func(tx pgx.Tx) (assessment.EvidenceFile, error) {
			return assessment.SaveEvidence(ctx, tx, clerk, &owner, "报告附件.png", append(png, byte(owner)))
		})
		if err != nil {
			t.Fatal(err)
		}
		return f.ID
	}
	mine, theirs := upload(w.unitA), upload(w.unitB)

	// Refusals change nothing.
	for _, tc := range []struct {
		name string
		unit int64
		body string
		ids  []string
		code string
		bad  []string
	}{
		{"empty text", w.unitA, "  ", nil, apperr.Invalid, []string{"body"}},
		{"another unit's file", w.unitA, "报告", []string{theirs}, apperr.Invalid, []string{"evidence_ids"}},
		{"a file that does not exist", w.unitA, "报告", []string{"00000000-0000-4000-8000-000000000000"}, apperr.Invalid, []string{"evidence_ids"}},
		{"unit without a target sheet", w.noSheet, "报告", nil, apperr.Conflict, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := save(tc.unit, tc.body, tc.ids, "2026-07-10")
			if !apperr.Is(err, tc.code) || !equal(fieldsOf(err), tc.bad) {
				t.Errorf("err %v fields %v, want %s %v", err, fieldsOf(err), tc.code, tc.bad)
			}
		})
	}
	if n := count(t, w, `SELECT count(*) FROM self_eval_reports`); n != 0 {
		t.Fatalf("%d reports after refusals", n)
	}

	r, err := save(w.unitA, "上半年目标完成情况良好。", []string{mine}, "2026-07-15")
	if err != nil || r.Late || len(r.Files) != 1 || r.Files[0].ID != mine {
		t.Fatalf("on-time report %+v %v", r, err)
	}
	// Changed after the due date: still on time (the first submission
	// counts), and a retry records nothing more.
	r2, err := save(w.unitA, "上半年目标完成情况良好，详见附件。", nil, "2026-07-20")
	if err != nil || r2.Late || !r2.SubmittedAt.Equal(r.SubmittedAt) || len(r2.Files) != 1 {
		t.Fatalf("changed report %+v %v", r2, err)
	}
	if _, err := save(w.unitA, "上半年目标完成情况良好，详见附件。", nil, "2026-07-20"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, w, `SELECT count(*) FROM audit_log WHERE action LIKE 'self_eval_report.%'`); n != 2 {
		t.Errorf("%d report entries, want 2 (submit, update)", n)
	}

	today := "2026-07-16"
	counts, err := selfeval.CountPeriod(ctx, w.pool, p, today)
	if err != nil || counts != (selfeval.Counts{Units: 2, Submitted: 1, Pending: 1, Missing: 1}) {
		t.Fatalf("counts %+v %v", counts, err)
	}
	for _, tc := range []struct {
		status string
		want   []int64
	}{
		{"", []int64{w.unitB, w.unitA}}, // by name: 乙 sorts before 甲
		{selfeval.StatusSubmitted, []int64{w.unitA}},
		{selfeval.StatusMissing, []int64{w.unitB}},
		{selfeval.StatusDueSoon, nil},
		{selfeval.StatusLate, nil},
	} {
		rows, total, err := selfeval.ListUnits(ctx, w.pool, p, today, selfeval.Filter{Status: tc.status})
		var got []int64
		for _, r := range rows {
			got = append(got, r.UnitID)
		}
		if err != nil || total != len(tc.want) || len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) {
			t.Errorf("status %q: %v (%d) %v, want %v", tc.status, got, total, err, tc.want)
		}
	}
	if rows, _, _ := selfeval.ListUnits(ctx, w.pool, p, today, selfeval.Filter{Search: "乙"}); len(rows) != 1 || rows[0].Status != selfeval.StatusMissing {
		t.Errorf("search 乙: %+v", rows)
	}
	if _, _, err := selfeval.ListUnits(ctx, w.pool, p, today, selfeval.Filter{Status: "bogus"}); !equal(fieldsOf(err), []string{"status"}) {
		t.Errorf("bad status: %v", err)
	}

	// The unit owes its report (to-do), and the office sees one period overdue.
	owed, err := selfeval.OwedByUnit(ctx, w.pool, w.unitB, today, 120)
	if err != nil || len(owed) != 1 || owed[0].ID != p.ID || owed[0].CycleName != "2026年度" {
		t.Fatalf("owed %+v %v", owed, err)
	}
	if owed, _ := selfeval.OwedByUnit(ctx, w.pool, w.unitA, today, 120); len(owed) != 0 {
		t.Errorf("unit A submitted, owes %+v", owed)
	}
	if owed, _ := selfeval.OwedByUnit(ctx, w.pool, w.unitB, "2026-07-01", 120); len(owed) != 0 {
		t.Errorf("two weeks before the due date nothing is owed yet: %+v", owed)
	}
	over, err := selfeval.OverduePeriods(ctx, w.pool, 0, today, 120)
	if err != nil || len(over) != 1 || over[0].Missing != 1 {
		t.Fatalf("overdue %+v %v", over, err)
	}

	// Submitted a day late: 逾期提交.
	late, err := save(w.unitB, "补交的半年自评报告。", nil, today)
	if err != nil || !late.Late {
		t.Fatalf("late report %+v %v", late, err)
	}
	if st, _ := selfeval.ListUnitPeriods(ctx, w.pool, w.cycle, w.unitB, today); len(st) != 1 || st[0].Status != selfeval.StatusLate {
		t.Errorf("unit B's periods %+v", st)
	}
	if over, _ := selfeval.OverduePeriods(ctx, w.pool, 0, today, 120); len(over) != 0 {
		t.Errorf("every unit submitted: %+v", over)
	}

	// Files: at most ten, only the unit's own, removal audited.
	for i := 0; i < selfeval.MaxFiles-1; i++ {
		if _, err := inTx(w, func(tx pgx.Tx) (selfeval.Report, error) {
			return selfeval.AddFile(ctx, tx, clerk, p, w.unitA, upload(w.unitA), now)
		}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = inTx(w, func(tx pgx.Tx) (selfeval.Report, error) {
		return selfeval.AddFile(ctx, tx, clerk, p, w.unitA, upload(w.unitA), now)
	})
	if !equal(fieldsOf(err), []string{"file"}) || apperr.From(err).Fields["file"] != selfeval.MsgTooMany {
		t.Errorf("eleventh file: %v", err)
	}
	_, err = inTx(w, func(tx pgx.Tx) (selfeval.Report, error) {
		return selfeval.AddFile(ctx, tx, clerk, p, w.unitA, theirs, now)
	})
	if !equal(fieldsOf(err), []string{"file"}) {
		t.Errorf("another unit's file: %v", err)
	}
	if ok, err := selfeval.ReportCitesFile(ctx, w.pool, w.cycle, w.unitA, mine); !ok || err != nil {
		t.Errorf("report cites its file: %v %v", ok, err)
	}
	if _, err := inTx(w, func(tx pgx.Tx) (int, error) { return 0, selfeval.RemoveFile(ctx, tx, clerk, p, w.unitA, mine) }); err != nil {
		t.Fatal(err)
	}
	if ok, _ := selfeval.ReportCitesFile(ctx, w.pool, w.cycle, w.unitA, mine); ok {
		t.Error("removed file still cited")
	}
	if _, err := inTx(w, func(tx pgx.Tx) (int, error) { return 0, selfeval.RemoveFile(ctx, tx, clerk, p, w.unitA, mine) }); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("removing again: %v", err)
	}

	// Once the office locks the cycle's self-evaluation nothing changes.
	if _, err := w.pool.Exec(ctx, `INSERT INTO target_settings (cycle_id, self_eval_locked) VALUES ($1, true)`, w.cycle); err != nil {
		t.Fatal(err)
	}
	if _, err := save(w.unitA, "锁定后修改", nil, today); !apperr.Is(err, apperr.Conflict) || apperr.From(err).Message != selfeval.MsgLocked {
		t.Errorf("locked: %v", err)
	}
	if r, _ := selfeval.FindReport(ctx, w.pool, p.ID, w.unitA); r.Body != "上半年目标完成情况良好，详见附件。" {
		t.Errorf("locked report changed: %q", r.Body)
	}
}
