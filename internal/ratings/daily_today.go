package ratings

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
)

// The current day's part of the daily aggregate. Without it, every read
// of all units would count today's ratings live, which grows through the
// day (95 thousand ratings and 86 ms at 15:00 on the 50-million bench).
// RollUpToday rolls today up to a watermark: the latest quarter-hour
// boundary (todayStep) that passed closeMargin ago. It recomputes the
// day's rows from the day's start to the watermark, as a day rollup does
// for a whole day, and records the watermark as the day's upto in
// rating_rollup_days; readers take those rows and read the ratings live
// only from the watermark on. A change before the watermark that the
// recompute did not see is marked, like any late change to a rolled day:
// the writer marks ratings dated before the quarter hour lateAfter ago
// (lateCutoff), so an unmarked rating before the watermark was written by
// a writer whose clock read at least lateAfter before the rollup's, and
// had committed. Once the day has ended, RollUp rolls it completely and
// clears upto.
//
// The watermark moves by full recomputes, not increments, like the rest of
// the aggregate: at most a day's ratings (150 thousand at the end of a
// busy day on the bench) read once per quarter hour.

// todayStep is the watermark's step. Every zone's offset in use is a
// multiple of a quarter hour, so days start on a step boundary.
const todayStep = 15 * time.Minute

// watermarkSQL is the latest step boundary that passed $2 ago by both the
// caller's clock $1 and Postgres's.
const watermarkSQL = `SELECT date_bin($3::interval, least($1::timestamptz, now()) - $2::interval,
	timestamptz '2000-01-01 00:00:00+00')`

// takeRangeMarksSQL deletes every mark in [$1, $2).
const takeRangeMarksSQL = `
WITH doomed AS (
	SELECT unit_id, minute FROM rating_dirty WHERE minute >= $1 AND minute < $2
	ORDER BY unit_id, minute FOR UPDATE
)
DELETE FROM rating_dirty d USING doomed x WHERE d.unit_id = x.unit_id AND d.minute = x.minute`

// recomputeTodaySQL recomputes every unit's row of the day $3 from its
// ratings rated in [$1, $2).
const recomputeTodaySQL = `
WITH counts AS (
	SELECT r.unit_id, $3::date AS day, ` + levelCountsCols + `
	FROM ratings r
	WHERE r.rated_at >= $1 AND r.rated_at < $2 AND NOT r.excluded
	GROUP BY 1
)` + storeCountsSQL + `
DELETE FROM rating_daily_counts c WHERE c.day = $3::date
	AND NOT EXISTS (SELECT 1 FROM counts k WHERE k.unit_id = c.unit_id)`

// markTodaySQL records the day $1 as rolled up to $3 in the zone $2.
const markTodaySQL = `
INSERT INTO rating_rollup_days (day, tz, upto) VALUES ($1::date, $2, $3)
ON CONFLICT (day) DO UPDATE SET tz = EXCLUDED.tz, upto = EXCLUDED.upto, rolled_at = now()`

// RollUpToday moves the current day's watermark up to now (see above) and
// reports whether it moved. When another rollup holds the lock it returns
// at once without moving: that rollup moves it. Safe from every instance.
func RollUpToday(ctx context.Context, conn Conn, now time.Time, loc *time.Location) (bool, error) {
	var moved bool
	err := db.Unbounded(ctx, conn, func(tx pgx.Tx) error {
		var locked bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, rollupLock).Scan(&locked); err != nil || !locked {
			return err
		}
		var err error
		moved, err = advanceToday(ctx, tx, now, loc)
		return err
	})
	return moved, db.Err(err)
}

// advanceToday moves the current day's watermark in tx, which holds the
// rollup lock, and reports whether it moved.
func advanceToday(ctx context.Context, tx pgx.Tx, now time.Time, loc *time.Location) (bool, error) {
	var mark time.Time
	if err := tx.QueryRow(ctx, watermarkSQL, now, closeMargin, todayStep).Scan(&mark); err != nil {
		return false, err
	}
	local := mark.In(loc)
	start := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	if !mark.After(start) {
		return false, nil // the day has just begun; yesterday is RollUp's
	}
	day, tz := start.Format(time.DateOnly), loc.String()
	var upto *time.Time
	err := tx.QueryRow(ctx, `SELECT upto FROM rating_rollup_days WHERE day = $1::date AND tz = $2`, day, tz).Scan(&upto)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return false, err
	case upto == nil || !upto.Before(mark):
		return false, nil // rolled completely, or up to the mark already
	}
	if _, err := tx.Exec(ctx, takeRangeMarksSQL, start, mark); err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, recomputeTodaySQL, start, mark, day); err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, recomputePartsTodaySQL, start, mark, day, tz); err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, markTodaySQL, day, tz, mark); err != nil {
		return false, err
	}
	return true, recomputeOffice(ctx, tx, []time.Time{time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)})
}
