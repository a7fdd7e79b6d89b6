package search

import (
	"context"
	"time"

	"minyi/internal/db"
)

// NoWorkers is the setting of a keyword's reads (db.WithLocal): the gram
// index's reads of a window take milliseconds, the start of parallel
// workers for them hundreds on a busy machine, and so does compiling the
// plan (JIT): the planner prices the gram index's rows of every partition
// high, while a rare word reads a few index pages of each.
const NoWorkers = `SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off`

// Windows are the spans, newest first from the top of a list, that Floor
// tries in turn: each four times the last.
var Windows = []time.Duration{time.Hour, 4 * time.Hour, 16 * time.Hour, 64 * time.Hour, 256 * time.Hour, 1024 * time.Hour}

// Floor bounds a keyword's list read newest first, at any number of
// ratings. The gram index finds a keyword's rows in any order, and a page
// newest first must then sort them all: every 态度 of a year of a
// province's messages (150,000 rows). Walking the messages newest first
// instead reads every message until the page is full, which a rare
// keyword never fills. So the page is read within the shortest window
// below top (1 hour, then 4, 16, … 1,024 hours) that holds n hits: probe
// counts, up to n, the hits of [top − window, top) (the index's rows and
// at most n table rows), and Floor returns top − window for the first
// window that has n, or nil (no bound) when none has or the window
// reaches from, the list's own lower bound. A window four times the
// last that holds n hits holds about 4n, so the page sorts a few hundred
// rows whatever the keyword, and a rare keyword costs a probe per window,
// each reading index entries only.
func Floor(ctx context.Context, q db.DBTX, top time.Time, from *time.Time, n int,
	probe func(lo time.Time) (string, []any)) (*time.Time, error) {
	for _, w := range Windows {
		lo := top.Add(-w)
		if from != nil && !lo.After(*from) {
			return nil, nil
		}
		sql, args := probe(lo)
		var hits int
		if err := q.QueryRow(ctx, sql, args...).Scan(&hits); err != nil {
			return nil, db.Err(err)
		}
		if hits >= n {
			return &lo, nil
		}
	}
	return nil, nil
}
