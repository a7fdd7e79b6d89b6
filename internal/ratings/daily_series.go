package ratings

import (
	"context"
	"time"

	"minyi/internal/db"
)

// seriesSQL is dailyCountsSQL summed over every unit per local day ($5
// false) or per month ($5 true) instead of per unit: the same snapshot,
// the same exactness. A rolled day is read from its office row
// (rating_office_daily 'all', migration 0072), which the rollup keeps equal
// to the sum of the day's rows of rating_daily_counts in the same
// transactions that change them (chart_parts.go): one row a day where the
// unit rows were a thousand (a quarter of a province: 92,000 index
// entries, 11–21 ms at five years; a year's months: 12,000 monthly rows).
// The (unit, day) pairs marked dirty are corrected as in dailyCountsSQL:
// their stored rows subtracted and their ratings read. The live runs are
// grouped by the local day of rated_at.
const seriesSQL = dailyRunsSQL + `, live AS (
	SELECT x.day, x.n1, x.n2, x.n3, x.n4, x.n5 FROM runs k CROSS JOIN LATERAL (
		SELECT (r.rated_at AT TIME ZONE $1)::date AS day, ` + levelCountsCols + `
		FROM ratings r WHERE r.rated_at >= k.lo AND r.rated_at < k.hi AND NOT r.excluded
		GROUP BY 1) AS x
	UNION ALL
	SELECT k.day, x.n1, x.n2, x.n3, x.n4, x.n5 FROM dirty_rolled k CROSS JOIN LATERAL (
		SELECT ` + levelCountsCols + `
		FROM ratings r
		WHERE r.unit_id = k.unit_id AND r.rated_at >= k.day::timestamp AT TIME ZONE $1 AND r.rated_at < k.hi AND NOT r.excluded) AS x
), stored AS (
	SELECT o.day, o.n1, o.n2, o.n3, o.n4, o.n5 FROM rating_office_daily o
	WHERE o.part = 'all' AND o.key = '' AND o.day BETWEEN $2::date AND $3::date
	  AND o.day IN (SELECT day FROM rolled)
	UNION ALL
	SELECT c.day, -c.n1, -c.n2, -c.n3, -c.n4, -c.n5
	FROM dirty_rolled d JOIN rating_daily_counts c ON c.unit_id = d.unit_id AND c.day = d.day
)
SELECT (CASE WHEN $5 THEN date_trunc('month', day)::date ELSE day END)::text AS key,
	sum(n1)::bigint, sum(n2)::bigint, sum(n3)::bigint, sum(n4)::bigint, sum(n5)::bigint
FROM (SELECT * FROM stored UNION ALL SELECT * FROM live) AS t
GROUP BY 1
HAVING sum(n1 + n2 + n3 + n4 + n5) > 0`

// DayLevelCounts returns the counted ratings of every unit per level and
// local day (in loc) between from and to (YYYY-MM-DD, both included),
// keyed by the day (YYYY-MM-DD); days without ratings are absent. It reads
// the daily aggregate as DailyLevelCounts does and always equals the
// direct count at the moment it runs. A malformed date is an error.
func DayLevelCounts(ctx context.Context, q db.DBTX, from, to string, loc *time.Location) (map[string]LevelCounts, error) {
	return seriesCounts(ctx, q, from, to, loc, false)
}

// MonthLevelCounts is DayLevelCounts per calendar month, keyed by the
// month's first day (YYYY-MM-01): a rolled month reads its days' office
// rows, some thirty. from and to need not be whole months; only their days
// are counted.
func MonthLevelCounts(ctx context.Context, q db.DBTX, from, to string, loc *time.Location) (map[string]LevelCounts, error) {
	return seriesCounts(ctx, q, from, to, loc, true)
}

func seriesCounts(ctx context.Context, q db.DBTX, from, to string, loc *time.Location, byMonth bool) (map[string]LevelCounts, error) {
	start, end, err := parsePeriod(from, to, loc)
	if err != nil {
		return nil, err
	}
	out := map[string]LevelCounts{}
	if end.Before(start) {
		return out, nil
	}
	if err := readCounts(ctx, q, out, seriesSQL, loc.String(), start.Format(time.DateOnly), end.Format(time.DateOnly), nil, byMonth); err != nil {
		return nil, err
	}
	return out, nil
}
