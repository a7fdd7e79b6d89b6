package partitions

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
)

// Policy decides which months may be archived.
type Policy struct {
	// RetentionMonths is RATINGS_RETENTION_MONTHS: the current month and
	// that many whole months before it are kept; 0 keeps every month.
	RetentionMonths int
	// Location is TIME_ZONE, the zone the months are cut in.
	Location *time.Location
	// Now is the time the policy is applied at.
	Now time.Time
}

// calendarReasons says why the month may not be archived from the
// calendar and the retention period alone.
func (p Policy) calendarReasons(m Month) []string {
	current := MonthOf(p.Now, p.Location)
	switch {
	case current.Before(m):
		return []string{"a future month"}
	case m == current:
		return []string{"the current month"}
	case p.RetentionMonths <= 0:
		return []string{"RATINGS_RETENTION_MONTHS is 0: no month may be archived"}
	case current.Before(m.Add(p.RetentionMonths + 1)):
		return []string{fmt.Sprintf("within the retention period (RATINGS_RETENTION_MONTHS=%d): may be archived from %s",
			p.RetentionMonths, m.Add(p.RetentionMonths+1))}
	}
	return nil
}

// openCyclesSQL lists the cycles whose period overlaps the days $1 up to
// (not including) $2 and whose final results are not in force: never
// published final, or reopened (assessment.CheckEditable's rule).
const openCyclesSQL = `SELECT c.name, to_char(c.period_start, 'YYYY-MM-DD'), to_char(c.period_end, 'YYYY-MM-DD')
FROM assessment_cycles c
WHERE c.period_start < $2::date AND c.period_end >= $1::date
  AND NOT EXISTS (SELECT 1 FROM assessment_publications p
	WHERE p.cycle_id = c.id AND p.stage = 'final' AND p.reopened_at IS NULL)
ORDER BY c.period_start, c.id`

// cycleReasons names every open cycle whose period overlaps the month.
func cycleReasons(ctx context.Context, q db.DBTX, m Month) ([]string, error) {
	rows, _ := q.Query(ctx, openCyclesSQL, m.First(), m.Add(1).First())
	var out []string
	var name, from, to string
	_, err := pgx.ForEachRow(rows, []any{&name, &from, &to}, func() error {
		out = append(out, fmt.Sprintf("inside the assessment cycle %s (%s to %s), whose final results are not published", name, from, to))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading cycles: %w", db.Err(err))
	}
	return out, nil
}

// scanSQL counts the ratings of a table {t} and those of them whose local
// day (zone $1) the daily aggregate has not rolled up in that zone.
const scanSQL = `WITH d AS (
	SELECT (r.rated_at AT TIME ZONE $1)::date AS day, count(*) AS n FROM {t} r GROUP BY 1
)
SELECT coalesce(sum(n), 0)::bigint,
	coalesce(sum(n) FILTER (WHERE day NOT IN (SELECT day FROM rating_rollup_days WHERE tz = $1 AND upto IS NULL)), 0)::bigint
FROM d`

// openSQL counts what still needs the ratings of a table {t}: ratings
// held by the daily cap awaiting a decision, open appeals, open flags,
// rectification cases not closed and reopened reviews naming them, and
// marks of changes in [$1, $2) the daily aggregate has not counted yet.
// Each count is driven by the small side through the table's key.
const openSQL = `SELECT
	(SELECT count(*) FROM {t} r WHERE r.held),
	(SELECT count(*) FROM feedback_appeals a JOIN {t} r ON r.id = a.rating_id WHERE a.status = 'open'),
	(SELECT count(DISTINCT f.id) FROM feedback_flags f CROSS JOIN LATERAL unnest(f.rating_ids) AS x(id)
		JOIN {t} r ON r.id = x.id WHERE f.status = 'open'),
	(SELECT count(DISTINCT c.id) FROM rectification_cases c JOIN case_sources s ON s.case_id = c.id
		JOIN {t} r ON r.id = CASE WHEN s.source_kind = 'rating' THEN s.source_id::uuid END
		WHERE s.source_kind = 'rating' AND c.status <> 'closed'),
	(SELECT count(*) FROM feedback_reviews fr
		JOIN {t} r ON r.id = CASE WHEN fr.source_kind = 'rating' THEN fr.source_id::uuid END
		WHERE fr.source_kind = 'rating' AND fr.verdict IS NULL),
	(SELECT count(*) FROM rating_dirty d WHERE d.minute >= $1 AND d.minute < $2)`

// openFacts are the counts of openSQL.
type openFacts struct {
	held, appeals, flags, cases, reviews, marks int64
}

func (f openFacts) reasons() []string {
	var out []string
	add := func(n int64, one, many string) {
		if n == 1 {
			out = append(out, one)
		} else if n > 1 {
			out = append(out, fmt.Sprintf(many, n))
		}
	}
	add(f.held, "1 rating held by the daily cap awaits the office's decision",
		"%d ratings held by the daily cap await the office's decision")
	add(f.appeals, "1 open appeal against its ratings", "%d open appeals against its ratings")
	add(f.flags, "1 open suspicious-pattern flag names its ratings", "%d open suspicious-pattern flags name its ratings")
	add(f.cases, "1 rectification case from its ratings is not closed", "%d rectification cases from its ratings are not closed")
	add(f.reviews, "1 reopened feedback review awaits a verdict", "%d reopened feedback reviews await a verdict")
	add(f.marks, "1 change not yet counted by the daily aggregate: run `minyi migrate` or wait for the hourly maintenance",
		"%d changes not yet counted by the daily aggregate: run `minyi migrate` or wait for the hourly maintenance")
	return out
}

// table substitutes the quoted table name for {t}.
func table(sql, name string) string {
	return strings.ReplaceAll(sql, "{t}", pgx.Identifier{name}.Sanitize())
}

// openReasons says what still needs the ratings of the table name, whose
// month lies in [lo, hi).
func openReasons(ctx context.Context, q db.DBTX, name string, lo, hi time.Time) ([]string, error) {
	var f openFacts
	err := q.QueryRow(ctx, table(openSQL, name), lo, hi).Scan(&f.held, &f.appeals, &f.flags, &f.cases, &f.reviews, &f.marks)
	if err != nil {
		return nil, fmt.Errorf("checking %s: %w", name, db.Err(err))
	}
	return f.reasons(), nil
}

// dataReasons reads the partition name of month m, with bounds lo and hi,
// and says why its rows may not be archived: bounds that are not the month
// in the policy's zone, ratings on days the aggregate has not rolled, and
// openReasons. It also returns the number of ratings.
func (p Policy) dataReasons(ctx context.Context, q db.DBTX, name string, m Month, lo, hi time.Time) ([]string, int64, error) {
	var out []string
	if wantLo, wantHi := m.Bounds(p.Location); !lo.Equal(wantLo) || !hi.Equal(wantHi) {
		out = append(out, fmt.Sprintf("its bounds are not the month %s in TIME_ZONE %s", m, p.Location))
	}
	var n, unrolled int64
	if err := q.QueryRow(ctx, table(scanSQL, name), p.Location.String()).Scan(&n, &unrolled); err != nil {
		return nil, 0, fmt.Errorf("counting %s: %w", name, db.Err(err))
	}
	if unrolled > 0 {
		out = append(out, fmt.Sprintf("%d ratings lie on days the daily aggregate has not rolled up in %s yet: "+
			"run `minyi migrate` or wait for the hourly maintenance", unrolled, p.Location))
	}
	open, err := openReasons(ctx, q, name, lo, hi)
	return append(out, open...), n, err
}
