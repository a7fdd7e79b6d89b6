package feedback

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/workdays"
)

// settingDays returns the days of a group.
func settingDays(ctx context.Context, q db.DBTX, group string) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT days FROM case_settings WHERE source_group = $1`, group).Scan(&n)
	return n, db.Err(err)
}

// caseDue is a deadline of a case: the date and the working days it
// counts, provisional when it touches a year without a calendar.
type caseDue struct {
	date        string
	days        int
	provisional bool
}

// caseDates are the dates a case gets when it is sent.
type caseDates struct {
	cycleID          *int64
	sentOn           string
	answer, callback caseDue
	hasCallback      bool
}

// sendDates computes the dates of a case of group sent on now's local day:
// the answer due after the group's period in working days, the call-back
// due for real-name cases, and the cycle whose period holds the day when
// exactly one does. A deadline through a year without a calendar is
// provisional (counted with weekends only), never refused.
func sendDates(ctx context.Context, q db.DBTX, loc *time.Location, group string, realName bool, now time.Time) (caseDates, error) {
	day := now.In(loc)
	d := caseDates{sentOn: dayOf(day)}
	var err error
	if d.answer, err = countDue(ctx, q, day, group); err != nil {
		return d, err
	}
	if realName {
		if d.callback, err = countDue(ctx, q, day, GroupCallback); err != nil {
			return d, err
		}
		d.hasCallback = true
	}
	rows, _ := q.Query(ctx, `SELECT id FROM assessment_cycles WHERE $1::date BETWEEN period_start AND period_end`, d.sentOn)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return d, db.Err(err)
	}
	if len(ids) == 1 {
		d.cycleID = &ids[0]
	}
	return d, nil
}

// countDue counts the period of group from day.
func countDue(ctx context.Context, q db.DBTX, day time.Time, group string) (caseDue, error) {
	n, err := settingDays(ctx, q, group)
	if err != nil {
		return caseDue{}, err
	}
	due, err := workdays.Deadline(ctx, q, day, n)
	return caseDue{date: due.String(), days: n, provisional: due.Provisional}, err
}

// insertCase stores a new case with its dates, tells the unit it was sent
// (noticeCaseSent) and, for a real-name complaint, the office that a
// call-back is due (noticeCallbackDue), in the same transaction, and
// returns its id. reasons are those of the rating the case is opened on
// (source_reasons, which the reports count; nil for other sources).
func insertCase(ctx context.Context, tx pgx.Tx, actor audit.Actor, unitID int64, kind, sourceID, group, problem string, realName bool, reasons []string, d caseDates, now time.Time) (int64, error) {
	var cb *string
	var cbDays *int
	if d.hasCallback {
		cb, cbDays = &d.callback.date, &d.callback.days
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO rectification_cases (unit_id, source_kind, source_id, source_group, problem,
			real_name, created_by, created_at, updated_at, cycle_id, sent_on, answer_due, callback_due,
			answer_days, answer_due_provisional, callback_days, callback_due_provisional, source_reasons)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id`,
		unitID, kind, sourceID, group, problem, realName, actorID(actor), now, d.cycleID, d.sentOn, d.answer.date, cb,
		d.answer.days, d.answer.provisional, cbDays, d.hasCallback && d.callback.provisional, reasons).Scan(&id)
	if err != nil {
		return 0, db.Err(err)
	}
	if d.hasCallback {
		if err := noticeCallbackDue(ctx, tx, id, unitID, problem, d.callback, now); err != nil {
			return 0, err
		}
	}
	return id, noticeCaseSent(ctx, tx, id, unitID, problem, d.answer, now)
}

// provisionalCase is a case with a provisional deadline.
type provisionalCase struct {
	ID           int64   `db:"id"`
	CycleID      *int64  `db:"cycle_id"`
	SentOn       string  `db:"sent_on"`
	AnswerDue    *string `db:"answer_due"`
	AnswerProv   bool    `db:"answer_due_provisional"`
	AnswerDays   *int    `db:"answer_days"`
	CallbackDue  *string `db:"callback_due"`
	CallbackProv bool    `db:"callback_due_provisional"`
	CallbackDays *int    `db:"callback_days"`
}

// RecomputeDeadlines recounts every provisional answer and call-back
// deadline of a case with cal, which holds year just entered or corrected
// by actor: a deadline that no longer touches an absent year stops being
// provisional. Each case whose deadlines change gets a note on its
// timeline per deadline and one audit entry (deadline.recompute); the
// overdue flags and deduction proposals read the new dates. Finished
// cases are recounted too, as the proposals judge their answers against
// the deadline. It returns the recomputations.
func RecomputeDeadlines(ctx context.Context, tx pgx.Tx, actor audit.Actor, cal *workdays.Calendar, year int, now time.Time) ([]workdays.Recomputation, error) {
	rows, _ := tx.Query(ctx, `SELECT id, cycle_id, sent_on::text AS sent_on, answer_due::text AS answer_due, answer_due_provisional,
			answer_days, callback_due::text AS callback_due, callback_due_provisional, callback_days
		FROM rectification_cases WHERE (answer_due_provisional OR callback_due_provisional) AND sent_on IS NOT NULL
		ORDER BY id FOR UPDATE`)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[provisionalCase])
	if err != nil {
		return nil, db.Err(err)
	}
	var out []workdays.Recomputation
	for _, pc := range list {
		start, err := time.Parse(time.DateOnly, pc.SentOn)
		if err != nil {
			return nil, err
		}
		var rs []workdays.Recomputation
		recount := func(field string, prov *bool, due *string, days *int) {
			if !*prov {
				return
			}
			r, d, changed := workdays.Recount(cal, year, workdays.EntityCase, pc.ID, field, start, *days, *due)
			if changed {
				rs = append(rs, r)
				*due, *prov = d.String(), d.Provisional
			}
		}
		recount(workdays.FieldAnswerDue, &pc.AnswerProv, pc.AnswerDue, pc.AnswerDays)
		recount(workdays.FieldCallbackDue, &pc.CallbackProv, pc.CallbackDue, pc.CallbackDays)
		if len(rs) == 0 {
			continue
		}
		before, err := FindCase(ctx, tx, pc.ID)
		if err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, `UPDATE rectification_cases SET answer_due = $2::date, answer_due_provisional = $3,
			callback_due = $4::date, callback_due_provisional = $5, updated_at = $6 WHERE id = $1`,
			pc.ID, pc.AnswerDue, pc.AnswerProv, pc.CallbackDue, pc.CallbackProv, now); err != nil {
			return nil, db.Err(err)
		}
		for _, r := range rs {
			if _, err := tx.Exec(ctx, `INSERT INTO case_updates (case_id, kind, body, created_by, created_at)
				VALUES ($1, 'note', $2, $3, $4)`, pc.ID, r.Note, actorID(actor), now); err != nil {
				return nil, db.Err(err)
			}
		}
		after, err := FindCase(ctx, tx, pc.ID)
		if err != nil {
			return nil, err
		}
		if err := workdays.RecordRecomputations(ctx, tx, actor, rs, pc.CycleID, workdays.EntityCase, before.IDString(), before, after, now); err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}
