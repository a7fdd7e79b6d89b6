package partitions

import (
	"context"
	"fmt"
	"time"

	"minyi/internal/db"
)

// An archived month keeps its daily aggregate (rating_daily_counts and
// rating_monthly_counts, some rows per unit and day): the daily scores of
// its cycles, and the explanation of results already published, read the
// aggregate rather than the ratings, so they stay the same. That holds
// only if the aggregate counts exactly the month's ratings, which the
// archive checks (aggregateDiff) in the snapshot it exports, after making
// sure no change awaits the rollup (no mark of rating_dirty in the month)
// and every rating lies on a rolled day. A restore checks it again and,
// should it differ (the month was rolled again in another TIME_ZONE while
// archived), hands the month's days back to the rollup.

// aggregateDiffSQL compares the counted ratings of the table {t} per unit
// and local day of zone $1 with rating_daily_counts for the days $2 up to
// (not including) $3, and their sums per unit with rating_monthly_counts
// of the month $2. It returns how many (unit, day) pairs and how many
// units differ.
const aggregateDiffSQL = `WITH live AS (
	SELECT r.unit_id, (r.rated_at AT TIME ZONE $1)::date AS day,
		count(*) FILTER (WHERE r.level = 1) AS n1, count(*) FILTER (WHERE r.level = 2) AS n2,
		count(*) FILTER (WHERE r.level = 3) AS n3, count(*) FILTER (WHERE r.level = 4) AS n4,
		count(*) FILTER (WHERE r.level = 5) AS n5
	FROM {t} r WHERE NOT r.excluded GROUP BY 1, 2
), stored AS (
	SELECT unit_id, day, n1::bigint AS n1, n2::bigint AS n2, n3::bigint AS n3, n4::bigint AS n4, n5::bigint AS n5
	FROM rating_daily_counts WHERE day >= $2::date AND day < $3::date
), live_month AS (
	SELECT unit_id, sum(n1)::bigint AS n1, sum(n2)::bigint AS n2, sum(n3)::bigint AS n3,
		sum(n4)::bigint AS n4, sum(n5)::bigint AS n5
	FROM live GROUP BY unit_id
), stored_month AS (
	SELECT unit_id, n1, n2, n3, n4, n5 FROM rating_monthly_counts WHERE month = $2::date
)
SELECT
	(SELECT count(*) FROM live l FULL JOIN stored s USING (unit_id, day)
		WHERE (l.n1, l.n2, l.n3, l.n4, l.n5) IS DISTINCT FROM (s.n1, s.n2, s.n3, s.n4, s.n5)),
	(SELECT count(*) FROM live_month l FULL JOIN stored_month s USING (unit_id)
		WHERE (l.n1, l.n2, l.n3, l.n4, l.n5) IS DISTINCT FROM (s.n1, s.n2, s.n3, s.n4, s.n5))`

// aggregateDiff returns how many (unit, day) pairs and units of month m
// the aggregate counts differently from the ratings of the table name, in
// the zone loc.
func aggregateDiff(ctx context.Context, q db.DBTX, name string, m Month, loc *time.Location) (days, units int64, err error) {
	err = q.QueryRow(ctx, table(aggregateDiffSQL, name), loc.String(), m.First(), m.Add(1).First()).Scan(&days, &units)
	if err != nil {
		return 0, 0, fmt.Errorf("comparing %s with the daily aggregate: %w", name, db.Err(err))
	}
	return days, units, nil
}

// rollupLock is the advisory lock of the daily rollup's transactions
// (internal/ratings/daily_rollup.go); a restore holds it while it hands
// days back to the rollup.
const rollupLock = 7_305_004

// unroll removes the days of month m from rating_rollup_days, so they are
// read from the ratings until the next rollup recomputes them.
func unroll(ctx context.Context, q db.DBTX, m Month) error {
	if _, err := q.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, rollupLock); err != nil {
		return db.Err(err)
	}
	_, err := q.Exec(ctx, `DELETE FROM rating_rollup_days WHERE day >= $1::date AND day < $2::date`, m.First(), m.Add(1).First())
	return db.Err(err)
}
