package feedback

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// MsgCaseChanged is the conflict message when another user acted on the
// case first (the optimistic lock on version).
const MsgCaseChanged = "该案件已被他人处理，请刷新后重试"

func actorID(actor audit.Actor) *int64 {
	if actor.ID == 0 {
		return nil
	}
	return &actor.ID
}

// OfficeCaseInput is a case the office opens itself: from target
// monitoring (Kind "target", SourceID the target sheet id) or from the
// improvement suggestions of an assessment result (Kind "result",
// CycleID and UnitID).
type OfficeCaseInput struct {
	Kind     string `json:"source_kind"`
	SourceID int64  `json:"source_id"`
	CycleID  int64  `json:"cycle_id"`
	UnitID   int64  `json:"unit_id"`
	Problem  string `json:"problem"`
}

// OpenOfficeCase opens a case from target monitoring or an assessment
// result; the unit comes from the target sheet or the input. It returns
// invalid and not_found for an unknown sheet, cycle or unit; a deadline
// through a year without a calendar is provisional, never refused.
func OpenOfficeCase(ctx context.Context, tx pgx.Tx, loc *time.Location, actor audit.Actor, in OfficeCaseInput, now time.Time) (Case, error) {
	in.Problem = strings.TrimSpace(in.Problem)
	e := apperr.Fields{}
	if in.Problem == "" {
		e.Add("problem", "请填写问题描述")
	} else if utf8.RuneCountInString(in.Problem) > 2000 {
		e.Add("problem", "问题描述不能超过2000字")
	}
	var group, sourceID string
	var cycleID *int64
	unitID := in.UnitID
	switch in.Kind {
	case "target":
		group = GroupMonitoring
		sourceID = itoa(in.SourceID)
		var cyc int64
		err := tx.QueryRow(ctx, `SELECT unit_id, cycle_id FROM target_sheets WHERE id = $1`, in.SourceID).Scan(&unitID, &cyc)
		if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
			e.Add("source_id", "目标责任书不存在")
		} else if err != nil {
			return Case{}, err
		} else {
			cycleID = &cyc
		}
	case "result":
		group = GroupAssessment
		sourceID = itoa(in.CycleID) + ":" + itoa(in.UnitID)
		var ok bool
		err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM assessment_cycles WHERE id = $1)
			AND EXISTS (SELECT 1 FROM units WHERE id = $2)`, in.CycleID, in.UnitID).Scan(&ok)
		if err != nil {
			return Case{}, db.Err(err)
		}
		if !ok {
			e.Add("unit_id", "请选择考核周期和单位")
		}
		cycleID = &in.CycleID
	default:
		e.Add("source_kind", "请选择案件来源")
	}
	if err := e.Err(); err != nil {
		return Case{}, err
	}
	d, err := sendDates(ctx, tx, loc, group, false, now)
	if err != nil {
		return Case{}, err
	}
	d.cycleID = cycleID
	id, err := insertCase(ctx, tx, actor, unitID, in.Kind, sourceID, group, in.Problem, false, nil, d, now)
	if err != nil {
		return Case{}, err
	}
	return recordUpdate(ctx, tx, actor, id, "note", "绩效办立案交办", nil, "case.open", Case{}, now)
}

func itoa(n int64) string { return Case{ID: n}.IDString() }

// CaseActor is who acts on a case: the office, or a unit user of UnitID.
type CaseActor struct {
	audit.Actor
	Office bool
	UnitID *int64
}

// CaseAction is one step of the workflow on a case at the version the user
// saw. Fields are used by the action they belong to.
type CaseAction struct {
	Version     int      `json:"version"`
	Explanation string   `json:"explanation"`
	Responsible string   `json:"responsible"`
	Measures    string   `json:"measures"`
	Outcome     string   `json:"outcome"`
	FixDue      string   `json:"fix_due"`
	Body        string   `json:"body"`
	EvidenceIDs []string `json:"evidence_ids"`
	Reason      string   `json:"reason"`
	Problem     string   `json:"problem"`
	Released    bool     `json:"released"`
}

func checkLen(e apperr.Fields, field, label, v string, min, max int) {
	n := utf8.RuneCountInString(v)
	if n < min {
		e.Add(field, "请填写"+label)
	} else if n > max {
		e.Add(field, label+"不能超过"+itoa(int64(max))+"字")
	}
}

// loadForAction loads a case, checks who may act and the version seen.
func loadForAction(ctx context.Context, tx pgx.Tx, who CaseActor, id int64, version int, unitAction bool) (Case, error) {
	c, err := FindCase(ctx, tx, id)
	if err != nil {
		return c, err
	}
	if !who.Office && (who.UnitID == nil || *who.UnitID != c.UnitID) {
		return Case{}, apperr.New(apperr.NotFound, "整改案件不存在")
	}
	if unitAction && who.Office {
		return Case{}, apperr.New(apperr.Forbidden, "答复、进展和整改完成由责任单位填报")
	}
	if !unitAction && !who.Office {
		return Case{}, apperr.New(apperr.Forbidden, "只有绩效办可以办结、退回或公开案件")
	}
	if version != c.Version {
		return Case{}, apperr.New(apperr.Conflict, MsgCaseChanged)
	}
	return c, nil
}

// update applies set to the case at the version seen and bumps it; no row
// means another user won (MsgCaseChanged).
func update(ctx context.Context, tx pgx.Tx, id int64, version int, now time.Time, set string, args ...any) error {
	args = append([]any{id, version, now}, args...)
	tag, err := tx.Exec(ctx, `UPDATE rectification_cases SET `+set+`, version = version + 1, updated_at = $3
		WHERE id = $1 AND version = $2`, args...)
	if err != nil {
		return db.Err(err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.New(apperr.Conflict, MsgCaseChanged)
	}
	return nil
}

// recordUpdate adds the case_updates row, audits the action and returns
// the case as it is now.
func recordUpdate(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, kind, body string, evidence []string, action string, before Case, now time.Time) (Case, error) {
	if evidence == nil {
		evidence = []string{}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO case_updates (case_id, kind, body, evidence_ids, created_by, created_at)
		VALUES ($1, $2, $3, $4::uuid[], $5, $6)`, id, kind, body, evidence, actorID(actor), now); err != nil {
		return Case{}, db.Err(err)
	}
	c, err := FindCase(ctx, tx, id)
	if err != nil {
		return Case{}, err
	}
	var b any
	if before.ID != 0 {
		b = before
	}
	return c, audit.Record(ctx, tx, actor, action, "rectification_case", c.IDString(), b, c)
}

func refuse(msg string) error { return apperr.New(apperr.Conflict, msg) }

// AnswerCase records the unit's answer and plan: sent or returned (not yet
// answered) → answered; a returned case that was answered before may also
// be answered again. fix_due must be a date not before today.
func AnswerCase(ctx context.Context, tx pgx.Tx, loc *time.Location, who CaseActor, id int64, in CaseAction, now time.Time) (Case, error) {
	c, err := loadForAction(ctx, tx, who, id, in.Version, true)
	if err != nil {
		return c, err
	}
	if c.Status != CaseSent && c.Status != CaseReturned {
		return Case{}, refuse("该案件当前状态为“" + c.StatusLabel() + "”，不能再提交答复")
	}
	e := apperr.Fields{}
	in.Explanation, in.Responsible = strings.TrimSpace(in.Explanation), strings.TrimSpace(in.Responsible)
	in.Measures, in.Outcome = strings.TrimSpace(in.Measures), strings.TrimSpace(in.Outcome)
	checkLen(e, "explanation", "情况说明", in.Explanation, 1, 4000)
	checkLen(e, "responsible", "责任人", in.Responsible, 1, 100)
	checkLen(e, "measures", "整改措施", in.Measures, 1, 4000)
	checkLen(e, "outcome", "预期效果", in.Outcome, 1, 2000)
	due, perr := time.ParseInLocation(time.DateOnly, strings.TrimSpace(in.FixDue), loc)
	if perr != nil {
		e.Add("fix_due", "请填写整改完成期限（日期）")
	} else if dayOf(due) < dayOf(now.In(loc)) {
		e.Add("fix_due", "整改完成期限不能早于今天")
	}
	if err := e.Err(); err != nil {
		return Case{}, err
	}
	if err := update(ctx, tx, id, in.Version, now, `status = 'answered', answered_at = coalesce(answered_at, $3),
		explanation = $4, responsible = $5, measures = $6, outcome = $7, fix_due = $8`,
		in.Explanation, in.Responsible, in.Measures, in.Outcome, dayOf(due)); err != nil {
		return Case{}, err
	}
	body := "情况说明：" + in.Explanation + "\n责任人：" + in.Responsible + "\n整改措施：" + in.Measures +
		"\n预期效果：" + in.Outcome + "\n整改期限：" + dayOf(due)
	return recordUpdate(ctx, tx, who.Actor, id, "answer", body, nil, "case.answer", c, now)
}

// ProgressCase records a progress update while the case is answered.
func ProgressCase(ctx context.Context, tx pgx.Tx, who CaseActor, id int64, in CaseAction, now time.Time) (Case, error) {
	c, err := loadForAction(ctx, tx, who, id, in.Version, true)
	if err != nil {
		return c, err
	}
	if c.Status != CaseAnswered {
		return Case{}, refuse("只有已答复、尚未报告完成的案件可以填报整改进展")
	}
	in.Body = strings.TrimSpace(in.Body)
	e := apperr.Fields{}
	checkLen(e, "body", "进展情况", in.Body, 1, 4000)
	if err := e.Err(); err != nil {
		return Case{}, err
	}
	if err := update(ctx, tx, id, in.Version, now, `status = status`); err != nil {
		return Case{}, err
	}
	return recordUpdate(ctx, tx, who.Actor, id, "progress", in.Body, nil, "case.progress", c, now)
}

// ReportDone records the unit's report that the fix is done, with a note
// and evidence files of its own unit (at least one): answered →
// done_reported.
func ReportDone(ctx context.Context, tx pgx.Tx, who CaseActor, id int64, in CaseAction, now time.Time) (Case, error) {
	c, err := loadForAction(ctx, tx, who, id, in.Version, true)
	if err != nil {
		return c, err
	}
	if c.Status != CaseAnswered {
		if c.Status == CaseSent || (c.Status == CaseReturned && !c.Answered()) {
			return Case{}, refuse("请先提交答复和整改方案，再报告整改完成")
		}
		if c.Status == CaseReturned {
			return Case{}, refuse("案件已被退回，请先重新提交答复和整改方案")
		}
		return Case{}, refuse("该案件当前状态为“" + c.StatusLabel() + "”，不能报告整改完成")
	}
	in.Body = strings.TrimSpace(in.Body)
	e := apperr.Fields{}
	checkLen(e, "body", "整改完成情况", in.Body, 1, 4000)
	if len(in.EvidenceIDs) == 0 {
		e.Add("evidence_ids", "请上传整改证明材料（图片或PDF）")
	} else if len(in.EvidenceIDs) > assessment.MaxEvidencePerItem {
		e.Add("evidence_ids", "证明材料最多10个文件")
	}
	if err := e.Err(); err != nil {
		return Case{}, err
	}
	files, err := assessment.EvidenceInfo(ctx, tx, in.EvidenceIDs)
	if err != nil {
		return Case{}, apperr.InvalidField("evidence_ids", "证明材料不存在，请重新上传")
	}
	if len(files) != len(in.EvidenceIDs) {
		return Case{}, apperr.InvalidField("evidence_ids", "证明材料不存在，请重新上传")
	}
	for _, f := range files {
		if f.OwnerUnitID == nil || *f.OwnerUnitID != c.UnitID {
			return Case{}, apperr.InvalidField("evidence_ids", "只能引用本单位上传的证明材料")
		}
	}
	if err := update(ctx, tx, id, in.Version, now, `status = 'done_reported', done_at = $3, done_note = $4,
		done_evidence = $5::uuid[]`, in.Body, in.EvidenceIDs); err != nil {
		return Case{}, err
	}
	return recordUpdate(ctx, tx, who.Actor, id, "done", in.Body, in.EvidenceIDs, "case.done", c, now)
}

// CloseCase is the office's verification that the fix is done:
// done_reported → closed.
func CloseCase(ctx context.Context, tx pgx.Tx, who CaseActor, id int64, in CaseAction, now time.Time) (Case, error) {
	c, err := loadForAction(ctx, tx, who, id, in.Version, false)
	if err != nil {
		return c, err
	}
	if c.Status != CaseDoneReported {
		return Case{}, refuse("单位报告整改完成后才能办结")
	}
	in.Body = strings.TrimSpace(in.Body)
	e := apperr.Fields{}
	checkLen(e, "body", "核查意见", in.Body, 0, 4000)
	if err := e.Err(); err != nil {
		return Case{}, err
	}
	if err := update(ctx, tx, id, in.Version, now, `status = 'closed', closed_at = $3, closed_by = $4`, actorID(who.Actor)); err != nil {
		return Case{}, err
	}
	body := in.Body
	if body == "" {
		body = "经核查整改到位，予以办结"
	}
	return recordUpdate(ctx, tx, who.Actor, id, "closed", body, nil, "case.close", c, now)
}

// ReturnCase sends the case back with a reason: answered or done_reported
// → returned; the unit answers (or reports) again, told so by a
// notification (noticeCaseReturned).
func ReturnCase(ctx context.Context, tx pgx.Tx, who CaseActor, id int64, in CaseAction, now time.Time) (Case, error) {
	c, err := loadForAction(ctx, tx, who, id, in.Version, false)
	if err != nil {
		return c, err
	}
	if c.Status != CaseAnswered && c.Status != CaseDoneReported {
		return Case{}, refuse("只有已答复或已报整改完成的案件可以退回")
	}
	in.Reason = strings.TrimSpace(in.Reason)
	e := apperr.Fields{}
	checkLen(e, "reason", "退回理由", in.Reason, 1, 1000)
	if err := e.Err(); err != nil {
		return Case{}, err
	}
	if err := update(ctx, tx, id, in.Version, now, `status = 'returned', return_reason = $4`, in.Reason); err != nil {
		return Case{}, err
	}
	after, err := recordUpdate(ctx, tx, who.Actor, id, "returned", in.Reason, nil, "case.return", c, now)
	if err != nil {
		return after, err
	}
	return after, noticeCaseReturned(ctx, tx, after, now)
}

// ReleaseCase releases the case for the unit's public page or withdraws
// it; the office may set the public problem text at the same time (phone
// numbers are removed). Setting what is already stored writes nothing.
func ReleaseCase(ctx context.Context, tx pgx.Tx, who CaseActor, id int64, in CaseAction, now time.Time) (Case, error) {
	c, err := loadForAction(ctx, tx, who, id, in.Version, false)
	if err != nil {
		return c, err
	}
	problem := StripPhones(strings.TrimSpace(in.Problem))
	if in.Problem == "" {
		problem = c.Problem
	}
	e := apperr.Fields{}
	checkLen(e, "problem", "问题描述", problem, 1, 2000)
	if err := e.Err(); err != nil {
		return Case{}, err
	}
	if c.Released == in.Released && c.Problem == problem {
		return c, nil
	}
	if err := update(ctx, tx, id, in.Version, now, `released = $4, problem = $5`, in.Released, problem); err != nil {
		return Case{}, err
	}
	action, body := "case.release", "绩效办公开案件"
	if !in.Released {
		action, body = "case.unrelease", "绩效办撤回公开"
	}
	return recordUpdate(ctx, tx, who.Actor, id, "note", body, nil, action, c, now)
}
