package export

import (
	"context"

	"minyi/internal/db"
)

// Size tells about how many rows the query rows (a SELECT whose columns
// do not matter) returns, as cheaply as a list's total: counted up to
// db.CountCap within the list's budget (db.CountCapped), and beyond that
// the planner's estimate, never less than what was counted. It decides
// only whether an export streams at once or runs in the background; the
// file holds every row whatever it says.
func Size(ctx context.Context, q db.DBTX, rows string, args ...any) (int, error) {
	t, err := db.CountCapped(ctx, q, rows, args...)
	if err != nil {
		return 0, err
	}
	if t.Exact || t.Estimated {
		return t.N, nil
	}
	est, err := db.Estimate(ctx, q, rows, args...)
	if err != nil {
		return 0, err
	}
	return max(est, t.N), nil
}

// Batches calls emit for every row of a keyset-paged read: next reads
// the batch after the cursor (nil: the first) and returns its rows and the
// cursor of its last row; a batch shorter than size ends the read.
func Batches[T any, C any](ctx context.Context, size int, next func(ctx context.Context, after *C, limit int) ([]T, *C, error),
	row func(T) []any, emit Emit) error {
	var after *C
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		list, last, err := next(ctx, after, size)
		if err != nil {
			return err
		}
		for _, x := range list {
			if err := emit(row(x)); err != nil {
				return err
			}
		}
		if len(list) < size || last == nil {
			return nil
		}
		after = last
	}
}
