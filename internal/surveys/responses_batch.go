package surveys

import (
	"context"
	"strconv"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
)

// ResponseCursor is a response's place in an export's walk: its day and id.
type ResponseCursor struct {
	Day string
	ID  uuid.UUID
}

// MaxResponseBatch is the most responses one ResponseBatch reads.
const MaxResponseBatch = 2000

// ResponseBatch reads up to limit responses matching f (its paging
// ignored) after the cursor (nil: from the newest), newest day first and
// by id within a day: an export's keyset-paged read of every match. It
// returns the cursor of the last response read, nil when there was none.
func ResponseBatch(ctx context.Context, q db.DBTX, f ResponseFilter, after *ResponseCursor, limit int) ([]Response, *ResponseCursor, error) {
	if err := f.Validate(); err != nil {
		return nil, nil, err
	}
	where, args := f.where()
	if after != nil {
		args = append(args, after.Day, after.ID)
		n := len(args)
		where += ` AND (p.submitted_on, p.id) < ($` + strconv.Itoa(n-1) + `::date, $` + strconv.Itoa(n) + `)`
	}
	args = append(args, min(max(limit, 1), MaxResponseBatch))
	rows, _ := q.Query(ctx, responseSelect+responseFrom+where+` ORDER BY p.submitted_on DESC, p.id DESC LIMIT $`+
		strconv.Itoa(len(args)), args...)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Response])
	if err != nil {
		return nil, nil, db.Err(err)
	}
	if len(list) == 0 {
		return nil, nil, nil
	}
	last := list[len(list)-1]
	return list, &ResponseCursor{Day: last.SubmittedOn, ID: last.ID}, nil
}

// ResponseCount is how many responses match f (paging ignored).
func ResponseCount(ctx context.Context, q db.DBTX, f ResponseFilter) (int, error) {
	return countResponses(ctx, q, f)
}
