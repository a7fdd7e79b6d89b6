package reports

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
)

// ReasonCount is how many 差评 of a period named a reason.
type ReasonCount struct {
	Reason string `db:"reason"`
	Count  int64  `db:"n"`
}

// TopReasons is how many reasons the report lists.
const TopReasons = 10

// reasonsSQL counts the reasons of the counted 差评 rated in [$1, $2),
// read along the partial index of 差评 and messages (ratings_feedback,
// rated_at first: migration 0025), whose predicate level <= 2 implies.
const reasonsSQL = `SELECT x.reason, count(*) AS n
FROM ratings r CROSS JOIN LATERAL unnest(r.reasons) AS x(reason)
WHERE r.rated_at >= $1 AND r.rated_at < $2 AND r.level <= 2 AND NOT r.excluded
GROUP BY x.reason
ORDER BY n DESC, x.reason
LIMIT $3`

// Reasons returns the reasons most often given with the counted 差评 of
// the span's days, most frequent first.
func Reasons(ctx context.Context, q db.DBTX, s Span, loc *time.Location) ([]ReasonCount, error) {
	var out []ReasonCount
	err := db.WithGenericPlan(ctx, q, func(q db.DBTX) error {
		rows, _ := q.Query(ctx, reasonsSQL, localMidnight(s.From, loc), localMidnight(s.To.AddDate(0, 0, 1), loc), TopReasons)
		var err error
		out, err = pgx.CollectRows(rows, pgx.RowToStructByName[ReasonCount])
		return err
	})
	return out, db.Err(err)
}
