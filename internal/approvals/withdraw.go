package approvals

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

// Withdrawal (撤回): the office may take back a request it sent to the
// leaders while the request is pending — before the first leader decides
// or between two leaders' approvals. The request ends as withdrawn (the
// leaders' decisions so far stay on the timeline), no leader waits for it
// any more (the one whose turn it was and those who approved are told),
// and the item is back with the office: a sheet waits for the
// office's review again, a change request too, and results are submitted
// again when ready. Once the last leader has approved, or a leader has
// returned it, there is nothing to withdraw.

// WithdrawInput is the office's withdrawal, with an optional reason.
type WithdrawInput struct {
	Comment string `json:"comment"`
}

// CanWithdraw says whether r may be withdrawn: nil, or a conflict saying
// in Chinese why not.
func CanWithdraw(r Request) error {
	switch r.State {
	case StatePending:
		return nil
	case StateApproved:
		return apperr.New(apperr.Conflict, "该事项已全部审批通过，不能撤回")
	case StateReturned:
		return apperr.New(apperr.Conflict, "该事项已被领导退回，已回到绩效办，无需撤回")
	case StateWithdrawn:
		return apperr.New(apperr.Conflict, "该事项已撤回")
	}
	return apperr.New(apperr.Conflict, "该事项不能撤回")
}

// Withdraw ends the pending request as withdrawn by the office and records
// it in the audit log. A retry of a withdrawal already recorded returns
// the request unchanged (changed false). It returns invalid for a reason
// over MaxComment, not_found for an unknown request and conflict (see
// CanWithdraw) for one no longer pending.
func Withdraw(ctx context.Context, tx pgx.Tx, actor audit.Actor, now time.Time, requestID int64, in WithdrawInput) (Request, bool, error) {
	comment := strings.TrimSpace(in.Comment)
	if utf8.RuneCountInString(comment) > MaxComment {
		return Request{}, false, apperr.InvalidField("comment", "撤回说明不能超过500字")
	}
	r, err := lockRequest(ctx, tx, requestID)
	if err != nil {
		return Request{}, false, err
	}
	if r.State == StateWithdrawn && r.WithdrawComment == comment {
		return r, false, nil // a retry
	}
	if err := CanWithdraw(r); err != nil {
		return Request{}, false, err
	}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	if _, err := tx.Exec(ctx, `UPDATE approval_requests SET state = 'withdrawn', current_approver = NULL, decided_at = $2,
		withdrawn_by = $3, withdraw_comment = $4 WHERE id = $1`, r.ID, now, by, comment); err != nil {
		return Request{}, false, db.Err(err)
	}
	after, err := Find(ctx, tx, r.ID)
	if err != nil {
		return Request{}, false, err
	}
	if err := noticeWithdrawn(ctx, tx, r, after, now); err != nil {
		return Request{}, false, err
	}
	return after, true, audit.Record(ctx, tx, actor, "approval.withdraw", "approval", strconv.FormatInt(r.ID, 10),
		map[string]any{"approval_state": r.State}, map[string]any{"title": r.Title, "approval_state": after.State, "comment": comment})
}

// HistoryOf returns the requests of an item's subjects (a sheet and its
// change requests), oldest first: the item's whole approval timeline.
func HistoryOf(ctx context.Context, q db.DBTX, subjectID int64, subjects ...string) ([]Request, error) {
	return collect(ctx, q, `WHERE r.subject = ANY($1) AND r.subject_id = $2 ORDER BY r.id LIMIT 100`, subjects, subjectID)
}
