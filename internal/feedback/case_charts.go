package feedback

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
)

// AnswerTimeliness counts the cases a unit was sent in a month by how its
// answer went, on the date of today: answered by answer_due (on time),
// answered after it (late), not answered with answer_due passed (overdue),
// not answered and not due yet (pending). A case without answer_due
// counts as on time once answered, pending before.
type AnswerTimeliness struct {
	Month                          string // YYYY-MM
	OnTime, Late, Overdue, Pending int
}

// caseTimelinessSQL groups the unit $1's cases opened from $2 on by the
// local month ($3 the zone) they were sent (opened, before they are
// sent), on the date $4. It reads the unit's cases down
// rectification_cases_unit: a few hundred a year at most.
const caseTimelinessSQL = `
SELECT to_char(coalesce(c.sent_on, (c.created_at AT TIME ZONE $3)::date), 'YYYY-MM') AS month,
	count(*) FILTER (WHERE c.answered_at IS NOT NULL AND (c.answer_due IS NULL OR (c.answered_at AT TIME ZONE $3)::date <= c.answer_due)),
	count(*) FILTER (WHERE c.answered_at IS NOT NULL AND (c.answered_at AT TIME ZONE $3)::date > c.answer_due),
	count(*) FILTER (WHERE c.answered_at IS NULL AND c.answer_due < $4::date),
	count(*) FILTER (WHERE c.answered_at IS NULL AND (c.answer_due IS NULL OR c.answer_due >= $4::date))
FROM rectification_cases c
WHERE c.unit_id = $1 AND c.created_at >= $2
GROUP BY 1 ORDER BY 1`

// CaseTimeliness returns the unit's cases opened since since, per month
// they were sent (months without cases absent), as AnswerTimeliness on the
// local date of today in loc.
func CaseTimeliness(ctx context.Context, q db.DBTX, unitID int64, since, today time.Time, loc *time.Location) ([]AnswerTimeliness, error) {
	rows, _ := q.Query(ctx, caseTimelinessSQL, unitID, since, loc.String(), today.In(loc).Format(time.DateOnly))
	var out []AnswerTimeliness
	var a AnswerTimeliness
	_, err := pgx.ForEachRow(rows, []any{&a.Month, &a.OnTime, &a.Late, &a.Overdue, &a.Pending}, func() error {
		out = append(out, a)
		return nil
	})
	return out, db.Err(err)
}
