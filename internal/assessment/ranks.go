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
	"minyi/internal/units"
)

// RankAdjustment is the office's move of a unit to a place (位次) within
// its category, with a reason (000 § 24). The results apply it after the
// ranking by composite (see results.MoveRanks).
type RankAdjustment struct {
	ID           int64      `json:"id" db:"id"`
	CycleID      int64      `json:"cycle_id" db:"cycle_id"`
	UnitID       int64      `json:"unit_id" db:"unit_id"`
	UnitName     string     `json:"unit_name" db:"unit_name"`
	ToRank       int        `json:"to_rank" db:"to_rank"`
	Reason       string     `json:"reason" db:"reason"`
	CreatedBy    *string    `json:"created_by" db:"created_by"`
	CreatedAt    time.Time  `json:"created_at" db:"created_at"`
	RevokedAt    *time.Time `json:"revoked_at" db:"revoked_at"`
	RevokedBy    *string    `json:"revoked_by" db:"revoked_by"`
	RevokeReason *string    `json:"revoke_reason" db:"revoke_reason"`
}

const rankAdjustmentColumns = `x.id, x.cycle_id, x.unit_id, un.name AS unit_name, x.to_rank, x.reason,
	c.username AS created_by, x.created_at, x.revoked_at, r.username AS revoked_by, x.revoke_reason
	FROM assessment_rank_adjustments x JOIN units un ON un.id = x.unit_id
	LEFT JOIN users c ON c.id = x.created_by LEFT JOIN users r ON r.id = x.revoked_by`

// ListRankAdjustments returns the cycle's rank adjustments (revoked ones
// included), of one unit when unitID is not nil, newest first.
func ListRankAdjustments(ctx context.Context, q db.DBTX, cycleID int64, unitID *int64) ([]RankAdjustment, error) {
	return cycleRecords[RankAdjustment](ctx, q, rankAdjustmentColumns, "x", cycleID, unitID)
}

func findRankAdjustment(ctx context.Context, q db.DBTX, id int64) (RankAdjustment, error) {
	return findRecord[RankAdjustment](ctx, q, rankAdjustmentColumns, "x", id, "位次调整记录不存在")
}

// categorySizeSQL reads unit $1's category and how many units of cycle
// $2 it has (units.InCycleSQL: an abolished unit takes no place).
var categorySizeSQL = `SELECT u.category, (SELECT count(*) FROM units o JOIN assessment_cycles c ON c.id = $2
		WHERE o.category = u.category AND ` + units.InCycleSQL("o", "c") + `)
	FROM units u WHERE u.id = $1`

// CategorySize returns how many units of the cycle the unit's category
// has: a rank adjustment moves the unit to a place from 1 to that;
// not_found for an unknown unit.
func CategorySize(ctx context.Context, q db.DBTX, cycleID, unitID int64) (int, error) {
	var category string
	var n int
	err := q.QueryRow(ctx, categorySizeSQL, unitID, cycleID).Scan(&category, &n)
	return n, notFound(db.Err(err), "单位不存在")
}

// RankAdjustmentInput is what the office records: the unit, the place it
// moves to (1 is first) and why.
type RankAdjustmentInput struct {
	UnitID int64  `json:"unit_id"`
	ToRank int    `json:"to_rank"`
	Reason string `json:"reason"`
}

// AddRankAdjustment records a move of a unit to place ToRank within its
// category, with its reason, in the audit log. ToRank must lie between 1
// and the number of units of the unit's category. The same move in force
// (same place and reason) is returned instead of a second one (created
// false), so a retry is harmless; another move while one is in force is a
// conflict (revoke it first). It returns invalid for bad input and
// conflict once the final results are in force.
func AddRankAdjustment(ctx context.Context, tx pgx.Tx, actor audit.Actor, cycleID int64, in RankAdjustmentInput) (RankAdjustment, bool, error) {
	if err := CheckEditable(ctx, tx, cycleID); err != nil {
		return RankAdjustment{}, false, err
	}
	if err := cycleExists(ctx, tx, cycleID); err != nil {
		return RankAdjustment{}, false, err
	}
	reason := strings.TrimSpace(in.Reason)
	f := apperr.Fields{}
	var category string
	var size int
	if in.UnitID > 0 {
		err := tx.QueryRow(ctx, categorySizeSQL, in.UnitID, cycleID).Scan(&category, &size)
		if err != nil && err != pgx.ErrNoRows {
			return RankAdjustment{}, false, db.Err(err)
		}
	}
	switch {
	case size == 0:
		f.Add("unit_id", "请选择单位")
	case in.ToRank < 1 || in.ToRank > size:
		f.Add("to_rank", "调整后的位次须在第1名到第"+strconv.Itoa(size)+"名之间（“"+category+"”类共"+strconv.Itoa(size)+"个单位）")
	}
	if n := utf8.RuneCountInString(reason); n == 0 || n > 2000 {
		f.Add("reason", "请填写位次调整的理由（不超过2000字）")
	}
	if err := f.Err(); err != nil {
		return RankAdjustment{}, false, err
	}
	// Serialize adjustments of the cycle so the one-in-force check holds.
	if _, err := tx.Exec(ctx, `SELECT 1 FROM assessment_cycles WHERE id = $1 FOR UPDATE`, cycleID); err != nil {
		return RankAdjustment{}, false, db.Err(err)
	}
	var id, to int64
	var was string
	err := tx.QueryRow(ctx, `SELECT id, to_rank, reason FROM assessment_rank_adjustments WHERE cycle_id = $1 AND unit_id = $2
		AND revoked_at IS NULL`, cycleID, in.UnitID).Scan(&id, &to, &was)
	if err == nil {
		if int(to) == in.ToRank && was == reason {
			a, err := findRankAdjustment(ctx, tx, id)
			return a, false, err
		}
		return RankAdjustment{}, false, apperr.New(apperr.Conflict, "该单位已有位次调整（调至第"+strconv.FormatInt(to, 10)+"名），请先撤销再重新调整")
	}
	if err != pgx.ErrNoRows {
		return RankAdjustment{}, false, db.Err(err)
	}
	err = tx.QueryRow(ctx, `INSERT INTO assessment_rank_adjustments (cycle_id, unit_id, to_rank, reason, created_by)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, cycleID, in.UnitID, in.ToRank, reason, actorID(actor)).Scan(&id)
	if err != nil {
		return RankAdjustment{}, false, db.Err(err)
	}
	a, err := findRankAdjustment(ctx, tx, id)
	if err != nil {
		return RankAdjustment{}, false, err
	}
	return a, true, audit.Record(ctx, tx, actor, "assessment.rank_adjust", "rank_adjustment", strconv.FormatInt(id, 10), nil, a)
}

// RevokeRankAdjustment revokes a rank adjustment with a reason (nothing
// deleted) and records it in the audit log. Revoking a revoked one
// returns it.
func RevokeRankAdjustment(ctx context.Context, tx pgx.Tx, actor audit.Actor, now time.Time, id int64, reason string) (RankAdjustment, error) {
	return revokeItem(ctx, tx, actor, now, id, reason, revocable[RankAdjustment]{table: "assessment_rank_adjustments",
		missing: "位次调整记录不存在", action: "assessment.rank_revoke", entity: "rank_adjustment", find: findRankAdjustment})
}

// loadRankMoves puts each unit's rank adjustment in force into its inputs.
func loadRankMoves(ctx context.Context, q db.DBTX, cycleID int64, get func(int64) *unitSums) error {
	rows, err := q.Query(ctx, `SELECT unit_id, to_rank, reason FROM assessment_rank_adjustments
		WHERE cycle_id = $1 AND revoked_at IS NULL ORDER BY id`, cycleID)
	if err != nil {
		return db.Err(err)
	}
	var unitID int64
	var to int
	var reason string
	_, err = pgx.ForEachRow(rows, []any{&unitID, &to, &reason}, func() error {
		u := get(unitID)
		r := to
		u.in.RankTo, u.in.RankReason = &r, reason
		return nil
	})
	return db.Err(err)
}
