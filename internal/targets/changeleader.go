package targets

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/approvals"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// Change requests of an approved sheet go to the leaders too (002 § 15,
// 001 § 16): when the cycle names approvers of target sheets, the office's
// approval of a change request puts it in RequestLeaderReview and submits
// it (subject target_change, the sheet's id) to them in order; the next
// version is published only once the last one approves. A leader's return
// ends the request as RequestReturned with the leader's comment; the unit
// may file another. The office may withdraw the submission (Withdrawn):
// the request waits for the office's review again.

// changeToLeaders records the office's approval of r and submits it to
// the approvers.
func changeToLeaders(ctx context.Context, tx pgx.Tx, actor audit.Actor, s Sheet, r ChangeRequest, approvers []int64,
	comment string, now time.Time) (ChangeRequest, error) {
	if _, err := tx.Exec(ctx, `UPDATE target_change_requests SET status = 'leader_review', comment = $2 WHERE id = $1`,
		r.ID, comment); err != nil {
		return ChangeRequest{}, db.Err(err)
	}
	if _, _, err := approvals.Submit(ctx, tx, actor, now, approvals.SubmitInput{CycleID: s.CycleID,
		Subject: approvals.SubjectTargetChange, SubjectID: s.ID, Fresh: true,
		Title: s.UnitName + "《" + s.CycleName + "目标责任书》调整申请", Approvers: approvers}); err != nil {
		return ChangeRequest{}, err
	}
	after, err := FindChangeRequest(ctx, tx, r.ID)
	if err != nil {
		return ChangeRequest{}, err
	}
	return after, audit.Record(ctx, tx, actor, "target_change.to_leaders", "target_sheet", idStr(s.ID), r, after)
}

// changeInReview locks the sheet and returns it with its change request
// waiting for the leaders; conflict when there is none.
func changeInReview(ctx context.Context, tx pgx.Tx, sheetID int64) (Sheet, ChangeRequest, error) {
	var lock int
	if err := tx.QueryRow(ctx, `SELECT lock_version FROM target_sheets WHERE id = $1 FOR UPDATE`, sheetID).Scan(&lock); err != nil {
		return Sheet{}, ChangeRequest{}, notFound(db.Err(err), "目标责任书不存在")
	}
	var id int64
	err := tx.QueryRow(ctx, `SELECT id FROM target_change_requests WHERE sheet_id = $1 AND status = 'leader_review'`, sheetID).Scan(&id)
	if err == pgx.ErrNoRows {
		return Sheet{}, ChangeRequest{}, apperr.New(apperr.Conflict, "该目标责任书没有待领导审定的调整申请")
	}
	if err != nil {
		return Sheet{}, ChangeRequest{}, db.Err(err)
	}
	r, err := FindChangeRequest(ctx, tx, id)
	if err != nil {
		return Sheet{}, ChangeRequest{}, err
	}
	s, err := FindSheet(ctx, tx, sheetID)
	return s, r, err
}

// changeLeaderDecided applies the end of a request for approval of a
// change: approved, the next version is published; returned, the change
// request ends with the leader's comment.
func changeLeaderDecided(ctx context.Context, tx pgx.Tx, actor audit.Actor, req approvals.Request, now time.Time) error {
	s, r, err := changeInReview(ctx, tx, req.SubjectID)
	if err != nil {
		return err
	}
	if req.State == approvals.StateApproved {
		after, err := publishChange(ctx, tx, actor, s, r, r.Comment, now)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "target_change.leader_approve", "target_sheet", idStr(s.ID), r, after)
	}
	comment := "领导退回"
	if n := len(req.Decisions); n > 0 {
		d := req.Decisions[n-1]
		comment = d.Approver + "退回：" + strings.TrimSpace(d.Comment)
	}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	if _, err := tx.Exec(ctx, `UPDATE target_change_requests SET status = 'returned', comment = $2, decided_by = $3, decided_at = $4
		WHERE id = $1`, r.ID, comment, by, now); err != nil {
		return db.Err(err)
	}
	after, err := FindChangeRequest(ctx, tx, r.ID)
	if err != nil {
		return err
	}
	return audit.Record(ctx, tx, actor, "target_change.leader_return", "target_sheet", idStr(s.ID), r, after)
}

// Withdrawn puts back with the office the item of a request the office
// withdrew (approvals.Withdraw): a sheet waiting for leaders is submitted
// for the office's review again; a change request waits for the office's
// review again. Results need nothing (they are submitted again when
// ready). It returns conflict when the item is no longer with the leaders.
func Withdrawn(ctx context.Context, tx pgx.Tx, actor audit.Actor, req approvals.Request, now time.Time) error {
	if req.State != approvals.StateWithdrawn {
		return nil
	}
	switch req.Subject {
	case approvals.SubjectTargetSheet:
		var lock int
		if err := tx.QueryRow(ctx, `SELECT lock_version FROM target_sheets WHERE id = $1 FOR UPDATE`, req.SubjectID).Scan(&lock); err != nil {
			return notFound(db.Err(err), "目标责任书不存在")
		}
		before, err := FindSheet(ctx, tx, req.SubjectID)
		if err != nil {
			return err
		}
		if before.Status != StatusLeaderReview {
			return apperr.New(apperr.Conflict, "该目标责任书不在待领导审定状态")
		}
		after, err := bump(ctx, tx, before.ID, StatusSubmitted, "", now, "")
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "target_sheet.withdraw", "target_sheet", idStr(before.ID), before, after)
	case approvals.SubjectTargetChange:
		s, r, err := changeInReview(ctx, tx, req.SubjectID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE target_change_requests SET status = 'pending' WHERE id = $1`, r.ID); err != nil {
			return db.Err(err)
		}
		after, err := FindChangeRequest(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "target_change.withdraw", "target_sheet", idStr(s.ID), r, after)
	}
	return nil
}
