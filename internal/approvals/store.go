package approvals

import (
	"context"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

const requestColumns = `r.id, r.cycle_id, c.name AS cycle_name, r.subject, r.subject_id, r.title, r.approvers, r.state,
	r.current_approver, encode(r.snapshot_sha256, 'hex') AS snapshot_sha256, u.username AS submitted_by,
	r.submitted_at, r.decided_at, coalesce(nullif(wu.name, ''), wu.username) AS withdrawn_by, r.withdraw_comment
	FROM approval_requests r JOIN assessment_cycles c ON c.id = r.cycle_id LEFT JOIN users u ON u.id = r.submitted_by
	LEFT JOIN users wu ON wu.id = r.withdrawn_by`

// complete adds the decisions and the approvers' names to the requests.
func complete(ctx context.Context, q db.DBTX, list []Request) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]int64, len(list))
	var people []int64
	at := map[int64]int{}
	for i, r := range list {
		ids[i], at[r.ID] = r.ID, i
		people = append(people, r.Approvers...)
		list[i].Decisions = []Decision{}
	}
	rows, _ := q.Query(ctx, `SELECT d.request_id, d.position, d.approver_id, coalesce(nullif(u.name, ''), u.username) AS approver,
		d.decision, d.comment, d.decided_at
		FROM approval_decisions d JOIN users u ON u.id = d.approver_id WHERE d.request_id = ANY($1) ORDER BY d.request_id, d.position`, ids)
	var req int64
	var d Decision
	if _, err := pgx.ForEachRow(rows, []any{&req, &d.Position, &d.ApproverID, &d.Approver, &d.Decision, &d.Comment, &d.DecidedAt}, func() error {
		list[at[req]].Decisions = append(list[at[req]].Decisions, d)
		return nil
	}); err != nil {
		return db.Err(err)
	}
	names, err := Names(ctx, q, people)
	if err != nil {
		return err
	}
	for i := range list {
		list[i].ApproverNames = make([]string, len(list[i].Approvers))
		for j, a := range list[i].Approvers {
			list[i].ApproverNames[j] = names[a]
		}
	}
	return nil
}

// Names returns the accounts' names (the username when unnamed) by id.
func Names(ctx context.Context, q db.DBTX, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, _ := q.Query(ctx, `SELECT id, coalesce(nullif(name, ''), username) FROM users WHERE id = ANY($1)`, ids)
	var id int64
	var name string
	_, err := pgx.ForEachRow(rows, []any{&id, &name}, func() error { out[id] = name; return nil })
	return out, db.Err(err)
}

func collect(ctx context.Context, q db.DBTX, sql string, args ...any) ([]Request, error) {
	rows, _ := q.Query(ctx, `SELECT `+requestColumns+` `+sql, args...)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Request])
	if err != nil {
		return nil, db.Err(err)
	}
	if list == nil {
		list = []Request{}
	}
	return list, complete(ctx, q, list)
}

// Find returns a request with its decisions, or not_found.
func Find(ctx context.Context, q db.DBTX, id int64) (Request, error) {
	list, err := collect(ctx, q, `WHERE r.id = $1`, id)
	if err != nil {
		return Request{}, err
	}
	if len(list) == 0 {
		return Request{}, apperr.New(apperr.NotFound, "审批事项不存在")
	}
	return list[0], nil
}

// History returns an item's requests, oldest first: its approval timeline.
func History(ctx context.Context, q db.DBTX, subject string, subjectID int64) ([]Request, error) {
	return collect(ctx, q, `WHERE r.subject = $1 AND r.subject_id = $2 ORDER BY r.id LIMIT 50`, subject, subjectID)
}

// Latest returns an item's newest request, nil when it has none.
func Latest(ctx context.Context, q db.DBTX, subject string, subjectID int64) (*Request, error) {
	list, err := collect(ctx, q, `WHERE r.subject = $1 AND r.subject_id = $2 ORDER BY r.id DESC LIMIT 1`, subject, subjectID)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return &list[0], nil
}

// Filter selects requests for a list: those waiting for Approver (0: any
// pending request), a page at a time (Limit 0: 50, at most 200).
type Filter struct {
	Approver      int64
	Limit, Offset int
}

// Waiting returns the pending requests, oldest first, and how many there
// are in all.
func Waiting(ctx context.Context, q db.DBTX, f Filter) ([]Request, int, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 200)
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM approval_requests
		WHERE state = 'pending' AND ($1 = 0 OR current_approver = $1)`, f.Approver).Scan(&total); err != nil {
		return nil, 0, db.Err(err)
	}
	list, err := collect(ctx, q, `WHERE r.state = 'pending' AND ($1 = 0 OR r.current_approver = $1)
		ORDER BY r.submitted_at, r.id LIMIT $2 OFFSET $3`, f.Approver, limit, max(f.Offset, 0))
	return list, total, err
}

// SubmitInput is an item the office submits for approval.
type SubmitInput struct {
	CycleID   int64
	Subject   string
	SubjectID int64
	Title     string
	Approvers []int64
	// Snapshot is the hash of the results submitted (nil for sheets).
	Snapshot []byte
	// Since: a request approved before it does not count (zero: any).
	Since time.Time
	// Fresh: an approved request never counts (each change request of a
	// sheet is a new item under the sheet's id).
	Fresh bool
}

// Submit asks the approvers, in order, to approve the item, tells the
// first one and records it in the audit log. It is idempotent: while a
// request of the item is pending, or one approved since in.Since still
// holds the same snapshot, that request is returned unchanged (changed
// false). It returns conflict when no approvers are given.
func Submit(ctx context.Context, tx pgx.Tx, actor audit.Actor, now time.Time, in SubmitInput) (Request, bool, error) {
	if len(in.Approvers) == 0 {
		return Request{}, false, apperr.New(apperr.Conflict, "本考核年度未设置审批人，无需提请审批")
	}
	// Serialize the item's submissions.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('minyi.approval.' || $1), $2::int)`,
		in.Subject, int32(in.SubjectID)); err != nil {
		return Request{}, false, db.Err(err)
	}
	latest, err := Latest(ctx, tx, in.Subject, in.SubjectID)
	if err != nil {
		return Request{}, false, err
	}
	if latest != nil && !latest.SubmittedAt.Before(in.Since) {
		same := in.Snapshot == nil || (latest.Snapshot != nil && *latest.Snapshot == hex.EncodeToString(in.Snapshot))
		if latest.State == StatePending || (latest.State == StateApproved && same && !in.Fresh) {
			return *latest, false, nil
		}
	}
	if latest != nil && latest.State == StatePending { // pending for other figures: superseded
		if _, err := tx.Exec(ctx, `UPDATE approval_requests SET state = 'returned', current_approver = NULL, decided_at = $2
			WHERE id = $1`, latest.ID, now); err != nil {
			return Request{}, false, db.Err(err)
		}
	}
	title := strings.TrimSpace(in.Title)
	if utf8.RuneCountInString(title) > 200 {
		title = string([]rune(title)[:200])
	}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO approval_requests (cycle_id, subject, subject_id, title, approvers, current_approver,
		snapshot_sha256, submitted_by, submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		in.CycleID, in.Subject, in.SubjectID, title, in.Approvers, in.Approvers[0], in.Snapshot, by, now).Scan(&id)
	if err != nil {
		return Request{}, false, db.Err(err)
	}
	r, err := Find(ctx, tx, id)
	if err != nil {
		return Request{}, false, err
	}
	if err := noticeRequested(ctx, tx, r, in.Approvers[0], now); err != nil {
		return Request{}, false, err
	}
	return r, true, audit.Record(ctx, tx, actor, "approval.submit", "approval", strconv.FormatInt(id, 10), nil,
		map[string]any{"title": r.Title, "subject": r.Subject, "subject_id": r.SubjectID, "approvers": r.ApproverNames})
}

// Decide records approverID's decision on the request: approve, passing it
// to the next approver (told by a notification) or, the last one, making
// it approved; or return it with a comment, ending it. The office is told
// of a return and of the last approval. A retry of a decision already
// recorded returns the request unchanged (changed false). See Step for the
// refusals; not_found for an unknown request.
func Decide(ctx context.Context, tx pgx.Tx, actor audit.Actor, now time.Time, requestID int64, in DecideInput) (Request, bool, error) {
	in.Comment = strings.TrimSpace(in.Comment)
	if err := in.Validate(); err != nil {
		return Request{}, false, err
	}
	r, err := lockRequest(ctx, tx, requestID)
	if err != nil {
		return Request{}, false, err
	}
	for _, d := range r.Decisions {
		if d.ApproverID == actor.ID && d.Decision == in.Decision && d.Comment == in.Comment {
			return r, false, nil // a retry
		}
	}
	state, next, err := Step(r, actor.ID, in)
	if err != nil {
		return Request{}, false, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO approval_decisions (request_id, position, approver_id, decision, comment, decided_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, r.ID, len(r.Decisions), actor.ID, in.Decision, in.Comment, now); err != nil {
		return Request{}, false, db.Err(err)
	}
	var decided *time.Time
	if state != StatePending {
		decided = &now
	}
	if _, err := tx.Exec(ctx, `UPDATE approval_requests SET state = $2, current_approver = $3, decided_at = $4 WHERE id = $1`,
		r.ID, state, next, decided); err != nil {
		return Request{}, false, db.Err(err)
	}
	after, err := Find(ctx, tx, r.ID)
	if err != nil {
		return Request{}, false, err
	}
	if next != nil {
		err = noticeRequested(ctx, tx, after, *next, now)
	} else {
		err = noticeDecided(ctx, tx, after, now)
	}
	if err != nil {
		return Request{}, false, err
	}
	action := "approval.approve"
	if in.Decision == StateReturned {
		action = "approval.return"
	}
	return after, true, audit.Record(ctx, tx, actor, action, "approval", strconv.FormatInt(r.ID, 10),
		map[string]any{"approval_state": r.State}, map[string]any{"title": r.Title, "approval_state": state, "comment": in.Comment})
}

// lockRequest locks the request for the rest of tx and returns it with its
// decisions; not_found for an unknown request.
func lockRequest(ctx context.Context, tx pgx.Tx, id int64) (Request, error) {
	var one int
	if err := tx.QueryRow(ctx, `SELECT 1 FROM approval_requests WHERE id = $1 FOR UPDATE`, id).Scan(&one); err != nil {
		if err == pgx.ErrNoRows {
			return Request{}, apperr.New(apperr.NotFound, "审批事项不存在")
		}
		return Request{}, db.Err(err)
	}
	return Find(ctx, tx, id)
}
