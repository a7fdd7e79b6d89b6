package targets

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

// Sheet is a unit's target sheet (目标责任书) for a cycle.
type Sheet struct {
	ID        int64  `json:"id" db:"id"`
	CycleID   int64  `json:"cycle_id" db:"cycle_id"`
	CycleName string `json:"cycle_name" db:"cycle_name"`
	UnitID    int64  `json:"unit_id" db:"unit_id"`
	UnitName  string `json:"unit_name" db:"unit_name"`
	Status    string `json:"status" db:"status"`
	// LockVersion rises with every change; a write must send the value it
	// read, or it is refused as a conflict.
	LockVersion      int        `json:"lock_version" db:"lock_version"`
	ReviewComment    string     `json:"review_comment" db:"review_comment"`
	PublishedVersion int        `json:"published_version" db:"published_version"`
	SubmittedAt      *time.Time `json:"submitted_at" db:"submitted_at"`
	ApprovedAt       *time.Time `json:"approved_at" db:"approved_at"`
	CreatedAt        time.Time  `json:"created_at" db:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at" db:"updated_at"`
	// Period is the span the deadlines must fall in (from the cycle).
	PeriodStart string `json:"-" db:"period_start"`
	PeriodEnd   string `json:"-" db:"period_end"`
	// Indicators are the current indicators, in order.
	Indicators []Indicator `json:"indicators" db:"-"`
}

// Editable reports whether the unit may edit the indicators in place.
func (s Sheet) Editable() bool { return s.Status == StatusDraft || s.Status == StatusReturned }

// period returns the span the sheet's deadlines must fall in.
func (s Sheet) period() Period { return Period{Start: s.PeriodStart, End: s.PeriodEnd} }

const sheetQuery = `SELECT s.id, s.cycle_id, c.name AS cycle_name, s.unit_id, u.name AS unit_name, s.status,
		s.lock_version, s.review_comment, s.published_version, s.submitted_at, s.approved_at, s.created_at, s.updated_at,
		to_char(c.period_start, 'YYYY-MM-DD') AS period_start, to_char(c.period_end, 'YYYY-MM-DD') AS period_end
	FROM target_sheets s JOIN assessment_cycles c ON c.id = s.cycle_id JOIN units u ON u.id = s.unit_id`

const indicatorQuery = `SELECT i.id, i.position, i.name, i.tasks, i.points::float8 AS points, i.standard,
		to_char(i.deadline, 'YYYY-MM-DD') AS deadline, i.assessor_unit_id,
		COALESCE(au.name, i.assessor_name) AS assessor_name, i.scheme_key, i.review_comment, i.created_at
	FROM target_indicators i LEFT JOIN units au ON au.id = i.assessor_unit_id`

// FindSheet returns the sheet with its current indicators, or not_found.
func FindSheet(ctx context.Context, q db.DBTX, id int64) (Sheet, error) {
	rows, _ := q.Query(ctx, sheetQuery+` WHERE s.id = $1`, id)
	s, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Sheet])
	if err != nil {
		return Sheet{}, notFound(db.Err(err), "目标责任书不存在")
	}
	s.Indicators, err = listIndicators(ctx, q, id)
	return s, err
}

// FindSheetFor returns the unit's sheet of the cycle, or not_found.
func FindSheetFor(ctx context.Context, q db.DBTX, cycleID, unitID int64) (Sheet, error) {
	var id int64
	err := q.QueryRow(ctx, `SELECT id FROM target_sheets WHERE cycle_id = $1 AND unit_id = $2`, cycleID, unitID).Scan(&id)
	if err != nil {
		return Sheet{}, notFound(db.Err(err), "该单位还没有本年度的目标责任书")
	}
	return FindSheet(ctx, q, id)
}

func listIndicators(ctx context.Context, q db.DBTX, sheetID int64) ([]Indicator, error) {
	rows, _ := q.Query(ctx, indicatorQuery+` WHERE i.sheet_id = $1 AND i.removed_at IS NULL ORDER BY i.position, i.id`, sheetID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Indicator])
	return list, db.Err(err)
}

// SheetSummary is a line of a cycle's list of sheets.
type SheetSummary struct {
	ID               int64   `json:"id" db:"id"`
	UnitID           int64   `json:"unit_id" db:"unit_id"`
	Status           string  `json:"status" db:"status"`
	LockVersion      int     `json:"lock_version" db:"lock_version"`
	PublishedVersion int     `json:"published_version" db:"published_version"`
	Indicators       int     `json:"indicators" db:"indicators"`
	Points           float64 `json:"points" db:"points"`
	PendingChange    bool    `json:"pending_change" db:"pending_change"`
}

// ListSheets returns the cycle's sheets by unit id, only the unit's when
// unitID is not nil.
func ListSheets(ctx context.Context, q db.DBTX, cycleID int64, unitID *int64) (map[int64]SheetSummary, error) {
	const sql = `SELECT s.id, s.unit_id, s.status, s.lock_version, s.published_version,
			(SELECT count(*) FROM target_indicators i WHERE i.sheet_id = s.id AND i.removed_at IS NULL)::int AS indicators,
			(SELECT COALESCE(sum(points), 0)::float8 FROM target_indicators i WHERE i.sheet_id = s.id AND i.removed_at IS NULL) AS points,
			EXISTS (SELECT 1 FROM target_change_requests r WHERE r.sheet_id = s.id AND r.status = 'pending') AS pending_change
		FROM target_sheets s WHERE s.cycle_id = $1 AND ($2::bigint IS NULL OR s.unit_id = $2)`
	rows, _ := q.Query(ctx, sql, cycleID, unitID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[SheetSummary])
	if err != nil {
		return nil, db.Err(err)
	}
	out := make(map[int64]SheetSummary, len(list))
	for _, s := range list {
		out[s.UnitID] = s
	}
	return out, nil
}

// CreateSheet starts the unit's sheet for the cycle, or returns the one
// that exists (created false), so a retried request does no harm. It
// returns not_found for an unknown cycle or unit.
func CreateSheet(ctx context.Context, tx pgx.Tx, actor audit.Actor, cycleID, unitID int64, now time.Time) (Sheet, bool, error) {
	var ok bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM assessment_cycles WHERE id = $1)
		AND EXISTS (SELECT 1 FROM units WHERE id = $2)`, cycleID, unitID).Scan(&ok)
	if err != nil {
		return Sheet{}, false, db.Err(err)
	}
	if !ok {
		return Sheet{}, false, apperr.New(apperr.NotFound, "考核年度或单位不存在")
	}
	// A unit abolished by the end of the cycle's period is not of the
	// cycle (units.InCycleSQL): it writes no sheet for it.
	err = tx.QueryRow(ctx, `SELECT NOT `+units.NotAbolishedBySQL("u", "c.period_end")+`
		FROM units u, assessment_cycles c WHERE u.id = $2 AND c.id = $1`, cycleID, unitID).Scan(&ok)
	if err != nil {
		return Sheet{}, false, db.Err(err)
	}
	if ok {
		return Sheet{}, false, apperr.New(apperr.Conflict, "该单位在本考核年度结束前已撤销，不属于本考核年度的单位，不能建立目标责任书")
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO target_sheets (cycle_id, unit_id, created_at, updated_at) VALUES ($1, $2, $3, $3)
		ON CONFLICT (cycle_id, unit_id) DO NOTHING RETURNING id`, cycleID, unitID, now).Scan(&id)
	if err == pgx.ErrNoRows {
		s, err := FindSheetFor(ctx, tx, cycleID, unitID)
		return s, false, err
	}
	if err != nil {
		return Sheet{}, false, db.Err(err)
	}
	s, err := FindSheet(ctx, tx, id)
	if err != nil {
		return Sheet{}, false, err
	}
	return s, true, audit.Record(ctx, tx, actor, "target_sheet.create", "target_sheet", idStr(id), nil, s)
}

// lockSheet locks the sheet's row and checks that lockVersion is its
// current one; it returns not_found or conflict.
func lockSheet(ctx context.Context, tx pgx.Tx, id int64, lockVersion int) (Sheet, error) {
	var current int
	err := tx.QueryRow(ctx, `SELECT lock_version FROM target_sheets WHERE id = $1 FOR UPDATE`, id).Scan(&current)
	if err != nil {
		return Sheet{}, notFound(db.Err(err), "目标责任书不存在")
	}
	if current != lockVersion {
		return Sheet{}, versionConflict(current)
	}
	return FindSheet(ctx, tx, id)
}

// bump sets the sheet's status and comment, raises its lock version and
// returns the sheet as it now is.
func bump(ctx context.Context, tx pgx.Tx, id int64, status, comment string, now time.Time, extra string) (Sheet, error) {
	_, err := tx.Exec(ctx, `UPDATE target_sheets SET status = $2, review_comment = $3, lock_version = lock_version + 1,
		updated_at = $4`+extra+` WHERE id = $1`, id, status, comment, now)
	if err != nil {
		return Sheet{}, db.Err(err)
	}
	return FindSheet(ctx, tx, id)
}

// SaveDraft replaces the sheet's indicators with list: entries with an id
// update that indicator, entries without one add an indicator, and
// indicators left out are deleted. The sheet must be in draft or returned
// (else conflict) and lockVersion current (else conflict). It returns
// invalid for bad input or an id not of this sheet (field
// indicators[i].id), and records the change in the audit log.
func SaveDraft(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, lockVersion int, list []IndicatorInput, now time.Time) (Sheet, error) {
	before, err := lockSheet(ctx, tx, id, lockVersion)
	if err != nil {
		return Sheet{}, err
	}
	if !before.Editable() {
		return Sheet{}, apperr.New(apperr.Conflict, "目标责任书已提交或已批准，不能直接修改"+afterApprovalHint(before))
	}
	if err := checkIndicators(ctx, tx, before, list); err != nil {
		return Sheet{}, err
	}
	keep := map[int64]bool{}
	for _, in := range list {
		keep[in.ID] = true
	}
	for _, old := range before.Indicators {
		if !keep[old.ID] {
			if _, err := tx.Exec(ctx, `DELETE FROM target_indicators WHERE id = $1`, old.ID); err != nil {
				return Sheet{}, db.Err(err)
			}
		}
	}
	if err := writeIndicators(ctx, tx, id, list, now); err != nil {
		return Sheet{}, err
	}
	after, err := bump(ctx, tx, id, before.Status, before.ReviewComment, now, "")
	if err != nil {
		return Sheet{}, err
	}
	return after, audit.Record(ctx, tx, actor, "target_sheet.save", "target_sheet", idStr(id), before, after)
}

func afterApprovalHint(s Sheet) string {
	if s.Status == StatusApproved {
		return "；如需调整，请提交调整申请"
	}
	return ""
}

// checkIndicators normalizes and validates list for the sheet: fields,
// ids of its current indicators and assessor units that exist.
func checkIndicators(ctx context.Context, q db.DBTX, s Sheet, list []IndicatorInput) error {
	for i := range list {
		list[i].Normalize()
	}
	f := apperr.Fields{}
	f.Merge(ValidateIndicators(list, s.period()))
	current := map[int64]bool{}
	for _, in := range s.Indicators {
		current[in.ID] = true
	}
	for i, in := range list {
		if in.ID != 0 && !current[in.ID] {
			f.Add("indicators["+strconv.Itoa(i)+"].id", "第"+strconv.Itoa(i+1)+"项指标不属于该目标责任书或已被删除")
		}
		if in.AssessorUnitID != nil {
			var ok bool
			if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM units WHERE id = $1)`, *in.AssessorUnitID).Scan(&ok); err != nil {
				return db.Err(err)
			}
			if !ok {
				f.Add("indicators["+strconv.Itoa(i)+"].assessor", "第"+strconv.Itoa(i+1)+"项指标的考评单位不存在")
			}
		}
	}
	return f.Err()
}

// writeIndicators updates the listed indicators with ids and inserts the
// others, numbering positions in list order.
func writeIndicators(ctx context.Context, tx pgx.Tx, sheetID int64, list []IndicatorInput, now time.Time) error {
	for pos, in := range list {
		name := in.AssessorName
		if in.AssessorUnitID != nil {
			name = ""
		}
		var err error
		if in.ID != 0 {
			_, err = tx.Exec(ctx, `UPDATE target_indicators SET position = $3, name = $4, tasks = $5, points = $6, standard = $7,
				deadline = $8::date, assessor_unit_id = $9, assessor_name = $10, scheme_key = $11
				WHERE id = $1 AND sheet_id = $2`, in.ID, sheetID, pos+1, in.Name, in.Tasks, in.Points, in.Standard,
				in.Deadline, in.AssessorUnitID, name, in.SchemeKey)
		} else {
			_, err = tx.Exec(ctx, `INSERT INTO target_indicators (sheet_id, position, name, tasks, points, standard, deadline,
				assessor_unit_id, assessor_name, scheme_key, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7::date, $8, $9, $10, $11)`, sheetID, pos+1, in.Name, in.Tasks, in.Points,
				in.Standard, in.Deadline, in.AssessorUnitID, name, in.SchemeKey, now)
		}
		if err != nil {
			return db.Err(err)
		}
	}
	return nil
}

// Submit sends a draft or returned sheet to the office. It returns
// conflict for a stale lockVersion or another status, and invalid for a
// sheet without indicators.
func Submit(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, lockVersion int, now time.Time) (Sheet, error) {
	before, err := lockSheet(ctx, tx, id, lockVersion)
	if err != nil {
		return Sheet{}, err
	}
	if !before.Editable() {
		return Sheet{}, apperr.New(apperr.Conflict, "只有编制中或已退回的目标责任书可以提交")
	}
	if len(before.Indicators) == 0 {
		return Sheet{}, apperr.InvalidField("indicators", "请至少填写一项指标后再提交")
	}
	after, err := bump(ctx, tx, id, StatusSubmitted, before.ReviewComment, now, ", submitted_at = $4")
	if err != nil {
		return Sheet{}, err
	}
	if err := noticeSheet(ctx, tx, NoticeSheetSubmitted, after, now); err != nil {
		return Sheet{}, err
	}
	return after, audit.Record(ctx, tx, actor, "target_sheet.submit", "target_sheet", idStr(id), before, after)
}

// Return sends a submitted sheet back to the unit with the office's
// comment and, optionally, comments per indicator (by id; others are
// cleared). It returns conflict for a stale lockVersion or a sheet not
// submitted, and invalid without a comment (field comment) or for an
// indicator not of the sheet.
func Return(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, lockVersion int, comment string,
	perIndicator map[int64]string, now time.Time) (Sheet, error) {
	comment = strings.TrimSpace(comment)
	f := apperr.Fields{}
	checkText(f, "comment", comment, maxCommentLen, "请填写退回意见", "退回意见不能超过2000字")
	for k, v := range perIndicator {
		if utf8.RuneCountInString(strings.TrimSpace(v)) > maxCommentLen {
			f.Add("indicator_comments."+idStr(k), "指标意见不能超过2000字")
		}
	}
	if err := f.Err(); err != nil {
		return Sheet{}, err
	}
	before, err := lockSheet(ctx, tx, id, lockVersion)
	if err != nil {
		return Sheet{}, err
	}
	if before.Status != StatusSubmitted {
		return Sheet{}, apperr.New(apperr.Conflict, "只有已提交待审核的目标责任书可以退回")
	}
	current := map[int64]bool{}
	for _, in := range before.Indicators {
		current[in.ID] = true
	}
	for k := range perIndicator {
		if !current[k] {
			return Sheet{}, apperr.InvalidField("indicator_comments."+idStr(k), "该指标不属于此目标责任书")
		}
	}
	for _, in := range before.Indicators {
		if _, err := tx.Exec(ctx, `UPDATE target_indicators SET review_comment = $2 WHERE id = $1`,
			in.ID, strings.TrimSpace(perIndicator[in.ID])); err != nil {
			return Sheet{}, db.Err(err)
		}
	}
	after, err := bump(ctx, tx, id, StatusReturned, comment, now, "")
	if err != nil {
		return Sheet{}, err
	}
	if err := noticeSheet(ctx, tx, NoticeSheetReturned, after, now); err != nil {
		return Sheet{}, err
	}
	return after, audit.Record(ctx, tx, actor, "target_sheet.return", "target_sheet", idStr(id), before, after)
}

// Approve approves a submitted sheet and publishes its indicators as
// version 1 or, when the cycle names approvers of target sheets, sends it
// to them (leader.go), to be published once they have all approved. It
// returns conflict for a stale lockVersion or a sheet that is not
// submitted.
func Approve(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, lockVersion int, now time.Time) (Sheet, error) {
	before, err := lockSheet(ctx, tx, id, lockVersion)
	if err != nil {
		return Sheet{}, err
	}
	if before.Status != StatusSubmitted {
		return Sheet{}, apperr.New(apperr.Conflict, "只有已提交待审核的目标责任书可以批准")
	}
	if _, err := tx.Exec(ctx, `UPDATE target_indicators SET review_comment = '' WHERE sheet_id = $1`, id); err != nil {
		return Sheet{}, db.Err(err)
	}
	before.Indicators, err = listIndicators(ctx, tx, id)
	if err != nil {
		return Sheet{}, err
	}
	approvers, err := sheetApprovers(ctx, tx, before.CycleID)
	if err != nil {
		return Sheet{}, err
	}
	if len(approvers) > 0 {
		return toLeaders(ctx, tx, actor, before, approvers, now)
	}
	after, err := publishFirst(ctx, tx, actor, before, now)
	if err != nil {
		return Sheet{}, err
	}
	return after, audit.Record(ctx, tx, actor, "target_sheet.approve", "target_sheet", idStr(id), before, after)
}

// publishFirst publishes the sheet's indicators as version 1, makes it
// approved and tells the unit.
func publishFirst(ctx context.Context, tx pgx.Tx, actor audit.Actor, before Sheet, now time.Time) (Sheet, error) {
	if err := insertVersion(ctx, tx, actor, before.ID, 1, before.Indicators, nil, "", now); err != nil {
		return Sheet{}, err
	}
	after, err := bump(ctx, tx, before.ID, StatusApproved, "", now, ", approved_at = $4, published_version = 1")
	if err != nil {
		return Sheet{}, err
	}
	return after, noticeSheet(ctx, tx, NoticeSheetApproved, after, now)
}

func idStr(id int64) string { return strconv.FormatInt(id, 10) }

// notFound replaces a not_found error with one carrying message.
func notFound(err error, message string) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.New(apperr.NotFound, message)
	}
	return err
}
