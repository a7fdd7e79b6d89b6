package feedback

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/db"
)

// The review backlog by unit (the office's chart "待核查最多的单位"): what
// the queue's first page would count for each unit — pending items of
// 基本满意 and below over the default period — counted by the hourly
// maintenance into review_backlog (migration 0078). Counting it per page
// view would walk a province's 90 days of 差评 (about a million items); the
// snapshot is read as a thousand rows and the chart says when it was taken.

// DefaultWindow is the queue's default period at now: the DefaultPeriod
// and today, up to the end of today in loc.
func DefaultWindow(now time.Time, loc *time.Location) (from, to time.Time) {
	n := now.In(loc)
	to = time.Date(n.Year(), n.Month(), n.Day()+1, 0, 0, 0, 0, loc)
	return to.Add(-DefaultPeriod - 24*time.Hour), to
}

// BacklogCount is one unit's pending items: daily ratings and survey
// opinions, and the oldest item's time (an opinion's is its day's start).
type BacklogCount struct {
	UnitID   int64     `json:"unit_id" db:"unit_id"`
	Ratings  int64     `json:"ratings" db:"ratings"`
	Opinions int64     `json:"opinions" db:"opinions"`
	Oldest   time.Time `json:"oldest" db:"oldest"`
}

// Backlog is the last count: the units with pending items, the period it
// covered and when it was taken (Counted false: never yet).
type Backlog struct {
	Units    []BacklogCount
	From, To time.Time
	At       time.Time
	Counted  bool
}

// RefreshBacklog counts the backlog at now and replaces the last count, in
// one transaction.
func RefreshBacklog(ctx context.Context, pool *pgxpool.Pool, now time.Time, loc *time.Location) error {
	from, to := DefaultWindow(now, loc)
	tally, args := queueSQL(loc, Filter{From: from, To: to, Status: "pending", Tone: ToneComplaint, tally: true}, false)
	return db.Tx(ctx, pool, func(tx pgx.Tx) error {
		if err := db.NoStatementTimeout(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM review_backlog`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO review_backlog (unit_id, ratings, opinions, oldest)
			SELECT unit_id, ratings, opinions, oldest FROM (`+tally+`) x`, args...); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO review_backlog_state (period_from, period_to, computed_at) VALUES ($1, $2, $3)
			ON CONFLICT (only_row) DO UPDATE SET period_from = $1, period_to = $2, computed_at = $3`, from, to, now)
		return err
	})
}

// ReadBacklog returns the last count, most pending first.
func ReadBacklog(ctx context.Context, q db.DBTX) (Backlog, error) {
	var b Backlog
	err := q.QueryRow(ctx, `SELECT period_from, period_to, computed_at FROM review_backlog_state`).Scan(&b.From, &b.To, &b.At)
	if errors.Is(err, pgx.ErrNoRows) {
		return b, nil
	}
	if err != nil {
		return b, db.Err(err)
	}
	b.Counted = true
	rows, _ := q.Query(ctx, `SELECT unit_id, ratings, opinions, oldest FROM review_backlog
		ORDER BY ratings + opinions DESC, unit_id`)
	b.Units, err = pgx.CollectRows(rows, pgx.RowToStructByName[BacklogCount])
	return b, db.Err(err)
}
