package results

import (
	"context"
	"encoding/hex"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/approvals"
	"minyi/internal/audit"
	"minyi/internal/cycles"
	"minyi/internal/db"
)

// Results are deliberated and approved by the leading group before they
// are notified (000 § 24, 002 § 23): when the cycle names approvers of its
// results (cycles.Release.ResultApprovers), the final results are
// published only once each approver, in order, has approved the figures
// that are published. The office submits the final results once they could
// be published (SubmitFinal); a change of the figures afterwards, or a
// reopening, needs a new approval. Without approvers nothing changes.

// approvalSince is when the final results last stopped being in force (a
// reopening): approvals older than that do not count.
func approvalSince(st Status) time.Time {
	if st.Final != nil && st.Final.ReopenedAt != nil {
		return *st.Final.ReopenedAt
	}
	return time.Time{}
}

// requireApproval refuses (conflict) to publish a's figures as the final
// results until the cycle's approvers have approved them.
func requireApproval(ctx context.Context, tx pgx.Tx, st Status, a Assessment) error {
	rel, err := cycles.LoadRelease(ctx, tx, a.Cycle.ID)
	if err != nil || len(rel.ResultApprovers) == 0 {
		return err
	}
	latest, err := approvals.Latest(ctx, tx, approvals.SubjectResults, a.Cycle.ID)
	if err != nil {
		return err
	}
	hash, err := SnapshotHash(a)
	if err != nil {
		return err
	}
	return approvals.Ready(rel.ResultApprovers, latest, approvalSince(st), hex.EncodeToString(hash[:]), "最终考核结果")
}

// SubmitFinal submits the final results, as they would be published now,
// to the cycle's approvers of results, and returns the request. It refuses
// what PublishFinal refuses but the approvals, and (conflict) a cycle
// without approvers of its results. A second submission of the same
// figures returns the request already made (changed false).
func SubmitFinal(ctx context.Context, tx pgx.Tx, actor audit.Actor, loc *time.Location, now time.Time, cycleID int64, categoryOrder []string) (approvals.Request, bool, error) {
	if err := lockCycle(ctx, tx, cycleID); err != nil {
		return approvals.Request{}, false, err
	}
	rel, err := cycles.LoadRelease(ctx, tx, cycleID)
	if err != nil {
		return approvals.Request{}, false, err
	}
	if len(rel.ResultApprovers) == 0 {
		return approvals.Request{}, false, apperr.New(apperr.Conflict, "本考核年度未设置考核结果审批人，可直接公布最终结果")
	}
	st, a, _, err := finalReady(ctx, tx, loc, now, cycleID, categoryOrder)
	if err != nil {
		return approvals.Request{}, false, err
	}
	hash, err := SnapshotHash(a)
	if err != nil {
		return approvals.Request{}, false, err
	}
	return approvals.Submit(ctx, tx, actor, now, approvals.SubmitInput{CycleID: cycleID, Subject: approvals.SubjectResults,
		SubjectID: cycleID, Title: a.Cycle.Name + "最终考核结果", Approvers: rel.ResultApprovers, Snapshot: hash[:],
		Since: approvalSince(st)})
}

// ApprovalHistory returns the cycle's requests for approval of its results,
// oldest first.
func ApprovalHistory(ctx context.Context, q db.DBTX, cycleID int64) ([]approvals.Request, error) {
	return approvals.History(ctx, q, approvals.SubjectResults, cycleID)
}
