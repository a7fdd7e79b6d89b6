package upward

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
)

// ratingRecordSQL is the one read of the rating → record mapping: every
// record, delivered or exported, is read through it. {{ratings}} is the
// rows of ratings read (alias r), {{more}} the columns a caller adds.
//
// At the merge of migration 0082 (the record's dimensions on ratings), the
// lead adds here, and to row and row.record: r.item_code → taskCode and
// service_items.name → taskName (LEFT JOIN service_items si ON si.unit_id
// = r.unit_id AND si.code = r.item_code), r.stage → assessNumber (in place
// of the 1 of a rating with a case), r.pf → pf (coalesce with the channel
// mapping below, which stays for ratings stored before), r.reason_codes →
// evalDetail, r.eva_version → evaVersion, r.applicant_type → userProp.
const ratingRecordSQL = `
SELECT r.id::text AS id, r.rated_at, coalesce(r.case_no, '') AS case_no,
	CASE r.channel WHEN 'qr' THEN 3 WHEN 'terminal' THEN 4 END AS pf,
	r.level, r.comment, u.name AS unit_name, coalesce(u.credit_code, '') AS credit_code,
	coalesce(u.area_code, '') AS area_code{{more}}
FROM {{ratings}}
JOIN units u ON u.id = r.unit_id`

// ratingRecords writes ratingRecordSQL over the ratings source with the
// extra columns more (each starting ", ").
func ratingRecords(ratings, more string) string {
	return strings.NewReplacer("{{ratings}}", ratings, "{{more}}", more).Replace(ratingRecordSQL)
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
