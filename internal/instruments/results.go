package instruments

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
)

// UnitResult is an instrument's result for one rated unit: the mean of
// its answers on 0–100 (2 decimals, half up; nil without answers), their
// count and sum, and Short when there are fewer than the instrument's
// minimum (the mean still counts, flagged).
type UnitResult struct {
	UnitID   int64    `json:"unit_id" db:"unit_id"`
	UnitName string   `json:"unit_name" db:"unit_name"`
	Category string   `json:"category" db:"category"`
	Answers  int      `json:"answers" db:"answers"`
	Total    string   `json:"total" db:"total"`
	Mean     *float64 `json:"mean" db:"-"`
	Short    bool     `json:"short" db:"-"`
}

func (r *UnitResult) finish(minAnswers int) {
	if m, ok := Mean(r.Total, r.Answers); ok {
		r.Mean = &m
	}
	r.Short = r.Answers < minAnswers
}

// Results returns a page of the instrument's rated units, by name, with
// their results, and the number of rated units.
func Results(ctx context.Context, q db.DBTX, in Instrument, limit, offset int) ([]UnitResult, int, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	var total int
	// $2 is the instrument (cycleUnit).
	if err := q.QueryRow(ctx, `SELECT count(*) FROM units u WHERE (cardinality($1::text[]) = 0 OR u.category = ANY($1))
		AND `+strings.ReplaceAll(cycleUnit, "$1", "$2"), in.RatedCategories, in.ID).Scan(&total); err != nil {
		return nil, 0, db.Err(err)
	}
	rows, _ := q.Query(ctx, `SELECT u.id AS unit_id, u.name AS unit_name, u.category,
			coalesce(t.answers, 0) AS answers, coalesce(t.total, 0)::text AS total
		FROM units u LEFT JOIN evaluation_instrument_totals t ON t.instrument_id = $2 AND t.unit_id = u.id
		WHERE (cardinality($1::text[]) = 0 OR u.category = ANY($1)) AND `+strings.ReplaceAll(cycleUnit, "$1", "$2")+`
		ORDER BY u.name LIMIT $3 OFFSET $4`, in.RatedCategories, in.ID, limit, offset)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[UnitResult])
	if err != nil {
		return nil, 0, db.Err(err)
	}
	for i := range list {
		list[i].finish(in.MinAnswers)
	}
	return list, total, nil
}

// UnitResultOf returns the instrument's result for one unit.
func UnitResultOf(ctx context.Context, q db.DBTX, in Instrument, unitID int64) (UnitResult, error) {
	rows, _ := q.Query(ctx, `SELECT u.id AS unit_id, u.name AS unit_name, u.category,
			coalesce(t.answers, 0) AS answers, coalesce(t.total, 0)::text AS total
		FROM units u LEFT JOIN evaluation_instrument_totals t ON t.instrument_id = $1 AND t.unit_id = u.id
		WHERE u.id = $2`, in.ID, unitID)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[UnitResult])
	if err != nil {
		return UnitResult{}, notFound(db.Err(err))
	}
	r.finish(in.MinAnswers)
	return r, nil
}

// Value is what an instrument feeds a scheme leaf for a unit.
type Value struct {
	InstrumentID int64
	Name         string
	Mean         float64
	Answers      int
	Short        bool
}

// Values returns, for every instrument of the cycle (by key), the result
// of each unit that has answers: one indexed read of the running totals.
// A unit without answers is absent (its leaf stays missing).
func Values(ctx context.Context, q db.DBTX, cycleID int64) (map[string]map[int64]Value, error) {
	rows, err := q.Query(ctx, `SELECT i.id, i.key, i.name, i.min_answers, t.unit_id, t.answers, t.total::text
		FROM evaluation_instruments i JOIN evaluation_instrument_totals t ON t.instrument_id = i.id
		WHERE i.cycle_id = $1 AND t.answers > 0`, cycleID)
	if err != nil {
		return nil, db.Err(err)
	}
	defer rows.Close()
	out := map[string]map[int64]Value{}
	for rows.Next() {
		var id, unit int64
		var key, name, total string
		var minAnswers, answers int
		if err := rows.Scan(&id, &key, &name, &minAnswers, &unit, &answers, &total); err != nil {
			return nil, db.Err(err)
		}
		m, _ := Mean(total, answers)
		if out[key] == nil {
			out[key] = map[int64]Value{}
		}
		out[key][unit] = Value{InstrumentID: id, Name: name, Mean: m, Answers: answers, Short: answers < minAnswers}
	}
	return out, db.Err(rows.Err())
}

// AnswerLine is one answer behind a unit's result, where the instrument is
// not anonymous.
type AnswerLine struct {
	ID         int64     `json:"id" db:"id"`
	Rater      string    `json:"rater" db:"rater"`
	Group      string    `json:"group" db:"grp"`
	Grade      *string   `json:"grade" db:"grade"`
	Value      float64   `json:"value" db:"value"`
	AnsweredAt time.Time `json:"answered_at" db:"answered_at"`
}

// GradeLabel is the answer's grade in Chinese, "" on a mark scale.
func (l AnswerLine) GradeLabel() string {
	if l.Grade == nil {
		return ""
	}
	return GradeLabel(*l.Grade)
}

// AnswerGroup is the answers of one group of raters (invitees' group, or
// rater units' category) where the instrument is anonymous.
type AnswerGroup struct {
	Group   string   `json:"group" db:"grp"`
	Answers int      `json:"answers" db:"answers"`
	Total   string   `json:"total" db:"total"`
	Mean    *float64 `json:"mean" db:"-"`
}

// Explanation is what lies behind a unit's result: each answer (a page of
// them, by id) or, where anonymous, each group with its count and mean.
type Explanation struct {
	Result    UnitResult    `json:"result"`
	Anonymous bool          `json:"anonymous"`
	Answers   []AnswerLine  `json:"answers,omitempty"`
	Groups    []AnswerGroup `json:"groups,omitempty"`
}

const raterJoins = ` FROM evaluation_instrument_answers a
	LEFT JOIN evaluation_instrument_invitees v ON v.id = a.invitee_id
	LEFT JOIN units ru ON ru.id = a.rater_unit_id
	WHERE a.instrument_id = $1 AND a.rated_unit_id = $2`

// Explain returns the answers behind a unit's result: a page of answers
// after the answer id `after` (0 for the first page), or every group where
// the instrument is anonymous.
func Explain(ctx context.Context, q db.DBTX, in Instrument, unitID, after int64, limit int) (Explanation, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	res, err := UnitResultOf(ctx, q, in, unitID)
	if err != nil {
		return Explanation{}, err
	}
	x := Explanation{Result: res, Anonymous: in.Anonymous}
	if in.Anonymous {
		rows, _ := q.Query(ctx, `SELECT coalesce(v.group_name, ru.category) AS grp, count(*)::int AS answers,
			sum(a.value)::text AS total`+raterJoins+` GROUP BY 1 ORDER BY 1`, in.ID, unitID)
		x.Groups, err = pgx.CollectRows(rows, pgx.RowToStructByName[AnswerGroup])
		for i := range x.Groups {
			if m, ok := Mean(x.Groups[i].Total, x.Groups[i].Answers); ok {
				x.Groups[i].Mean = &m
			}
		}
		return x, db.Err(err)
	}
	rows, _ := q.Query(ctx, `SELECT a.id, coalesce(v.name, ru.name) AS rater, coalesce(v.group_name, ru.category) AS grp,
		a.grade, a.value::float8 AS value, a.answered_at`+raterJoins+` AND a.id > $3 ORDER BY a.id LIMIT $4`,
		in.ID, unitID, after, limit)
	x.Answers, err = pgx.CollectRows(rows, pgx.RowToStructByName[AnswerLine])
	return x, db.Err(err)
}
