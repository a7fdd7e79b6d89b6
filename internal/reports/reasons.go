package reports

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
)

// ReasonCount is how many of a period's cases a reason was given for.
type ReasonCount struct {
	Reason string
	Count  int64
}

// Problems are the most frequent problems of a period.
type Problems struct {
	// Reasons are the reasons of the 差评 the period's cases were opened
	// on, most frequent first (at most TopReasons).
	Reasons []ReasonCount
	// Cases is how many cases the period opened; Unreasoned of them came
	// from a message, a survey opinion, monitoring or an assessment, or
	// from a 差评 without a reason chosen.
	Cases, Unreasoned int64
}

// TopReasons is how many reasons the report lists.
const TopReasons = 10

// problemsSQL reads the cases opened in [$1, $2) and the reasons of the
// rating each was opened on (its first source), which the case keeps
// (source_reasons, migration 0085): the period's cases through their
// created_at index and nothing else. Finding the reasons through each
// case's review and its rating instead took 1.7–1.8 s at five years
// (docs/benchmarks.md, fourteenth run). Counting the reasons of every 差评
// of a month instead reads some 200,000 rows of a month of 4 million
// ratings: seconds, not milliseconds.
const problemsSQL = `WITH src AS (
	SELECT coalesce(c.source_reasons, '{}') AS reasons FROM rectification_cases c
	WHERE c.created_at >= $1 AND c.created_at < $2
)
SELECT x.reason, count(*) FROM src CROSS JOIN LATERAL unnest(src.reasons) AS x(reason) GROUP BY 1
UNION ALL
SELECT NULL, count(*) FILTER (WHERE cardinality(reasons) = 0) FROM src
UNION ALL
SELECT '', count(*) FROM src`

// ProblemsOf returns the most frequent problems of the cases opened in the
// span's days.
func ProblemsOf(ctx context.Context, q db.DBTX, s Span, loc *time.Location) (Problems, error) {
	var out Problems
	rows, _ := q.Query(ctx, problemsSQL, localMidnight(s.From, loc), localMidnight(s.To.AddDate(0, 0, 1), loc))
	var reason *string
	var n int64
	_, err := pgx.ForEachRow(rows, []any{&reason, &n}, func() error {
		switch {
		case reason == nil:
			out.Unreasoned = n
		case *reason == "":
			out.Cases = n
		default:
			out.Reasons = append(out.Reasons, ReasonCount{Reason: *reason, Count: n})
		}
		return nil
	})
	if err != nil {
		return out, db.Err(err)
	}
	slices.SortFunc(out.Reasons, func(a, b ReasonCount) int {
		if a.Count != b.Count {
			return cmp.Compare(b.Count, a.Count)
		}
		return strings.Compare(a.Reason, b.Reason)
	})
	out.Reasons = out.Reasons[:min(len(out.Reasons), TopReasons)]
	return out, nil
}
