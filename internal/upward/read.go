package upward

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
	"minyi/internal/ratings"
)

// ratingsPF is the rating's channel code, stored or mapped from its channel.
var ratingsPF = ratings.PFSQL("r")

// ratingRecordSQL is the one read of the rating → record mapping: every
// record, delivered or exported, is read through it. {{ratings}} is the
// rows of ratings read (alias r), {{more}} the columns a caller adds. The
// record's dimensions (migration 0082) are NULL on ratings stored before
// it: pf then comes from the channel (ratings.PFSQL), and a rating without
// a stage is the case's one rating (assessNumber 1).
const ratingRecordSQL = `
SELECT r.id::text AS id, r.rated_at, coalesce(r.case_no, '') AS case_no,
	{{pf}} AS pf, r.level, r.comment, u.name AS unit_name, coalesce(u.credit_code, '') AS credit_code,
	coalesce(u.area_code, '') AS area_code, coalesce(r.item_code, '') AS item_code, coalesce(si.name, '') AS item_name,
	coalesce(st.position::int, 0) AS stage_position, coalesce(r.reason_codes, '{}') AS reason_codes,
	coalesce(r.eva_version, '') AS eva_version, r.applicant_type::int AS applicant_type{{more}}
FROM {{ratings}}
JOIN units u ON u.id = r.unit_id
LEFT JOIN service_items si ON si.unit_id = r.unit_id AND si.code = r.item_code
LEFT JOIN rating_stages st ON st.code = r.stage`

// ratingRecords writes ratingRecordSQL over the ratings source with the
// extra columns more (each starting ", ").
func ratingRecords(ratings, more string) string {
	return strings.NewReplacer("{{ratings}}", ratings, "{{more}}", more, "{{pf}}", ratingsPF).Replace(ratingRecordSQL)
}

// noCase are the rectification columns of a rating record.
const noCase = `, NULL::bigint AS case_id, '' AS explanation, '' AS measures, '' AS done_note,
	NULL::timestamptz AS closed_at`

// byKey finds each rating of $1/$2 (ids and rated_at) with one probe of its
// partition's primary key (the lateral subquery, kept apart by OFFSET 0),
// in the order of the keys.
const byKey = `unnest($1::uuid[], $2::timestamptz[]) WITH ORDINALITY AS k(id, rated_at, ord)
CROSS JOIN LATERAL (SELECT * FROM ratings r0 WHERE r0.id = k.id AND r0.rated_at = k.rated_at OFFSET 0) r`

var (
	ratingsByKeySQL = ratingRecords(byKey, noCase) + ` ORDER BY k.ord`
	// rectificationsByKeySQL adds the case of each key ($3, in the same
	// order) to its rating.
	rectificationsByKeySQL = ratingRecords(byKey+`
JOIN rectification_cases c ON c.id = ($3::bigint[])[k.ord]`, `, c.id AS case_id, c.explanation, c.measures,
	c.done_note, c.closed_at`) + ` ORDER BY k.ord`
)

// readBatch reads the records of batch b, in the order of its keys. A
// rating since archived or deleted is left out.
func readBatch(ctx context.Context, q db.DBTX, b batchKeys) ([]row, error) {
	var rows pgx.Rows
	if b.Source == SourceRectification {
		rows, _ = q.Query(ctx, rectificationsByKeySQL, b.RatingIDs, b.RatedAts, b.CaseIDs)
	} else {
		rows, _ = q.Query(ctx, ratingsByKeySQL, b.RatingIDs, b.RatedAts)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[row])
	return out, db.Err(err)
}

// batchKeys are the keys a batch names its records by.
type batchKeys struct {
	Source    string
	RatingIDs []string
	RatedAts  []time.Time
	CaseIDs   []int64
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
