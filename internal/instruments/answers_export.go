package instruments

import (
	"context"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
)

// ExportLine is one answer of an instrument's export: an AnswerLine with
// the unit it rates.
type ExportLine struct {
	AnswerLine
	UnitName string `db:"unit_name"`
}

// ExportGroup is one group's answers for one unit in an anonymous
// instrument's export.
type ExportGroup struct {
	AnswerGroup
	UnitName string `db:"unit_name"`
}

// MaxAnswerBatch is the most answers one AnswerBatch reads.
const MaxAnswerBatch = 2000

// answerExportJoins are raterJoins for every rated unit ($2 = 0) or one.
const answerExportJoins = ` FROM evaluation_instrument_answers a
	JOIN units tu ON tu.id = a.rated_unit_id
	LEFT JOIN evaluation_instrument_invitees v ON v.id = a.invitee_id
	LEFT JOIN units ru ON ru.id = a.rater_unit_id
	WHERE a.instrument_id = $1 AND ($2::bigint = 0 OR a.rated_unit_id = $2)`

// AnswerBatch reads up to limit answers of instrument in (of the rated
// unit unitID, 0 for all) after the answer id after, in id order: an
// export's keyset-paged read. It never reads an anonymous instrument's
// raters (AnswerGroups is its export).
func AnswerBatch(ctx context.Context, q db.DBTX, in Instrument, unitID, after int64, limit int) ([]ExportLine, *int64, error) {
	if in.Anonymous {
		return nil, nil, nil
	}
	rows, _ := q.Query(ctx, `SELECT a.id, coalesce(v.name, ru.name) AS rater, coalesce(v.group_name, ru.category) AS grp,
		a.grade, a.value::float8 AS value, a.answered_at, tu.name AS unit_name`+answerExportJoins+
		` AND a.id > $3 ORDER BY a.id LIMIT $4`, in.ID, unitID, after, min(max(limit, 1), MaxAnswerBatch))
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[ExportLine])
	if err != nil || len(list) == 0 {
		return nil, nil, db.Err(err)
	}
	return list, &list[len(list)-1].ID, nil
}

// AnswerGroups is an anonymous instrument's answers by rated unit and
// group of raters, with the count and mean, by unit name and group.
func AnswerGroups(ctx context.Context, q db.DBTX, in Instrument, unitID int64) ([]ExportGroup, error) {
	rows, _ := q.Query(ctx, `SELECT tu.name AS unit_name, coalesce(v.group_name, ru.category) AS grp, count(*)::int AS answers,
		sum(a.value)::text AS total`+answerExportJoins+` GROUP BY tu.name, a.rated_unit_id, 2 ORDER BY tu.name, a.rated_unit_id, 2`,
		in.ID, unitID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[ExportGroup])
	for i := range list {
		if m, ok := Mean(list[i].Total, list[i].Answers); ok {
			list[i].Mean = &m
		}
	}
	return list, db.Err(err)
}

// AnswerCount is how many answers instrument in holds (for the rated unit
// unitID, 0 for all).
func AnswerCount(ctx context.Context, q db.DBTX, in Instrument, unitID int64) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT count(*)`+answerExportJoins, in.ID, unitID).Scan(&n)
	return n, db.Err(err)
}
