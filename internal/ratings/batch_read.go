package ratings

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
)

// batchSettings make a batch walk the rated_at index from the cursor. The
// planner misjudges a month's range below a cursor (on the 50-million
// database: 1,919 rows expected, 1,972,331 there) and would gather the
// whole range with a bitmap scan and sort it for the first 2,000: 20 s a
// batch, where the walk takes 78 ms (EXPLAIN ANALYZE, docs/benchmarks.md).
// A keyword (f.Q) is found through its GIN index, which only bitmap scans
// read: its batches keep the planner's choice (keywordBatchSettings).
const (
	batchSettings = `SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true),
	set_config('jit', 'off', true)`
	keywordBatchSettings = `SELECT set_config('jit', 'off', true)`
)

// MaxExportBatch is the most ratings one Batch reads.
const MaxExportBatch = 5000

// Batch reads up to limit ratings matching f (its paging ignored) older
// than after (nil: from the newest), in the feed's order: an export's
// keyset-paged read of every match, each batch down the same index a
// feed page walks, whatever its depth (never OFFSET). It returns the
// cursor of the last rating read, nil when there was none.
func Batch(ctx context.Context, q db.DBTX, f Filter, after *Cursor, limit int) ([]Rating, *Cursor, error) {
	f.Older, f.Newer, f.Offset, f.Limit = after, nil, 0, 0
	if err := f.Validate(); err != nil {
		return nil, nil, err
	}
	limit = min(max(limit, 1), MaxExportBatch)
	where, args := f.where()
	args = append(args, limit)
	sql := `SELECT ` + ratingColumns + ratingJoins + where + ` ORDER BY r.rated_at DESC, r.id DESC LIMIT $` +
		strconv.Itoa(len(args))
	var list []Rating
	settings := batchSettings
	if !f.Q.IsZero() {
		settings = keywordBatchSettings
	}
	err := db.WithLocal(ctx, q, settings, func(q db.DBTX) error {
		rows, err := q.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		list, err = pgx.CollectRows(rows, pgx.RowToStructByName[Rating])
		return err
	})
	if err != nil {
		return nil, nil, db.Err(err)
	}
	if len(list) == 0 {
		return nil, nil, nil
	}
	for i := range list {
		list[i].LevelLabel = LevelLabel(list[i].Level)
	}
	if err := NameDims(ctx, q, list); err != nil {
		return nil, nil, err
	}
	return list, CursorOf(list[len(list)-1]), nil
}

// ExportSize is about how many ratings match f (paging ignored), only
// to choose how an export runs (db.CountOrEstimate).
func ExportSize(ctx context.Context, q db.DBTX, f Filter) (int, error) {
	f.Older, f.Newer, f.Offset, f.Limit = nil, nil, 0, 0
	if err := f.Validate(); err != nil {
		return 0, err
	}
	where, args := f.where()
	return db.CountOrEstimate(ctx, q, `SELECT FROM ratings r`+where, args...)
}
