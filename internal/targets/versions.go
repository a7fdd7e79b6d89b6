package targets

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// Version is one approved, published version of a sheet.
type Version struct {
	SheetID    int64       `json:"sheet_id" db:"sheet_id"`
	Version    int         `json:"version" db:"version"`
	Indicators []Indicator `json:"indicators" db:"indicators"`
	// Changes lists what differs from the version before (empty for 1).
	Changes []Change `json:"changes" db:"changes"`
	// Reason is the change request's reason ("" for version 1).
	Reason     string    `json:"reason" db:"reason"`
	ApprovedBy *string   `json:"approved_by" db:"approved_by"`
	ApprovedAt time.Time `json:"approved_at" db:"approved_at"`
}

// Change is one difference between two versions of a sheet's indicators.
type Change struct {
	// Kind is added, removed or changed.
	Kind        string     `json:"kind"`
	IndicatorID int64      `json:"indicator_id"`
	Name        string     `json:"name"`
	Fields      []string   `json:"fields,omitempty"`
	Before      *Indicator `json:"before,omitempty"`
	After       *Indicator `json:"after,omitempty"`
}

// Change kinds.
const (
	ChangeAdded   = "added"
	ChangeRemoved = "removed"
	ChangeChanged = "changed"
)

// FieldLabel returns an indicator field's name in Chinese.
func FieldLabel(field string) string {
	switch field {
	case "name":
		return "指标名称"
	case "tasks":
		return "任务"
	case "points":
		return "分值"
	case "standard":
		return "评分标准"
	case "deadline":
		return "完成时限"
	case "assessor":
		return "考评单位"
	case "scheme_key":
		return "方案项目"
	case "position":
		return "顺序"
	}
	return field
}

// Diff lists what changed from before to after, matching indicators by id:
// first the changed and added ones in after's order, then the removed.
func Diff(before, after []Indicator) []Change {
	old := map[int64]Indicator{}
	for _, in := range before {
		old[in.ID] = in
	}
	var out []Change
	seen := map[int64]bool{}
	for _, a := range after {
		a := a
		b, ok := old[a.ID]
		if !ok {
			out = append(out, Change{Kind: ChangeAdded, IndicatorID: a.ID, Name: a.Name, After: &a})
			continue
		}
		seen[a.ID] = true
		var fields []string
		add := func(name string, differ bool) {
			if differ {
				fields = append(fields, name)
			}
		}
		add("name", a.Name != b.Name)
		add("tasks", a.Tasks != b.Tasks)
		add("points", a.Points != b.Points)
		add("standard", a.Standard != b.Standard)
		add("deadline", a.Deadline != b.Deadline)
		add("assessor", a.AssessorName != b.AssessorName || !sameID(a.AssessorUnitID, b.AssessorUnitID))
		add("scheme_key", a.SchemeKey != b.SchemeKey)
		if len(fields) > 0 {
			out = append(out, Change{Kind: ChangeChanged, IndicatorID: a.ID, Name: a.Name, Fields: fields, Before: &b, After: &a})
		}
	}
	for _, b := range before {
		b := b
		if !seen[b.ID] {
			out = append(out, Change{Kind: ChangeRemoved, IndicatorID: b.ID, Name: b.Name, Before: &b})
		}
	}
	return out
}

func sameID(a, b *int64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// published strips what a snapshot does not keep.
func published(list []Indicator) []Indicator {
	out := make([]Indicator, len(list))
	for i, in := range list {
		in.ReviewComment = ""
		out[i] = in
	}
	return out
}

// insertVersion stores a published version of the sheet.
func insertVersion(ctx context.Context, tx pgx.Tx, actor audit.Actor, sheetID int64, n int, list []Indicator,
	changes []Change, reason string, now time.Time) error {
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	if changes == nil {
		changes = []Change{}
	}
	_, err := tx.Exec(ctx, `INSERT INTO target_sheet_versions (sheet_id, version, indicators, changes, reason, approved_by, approved_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, sheetID, n, published(list), changes, reason, by, now)
	return db.Err(err)
}

const versionQuery = `SELECT v.sheet_id, v.version, v.indicators, v.changes, v.reason, u.username AS approved_by, v.approved_at
	FROM target_sheet_versions v LEFT JOIN users u ON u.id = v.approved_by`

// ListVersions returns the sheet's published versions, newest first.
func ListVersions(ctx context.Context, q db.DBTX, sheetID int64) ([]Version, error) {
	rows, _ := q.Query(ctx, versionQuery+` WHERE v.sheet_id = $1 ORDER BY v.version DESC`, sheetID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Version])
	return list, db.Err(err)
}

// FindVersion returns version n of the sheet, or not_found.
func FindVersion(ctx context.Context, q db.DBTX, sheetID int64, n int) (Version, error) {
	rows, _ := q.Query(ctx, versionQuery+` WHERE v.sheet_id = $1 AND v.version = $2`, sheetID, n)
	v, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Version])
	return v, notFound(db.Err(err), "该版本不存在")
}

// RequestChange files a request to change an approved sheet: the whole
// proposed list (ids of kept indicators, 0 for new ones) and the reason.
// It returns conflict for a stale lockVersion, a sheet not approved, a
// pending request or a proposal equal to the current indicators, and
// invalid for bad input (fields reason, indicators[i].<field>).
func RequestChange(ctx context.Context, tx pgx.Tx, actor audit.Actor, sheetID int64, lockVersion int, reason string,
	list []IndicatorInput, now time.Time) (ChangeRequest, error) {
	reason = strings.TrimSpace(reason)
	s, err := lockSheet(ctx, tx, sheetID, lockVersion)
	if err != nil {
		return ChangeRequest{}, err
	}
	if s.Status != StatusApproved {
		return ChangeRequest{}, apperr.New(apperr.Conflict, "目标责任书尚未批准，不能申请调整；请直接修改后提交审核")
	}
	var open string
	if err := tx.QueryRow(ctx, `SELECT coalesce((SELECT status FROM target_change_requests WHERE sheet_id = $1
		AND status IN ('pending', 'leader_review') LIMIT 1), '')`, sheetID).Scan(&open); err != nil {
		return ChangeRequest{}, db.Err(err)
	}
	switch open {
	case RequestPending:
		return ChangeRequest{}, apperr.New(apperr.Conflict, "已有一项调整申请待绩效办审核，审核后才能再次申请")
	case RequestLeaderReview:
		return ChangeRequest{}, apperr.New(apperr.Conflict, "已有一项调整申请待领导审定，审定后才能再次申请")
	}
	f := apperr.Fields{}
	checkText(f, "reason", reason, maxReasonLen, "请填写调整理由", "调整理由不能超过1000字")
	f.Merge(checkIndicators(ctx, tx, s, list))
	if err := f.Err(); err != nil {
		return ChangeRequest{}, err
	}
	proposed, err := resolve(ctx, tx, s, list)
	if err != nil {
		return ChangeRequest{}, err
	}
	if len(Diff(published(s.Indicators), proposed)) == 0 {
		return ChangeRequest{}, apperr.New(apperr.Conflict, "调整后的指标与现行目标相同，无需申请")
	}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO target_change_requests (sheet_id, base_version, indicators, reason, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, sheetID, s.PublishedVersion, proposed, reason, by, now).Scan(&id)
	if err != nil {
		return ChangeRequest{}, db.Err(err)
	}
	r, err := FindChangeRequest(ctx, tx, id)
	if err != nil {
		return ChangeRequest{}, err
	}
	return r, audit.Record(ctx, tx, actor, "target_change.request", "target_sheet", idStr(sheetID), nil, r)
}

// resolve turns checked input into indicators as they would be stored,
// with assessor unit names looked up and positions numbered.
func resolve(ctx context.Context, q db.DBTX, s Sheet, list []IndicatorInput) ([]Indicator, error) {
	created := map[int64]time.Time{}
	for _, in := range s.Indicators {
		created[in.ID] = in.CreatedAt
	}
	out := make([]Indicator, len(list))
	for i, in := range list {
		name := in.AssessorName
		if in.AssessorUnitID != nil {
			if err := q.QueryRow(ctx, `SELECT name FROM units WHERE id = $1`, *in.AssessorUnitID).Scan(&name); err != nil {
				return nil, db.Err(err)
			}
		}
		out[i] = Indicator{ID: in.ID, Position: i + 1, Name: in.Name, Tasks: in.Tasks, Points: in.Points, Standard: in.Standard,
			Deadline: in.Deadline, AssessorUnitID: in.AssessorUnitID, AssessorName: name, SchemeKey: in.SchemeKey,
			CreatedAt: created[in.ID]}
	}
	return out, nil
}

// DecideChange approves or rejects a pending change request. When the
// cycle names approvers of target sheets, the office's approval sends the
// request to them (changeleader.go) and the version is published after the
// last one approves. Otherwise approval applies the proposal (kept indicators updated, new ones added, dropped
// ones marked removed so their reports stay) and publishes the next
// version with the differences and the request's reason. A rejection needs
// a comment (field comment). It returns not_found for an unknown request
// and conflict for one already decided.
func DecideChange(ctx context.Context, tx pgx.Tx, actor audit.Actor, requestID int64, approve bool, comment string,
	now time.Time) (ChangeRequest, error) {
	comment = strings.TrimSpace(comment)
	if len([]rune(comment)) > maxCommentLen {
		return ChangeRequest{}, apperr.InvalidField("comment", "审核意见不能超过2000字")
	}
	if !approve && comment == "" {
		return ChangeRequest{}, apperr.InvalidField("comment", "请填写不予批准的理由")
	}
	r, err := FindChangeRequest(ctx, tx, requestID)
	if err != nil {
		return ChangeRequest{}, err
	}
	var current int
	if err := tx.QueryRow(ctx, `SELECT lock_version FROM target_sheets WHERE id = $1 FOR UPDATE`, r.SheetID).Scan(&current); err != nil {
		return ChangeRequest{}, db.Err(err)
	}
	if r, err = FindChangeRequest(ctx, tx, requestID); err != nil {
		return ChangeRequest{}, err
	}
	if r.Status != RequestPending {
		return ChangeRequest{}, apperr.New(apperr.Conflict, "该调整申请已审核过，不能重复审核")
	}
	s, err := FindSheet(ctx, tx, r.SheetID)
	if err != nil {
		return ChangeRequest{}, err
	}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	if !approve {
		_, err = tx.Exec(ctx, `UPDATE target_change_requests SET status = 'rejected', comment = $2, decided_by = $3, decided_at = $4
			WHERE id = $1`, requestID, comment, by, now)
		if err != nil {
			return ChangeRequest{}, db.Err(err)
		}
		after, err := FindChangeRequest(ctx, tx, requestID)
		if err != nil {
			return ChangeRequest{}, err
		}
		return after, audit.Record(ctx, tx, actor, "target_change.reject", "target_sheet", idStr(s.ID), r, after)
	}
	approvers, err := sheetApprovers(ctx, tx, s.CycleID)
	if err != nil {
		return ChangeRequest{}, err
	}
	if len(approvers) > 0 {
		return changeToLeaders(ctx, tx, actor, s, r, approvers, comment, now)
	}
	after, err := publishChange(ctx, tx, actor, s, r, comment, now)
	if err != nil {
		return ChangeRequest{}, err
	}
	return after, audit.Record(ctx, tx, actor, "target_change.approve", "target_sheet", idStr(s.ID), r, after)
}

// publishChange applies the change request r to the sheet s and publishes
// the next version; the request becomes approved with comment.
func publishChange(ctx context.Context, tx pgx.Tx, actor audit.Actor, s Sheet, r ChangeRequest, comment string, now time.Time) (ChangeRequest, error) {
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	n := s.PublishedVersion + 1
	if err := applyChange(ctx, tx, s, r.Indicators, now); err != nil {
		return ChangeRequest{}, err
	}
	list, err := listIndicators(ctx, tx, s.ID)
	if err != nil {
		return ChangeRequest{}, err
	}
	last, err := FindVersion(ctx, tx, s.ID, s.PublishedVersion)
	if err != nil {
		return ChangeRequest{}, err
	}
	if err := insertVersion(ctx, tx, actor, s.ID, n, list, Diff(last.Indicators, published(list)), r.Reason, now); err != nil {
		return ChangeRequest{}, err
	}
	if _, err := tx.Exec(ctx, `UPDATE target_sheets SET published_version = $2, lock_version = lock_version + 1, updated_at = $3
		WHERE id = $1`, s.ID, n, now); err != nil {
		return ChangeRequest{}, db.Err(err)
	}
	_, err = tx.Exec(ctx, `UPDATE target_change_requests SET status = 'approved', comment = $2, decided_by = $3, decided_at = $4,
		result_version = $5 WHERE id = $1`, r.ID, comment, by, now, n)
	if err != nil {
		return ChangeRequest{}, db.Err(err)
	}
	return FindChangeRequest(ctx, tx, r.ID)
}

// applyChange makes the proposal the sheet's current indicators.
func applyChange(ctx context.Context, tx pgx.Tx, s Sheet, proposed []Indicator, now time.Time) error {
	keep := map[int64]bool{}
	in := make([]IndicatorInput, len(proposed))
	for i, p := range proposed {
		keep[p.ID] = true
		in[i] = IndicatorInput{ID: p.ID, Name: p.Name, Tasks: p.Tasks, Points: p.Points, Standard: p.Standard,
			Deadline: p.Deadline, AssessorUnitID: p.AssessorUnitID, AssessorName: p.AssessorName, SchemeKey: p.SchemeKey}
	}
	for _, old := range s.Indicators {
		if !keep[old.ID] {
			if _, err := tx.Exec(ctx, `UPDATE target_indicators SET removed_at = $2 WHERE id = $1`, old.ID, now); err != nil {
				return db.Err(err)
			}
		}
	}
	return writeIndicators(ctx, tx, s.ID, in, now)
}

// VersionLabel names a published version in Chinese.
func VersionLabel(n int) string { return "第" + strconv.Itoa(n) + "版" }
