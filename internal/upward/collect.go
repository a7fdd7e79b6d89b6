package upward

import (
	"context"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"minyi/internal/db"
	"minyi/internal/notify"
)

// CollectArgs is the periodic river job that puts new records in batches.
type CollectArgs struct{}

// Kind names the job in river_job.
func (CollectArgs) Kind() string { return "upward_collect" }

// InsertOpts: a failed collection is not retried, the next period's runs.
func (CollectArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 1} }

type collectWorker struct {
	river.WorkerDefaults[CollectArgs]
	o Options
}

// Work collects until caught up, for at most half the interval.
func (w *collectWorker) Work(ctx context.Context, _ *river.Job[CollectArgs]) error {
	_, err := Collect(ctx, w.o, time.Now().Add(w.o.Interval/2))
	return err
}

// Collect puts the records stored since the cursors in batches, each in
// its own transaction with its send job and the cursor's advance, until
// both sources are caught up or the deadline passes. It returns how many
// batches it made. Collections of several instances queue on the cursor
// row's lock, so none is batched twice.
func Collect(ctx context.Context, o Options, deadline time.Time) (int, error) {
	o.defaults()
	made := 0
	for _, source := range []string{SourceRating, SourceRectification} {
		for time.Now().Before(deadline) {
			n, more, err := collectOne(ctx, o, source)
			made += n
			if err != nil {
				return made, err
			}
			if !more {
				break
			}
		}
	}
	return made, nil
}

// window bounds one read of ratings by created_at: the BRIN index returns
// the block ranges of the window, and the sort before the LIMIT sees only
// the window's rows, even after a long pause.
const window = time.Minute

// horizonSQL is the ingest time before which every record is committed.
// A rating's created_at is the start of its transaction, and a case's
// closed_at the handler's clock read just before its transaction: a record
// not yet visible belongs to a transaction still open, which started
// after the oldest open transaction of the database began. So collection
// stops at the start of the oldest open client transaction (other than
// its own), and $1 (UPWARD_LAG) earlier still, for a clock read before
// BEGIN and for a role that cannot see other sessions' transactions in
// pg_stat_activity. A long transaction delays reporting; it never loses a
// record.
const horizonSQL = `SELECT least(now(), coalesce((SELECT min(xact_start) FROM pg_stat_activity
	WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()
		AND xact_start IS NOT NULL), 'infinity')) - $1::interval`

// collectOne makes at most one batch of source in one transaction and
// tells whether more may wait.
func collectOne(ctx context.Context, o Options, source string) (made int, more bool, err error) {
	err = db.Tx(ctx, o.Pool, func(tx pgx.Tx) error {
		var horizon time.Time
		if err := tx.QueryRow(ctx, horizonSQL, o.Lag).Scan(&horizon); err != nil {
			return db.Err(err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO upward_cursors (source, at, updated_at) VALUES ($1, $2, now())
			ON CONFLICT DO NOTHING`, source, horizon); err != nil {
			return db.Err(err)
		}
		var at time.Time
		var lastID string
		if err := tx.QueryRow(ctx, `SELECT at, last_id FROM upward_cursors WHERE source = $1 FOR UPDATE`,
			source).Scan(&at, &lastID); err != nil {
			return db.Err(err)
		}
		if !at.Before(horizon) {
			return nil
		}
		var keys batchKeys
		var ats []time.Time
		var err error
		end := horizon
		if source == SourceRating {
			end = minTime(horizon, at.Add(window))
			keys, ats, err = newRatings(ctx, tx, at, lastID, end, o.Batch)
		} else {
			keys, ats, lastID, err = newRectifications(ctx, tx, at, lastID, horizon, o.Batch)
		}
		if err != nil {
			return err
		}
		if len(keys.RatingIDs) > 0 {
			if err := addBatch(ctx, tx, keys, ats); err != nil {
				return err
			}
			made = 1
		}
		// The cursor moves to the last record read, or to the end of the
		// window read when it was read whole.
		next, nextID := end, ""
		if len(ats) == o.Batch {
			next = ats[len(ats)-1]
			if source == SourceRating {
				nextID = keys.RatingIDs[len(keys.RatingIDs)-1]
			} else {
				nextID = lastID
			}
		}
		more = next.Before(horizon)
		_, err = tx.Exec(ctx, `UPDATE upward_cursors SET at = $2, last_id = $3, updated_at = now() WHERE source = $1`,
			source, next, nextID)
		return db.Err(err)
	})
	return made, more, err
}

// newRatings reads the keys of up to limit ratings stored after (at,
// lastID) and before end, in ingest order, with their ingest times.
func newRatings(ctx context.Context, tx pgx.Tx, at time.Time, lastID string, end time.Time, limit int) (batchKeys, []time.Time, error) {
	after := uuid.Nil
	if lastID != "" {
		after, _ = uuid.Parse(lastID)
	}
	keys := batchKeys{Source: SourceRating}
	var ats []time.Time
	// Ordered by the uuid itself (r.id), as the cursor compares it, not by
	// its text.
	rows, _ := tx.Query(ctx, `SELECT r.id::text, r.rated_at, r.created_at FROM ratings r
		WHERE r.created_at >= $1 AND r.created_at < $3 AND (r.created_at, r.id) > ($1, $2)
		ORDER BY r.created_at, r.id LIMIT $4`, at, after, end, limit)
	var id string
	var ratedAt, createdAt time.Time
	_, err := pgx.ForEachRow(rows, []any{&id, &ratedAt, &createdAt}, func() error {
		keys.RatingIDs = append(keys.RatingIDs, id)
		keys.RatedAts = append(keys.RatedAts, ratedAt)
		ats = append(ats, createdAt)
		return nil
	})
	return keys, ats, db.Err(err)
}

// newRectifications reads up to limit rating cases closed after (at,
// lastID) and before end, in closing order, and returns the keys of their
// 差评 (a merged case has several), the closing time of each case read
// (one per case, to move the cursor by) and the last case's id.
func newRectifications(ctx context.Context, tx pgx.Tx, at time.Time, lastID string, end time.Time, limit int) (batchKeys, []time.Time, string, error) {
	after, _ := strconv.ParseInt(lastID, 10, 64)
	keys := batchKeys{Source: SourceRectification}
	var ats []time.Time
	rows, _ := tx.Query(ctx, `WITH c AS (
			SELECT id, closed_at FROM rectification_cases
			WHERE status = 'closed' AND source_kind = 'rating' AND closed_at >= $1 AND closed_at < $3
				AND (closed_at, id) > ($1, $2)
			ORDER BY closed_at, id LIMIT $4)
		SELECT c.id, c.closed_at, r.id::text, r.rated_at
		FROM c LEFT JOIN case_sources cs ON cs.case_id = c.id AND cs.source_kind = 'rating'
		LEFT JOIN feedback_reviews fr ON fr.source_kind = 'rating' AND fr.source_id = cs.source_id
		LEFT JOIN LATERAL (SELECT r0.id, r0.rated_at FROM ratings r0 WHERE r0.id = cs.source_id::uuid
			AND r0.rated_at = fr.rated_at AND r0.level <= 2 OFFSET 0) r ON true
		ORDER BY c.closed_at, c.id, r.rated_at`, at, after, end, limit)
	var caseID int64
	var closedAt time.Time
	var ratingID *string
	var ratedAt *time.Time
	last := int64(0)
	_, err := pgx.ForEachRow(rows, []any{&caseID, &closedAt, &ratingID, &ratedAt}, func() error {
		if caseID != last {
			ats = append(ats, closedAt)
			last = caseID
		}
		if ratingID != nil {
			keys.RatingIDs = append(keys.RatingIDs, *ratingID)
			keys.RatedAts = append(keys.RatedAts, *ratedAt)
			keys.CaseIDs = append(keys.CaseIDs, caseID)
		}
		return nil
	})
	if last == 0 {
		return keys, ats, "", db.Err(err)
	}
	return keys, ats, itoa(last), db.Err(err)
}

// addBatch records a batch of keys and enqueues its send job in tx.
func addBatch(ctx context.Context, tx pgx.Tx, keys batchKeys, ats []time.Time) error {
	var id int64
	caseIDs := keys.CaseIDs
	if caseIDs == nil {
		caseIDs = []int64{}
	}
	err := tx.QueryRow(ctx, `INSERT INTO upward_batches (source, rating_ids, rated_ats, case_ids, records,
			first_at, last_at, created_at, updated_at)
		VALUES ($1, $2::uuid[], $3, $4, $5, $6, $7, now(), now()) RETURNING id`,
		keys.Source, keys.RatingIDs, keys.RatedAts, caseIDs, len(keys.RatingIDs), ats[0], ats[len(ats)-1]).Scan(&id)
	if err != nil {
		return db.Err(err)
	}
	return notify.InsertTx(ctx, tx, SendArgs{BatchID: id})
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
