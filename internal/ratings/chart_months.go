package ratings

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
)

// fullMonthsSQL reads the monthly sums of the units $4 for the months
// between $2 and $3 (first days) whose days are all rolled completely in
// the zone $1.
const fullMonthsSQL = `
WITH full_months AS (
	SELECT date_trunc('month', day)::date AS month FROM rating_rollup_days
	WHERE tz = $1 AND upto IS NULL AND day >= $2::date AND day < ($3::date + interval '1 month')::date
	GROUP BY 1
	HAVING count(*) = (date_trunc('month', min(day)) + interval '1 month')::date - date_trunc('month', min(day))::date
)
SELECT to_char(f.month, 'YYYY-MM'), m.unit_id, m.n1, m.n2, m.n3, m.n4, m.n5
FROM full_months f LEFT JOIN rating_monthly_counts m ON m.month = f.month AND m.unit_id = ANY($4)`

// MonthlyLevelCounts returns, per month (YYYY-MM) from the month of first
// to the month of last (YYYY-MM-DD, the last month up to that day) and per
// unit of unitIDs, the counted ratings. Months whose days are all rolled
// come from their monthly sums (kept by the hourly rollup); the others
// (the current month, typically) from DailyLevelCounts. A month without
// ratings has an empty map. A malformed date is an error.
func MonthlyLevelCounts(ctx context.Context, q db.DBTX, loc *time.Location, first, last string, unitIDs []int64) (map[string]map[int64]LevelCounts, error) {
	start, end, err := parsePeriod(first, last, loc)
	if err != nil {
		return nil, err
	}
	out := map[string]map[int64]LevelCounts{}
	start = time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC)
	endMonth := time.Date(end.Year(), end.Month(), 1, 0, 0, 0, 0, time.UTC)
	// The last month is stored only when it has ended by last.
	storedUpTo := endMonth
	if end.AddDate(0, 0, 1).Month() == end.Month() {
		storedUpTo = endMonth.AddDate(0, -1, 0)
	}
	if !storedUpTo.Before(start) && len(unitIDs) > 0 {
		rows, _ := q.Query(ctx, fullMonthsSQL, loc.String(), start, storedUpTo, unitIDs)
		var month string
		var unit *int64
		var c LevelCounts
		var n [5]*int64
		_, err = pgx.ForEachRow(rows, []any{&month, &unit, &n[0], &n[1], &n[2], &n[3], &n[4]}, func() error {
			if out[month] == nil {
				out[month] = map[int64]LevelCounts{}
			}
			if unit != nil {
				for i := range n {
					c[i] = *n[i]
				}
				out[month][*unit] = c
			}
			return nil
		})
		if err != nil {
			return nil, db.Err(err)
		}
	}
	for m := start; !m.After(endMonth); m = m.AddDate(0, 1, 0) {
		key := m.Format("2006-01")
		if _, ok := out[key]; ok {
			continue
		}
		to := m.AddDate(0, 1, -1)
		if to.After(end) {
			to = end
		}
		counts := map[int64]LevelCounts{}
		if len(unitIDs) > 0 {
			if counts, err = DailyLevelCounts(ctx, q, m.Format(time.DateOnly), to.Format(time.DateOnly), loc, unitIDs); err != nil {
				return nil, err
			}
		}
		out[key] = counts
	}
	return out, nil
}
