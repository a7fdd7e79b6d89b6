package assessors

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/feedback"
)

// OpenCase opens a rectification case on a problem the assessor unit
// found in a unit it assesses (CheckAssesses's errors otherwise); the
// assessor then follows it and the office keeps closing or returning it.
// It returns feedback.OpenAssessorCase's errors for the problem.
func OpenCase(ctx context.Context, tx pgx.Tx, loc *time.Location, actor audit.Actor, cycleID, assessorID int64,
	in feedback.AssessorCaseInput, now time.Time) (feedback.Case, error) {
	if _, err := CheckAssesses(ctx, tx, cycleID, assessorID, in.UnitID); err != nil {
		return feedback.Case{}, err
	}
	return feedback.OpenAssessorCase(ctx, tx, loc, actor, assessorID, cycleID, in, now)
}

// ListCases returns a page of the cases the assessor unit opened, newest
// first, with their progress, and how many there are.
func ListCases(ctx context.Context, q db.DBTX, assessorID int64, today time.Time, limit, offset int) ([]feedback.Case, int, error) {
	return feedback.ListCases(ctx, q, feedback.CaseFilter{AssessorUnitID: &assessorID, Today: today, Limit: limit, Offset: offset})
}
