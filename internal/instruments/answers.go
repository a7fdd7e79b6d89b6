package instruments

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/units"
)

// MaxAnswersPerSave is the most answers one save takes (a page of the
// ballot).
const MaxAnswersPerSave = 200

// AnswerInput is one answer: the rated unit and a grade (grades scale) or
// a mark (0–100 scale).
type AnswerInput struct {
	UnitID int64    `json:"unit_id"`
	Grade  string   `json:"grade,omitempty"`
	Mark   *float64 `json:"mark,omitempty"`
}

// Rater is who answers: a unit (through one of its accounts, UserID) or an
// invitee.
type Rater struct {
	UnitID    int64
	InviteeID int64
	UserID    int64
	// Name is the unit's or invitee's name, for messages.
	Name string
}

func (r Rater) column() (string, int64) {
	if r.UnitID != 0 {
		return "rater_unit_id", r.UnitID
	}
	return "invitee_id", r.InviteeID
}

// BallotLine is a unit to rate with the rater's answer so far.
type BallotLine struct {
	UnitID   int64    `json:"unit_id" db:"unit_id"`
	UnitName string   `json:"unit_name" db:"unit_name"`
	Category string   `json:"category" db:"category"`
	Grade    *string  `json:"grade" db:"grade"`
	Value    *float64 `json:"value" db:"value"`
}

// GradeLabel is the answer's grade in Chinese, "" when none.
func (l BallotLine) GradeLabel() string {
	if l.Grade == nil {
		return ""
	}
	return GradeLabel(*l.Grade)
}

// GradeKey is the answer's grade, "" when none.
func (l BallotLine) GradeKey() string {
	if l.Grade == nil {
		return ""
	}
	return *l.Grade
}

// Ballot is a page of the units a rater rates, by name, with the total
// and how many the rater has answered.
type Ballot struct {
	Lines    []BallotLine `json:"lines"`
	Total    int          `json:"total"`
	Answered int          `json:"answered"`
}

// cycleUnit is the SQL condition that unit u is still a unit of the cycle
// of instrument $1: not abolished by the end of its period (units.InCycleSQL).
var cycleUnit = units.NotAbolishedBySQL("u", `(SELECT c.period_end FROM evaluation_instruments i
	JOIN assessment_cycles c ON c.id = i.cycle_id WHERE i.id = $1)`)

// scope is the SQL condition on units u selecting who the rater rates:
// $1 instrument, $2 rated categories, $3 rater unit (0 for an invitee).
var scope = `$1::bigint > 0 AND (cardinality($2::text[]) = 0 OR u.category = ANY($2)) AND u.id <> $3 AND ` + cycleUnit

const partnerScope = ` AND EXISTS (SELECT 1 FROM evaluation_instrument_partners p
	WHERE p.instrument_id = $1 AND p.rater_unit_id = $3 AND p.rated_unit_id = u.id)`

func (in Instrument) scopeSQL(r Rater) string {
	if in.PartnersOnly && r.UnitID != 0 {
		return scope + partnerScope
	}
	return scope
}

// CheckRater returns forbidden when the rater may not answer the
// instrument: a unit of a category that does not rate, a unit on an
// instrument answered by invitees or an invitee on one answered by units.
func (in Instrument) CheckRater(ctx context.Context, q db.DBTX, r Rater) error {
	if r.UnitID == 0 {
		if in.ByUnits() {
			return apperr.New(apperr.Forbidden, msgByUnits)
		}
		return nil
	}
	if !in.ByUnits() {
		return apperr.New(apperr.Forbidden, msgByInvitee)
	}
	var category string
	if err := q.QueryRow(ctx, `SELECT u.category FROM units u WHERE u.id = $2 AND `+cycleUnit, in.ID, r.UnitID).Scan(&category); err != nil {
		return apperr.New(apperr.Forbidden, msgNotRater)
	}
	if !in.RatesBy(category) {
		return apperr.New(apperr.Forbidden, msgNotRater)
	}
	return nil
}

// LoadBallot returns a page of the units the rater rates, by name.
func LoadBallot(ctx context.Context, q db.DBTX, in Instrument, r Rater, limit, offset int) (Ballot, error) {
	if limit <= 0 || limit > MaxAnswersPerSave {
		limit = 100
	}
	col, rid := r.column()
	where := in.scopeSQL(r)
	b := Ballot{}
	err := q.QueryRow(ctx, `SELECT count(*),
			count(*) FILTER (WHERE EXISTS (SELECT 1 FROM evaluation_instrument_answers a
				WHERE a.instrument_id = $1 AND a.`+col+` = $4 AND a.rated_unit_id = u.id))
		FROM units u WHERE `+where, in.ID, in.RatedCategories, r.UnitID, rid).Scan(&b.Total, &b.Answered)
	if err != nil {
		return Ballot{}, db.Err(err)
	}
	rows, _ := q.Query(ctx, `SELECT u.id AS unit_id, u.name AS unit_name, u.category, a.grade, a.value::float8 AS value
		FROM units u LEFT JOIN evaluation_instrument_answers a
			ON a.instrument_id = $1 AND a.`+col+` = $4 AND a.rated_unit_id = u.id
		WHERE `+where+` ORDER BY u.name LIMIT $5 OFFSET $6`, in.ID, in.RatedCategories, r.UnitID, rid, limit, offset)
	b.Lines, err = pgx.CollectRows(rows, pgx.RowToStructByName[BallotLine])
	return b, db.Err(err)
}

// SaveAnswers stores the rater's answers (a new answer or a changed one for
// a unit already rated) and keeps the running totals. Nothing is stored
// when any answer is refused: the instrument not open (conflict), a rater
// that may not answer (forbidden), the rater's own unit, a unit outside the
// rater's scope, a missing or bad grade or mark (invalid, field
// "answers.<unit id>").
func SaveAnswers(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, r Rater, list []AnswerInput, now time.Time) (int, error) {
	in, err := one(ctx, tx, `i.id = $1 FOR SHARE`, id)
	if err != nil {
		return 0, err
	}
	if err := in.accepting(); err != nil {
		return 0, err
	}
	if err := in.CheckRater(ctx, tx, r); err != nil {
		return 0, err
	}
	if len(list) == 0 {
		return 0, apperr.InvalidField("answers", "请至少评价一个单位")
	}
	if len(list) > MaxAnswersPerSave {
		return 0, apperr.InvalidField("answers", "每次最多提交"+strconv.Itoa(MaxAnswersPerSave)+"个单位的评价")
	}
	f := apperr.Fields{}
	ids := make([]int64, 0, len(list))
	grades := make([]*string, 0, len(list))
	values := make([]float64, 0, len(list))
	seen := map[int64]bool{}
	for _, a := range list {
		field := "answers." + strconv.FormatInt(a.UnitID, 10)
		if r.UnitID != 0 && a.UnitID == r.UnitID {
			f.Add(field, msgOwnUnit)
			continue
		}
		if seen[a.UnitID] {
			f.Add(field, "同一单位只能评价一次")
			continue
		}
		seen[a.UnitID] = true
		v, grade, msg := in.value(a)
		if msg != "" {
			f.Add(field, msg)
			continue
		}
		ids, grades, values = append(ids, a.UnitID), append(grades, grade), append(values, v)
	}
	if err := f.Err(); err != nil {
		return 0, firstMessage(err)
	}
	// Every rated unit must be in the rater's scope.
	var inScope []int64
	rows, _ := tx.Query(ctx, `SELECT u.id FROM units u WHERE u.id = ANY($4) AND `+in.scopeSQL(r),
		in.ID, in.RatedCategories, r.UnitID, ids)
	if inScope, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
		return 0, db.Err(err)
	}
	ok := map[int64]bool{}
	for _, u := range inScope {
		ok[u] = true
	}
	for _, u := range ids {
		if !ok[u] {
			f.Add("answers."+strconv.FormatInt(u, 10), msgNotRated)
		}
	}
	if err := f.Err(); err != nil {
		return 0, firstMessage(err)
	}
	col, rid := r.column()
	// One rater's saves run one at a time, so the totals count each answer once.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('instrument:' || $1::bigint || ':' || $2::text || ':' || $3::bigint, 0))`,
		in.ID, col, rid); err != nil {
		return 0, db.Err(err)
	}
	var by *int64
	if r.UserID != 0 {
		by = &r.UserID
	}
	_, err = tx.Exec(ctx, `WITH input AS (
			SELECT * FROM unnest($2::bigint[], $3::text[], $4::numeric[]) AS t(rated, grade, value)
		), old AS (
			SELECT a.rated_unit_id, a.value FROM evaluation_instrument_answers a
			WHERE a.instrument_id = $1 AND a.`+col+` = $5 AND a.rated_unit_id = ANY($2)
		), up AS (
			INSERT INTO evaluation_instrument_answers AS a (instrument_id, rated_unit_id, `+col+`, grade, value, answered_by, answered_at)
			SELECT $1::bigint, rated, $5::bigint, grade, value, $6::bigint, $7::timestamptz FROM input
			ON CONFLICT (instrument_id, `+col+`, rated_unit_id) WHERE `+col+` IS NOT NULL
			DO UPDATE SET grade = excluded.grade, value = excluded.value, answered_by = excluded.answered_by,
				answered_at = excluded.answered_at
			RETURNING a.rated_unit_id
		)
		INSERT INTO evaluation_instrument_totals AS t (instrument_id, unit_id, answers, total)
		SELECT $1::bigint, i.rated, CASE WHEN o.value IS NULL THEN 1 ELSE 0 END, i.value - coalesce(o.value, 0)
		FROM input i JOIN up ON up.rated_unit_id = i.rated LEFT JOIN old o ON o.rated_unit_id = i.rated
		ON CONFLICT (instrument_id, unit_id) DO UPDATE SET answers = t.answers + excluded.answers, total = t.total + excluded.total`,
		in.ID, ids, grades, values, rid, by, now)
	if err != nil {
		return 0, db.Err(err)
	}
	type answerAudit struct {
		Rater   string        `json:"rater"`
		Answers []AnswerInput `json:"answers"`
	}
	subject := strconv.FormatInt(in.ID, 10)
	return len(ids), audit.Record(ctx, tx, actor, "instrument.answer", "instrument", subject, nil,
		answerAudit{Rater: r.Name, Answers: list})
}

// value is an answer's value on 0–100 and its grade, or the problem.
func (in Instrument) value(a AnswerInput) (float64, *string, string) {
	if in.Scale == ScaleGrades {
		g := strings.TrimSpace(a.Grade)
		if g == "" {
			return 0, nil, "请选择评价等次"
		}
		v, ok := in.GradeValue(g)
		if !ok {
			return 0, nil, "评价等次须为优秀、良好、一般或较差"
		}
		return v, &g, ""
	}
	if a.Mark == nil {
		return 0, nil, "请填写分数"
	}
	if m := *a.Mark; m < 0 || m > 100 || m != roundTo2(m) {
		return 0, nil, "分数须在0到100之间，最多两位小数"
	}
	return *a.Mark, nil, ""
}

// firstMessage makes the first field's message the error's message.
func firstMessage(err error) error {
	e := apperr.From(err)
	for _, m := range e.Fields {
		if m == msgOwnUnit {
			e.Message = "不能评价本单位：每个单位只评价其他单位"
			return e
		}
	}
	for _, m := range e.Fields {
		e.Message = "评价有误：" + m
		break
	}
	return e
}
