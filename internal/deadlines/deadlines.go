// Package deadlines ties the working-day calendar to the deadlines stored
// across the domain (cases' answers and call-backs, review windows of
// preliminary results, answers to applications for review): saving a year
// of the calendar recomputes every provisional deadline in the same
// transaction, and the office's overview counts those still provisional.
package deadlines

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/feedback"
	"minyi/internal/results"
	"minyi/internal/workdays"
)

// SaveResult is the outcome of SaveYear.
type SaveResult struct {
	workdays.SaveResult
	// Recomputed are the provisional deadlines the save recomputed.
	Recomputed []workdays.Recomputation
}

// SaveYear saves a year of the calendar (workdays.SaveYear) and, when it
// changed, recounts every provisional deadline with the calendar as saved,
// all in tx: each changed item gets a note and an audit entry, and keeps
// its provisional mark only while it still touches a year without a
// calendar. It returns invalid for bad input.
func SaveYear(ctx context.Context, tx pgx.Tx, actor audit.Actor, loc *time.Location, in workdays.YearInput, now time.Time) (SaveResult, error) {
	res, err := workdays.SaveYear(ctx, tx, actor, in, now)
	if err != nil || !res.Changed {
		return SaveResult{SaveResult: res, Recomputed: []workdays.Recomputation{}}, err
	}
	cal, err := workdays.LoadAll(ctx, tx)
	if err != nil {
		return SaveResult{}, err
	}
	out := SaveResult{SaveResult: res, Recomputed: []workdays.Recomputation{}}
	cases, err := feedback.RecomputeDeadlines(ctx, tx, actor, cal, in.Year, now)
	if err != nil {
		return SaveResult{}, err
	}
	reviews, err := results.RecomputeDeadlines(ctx, tx, actor, loc, cal, in.Year, now)
	if err != nil {
		return SaveResult{}, err
	}
	out.Recomputed = append(append(out.Recomputed, cases...), reviews...)
	return out, nil
}

// CountProvisional returns how many stored deadlines are provisional.
func CountProvisional(ctx context.Context, q db.DBTX) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT
		(SELECT count(*) FILTER (WHERE answer_due_provisional) + count(*) FILTER (WHERE callback_due_provisional)
			FROM rectification_cases WHERE answer_due_provisional OR callback_due_provisional)
		+ (SELECT count(*) FROM assessment_publications WHERE appeal_deadline_provisional)
		+ (SELECT count(*) FROM assessment_appeals WHERE answer_due_provisional)`).Scan(&n)
	return n, db.Err(err)
}
