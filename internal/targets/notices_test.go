package targets_test

import (
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/notify"
	"minyi/internal/targets"
)

func account(t *testing.T, w world, name, role string, unit *int64) int64 {
	t.Helper()
	var id int64
	if err := w.pool.QueryRow(ctx, `INSERT INTO users (username, password_hash, role, unit_id) VALUES ($1, 'x', $2, $3) RETURNING id`,
		name, role, unit).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func inbox(t *testing.T, w world, user int64) []notify.Item {
	t.Helper()
	p, err := notify.List(ctx, w.pool, user, 50, 0)
	if err != nil {
		t.Fatal(err)
	}
	return p.Items
}

// Submitting a sheet tells the office; returning and approving tell the
// unit, with the office's comment; the other unit hears nothing, and a
// change that is refused notifies nobody.
func TestSheetNotices(t *testing.T) {
	w := newWorld(t)
	office := account(t, w, "office", "office", nil)
	unit := account(t, w, "unit", "unit", &w.unit)
	other := account(t, w, "other", "unit", &w.other)
	now := day("2025-02-01 09:00")
	s := must[targets.Sheet](t)(tx(t, w, func(tx pgx.Tx) (targets.Sheet, error) {
		s, _, err := targets.CreateSheet(ctx, tx, unitA, w.cycle, w.unit, now)
		if err == nil {
			s, err = targets.SaveDraft(ctx, tx, unitA, s.ID, s.LockVersion, []targets.IndicatorInput{ind("招商引资", 10, "2025-12-31")}, now)
		}
		if err == nil {
			s, err = targets.Submit(ctx, tx, unitA, s.ID, s.LockVersion, now)
		}
		return s, err
	}))
	if got := inbox(t, w, office); len(got) != 1 || got[0].Kind != targets.NoticeSheetSubmitted || got[0].Title != "目标责任书待审核：市发改委" ||
		got[0].Link != "/console/targets/"+itoa(s.ID) {
		t.Fatalf("office after submit: %+v", got)
	}
	if _, err := tx(t, w, func(tx pgx.Tx) (targets.Sheet, error) {
		return targets.Approve(ctx, tx, staff, s.ID, s.LockVersion-1, now)
	}); err == nil {
		t.Fatal("stale approve accepted")
	}
	s = must[targets.Sheet](t)(tx(t, w, func(tx pgx.Tx) (targets.Sheet, error) {
		return targets.Return(ctx, tx, staff, s.ID, s.LockVersion, "分值偏低，请细化", nil, now)
	}))
	got := inbox(t, w, unit)
	if len(got) != 1 || got[0].Kind != targets.NoticeSheetReturned || got[0].Body != "绩效办退回了本单位的《2025年度目标责任书》，退回意见：分值偏低，请细化。请修改后重新提交。" {
		t.Fatalf("unit after return: %+v", got)
	}
	s = must[targets.Sheet](t)(tx(t, w, func(tx pgx.Tx) (targets.Sheet, error) {
		s, err := targets.Submit(ctx, tx, unitA, s.ID, s.LockVersion, now)
		if err == nil {
			s, err = targets.Approve(ctx, tx, staff, s.ID, s.LockVersion, now)
		}
		return s, err
	}))
	if got := inbox(t, w, unit); len(got) != 2 || got[0].Kind != targets.NoticeSheetApproved {
		t.Fatalf("unit after approve: %+v", got)
	}
	if got := inbox(t, w, office); len(got) != 2 {
		t.Fatalf("office after the second submit: %+v", got)
	}
	if got := inbox(t, w, other); len(got) != 0 {
		t.Fatalf("another unit was told: %+v", got)
	}
}

// After a quarter ends, a unit with an approved sheet and no report is
// reminded once, before the report's due date; not after it, not twice.
func TestReportReminders(t *testing.T) {
	w := newWorld(t)
	unit := account(t, w, "unit", "unit", &w.unit)
	now := day("2025-02-01 09:00")
	must[targets.Sheet](t)(tx(t, w, func(tx pgx.Tx) (targets.Sheet, error) {
		s, _, err := targets.CreateSheet(ctx, tx, unitA, w.cycle, w.unit, now)
		if err == nil {
			s, err = targets.SaveDraft(ctx, tx, unitA, s.ID, s.LockVersion, []targets.IndicatorInput{ind("招商引资", 10, "2025-12-31")}, now)
		}
		if err == nil {
			s, err = targets.Submit(ctx, tx, unitA, s.ID, s.LockVersion, now)
		}
		if err == nil {
			s, err = targets.Approve(ctx, tx, staff, s.ID, s.LockVersion, now)
		}
		return s, err
	}))
	run := func(at string) int {
		t.Helper()
		n, err := targets.SendReportReminders(ctx, w.pool, day(at), time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := run("2025-03-20 09:00"); n != 0 {
		t.Fatalf("during the quarter: %d", n)
	}
	if n := run("2025-04-02 09:00"); n != 1 {
		t.Fatalf("after the quarter: %d", n)
	}
	if n := run("2025-04-03 09:00"); n != 0 {
		t.Fatalf("again: %d", n)
	}
	got := inbox(t, w, unit)
	last := got[0]
	if last.Kind != targets.NoticeReportDue || !strings.Contains(last.Body, "尚有1项指标未报送") || !strings.Contains(last.Link, "?period=2025-Q1#reports") {
		t.Fatalf("reminder: %+v", last)
	}
	if n := run("2025-07-30 09:00"); n != 0 {
		t.Fatalf("the second quarter's report already overdue: %d", n)
	}
}
