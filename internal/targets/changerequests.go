package targets

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
)

// ChangeRequest is a unit's request to change an approved sheet.
type ChangeRequest struct {
	ID          int64  `json:"id" db:"id"`
	SheetID     int64  `json:"sheet_id" db:"sheet_id"`
	BaseVersion int    `json:"base_version" db:"base_version"`
	Reason      string `json:"reason" db:"reason"`
	// Status is pending, approved or rejected.
	Status string `json:"status" db:"status"`
	// Comment is the office's answer.
	Comment string `json:"comment" db:"comment"`
	// Indicators is the proposed list; new indicators have id 0.
	Indicators    []Indicator `json:"indicators" db:"indicators"`
	CreatedBy     *string     `json:"created_by" db:"created_by"`
	CreatedAt     time.Time   `json:"created_at" db:"created_at"`
	DecidedBy     *string     `json:"decided_by" db:"decided_by"`
	DecidedAt     *time.Time  `json:"decided_at" db:"decided_at"`
	ResultVersion *int        `json:"result_version" db:"result_version"`
}

// Change request statuses.
const (
	RequestPending  = "pending"
	RequestApproved = "approved"
	RequestRejected = "rejected"
	// RequestLeaderReview: approved by the office, waiting for the
	// leaders the cycle names (changeleader.go).
	RequestLeaderReview = "leader_review"
	// RequestReturned: a leader returned it, with the comment.
	RequestReturned = "returned"
)

// RequestStatusLabel returns a change request's status in Chinese.
func RequestStatusLabel(status string) string {
	switch status {
	case RequestPending:
		return "待审核"
	case RequestApproved:
		return "已批准"
	case RequestRejected:
		return "未批准"
	case RequestLeaderReview:
		return "待领导审定"
	case RequestReturned:
		return "领导退回"
	}
	return status
}

const requestQuery = `SELECT r.id, r.sheet_id, r.base_version, r.reason, r.status, r.comment, r.indicators,
		cu.username AS created_by, r.created_at, du.username AS decided_by, r.decided_at, r.result_version
	FROM target_change_requests r LEFT JOIN users cu ON cu.id = r.created_by LEFT JOIN users du ON du.id = r.decided_by`

// ListChangeRequests returns the sheet's change requests, newest first.
func ListChangeRequests(ctx context.Context, q db.DBTX, sheetID int64) ([]ChangeRequest, error) {
	rows, _ := q.Query(ctx, requestQuery+` WHERE r.sheet_id = $1 ORDER BY r.id DESC`, sheetID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[ChangeRequest])
	return list, db.Err(err)
}

// FindChangeRequest returns the change request, or not_found.
func FindChangeRequest(ctx context.Context, q db.DBTX, id int64) (ChangeRequest, error) {
	rows, _ := q.Query(ctx, requestQuery+` WHERE r.id = $1`, id)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[ChangeRequest])
	return r, notFound(db.Err(err), "调整申请不存在")
}
