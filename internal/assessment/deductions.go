package assessment

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// Deduction is a deduction filed against a listed reason.
type Deduction struct {
	ID           int64      `json:"id" db:"id"`
	CycleID      int64      `json:"cycle_id" db:"cycle_id"`
	UnitID       int64      `json:"unit_id" db:"unit_id"`
	UnitName     string     `json:"unit_name" db:"unit_name"`
	ReasonKey    string     `json:"reason_key" db:"reason_key"`
	ReasonName   string     `json:"reason_name" db:"-"`
	Description  string     `json:"description" db:"description"`
	Points       float64    `json:"points" db:"points"`
	SetsFail     bool       `json:"sets_fail" db:"sets_fail"`
	EvidenceIDs  []string   `json:"evidence_ids" db:"evidence_ids"`
	CreatedBy    *string    `json:"created_by" db:"created_by"`
	CreatedAt    time.Time  `json:"created_at" db:"created_at"`
	RevokedAt    *time.Time `json:"revoked_at" db:"revoked_at"`
	RevokedBy    *string    `json:"revoked_by" db:"revoked_by"`
	RevokeReason *string    `json:"revoke_reason" db:"revoke_reason"`
}

const deductionColumns = `x.id, x.cycle_id, x.unit_id, un.name AS unit_name, x.reason_key, x.description,
	x.points::float8 AS points, x.sets_fail, x.evidence_ids::text[] AS evidence_ids, c.username AS created_by,
	x.created_at, x.revoked_at, r.username AS revoked_by, x.revoke_reason
	FROM assessment_deductions x JOIN units un ON un.id = x.unit_id
	LEFT JOIN users c ON c.id = x.created_by LEFT JOIN users r ON r.id = x.revoked_by`

// ListDeductions returns the cycle's deductions (revoked ones included),
// of one unit when unitID is not nil, newest first.
func ListDeductions(ctx context.Context, q db.DBTX, cycleID int64, unitID *int64) ([]Deduction, error) {
	set, err := LoadSettings(ctx, q, cycleID)
	if err != nil {
		return nil, err
	}
	list, err := cycleRecords[Deduction](ctx, q, deductionColumns, "x", cycleID, unitID)
	for i := range list {
		list[i].ReasonName = reasonName(set.Settings, list[i].ReasonKey)
	}
	return list, err
}

func findDeduction(ctx context.Context, q db.DBTX, id int64) (Deduction, error) {
	d, err := findRecord[Deduction](ctx, q, deductionColumns, "x", id, "扣分记录不存在")
	if err != nil {
		return Deduction{}, err
	}
	set, err := LoadSettings(ctx, q, d.CycleID)
	d.ReasonName = reasonName(set.Settings, d.ReasonKey)
	return d, err
}

// DeductionInput is what the office files. The points and whether it sets
// the result to 不合格 come from the reason.
type DeductionInput struct {
	UnitID      int64    `json:"unit_id"`
	ReasonKey   string   `json:"reason_key"`
	Description string   `json:"description"`
	EvidenceIDs []string `json:"evidence_ids"`
	ClientKey   string   `json:"client_key"`
}

// FileDeduction files a deduction against a listed reason of the cycle's
// settings and records it in the audit log. A retry with the same
// client_key returns the first deduction (created false).
func FileDeduction(ctx context.Context, tx pgx.Tx, actor audit.Actor, cycleID int64, in DeductionInput) (Deduction, bool, error) {
	if err := CheckEditable(ctx, tx, cycleID); err != nil {
		return Deduction{}, false, err
	}
	key := strings.TrimSpace(in.ClientKey)
	if key != "" {
		var id int64
		err := tx.QueryRow(ctx, `SELECT id FROM assessment_deductions WHERE cycle_id = $1 AND unit_id = $2 AND client_key = $3`,
			cycleID, in.UnitID, key).Scan(&id)
		if err == nil {
			d, err := findDeduction(ctx, tx, id)
			return d, false, err
		}
		if err != pgx.ErrNoRows {
			return Deduction{}, false, db.Err(err)
		}
	}
	if err := cycleExists(ctx, tx, cycleID); err != nil {
		return Deduction{}, false, err
	}
	set, err := LoadSettings(ctx, tx, cycleID)
	if err != nil {
		return Deduction{}, false, err
	}
	desc := strings.TrimSpace(in.Description)
	f := apperr.Fields{}
	if in.UnitID <= 0 || unitExists(ctx, tx, in.UnitID) != nil {
		f.Add("unit_id", "请选择被扣分的单位")
	}
	reason, ok := set.Settings.Reason(strings.TrimSpace(in.ReasonKey))
	if !ok {
		f.Add("reason_key", "请选择考核设置中列出的扣分事由")
	}
	if n := utf8.RuneCountInString(desc); n == 0 || n > 2000 {
		f.Add("description", "请填写扣分事实（不超过2000字）")
	}
	if utf8.RuneCountInString(key) > 100 {
		f.Add("client_key", "client_key 不能超过100个字符")
	}
	if err := f.Err(); err != nil {
		return Deduction{}, false, err
	}
	ev, err := checkEvidence(ctx, tx, in.EvidenceIDs, true, nil)
	if err != nil {
		return Deduction{}, false, err
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO assessment_deductions (cycle_id, unit_id, reason_key, description, points,
			sets_fail, evidence_ids, created_by, client_key)
		VALUES ($1, $2, $3, $4, $5::numeric, $6, $7::uuid[], $8, $9) RETURNING id`,
		cycleID, in.UnitID, reason.Key, desc, num(reason.Points), reason.SetsFail, ev, actorID(actor), nullString(key)).Scan(&id)
	if err != nil {
		return Deduction{}, false, db.Err(err)
	}
	d, err := findDeduction(ctx, tx, id)
	if err != nil {
		return Deduction{}, false, err
	}
	d.ReasonName = reason.Name
	if err := noticeDeduction(ctx, tx, d, d.CreatedAt); err != nil {
		return Deduction{}, false, err
	}
	return d, true, audit.Record(ctx, tx, actor, "assessment.deduction", "deduction", strconv.FormatInt(id, 10), nil, d)
}

// RevokeDeduction revokes a deduction with a reason (nothing is deleted)
// and records it in the audit log. Revoking a revoked deduction returns it;
// on a missing reason it returns the deduction with the invalid error.
func RevokeDeduction(ctx context.Context, tx pgx.Tx, actor audit.Actor, now time.Time, id int64, reason string) (Deduction, error) {
	return revokeItem(ctx, tx, actor, now, id, reason, revocable[Deduction]{table: "assessment_deductions",
		missing: "扣分记录不存在", action: "assessment.deduction_revoke", entity: "deduction", find: findDeduction})
}

// revocable names a table of records that are revoked, never deleted.
type revocable[T any] struct {
	table, missing, action, entity string
	find                           func(ctx context.Context, q db.DBTX, id int64) (T, error)
}

// revokeItem revokes the record id of r.table with a reason under its row
// lock and records it in the audit log. An already revoked record is
// returned as it is; a missing reason returns the record with the error.
func revokeItem[T any](ctx context.Context, tx pgx.Tx, actor audit.Actor, now time.Time, id int64, reason string, r revocable[T]) (T, error) {
	var zero T
	revoked, err := lockRevocable(ctx, tx, r.table, id, r.missing)
	if err != nil {
		return zero, err
	}
	before, err := r.find(ctx, tx, id)
	if err != nil || revoked {
		return before, err
	}
	if err := revoke(ctx, tx, actor, now, r.table, id, reason); err != nil {
		return before, err
	}
	after, err := r.find(ctx, tx, id)
	if err != nil {
		return zero, err
	}
	return after, audit.Record(ctx, tx, actor, r.action, r.entity, strconv.FormatInt(id, 10), before, after)
}

// lockRevocable locks a deduction or adjustment row, checks that its cycle
// is editable and reports whether it is already revoked.
func lockRevocable(ctx context.Context, tx pgx.Tx, table string, id int64, missing string) (bool, error) {
	var cycleID int64
	var revoked bool
	err := tx.QueryRow(ctx, `SELECT cycle_id, revoked_at IS NOT NULL FROM `+table+` WHERE id = $1 FOR UPDATE`, id).
		Scan(&cycleID, &revoked)
	if err != nil {
		return false, notFound(db.Err(err), missing)
	}
	return revoked, CheckEditable(ctx, tx, cycleID)
}

func revoke(ctx context.Context, tx pgx.Tx, actor audit.Actor, now time.Time, table string, id int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n == 0 || n > 2000 {
		return apperr.InvalidField("reason", "请填写撤销理由（不超过2000字）")
	}
	_, err := tx.Exec(ctx, `UPDATE `+table+` SET revoked_at = $2, revoked_by = $3, revoke_reason = $4 WHERE id = $1`,
		id, now, actorID(actor), reason)
	return db.Err(err)
}
