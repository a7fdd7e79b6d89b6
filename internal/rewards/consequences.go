package rewards

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
	"minyi/internal/feedback"
)

// Kinds of a record.
const (
	KindCriticism    = "criticism"    // 通报批评
	KindCommendation = "commendation" // 表彰
)

// KindLabel is a record's kind in Chinese.
func KindLabel(k string) string {
	switch k {
	case KindCriticism:
		return "通报批评"
	case KindCommendation:
		return "表彰"
	}
	return k
}

// RecordInput is the office's record: the document's number, date and
// text.
type RecordInput struct {
	DocNo   string `json:"doc_no"`
	DocDate string `json:"doc_date"`
	Body    string `json:"body"`
}

// AddRecord records 通报批评 or 表彰 of a unit for the cycle, once per unit,
// cycle and kind: a second record returns the first (created false) and
// changes nothing.
func AddRecord(ctx context.Context, tx pgx.Tx, actor audit.Actor, now time.Time, cycleID, unitID int64, kind string, in RecordInput) (Record, bool, error) {
	in.DocNo, in.DocDate, in.Body = strings.TrimSpace(in.DocNo), strings.TrimSpace(in.DocDate), strings.TrimSpace(in.Body)
	f := apperr.Fields{}
	if kind != KindCriticism && kind != KindCommendation {
		f.Add("kind", "记录类别须为通报批评或表彰")
	}
	if in.DocNo == "" {
		f.Add("doc_no", "请填写文号")
	} else if utf8.RuneCountInString(in.DocNo) > 100 {
		f.Add("doc_no", "文号不能超过100字")
	}
	if d, err := time.Parse("2006-01-02", in.DocDate); err != nil || d.Year() < 2000 || d.Year() > 2100 {
		f.Add("doc_date", "请填写正确的发文日期")
	}
	if in.Body == "" {
		f.Add("body", "请填写内容")
	} else if utf8.RuneCountInString(in.Body) > 2000 {
		f.Add("body", "内容不能超过2000字")
	}
	if err := f.Err(); err != nil {
		return Record{}, false, err
	}
	if err := requireFinalUnit(ctx, tx, cycleID, unitID); err != nil {
		return Record{}, false, err
	}
	r := Record{UnitID: unitID, Kind: kind, DocNo: in.DocNo, DocDate: in.DocDate, Body: in.Body, CreatedAt: now}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	err := tx.QueryRow(ctx, `INSERT INTO result_use_records (cycle_id, unit_id, kind, doc_no, doc_date, body, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (cycle_id, unit_id, kind) DO NOTHING RETURNING id`,
		cycleID, unitID, kind, in.DocNo, in.DocDate, in.Body, by, now).Scan(&r.ID)
	if err == pgx.ErrNoRows {
		recs, err := records(ctx, tx, cycleID, []int64{unitID})
		return recs[recKey{unitID, kind}], false, err
	}
	if err != nil {
		return Record{}, false, db.Err(err)
	}
	return r, true, audit.Record(ctx, tx, actor, "results.use_record", "unit", strconv.FormatInt(unitID, 10), nil,
		map[string]any{"cycle_id": cycleID, "kind": kind, "doc_no": in.DocNo, "doc_date": in.DocDate, "body": in.Body})
}

// OpenCase opens the rectification case of a unit proposed for one
// (不合格, or 合格 three years in a row), with the working-day deadline of
// cases from assessment results; once per unit and cycle: a second press
// returns the case already opened (created false). A unit not proposed is
// refused.
func OpenCase(ctx context.Context, tx pgx.Tx, loc *time.Location, actor audit.Actor, now time.Time, cycleID, unitID int64) (int64, bool, error) {
	lines, _, _, err := Lines(ctx, tx, cycleID, Filter{UnitID: &unitID})
	if err != nil {
		return 0, false, err
	}
	if len(lines) == 0 {
		return 0, false, apperr.New(apperr.NotFound, "该单位没有本年度的最终考核结果")
	}
	l := lines[0]
	if l.CaseID != nil {
		return *l.CaseID, false, nil
	}
	if l.ProposeCase == "" {
		return 0, false, apperr.New(apperr.Conflict, "只有不合格等次或连续三年合格等次的单位需要限期整改")
	}
	// The row is claimed first: a second press at the same time waits
	// here and then finds the case.
	tag, err := tx.Exec(ctx, `INSERT INTO result_use_cases (cycle_id, unit_id, reason, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (cycle_id, unit_id) DO NOTHING`, cycleID, unitID, l.ProposeCase, now)
	if err != nil {
		return 0, false, db.Err(err)
	}
	if tag.RowsAffected() == 0 {
		var id int64
		err := tx.QueryRow(ctx, `SELECT case_id FROM result_use_cases WHERE cycle_id = $1 AND unit_id = $2`, cycleID, unitID).Scan(&id)
		return id, false, db.Err(err)
	}
	problem := "考核结果为不合格等次，通报批评并限期整改（省绩效管理办法第二十四条第六项）。请制定整改措施，明确责任人和完成时限。"
	if l.ProposeCase == CaseThreePass {
		problem = "连续三年考核结果为合格等次，须向领导小组作出书面整改报告并限期整改（省绩效管理办法第二十四条第五项）。请制定整改措施，明确责任人和完成时限。"
	}
	cs, err := feedback.OpenOfficeCase(ctx, tx, loc, actor, feedback.OfficeCaseInput{Kind: "result", CycleID: cycleID, UnitID: unitID, Problem: problem}, now)
	if err != nil {
		return 0, false, err
	}
	if _, err := tx.Exec(ctx, `UPDATE result_use_cases SET case_id = $3 WHERE cycle_id = $1 AND unit_id = $2`, cycleID, unitID, cs.ID); err != nil {
		return 0, false, db.Err(err)
	}
	return cs.ID, true, nil
}

// CaseState is a rectification case's status in Chinese and its answer
// due date ("" when none), for a unit's own line.
func CaseState(ctx context.Context, q db.DBTX, caseID int64) (status, due string, err error) {
	var st string
	var d *string
	if err := q.QueryRow(ctx, `SELECT status, answer_due::text FROM rectification_cases WHERE id = $1`, caseID).Scan(&st, &d); err != nil {
		return "", "", db.Err(err)
	}
	if d != nil {
		due = *d
	}
	return feedback.CaseStatusLabel(st), due, nil
}
