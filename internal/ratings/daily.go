package ratings

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
)

// LevelCounts counts counted (not excluded) ratings per level: index 0 is
// level 1, index 4 level 5.
type LevelCounts [5]int64

// Total is the number of ratings counted.
func (c LevelCounts) Total() int64 {
	var n int64
	for _, v := range c {
		n += v
	}
	return n
}

// SumPoints is the sum of the points of the counted ratings, given the
// points of levels 5..1 (a cycle's level→points mapping, five values).
func (c LevelCounts) SumPoints(levelPoints []float64) float64 {
	var sum float64
	for level := 1; level <= 5; level++ {
		sum += float64(c[level-1]) * levelPoints[5-level]
	}
	return sum
}

// dailyRunsSQL is the start of the statements that read the aggregate: the
// units wanted, the days rolled, the full months, the days of other months,
// the dirty pairs and the runs of time not rolled, in the zone $1 between
// the days $2 and $3 for the units $4 (NULL: every unit). Its last CTE is
// runs, closed; the statement goes on after it.
const dailyRunsSQL = `
WITH wanted AS (
	SELECT DISTINCT id FROM unnest(coalesce($4::bigint[], ARRAY(SELECT id FROM units))) AS w(id)
), rolled AS (
	SELECT day, upto FROM rating_rollup_days WHERE tz = $1 AND day BETWEEN $2::date AND $3::date
), full_months AS (
	SELECT date_trunc('month', day)::date AS month FROM rolled WHERE upto IS NULL GROUP BY 1
	HAVING count(*) = (date_trunc('month', min(day)) + interval '1 month')::date - date_trunc('month', min(day))::date
), partial_days AS (
	SELECT day FROM rolled WHERE date_trunc('month', day)::date NOT IN (SELECT month FROM full_months)
), dirty AS (
	SELECT DISTINCT d.unit_id, (d.minute AT TIME ZONE $1)::date AS day FROM rating_dirty d
	WHERE d.minute >= $2::date::timestamp AT TIME ZONE $1 AND d.minute < ($3::date + 1)::timestamp AT TIME ZONE $1
	  AND d.unit_id IN (SELECT id FROM wanted)
), dirty_rolled AS (
	SELECT d.unit_id, d.day, coalesce(r.upto, (d.day + 1)::timestamp AT TIME ZONE $1) AS hi
	FROM dirty d JOIN rolled r ON r.day = d.day
), ` + liveRunsCTE

// dailyCountsSQL reads the counts in one statement, so in one snapshot.
// Days rolled in the zone $1 come from the aggregate: the monthly sums for
// months whose days are all rolled completely and in the period, the daily
// rows for the other rolled days, minus the daily rows of (unit, day) pairs
// holding a dirty mark. Those pairs, and every unit over each run of time
// not rolled (today from its watermark on, the future, days before the
// first rating), come from the ratings themselves. So every rating counts
// once, from the aggregate or from the ratings, and the result is the
// direct count at the snapshot (daily_rollup.go explains why an aggregate
// row without a mark is exact). A day rolled up to a watermark (upto, the
// current day) holds the ratings before it: its live run starts there, and
// a dirty pair of it reads the day up to there.
// The live reads go unit by unit down the (unit_id, rated_at) index for
// chosen units, and along the rated_at index for all units (units are
// never deleted, so units lists every unit a rating can belong to).
const dailyCountsSQL = dailyRunsSQL + `, {live}
), stored AS (
	SELECT m.unit_id, m.n1, m.n2, m.n3, m.n4, m.n5 FROM rating_monthly_counts m
	WHERE m.month IN (SELECT month FROM full_months) AND ($4::bigint[] IS NULL OR m.unit_id = ANY($4))
	UNION ALL
	SELECT c.unit_id, c.n1, c.n2, c.n3, c.n4, c.n5 FROM rating_daily_counts c
	WHERE c.day IN (SELECT day FROM partial_days) AND ($4::bigint[] IS NULL OR c.unit_id = ANY($4))
	UNION ALL
	SELECT c.unit_id, -c.n1, -c.n2, -c.n3, -c.n4, -c.n5
	FROM dirty_rolled d JOIN rating_daily_counts c ON c.unit_id = d.unit_id AND c.day = d.day
)
SELECT unit_id, sum(n1)::bigint, sum(n2)::bigint, sum(n3)::bigint, sum(n4)::bigint, sum(n5)::bigint
FROM (SELECT * FROM stored UNION ALL SELECT * FROM live) AS t
GROUP BY unit_id
HAVING sum(n1 + n2 + n3 + n4 + n5) > 0`

// liveRunsCTE is the runs of time between the days $2..$3 that are read
// from the ratings, given rolled (the days rolled in the zone $1 with
// their watermarks): a day not rolled, and the current day from its
// watermark on, consecutive pieces joined into one run.
const liveRunsCTE = `pieces AS (
	SELECT g::date AS day, coalesce(r.upto, g::date::timestamp AT TIME ZONE $1) AS lo,
		(g::date + 1)::timestamp AT TIME ZONE $1 AS hi
	FROM generate_series($2::date, $3::date, interval '1 day') AS g LEFT JOIN rolled r ON r.day = g::date
	WHERE r.day IS NULL OR r.upto IS NOT NULL
), runs AS (
	SELECT min(lo) AS lo, max(hi) AS hi FROM (
		SELECT lo, hi, count(*) FILTER (WHERE lo IS DISTINCT FROM prev_hi) OVER (ORDER BY day) AS run
		FROM (SELECT day, lo, hi, lag(hi) OVER (ORDER BY day) AS prev_hi FROM pieces) AS p) AS q
	GROUP BY run
)`

// liveByUnit reads the runs not rolled and the dirty pairs unit by unit,
// down the (unit_id, rated_at) index: for a few units.
const liveByUnit = `live_keys AS (
	SELECT w.id AS unit_id, r.lo, r.hi FROM wanted w CROSS JOIN runs r
	UNION ALL
	SELECT unit_id, day::timestamp AT TIME ZONE $1, hi FROM dirty_rolled
), live AS (
	SELECT k.unit_id, x.n1, x.n2, x.n3, x.n4, x.n5 FROM live_keys k CROSS JOIN LATERAL (
		SELECT ` + levelCountsCols + `
		FROM ratings r
		WHERE r.unit_id = k.unit_id AND r.rated_at >= k.lo AND r.rated_at < k.hi AND NOT r.excluded) AS x`

// liveAllUnits reads each run not rolled (today since its watermark,
// typically) for every unit in one range of the rated_at index, instead of
// a thousand unit-by-unit reads (about three times faster for a busy day),
// and the dirty pairs unit by unit. The run is the lateral subquery's outer side, so no run
// means no read: as a plain join, Postgres (expecting 200 runs) once
// scanned all 50 million ratings to join them with none (15 s).
const liveAllUnits = `dirty_keys AS (
	SELECT unit_id, day::timestamp AT TIME ZONE $1 AS lo, hi FROM dirty_rolled
), live AS (
	SELECT x.unit_id, x.n1, x.n2, x.n3, x.n4, x.n5 FROM runs k CROSS JOIN LATERAL (
		SELECT r.unit_id, ` + levelCountsCols + `
		FROM ratings r WHERE r.rated_at >= k.lo AND r.rated_at < k.hi AND NOT r.excluded
		GROUP BY r.unit_id) AS x
	UNION ALL
	SELECT k.unit_id, x.n1, x.n2, x.n3, x.n4, x.n5 FROM dirty_keys k CROSS JOIN LATERAL (
		SELECT ` + levelCountsCols + `
		FROM ratings r
		WHERE r.unit_id = k.unit_id AND r.rated_at >= k.lo AND r.rated_at < k.hi AND NOT r.excluded) AS x`

// The two forms of dailyCountsSQL: for chosen units and for all.
var (
	dailyCountsByUnitSQL = strings.Replace(dailyCountsSQL, "{live}", liveByUnit, 1)
	dailyCountsAllSQL    = strings.Replace(dailyCountsSQL, "{live}", liveAllUnits, 1)
)

// DailyLevelCounts returns, per unit, the counted ratings per level whose
// local day (in loc) lies between from and to, both YYYY-MM-DD and both
// included. unitIDs limits the units; nil means every unit. Units without
// ratings are absent. It reads the daily aggregate where it is complete and
// the ratings elsewhere, and always equals the count over the ratings at
// the moment it runs. A malformed date is an error.
func DailyLevelCounts(ctx context.Context, q db.DBTX, from, to string, loc *time.Location, unitIDs []int64) (map[int64]LevelCounts, error) {
	start, end, err := parsePeriod(from, to, loc)
	if err != nil {
		return nil, err
	}
	out := map[int64]LevelCounts{}
	if end.Before(start) {
		return out, nil
	}
	if unitIDs != nil && len(unitIDs) == 0 {
		return out, nil
	}
	sql := dailyCountsByUnitSQL
	if unitIDs == nil {
		sql = dailyCountsAllSQL
	}
	if err := readCounts(ctx, q, out, sql, loc.String(), start.Format(time.DateOnly), end.Format(time.DateOnly), unitIDs); err != nil {
		return nil, err
	}
	return out, nil
}

// readCounts runs one of the aggregate's reads with a generic plan
// (db.WithGenericPlan) and puts its rows — a key, then the counts of
// levels 1..5 — into out.
func readCounts[K comparable](ctx context.Context, q db.DBTX, out map[K]LevelCounts, sql string, args ...any) error {
	err := db.WithGenericPlan(ctx, q, func(q db.DBTX) error {
		rows, _ := q.Query(ctx, sql, args...)
		var key K
		var c LevelCounts
		_, err := pgx.ForEachRow(rows, []any{&key, &c[0], &c[1], &c[2], &c[3], &c[4]}, func() error {
			out[key] = c
			return nil
		})
		return err
	})
	return db.Err(err)
}

// DirectLevelCounts is DailyLevelCounts computed straight from the ratings,
// without the aggregate: what DailyLevelCounts must always equal, and what
// it costs without it (seconds over a year of tens of millions of ratings).
// Tests and the benchmark compare the two. A malformed date is an error.
func DirectLevelCounts(ctx context.Context, q db.DBTX, from, to string, loc *time.Location, unitIDs []int64) (map[int64]LevelCounts, error) {
	start, end, err := parsePeriod(from, to, loc)
	if err != nil {
		return nil, err
	}
	rows, _ := q.Query(ctx, `SELECT unit_id, level, count(*) FROM ratings
		WHERE rated_at >= $1 AND rated_at < $2 AND NOT excluded AND ($3::bigint[] IS NULL OR unit_id = ANY($3))
		GROUP BY unit_id, level`, start, end.AddDate(0, 0, 1), unitIDs)
	out := map[int64]LevelCounts{}
	var unit, n int64
	var level int
	_, err = pgx.ForEachRow(rows, []any{&unit, &level, &n}, func() error {
		c := out[unit]
		c[level-1] = n
		out[unit] = c
		return nil
	})
	return out, db.Err(err)
}

// parsePeriod parses the days from and to (YYYY-MM-DD) as local midnights.
func parsePeriod(from, to string, loc *time.Location) (start, end time.Time, err error) {
	if start, err = time.ParseInLocation(time.DateOnly, from, loc); err == nil {
		end, err = time.ParseInLocation(time.DateOnly, to, loc)
	}
	return start, end, err
}
