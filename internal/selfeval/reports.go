package selfeval

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/safetext"
)

// MaxBodyLen is the longest report text, in characters.
const MaxBodyLen = 20000

// MaxFiles is the most files one report may carry.
const MaxFiles = 10

// Messages of refused reports.
const (
	MsgLocked   = "绩效办已锁定本年度自评，不能再提交或修改自评报告"
	MsgNoSheet  = "本单位在该考核年度没有目标责任书，不需要提交自评报告"
	MsgNoReport = "请先填写并提交自评报告正文，再上传附件"
	MsgTooMany  = "每份自评报告最多附10个文件"
)

// File is a file attached to a report, without its bytes.
type File struct {
	ID          string    `json:"id" db:"id"`
	Filename    string    `json:"filename" db:"filename"`
	ContentType string    `json:"content_type" db:"content_type"`
	Size        int       `json:"size" db:"size"`
	AttachedAt  time.Time `json:"attached_at" db:"attached_at"`
}

// Report is a unit's written self-evaluation report for a period.
type Report struct {
	PeriodID    int64     `json:"period_id" db:"period_id"`
	UnitID      int64     `json:"unit_id" db:"unit_id"`
	Body        string    `json:"body" db:"body"`
	Late        bool      `json:"late" db:"late"`
	SubmittedBy *string   `json:"submitted_by" db:"submitted_by"`
	SubmittedAt time.Time `json:"submitted_at" db:"submitted_at"`
	UpdatedAt   time.Time `json:"updated_at" db:"updated_at"`
	Files       []File    `json:"files" db:"-"`
	// Scores are the self-assessed scores per indicator (a period other
	// than the annual one; the annual period's are the sheet's claims).
	Scores []Score `json:"scores" db:"-"`
}

// ReportInput is a report as the unit enters it. EvidenceIDs, when not
// nil, is the whole list of attached files (uploaded through the evidence
// upload, owned by the unit); nil keeps the files as they are. Scores,
// when not nil, are the whole list of the period's self-assessed scores
// (a period other than the annual one); nil keeps them as they are.
type ReportInput struct {
	Body        string       `json:"body"`
	EvidenceIDs []string     `json:"evidence_ids"`
	Scores      []ScoreInput `json:"scores"`
}

// FindReport returns the unit's report of the period with its files, or
// not_found when it has not been submitted.
func FindReport(ctx context.Context, q db.DBTX, periodID, unitID int64) (Report, error) {
	rows, _ := q.Query(ctx, `SELECT r.period_id, r.unit_id, r.body, r.late, u.username AS submitted_by, r.submitted_at, r.updated_at
		FROM self_eval_reports r LEFT JOIN users u ON u.id = r.submitted_by WHERE r.period_id = $1 AND r.unit_id = $2`, periodID, unitID)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByNameLax[Report])
	if err != nil {
		if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
			err = apperr.New(apperr.NotFound, "该单位尚未提交本期自评报告")
		}
		return Report{}, err
	}
	rows, _ = q.Query(ctx, `SELECT f.id::text AS id, f.filename, f.content_type, f.size, a.attached_at
		FROM self_eval_report_files a JOIN evidence_files f ON f.id = a.evidence_id
		WHERE a.period_id = $1 AND a.unit_id = $2 ORDER BY a.attached_at, f.id`, periodID, unitID)
	r.Files, err = pgx.CollectRows(rows, pgx.RowToStructByName[File])
	if r.Files == nil {
		r.Files = []File{}
	}
	if err != nil {
		return Report{}, db.Err(err)
	}
	r.Scores, err = ListScores(ctx, q, periodID, unitID)
	return r, err
}

// checkOpen refuses a write when the cycle's self-evaluation is locked
// (conflict, MsgLocked) or the unit has no target sheet in the cycle
// (conflict, MsgNoSheet).
func checkOpen(ctx context.Context, q db.DBTX, p Period, unitID int64) error {
	var locked, sheet bool
	err := q.QueryRow(ctx, `SELECT
			COALESCE((SELECT self_eval_locked FROM target_settings WHERE cycle_id = $1), false),
			EXISTS (SELECT 1 FROM target_sheets WHERE cycle_id = $1 AND unit_id = $2)`, p.CycleID, unitID).Scan(&locked, &sheet)
	switch {
	case err != nil:
		return db.Err(err)
	case locked:
		return apperr.New(apperr.Conflict, MsgLocked)
	case !sheet:
		return apperr.New(apperr.Conflict, MsgNoSheet)
	}
	return nil
}

// SaveReport stores the unit's report of the period: the first save
// submits it, late when today (the local date) is after the due date;
// a later save changes the text (and the files when given) and keeps the
// first submission's time and lateness, so a retry does no harm. Changes
// are audited. It returns conflict (MsgLocked, MsgNoSheet) and invalid
// for an empty or too long text (body) or bad files (evidence_ids).
func SaveReport(ctx context.Context, tx pgx.Tx, actor audit.Actor, p Period, unitID int64, in ReportInput,
	today string, now time.Time) (Report, error) {
	if err := checkOpen(ctx, tx, p, unitID); err != nil {
		return Report{}, err
	}
	in.Body = strings.TrimSpace(in.Body)
	f := apperr.Fields{}
	if n := utf8.RuneCountInString(in.Body); n == 0 {
		f.Add("body", "请填写自评报告正文")
	} else if n > MaxBodyLen {
		f.Add("body", "自评报告正文不能超过20000字")
	} else if !safetext.Valid(in.Body) {
		f.Add("body", safetext.Message)
	}
	var ids []string
	if in.EvidenceIDs != nil {
		var err error
		if ids, err = assessment.CheckEvidence(ctx, tx, in.EvidenceIDs, false, &unitID); err != nil {
			f.Merge(err)
		}
	}
	scores, err := checkScores(ctx, tx, p, unitID, in.Scores, f)
	if err != nil {
		return Report{}, err
	}
	if err := f.Err(); err != nil {
		return Report{}, err
	}
	before, err := FindReport(ctx, tx, p.ID, unitID)
	exists := err == nil
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return Report{}, err
	}
	by := actorID(actor)
	if _, err := tx.Exec(ctx, `INSERT INTO self_eval_reports (period_id, unit_id, body, late, submitted_by, submitted_at, updated_by, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $5, $6) ON CONFLICT (period_id, unit_id) DO UPDATE
		SET body = $3, updated_by = $5, updated_at = $6 WHERE self_eval_reports.body <> $3`,
		p.ID, unitID, in.Body, IsLate(p.DueOn, today), by, now); err != nil {
		return Report{}, db.Err(err)
	}
	if ids != nil {
		if _, err := tx.Exec(ctx, `DELETE FROM self_eval_report_files WHERE period_id = $1 AND unit_id = $2
			AND NOT (evidence_id = ANY($3::uuid[]))`, p.ID, unitID, ids); err != nil {
			return Report{}, db.Err(err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO self_eval_report_files (period_id, unit_id, evidence_id, attached_by, attached_at)
			SELECT $1, $2, id, $4, $5 FROM unnest($3::uuid[]) AS id ON CONFLICT DO NOTHING`, p.ID, unitID, ids, by, now); err != nil {
			return Report{}, db.Err(err)
		}
	}
	if in.Scores != nil {
		if err := writeScores(ctx, tx, p.ID, unitID, scores, by, now); err != nil {
			return Report{}, err
		}
	}
	after, err := FindReport(ctx, tx, p.ID, unitID)
	if err != nil {
		return Report{}, err
	}
	if !exists {
		if after.Late {
			if err := noticeLate(ctx, tx, p, unitID, today, now); err != nil {
				return Report{}, err
			}
		}
		return after, audit.Record(ctx, tx, actor, "self_eval_report.submit", "self_eval_report", reportKey(p.ID, unitID), nil, auditView(after))
	}
	if before.Body == after.Body && sameFiles(before.Files, after.Files) && sameScores(before.Scores, after.Scores) {
		return after, nil
	}
	return after, audit.Record(ctx, tx, actor, "self_eval_report.update", "self_eval_report", reportKey(p.ID, unitID),
		auditView(before), auditView(after))
}

// AddFile attaches an uploaded file of the unit to its submitted report
// of the period and audits it; attaching it again changes nothing. It
// returns conflict (MsgLocked, MsgNoSheet, MsgNoReport) and invalid for a
// file not the unit's or an eleventh file (file).
func AddFile(ctx context.Context, tx pgx.Tx, actor audit.Actor, p Period, unitID int64, evidenceID string, now time.Time) (Report, error) {
	if err := checkOpen(ctx, tx, p, unitID); err != nil {
		return Report{}, err
	}
	var n int
	err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM self_eval_report_files f WHERE f.period_id = r.period_id AND f.unit_id = r.unit_id)::int
		FROM self_eval_reports r WHERE r.period_id = $1 AND r.unit_id = $2 FOR UPDATE`, p.ID, unitID).Scan(&n)
	if err != nil {
		if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
			err = apperr.New(apperr.Conflict, MsgNoReport)
		}
		return Report{}, err
	}
	ids, err := assessment.CheckEvidence(ctx, tx, []string{evidenceID}, false, &unitID)
	if err != nil {
		return Report{}, apperr.InvalidField("file", apperr.From(err).Message)
	}
	tag, err := tx.Exec(ctx, `INSERT INTO self_eval_report_files (period_id, unit_id, evidence_id, attached_by, attached_at)
		SELECT $1, $2, $3::uuid, $4, $5 WHERE $6::int < $7::int ON CONFLICT DO NOTHING`, p.ID, unitID, ids[0], actorID(actor), now, n, MaxFiles)
	if err != nil {
		return Report{}, db.Err(err)
	}
	r, err := FindReport(ctx, tx, p.ID, unitID)
	if err != nil || tag.RowsAffected() == 0 {
		if err == nil && !hasFile(r.Files, ids[0]) {
			err = apperr.InvalidField("file", MsgTooMany)
		}
		return r, err
	}
	return r, audit.Record(ctx, tx, actor, "self_eval_report.attach", "self_eval_report", reportKey(p.ID, unitID), nil,
		map[string]any{"evidence_id": ids[0]})
}

// RemoveFile detaches a file from the unit's report of the period and
// audits it; not_found when it is not attached. The file itself stays.
func RemoveFile(ctx context.Context, tx pgx.Tx, actor audit.Actor, p Period, unitID int64, evidenceID string) error {
	if err := checkOpen(ctx, tx, p, unitID); err != nil {
		return err
	}
	evidenceID = strings.ToLower(strings.TrimSpace(evidenceID))
	tag, err := tx.Exec(ctx, `DELETE FROM self_eval_report_files WHERE period_id = $1 AND unit_id = $2 AND evidence_id::text = $3`,
		p.ID, unitID, evidenceID)
	if err != nil {
		return db.Err(err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.New(apperr.NotFound, "附件不存在")
	}
	return audit.Record(ctx, tx, actor, "self_eval_report.detach", "self_eval_report", reportKey(p.ID, unitID),
		map[string]any{"evidence_id": evidenceID}, nil)
}

// ReportCitesFile reports whether the file is attached to one of the
// unit's reports of the cycle (an assessor of the unit may download it).
func ReportCitesFile(ctx context.Context, q db.DBTX, cycleID, unitID int64, evidenceID string) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM self_eval_report_files f JOIN self_eval_periods p ON p.id = f.period_id
		WHERE f.evidence_id::text = $3 AND f.unit_id = $2 AND p.cycle_id = $1)`, cycleID, unitID,
		strings.ToLower(strings.TrimSpace(evidenceID))).Scan(&ok)
	return ok, db.Err(err)
}

func reportKey(periodID, unitID int64) string {
	return strconv.FormatInt(periodID, 10) + "-" + strconv.FormatInt(unitID, 10)
}

// auditView is what the audit log keeps of a report.
func auditView(r Report) map[string]any {
	files := make([]string, 0, len(r.Files))
	for _, f := range r.Files {
		files = append(files, f.Filename+"（"+f.ID+"）")
	}
	v := map[string]any{"period_id": r.PeriodID, "unit_id": r.UnitID, "body": r.Body, "late": r.Late, "files": files}
	if len(r.Scores) > 0 {
		v["scores"] = scoreLines(r.Scores)
	}
	return v
}

func sameFiles(a, b []File) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].ID != b[i].ID {
			return false
		}
	}
	return true
}

func hasFile(list []File, id string) bool {
	for _, f := range list {
		if f.ID == id {
			return true
		}
	}
	return false
}

func actorID(actor audit.Actor) *int64 {
	if actor.ID == 0 {
		return nil
	}
	return &actor.ID
}
