package cycles

import (
	"context"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// Release is how a cycle's work leaves the office (issue 16 parts 3 and
// 4): the leaders who approve, in order, its target sheets and its final
// results before they take effect (empty: the office decides alone, as
// before; 002 § 15, 001 § 16, 000 § 24, 002 § 23), whether the final
// results are published to the public page or notified internally to units
// and leaders only (内部通报, 001 § 22), and whether the public targets page
// shows each indicator's completion once the results are final (002 § 15).
type Release struct {
	TargetApprovers []int64 `json:"target_approvers" db:"target_approvers"`
	ResultApprovers []int64 `json:"result_approvers" db:"result_approvers"`
	// ResultsPublic: 向社会公开 (true) or 内部通报 (false).
	ResultsPublic bool `json:"results_public" db:"results_public"`
	// PublishCompletion: the public targets page shows progress,
	// self-evaluation and final score per indicator once results are final.
	PublishCompletion bool `json:"publish_completion" db:"publish_completion"`
}

// MaxApprovers is the longest chain of approvers a step may have.
const MaxApprovers = 5

// DefaultRelease is the release of a cycle that has none set: no
// approvals, results public, completion not shown.
func DefaultRelease() Release {
	return Release{TargetApprovers: []int64{}, ResultApprovers: []int64{}, ResultsPublic: true}
}

// ResultsVisibilityLabel names the choice of publication in the office's
// words.
func (r Release) ResultsVisibilityLabel() string {
	if r.ResultsPublic {
		return "向社会公开"
	}
	return "内部通报（仅单位和领导可见）"
}

// CheckApprovers returns the problem with a list of approvers for one step,
// given which accounts are active leaders, or "". The list may be empty
// (no approval); otherwise at most MaxApprovers, each an active leader,
// none twice.
func CheckApprovers(ids []int64, activeLeader map[int64]bool) string {
	if len(ids) > MaxApprovers {
		return "审批人最多" + strconv.Itoa(MaxApprovers) + "人"
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if !activeLeader[id] {
			return "审批人须为在用的领导账号"
		}
		if seen[id] {
			return "同一审批人不能重复"
		}
		seen[id] = true
	}
	return ""
}

// LoadRelease returns the cycle's release settings, the defaults when none
// are set. It does not check the cycle exists.
func LoadRelease(ctx context.Context, q db.DBTX, cycleID int64) (Release, error) {
	rows, _ := q.Query(ctx, `SELECT target_approvers, result_approvers, results_public, publish_completion
		FROM cycle_release_settings WHERE cycle_id = $1`, cycleID)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Release])
	if err == pgx.ErrNoRows {
		return DefaultRelease(), nil
	}
	return r, db.Err(err)
}

// activeLeaders returns which of ids are active leader accounts.
func activeLeaders(ctx context.Context, q db.DBTX, ids []int64) (map[int64]bool, error) {
	rows, _ := q.Query(ctx, `SELECT id FROM users WHERE id = ANY($1) AND role = 'leader' AND disabled_at IS NULL`, ids)
	list, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	out := map[int64]bool{}
	for _, id := range list {
		out[id] = true
	}
	return out, db.Err(err)
}

// SaveRelease stores the cycle's release settings and records the change
// in the audit log; the same settings again change nothing. It returns
// not_found for an unknown cycle and invalid (fields target_approvers,
// result_approvers) for approvers that are not active leader accounts.
// Requests already submitted keep the approvers they were submitted with.
func SaveRelease(ctx context.Context, tx pgx.Tx, actor audit.Actor, cycleID int64, in Release) (Release, bool, error) {
	if in.TargetApprovers == nil {
		in.TargetApprovers = []int64{}
	}
	if in.ResultApprovers == nil {
		in.ResultApprovers = []int64{}
	}
	var one int
	if err := tx.QueryRow(ctx, `SELECT 1 FROM assessment_cycles WHERE id = $1 FOR UPDATE`, cycleID).Scan(&one); err != nil {
		return Release{}, false, notFound(db.Err(err), "考核年度不存在")
	}
	leaders, err := activeLeaders(ctx, tx, slices.Concat(in.TargetApprovers, in.ResultApprovers))
	if err != nil {
		return Release{}, false, err
	}
	f := apperr.Fields{}
	if msg := CheckApprovers(in.TargetApprovers, leaders); msg != "" {
		f.Add("target_approvers", "目标责任书"+msg)
	}
	if msg := CheckApprovers(in.ResultApprovers, leaders); msg != "" {
		f.Add("result_approvers", "考核结果"+msg)
	}
	if err := f.Err(); err != nil {
		return Release{}, false, err
	}
	before, err := LoadRelease(ctx, tx, cycleID)
	if err != nil {
		return Release{}, false, err
	}
	if slices.Equal(before.TargetApprovers, in.TargetApprovers) && slices.Equal(before.ResultApprovers, in.ResultApprovers) &&
		before.ResultsPublic == in.ResultsPublic && before.PublishCompletion == in.PublishCompletion {
		return before, false, nil
	}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	_, err = tx.Exec(ctx, `INSERT INTO cycle_release_settings
		(cycle_id, target_approvers, result_approvers, results_public, publish_completion, updated_by, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, now())
		ON CONFLICT (cycle_id) DO UPDATE SET target_approvers = $2, result_approvers = $3, results_public = $4,
			publish_completion = $5, updated_by = $6, updated_at = now()`,
		cycleID, in.TargetApprovers, in.ResultApprovers, in.ResultsPublic, in.PublishCompletion, by)
	if err != nil {
		return Release{}, false, db.Err(err)
	}
	return in, true, audit.Record(ctx, tx, actor, "cycle.release", "cycle", strconv.FormatInt(cycleID, 10), before, in)
}
