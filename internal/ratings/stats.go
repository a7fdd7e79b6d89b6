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
// in loc, their means in the points of levelPoints (levels 5..1, as the
// scores count them); units without ratings are absent. When unitID is
// set, only that unit.
//
// At province scale the year holds tens of millions of ratings, so Stats
// never reads them all: the year before this month and this month before
// today come from the daily aggregate (DailyLevelCounts: exact, reading
// the ratings only where the aggregate is not complete), and so does today:
// rolled up to its watermark (a quarter hour ago, RollUpToday), read from
// the ratings after it. On a pool the three reads run side by side.
func Stats(ctx context.Context, q db.DBTX, now time.Time, loc *time.Location, unitID *int64, levelPoints []float64) (map[int64]UnitStats, error) {
	day, month, year := PeriodStarts(now, loc)
	var units []int64
	if unitID != nil {
		units = []int64{*unitID}
	}
	var before, thisMonth, today map[int64]LevelCounts
	reads := []func(db.DBTX) error{
		func(q db.DBTX) (err error) {
			before = map[int64]LevelCounts{}
			if month.After(year) {
				before, err = DailyLevelCounts(ctx, q, year.Format(time.DateOnly), month.AddDate(0, 0, -1).Format(time.DateOnly), loc, units)
			}
			return err
		},
		func(q db.DBTX) (err error) {
			thisMonth = map[int64]LevelCounts{}
			if day.After(month) {
				thisMonth, err = DailyLevelCounts(ctx, q, month.Format(time.DateOnly), day.AddDate(0, 0, -1).Format(time.DateOnly), loc, units)
			}
			return err
		},
		func(q db.DBTX) (err error) {
			today, err = DailyLevelCounts(ctx, q, day.Format(time.DateOnly), day.Format(time.DateOnly), loc, units)
			return err
		},
	}
	if err := db.Parallel(q, reads...); err != nil {
		return nil, err
	}
	type sums struct{ day, month, year LevelCounts }
	acc := map[int64]*sums{}
	get := func(unit int64) *sums {
		if acc[unit] == nil {
			acc[unit] = &sums{}
		}
		return acc[unit]
	}
	for unit, c := range before {
		get(unit).year = addCounts(get(unit).year, c)
	}
	for unit, c := range thisMonth {
		s := get(unit)
		s.year, s.month = addCounts(s.year, c), addCounts(s.month, c)
	}
	for unit, c := range today {
		s := get(unit)
		s.year, s.month, s.day = addCounts(s.year, c), addCounts(s.month, c), c
	}
	out := make(map[int64]UnitStats, len(acc))
	for unit, s := range acc {
		if s.year.Total() == 0 {
			continue
		}
		out[unit] = UnitStats{UnitID: unit, Today: periodOf(s.day, levelPoints),
			Month: periodOf(s.month, levelPoints), Year: periodOf(s.year, levelPoints)}
	}
	return out, nil
}

// addCounts adds two level counts.
func addCounts(a, b LevelCounts) LevelCounts {
	for i := range a {
		a[i] += b[i]
	}
	return a
}

// periodOf is the count and mean points of counted ratings.
func periodOf(c LevelCounts, levelPoints []float64) Period {
	n := c.Total()
	if n == 0 {
		return Period{}
	}
	return Period{Count: int(n), Mean: c.SumPoints(levelPoints) / float64(n)}
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
