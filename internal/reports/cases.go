package reports

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
)

// CaseFigures are a period's rectification cases (整改案件).
type CaseFigures struct {
	// Opened cases were opened in the period; Answered of them the unit
	// has answered (by now), OnTime by their answer deadline; Due of them
	// have an outcome: answered, or past their deadline unanswered.
	Opened, Answered, OnTime, Due int
	// Overdue are the cases (opened in any period) whose answer was overdue
	// at the period's end (today while it runs): past their deadline and
	// not answered by the end of that day.
	Overdue int
	// FromFeedback are the opened cases that came from the public's
	// ratings and messages, Rectified of them closed by the office after
	// the unit fixed the problem (整改完成).
	FromFeedback, Rectified int
}

// OnTimeRate is the 按期答复率 in percent: the cases answered by their
// deadline over those with an outcome; NaN when none has one yet.
func (c CaseFigures) OnTimeRate() float64 { return Percent(c.OnTime, c.Due) }

// RectifiedRate is the 差评整改率 in percent: of the cases opened on the
// public's 差评 and messages, those rectified; NaN when none was opened.
func (c CaseFigures) RectifiedRate() float64 { return Percent(c.Rectified, c.FromFeedback) }

// Add adds o to c.
func (c CaseFigures) Add(o CaseFigures) CaseFigures {
	return CaseFigures{Opened: c.Opened + o.Opened, Answered: c.Answered + o.Answered, OnTime: c.OnTime + o.OnTime,
		Due: c.Due + o.Due, Overdue: c.Overdue + o.Overdue, FromFeedback: c.FromFeedback + o.FromFeedback,
		Rectified: c.Rectified + o.Rectified}
}

// caseCountsSQL counts per unit the cases that were opened in the span
// ($1 ≤ created_at < $2) or were overdue at its end (deadline before the
// last day $3, not answered before $2); $4 is today and $5 the time zone
// of the local dates. The two are apart: the span's cases through their
// created_at index, and the older ones overdue at the end through an
// index-only walk of rectification_cases_answer_due (migration 0086). One
// pass with an OR of both read the whole table (147 ms at five years).
const caseCountsSQL = `WITH x AS (
	SELECT c.unit_id,
		count(*) AS opened,
		count(*) FILTER (WHERE c.answered_at IS NOT NULL) AS answered,
		count(*) FILTER (WHERE c.answered_at IS NOT NULL
			AND (c.answer_due IS NULL OR (c.answered_at AT TIME ZONE $5)::date <= c.answer_due)) AS on_time,
		count(*) FILTER (WHERE c.answered_at IS NOT NULL OR c.answer_due < $4::date) AS due,
		count(*) FILTER (WHERE c.answer_due < $3::date AND (c.answered_at IS NULL OR c.answered_at >= $2)) AS overdue,
		count(*) FILTER (WHERE c.source_group = 'feedback') AS from_feedback,
		count(*) FILTER (WHERE c.source_group = 'feedback' AND c.status = 'closed') AS rectified
	FROM rectification_cases c
	WHERE c.created_at >= $1 AND c.created_at < $2
	GROUP BY c.unit_id
	UNION ALL
	SELECT c.unit_id, 0, 0, 0, 0, count(*), 0, 0
	FROM rectification_cases c
	WHERE c.answer_due < $3::date AND c.created_at < $1 AND (c.answered_at IS NULL OR c.answered_at >= $2)
	GROUP BY c.unit_id
)
SELECT unit_id, sum(opened)::int, sum(answered)::int, sum(on_time)::int, sum(due)::int, sum(overdue)::int,
	sum(from_feedback)::int, sum(rectified)::int
FROM x GROUP BY unit_id`

// CaseCounts returns the case figures of the span's days per unit (units
// without any are absent); today is the current local date (a Day).
func CaseCounts(ctx context.Context, q db.DBTX, s Span, today time.Time, loc *time.Location) (map[int64]CaseFigures, error) {
	start := localMidnight(s.From, loc)
	end := localMidnight(s.To.AddDate(0, 0, 1), loc)
	rows, _ := q.Query(ctx, caseCountsSQL, start, end, s.To.Format(time.DateOnly), today.Format(time.DateOnly), loc.String())
	out := map[int64]CaseFigures{}
	var unit int64
	var c CaseFigures
	_, err := pgx.ForEachRow(rows, []any{&unit, &c.Opened, &c.Answered, &c.OnTime, &c.Due, &c.Overdue, &c.FromFeedback, &c.Rectified},
		func() error {
			out[unit] = c
			return nil
		})
	return out, db.Err(err)
}

// localMidnight is the start of the date day (a Day) in loc.
func localMidnight(day time.Time, loc *time.Location) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
}
