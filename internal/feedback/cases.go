package feedback

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/search"
)

// Case statuses (see migrations/0015_cases.sql).
const (
	CaseSent         = "sent"
	CaseAnswered     = "answered"
	CaseDoneReported = "done_reported"
	CaseClosed       = "closed"
	CaseReturned     = "returned"
)

// CaseStatuses lists the statuses with their Chinese names, in workflow order.
var CaseStatuses = []struct{ Key, Label string }{
	{CaseSent, "已交办"},
	{CaseAnswered, "已答复"},
	{CaseDoneReported, "已报整改完成"},
	{CaseReturned, "已退回"},
	{CaseClosed, "已办结"},
}

// CaseStatusLabel returns the Chinese name of a case status.
func CaseStatusLabel(s string) string {
	for _, st := range CaseStatuses {
		if st.Key == s {
			return st.Label
		}
	}
	return s
}

// Source groups of cases; each has its answer period in case_settings.
const (
	GroupFeedback   = "feedback"
	GroupSurvey     = "survey"
	GroupMonitoring = "monitoring"
	GroupAssessment = "assessment"
	GroupCallback   = "callback"
)

// SourceGroups lists the groups of case_settings with their Chinese names.
var SourceGroups = []struct{ Key, Label string }{
	{GroupFeedback, "日常评价与留言（答复期限）"},
	{GroupSurvey, "年度问卷意见（答复期限）"},
	{GroupMonitoring, "目标监测发现问题（答复期限）"},
	{GroupAssessment, "考核结果改进建议（答复期限）"},
	{GroupCallback, "实名差评回访期限"},
}

// SourceKindLabel returns the Chinese name of a case's source kind.
func SourceKindLabel(kind string) string {
	switch kind {
	case KindRating:
		return "日常评价"
	case KindResponse:
		return "年度问卷意见"
	case "target":
		return "目标监测"
	case "result":
		return "考核结果改进建议"
	case KindAssessor:
		return "考评单位发现问题"
	case KindInspection:
		return "绩效办检查发现问题"
	}
	return kind
}

// Source is one feedback item a case was opened from.
type Source struct {
	Kind string `json:"kind" db:"source_kind"`
	ID   string `json:"id" db:"source_id"`
}

// Case is a rectification case (整改案件).
type Case struct {
	ID           int64      `json:"id" db:"id"`
	UnitID       int64      `json:"unit_id" db:"unit_id"`
	UnitName     string     `json:"unit_name" db:"unit_name"`
	Kind         string     `json:"source_kind" db:"source_kind"`
	SourceID     string     `json:"source_id" db:"source_id"`
	SourceGroup  string     `json:"source_group" db:"source_group"`
	CycleID      *int64     `json:"cycle_id" db:"cycle_id"`
	Problem      string     `json:"problem" db:"problem"`
	Status       string     `json:"status" db:"status"`
	RealName     bool       `json:"real_name" db:"real_name"`
	CreatedBy    *string    `json:"created_by" db:"created_by"`
	CreatedAt    time.Time  `json:"created_at" db:"created_at"`
	SentOn       *string    `json:"sent_on" db:"sent_on"`
	AnswerDue    *string    `json:"answer_due" db:"answer_due"`
	CallbackDue  *string    `json:"callback_due" db:"callback_due"`
	AnsweredAt   *time.Time `json:"answered_at" db:"answered_at"`
	Explanation  string     `json:"explanation" db:"explanation"`
	Responsible  string     `json:"responsible" db:"responsible"`
	Measures     string     `json:"measures" db:"measures"`
	Outcome      string     `json:"outcome" db:"outcome"`
	FixDue       *string    `json:"fix_due" db:"fix_due"`
	DoneAt       *time.Time `json:"done_at" db:"done_at"`
	DoneNote     string     `json:"done_note" db:"done_note"`
	DoneEvidence []string   `json:"done_evidence" db:"done_evidence"`
	ClosedAt     *time.Time `json:"closed_at" db:"closed_at"`
	ReturnReason string     `json:"return_reason" db:"return_reason"`
	Released     bool       `json:"released" db:"released"`
	Version      int        `json:"version" db:"version"`
	UpdatedAt    time.Time  `json:"updated_at" db:"updated_at"`
	Sources      []Source   `json:"sources" db:"sources"`
	// SourceCount is how many items the case merges: len(Sources), or,
	// on a list read with CaseFilter.SourceCount, the only figure read.
	SourceCount int `json:"source_count" db:"source_count"`
	// AssessorUnitID is the assessor unit (考评单位) that opened the case on
	// a problem it found (source kind KindAssessor); it follows the case.
	AssessorUnitID   *int64  `json:"assessor_unit_id" db:"assessor_unit_id"`
	AssessorUnitName *string `json:"assessor_unit_name" db:"assessor_unit_name"`

	// AnswerDueProvisional and CallbackDueProvisional mark a deadline
	// counted through a year without a working-day calendar (weekends
	// only, 暂定); entering the year recomputes it.
	AnswerDueProvisional   bool `json:"answer_due_provisional" db:"answer_due_provisional"`
	CallbackDueProvisional bool `json:"callback_due_provisional" db:"callback_due_provisional"`
}

// IDString is the case id as text.
func (c Case) IDString() string { return strconv.FormatInt(c.ID, 10) }

// StatusLabel is the Chinese name of the case's status.
func (c Case) StatusLabel() string { return CaseStatusLabel(c.Status) }

// SourceLabel is the Chinese name of the case's source kind.
func (c Case) SourceLabel() string { return SourceKindLabel(c.Kind) }

// Answered reports whether the unit has answered with a plan.
func (c Case) Answered() bool { return c.AnsweredAt != nil }

// AnswerOverdue reports whether the answer is late on today's date: today
// is after answer_due and the unit has not answered.
func (c Case) AnswerOverdue(today time.Time) bool {
	return c.AnswerDue != nil && c.AnsweredAt == nil && dayOf(today) > *c.AnswerDue
}

// FixOverdue reports whether the fix is late on today's date: today is
// after the unit's fix_due and the case is neither reported done nor closed.
func (c Case) FixOverdue(today time.Time) bool {
	return c.FixDue != nil && c.Status != CaseDoneReported && c.Status != CaseClosed && dayOf(today) > *c.FixDue
}

func dayOf(t time.Time) string { return t.Format(time.DateOnly) }

const caseSQL = `SELECT c.id, c.unit_id, u.name AS unit_name, c.source_kind, c.source_id, c.source_group, c.cycle_id,
	c.problem, c.status, c.real_name, cu.username AS created_by, c.created_at, c.sent_on::text AS sent_on, c.answer_due::text AS answer_due, c.callback_due::text AS callback_due,
	c.answer_due_provisional, c.callback_due_provisional,
	c.answered_at, c.explanation, c.responsible, c.measures, c.outcome, c.fix_due::text AS fix_due, c.done_at, c.done_note,
	c.done_evidence::text[] AS done_evidence, c.closed_at, c.return_reason, c.released, c.version, c.updated_at,
	c.assessor_unit_id, (SELECT a.name FROM units a WHERE a.id = c.assessor_unit_id) AS assessor_unit_name,
	src.sources, src.source_count
FROM {cases} c JOIN units u ON u.id = c.unit_id LEFT JOIN users cu ON cu.id = c.created_by
CROSS JOIN LATERAL (` + sourcesSQL + `) src`

// sourcesSQL is every item a case merges and their count, for caseSQL,
// in one read of the case's sources; sourceCountSQL only counts them.
const (
	sourcesSQL = `SELECT coalesce(jsonb_agg(jsonb_build_object('source_kind', s.source_kind, 'source_id', s.source_id)
		ORDER BY s.source_kind, s.source_id), '[]') AS sources, count(*) AS source_count
	FROM case_sources s WHERE s.case_id = c.id`
	sourceCountSQL = `SELECT '[]'::jsonb AS sources, count(*) AS source_count FROM case_sources s WHERE s.case_id = c.id`
)

// casesFrom is caseSQL over the cases of src: the table, or a page of it.
// A list picks its page first: otherwise each case's sources (a subquery)
// were gathered for every case the offset skips too (0.6 s for the
// hundredth page of 12,000 cases).
func casesFrom(src string) string { return strings.Replace(caseSQL, "{cases}", src, 1) }

// Overdue filters of CaseFilter.
const (
	OverdueAny    = "any"
	OverdueAnswer = "answer"
	OverdueFix    = "fix"
)

// CaseFilter selects cases. Today is the date overdue filters compare with.
type CaseFilter struct {
	UnitID *int64
	// AssessorUnitID selects the cases the assessor unit opened.
	AssessorUnitID *int64
	Status         string
	Overdue        string // "", OverdueAny, OverdueAnswer, OverdueFix
	Released       bool   // only released cases
	// Q narrows to the cases whose texts hold every term (CaseTextIDs).
	Q      search.Keyword
	Today  time.Time
	Limit  int
	Offset int
	// SourceCount reads only how many items each case merges (SourceCount),
	// leaving Sources empty: what a page of the list shows. A case merges
	// up to fifty items and each of a page's cases would send them all.
	SourceCount bool
}

const overdueAnswerSQL = `(c.answer_due IS NOT NULL AND c.answered_at IS NULL AND c.answer_due < $3::date)`
const overdueFixSQL = `(c.fix_due IS NOT NULL AND c.status NOT IN ('done_reported', 'closed') AND c.fix_due < $3::date)`

// OverdueAnswerSQL is the condition that the case of alias a has an answer
// overdue on the date of parameter p (e.g. "$1").
func OverdueAnswerSQL(a, p string) string {
	return strings.NewReplacer("c.", a+".", "$3", p).Replace(overdueAnswerSQL)
}

// OverdueFixSQL is the condition that the case of alias a has a fix
// overdue on the date of parameter p.
func OverdueFixSQL(a, p string) string {
	return strings.NewReplacer("c.", a+".", "$3", p).Replace(overdueFixSQL)
}

// openCasesSQL is the states a case can be overdue in (answered_at is set
// on the first answer, and a case is reported done only once answered), so
// that overdue filters read the partial index of open cases.
const openCasesSQL = `c.status IN ('sent', 'answered', 'returned')`

// where is the filter's condition over rectification_cases c with its
// arguments. Only the conditions the filter sets are written: a generic
// plan of "($1 IS NULL OR c.unit_id = $1)" read the whole table (55 ms
// over five years of a province's cases) to find one unit's sixty.
func (f CaseFilter) where() (string, []any) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	conds := []string{"true"}
	if f.UnitID != nil {
		conds = append(conds, "c.unit_id = "+arg(*f.UnitID))
	}
	if f.AssessorUnitID != nil {
		conds = append(conds, "c.assessor_unit_id = "+arg(*f.AssessorUnitID))
	}
	if f.Status != "" {
		conds = append(conds, "c.status = "+arg(f.Status))
	}
	if f.Released {
		conds = append(conds, "c.released")
	}
	switch {
	case f.Q.IsZero():
	case f.UnitID != nil || f.AssessorUnitID != nil:
		// One unit's cases: check their texts (CaseTextHolds).
		conds = append(conds, CaseTextHolds(f.Q, "c", arg))
	default:
		conds = append(conds, "c.id IN ("+CaseTextIDs(f.Q, arg)+")")
	}
	if f.Overdue != "" {
		today := arg(dayOf(f.Today))
		switch f.Overdue {
		case OverdueAnswer:
			conds = append(conds, openCasesSQL, OverdueAnswerSQL("c", today))
		case OverdueFix:
			conds = append(conds, openCasesSQL, OverdueFixSQL("c", today))
		case OverdueAny:
			conds = append(conds, openCasesSQL, "("+OverdueAnswerSQL("c", today)+" OR "+OverdueFixSQL("c", today)+")")
		}
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// ListCases returns cases newest first and how many match.
func ListCases(ctx context.Context, q db.DBTX, f CaseFilter) ([]Case, int, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	if f.Today.IsZero() {
		f.Today = time.Now()
	}
	w, args := f.where()
	const order = ` ORDER BY c.created_at DESC, c.id DESC`
	if !f.Q.IsZero() {
		return keywordCases(ctx, q, f, w, order, args)
	}
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM rectification_cases c`+w, args...).Scan(&total); err != nil {
		return nil, 0, db.Err(err)
	}
	// The page's ids are sorted alone: sorting whole rows past the offset
	// spilled to disk (the hundredth page of 12,000 cases: 49 ms, 12 ms now).
	limit, offset := "$"+strconv.Itoa(len(args)+1), "$"+strconv.Itoa(len(args)+2)
	page := `(SELECT * FROM rectification_cases WHERE id IN (SELECT c.id FROM rectification_cases c` + w + order +
		` LIMIT ` + limit + ` OFFSET ` + offset + `))`
	list, err := collect[Case](ctx, q, listSQL(page, f.SourceCount)+order, append(args, f.Limit, f.Offset)...)
	return list, total, err
}

// keywordCases is ListCases with a keyword: the matching cases are
// counted and paged once (MatchPage) and the page is read by its ids.
func keywordCases(ctx context.Context, q db.DBTX, f CaseFilter, w, order string, args []any) ([]Case, int, error) {
	total, ids, err := MatchPage(ctx, q, w, "c.created_at", order, args, f.Limit, f.Offset)
	if err != nil || len(ids) == 0 {
		return []Case{}, total, err
	}
	sql := listSQL(`(SELECT * FROM rectification_cases WHERE id = ANY($1))`, f.SourceCount)
	list, err := collect[Case](ctx, q, sql+order, ids)
	return list, total, err
}

// listSQL is casesFrom(src) for a list: with sourceCount, each case's
// count of items instead of the items (CaseFilter.SourceCount).
func listSQL(src string, sourceCount bool) string {
	sql := casesFrom(src)
	if sourceCount {
		sql = strings.Replace(sql, sourcesSQL, sourceCountSQL, 1)
	}
	return sql
}

// FindCase returns one case, or not_found.
func FindCase(ctx context.Context, q db.DBTX, id int64) (Case, error) {
	return findOne[Case](ctx, q, "整改案件不存在", casesFrom("rectification_cases")+` WHERE c.id = $1`, id)
}

// findOne runs a query for exactly one row; no row is not_found with msg.
func findOne[T any](ctx context.Context, q db.DBTX, msg, sql string, args ...any) (T, error) {
	rows, _ := q.Query(ctx, sql, args...)
	v, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[T])
	if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
		err = apperr.New(apperr.NotFound, msg)
	}
	return v, err
}

// collect runs a query for a list, never nil.
func collect[T any](ctx context.Context, q db.DBTX, sql string, args ...any) ([]T, error) {
	rows, _ := q.Query(ctx, sql, args...)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[T])
	if list == nil {
		list = []T{}
	}
	return list, db.Err(err)
}
