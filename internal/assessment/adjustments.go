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

// Grade adjustment kinds.
const (
	AdjustRaise       = "raise"        // 上调一个等次（重大贡献）
	AdjustLower       = "lower"        // 下调一个等次（重大事故）
	AdjustNoExcellent = "no_excellent" // 不得评为优秀（重大腐败案件）
)

// AdjustmentKinds are the kinds in the order the forms list them.
var AdjustmentKinds = []string{AdjustRaise, AdjustLower, AdjustNoExcellent}

// AdjustmentLabel is a kind in Chinese.
func AdjustmentLabel(kind string) string {
	switch kind {
	case AdjustRaise:
		return "上调一个等次"
	case AdjustLower:
		return "下调一个等次"
	case AdjustNoExcellent:
		return "当年不得评为优秀"
	}
	return kind
}

// Adjustment is a grade adjustment by the office.
type Adjustment struct {
	ID           int64      `json:"id" db:"id"`
	CycleID      int64      `json:"cycle_id" db:"cycle_id"`
	UnitID       int64      `json:"unit_id" db:"unit_id"`
	UnitName     string     `json:"unit_name" db:"unit_name"`
	Kind         string     `json:"kind" db:"kind"`
	Reason       string     `json:"reason" db:"reason"`
	EvidenceIDs  []string   `json:"evidence_ids" db:"evidence_ids"`
	CreatedBy    *string    `json:"created_by" db:"created_by"`
	CreatedAt    time.Time  `json:"created_at" db:"created_at"`
	RevokedAt    *time.Time `json:"revoked_at" db:"revoked_at"`
	RevokedBy    *string    `json:"revoked_by" db:"revoked_by"`
	RevokeReason *string    `json:"revoke_reason" db:"revoke_reason"`
}

const adjustmentColumns = `x.id, x.cycle_id, x.unit_id, un.name AS unit_name, x.kind, x.reason,
	x.evidence_ids::text[] AS evidence_ids, c.username AS created_by, x.created_at, x.revoked_at,
	r.username AS revoked_by, x.revoke_reason
	FROM assessment_grade_adjustments x JOIN units un ON un.id = x.unit_id
	LEFT JOIN users c ON c.id = x.created_by LEFT JOIN users r ON r.id = x.revoked_by`

// ListAdjustments returns the cycle's adjustments (revoked ones included),
// of one unit when unitID is not nil, newest first.
func ListAdjustments(ctx context.Context, q db.DBTX, cycleID int64, unitID *int64) ([]Adjustment, error) {
	return cycleRecords[Adjustment](ctx, q, adjustmentColumns, "x", cycleID, unitID)
}

func findAdjustment(ctx context.Context, q db.DBTX, id int64) (Adjustment, error) {
	return findRecord[Adjustment](ctx, q, adjustmentColumns, "x", id, "等次调整记录不存在")
}

// AdjustmentInput is what the office records.
type AdjustmentInput struct {
	UnitID      int64    `json:"unit_id"`
	Kind        string   `json:"kind"`
	Reason      string   `json:"reason"`
	EvidenceIDs []string `json:"evidence_ids"`
}

// AddAdjustment records a grade adjustment with its reason in the audit
// log. An adjustment in force of the same unit, kind and reason is
// returned instead of a second one (created false), so a retry is harmless.
func AddAdjustment(ctx context.Context, tx pgx.Tx, actor audit.Actor, cycleID int64, in AdjustmentInput) (Adjustment, bool, error) {
	if err := CheckEditable(ctx, tx, cycleID); err != nil {
		return Adjustment{}, false, err
	}
	if err := cycleExists(ctx, tx, cycleID); err != nil {
		return Adjustment{}, false, err
	}
	reason := strings.TrimSpace(in.Reason)
	f := apperr.Fields{}
	if in.UnitID <= 0 || unitExists(ctx, tx, in.UnitID) != nil {
		f.Add("unit_id", "请选择单位")
	}
	if in.Kind != AdjustRaise && in.Kind != AdjustLower && in.Kind != AdjustNoExcellent {
		f.Add("kind", "请选择调整方式：上调、下调一个等次，或当年不得评为优秀")
	}
	if n := utf8.RuneCountInString(reason); n == 0 || n > 2000 {
		f.Add("reason", "请填写调整理由（不超过2000字）")
	}
	if err := f.Err(); err != nil {
		return Adjustment{}, false, err
	}
	ev, err := checkEvidence(ctx, tx, in.EvidenceIDs, true, nil)
	if err != nil {
		return Adjustment{}, false, err
	}
	// Serialize adjustments of the cycle so the duplicate check holds.
	if _, err := tx.Exec(ctx, `SELECT 1 FROM assessment_cycles WHERE id = $1 FOR UPDATE`, cycleID); err != nil {
		return Adjustment{}, false, db.Err(err)
	}
	var id int64
	err = tx.QueryRow(ctx, `SELECT id FROM assessment_grade_adjustments WHERE cycle_id = $1 AND unit_id = $2
		AND kind = $3 AND reason = $4 AND revoked_at IS NULL`, cycleID, in.UnitID, in.Kind, reason).Scan(&id)
	if err == nil {
		a, err := findAdjustment(ctx, tx, id)
		return a, false, err
	}
	if err != pgx.ErrNoRows {
		return Adjustment{}, false, db.Err(err)
	}
	err = tx.QueryRow(ctx, `INSERT INTO assessment_grade_adjustments (cycle_id, unit_id, kind, reason, evidence_ids, created_by)
		VALUES ($1, $2, $3, $4, $5::uuid[], $6) RETURNING id`, cycleID, in.UnitID, in.Kind, reason, ev, actorID(actor)).Scan(&id)
	if err != nil {
		return Adjustment{}, false, db.Err(err)
	}
	a, err := findAdjustment(ctx, tx, id)
	if err != nil {
		return Adjustment{}, false, err
	}
	return a, true, audit.Record(ctx, tx, actor, "assessment.adjustment", "grade_adjustment", strconv.FormatInt(id, 10), nil, a)
}

// RevokeAdjustment revokes an adjustment with a reason (nothing deleted)
// and records it in the audit log. Revoking a revoked one returns it.
func RevokeAdjustment(ctx context.Context, tx pgx.Tx, actor audit.Actor, now time.Time, id int64, reason string) (Adjustment, error) {
	return revokeItem(ctx, tx, actor, now, id, reason, revocable[Adjustment]{table: "assessment_grade_adjustments",
		missing: "等次调整记录不存在", action: "assessment.adjustment_revoke", entity: "grade_adjustment", find: findAdjustment})
}
