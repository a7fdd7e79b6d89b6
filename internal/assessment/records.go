package assessment

import (
	"context"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
)

// The office's records of a cycle (deductions, grade and rank
// adjustments, bonus claims) are read the same way: columns is the SELECT
// list with its FROM, the record's table aliased a.

// cycleRecords returns the cycle's records, of one unit when unitID is not
// nil, newest first (never nil).
func cycleRecords[T any](ctx context.Context, q db.DBTX, columns, a string, cycleID int64, unitID *int64) ([]T, error) {
	rows, _ := q.Query(ctx, `SELECT `+columns+`
		WHERE `+a+`.cycle_id = $1 AND ($2::bigint IS NULL OR `+a+`.unit_id = $2) ORDER BY `+a+`.id DESC`, cycleID, unitID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[T])
	if list == nil {
		list = []T{}
	}
	return list, db.Err(err)
}

// findRecord returns the record id, or not_found saying message.
func findRecord[T any](ctx context.Context, q db.DBTX, columns, a string, id int64, message string) (T, error) {
	rows, _ := q.Query(ctx, `SELECT `+columns+` WHERE `+a+`.id = $1`, id)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[T])
	return r, notFound(db.Err(err), message)
}
