// The figures behind a survey's charts: submissions per group and day, and
// the mean of each aspect per unit.

package surveys

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
)

// DaySubmissions is how many respondents of a group submitted on a local
// day.
type DaySubmissions struct {
	Group string
	Day   string // YYYY-MM-DD
	Count int
}

// SubmissionsPerDay counts the survey's submitted respondents per group and
// local day (in loc), oldest day first. It reads the survey's submitted
// respondents through the (survey_id, status) index: a survey has at most
// some tens of thousands. An anonymous respondent's submission time is
// kept to its day only (seal.go), which is all this needs.
func SubmissionsPerDay(ctx context.Context, q db.DBTX, surveyID int64, loc *time.Location) ([]DaySubmissions, error) {
	rows, _ := q.Query(ctx, `SELECT group_key, to_char((submitted_at AT TIME ZONE $2)::date, 'YYYY-MM-DD') AS day, count(*)::int
		FROM survey_respondents WHERE survey_id = $1 AND status = 'submitted' AND submitted_at IS NOT NULL
		GROUP BY 1, 2 ORDER BY 2, 1`, surveyID, loc.String())
	var out []DaySubmissions
	var d DaySubmissions
	_, err := pgx.ForEachRow(rows, []any{&d.Group, &d.Day, &d.Count}, func() error { out = append(out, d); return nil })
	return out, db.Err(err)
}

// AspectMean is the mean level (1 非常不满意 … 5 非常满意) the responses
// about a unit gave one aspect question, with how many answered it.
type AspectMean struct {
	UnitID   int64
	UnitName string
	Aspect   string // the question's key
	Mean     float64
	Count    int
}

// AspectMeans returns the mean of every aspect per unit of the category
// (every unit when category is ""), units by name. Each unit's responses
// are read down the (survey_id, unit_id, group_key) index, so the read
// grows with the category's responses, not the survey's (a province's
// survey holds some hundred thousand); unanswered or skipped aspects do
// not count.
func AspectMeans(ctx context.Context, q db.DBTX, surveyID int64, category string) ([]AspectMean, error) {
	rows, _ := q.Query(ctx, `SELECT u.id, u.name, x.key, x.mean, x.n
		FROM units u CROSS JOIN LATERAL (
			SELECT a.key, avg(a.value::int)::float8 AS mean, count(*)::int AS n
			FROM survey_responses r CROSS JOIN LATERAL jsonb_each_text(r.aspects) a
			WHERE r.survey_id = $1 AND r.unit_id = u.id AND a.value IN ('1', '2', '3', '4', '5')
			GROUP BY a.key) x
		WHERE ($2 = '' OR u.category = $2)
		ORDER BY u.name, u.id, x.key`, surveyID, category)
	var out []AspectMean
	var m AspectMean
	_, err := pgx.ForEachRow(rows, []any{&m.UnitID, &m.UnitName, &m.Aspect, &m.Mean, &m.Count}, func() error {
		out = append(out, m)
		return nil
	})
	return out, db.Err(err)
}
