package targets

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/approvals"
	"minyi/internal/audit"
	"minyi/internal/cycles"
	"minyi/internal/db"
)

// Targets are approved by the leader in charge (002 § 15, 001 § 16): when
// the cycle names approvers of target sheets, a sheet the office approves
// waits in StatusLeaderReview for each of them in order (a request of
// internal/approvals) and is published only once the last one approves. A
// leader's return sends it back to the unit as the office's return does,
// with the leader's comment.

// sheetApprovers are the cycle's approvers of target sheets (none: the
// office's approval publishes).
func sheetApprovers(ctx context.Context, tx pgx.Tx, cycleID int64) ([]int64, error) {
	rel, err := cycles.LoadRelease(ctx, tx, cycleID)
	return rel.TargetApprovers, err
}

// toLeaders records the office's approval and submits the sheet to the
// approvers.
func toLeaders(ctx context.Context, tx pgx.Tx, actor audit.Actor, before Sheet, approvers []int64, now time.Time) (Sheet, error) {
	after, err := bump(ctx, tx, before.ID, StatusLeaderReview, "", now, "")
	if err != nil {
		return Sheet{}, err
	}
	if _, _, err := approvals.Submit(ctx, tx, actor, now, approvals.SubmitInput{CycleID: before.CycleID,
		Subject: approvals.SubjectTargetSheet, SubjectID: before.ID,
		Title: before.UnitName + "《" + before.CycleName + "目标责任书》", Approvers: approvers}); err != nil {
		return Sheet{}, err
	}
	return after, audit.Record(ctx, tx, actor, "target_sheet.approve", "target_sheet", idStr(before.ID), before, after)
}

// LeaderDecided applies the end of a request for approval of a sheet (a
// change request's: changeLeaderDecided): approved, the sheet is published as version 1; returned, it goes back
// to the unit with the leader's comment. A request still pending changes
// nothing. It returns conflict when the sheet is not waiting for leaders.
func LeaderDecided(ctx context.Context, tx pgx.Tx, actor audit.Actor, r approvals.Request, now time.Time) (Sheet, error) {
	if r.State == approvals.StatePending || r.State == approvals.StateWithdrawn {
		return Sheet{}, nil
	}
	if r.Subject == approvals.SubjectTargetChange {
		return Sheet{}, changeLeaderDecided(ctx, tx, actor, r, now)
	}
	if r.Subject != approvals.SubjectTargetSheet {
		return Sheet{}, nil
	}
	var lock int
	if err := tx.QueryRow(ctx, `SELECT lock_version FROM target_sheets WHERE id = $1 FOR UPDATE`, r.SubjectID).Scan(&lock); err != nil {
		return Sheet{}, notFound(db.Err(err), "目标责任书不存在")
	}
	before, err := FindSheet(ctx, tx, r.SubjectID)
	if err != nil {
		return Sheet{}, err
	}
	if before.Status != StatusLeaderReview {
		return Sheet{}, apperr.New(apperr.Conflict, "该目标责任书不在待领导审定状态")
	}
	if r.State == approvals.StateApproved {
		after, err := publishFirst(ctx, tx, actor, before, now)
		if err != nil {
			return Sheet{}, err
		}
		return after, audit.Record(ctx, tx, actor, "target_sheet.leader_approve", "target_sheet", idStr(before.ID), before, after)
	}
	comment := "领导退回"
	if n := len(r.Decisions); n > 0 {
		d := r.Decisions[n-1]
		comment = d.Approver + "退回：" + strings.TrimSpace(d.Comment)
	}
	after, err := bump(ctx, tx, before.ID, StatusReturned, comment, now, "")
	if err != nil {
		return Sheet{}, err
	}
	if err := noticeSheet(ctx, tx, NoticeSheetReturned, after, now); err != nil {
		return Sheet{}, err
	}
	return after, audit.Record(ctx, tx, actor, "target_sheet.leader_return", "target_sheet", idStr(before.ID), before, after)
}
