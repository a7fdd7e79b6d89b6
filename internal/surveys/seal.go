package surveys

import (
	"context"
	"time"

	"minyi/internal/db"
)

// Seal unlinks the answers of anonymous surveys from the respondents who
// gave them, and returns how many respondents it sealed. Maintenance calls
// it hourly, then VACUUMs survey_respondents, survey_drafts and
// survey_responses so that the dead row versions are gone.
//
// A submission inserts the answers and updates the respondent in one
// transaction, in the order respondents submit. Until sealed, the
// respondent's row and its answers share that transaction's id (xmin), and
// the answers lie in the heap (and get ctids) in submission order, so
// anyone holding the proxy's access log (when each invitation link was
// submitted) could pair answers with respondents by rank. In one statement,
// Seal therefore rewrites each newly submitted respondent (sealed_at) and
// deletes and re-inserts, in random order, every invitation answer of the
// same surveys from the days those respondents submitted on: afterwards
// they all carry the seal's xmin and lie in no order but a random one.
// Answer ids are random uuids and are kept, so feedback reviews and cases
// that refer to an answer still do; every column is copied as it is.
//
// An anonymous respondent's submitted_at is midnight of its local day, so
// its UTC date is at most one day before submitted_on in any time zone;
// one day of margin covers them all at the cost of sometimes shuffling the
// day before too.
func Seal(ctx context.Context, q db.DBTX, now time.Time) (int64, error) {
	const sql = `WITH sealed AS (
			UPDATE survey_respondents r SET sealed_at = $1
			FROM surveys s WHERE s.id = r.survey_id AND s.anonymous
				AND r.status = 'submitted' AND r.sealed_at IS NULL
			RETURNING r.survey_id, r.submitted_at
		), since AS (
			SELECT survey_id, (min(submitted_at) AT TIME ZONE 'UTC')::date - 1 AS day
			FROM sealed GROUP BY survey_id
		), moved AS (
			DELETE FROM survey_responses p USING since
			WHERE p.survey_id = since.survey_id AND p.source = 'invitation' AND p.submitted_on >= since.day
			RETURNING p.*
		), shuffled AS (
			INSERT INTO survey_responses SELECT * FROM moved ORDER BY random()
		)
		SELECT count(*) FROM sealed`
	var sealed int64
	if err := q.QueryRow(ctx, sql, now).Scan(&sealed); err != nil {
		return 0, db.Err(err)
	}
	return sealed, nil
}
