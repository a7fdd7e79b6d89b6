package feedback

import (
	"context"
	"time"

	"minyi/internal/db"
	"minyi/internal/ratings"
)

// MaxQueueBatch is the most items one QueueBatch reads.
const MaxQueueBatch = 2000

// QueueBatch reads up to limit items matching f (its paging ignored)
// older than after (nil: from the newest), in the queue's order: an
// export's keyset-paged read of every match (export.Batches), each batch
// the same walk down the queue's indexes as a page at that depth. It
// returns the cursor of the last item read, nil when there was none.
func QueueBatch(ctx context.Context, q db.DBTX, loc *time.Location, f Filter, after *ratings.Cursor,
	limit int) ([]Item, *ratings.Cursor, error) {
	f.Older, f.Newer, f.Offset, f.Limit = after, nil, 0, 0
	if err := f.Validate(); err != nil {
		return nil, nil, err
	}
	f.Limit = min(max(limit, 1), MaxQueueBatch)
	items, err := queueItems(ctx, q, loc, f)
	if err != nil {
		return nil, nil, err
	}
	if len(items) > f.Limit {
		items = items[:f.Limit]
	}
	if len(items) == 0 {
		return nil, nil, nil
	}
	return items, items[len(items)-1].Cursor(), nil
}

// QueueSize is about how many items match f (paging ignored), only to
// choose how an export runs (db.CountOrEstimate).
func QueueSize(ctx context.Context, q db.DBTX, loc *time.Location, f Filter) (int, error) {
	f.Older, f.Newer, f.Offset, f.Limit = nil, nil, 0, 0
	if err := f.Validate(); err != nil {
		return 0, err
	}
	sql, args := queueSQL(loc, f, false)
	return db.CountOrEstimate(ctx, q, sql, args...)
}
