package feedback_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/feedback"
	"minyi/internal/notify"
	"minyi/internal/workdays"
)

func (x *world) account(name, role string, unit *int64) int64 {
	x.t.Helper()
	var id int64
	if err := x.pool.QueryRow(x.ctx, `INSERT INTO users (username, password_hash, role, unit_id) VALUES ($1, 'x', $2, $3) RETURNING id`,
		name, role, unit).Scan(&id); err != nil {
		x.t.Fatal(err)
	}
	return id
}

func (x *world) kinds(user int64) []string {
	x.t.Helper()
	p, err := notify.List(x.ctx, x.pool, user, 100, 0)
	if err != nil {
		x.t.Fatal(err)
	}
	var out []string
	for i := len(p.Items) - 1; i >= 0; i-- {
		out = append(out, p.Items[i].Kind)
	}
	return out
}

// Reminders count working days: the unit hears DaysBefore working days
// ahead of its answer deadline (once, however often the step runs), again
// when it has passed, and the office once the deadline is EscalateAfter
// working days behind; the other unit hears nothing, and bad settings are
// refused.
func TestCaseReminders(t *testing.T) {
	x := newWorld(t, 2)
	unit := x.account("unit-1", "unit", &x.units[0])
	other := x.account("unit-2", "unit", &x.units[1])
	staff := x.account("office-1", "office", nil)
	sent := day(t, "2026-09-28")
	c, err := x.openCase(x.units[0], false, sent)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.step(func(tx pgx.Tx) (feedback.Case, error) {
		_, err := feedback.SaveReminderSettings(x.ctx, tx, office, feedback.ReminderSettings{DaysBefore: 11, EscalateAfter: -1}, sent)
		return feedback.Case{}, err
	}); err == nil {
		t.Fatal("bad settings accepted")
	}
	if _, err := x.step(func(tx pgx.Tx) (feedback.Case, error) {
		_, err := feedback.SaveReminderSettings(x.ctx, tx, office, feedback.ReminderSettings{DaysBefore: 2, EscalateAfter: 2}, sent)
		return feedback.Case{}, err
	}); err != nil {
		t.Fatal(err)
	}
	cal, err := workdays.Load(x.ctx, x.pool, 2026, 2026)
	if err != nil {
		t.Fatal(err)
	}
	due := day(t, *c.AnswerDue) // 2026-10-23, over the National Day holidays
	at := func(workdaysFromDue int) time.Time {
		if workdaysFromDue >= 0 {
			d, _ := cal.AddWorkdays(due, workdaysFromDue)
			return d.Date.Add(9 * time.Hour)
		}
		// Count back: the n-th working day before the deadline.
		d := due
		for n := -workdaysFromDue; n > 0; {
			d = d.AddDate(0, 0, -1)
			if w, _ := cal.IsWorkday(d); w {
				n--
			}
		}
		return d.Add(9 * time.Hour)
	}
	run := func(now time.Time) int {
		t.Helper()
		n, err := feedback.SendReminders(x.ctx, x.pool, now, shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := run(at(-3)); n != 0 {
		t.Fatalf("three working days ahead: %d notices", n)
	}
	if n := run(at(-2)); n != 1 {
		t.Fatalf("two working days ahead: %d notices", n)
	}
	if n := run(at(-2)); n != 0 {
		t.Fatalf("the step ran again: %d notices", n)
	}
	if n := run(due); n != 0 {
		t.Fatalf("on the day: %d notices", n)
	}
	p, _ := notify.List(x.ctx, x.pool, unit, 10, 0)
	if p.Items[0].Body != "整改案件“窗口办事慢”的答复期限为2026年10月23日，还剩2个工作日，请按期提交答复和整改方案。" {
		t.Fatalf("reminder text: %q", p.Items[0].Body)
	}
	if n := run(at(1)); n != 1 {
		t.Fatalf("one working day late: %d notices", n)
	}
	if n := run(at(2)); n != 1 {
		t.Fatalf("two working days late: %d notices (want the office's)", n)
	}
	if n := run(at(5)); n != 0 {
		t.Fatalf("later: %d notices", n)
	}
	got, want := x.kinds(unit), []string{feedback.NoticeCaseSent, feedback.NoticeCaseDueSoon, feedback.NoticeCaseOverdue}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("unit's notices %v, want %v", got, want)
	}
	if got := x.kinds(staff); len(got) != 1 || got[0] != feedback.NoticeCaseEscalated {
		t.Fatalf("office's notices %v", got)
	}
	if got := x.kinds(other); len(got) != 0 {
		t.Fatalf("another unit was told: %v", got)
	}
}

// A real-name complaint made a case tells the office a call-back is due,
// by when, without the citizen's number; an anonymous one does not.
func TestCallbackDueNotice(t *testing.T) {
	x := newWorld(t, 1)
	staff := x.account("office-1", "office", nil)
	if _, err := x.openCase(x.units[0], false, day(t, "2026-09-28")); err != nil {
		t.Fatal(err)
	}
	if got := x.kinds(staff); len(got) != 0 {
		t.Fatalf("anonymous complaint: %v", got)
	}
	c, err := x.openCase(x.units[0], true, day(t, "2026-09-28"))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := notify.List(x.ctx, x.pool, staff, 10, 0)
	if len(p.Items) != 1 || p.Items[0].Kind != feedback.NoticeCallbackDue || p.Items[0].Title != "实名差评待回访：单位1" ||
		p.Items[0].Body != "群众实名反映单位1“窗口办事慢”，已立案交办。请在2026年9月29日前完成回访。" ||
		p.Items[0].Link != "/console/callbacks/"+c.IDString() {
		t.Fatalf("office notices: %+v", p.Items)
	}
}
