package callbacks

import (
	"context"
	"strconv"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/feedback"
	"minyi/internal/search"
)

// States of the call-back list.
const (
	// StatePending is 待回访: real-name cases with no call recorded yet,
	// the earliest call-back deadline first (overdue ones on top).
	StatePending = "pending"
	// StateCalled is 已回访: cases called at least once, latest call first.
	StateCalled = "called"
	// StateAll is every real-name case, newest first.
	StateAll = "all"
)

// States are the list's states in the order the page offers them.
var States = []struct{ Key, Label string }{
	{StatePending, "待回访"},
	{StateCalled, "已回访"},
	{StateAll, "全部"},
}

// StateLabel is the Chinese name of a state of the list.
func StateLabel(state string) string {
	for _, s := range States {
		if s.Key == state {
			return s.Label
		}
	}
	return state
}

// ParseState reads a state of the list: StatePending when v is empty.
func ParseState(v string) (string, error) {
	if v == "" {
		return StatePending, nil
	}
	for _, s := range States {
		if s.Key == v {
			return v, nil
		}
	}
	return "", apperr.InvalidField("state", "回访状态只能是待回访（pending）、已回访（called）或全部（all）")
}

// ListFilter selects the cases of the call-back list.
type ListFilter struct {
	// UnitID is the one unit whose cases are listed (a unit user's own).
	UnitID *int64
	State  string // StatePending (when empty), StateCalled or StateAll
	// Q narrows to the cases whose texts hold every term (the problem, the
	// case's updates and call-back notes; see feedback.CaseTextIDs).
	Q search.Keyword
	// Today (YYYY-MM-DD) is the date overdue call-backs are marked against.
	Today         string
	Limit, Offset int
}

// stateSQL is each state's condition, order and order column; each
// matches a partial index of migration 0084, so a page is an index walk
// that stops at its last row (whatever the years of cases behind it), and
// a keyword's matches are looked up for each of the state's cases on an
// index-only scan of it (feedback.CaseTextMatch).
var stateSQL = map[string][3]string{
	StatePending: {` AND c.last_called_at IS NULL`, ` ORDER BY c.callback_due, c.id DESC`, `c.callback_due`},
	StateCalled:  {` AND c.last_called_at IS NOT NULL`, ` ORDER BY c.last_called_at DESC, c.id DESC`, `c.last_called_at`},
	StateAll:     {``, ` ORDER BY c.created_at DESC, c.id DESC`, `c.created_at`},
}

// ListCallbackCases returns a page of the real-name cases (a call-back is
// possible) in f's state and how many there are in all.
func ListCallbackCases(ctx context.Context, q db.DBTX, f ListFilter) ([]Case, int, error) {
	if f.State == "" {
		f.State = StatePending
	}
	st, ok := stateSQL[f.State]
	if !ok {
		return nil, 0, apperr.InvalidField("state", "回访状态无效")
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	// Only the conditions set are written (as feedback.CaseFilter does):
	// a generic plan of "($1 IS NULL OR c.unit_id = $1)" reads every case.
	where := ` WHERE c.real_name` + st[0]
	if f.UnitID != nil {
		where += ` AND c.unit_id = ` + arg(*f.UnitID)
	}
	switch {
	case f.Q.IsZero():
	case f.UnitID != nil:
		// One unit's real-name cases: check their texts one by one.
		where += ` AND ` + feedback.CaseTextHolds(f.Q, "c", arg)
	default:
		// Every unit's: the state's cases, each looked up in the sets
		// of matches.
		where += ` AND ` + feedback.CaseTextMatch(f.Q, "c", arg)
	}
	if !f.Q.IsZero() {
		return keywordPage(ctx, q, f, where, st, args)
	}
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM rectification_cases c`+where, args...).Scan(&total); err != nil {
		return nil, 0, db.Err(err)
	}
	if total == 0 || f.Offset >= total {
		return nil, total, nil
	}
	limit, offset := arg(f.Limit), arg(f.Offset)
	list, err := collect[Case](ctx, q, caseSQL+where+st[1]+` LIMIT `+limit+` OFFSET `+offset, args...)
	for i := range list {
		list[i].mark(f.Today)
	}
	return list, total, err
}

// keywordPage is ListCallbackCases with a keyword: the matching cases are
// counted and paged once (feedback.MatchPage), and the page is then read
// by its ids.
func keywordPage(ctx context.Context, q db.DBTX, f ListFilter, where string, st [3]string, args []any) ([]Case, int, error) {
	order := st[1]
	total, ids, err := feedback.MatchPage(ctx, q, where, st[2], order, args, f.Limit, f.Offset)
	if err != nil {
		return nil, 0, err
	}
	if len(ids) == 0 {
		return nil, total, nil
	}
	list, err := collect[Case](ctx, q, caseSQL+` WHERE c.id = ANY($1)`+order, ids)
	for i := range list {
		list[i].mark(f.Today)
	}
	return list, total, err
}
