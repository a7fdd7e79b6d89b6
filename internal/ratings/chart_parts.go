package ratings

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The charts' aggregates (migration 0072): rating_daily_parts, a unit's
// counted ratings of a day per service point, terminal and reason, and
// rating_office_daily, every unit's together per day, hour (terminal
// ratings) and reason. They are kept by the rollup and nothing else, in the
// same transactions and for the same (unit, day) pairs as
// rating_daily_counts (daily_rollup.go): each recompute of those rows is
// followed by recomputeParts over the same ratings, and each set of days it
// touched by recomputeOfficeDays. So they are exactly as fresh as
// rating_daily_counts: complete for the days rolled completely, up to the
// watermark for the current day, and stale only for the (unit, day) pairs
// marked dirty until the next rollup recomputes them. Readers
// (chart_read.go) take them for rolled days and read the ratings for the
// rest.

// partsCols selects the four parts of the ratings r picked by {where},
// with the day expression {day}: per service point and per terminal (in one
// scan, by grouping sets), per reason, and per local hour of the zone {tz}
// for terminal ratings.
const partsCols = `
	SELECT r.unit_id, {day} AS day, CASE WHEN grouping(r.point_id) = 0 THEN 'point' ELSE 'terminal' END AS part,
		coalesce(r.point_id, r.terminal_id)::text AS key, ` + levelCountsCols + `
	FROM ratings r WHERE {where} AND NOT r.excluded AND (r.point_id IS NOT NULL OR r.terminal_id IS NOT NULL)
	GROUP BY GROUPING SETS ((r.unit_id, {day}, r.point_id), (r.unit_id, {day}, r.terminal_id))
	HAVING coalesce(r.point_id, r.terminal_id) IS NOT NULL
	UNION ALL
	SELECT r.unit_id, {day}, 'reason', x.reason, ` + levelCountsCols + `
	FROM ratings r CROSS JOIN LATERAL unnest(r.reasons) AS x(reason)
	WHERE {where} AND NOT r.excluded AND r.reasons <> '{}'
	GROUP BY 1, 2, 4
	UNION ALL
	SELECT r.unit_id, {day}, 'hour', extract(hour FROM r.rated_at AT TIME ZONE {tz})::int::text, ` + levelCountsCols + `
	FROM ratings r WHERE {where} AND NOT r.excluded AND r.channel = 'terminal'
	GROUP BY 1, 2, 4`

// storePartsSQL ends the recompute statements of rating_daily_parts: it
// writes the rows of parts and deletes the rows of the recomputed scope
// ({scope}, over p) that count nothing now.
const storePartsSQL = `, up AS (
	INSERT INTO rating_daily_parts AS c (unit_id, day, part, key, n1, n2, n3, n4, n5)
	SELECT unit_id, day, part, key, n1, n2, n3, n4, n5 FROM parts
	ON CONFLICT (unit_id, day, part, key) DO UPDATE SET n1 = EXCLUDED.n1, n2 = EXCLUDED.n2, n3 = EXCLUDED.n3,
		n4 = EXCLUDED.n4, n5 = EXCLUDED.n5
)
DELETE FROM rating_daily_parts p WHERE {scope}
	AND NOT EXISTS (SELECT 1 FROM parts k WHERE k.unit_id = p.unit_id AND k.day = p.day AND k.part = p.part AND k.key = p.key)`

// recomputePartsDaysSQL recomputes every unit's parts of the days $2..$3
// of the zone $1 (as recomputeDaysSQL does their counts).
var recomputePartsDaysSQL = `WITH parts AS (` + strings.NewReplacer(
	"{day}", "(r.rated_at AT TIME ZONE $1)::date", "{tz}", "$1",
	"{where}", "r.rated_at >= $2::date::timestamp AT TIME ZONE $1 AND r.rated_at < ($3::date + 1)::timestamp AT TIME ZONE $1",
).Replace(partsCols) + `)` + strings.Replace(storePartsSQL, "{scope}", "p.day BETWEEN $2::date AND $3::date", 1)

// recomputePartsTodaySQL recomputes every unit's parts of the day $3 of
// the zone $4 from its ratings rated in [$1, $2) (as recomputeTodaySQL
// does).
var recomputePartsTodaySQL = `WITH parts AS (` + strings.NewReplacer(
	"{day}", "$3::date", "{tz}", "$4", "{where}", "r.rated_at >= $1 AND r.rated_at < $2",
).Replace(partsCols) + `)` + strings.Replace(storePartsSQL, "{scope}", "p.day = $3::date", 1)

// recomputePartsPairsSQL recomputes the parts of the pairs ($2[i], $3[i])
// in the zone $1, each down the unit's index up to the same bound as
// recomputePairsSQL (the day's end, or its watermark).
var recomputePartsPairsSQL = `WITH pairs AS (
	SELECT DISTINCT p.unit_id, p.day, coalesce(d.upto, (p.day + 1)::timestamp AT TIME ZONE $1) AS hi
	FROM unnest($2::bigint[], $3::date[]) AS p(unit_id, day)
	LEFT JOIN rating_rollup_days d ON d.day = p.day AND d.tz = $1
), parts AS (
	SELECT x.* FROM pairs k CROSS JOIN LATERAL (` + strings.NewReplacer(
	"{day}", "k.day", "{tz}", "$1", "{where}", "r.unit_id = k.unit_id AND r.rated_at >= k.day::timestamp AT TIME ZONE $1 AND r.rated_at < k.hi",
).Replace(partsCols) + `) AS x
)` + strings.Replace(storePartsSQL, "{scope}", "(p.unit_id, p.day) IN (SELECT unit_id, day FROM pairs)", 1)

// recomputeOfficeDaysSQL recomputes rating_office_daily for the days $1[]
// after their per-unit rows were recomputed in the same transaction, as
// the sums of rating_daily_counts ('all') and of rating_daily_parts
// ('reason' and 'hour'): some twenty thousand rows a day of a province,
// down their indexes on the day.
const recomputeOfficeDaysSQL = `
WITH days AS (
	SELECT DISTINCT day FROM unnest($1::date[]) AS g(day)
), sums AS (
	SELECT c.day, 'all' AS part, '' AS key, sum(c.n1) AS n1, sum(c.n2) AS n2, sum(c.n3) AS n3, sum(c.n4) AS n4, sum(c.n5) AS n5
	FROM rating_daily_counts c WHERE c.day IN (SELECT day FROM days) GROUP BY c.day
	UNION ALL
	SELECT p.day, p.part, p.key, sum(p.n1), sum(p.n2), sum(p.n3), sum(p.n4), sum(p.n5)
	FROM rating_daily_parts p WHERE p.day IN (SELECT day FROM days) AND p.part IN ('reason', 'hour') GROUP BY p.day, p.part, p.key
), up AS (
	INSERT INTO rating_office_daily (day, part, key, n1, n2, n3, n4, n5)
	SELECT day, part, key, n1, n2, n3, n4, n5 FROM sums
	ON CONFLICT (day, part, key) DO UPDATE SET n1 = EXCLUDED.n1, n2 = EXCLUDED.n2, n3 = EXCLUDED.n3,
		n4 = EXCLUDED.n4, n5 = EXCLUDED.n5
)
DELETE FROM rating_office_daily o WHERE o.day IN (SELECT day FROM days)
	AND NOT EXISTS (SELECT 1 FROM sums s WHERE s.day = o.day AND s.part = o.part AND s.key = o.key)`

// recomputeOffice recomputes the office's rows of the days in tx; days
// need not be distinct.
func recomputeOffice(ctx context.Context, tx pgx.Tx, days []time.Time) error {
	if len(days) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, recomputeOfficeDaysSQL, days)
	return err
}

// daysBetween lists the days first..last.
func daysBetween(first, last time.Time) []time.Time {
	var out []time.Time
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		out = append(out, d)
	}
	return out
}
