// Deadline reminders of rectification cases (催办 and 督办, issue 14).

package feedback

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/notify"
	"minyi/internal/workdays"
)

// Kinds of the reminders.
const (
	NoticeCaseDueSoon   = notify.KindCaseDueSoon
	NoticeCaseOverdue   = notify.KindCaseOverdue
	NoticeCaseEscalated = notify.KindCaseEscalated
)

// ReminderSettings say when the unit is reminded of a deadline and when
// an overdue case is escalated to the office, in working days.
type ReminderSettings struct {
	// DaysBefore: the unit is reminded this many working days before an
	// answer or fix deadline (0: on the day only).
	DaysBefore int `json:"days_before" db:"days_before"`
	// EscalateAfter: the office is told once a deadline has been missed
	// by this many working days (0: the first day overdue).
	EscalateAfter int `json:"escalate_after" db:"escalate_after"`
}

// LoadReminderSettings returns the settings.
func LoadReminderSettings(ctx context.Context, q db.DBTX) (ReminderSettings, error) {
	var s ReminderSettings
	err := q.QueryRow(ctx, `SELECT days_before, escalate_after FROM reminder_settings`).Scan(&s.DaysBefore, &s.EscalateAfter)
	return s, db.Err(err)
}

// SaveReminderSettings stores the settings (0..10 and 0..30 working
// days), audited; the same values again write nothing.
func SaveReminderSettings(ctx context.Context, tx pgx.Tx, actor audit.Actor, s ReminderSettings, now time.Time) (ReminderSettings, error) {
	f := apperr.Fields{}
	if s.DaysBefore < 0 || s.DaysBefore > 10 {
		f.Add("days_before", "提前提醒天数须为0至10个工作日")
	}
	if s.EscalateAfter < 0 || s.EscalateAfter > 30 {
		f.Add("escalate_after", "逾期督办天数须为0至30个工作日")
	}
	if err := f.Err(); err != nil {
		return ReminderSettings{}, err
	}
	before, err := LoadReminderSettings(ctx, tx)
	if err != nil || before == s {
		return before, err
	}
	if _, err := tx.Exec(ctx, `UPDATE reminder_settings SET days_before = $1, escalate_after = $2, updated_by = $3, updated_at = $4`,
		s.DaysBefore, s.EscalateAfter, actorID(actor), now); err != nil {
		return ReminderSettings{}, db.Err(err)
	}
	return s, audit.Record(ctx, tx, actor, "case.reminders", "case_settings", "reminders", before, s)
}

// deadlineRow is one open deadline of a case: its answer (not given) or
// its fix (not reported done).
type deadlineRow struct {
	CaseID   int64
	UnitID   int64
	UnitName string
	Problem  string
	Fix      bool
	Due      time.Time
}

// SendReminders notifies, once per case, deadline and step: the unit when
// an answer or fix deadline is DaysBefore working days away or nearer
// (催办), the unit again once it has passed, and the office once it has
// been missed by EscalateAfter working days (督办), for deadlines up to
// reminderLookBack days past. It counts working days
// on the calendar (weekends only, 暂定, for a year not entered). The
// notifications' keys carry the deadline, so a deadline moved (a
// provisional one recomputed) is reminded of again and nothing else is.
// It returns how many notifications it recorded.
func SendReminders(ctx context.Context, pool *pgxpool.Pool, now time.Time, loc *time.Location) (int, error) {
	today := now.In(loc)
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc)
	sent := 0
	err := db.Tx(ctx, pool, func(tx pgx.Tx) error {
		set, err := LoadReminderSettings(ctx, tx)
		if err != nil {
			return err
		}
		cal, err := workdays.Load(ctx, tx, today.Year()-1, today.Year()+1)
		if err != nil {
			return err
		}
		horizon, err := cal.AddWorkdays(today, set.DaysBefore)
		if err != nil {
			return err
		}
		// Open cases only, down the partial index of open cases.
		rows, _ := tx.Query(ctx, `SELECT c.id, c.unit_id, u.name, c.problem, d.fix, d.due
			FROM rectification_cases c JOIN units u ON u.id = c.unit_id
			CROSS JOIN LATERAL (VALUES (false, CASE WHEN c.answered_at IS NULL THEN c.answer_due END),
				(true, CASE WHEN c.status NOT IN ('done_reported', 'closed') THEN c.fix_due END)) AS d(fix, due)
			WHERE `+openCasesSQL+` AND d.due IS NOT NULL AND d.due <= $1::date AND d.due >= $2::date
			ORDER BY c.id, d.fix`, horizon.String(), today.AddDate(0, 0, -reminderLookBack).Format(time.DateOnly))
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (deadlineRow, error) {
			var d deadlineRow
			var due time.Time
			err := r.Scan(&d.CaseID, &d.UnitID, &d.UnitName, &d.Problem, &d.Fix, &due)
			d.Due = time.Date(due.Year(), due.Month(), due.Day(), 0, 0, 0, 0, loc)
			return d, err
		})
		if err != nil {
			return db.Err(err)
		}
		var notices []notify.Notice
		for _, d := range list {
			notices = append(notices, reminderNotices(d, cal, today, set)...)
		}
		sent, err = notify.SendAll(ctx, tx, notices, now)
		return err
	})
	return sent, err
}

// reminderLookBack is how many days after a deadline it is still
// reminded of or escalated: a deadline missed longer ago is on the
// overview and the to-do lists already, and a first run after an upgrade
// must not flood everyone with old cases.
const reminderLookBack = 30

// reminderNotices are the notifications one deadline calls for today.
func reminderNotices(d deadlineRow, cal *workdays.Calendar, today time.Time, set ReminderSettings) []notify.Notice {
	what, verb := "答复期限", "提交答复和整改方案"
	if d.Fix {
		what, verb = "整改完成期限", "完成整改并报告"
	}
	step := "answer"
	if d.Fix {
		step = "fix"
	}
	key := func(kind string) string {
		return kind + ":" + step + ":" + strconv.FormatInt(d.CaseID, 10) + ":" + d.Due.Format(time.DateOnly)
	}
	n, provisional := cal.WorkdaysBetween(today, d.Due)
	// The values every reminder of this deadline shares; each kind adds
	// its own.
	values := func(more ...string) notify.Values {
		v := notify.Values{"案件": caseTitle(d.Problem), "期限名称": what,
			"到期日期": notify.Date(d.Due.Format(time.DateOnly), provisional), "应办事项": verb}
		for i := 0; i+1 < len(more); i += 2 {
			v[more[i]] = more[i+1]
		}
		return v
	}
	var out []notify.Notice
	if !d.Due.Before(today) {
		left := "今天到期"
		if n > 0 {
			left = "还剩" + strconv.Itoa(n) + "个工作日"
		}
		return append(out, notify.Notice{Kind: NoticeCaseDueSoon, Key: key(NoticeCaseDueSoon), To: notify.ToUnit(d.UnitID),
			Values: values("剩余时间", left), Link: caseLink(d.CaseID)})
	}
	late := max(1, -n)
	out = append(out, notify.Notice{Kind: NoticeCaseOverdue, Key: key(NoticeCaseOverdue), To: notify.ToUnit(d.UnitID),
		Values: values(), Link: caseLink(d.CaseID)})
	if late >= max(1, set.EscalateAfter) {
		esc := values("单位", d.UnitName, "逾期工作日", strconv.Itoa(late))
		delete(esc, "应办事项")
		out = append(out, notify.Notice{Kind: NoticeCaseEscalated, Key: key(NoticeCaseEscalated), To: notify.ToOffice(),
			Values: esc, Link: caseLink(d.CaseID)})
	}
	return out
}
