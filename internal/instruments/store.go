package instruments

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/units"
)

const columns = `i.id, i.cycle_id, i.key, i.name, i.purpose, i.scale, i.grade_points::float8[] AS grade_points,
	i.min_answers, i.anonymous, i.partners_only, i.rated_categories, i.rater_categories, i.status, i.opened_at,
	i.closed_at, i.created_at, i.updated_at`

func one(ctx context.Context, q db.DBTX, where string, args ...any) (Instrument, error) {
	rows, _ := q.Query(ctx, `SELECT `+columns+` FROM evaluation_instruments i WHERE `+where, args...)
	in, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Instrument])
	if err != nil {
		return Instrument{}, notFound(db.Err(err))
	}
	return in, nil
}

func notFound(err error) error {
	if apperr.Is(err, apperr.NotFound) || errors.Is(err, pgx.ErrNoRows) {
		return apperr.New(apperr.NotFound, msgNotFound)
	}
	return err
}

// Find returns the instrument with the id.
func Find(ctx context.Context, q db.DBTX, id int64) (Instrument, error) {
	return one(ctx, q, `i.id = $1`, id)
}

func lock(ctx context.Context, tx pgx.Tx, id int64) (Instrument, error) {
	return one(ctx, tx, `i.id = $1 FOR UPDATE`, id)
}

// Filter selects instruments: those of a cycle (0: any), a page of them.
type Filter struct {
	CycleID       int64
	Limit, Offset int
}

// List returns a page of instruments, newest cycle first then by id, and
// the total.
func List(ctx context.Context, q db.DBTX, f Filter) ([]Instrument, int, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM evaluation_instruments WHERE $1 = 0 OR cycle_id = $1`,
		f.CycleID).Scan(&total); err != nil {
		return nil, 0, db.Err(err)
	}
	rows, _ := q.Query(ctx, `SELECT `+columns+` FROM evaluation_instruments i WHERE $1 = 0 OR i.cycle_id = $1
		ORDER BY i.cycle_id DESC, i.id LIMIT $2 OFFSET $3`, f.CycleID, f.Limit, f.Offset)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Instrument])
	return list, total, db.Err(err)
}

// ForCycle returns every instrument of a cycle (at most a few dozen), by id.
func ForCycle(ctx context.Context, q db.DBTX, cycleID int64) ([]Instrument, error) {
	rows, _ := q.Query(ctx, `SELECT `+columns+` FROM evaluation_instruments i WHERE i.cycle_id = $1 ORDER BY i.id`, cycleID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Instrument])
	return list, db.Err(err)
}

// Create adds an instrument to a cycle, in draft. It returns invalid for bad
// input, a key or name the cycle already has, and not_found for an unknown
// cycle.
func Create(ctx context.Context, tx pgx.Tx, actor audit.Actor, cycleID int64, in Input) (Instrument, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return Instrument{}, err
	}
	var id int64
	if err := tx.QueryRow(ctx, `SELECT id FROM assessment_cycles WHERE id = $1`, cycleID).Scan(&id); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Instrument{}, apperr.New(apperr.NotFound, "考核年度不存在")
		}
		return Instrument{}, db.Err(err)
	}
	err := tx.QueryRow(ctx, `INSERT INTO evaluation_instruments (cycle_id, key, name, purpose, scale, grade_points,
			min_answers, anonymous, partners_only, rated_categories, rater_categories)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING RETURNING id`,
		cycleID, in.Key, in.Name, in.Purpose, in.Scale, in.GradePoints, in.MinAnswers, in.Anonymous, in.PartnersOnly,
		in.RatedCategories, in.RaterCategories).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return Instrument{}, taken(ctx, tx, cycleID, 0, in)
	}
	if err != nil {
		return Instrument{}, db.Err(err)
	}
	out, err := Find(ctx, tx, id)
	if err != nil {
		return Instrument{}, err
	}
	return out, audit.Record(ctx, tx, actor, "instrument.create", "instrument", strconv.FormatInt(id, 10), nil, auditOf(in))
}

// FreeKey returns a key for a new instrument of the purpose in the cycle:
// the purpose itself (the key the presets' leaves name) when free, else
// the purpose with the first free number (leaders_2, …). Console forms use
// it, so an office never types a code.
func FreeKey(ctx context.Context, q db.DBTX, cycleID int64, purpose string) (string, error) {
	if !keyPattern.MatchString(purpose) {
		return "", apperr.InvalidField("purpose", "请选择评价类型：领导评价、代表委员评价、部门互评、基层评价或其他评价")
	}
	rows, _ := q.Query(ctx, `SELECT key FROM evaluation_instruments WHERE cycle_id = $1 AND key LIKE $2 || '%'`, cycleID, purpose)
	used, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", db.Err(err)
	}
	key := purpose
	for n := 2; contains(used, key); n++ {
		key = purpose + "_" + strconv.Itoa(n)
	}
	return key, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// taken names the field the cycle already uses.
func taken(ctx context.Context, q db.DBTX, cycleID, except int64, in Input) error {
	var keyTaken bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM evaluation_instruments WHERE cycle_id = $1 AND key = $2 AND id <> $3)`,
		cycleID, in.Key, except).Scan(&keyTaken); err != nil {
		return db.Err(err)
	}
	if keyTaken {
		return apperr.InvalidField("key", "本考核年度已有代码为“"+in.Key+"”的评价项目")
	}
	return apperr.InvalidField("name", "本考核年度已有名为“"+in.Name+"”的评价项目")
}

// Update changes an instrument. Once opened only its name and minimum
// number of answers may change (the scale, purpose and who rates are
// frozen, and the key stays, being what scheme leaves name).
func Update(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, in Input) (Instrument, error) {
	before, err := lock(ctx, tx, id)
	if err != nil {
		return Instrument{}, err
	}
	if in.Key == "" {
		in.Key = before.Key
	}
	in.Normalize()
	if before.Status != StatusDraft {
		name, minAnswers := in.Name, in.MinAnswers
		in = inputOf(before)
		in.Name, in.MinAnswers = name, minAnswers
	}
	if err := in.Validate(); err != nil {
		return Instrument{}, err
	}
	if in.Key != before.Key {
		return Instrument{}, apperr.InvalidField("key", "评价项目的代码创建后不能修改（考核方案按代码取数）")
	}
	tag, err := tx.Exec(ctx, `UPDATE evaluation_instruments SET name = $2, purpose = $3, scale = $4, grade_points = $5,
			min_answers = $6, anonymous = $7, partners_only = $8, rated_categories = $9, rater_categories = $10, updated_at = now()
		WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM evaluation_instruments o WHERE o.cycle_id = $11 AND o.name = $2 AND o.id <> $1)`,
		id, in.Name, in.Purpose, in.Scale, in.GradePoints, in.MinAnswers, in.Anonymous, in.PartnersOnly,
		in.RatedCategories, in.RaterCategories, before.CycleID)
	if err != nil {
		return Instrument{}, db.Err(err)
	}
	if tag.RowsAffected() == 0 {
		return Instrument{}, taken(ctx, tx, before.CycleID, id, in)
	}
	out, err := Find(ctx, tx, id)
	if err != nil {
		return Instrument{}, err
	}
	return out, audit.Record(ctx, tx, actor, "instrument.update", "instrument", strconv.FormatInt(id, 10),
		auditOf(inputOf(before)), auditOf(in))
}

// instrumentAudit is what the audit log keeps of an instrument's settings:
// all but the key (a code the entity id stands for).
type instrumentAudit struct {
	Name            string    `json:"name"`
	Purpose         string    `json:"purpose"`
	Scale           string    `json:"scale"`
	GradePoints     []float64 `json:"grade_points"`
	MinAnswers      int       `json:"min_answers"`
	Anonymous       bool      `json:"anonymous"`
	PartnersOnly    bool      `json:"partners_only"`
	RatedCategories []string  `json:"rated_categories"`
	RaterCategories []string  `json:"rater_categories"`
}

func auditOf(in Input) instrumentAudit {
	return instrumentAudit{Name: in.Name, Purpose: in.Purpose, Scale: in.Scale, GradePoints: in.GradePoints,
		MinAnswers: in.MinAnswers, Anonymous: in.Anonymous, PartnersOnly: in.PartnersOnly,
		RatedCategories: in.RatedCategories, RaterCategories: in.RaterCategories}
}

func inputOf(i Instrument) Input {
	return Input{Key: i.Key, Name: i.Name, Purpose: i.Purpose, Scale: i.Scale, GradePoints: i.GradePoints,
		MinAnswers: i.MinAnswers, Anonymous: i.Anonymous, PartnersOnly: i.PartnersOnly,
		RatedCategories: i.RatedCategories, RaterCategories: i.RaterCategories}
}

// Open starts taking answers (from draft, or again after closing).
func Open(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, now time.Time) (Instrument, error) {
	return setStatus(ctx, tx, actor, id, StatusOpen, now)
}

// Close stops taking answers; answers already given stay.
func Close(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, now time.Time) (Instrument, error) {
	return setStatus(ctx, tx, actor, id, StatusClosed, now)
}

func setStatus(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, to string, now time.Time) (Instrument, error) {
	before, err := lock(ctx, tx, id)
	if err != nil {
		return Instrument{}, err
	}
	if before.Status == to {
		return before, nil
	}
	if to == StatusOpen && before.Purpose == PurposeGrassroots && len(before.RaterCategories) == 0 {
		return Instrument{}, apperr.InvalidField("rater_categories", "基层评价须先指定评价单位的类别（如镇区），再开始评价")
	}
	if to == StatusClosed && before.Status == StatusDraft {
		return Instrument{}, apperr.New(apperr.Conflict, "评价项目尚未开始，不能结束")
	}
	set := `opened_at = $2, closed_at = NULL`
	action := "instrument.open"
	if to == StatusClosed {
		set, action = `closed_at = $2`, "instrument.close"
	}
	if _, err := tx.Exec(ctx, `UPDATE evaluation_instruments SET status = $3, updated_at = now(), `+set+` WHERE id = $1`,
		id, now, to); err != nil {
		return Instrument{}, db.Err(err)
	}
	out, err := Find(ctx, tx, id)
	if err != nil {
		return Instrument{}, err
	}
	type state struct {
		Status string `json:"status"`
	}
	return out, audit.Record(ctx, tx, actor, action, "instrument", strconv.FormatInt(id, 10),
		state{before.Status}, state{to})
}

// accepting returns the refusal of an answer to the instrument, if any.
func (in Instrument) accepting() error {
	switch in.Status {
	case StatusOpen:
		return nil
	case StatusClosed:
		return apperr.New(apperr.Conflict, msgClosed)
	}
	return apperr.New(apperr.Conflict, msgNotOpen)
}

// ForRaterUnit returns the instruments a unit answers through its unit
// accounts (部门互评 and 基层评价 whose rater categories include its
// category), open ones first, newest cycle first; at most 100.
func ForRaterUnit(ctx context.Context, q db.DBTX, unitID int64) ([]Instrument, error) {
	rows, _ := q.Query(ctx, `SELECT `+columns+` FROM evaluation_instruments i, units u
		WHERE u.id = $1 AND i.purpose IN ('peer', 'grassroots') AND i.status <> 'draft'
			AND (cardinality(i.rater_categories) = 0 OR u.category = ANY(i.rater_categories))
			AND `+units.NotAbolishedBySQL("u", "(SELECT c.period_end FROM assessment_cycles c WHERE c.id = i.cycle_id)")+`
		ORDER BY i.status = 'open' DESC, i.cycle_id DESC, i.id LIMIT 100`, unitID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Instrument])
	return list, db.Err(err)
}
