package results

import (
	"bytes"
	"context"
	"crypto/sha256"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// Where a rectification report stands.
const (
	ReportMissing   = "missing"
	ReportSubmitted = "submitted"
	ReportReceived  = "received"
)

// ReportStateLabel is a report's state in Chinese.
func ReportStateLabel(s string) string {
	switch s {
	case ReportMissing:
		return "整改报告未提交"
	case ReportSubmitted:
		return "整改报告已提交，待签收"
	case ReportReceived:
		return "整改报告已签收"
	}
	return s
}

// Report is a unit's written rectification report (书面整改报告) for a
// cycle whose final result makes three 合格 in a row.
type Report struct {
	CycleID     int64      `json:"cycle_id" db:"cycle_id"`
	UnitID      int64      `json:"unit_id" db:"unit_id"`
	UnitName    string     `json:"unit_name" db:"unit_name"`
	Content     string     `json:"content" db:"content"`
	EvidenceIDs []string   `json:"evidence_ids" db:"evidence_ids"`
	SubmittedBy *string    `json:"submitted_by" db:"submitted_by"`
	SubmittedAt time.Time  `json:"submitted_at" db:"submitted_at"`
	ReceivedBy  *string    `json:"received_by" db:"received_by"`
	ReceivedAt  *time.Time `json:"received_at" db:"received_at"`
	ReceiptNote string     `json:"receipt_note" db:"receipt_note"`
	State       string     `json:"state" db:"-"`
	StateLabel  string     `json:"state_label" db:"-"`
	// Evidence describes the evidence files.
	Evidence []assessment.EvidenceFile `json:"evidence" db:"-"`
}

const reportColumns = `r.cycle_id, r.unit_id, n.name AS unit_name, r.content, r.evidence_ids::text[] AS evidence_ids,
	s.username AS submitted_by, r.submitted_at, v.username AS received_by, r.received_at, r.receipt_note
	FROM assessment_rectification_reports r JOIN units n ON n.id = r.unit_id
	LEFT JOIN users s ON s.id = r.submitted_by LEFT JOIN users v ON v.id = r.received_by`

// FindReport returns the unit's report for the cycle, nil when none was
// submitted.
func FindReport(ctx context.Context, q db.DBTX, cycleID, unitID int64) (*Report, error) {
	return findReport(ctx, q, cycleID, unitID, false)
}

func findReport(ctx context.Context, q db.DBTX, cycleID, unitID int64, lock bool) (*Report, error) {
	sql := `SELECT ` + reportColumns + ` WHERE r.cycle_id = $1 AND r.unit_id = $2`
	if lock {
		sql += ` FOR UPDATE OF r`
	}
	rows, _ := q.Query(ctx, sql, cycleID, unitID)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Report])
	if err == pgx.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, db.Err(err)
	}
	r.State = ReportSubmitted
	if r.ReceivedAt != nil {
		r.State = ReportReceived
	}
	r.StateLabel = ReportStateLabel(r.State)
	files, err := evidenceByID(ctx, q, r.EvidenceIDs)
	r.Evidence = pick(files, r.EvidenceIDs)
	return &r, err
}

// reportStates returns the state of every submitted report of the cycle
// by unit.
func reportStates(ctx context.Context, q db.DBTX, cycleID int64) (map[int64]string, error) {
	rows, _ := q.Query(ctx, `SELECT unit_id, received_at IS NOT NULL FROM assessment_rectification_reports WHERE cycle_id = $1`, cycleID)
	out := map[int64]string{}
	var id int64
	var received bool
	_, err := pgx.ForEachRow(rows, []any{&id, &received}, func() error {
		out[id] = ReportSubmitted
		if received {
			out[id] = ReportReceived
		}
		return nil
	})
	return out, db.Err(err)
}

// ReportInput is a unit's report: its text and optional evidence files.
type ReportInput struct {
	Content string   `json:"content"`
	Files   []Upload `json:"files"`
}

// SubmitReport records the unit's written rectification report for the
// cycle: only while the cycle's final results are in force and make three
// 合格 in a row for the unit. Until the office marks it received the unit
// may submit it again: the text is replaced, and the files when new ones
// are sent (none sent keeps the files). The same text with no files, or
// with the same files, changes nothing (a retry); changed reports whether
// anything was stored.
func SubmitReport(ctx context.Context, tx pgx.Tx, actor audit.Actor, loc *time.Location, now time.Time, cycleID, unitID int64, in ReportInput) (r Report, changed bool, err error) {
	in.Content = strings.TrimSpace(in.Content)
	f := apperr.Fields{}
	if n := utf8.RuneCountInString(in.Content); n == 0 || n > 20000 {
		f.Add("content", "请填写书面整改报告（不超过20000字）")
	}
	checkUploads(f, in.Files)
	if err := f.Err(); err != nil {
		return Report{}, false, err
	}
	if err := lockCycle(ctx, tx, cycleID); err != nil {
		return Report{}, false, err
	}
	st, err := LoadStatus(ctx, tx, cycleID)
	if err != nil {
		return Report{}, false, err
	}
	if !st.IsFinal() {
		return Report{}, false, apperr.New(apperr.Conflict, "最终结果公布后，连续三年合格的单位才需提交书面整改报告")
	}
	owes, err := ThreePass(ctx, tx, cycleID, unitID)
	if err != nil {
		return Report{}, false, err
	}
	if !owes {
		return Report{}, false, apperr.New(apperr.Conflict, "本单位未连续三年被评为合格，无需提交书面整改报告")
	}
	before, err := findReport(ctx, tx, cycleID, unitID, true)
	if err != nil {
		return Report{}, false, err
	}
	if before != nil {
		if before.ReceivedAt != nil {
			return Report{}, false, apperr.New(apperr.Conflict, "整改报告已于"+before.ReceivedAt.In(loc).Format(time.DateOnly)+"由绩效办签收，不能再修改")
		}
		same, err := sameFiles(ctx, tx, before.EvidenceIDs, in.Files)
		if err != nil {
			return Report{}, false, err
		}
		if before.Content == in.Content && (len(in.Files) == 0 || same) {
			return *before, false, nil
		}
	}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	var ev []string
	if len(in.Files) > 0 {
		if ev, err = saveUploads(ctx, tx, actor, unitID, in.Files); err != nil {
			return Report{}, false, err
		}
	}
	// ev nil (no new files) keeps the stored ones.
	if _, err := tx.Exec(ctx, `INSERT INTO assessment_rectification_reports (cycle_id, unit_id, content, evidence_ids, submitted_by, submitted_at)
		VALUES ($1, $2, $3, COALESCE($4::uuid[], '{}'), $5, $6) ON CONFLICT (cycle_id, unit_id) DO UPDATE
		SET content = EXCLUDED.content, evidence_ids = COALESCE($4::uuid[], assessment_rectification_reports.evidence_ids),
		    submitted_by = EXCLUDED.submitted_by, submitted_at = EXCLUDED.submitted_at`,
		cycleID, unitID, in.Content, ev, by, now); err != nil {
		return Report{}, false, db.Err(err)
	}
	after, err := findReport(ctx, tx, cycleID, unitID, false)
	if err != nil {
		return Report{}, false, err
	}
	var old any
	if before != nil {
		old = before
	}
	return *after, true, audit.Record(ctx, tx, actor, "results.rectification_submit", "unit", strconv.FormatInt(unitID, 10), old, after)
}

// sameFiles reports whether the stored files of ids have the contents of
// files, in order.
func sameFiles(ctx context.Context, q db.DBTX, ids []string, files []Upload) (bool, error) {
	if len(ids) != len(files) {
		return false, nil
	}
	rows, _ := q.Query(ctx, `SELECT sha256 FROM evidence_files WHERE id = ANY($1::uuid[]) ORDER BY array_position($1::uuid[], id)`, ids)
	sums, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return false, db.Err(err)
	}
	if len(sums) != len(files) {
		return false, nil
	}
	for i, u := range files {
		sum := sha256.Sum256(u.Content)
		if !bytes.Equal(sums[i], sum[:]) {
			return false, nil
		}
	}
	return true, nil
}

// ReceiveReport marks the unit's report received by the office, with an
// optional note; marking it again changes nothing.
func ReceiveReport(ctx context.Context, tx pgx.Tx, actor audit.Actor, now time.Time, cycleID, unitID int64, note string) (Report, error) {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 2000 {
		return Report{}, apperr.InvalidField("note", "签收意见不能超过2000字")
	}
	if err := lockCycle(ctx, tx, cycleID); err != nil {
		return Report{}, err
	}
	before, err := findReport(ctx, tx, cycleID, unitID, true)
	if err != nil {
		return Report{}, err
	}
	if before == nil {
		return Report{}, apperr.New(apperr.NotFound, "该单位尚未提交书面整改报告")
	}
	if before.ReceivedAt != nil {
		return *before, nil
	}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	if _, err := tx.Exec(ctx, `UPDATE assessment_rectification_reports SET received_by = $3, received_at = $4, receipt_note = $5
		WHERE cycle_id = $1 AND unit_id = $2`, cycleID, unitID, by, now, note); err != nil {
		return Report{}, db.Err(err)
	}
	after, err := findReport(ctx, tx, cycleID, unitID, false)
	if err != nil {
		return Report{}, err
	}
	return *after, audit.Record(ctx, tx, actor, "results.rectification_receive", "unit", strconv.FormatInt(unitID, 10), before, after)
}
