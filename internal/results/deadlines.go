package results

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/workdays"
)

// addPublicationNotes fills in the notes of the publications' recomputed
// review windows.
func addPublicationNotes(ctx context.Context, q db.DBTX, list []Publication) error {
	ids := make([]int64, len(list))
	for i, p := range list {
		ids[i] = p.ID
	}
	notes, err := workdays.ListRecomputations(ctx, q, workdays.EntityPublication, ids)
	if err != nil {
		return err
	}
	for i := range list {
		list[i].DeadlineNotes = workdays.NotesOf(notes, workdays.EntityPublication, list[i].ID)
	}
	return nil
}

// provisionalDeadline is a stored provisional deadline of the results: a
// review window or an application's answer deadline.
type provisionalDeadline struct {
	ID      int64     `db:"id"`
	CycleID int64     `db:"cycle_id"`
	From    time.Time `db:"counted_from"`
	Due     string    `db:"due"`
	Days    int       `db:"days"`
}

// RecomputeDeadlines recounts, with cal (holding year, just entered or
// corrected by actor), every provisional review window of a preliminary
// publication (from its local date) and every provisional answer
// deadline of an application for review (from the application's local
// date). A deadline that no longer touches an absent year stops being
// provisional. Each item whose deadline changes gets a note (see
// Publication.DeadlineNotes, Appeal.DeadlineNotes) and one audit entry
// (deadline.recompute). It returns the recomputations.
func RecomputeDeadlines(ctx context.Context, tx pgx.Tx, actor audit.Actor, loc *time.Location, cal *workdays.Calendar, year int, now time.Time) ([]workdays.Recomputation, error) {
	pubs, err := recompute(ctx, tx, actor, loc, cal, year, now, workdays.EntityPublication, workdays.FieldAppealDeadline,
		`SELECT id, cycle_id, published_at AS counted_from, appeal_deadline::text AS due, appeal_days AS days
		FROM assessment_publications WHERE appeal_deadline_provisional ORDER BY id FOR UPDATE`,
		`UPDATE assessment_publications SET appeal_deadline = $2::date, appeal_deadline_provisional = $3 WHERE id = $1`)
	if err != nil {
		return nil, err
	}
	appeals, err := recompute(ctx, tx, actor, loc, cal, year, now, workdays.EntityAppeal, workdays.FieldAnswerDue,
		`SELECT id, cycle_id, created_at AS counted_from, answer_due::text AS due, answer_days AS days
		FROM assessment_appeals WHERE answer_due_provisional ORDER BY id FOR UPDATE`,
		`UPDATE assessment_appeals SET answer_due = $2::date, answer_due_provisional = $3 WHERE id = $1`)
	return append(pubs, appeals...), err
}

// recompute recounts the provisional deadlines list selects and stores
// the changed ones with update ($1 id, $2 date, $3 provisional).
func recompute(ctx context.Context, tx pgx.Tx, actor audit.Actor, loc *time.Location, cal *workdays.Calendar, year int, now time.Time,
	entity, field, list, update string) ([]workdays.Recomputation, error) {
	rows, _ := tx.Query(ctx, list)
	items, err := pgx.CollectRows(rows, pgx.RowToStructByName[provisionalDeadline])
	if err != nil {
		return nil, db.Err(err)
	}
	var out []workdays.Recomputation
	for _, it := range items {
		r, due, changed := workdays.Recount(cal, year, entity, it.ID, field, localDay(it.From, loc), it.Days, it.Due)
		if !changed {
			continue
		}
		if _, err := tx.Exec(ctx, update, it.ID, due.String(), due.Provisional); err != nil {
			return nil, db.Err(err)
		}
		// The log keeps publications on their cycle, as it does when they
		// are published.
		auditEntity, auditID := "cycle", strconv.FormatInt(it.CycleID, 10)
		if entity == workdays.EntityAppeal {
			auditEntity, auditID = "appeal", strconv.FormatInt(it.ID, 10)
		}
		before := map[string]any{entity + "_id": it.ID, field: it.Due, field + "_provisional": true}
		after := map[string]any{entity + "_id": it.ID, field: due.String(), field + "_provisional": due.Provisional}
		rs := []workdays.Recomputation{r}
		if err := workdays.RecordRecomputations(ctx, tx, actor, rs, &it.CycleID, auditEntity, auditID, before, after, now); err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}
