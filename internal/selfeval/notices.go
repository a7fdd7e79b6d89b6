package selfeval

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/db"
	"minyi/internal/notify"
)

// Kinds of the self-evaluation notifications (issue 14's catalogue).
const (
	// NoticeDueSoon tells a unit its report of a period is due within
	// DueSoonDays.
	NoticeDueSoon = notify.KindSelfEvalDueSoon
	// NoticeOverdue tells a unit its report is past the due date.
	NoticeOverdue = notify.KindSelfEvalOverdue
	// NoticeLate tells the office a report was first submitted late.
	NoticeLate = notify.KindSelfEvalLate
)

// ReminderLookBack is how many days after a period's due date a unit
// still missing its report is told it is overdue (a period entered long
// after its due date reminds no one).
const ReminderLookBack = 30

// noticeKey is the key of a period's notice to or about a unit: each is
// sent once per unit and period.
func noticeKey(kind string, periodID, unitID int64) string {
	return kind + ":" + strconv.FormatInt(periodID, 10) + ":" + strconv.FormatInt(unitID, 10)
}

// noticeLate tells the office, in the submission's transaction, that the
// unit first submitted its report of the period after the due date, on
// today (the local date).
func noticeLate(ctx context.Context, tx pgx.Tx, p Period, unitID int64, today string, now time.Time) error {
	var unit, cycle string
	if err := tx.QueryRow(ctx, `SELECT u.name, c.name FROM units u, assessment_cycles c WHERE u.id = $1 AND c.id = $2`,
		unitID, p.CycleID).Scan(&unit, &cycle); err != nil {
		return db.Err(err)
	}
	_, _, err := notify.Send(ctx, tx, notify.Notice{Kind: NoticeLate, Key: noticeKey(NoticeLate, p.ID, unitID),
		To: notify.ToOffice(), Link: reportLink(p.ID, unitID),
		Values: notify.Values{"单位": unit, "考核年度": cycle, "自评期次": p.Name, "报送期限": notify.Date(p.DueOn, false),
			"提交日期": notify.Date(today, false)}}, now)
	return err
}

func reportLink(periodID, unitID int64) string {
	return "/console/self-eval-periods/" + strconv.FormatInt(periodID, 10) + "/units/" + strconv.FormatInt(unitID, 10)
}

// owing is a unit that owes its report of a period and has not been told.
type owing struct {
	PeriodID  int64  `db:"period_id"`
	Name      string `db:"name"`
	DueOn     string `db:"due_on"`
	CycleName string `db:"cycle_name"`
	UnitID    int64  `db:"unit_id"`
}

// SendReminders tells each unit with a target sheet that has not
// submitted its report of a period, once per unit and period each: that
// it is due soon (due today or within DueSoonDays) and that it is overdue
// (due date passed, up to ReminderLookBack days ago); periods of cycles
// whose self-evaluation is locked remind no one. The keys make a second
// run, or another instance's at the same time, record nothing again; the
// units already told are left out by the notifications' key index, so a
// run over a province costs one read. It returns how many notifications
// it recorded.
func SendReminders(ctx context.Context, pool *pgxpool.Pool, now time.Time, loc *time.Location) (int, error) {
	today := now.In(loc).Format(dateLayout)
	sent := 0
	err := db.Tx(ctx, pool, func(tx pgx.Tx) error {
		var notices []notify.Notice
		for _, k := range []struct {
			kind, window string
			days         int
		}{
			{NoticeDueSoon, `p.due_on >= $1::date AND p.due_on <= $1::date + $2::int`, DueSoonDays},
			{NoticeOverdue, `p.due_on < $1::date AND p.due_on >= $1::date - $2::int`, ReminderLookBack},
		} {
			rows, _ := tx.Query(ctx, `SELECT p.id AS period_id, p.name, to_char(p.due_on, 'YYYY-MM-DD') AS due_on,
					c.name AS cycle_name, s.unit_id
				FROM self_eval_periods p JOIN assessment_cycles c ON c.id = p.cycle_id
				JOIN target_sheets s ON s.cycle_id = p.cycle_id
				WHERE `+k.window+`
				  AND NOT COALESCE((SELECT t.self_eval_locked FROM target_settings t WHERE t.cycle_id = p.cycle_id), false)
				  AND NOT EXISTS (SELECT 1 FROM self_eval_reports r WHERE r.period_id = p.id AND r.unit_id = s.unit_id)
				  AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.event_key = $3::text || ':' || p.id || ':' || s.unit_id)
				ORDER BY p.due_on, p.id, s.unit_id`, today, k.days, k.kind)
			list, err := pgx.CollectRows(rows, pgx.RowToStructByName[owing])
			if err != nil {
				return db.Err(err)
			}
			for _, o := range list {
				v := notify.Values{"考核年度": o.CycleName, "自评期次": o.Name, "报送期限": notify.Date(o.DueOn, false)}
				if k.kind == NoticeDueSoon {
					v["剩余时间"] = remaining(today, o.DueOn)
				}
				notices = append(notices, notify.Notice{Kind: k.kind, Key: noticeKey(k.kind, o.PeriodID, o.UnitID),
					To: notify.ToUnit(o.UnitID), Values: v, Link: reportLink(o.PeriodID, o.UnitID)})
			}
		}
		var err error
		sent, err = notify.SendAll(ctx, tx, notices, now)
		return err
	})
	return sent, err
}

// remaining says how long until the due date: 今天到期 or 还剩N天.
func remaining(today, due string) string {
	t, _ := parseDate(today)
	d, _ := parseDate(due)
	n := int(d.Sub(t).Hours() / 24)
	if n <= 0 {
		return "今天到期"
	}
	return "还剩" + strconv.Itoa(n) + "天"
}
