// Package callbacks holds the call-backs (回访) of real-name feedback, the
// citizen's one-time follow-up rating of a fix (追评), deduction proposals
// from overdue cases and the carrying of key cases into next year's targets.
package callbacks

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
	"minyi/internal/secure"
)

// Call-back outcomes.
const (
	Satisfied   = "satisfied"
	Unsatisfied = "unsatisfied"
	Unreachable = "unreachable"
)

// OutcomeLabel returns the Chinese name of a call-back outcome.
func OutcomeLabel(o string) string {
	switch o {
	case Satisfied:
		return "满意"
	case Unsatisfied:
		return "不满意"
	case Unreachable:
		return "未接通"
	}
	return o
}

// Case is what a call-back page needs of a rectification case.
type Case struct {
	ID          int64   `json:"id" db:"id"`
	UnitID      int64   `json:"unit_id" db:"unit_id"`
	UnitName    string  `json:"unit_name" db:"unit_name"`
	Problem     string  `json:"problem" db:"problem"`
	Status      string  `json:"status" db:"status"`
	RealName    bool    `json:"real_name" db:"real_name"`
	CallbackDue *string `json:"callback_due" db:"callback_due"`
	Measures    string  `json:"measures" db:"measures"`
	Carry       bool    `json:"carry_to_targets" db:"carry_to_targets"`
	Calls       int     `json:"calls" db:"calls"`
	// LastCalledAt is the time of the latest call-back, nil before the first.
	LastCalledAt *time.Time `json:"last_called_at" db:"last_called_at"`
	// Overdue: the call-back deadline has passed and nobody has called yet.
	Overdue bool `json:"callback_overdue" db:"-"`
	// CallbackDueProvisional marks a deadline counted through a year
	// without a working-day calendar (weekends only, 暂定).
	CallbackDueProvisional bool `json:"callback_due_provisional" db:"callback_due_provisional"`
}

const caseSQL = `SELECT c.id, c.unit_id, u.name AS unit_name, c.problem, c.status, c.real_name,
	to_char(c.callback_due, 'YYYY-MM-DD') AS callback_due, c.callback_due_provisional, c.measures, c.carry_to_targets,
	c.last_called_at, (SELECT count(*)::int FROM case_callbacks cb WHERE cb.case_id = c.id) AS calls
FROM rectification_cases c JOIN units u ON u.id = c.unit_id`

// StatusLabel is the Chinese name of the case's status.
func (c Case) StatusLabel() string { return feedback.CaseStatusLabel(c.Status) }

func (c *Case) mark(today string) {
	c.Overdue = c.RealName && c.Calls == 0 && c.CallbackDue != nil && *c.CallbackDue < today
}

// FindCase returns one case with its call-back state on day today
// (YYYY-MM-DD), or not_found.
func FindCase(ctx context.Context, q db.DBTX, id int64, today string) (Case, error) {
	rows, _ := q.Query(ctx, caseSQL+` WHERE c.id = $1`, id)
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Case])
	if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
		return c, apperr.New(apperr.NotFound, "整改案件不存在")
	}
	c.mark(today)
	return c, err
}

// Phone is a phone number left on a source rating of a case: Number is the
// decrypted number for the roles that call back, else the mask.
type Phone struct {
	CaseID   int64  `json:"-" db:"case_id"`
	RatingID string `json:"rating_id" db:"rating_id"`
	Number   string `json:"number" db:"-"`
	Full     bool   `json:"full" db:"-"`
	Mask     string `json:"-" db:"phone_mask"`
	Enc      []byte `json:"-" db:"phone_enc"`
}

// Phones returns the phone numbers of the case's source ratings, decrypted
// when full is true and masked otherwise.
func Phones(ctx context.Context, q db.DBTX, keys *secure.Keys, caseID int64, full bool) ([]Phone, error) {
	m, err := PhonesOf(ctx, q, keys, []int64{caseID}, full)
	return orEmpty(m[caseID]), err
}

// PhonesOf is Phones of each of the cases, in one read: an export's page
// of 500 cases read them case by case in 500 statements, each planned
// over every partition of the ratings (a millisecond apiece at five
// years).
func PhonesOf(ctx context.Context, q db.DBTX, keys *secure.Keys, caseIDs []int64, full bool) (map[int64][]Phone, error) {
	list, err := collect[Phone](ctx, q, `SELECT s.case_id, r.id::text AS rating_id, coalesce(r.phone_mask, '') AS phone_mask,
		r.phone_enc FROM case_sources s JOIN ratings r ON s.source_kind = 'rating' AND r.id = s.source_id::uuid
		WHERE s.case_id = ANY($1) AND r.phone_enc IS NOT NULL ORDER BY s.case_id, r.rated_at`, caseIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]Phone, len(caseIDs))
	for _, p := range list {
		p.Number = p.Mask
		if full {
			if n, err := keys.Decrypt(p.Enc); err == nil {
				p.Number, p.Full = n, true
			}
		}
		p.Enc = nil
		out[p.CaseID] = append(out[p.CaseID], p)
	}
	return out, nil
}

// Call is one recorded call-back attempt.
type Call struct {
	ID         int64     `json:"id" db:"id"`
	CaseID     int64     `json:"case_id" db:"case_id"`
	CallerUser *string   `json:"caller_user" db:"caller_user"`
	CallerName string    `json:"caller_name" db:"caller_name"`
	CalledAt   time.Time `json:"called_at" db:"called_at"`
	Said       string    `json:"said" db:"said"`
	Outcome    string    `json:"outcome" db:"outcome"`
}

// OutcomeLabel is the Chinese name of the call's outcome.
func (c Call) OutcomeLabel() string { return OutcomeLabel(c.Outcome) }

// ListCalls returns a case's call-backs, oldest first.
func ListCalls(ctx context.Context, q db.DBTX, caseID int64) ([]Call, error) {
	m, err := CallsOf(ctx, q, []int64{caseID})
	return orEmpty(m[caseID]), err
}

// CallsOf is ListCalls of each of the cases, in one read (see PhonesOf).
func CallsOf(ctx context.Context, q db.DBTX, caseIDs []int64) (map[int64][]Call, error) {
	list, err := collect[Call](ctx, q, `SELECT cb.id, cb.case_id, u.username AS caller_user, cb.caller_name, cb.called_at,
		cb.said, cb.outcome FROM case_callbacks cb LEFT JOIN users u ON u.id = cb.caller_id
		WHERE cb.case_id = ANY($1) ORDER BY cb.case_id, cb.called_at, cb.id`, caseIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]Call, len(caseIDs))
	for _, c := range list {
		out[c.CaseID] = append(out[c.CaseID], c)
	}
	return out, nil
}

// CallInput is a call-back as staff record it. CalledAt empty means now.
type CallInput struct {
	CallerName string `json:"caller_name"`
	CalledAt   string `json:"called_at"`
	Said       string `json:"said"`
	Outcome    string `json:"outcome"`
	ClientKey  string `json:"client_key"`
}

// Validate normalizes the input and returns the call time.
func (in *CallInput) Validate(now time.Time, loc *time.Location) (time.Time, error) {
	in.CallerName, in.Said = strings.TrimSpace(in.CallerName), strings.TrimSpace(in.Said)
	in.CalledAt, in.ClientKey = strings.TrimSpace(in.CalledAt), strings.TrimSpace(in.ClientKey)
	f := apperr.Fields{}
	if utf8.RuneCountInString(in.CallerName) > 50 {
		f.Add("caller_name", "回访人姓名不能超过50字")
	}
	if utf8.RuneCountInString(in.Said) > 2000 {
		f.Add("said", "群众意见不能超过2000字")
	}
	if in.Outcome != Satisfied && in.Outcome != Unsatisfied && in.Outcome != Unreachable {
		f.Add("outcome", "请选择回访结果：满意、不满意或未接通")
	}
	if in.Outcome != Unreachable && in.Outcome != "" && in.Said == "" {
		f.Add("said", "请记录群众的意见")
	}
	if utf8.RuneCountInString(in.ClientKey) > 100 {
		f.Add("client_key", "client_key 不能超过100个字符")
	}
	at := now
	if in.CalledAt != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", in.CalledAt, loc)
		if err != nil {
			t, err = time.Parse(time.RFC3339, in.CalledAt)
		}
		switch {
		case err != nil:
			f.Add("called_at", "回访时间格式应为 YYYY-MM-DDTHH:MM")
		case t.After(now.Add(5 * time.Minute)):
			f.Add("called_at", "回访时间不能晚于现在")
		default:
			at = t
		}
	}
	return at, f.Err()
}

// RecordCall stores one call-back attempt of a real-name case and records
// it in the audit log. A retry with the same client_key returns the first
// call (created false).
func RecordCall(ctx context.Context, tx pgx.Tx, actor audit.Actor, caseID int64, in CallInput, now time.Time, loc *time.Location) (Call, bool, error) {
	at, err := in.Validate(now, loc)
	if err != nil {
		return Call{}, false, err
	}
	var realName bool
	if err := tx.QueryRow(ctx, `SELECT real_name FROM rectification_cases WHERE id = $1 FOR UPDATE`, caseID).Scan(&realName); err != nil {
		return Call{}, false, notFound(db.Err(err))
	}
	if !realName {
		return Call{}, false, apperr.New(apperr.Conflict, "该案件的来源评价未留电话，无法回访")
	}
	if in.ClientKey != "" {
		var id int64
		err := tx.QueryRow(ctx, `SELECT id FROM case_callbacks WHERE case_id = $1 AND client_key = $2`, caseID, in.ClientKey).Scan(&id)
		if err == nil {
			c, err := findCall(ctx, tx, id)
			return c, false, err
		}
		if err != pgx.ErrNoRows {
			return Call{}, false, db.Err(err)
		}
	}
	// The case's latest call (the call-back list's states read it; a call
	// entered late may be older than one already recorded).
	if _, err := tx.Exec(ctx, `UPDATE rectification_cases SET last_called_at = greatest(last_called_at, $2) WHERE id = $1`,
		caseID, at); err != nil {
		return Call{}, false, db.Err(err)
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO case_callbacks (case_id, caller_id, caller_name, called_at, said, outcome, client_key, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, caseID, actorID(actor), in.CallerName, at, in.Said, in.Outcome,
		nullString(in.ClientKey), now).Scan(&id)
	if err != nil {
		return Call{}, false, db.Err(err)
	}
	c, err := findCall(ctx, tx, id)
	if err != nil {
		return Call{}, false, err
	}
	return c, true, audit.Record(ctx, tx, actor, "case.callback", "case", strconv.FormatInt(caseID, 10), nil, c)
}

func findCall(ctx context.Context, q db.DBTX, id int64) (Call, error) {
	list, err := collect[Call](ctx, q, `SELECT cb.id, cb.case_id, u.username AS caller_user, cb.caller_name, cb.called_at,
		cb.said, cb.outcome FROM case_callbacks cb LEFT JOIN users u ON u.id = cb.caller_id WHERE cb.id = $1`, id)
	if err == nil && len(list) == 0 {
		err = apperr.New(apperr.NotFound, "回访记录不存在")
	}
	if err != nil {
		return Call{}, err
	}
	return list[0], nil
}

// collect runs a query for a list, never nil.
func collect[T any](ctx context.Context, q db.DBTX, sql string, args ...any) ([]T, error) {
	rows, _ := q.Query(ctx, sql, args...)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[T])
	return orEmpty(list), db.Err(err)
}

// orEmpty is list, or an empty list for nil (an answer's [] in JSON).
func orEmpty[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

func notFound(err error) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.New(apperr.NotFound, "整改案件不存在")
	}
	return err
}

func actorID(a audit.Actor) *int64 {
	if a.ID == 0 {
		return nil
	}
	return &a.ID
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
