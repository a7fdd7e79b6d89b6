package workdays

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/audit"
	"minyi/internal/db"
)

// yearLock is the advisory lock class of a calendar year: SaveYear holds
// (yearLock, year) exclusively until it commits, and a count that comes out
// provisional through an absent year takes it shared before counting again
// (Deadline). So a deadline stored while the office saves that year is
// either counted with the saved year or seen by the save's recomputation,
// never left provisional by the race.
const yearLock = 7305019

// lockYear takes the year's lock exclusively until the transaction ends.
func lockYear(ctx context.Context, tx pgx.Tx, year int) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, yearLock, year)
	return db.Err(err)
}

// waitForYears takes the years' locks shared until the transaction ends,
// waiting for a save of one of them under way.
func waitForYears(ctx context.Context, q db.DBTX, years []int) error {
	_, err := q.Exec(ctx, `SELECT pg_advisory_xact_lock_shared($1, y) FROM unnest($2::int[]) AS y ORDER BY y`, yearLock, years)
	return db.Err(err)
}

// Entities and fields of a recomputed deadline.
const (
	EntityCase        = "rectification_case"
	EntityPublication = "publication"
	EntityAppeal      = "appeal"

	FieldAnswerDue      = "answer_due"      // a case's answer, or the answer to an application for review
	FieldCallbackDue    = "callback_due"    // a case's call-back
	FieldAppealDeadline = "appeal_deadline" // the last day to apply for review of the preliminary results
)

// Recomputation is one provisional deadline recomputed when the office
// entered or corrected Year of the calendar.
type Recomputation struct {
	ID       int64  `json:"id" db:"id"`
	Year     int    `json:"year" db:"year"`
	Entity   string `json:"entity" db:"entity"`
	EntityID int64  `json:"entity_id" db:"entity_id"`
	Field    string `json:"field" db:"field"`
	OldDue   string `json:"old_due" db:"old_due"`
	NewDue   string `json:"new_due" db:"new_due"`
	// Provisional: the new deadline is still provisional, as it touches
	// another year not yet entered.
	Provisional bool      `json:"provisional" db:"provisional"`
	CycleID     *int64    `json:"cycle_id" db:"cycle_id"`
	CreatedAt   time.Time `json:"created_at" db:"created_at"`
	// Note is what the item's page shows, e.g.
	// 答复期限已按2027年工作日历重新计算：原暂定 2027-01-08，现 2027-01-11.
	Note string `json:"note" db:"-"`
}

// FieldLabel is the Chinese name of the recomputed deadline.
func (r Recomputation) FieldLabel() string {
	switch {
	case r.Field == FieldCallbackDue:
		return "回访期限"
	case r.Field == FieldAppealDeadline:
		return "申请复核期限"
	case r.Entity == EntityAppeal:
		return "复核答复期限"
	}
	return "答复期限"
}

// note composes the Note.
func (r Recomputation) note() string {
	s := r.FieldLabel() + "已按" + strconv.Itoa(r.Year) + "年工作日历重新计算：原暂定 " + r.OldDue + "，现 " + r.NewDue
	if r.Provisional {
		s += "（仍为暂定，涉及的其他年度工作日历尚未录入）"
	}
	return s
}

// Recount recounts a provisional deadline of n working days from start
// with cal (holding the year just saved) and returns the Recomputation
// when the date or its provisional mark changes; changed is false when
// the deadline stays as it was.
func Recount(cal *Calendar, year int, entity string, id int64, field string, start time.Time, n int, old string) (r Recomputation, due Due, changed bool) {
	due, err := cal.AddWorkdays(start, n)
	if err != nil || (due.String() == old && due.Provisional) {
		return Recomputation{}, due, false
	}
	r = Recomputation{Year: year, Entity: entity, EntityID: id, Field: field, OldDue: old, NewDue: due.String(), Provisional: due.Provisional}
	r.Note = r.note()
	return r, due, true
}

// RecordRecomputations stores the recomputations of one item (setting
// their ID and CreatedAt) and writes one audit entry, deadline.recompute,
// on the audit log's record of the item (entity, id) with its state
// before and after.
func RecordRecomputations(ctx context.Context, tx pgx.Tx, actor audit.Actor, rs []Recomputation, cycleID *int64,
	entity, id string, before, after any, now time.Time) error {
	if len(rs) == 0 {
		return nil
	}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	for i := range rs {
		rs[i].CycleID, rs[i].CreatedAt = cycleID, now
		if err := tx.QueryRow(ctx, `INSERT INTO deadline_recomputations (year, entity, entity_id, field, old_due, new_due,
			provisional, cycle_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5::date, $6::date, $7, $8, $9, $10) RETURNING id`,
			rs[i].Year, rs[i].Entity, rs[i].EntityID, rs[i].Field, rs[i].OldDue, rs[i].NewDue, rs[i].Provisional, cycleID, by, now).
			Scan(&rs[i].ID); err != nil {
			return db.Err(err)
		}
	}
	return audit.Record(ctx, tx, actor, "deadline.recompute", entity, id, before, after)
}

const recomputationSQL = `SELECT id, year, entity, entity_id, field, to_char(old_due, 'YYYY-MM-DD') AS old_due,
	to_char(new_due, 'YYYY-MM-DD') AS new_due, provisional, cycle_id, created_at FROM deadline_recomputations`

// ListRecomputations returns the recomputations of the entity's items
// ids, oldest first, each with its Note.
func ListRecomputations(ctx context.Context, q db.DBTX, entity string, ids []int64) ([]Recomputation, error) {
	return listRecomputations(ctx, q, recomputationSQL+` WHERE entity = $1 AND entity_id = ANY ($2) ORDER BY id`, entity, ids)
}

// ListRecomputationsOfYear returns the recomputations made when year was
// entered or corrected, oldest first.
func ListRecomputationsOfYear(ctx context.Context, q db.DBTX, year int) ([]Recomputation, error) {
	return listRecomputations(ctx, q, recomputationSQL+` WHERE year = $1 ORDER BY id LIMIT 1000`, year)
}

func listRecomputations(ctx context.Context, q db.DBTX, sql string, args ...any) ([]Recomputation, error) {
	rows, _ := q.Query(ctx, sql, args...)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Recomputation])
	if list == nil {
		list = []Recomputation{}
	}
	for i := range list {
		list[i].Note = list[i].note()
	}
	return list, db.Err(err)
}

// NotesOf returns the notes of the recomputations of one item, oldest
// first.
func NotesOf(list []Recomputation, entity string, id int64) []string {
	var out []string
	for _, r := range list {
		if r.Entity == entity && r.EntityID == id {
			out = append(out, r.Note)
		}
	}
	return out
}
