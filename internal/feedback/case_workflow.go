package feedback

import (
	"context"
	"regexp"
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

// OverdueCount is one unit's overdue cases: answers past answer_due not
// given, and fixes past the unit's fix_due not reported done nor closed.
type OverdueCount struct {
	Answers int `json:"answers_overdue"`
	Fixes   int `json:"fixes_overdue"`
}

// OverduePeriod selects the cases OverdueCounts looks at: those of the
// cycle (cycle_id = CycleID) when CycleID is set, and those sent between
// From and To ("YYYY-MM-DD", inclusive) when both are set; a case matching
// either is counted. An empty period counts every case.
type OverduePeriod struct {
	CycleID  int64
	From, To string
}

// OverdueCounts returns, per unit with at least one overdue case, how many
// answers and fixes are overdue on today's date (see Case.AnswerOverdue and
// Case.FixOverdue). The assessment uses it for deduction proposals.
func OverdueCounts(ctx context.Context, q db.DBTX, p OverduePeriod, today time.Time) (map[int64]OverdueCount, error) {
	all := p.CycleID == 0 && (p.From == "" || p.To == "")
	var from, to *string
	if p.From != "" && p.To != "" {
		from, to = &p.From, &p.To
	}
	rows, _ := q.Query(ctx, `SELECT c.unit_id,
			count(*) FILTER (WHERE `+overdueAnswerSQL+`),
			count(*) FILTER (WHERE `+overdueFixSQL+`)
		FROM rectification_cases c
		WHERE $4 OR c.cycle_id = $1 OR c.sent_on BETWEEN $2::date AND $5::date
		GROUP BY c.unit_id`, p.CycleID, from, dayOf(today), all, to)
	out := map[int64]OverdueCount{}
	var unit int64
	var oc OverdueCount
	_, err := pgx.ForEachRow(rows, []any{&unit, &oc.Answers, &oc.Fixes}, func() error {
		if oc.Answers > 0 || oc.Fixes > 0 {
			out[unit] = oc
		}
		return nil
	})
	return out, db.Err(err)
}

// OverdueTotal sums the overdue counts of every period for the unit in
// scope, or for all units when scope is nil (the console's overview).
func OverdueTotal(ctx context.Context, q db.DBTX, scope *int64, today time.Time) (OverdueCount, error) {
	m, err := OverdueCounts(ctx, q, OverduePeriod{}, today)
	var sum OverdueCount
	for unit, oc := range m {
		if scope == nil || *scope == unit {
			sum.Answers += oc.Answers
			sum.Fixes += oc.Fixes
		}
	}
	return sum, err
}

// CaseSetting is the working-day period of one source group.
type CaseSetting struct {
	Group string `json:"source_group" db:"source_group"`
	Days  int    `json:"days" db:"days"`
}

// Label is the Chinese name of the setting.
func (s CaseSetting) Label() string {
	for _, g := range SourceGroups {
		if g.Key == s.Group {
			return g.Label
		}
	}
	return s.Group
}

// ListCaseSettings returns the periods in the order of SourceGroups.
func ListCaseSettings(ctx context.Context, q db.DBTX) ([]CaseSetting, error) {
	return collect[CaseSetting](ctx, q, `SELECT source_group, days FROM case_settings
		ORDER BY array_position(ARRAY['feedback','survey','monitoring','assessment','callback'], source_group)`)
}

// SaveCaseSettings sets the periods given (group → days, 1..60); unchanged
// values write nothing, so a retry is harmless. Audited.
func SaveCaseSettings(ctx context.Context, tx pgx.Tx, actor audit.Actor, days map[string]int, now time.Time) ([]CaseSetting, error) {
	before, err := ListCaseSettings(ctx, tx)
	if err != nil {
		return nil, err
	}
	e := apperr.Fields{}
	for g, n := range days {
		if (CaseSetting{Group: g}).Label() == g {
			e.Add(g, "未知的期限类别")
		} else if n < 1 || n > 60 {
			e.Add(g, "期限须为1至60个工作日")
		}
	}
	if err := e.Err(); err != nil {
		return nil, err
	}
	changed := false
	for g, n := range days {
		tag, err := tx.Exec(ctx, `UPDATE case_settings SET days = $2, updated_by = $3, updated_at = $4
			WHERE source_group = $1 AND days <> $2`, g, n, actorID(actor), now)
		if err != nil {
			return nil, db.Err(err)
		}
		changed = changed || tag.RowsAffected() > 0
	}
	after, err := ListCaseSettings(ctx, tx)
	if err != nil || !changed {
		return after, err
	}
	return after, audit.Record(ctx, tx, actor, "case.settings", "case_settings", "all", before, after)
}

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
	id, err := insertCase(ctx, tx, actor, unitID, in.Kind, sourceID, group, in.Problem, false, d, now)
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
// → returned; the unit answers (or reports) again.
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
	return recordUpdate(ctx, tx, who.Actor, id, "returned", in.Reason, nil, "case.return", c, now)
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

var phoneRE = regexp.MustCompile(`(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}|\d{3,4}-\d{7,8}|\d{7,}`)

// StripPhones replaces anything that looks like a phone number with ***.
func StripPhones(s string) string { return phoneRE.ReplaceAllString(s, "***") }

// CaseUpdate is one entry of a case's timeline.
type CaseUpdate struct {
	ID          int64     `json:"id" db:"id"`
	Kind        string    `json:"kind" db:"kind"`
	Body        string    `json:"body" db:"body"`
	EvidenceIDs []string  `json:"evidence_ids" db:"evidence_ids"`
	CreatedBy   *string   `json:"created_by" db:"created_by"`
	CreatedAt   time.Time `json:"created_at" db:"created_at"`
}

// KindLabel is the Chinese name of the update's kind.
func (u CaseUpdate) KindLabel() string {
	return map[string]string{"answer": "单位答复", "progress": "整改进展", "done": "报告整改完成",
		"closed": "办结", "returned": "退回", "note": "记录"}[u.Kind]
}

// ListCaseUpdates returns the timeline of a case, oldest first; kinds
// limits it to those kinds when given.
func ListCaseUpdates(ctx context.Context, q db.DBTX, caseID int64, kinds ...string) ([]CaseUpdate, error) {
	return collect[CaseUpdate](ctx, q, `SELECT cu.id, cu.kind, cu.body, cu.evidence_ids::text[] AS evidence_ids,
			u.username AS created_by, cu.created_at
		FROM case_updates cu LEFT JOIN users u ON u.id = cu.created_by
		WHERE cu.case_id = $1 AND (coalesce(cardinality($2::text[]), 0) = 0 OR cu.kind = ANY ($2))
		ORDER BY cu.id`, caseID, kinds)
}

// PublicUnit is a unit with released cases.
type PublicUnit struct {
	ID    int64  `json:"id" db:"id"`
	Name  string `json:"name" db:"name"`
	Cases int    `json:"cases" db:"cases"`
}

// ListPublicUnits returns the units with released cases, by name.
func ListPublicUnits(ctx context.Context, q db.DBTX) ([]PublicUnit, error) {
	return collect[PublicUnit](ctx, q, `SELECT u.id, u.name, count(*)::int AS cases
		FROM rectification_cases c JOIN units u ON u.id = c.unit_id WHERE c.released
		GROUP BY u.id, u.name ORDER BY u.name, u.id`)
}
