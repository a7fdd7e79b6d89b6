package ratings

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
)

// Period is a count and mean of counted (not excluded) ratings.
type Period struct {
	Count int     `json:"count"`
	Mean  float64 `json:"mean_points"`
}

// UnitStats is a unit's figures today, this month and this year.
type UnitStats struct {
	UnitID int64  `json:"unit_id"`
	Today  Period `json:"today"`
	Month  Period `json:"month"`
	Year   Period `json:"year"`
}

// PeriodStarts returns the starts of the day, month and year of now in loc.
func PeriodStarts(now time.Time, loc *time.Location) (day, month, year time.Time) {
	now = now.In(loc)
	return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc),
		time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc),
		time.Date(now.Year(), 1, 1, 0, 0, 0, 0, loc)
}

// Stats returns counted ratings per unit for the day, month and year of now
// in loc; units without ratings are absent. When unitID is set, only that unit.
func Stats(ctx context.Context, q db.DBTX, now time.Time, loc *time.Location, unitID *int64) (map[int64]UnitStats, error) {
	day, month, year := PeriodStarts(now, loc)
	const sql = `SELECT unit_id,
		count(*) FILTER (WHERE rated_at >= $1), coalesce(avg(points) FILTER (WHERE rated_at >= $1), 0)::float8,
		count(*) FILTER (WHERE rated_at >= $2), coalesce(avg(points) FILTER (WHERE rated_at >= $2), 0)::float8,
		count(*), coalesce(avg(points), 0)::float8
		FROM ratings WHERE rated_at >= $3 AND rated_at < $4 AND NOT excluded AND ($5::bigint IS NULL OR unit_id = $5)
		GROUP BY unit_id`
	rows, err := q.Query(ctx, sql, day, month, year, year.AddDate(1, 0, 0), unitID)
	if err != nil {
		return nil, db.Err(err)
	}
	defer rows.Close()
	out := map[int64]UnitStats{}
	for rows.Next() {
		var s UnitStats
		if err := rows.Scan(&s.UnitID, &s.Today.Count, &s.Today.Mean, &s.Month.Count, &s.Month.Mean,
			&s.Year.Count, &s.Year.Mean); err != nil {
			return nil, db.Err(err)
		}
		out[s.UnitID] = s
	}
	return out, db.Err(rows.Err())
}

// KeyGrace is how long after TERMINAL_MAX_AGE a terminal's idempotency key
// is kept: a batch resent by a terminal that was offline for the whole
// TERMINAL_MAX_AGE is still recognised for a week more.
const KeyGrace = 7 * 24 * time.Hour

// Maintain creates the rating partitions around now (and repairs a month
// whose rows landed in ratings_default), removes de-duplication keys and
// counters no longer needed (daily marks and daily-cap counters of past
// days, client ids older than terminalMaxAge + KeyGrace) and brings the
// daily aggregate up to date (RollUp). `minyi migrate` and the hourly
// maintenance both call it, so both keep keys by the same rule. It is safe
// to run from several instances at once.
func Maintain(ctx context.Context, q Conn, now time.Time, loc *time.Location, terminalMaxAge time.Duration) error {
	keep := terminalMaxAge + KeyGrace
	local := now.In(loc)
	// Creating a partition waits for the queries on ratings, and the first
	// pruning after a long pause deletes a lot: each statement runs in a
	// transaction of its own without the role's statement_timeout.
	exec := func(sql string, args ...any) error {
		return db.Err(db.Unbounded(ctx, q, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, sql, args...)
			return err
		}))
	}
	first := time.Date(local.Year(), local.Month()-2, 1, 0, 0, 0, 0, time.UTC)
	if err := exec(`SELECT minyi_ensure_rating_partitions($1::date, 6, $2)`, first, loc.String()); err != nil {
		return err
	}
	yesterday := time.Date(local.Year(), local.Month(), local.Day()-1, 0, 0, 0, 0, time.UTC)
	if err := exec(`DELETE FROM rating_daily_marks WHERE day < $1::date`, yesterday); err != nil {
		return err
	}
	if err := exec(`DELETE FROM rating_cap_counts WHERE day < $1::date`, yesterday); err != nil {
		return err
	}
	if err := exec(`DELETE FROM rating_requests WHERE created_at < $1`, now.Add(-keep)); err != nil {
		return err
	}
	_, err := RollUp(ctx, q, now, loc)
	return err
}
