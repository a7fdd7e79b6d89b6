package assessors

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// MsgNotLead refuses a unit that does not lead the key task.
const MsgNotLead = "本单位不是该重点任务的牵头单位，无权查看其责任单位的进展"

// MaxTaskMembers bounds the units one key task is shared by.
const MaxTaskMembers = 1000

// KeyTask is a key task (重点任务) of a cycle shared by several units,
// led by its lead unit (牵头单位).
type KeyTask struct {
	ID           int64     `json:"id" db:"id"`
	CycleID      int64     `json:"cycle_id" db:"cycle_id"`
	Name         string    `json:"name" db:"name"`
	Description  string    `json:"description" db:"description"`
	LeadUnitID   int64     `json:"lead_unit_id" db:"lead_unit_id"`
	LeadUnitName string    `json:"lead_unit_name" db:"lead_unit_name"`
	Members      int       `json:"members" db:"members"`
	CreatedAt    time.Time `json:"created_at" db:"created_at"`
}

const keyTaskSQL = `SELECT t.id, t.cycle_id, t.name, t.description, t.lead_unit_id, u.name AS lead_unit_name,
	(SELECT count(*)::int FROM key_task_members m WHERE m.task_id = t.id) AS members, t.created_at
	FROM key_tasks t JOIN units u ON u.id = t.lead_unit_id`

// KeyTaskInput is a key task as the office sets it up: its name, what it
// is, its lead unit and the units sharing it.
type KeyTaskInput struct {
	Name        string  `json:"name"`
	Description string  `json:"description"`
	LeadUnitID  int64   `json:"lead_unit_id"`
	UnitIDs     []int64 `json:"unit_ids"`
}

// CreateKeyTask stores a key task of the cycle with its members and audits
// it. It returns invalid for a missing or long name or description, an
// unknown lead unit or member, and conflict for a name the cycle already
// has.
func CreateKeyTask(ctx context.Context, tx pgx.Tx, actor audit.Actor, cycleID int64, in KeyTaskInput) (KeyTask, error) {
	in.Name, in.Description = strings.TrimSpace(in.Name), strings.TrimSpace(in.Description)
	f := apperr.Fields{}
	if n := utf8.RuneCountInString(in.Name); n == 0 || n > 200 {
		f.Add("name", "请填写重点任务名称（不超过200字）")
	}
	if utf8.RuneCountInString(in.Description) > 2000 {
		f.Add("description", "任务说明不能超过2000字")
	}
	if ok, err := unitsExist(ctx, tx, []int64{in.LeadUnitID}); err != nil {
		return KeyTask{}, err
	} else if !ok {
		f.Add("lead_unit_id", "请选择牵头单位")
	}
	members, err := checkMembers(ctx, tx, in.UnitIDs, f)
	if err != nil {
		return KeyTask{}, err
	}
	if err := f.Err(); err != nil {
		return KeyTask{}, err
	}
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM assessment_cycles WHERE id = $1)`, cycleID).Scan(&exists); err != nil {
		return KeyTask{}, db.Err(err)
	}
	if !exists {
		return KeyTask{}, apperr.New(apperr.NotFound, "考核年度不存在")
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO key_tasks (cycle_id, name, description, lead_unit_id, created_by)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (cycle_id, name) DO NOTHING RETURNING id`,
		cycleID, in.Name, in.Description, in.LeadUnitID, actorID(actor)).Scan(&id)
	if err == pgx.ErrNoRows {
		return KeyTask{}, apperr.New(apperr.Conflict, "本年度已有同名的重点任务")
	}
	if err != nil {
		return KeyTask{}, db.Err(err)
	}
	if err := insertMembers(ctx, tx, actor, id, members); err != nil {
		return KeyTask{}, err
	}
	t, err := FindKeyTask(ctx, tx, id)
	if err != nil {
		return KeyTask{}, err
	}
	return t, audit.Record(ctx, tx, actor, "key_task.create", "key_task", idStr(id), nil,
		map[string]any{"task": t, "unit_ids": members})
}

// checkMembers returns the member ids deduplicated, adding a field error
// for an empty list, too many or an unknown unit.
func checkMembers(ctx context.Context, q db.DBTX, ids []int64, f apperr.Fields) ([]int64, error) {
	out := []int64{}
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	switch {
	case len(out) == 0:
		f.Add("unit_ids", "请选择承担该任务的单位")
	case len(out) > MaxTaskMembers:
		f.Add("unit_ids", "承担单位不能超过1000个")
	default:
		ok, err := unitsExist(ctx, q, out)
		if err != nil {
			return nil, err
		}
		if !ok {
			f.Add("unit_ids", "所选单位不存在")
		}
	}
	return out, nil
}

func unitsExist(ctx context.Context, q db.DBTX, ids []int64) (bool, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT count(*) FROM units WHERE id = ANY($1)`, ids).Scan(&n)
	return n == len(ids), db.Err(err)
}

func insertMembers(ctx context.Context, tx pgx.Tx, actor audit.Actor, taskID int64, ids []int64) error {
	_, err := tx.Exec(ctx, `INSERT INTO key_task_members (task_id, unit_id, added_by)
		SELECT $1, unnest($2::bigint[]), $3 ON CONFLICT DO NOTHING`, taskID, ids, actorID(actor))
	return db.Err(err)
}

// FindKeyTask returns the key task, or not_found.
func FindKeyTask(ctx context.Context, q db.DBTX, id int64) (KeyTask, error) {
	rows, _ := q.Query(ctx, keyTaskSQL+` WHERE t.id = $1`, id)
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[KeyTask])
	if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
		err = apperr.New(apperr.NotFound, "重点任务不存在")
	}
	return t, err
}

// ListKeyTasks returns a page of the cycle's key tasks (of one lead unit
// when leadID is not nil) by id, and how many there are.
func ListKeyTasks(ctx context.Context, q db.DBTX, cycleID int64, leadID *int64, limit, offset int) ([]KeyTask, int, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM key_tasks t WHERE t.cycle_id = $1 AND ($2::bigint IS NULL OR t.lead_unit_id = $2)`,
		cycleID, leadID).Scan(&total); err != nil {
		return nil, 0, db.Err(err)
	}
	rows, _ := q.Query(ctx, keyTaskSQL+` WHERE t.cycle_id = $1 AND ($2::bigint IS NULL OR t.lead_unit_id = $2)
		ORDER BY t.id LIMIT $3 OFFSET $4`, cycleID, leadID, limit, offset)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[KeyTask])
	if list == nil {
		list = []KeyTask{}
	}
	return list, total, db.Err(err)
}

// SetLead makes unitID the task's lead unit and audits it; invalid for an
// unknown unit.
func SetLead(ctx context.Context, tx pgx.Tx, actor audit.Actor, id, unitID int64) (KeyTask, error) {
	before, err := lockTask(ctx, tx, id)
	if err != nil {
		return KeyTask{}, err
	}
	if ok, err := unitsExist(ctx, tx, []int64{unitID}); err != nil {
		return KeyTask{}, err
	} else if !ok {
		return KeyTask{}, apperr.InvalidField("lead_unit_id", "请选择牵头单位")
	}
	if before.LeadUnitID == unitID {
		return before, nil
	}
	if _, err := tx.Exec(ctx, `UPDATE key_tasks SET lead_unit_id = $2, updated_at = now() WHERE id = $1`, id, unitID); err != nil {
		return KeyTask{}, db.Err(err)
	}
	after, err := FindKeyTask(ctx, tx, id)
	if err != nil {
		return KeyTask{}, err
	}
	return after, audit.Record(ctx, tx, actor, "key_task.lead", "key_task", idStr(id), before, after)
}

func lockTask(ctx context.Context, tx pgx.Tx, id int64) (KeyTask, error) {
	var one int
	if err := tx.QueryRow(ctx, `SELECT 1 FROM key_tasks WHERE id = $1 FOR UPDATE`, id).Scan(&one); err != nil {
		if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
			err = apperr.New(apperr.NotFound, "重点任务不存在")
		}
		return KeyTask{}, err
	}
	return FindKeyTask(ctx, tx, id)
}

// AddMembers adds units to the task (ones already in it stay as they are)
// and audits it; invalid for an empty list or an unknown unit.
func AddMembers(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, unitIDs []int64) (KeyTask, error) {
	before, err := lockTask(ctx, tx, id)
	if err != nil {
		return KeyTask{}, err
	}
	f := apperr.Fields{}
	ids, err := checkMembers(ctx, tx, unitIDs, f)
	if err != nil {
		return KeyTask{}, err
	}
	if err := f.Err(); err != nil {
		return KeyTask{}, err
	}
	if err := insertMembers(ctx, tx, actor, id, ids); err != nil {
		return KeyTask{}, err
	}
	after, err := FindKeyTask(ctx, tx, id)
	if err != nil {
		return KeyTask{}, err
	}
	return after, audit.Record(ctx, tx, actor, "key_task.members_add", "key_task", idStr(id), before,
		map[string]any{"task": after, "unit_ids": ids})
}

// RemoveMember removes a unit from the task and audits it; not_found
// when the unit is not a member.
func RemoveMember(ctx context.Context, tx pgx.Tx, actor audit.Actor, id, unitID int64) (KeyTask, error) {
	before, err := lockTask(ctx, tx, id)
	if err != nil {
		return KeyTask{}, err
	}
	tag, err := tx.Exec(ctx, `DELETE FROM key_task_members WHERE task_id = $1 AND unit_id = $2`, id, unitID)
	if err != nil {
		return KeyTask{}, db.Err(err)
	}
	if tag.RowsAffected() == 0 {
		return KeyTask{}, apperr.New(apperr.NotFound, "该单位不承担此重点任务")
	}
	after, err := FindKeyTask(ctx, tx, id)
	if err != nil {
		return KeyTask{}, err
	}
	return after, audit.Record(ctx, tx, actor, "key_task.member_remove", "key_task", idStr(id), before,
		map[string]any{"task": after, "unit_id": unitID})
}

// LinkIndicator names the indicator of the member unit's target sheet
// that carries the task (nil clears it) and audits it. It returns
// not_found when the unit is not a member, invalid for an indicator that
// is not a current one of the unit's sheet of the task's cycle.
func LinkIndicator(ctx context.Context, tx pgx.Tx, actor audit.Actor, id, unitID int64, indicatorID *int64) (Member, error) {
	t, err := lockTask(ctx, tx, id)
	if err != nil {
		return Member{}, err
	}
	var before *int64
	err = tx.QueryRow(ctx, `SELECT indicator_id FROM key_task_members WHERE task_id = $1 AND unit_id = $2 FOR UPDATE`,
		id, unitID).Scan(&before)
	if err == pgx.ErrNoRows {
		return Member{}, apperr.New(apperr.NotFound, "该单位不承担此重点任务")
	}
	if err != nil {
		return Member{}, db.Err(err)
	}
	if indicatorID != nil {
		var ok bool
		err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM target_indicators i JOIN target_sheets s ON s.id = i.sheet_id
			WHERE i.id = $1 AND i.removed_at IS NULL AND s.cycle_id = $2 AND s.unit_id = $3)`, *indicatorID, t.CycleID, unitID).Scan(&ok)
		if err != nil {
			return Member{}, db.Err(err)
		}
		if !ok {
			return Member{}, apperr.InvalidField("indicator_id", "请选择该单位本年度目标责任书中的指标")
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE key_task_members SET indicator_id = $3 WHERE task_id = $1 AND unit_id = $2`,
		id, unitID, indicatorID); err != nil {
		return Member{}, db.Err(err)
	}
	m, err := findMember(ctx, tx, id, unitID)
	if err != nil {
		return Member{}, err
	}
	return m, audit.Record(ctx, tx, actor, "key_task.indicator", "key_task", idStr(id),
		map[string]any{"unit_id": unitID, "indicator_id": before}, map[string]any{"unit_id": unitID, "indicator_id": indicatorID})
}

// CheckLead returns the task when unitID leads it; forbidden (MsgNotLead)
// otherwise, not_found for a task that does not exist.
func CheckLead(ctx context.Context, q db.DBTX, id, unitID int64) (KeyTask, error) {
	t, err := FindKeyTask(ctx, q, id)
	if err != nil {
		return KeyTask{}, err
	}
	if t.LeadUnitID != unitID {
		return KeyTask{}, apperr.New(apperr.Forbidden, MsgNotLead)
	}
	return t, nil
}
