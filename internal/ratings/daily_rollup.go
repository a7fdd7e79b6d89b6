package ratings

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
)

// The daily aggregate, and why it is exact at every moment.
//
// rating_daily_counts holds the counted ratings per unit, local day and
// level; rating_rollup_days lists the days whose rows are complete and the
// time zone they were cut in; rating_dirty marks (unit, minute of rated_at)
// whose ratings changed after their day may have been rolled.
// DailyLevelCounts reads a (unit, day) from the aggregate when the day is
// rolled in the current zone and no mark of the unit falls in it, and from
// the ratings otherwise, all in one statement. That is the direct count in
// every snapshot as long as this holds:
//
//	A change to the counted ratings of a (unit, day) that a rollup's
//	recompute did not see commits together with a mark of the unit in that
//	day, and a mark is deleted only by a transaction that recomputes its
//	(unit, day) in a later snapshot than the mark's.
//
// Changes come from two places, and each marks in its own transaction:
//
//   - Exclude and Restore always mark the rating's minute.
//   - The writer marks the minute of each rating dated before its cutoff:
//     the later of the start of the local day lateAfter ago and the start
//     of the quarter hour (todayStep, UTC-aligned) lateAfter ago (without
//     a zone, simply lateAfter ago). A rating it does not mark belongs to
//     a day, and a quarter hour, that had not ended lateAfter before the
//     writer read its clock, and its statement commits within seconds of
//     that reading. Ratings written now for now — almost all of them —
//     mark nothing, so the hot path is unchanged.
//
// RollUp rolls a day only once it ended closeMargin ago by both the
// caller's clock and Postgres's, so every unmarked rating of the day has
// committed before the rollup reads the day (given instance clocks that
// agree within a few minutes, as NTP keeps them). The current day is
// rolled the same way up to a watermark (daily_today.go): a quarter-hour
// boundary that passed closeMargin ago, so every unmarked rating before it
// has committed too.
//
// Each rollup transaction runs at READ COMMITTED and first deletes the marks
// it takes, locking them in key order, then — in a later statement, hence a
// later snapshot — recomputes the affected (unit, day) pairs from the
// ratings: full counts, not increments, so running it twice changes
// nothing, and a pair that now counts nothing loses its row.
//
//   - A mark committed before the delete's snapshot is taken; the change
//     that came with it committed earlier still, so the recompute sees it.
//   - A mark inserted by a transaction still running is invisible to the
//     delete and survives it: the pair stays read live until the next
//     rollup.
//   - A transaction that finds its mark already there must not rely on it
//     while a rollup deletes it, so marks are written with ON CONFLICT DO
//     UPDATE, which locks the row (DO NOTHING would not). Either the
//     rollup's delete waits for that transaction, then deletes the version
//     it committed, and the recompute, which starts after the delete ended,
//     sees its change; or the transaction's upsert waits for the rollup to
//     commit the delete and then inserts a new mark, which survives.
//
// The deleted marks, the recomputed rows and the rolled days become visible
// together at commit, so a reader sees either the old rows with their marks
// (and reads those pairs live) or the new rows. Rollup transactions take a
// transaction-level advisory lock, so two of them (two instances, or
// `minyi migrate` next to a server) never interleave: a recompute from an
// older snapshot committing after one from a newer snapshot could
// otherwise write back stale counts.
//
// The charts' aggregates (chart_parts.go: rating_daily_parts and
// rating_office_daily) are recomputed by the same transactions, right after
// rating_daily_counts and for the same (unit, day) pairs, so the protocol
// keeps them as fresh; their readers do not read dirty pairs live.
//
// Marks name minutes rather than local days, so that neither the writer nor
// Exclude needs the time zone; every zone in use since 1972 starts its days
// on a whole minute. Days rolled in another zone (after TIME_ZONE changed)
// are read from the ratings until RollUp rolls them again in the new zone.

const (
	// closeMargin is how long after its end a day is rolled.
	closeMargin = 10 * time.Minute
	// lateAfter: the writer marks a rating whose day ended more than
	// lateAfter before it writes. closeMargin − lateAfter must exceed the
	// time a write takes to commit plus the clock skew between instances.
	lateAfter = 5 * time.Minute
	// rollupLock is the advisory lock rollup transactions hold.
	rollupLock = 7_305_004
	// pairsPerTx is how many marks one rollup transaction takes at most.
	pairsPerTx = 5000
)

// dirtyMinute is the minute a mark names for the rating's rated_at;
// dirtyUpsert inserts a mark, or locks it when it is there. Both are
// spliced into the statements that change ratings.
const dirtyMinute = `date_bin('1 minute', rated_at, timestamptz '2000-01-01 00:00:00+00')`

const dirtyUpsert = `ON CONFLICT (unit_id, minute) DO UPDATE SET marked_at = now()`

// Conn runs statements and starts transactions: *pgxpool.Pool and
// *pgxpool.Conn are both.
type Conn interface {
	db.DBTX
	Begin(ctx context.Context) (pgx.Tx, error)
}

// RollupResult says what a rollup did.
type RollupResult struct {
	Days  int // days rolled for every unit
	Txs   int // transactions committed
	Pairs int // (unit, day) pairs recomputed for their marks
}

// rollupDaysSQL lists the closed days not rolled in the zone $1, from the
// first day that can hold a rating: the earliest of the days rolled
// already, the first rating and the first mark. A day is closed once it
// ended $3 before $2 and before Postgres's now().
const rollupDaysSQL = `
WITH bounds AS (
	SELECT ((least($2::timestamptz, now()) - $3::interval) AT TIME ZONE $1)::date - 1 AS last,
		least((SELECT min(day) FROM rating_rollup_days WHERE tz = $1),
			(SELECT (min(x.m) AT TIME ZONE $1)::date FROM units u
				CROSS JOIN LATERAL (SELECT min(rated_at) AS m FROM ratings WHERE unit_id = u.id) AS x),
			(SELECT (min(minute) AT TIME ZONE $1)::date FROM rating_dirty)) AS first
)
SELECT g::date FROM bounds, generate_series(bounds.first, bounds.last, interval '1 day') AS g
WHERE NOT EXISTS (SELECT 1 FROM rating_rollup_days r WHERE r.day = g::date AND r.tz = $1 AND r.upto IS NULL)
ORDER BY 1`

// takeDayMarksSQL deletes every mark in the days $2..$3 of the zone $1.
const takeDayMarksSQL = `
WITH doomed AS (
	SELECT unit_id, minute FROM rating_dirty
	WHERE minute >= $2::date::timestamp AT TIME ZONE $1 AND minute < ($3::date + 1)::timestamp AT TIME ZONE $1
	ORDER BY unit_id, minute FOR UPDATE
)
DELETE FROM rating_dirty d USING doomed x WHERE d.unit_id = x.unit_id AND d.minute = x.minute`

// levelCountsCols counts the levels of the ratings r of a group.
const levelCountsCols = `count(*) FILTER (WHERE r.level = 1) AS n1, count(*) FILTER (WHERE r.level = 2) AS n2,
		count(*) FILTER (WHERE r.level = 3) AS n3, count(*) FILTER (WHERE r.level = 4) AS n4,
		count(*) FILTER (WHERE r.level = 5) AS n5`

// storeCountsSQL ends the recompute statements: it writes the rows of
// counts and deletes those of recomputed pairs that count nothing now.
const storeCountsSQL = `, up AS (
	INSERT INTO rating_daily_counts AS c (unit_id, day, n1, n2, n3, n4, n5)
	SELECT unit_id, day, n1, n2, n3, n4, n5 FROM counts WHERE n1 + n2 + n3 + n4 + n5 > 0
	ON CONFLICT (unit_id, day) DO UPDATE SET n1 = EXCLUDED.n1, n2 = EXCLUDED.n2, n3 = EXCLUDED.n3,
		n4 = EXCLUDED.n4, n5 = EXCLUDED.n5, rolled_at = now()
)`

// recomputeDaysSQL recomputes every unit's rows of the days $2..$3 of the
// zone $1 from the ratings.
const recomputeDaysSQL = `
WITH counts AS (
	SELECT r.unit_id, (r.rated_at AT TIME ZONE $1)::date AS day, ` + levelCountsCols + `
	FROM ratings r
	WHERE r.rated_at >= $2::date::timestamp AT TIME ZONE $1 AND r.rated_at < ($3::date + 1)::timestamp AT TIME ZONE $1
	  AND NOT r.excluded
	GROUP BY 1, 2
)` + storeCountsSQL + `
DELETE FROM rating_daily_counts c WHERE c.day BETWEEN $2::date AND $3::date
	AND NOT EXISTS (SELECT 1 FROM counts k WHERE k.unit_id = c.unit_id AND k.day = c.day)`

// sumMonthSQL recomputes every unit's monthly sums of the month of $1 from
// the daily rows of complete days (not the current day's rows up to its
// watermark: a month is read from its sums only once all its days are
// complete, and rolling its last day sums it again).
const sumMonthSQL = `
WITH sums AS (
	SELECT unit_id, sum(n1) AS n1, sum(n2) AS n2, sum(n3) AS n3, sum(n4) AS n4, sum(n5) AS n5
	FROM rating_daily_counts
	WHERE day >= date_trunc('month', $1::date)::date AND day < (date_trunc('month', $1::date) + interval '1 month')::date
	  AND day NOT IN (SELECT day FROM rating_rollup_days WHERE upto IS NOT NULL)
	GROUP BY unit_id
), up AS (
	INSERT INTO rating_monthly_counts (month, unit_id, n1, n2, n3, n4, n5)
	SELECT date_trunc('month', $1::date)::date, unit_id, n1, n2, n3, n4, n5 FROM sums
	ON CONFLICT (month, unit_id) DO UPDATE SET n1 = EXCLUDED.n1, n2 = EXCLUDED.n2, n3 = EXCLUDED.n3,
		n4 = EXCLUDED.n4, n5 = EXCLUDED.n5
)
DELETE FROM rating_monthly_counts m WHERE m.month = date_trunc('month', $1::date)::date
	AND NOT EXISTS (SELECT 1 FROM sums s WHERE s.unit_id = m.unit_id)`

// sumPairMonthsSQL recomputes the monthly sums of the units $1[i] in the
// months of the days $2[i] from the daily rows of complete days.
const sumPairMonthsSQL = `
WITH keys AS (
	SELECT DISTINCT unit_id, date_trunc('month', day)::date AS month FROM unnest($1::bigint[], $2::date[]) AS p(unit_id, day)
), sums AS (
	SELECT k.month, k.unit_id, x.n1, x.n2, x.n3, x.n4, x.n5 FROM keys k CROSS JOIN LATERAL (
		SELECT coalesce(sum(c.n1), 0) AS n1, coalesce(sum(c.n2), 0) AS n2, coalesce(sum(c.n3), 0) AS n3,
			coalesce(sum(c.n4), 0) AS n4, coalesce(sum(c.n5), 0) AS n5
		FROM rating_daily_counts c
		WHERE c.unit_id = k.unit_id AND c.day >= k.month AND c.day < (k.month + interval '1 month')::date
		  AND c.day NOT IN (SELECT day FROM rating_rollup_days WHERE upto IS NOT NULL)) AS x
), up AS (
	INSERT INTO rating_monthly_counts (month, unit_id, n1, n2, n3, n4, n5)
	SELECT month, unit_id, n1, n2, n3, n4, n5 FROM sums WHERE n1 + n2 + n3 + n4 + n5 > 0
	ON CONFLICT (month, unit_id) DO UPDATE SET n1 = EXCLUDED.n1, n2 = EXCLUDED.n2, n3 = EXCLUDED.n3,
		n4 = EXCLUDED.n4, n5 = EXCLUDED.n5
)
DELETE FROM rating_monthly_counts m USING sums s
WHERE m.month = s.month AND m.unit_id = s.unit_id AND s.n1 + s.n2 + s.n3 + s.n4 + s.n5 = 0`

// markRolledSQL records the days $2..$3 as rolled in the zone $1.
const markRolledSQL = `
INSERT INTO rating_rollup_days (day, tz)
SELECT g::date, $1 FROM generate_series($2::date, $3::date, interval '1 day') AS g
ON CONFLICT (day) DO UPDATE SET tz = EXCLUDED.tz, rolled_at = now(), upto = NULL`

// takePairMarksSQL deletes up to $2 marks lying in days rolled in the zone
// $1 and returns their (unit, day) pairs.
const takePairMarksSQL = `
WITH doomed AS (
	SELECT d.unit_id, d.minute FROM rating_dirty d
	JOIN rating_rollup_days r ON r.day = (d.minute AT TIME ZONE $1)::date AND r.tz = $1
	ORDER BY d.unit_id, d.minute LIMIT $2 FOR UPDATE OF d
)
DELETE FROM rating_dirty d USING doomed x WHERE d.unit_id = x.unit_id AND d.minute = x.minute
RETURNING d.unit_id, (d.minute AT TIME ZONE $1)::date`

// recomputePairsSQL recomputes the rows of the pairs ($2[i], $3[i]) in the
// zone $1 from the ratings, reading each pair down the unit's index: the
// whole day, or for the current day the part before its watermark.
const recomputePairsSQL = `
WITH pairs AS (
	SELECT DISTINCT p.unit_id, p.day, coalesce(d.upto, (p.day + 1)::timestamp AT TIME ZONE $1) AS hi
	FROM unnest($2::bigint[], $3::date[]) AS p(unit_id, day)
	LEFT JOIN rating_rollup_days d ON d.day = p.day AND d.tz = $1
), counts AS (
	SELECT p.unit_id, p.day, x.n1, x.n2, x.n3, x.n4, x.n5 FROM pairs p CROSS JOIN LATERAL (
		SELECT ` + levelCountsCols + ` FROM ratings r
		WHERE r.unit_id = p.unit_id AND r.rated_at >= p.day::timestamp AT TIME ZONE $1
		  AND r.rated_at < p.hi AND NOT r.excluded) AS x
)` + storeCountsSQL + `
DELETE FROM rating_daily_counts c USING counts k
WHERE c.unit_id = k.unit_id AND c.day = k.day AND k.n1 + k.n2 + k.n3 + k.n4 + k.n5 = 0`

// RollUp brings the daily aggregate up to date at now in loc: it rolls
// every closed day not rolled yet, a month at most per transaction, then
// recomputes the (unit, day) pairs marked dirty in rolled days, a bounded
// number per transaction. It is idempotent and safe to run from several
// instances at once (see the comment above for the protocol). It returns
// what it did so far and the first error.
func RollUp(ctx context.Context, conn Conn, now time.Time, loc *time.Location) (RollupResult, error) {
	var res RollupResult
	tz := loc.String()
	// Days rolled in another zone (TIME_ZONE changed) are forgotten, so
	// they read live until rolled in this one: rolling this zone's days
	// rewrites only those up to its own yesterday, and a day the old zone
	// had rolled past that (its local date running ahead) would otherwise
	// stay marked rolled in the old zone over rows that its marks no
	// longer keep exact.
	if _, err := conn.Exec(ctx, `DELETE FROM rating_rollup_days WHERE tz <> $1`, tz); err != nil {
		return res, db.Err(err)
	}
	rows, _ := conn.Query(ctx, rollupDaysSQL, tz, now, closeMargin)
	days, err := pgx.CollectRows(rows, pgx.RowTo[time.Time])
	if err != nil {
		return res, db.Err(err)
	}
	for _, c := range monthRuns(days) {
		err := rollupTx(ctx, conn, func(tx pgx.Tx) error {
			first, last := c[0].Format(time.DateOnly), c[1].Format(time.DateOnly)
			for _, sql := range []string{takeDayMarksSQL, recomputeDaysSQL, recomputePartsDaysSQL, markRolledSQL} {
				if _, err := tx.Exec(ctx, sql, tz, first, last); err != nil {
					return err
				}
			}
			if _, err := tx.Exec(ctx, sumMonthSQL, first); err != nil {
				return err
			}
			return recomputeOffice(ctx, tx, daysBetween(c[0], c[1]))
		})
		if err != nil {
			return res, err
		}
		res.Txs++
		res.Days += int(c[1].Sub(c[0])/(24*time.Hour)) + 1
	}
	err = rollupTx(ctx, conn, func(tx pgx.Tx) error {
		_, err := advanceToday(ctx, tx, now, loc)
		return err
	})
	if err != nil {
		return res, err
	}
	// Marks keep arriving while this runs; the rounds are bounded so that a
	// steady stream of late ratings cannot keep it here.
	for round := 0; round < 100; round++ {
		taken, pairs, err := rollPairs(ctx, conn, tz)
		if err != nil {
			return res, err
		}
		if taken == 0 {
			break
		}
		res.Txs++
		res.Pairs += pairs
		if taken < pairsPerTx {
			break
		}
	}
	return res, nil
}

// rollPairs takes up to pairsPerTx marks of rolled days and recomputes
// their (unit, day) pairs, in one transaction. It returns how many marks it
// took and how many pairs it recomputed.
func rollPairs(ctx context.Context, conn Conn, tz string) (taken, pairs int, err error) {
	type pair struct {
		unit int64
		day  time.Time
	}
	err = rollupTx(ctx, conn, func(tx pgx.Tx) error {
		taken, pairs = 0, 0
		seen := map[pair]bool{}
		var units []int64
		var days []time.Time
		var p pair
		rows, _ := tx.Query(ctx, takePairMarksSQL, tz, pairsPerTx)
		_, err := pgx.ForEachRow(rows, []any{&p.unit, &p.day}, func() error {
			taken++
			if !seen[p] {
				seen[p] = true
				units, days = append(units, p.unit), append(days, p.day)
			}
			return nil
		})
		if err != nil || taken == 0 {
			return err
		}
		pairs = len(units)
		if _, err := tx.Exec(ctx, recomputePairsSQL, tz, units, days); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, recomputePartsPairsSQL, tz, units, days); err != nil {
			return err
		}
		if _, err = tx.Exec(ctx, sumPairMonthsSQL, units, days); err != nil {
			return err
		}
		return recomputeOffice(ctx, tx, days)
	})
	return taken, pairs, err
}

// monthRuns splits ascending days into runs of consecutive days within one
// calendar month, each as its first and last day.
func monthRuns(days []time.Time) [][2]time.Time {
	var runs [][2]time.Time
	for _, d := range days {
		if n := len(runs); n > 0 {
			last := runs[n-1][1]
			if d.Equal(last.AddDate(0, 0, 1)) && d.Month() == last.Month() && d.Year() == last.Year() {
				runs[n-1][1] = d
				continue
			}
		}
		runs = append(runs, [2]time.Time{d, d})
	}
	return runs
}

// rollupTx runs fn in a transaction holding the rollup lock, again when
// Postgres aborted it for a deadlock or a serialization failure.
func rollupTx(ctx context.Context, conn Conn, fn func(pgx.Tx) error) error {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		// A month of the first rollup takes seconds, minutes on a busy
		// server: the role's statement_timeout must not cut it.
		err = db.Unbounded(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, rollupLock); err != nil {
				return err
			}
			return fn(tx)
		})
		if code := pgCode(err); code != "40P01" && code != "40001" {
			break
		}
	}
	return db.Err(err)
}
