package results

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
	"minyi/internal/workdays"
)

// Appeal is an application for review (申请复核) and its answer.
type Appeal struct {
	ID           int64      `json:"id" db:"id"`
	CycleID      int64      `json:"cycle_id" db:"cycle_id"`
	UnitID       int64      `json:"unit_id" db:"unit_id"`
	UnitName     string     `json:"unit_name" db:"unit_name"`
	Grounds      string     `json:"grounds" db:"grounds"`
	EvidenceNote string     `json:"evidence_note" db:"evidence_note"`
	CreatedBy    *string    `json:"created_by" db:"created_by"`
	CreatedAt    time.Time  `json:"created_at" db:"created_at"`
	AnswerDue    string     `json:"answer_due" db:"answer_due"`
	Status       string     `json:"status" db:"status"`
	StatusLabel  string     `json:"status_label" db:"-"`
	Answer       *string    `json:"answer" db:"answer"`
	AnsweredBy   *string    `json:"answered_by" db:"answered_by"`
	AnsweredAt   *time.Time `json:"answered_at" db:"answered_at"`
	// EvidenceIDs are the evidence files (证明材料) sent with the
	// application, owned by the unit; Evidence describes them.
	EvidenceIDs []string                  `json:"evidence_ids" db:"evidence_ids"`
	Evidence    []assessment.EvidenceFile `json:"evidence" db:"-"`

	// AnswerDueProvisional marks a deadline counted through a year
	// without a working-day calendar (weekends only, 暂定); entering the
	// year recomputes it. DeadlineNotes are those recomputations.
	AnswerDueProvisional bool     `json:"answer_due_provisional" db:"answer_due_provisional"`
	DeadlineNotes        []string `json:"deadline_notes" db:"-"`
}

const appealColumns = `a.id, a.cycle_id, a.unit_id, n.name AS unit_name, a.grounds, a.evidence_note,
	c.username AS created_by, a.created_at, to_char(a.answer_due, 'YYYY-MM-DD') AS answer_due, a.status,
	a.answer, w.username AS answered_by, a.answered_at, a.evidence_ids::text[] AS evidence_ids, a.answer_due_provisional
	FROM assessment_appeals a JOIN units n ON n.id = a.unit_id
	LEFT JOIN users c ON c.id = a.created_by LEFT JOIN users w ON w.id = a.answered_by`

// ListAppeals returns the cycle's applications, of one unit when unitID is
// set, oldest first.
func ListAppeals(ctx context.Context, q db.DBTX, cycleID int64, unitID *int64) ([]Appeal, error) {
	rows, _ := q.Query(ctx, `SELECT `+appealColumns+` WHERE a.cycle_id = $1 AND ($2::bigint IS NULL OR a.unit_id = $2)
		ORDER BY a.id`, cycleID, unitID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Appeal])
	if err != nil {
		return nil, db.Err(err)
	}
	if list == nil {
		list = []Appeal{}
	}
	return list, completeAppeals(ctx, q, list)
}

// completeAppeals fills in the status labels, the evidence files'
// descriptions and the notes of recomputed deadlines.
func completeAppeals(ctx context.Context, q db.DBTX, list []Appeal) error {
	var ids []string
	appeals := make([]int64, len(list))
	for i := range list {
		list[i].StatusLabel = AppealStatusLabel(list[i].Status)
		ids = append(ids, list[i].EvidenceIDs...)
		appeals[i] = list[i].ID
	}
	files, err := evidenceByID(ctx, q, ids)
	if err != nil {
		return err
	}
	notes, err := workdays.ListRecomputations(ctx, q, workdays.EntityAppeal, appeals)
	if err != nil {
		return err
	}
	for i := range list {
		list[i].Evidence = pick(files, list[i].EvidenceIDs)
		list[i].DeadlineNotes = workdays.NotesOf(notes, workdays.EntityAppeal, list[i].ID)
	}
	return nil
}

func findAppeal(ctx context.Context, q db.DBTX, id int64, lock bool) (Appeal, error) {
	sql := `SELECT ` + appealColumns + ` WHERE a.id = $1`
	if lock {
		sql += ` FOR UPDATE OF a`
	}
	rows, _ := q.Query(ctx, sql, id)
	a, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Appeal])
	if err != nil {
		err = db.Err(err)
		if apperr.Is(err, apperr.NotFound) {
			return Appeal{}, apperr.New(apperr.NotFound, "复核申请不存在")
		}
		return Appeal{}, err
	}
	list := []Appeal{a}
	err = completeAppeals(ctx, q, list)
	return list[0], err
}

// AppealInput is a unit's application: its grounds, a note on the
// evidence and the evidence files themselves (uploaded with it).
type AppealInput struct {
	Grounds      string   `json:"grounds"`
	EvidenceNote string   `json:"evidence_note"`
	Files        []Upload `json:"files"`
}

func (in *AppealInput) normalize() error {
	in.Grounds, in.EvidenceNote = strings.TrimSpace(in.Grounds), strings.TrimSpace(in.EvidenceNote)
	f := apperr.Fields{}
	if n := utf8.RuneCountInString(in.Grounds); n == 0 || n > 4000 {
		f.Add("grounds", "请填写申请复核的理由（不超过4000字）")
	}
	if utf8.RuneCountInString(in.EvidenceNote) > 2000 {
		f.Add("evidence_note", "证明材料说明不能超过2000字")
	}
	checkUploads(f, in.Files)
	return f.Err()
}

// Apply records a unit's application for review of its preliminary
// result, within its review window (AppealWindow: from its receipt, or
// from the notification when it did not receive it in time; a unit not
// yet received may apply); the answer is due AnswerDays working
// days later (provisional when that touches a year without a calendar).
// The files are stored as the unit's evidence files, all or none. Applying
// again with the same grounds returns the application (a retry, storing no
// file again); with other grounds it is refused.
func Apply(ctx context.Context, tx pgx.Tx, actor audit.Actor, loc *time.Location, now time.Time, cycleID, unitID int64, in AppealInput) (Appeal, error) {
	if err := in.normalize(); err != nil {
		return Appeal{}, err
	}
	if err := lockCycle(ctx, tx, cycleID); err != nil {
		return Appeal{}, err
	}
	st, err := LoadStatus(ctx, tx, cycleID)
	if err != nil {
		return Appeal{}, err
	}
	if st.Preliminary == nil {
		return Appeal{}, apperr.New(apperr.Conflict, "初步结果尚未公布，暂不能申请复核")
	}
	var prev Appeal
	rows, _ := tx.Query(ctx, `SELECT `+appealColumns+` WHERE a.cycle_id = $1 AND a.unit_id = $2`, cycleID, unitID)
	prev, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Appeal])
	if err == nil {
		if prev.Grounds == in.Grounds && prev.EvidenceNote == in.EvidenceNote {
			list := []Appeal{prev}
			err := completeAppeals(ctx, tx, list)
			return list[0], err
		}
		return Appeal{}, apperr.New(apperr.Conflict, "本单位已于"+prev.CreatedAt.In(loc).Format(time.DateOnly)+"申请复核，不能重复申请")
	} else if err != pgx.ErrNoRows {
		return Appeal{}, db.Err(err)
	}
	today := localDay(now, loc)
	if st.IsFinal() {
		return Appeal{}, apperr.New(apperr.Conflict, "最终结果已公布，已超过申请复核期限")
	}
	// The window counts from the unit's receipt (签收 or delivery), or
	// from the notification when it received neither in time.
	rc, err := findReceipt(ctx, tx, loc, now, *st.Preliminary, unitID)
	if err != nil {
		return Appeal{}, err
	}
	if !rc.WindowOpen {
		return Appeal{}, apperr.New(apperr.Conflict, "已超过申请复核期限（"+rc.WindowText+"）")
	}
	sv, err := assessment.LoadSettings(ctx, tx, cycleID)
	if err != nil {
		return Appeal{}, err
	}
	due, err := workdays.Deadline(ctx, tx, today, sv.Settings.AnswerDays)
	if err != nil {
		return Appeal{}, err
	}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	ev, err := saveUploads(ctx, tx, actor, unitID, in.Files)
	if err != nil {
		return Appeal{}, err
	}
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO assessment_appeals (cycle_id, unit_id, publication_id, grounds, evidence_note,
		evidence_ids, created_by, created_at, answer_due, answer_days, answer_due_provisional)
		VALUES ($1, $2, $3, $4, $5, $6::uuid[], $7, $8, $9::date, $10, $11) RETURNING id`,
		cycleID, unitID, st.Preliminary.ID, in.Grounds, in.EvidenceNote, ev, by, now, due.String(), sv.Settings.AnswerDays,
		due.Provisional).Scan(&id); err != nil {
		return Appeal{}, db.Err(err)
	}
	a, err := findAppeal(ctx, tx, id, false)
	if err != nil {
		return Appeal{}, err
	}
	if err := noticeAppealFiled(ctx, tx, a, now); err != nil {
		return Appeal{}, err
	}
	return a, audit.Record(ctx, tx, actor, "results.appeal", "appeal", strconv.FormatInt(id, 10), nil, a)
}

// AnswerInput is the office's answer.
type AnswerInput struct {
	Status string `json:"status"`
	Answer string `json:"answer"`
}

// AnswerAppeal records the office's answer, once: answering again with
// the same answer returns the application (a retry); otherwise it is
// refused.
func AnswerAppeal(ctx context.Context, tx pgx.Tx, actor audit.Actor, now time.Time, cycleID, appealID int64, in AnswerInput) (Appeal, error) {
	in.Status, in.Answer = strings.TrimSpace(in.Status), strings.TrimSpace(in.Answer)
	f := apperr.Fields{}
	if in.Status != AppealUpheld && in.Status != AppealPartly && in.Status != AppealRejected {
		f.Add("status", "请选择答复结论：upheld（复核成立）、partly（部分成立）或 rejected（复核不成立）")
	}
	if n := utf8.RuneCountInString(in.Answer); n == 0 || n > 4000 {
		f.Add("answer", "请填写答复意见（不超过4000字）")
	}
	if err := f.Err(); err != nil {
		return Appeal{}, err
	}
	if err := lockCycle(ctx, tx, cycleID); err != nil {
		return Appeal{}, err
	}
	before, err := findAppeal(ctx, tx, appealID, true)
	if err != nil {
		return Appeal{}, err
	}
	if before.CycleID != cycleID {
		return Appeal{}, apperr.New(apperr.NotFound, "复核申请不存在")
	}
	if before.Status != AppealPending {
		if before.Status == in.Status && before.Answer != nil && *before.Answer == in.Answer {
			return before, nil
		}
		return Appeal{}, apperr.New(apperr.Conflict, "该复核申请已答复（"+before.StatusLabel+"），不能重复答复")
	}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	if _, err := tx.Exec(ctx, `UPDATE assessment_appeals SET status = $2, answer = $3, answered_by = $4, answered_at = $5
		WHERE id = $1`, appealID, in.Status, in.Answer, by, now); err != nil {
		return Appeal{}, db.Err(err)
	}
	after, err := findAppeal(ctx, tx, appealID, false)
	if err != nil {
		return Appeal{}, err
	}
	if err := noticeAppealAnswered(ctx, tx, after, now); err != nil {
		return Appeal{}, err
	}
	return after, audit.Record(ctx, tx, actor, "results.appeal_answer", "appeal", strconv.FormatInt(appealID, 10), before, after)
}
