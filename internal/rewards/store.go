package rewards

import (
	"context"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// DefaultThreshold is the counted deduction points above which a unit is
// proposed for 通报批评 while the office has set none.
const DefaultThreshold = 5

// Settings are a cycle's uses of results that the office sets: the bonus
// table and the counted deduction points above which a unit is proposed
// for 通报批评 (000 § 23: 情节严重的，扣分并予以通报批评).
type Settings struct {
	Table              Table      `json:"table"`
	CriticismThreshold float64    `json:"criticism_threshold"`
	UpdatedAt          *time.Time `json:"updated_at"`
}

// LoadSettings returns the cycle's settings; a cycle without any has an
// empty table paying nothing and the default threshold.
func LoadSettings(ctx context.Context, q db.DBTX, cycleID int64) (Settings, error) {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM assessment_cycles WHERE id = $1)`, cycleID).Scan(&exists); err != nil {
		return Settings{}, db.Err(err)
	}
	if !exists {
		return Settings{}, apperr.New(apperr.NotFound, "考核年度不存在")
	}
	s := Settings{Table: Table{Mode: ModeAmount, Grades: map[string]int64{}}, CriticismThreshold: DefaultThreshold}
	var raw []byte
	var at time.Time
	err := q.QueryRow(ctx, `SELECT bonus, criticism_threshold::float8, updated_at FROM result_use_settings WHERE cycle_id = $1`, cycleID).
		Scan(&raw, &s.CriticismThreshold, &at)
	if err == pgx.ErrNoRows {
		return s, nil
	}
	if err != nil {
		return Settings{}, db.Err(err)
	}
	if err := json.Unmarshal(raw, &s.Table); err != nil {
		return Settings{}, err
	}
	if s.Table.Grades == nil {
		s.Table.Grades = map[string]int64{}
	}
	s.UpdatedAt = &at
	return s, nil
}

// Validate checks the table and the threshold.
func (s Settings) Validate() error {
	f := apperr.Fields{}
	if err := s.Table.Validate(); err != nil {
		for k, v := range apperr.From(err).Fields {
			f.Add(k, v)
		}
	}
	if s.CriticismThreshold < 0 || s.CriticismThreshold > 100 || math.IsNaN(s.CriticismThreshold) ||
		math.Round(s.CriticismThreshold*100) != s.CriticismThreshold*100 {
		f.Add("criticism_threshold", "通报批评的扣分标准须为0到100之间的分数，最多两位小数")
	}
	return f.Err()
}

// SaveSettings stores the cycle's settings and records the change in the
// audit log; the same settings again change nothing.
func SaveSettings(ctx context.Context, tx pgx.Tx, actor audit.Actor, now time.Time, cycleID int64, in Settings) (Settings, error) {
	if in.Table.Grades == nil {
		in.Table.Grades = map[string]int64{}
	}
	if in.Table.Mode == ModeAmount {
		in.Table.Base = 0
	}
	if err := in.Validate(); err != nil {
		return Settings{}, err
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM assessment_cycles WHERE id = $1 FOR UPDATE`, cycleID); err != nil {
		return Settings{}, db.Err(err)
	}
	before, err := LoadSettings(ctx, tx, cycleID)
	if err != nil {
		return Settings{}, err
	}
	if before.UpdatedAt != nil && reflect.DeepEqual(before.Table, in.Table) && before.CriticismThreshold == in.CriticismThreshold {
		return before, nil
	}
	raw, err := json.Marshal(in.Table)
	if err != nil {
		return Settings{}, err
	}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	if _, err := tx.Exec(ctx, `INSERT INTO result_use_settings (cycle_id, bonus, criticism_threshold, updated_by, updated_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (cycle_id) DO UPDATE SET bonus = EXCLUDED.bonus,
		criticism_threshold = EXCLUDED.criticism_threshold, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
		cycleID, raw, in.CriticismThreshold, by, now); err != nil {
		return Settings{}, db.Err(err)
	}
	after := in
	after.UpdatedAt = &now
	var old any
	if before.UpdatedAt != nil {
		old = settingsAudit(before)
	}
	return after, audit.Record(ctx, tx, actor, "results.bonus_table", "cycle", strconv.FormatInt(cycleID, 10), old, settingsAudit(after))
}

func settingsAudit(s Settings) map[string]any {
	return map[string]any{"mode": s.Table.Mode, "base": s.Table.Base, "grades": s.Table.Grades, "per_head": s.Table.PerHead,
		"raise_bp": s.Table.RaiseBP, "cut_accountability_bp": s.Table.CutAccountabilityBP,
		"cut_failed_task_bp": s.Table.CutFailedTaskBP, "criticism_threshold": s.CriticismThreshold}
}

// Factors are what the office records of a unit for the bonus table: a
// result 成绩突出 (raise), its 行政问责 cases and its major tasks not
// completed (cuts), proposed by the assessing departments (001 § 23).
type Factors struct {
	Outstanding    bool `json:"outstanding"`
	Accountability int  `json:"accountability"`
	FailedTasks    int  `json:"failed_tasks"`
}

// SetFactors records a unit's factors for the cycle; the same again
// changes nothing.
func SetFactors(ctx context.Context, tx pgx.Tx, actor audit.Actor, now time.Time, cycleID, unitID int64, in Factors) error {
	f := apperr.Fields{}
	if in.Accountability < 0 || in.Accountability > 100 {
		f.Add("accountability", "行政问责次数须为0到100之间的整数")
	}
	if in.FailedTasks < 0 || in.FailedTasks > 100 {
		f.Add("failed_tasks", "未完成重大任务数须为0到100之间的整数")
	}
	if err := f.Err(); err != nil {
		return err
	}
	if err := requireFinalUnit(ctx, tx, cycleID, unitID); err != nil {
		return err
	}
	var before Factors
	err := tx.QueryRow(ctx, `SELECT outstanding, accountability, failed_tasks FROM result_use_factors
		WHERE cycle_id = $1 AND unit_id = $2 FOR UPDATE`, cycleID, unitID).Scan(&before.Outstanding, &before.Accountability, &before.FailedTasks)
	had := err == nil
	if err != nil && err != pgx.ErrNoRows {
		return db.Err(err)
	}
	if had && before == in {
		return nil
	}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	if _, err := tx.Exec(ctx, `INSERT INTO result_use_factors (cycle_id, unit_id, outstanding, accountability, failed_tasks, updated_by, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (cycle_id, unit_id) DO UPDATE SET outstanding = EXCLUDED.outstanding,
		accountability = EXCLUDED.accountability, failed_tasks = EXCLUDED.failed_tasks, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
		cycleID, unitID, in.Outstanding, in.Accountability, in.FailedTasks, by, now); err != nil {
		return db.Err(err)
	}
	var old any
	if had {
		old = factorsAudit(cycleID, before)
	}
	return audit.Record(ctx, tx, actor, "results.bonus_factors", "unit", strconv.FormatInt(unitID, 10), old, factorsAudit(cycleID, in))
}

func factorsAudit(cycleID int64, f Factors) map[string]any {
	return map[string]any{"cycle_id": cycleID, "outstanding": f.Outstanding, "accountability": f.Accountability, "failed_tasks": f.FailedTasks}
}

// finalPublication returns the id of the cycle's final publication in
// force; conflict while there is none.
func finalPublication(ctx context.Context, q db.DBTX, cycleID int64) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `SELECT id FROM assessment_publications WHERE cycle_id = $1 AND stage = 'final' AND reopened_at IS NULL`, cycleID).Scan(&id)
	if err == pgx.ErrNoRows {
		return 0, apperr.New(apperr.Conflict, "最终结果尚未公布，公布后才能运用考核结果")
	}
	return id, db.Err(err)
}

// requireFinalUnit: the unit has a final result in force in the cycle.
func requireFinalUnit(ctx context.Context, q db.DBTX, cycleID, unitID int64) error {
	pub, err := finalPublication(ctx, q, cycleID)
	if err != nil {
		return err
	}
	var ok bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM assessment_results WHERE publication_id = $1 AND unit_id = $2)`, pub, unitID).Scan(&ok); err != nil {
		return db.Err(err)
	}
	if !ok {
		return apperr.New(apperr.NotFound, "该单位没有本年度的最终考核结果")
	}
	return nil
}
