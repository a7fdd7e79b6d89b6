// Package todos builds the to-do list (待办) of the signed-in person: what
// is waiting for them, each item with its deadline counted in working days
// and a link to the page where it is done. Every item is read from the
// stored state (nothing is kept per person), so the list is the same on
// every instance and right after any change.
package todos

import (
	"context"
	"slices"
	"strconv"
	"time"

	"minyi/internal/db"
	"minyi/internal/users"
	"minyi/internal/workdays"
)

// Item kinds. The API gives them as they are; pages show Title.
const (
	// A unit's.
	KindCaseAnswer          = "case_answer"
	KindCaseReturned        = "case_returned"
	KindCaseFix             = "case_fix"
	KindTargetSheet         = "target_sheet"
	KindProgressReport      = "progress_report"
	KindSelfEvaluation      = "self_evaluation"
	KindReviewAnswered      = "review_answered"
	KindRectificationReport = "rectification_report"
	KindAssessorScoring     = "assessor_scoring"
	KindResultReceipt       = "result_receipt"
	// The office's.
	KindReviewBacklog     = "review_backlog"
	KindFeedbackAppeals   = "feedback_appeals"
	KindReviewApplication = "review_application"
	KindCallbacksDue      = "callbacks_due"
	KindCaseVerify        = "case_verify"
	KindOverdueCases      = "overdue_cases"
	KindSurveyClosing     = "survey_closing"
	KindCalendarMissing   = "calendar_missing"
	KindTargetApproval    = "target_approval"
	KindChangeRequests    = "change_requests"
	KindReportReceipt     = "report_receipt"
	KindPatternFlags      = "pattern_flags"
	KindDeductionProposal = "deduction_proposal"
	KindResultReceipts    = "result_receipts"
)

// Item is one thing waiting for the person.
type Item struct {
	Kind  string `json:"kind"`
	Title string `json:"title"`
	// Detail adds a line (the case's problem, the cycle's name).
	Detail   string `json:"detail,omitempty"`
	UnitID   *int64 `json:"unit_id"`
	UnitName string `json:"unit_name,omitempty"`
	// Count is how many things the item stands for, when it gathers them.
	Count int `json:"count,omitempty"`
	// CountText is Count as pages show it: grouped, "约 N" for an estimate.
	CountText string `json:"-"`
	// Due is the last day (YYYY-MM-DD), nil when the item has none.
	Due *string `json:"due"`
	// DueText says the deadline in working days: 今天到期, 还剩 3 个工作日,
	// 已逾期 2 个工作日.
	DueText string `json:"due_text,omitempty"`
	Overdue bool   `json:"overdue"`
	Link    string `json:"link"`
}

// Env is what the list needs besides the database: the time, the local
// time zone and the days of grace the office's items look ahead.
type Env struct {
	Now time.Time
	Loc *time.Location
	// ReviewPeriod is how far back the review backlog counts (the review
	// queue's default period).
	ReviewPeriod time.Duration
	// SurveyAhead is how many days before its close a survey shows.
	SurveyAhead int
}

func (e Env) today() time.Time {
	y, m, d := e.Now.In(e.Loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, e.Loc)
}

func (e Env) todayString() string { return e.today().Format(dateLayout) }

const dateLayout = "2006-01-02"

// source is one kind of to-do read from the database.
type source func(ctx context.Context, q db.DBTX, u users.User, env Env) ([]Item, error)

// For returns the user's to-do list: overdue items first, then by due date
// (items without one last), each kind in a fixed order. The sources read
// side by side on a pool. A leader has the approvals waiting for them.
func For(ctx context.Context, q db.DBTX, u users.User, env Env) ([]Item, error) {
	var srcs []source
	switch {
	case u.Role == users.RoleOffice:
		srcs = officeSources
	case u.Role == users.RoleUnit && u.UnitID != nil:
		srcs = unitSources
	case u.Role == users.RoleLeader:
		srcs = leaderSources
	default:
		return []Item{}, nil
	}
	found := make([][]Item, len(srcs))
	reads := make([]func(db.DBTX) error, len(srcs))
	for i, src := range srcs {
		reads[i] = func(q db.DBTX) (err error) { found[i], err = src(ctx, q, u, env); return err }
	}
	var cal *workdays.Calendar
	reads = append(reads, func(q db.DBTX) (err error) {
		// Last year to next: the due dates, and the office's missing years.
		y := env.today().Year()
		cal, err = workdays.Load(ctx, q, y-1, y+1)
		return err
	})
	if err := db.Parallel(q, reads...); err != nil {
		return nil, err
	}
	out := []Item{}
	for _, list := range found {
		out = append(out, list...)
	}
	if u.Role == users.RoleOffice {
		out = append(out, officeCalendar(cal, env)...)
	}
	today := env.today()
	for i := range out {
		out[i].describeDue(cal, today)
	}
	slices.SortStableFunc(out, func(a, b Item) int {
		switch {
		case a.Overdue != b.Overdue:
			if a.Overdue {
				return -1
			}
			return 1
		case (a.Due == nil) != (b.Due == nil):
			if a.Due != nil {
				return -1
			}
			return 1
		case a.Due != nil && *a.Due != *b.Due:
			if *a.Due < *b.Due {
				return -1
			}
			return 1
		}
		return kindRank[a.Kind] - kindRank[b.Kind]
	})
	return out, nil
}

// kindOrder ranks the kinds among items due the same day.
var kindOrder = []string{
	KindApproval, KindCaseAnswer, KindCaseReturned, KindCaseFix, KindResultReceipt, KindReviewAnswered, KindRectificationReport, KindTargetSheet,
	KindProgressReport, KindSelfEvalReport, KindSelfEvaluation, KindAssessorScoring,
	KindCallbacksDue, KindReviewApplication, KindResultReceipts, KindSelfEvalOverdue, KindOverdueCases, KindCaseVerify, KindReviewBacklog, KindFeedbackAppeals,
	KindPatternFlags, KindTargetApproval, KindChangeRequests, KindDeductionProposal, KindReportReceipt, KindSurveyClosing, KindCalendarMissing,
}

// kindRank is each kind's place in kindOrder.
var kindRank = func() map[string]int {
	m := map[string]int{}
	for i, k := range kindOrder {
		m[k] = i
	}
	return m
}()

// describeDue sets Overdue and DueText from Due on today's date.
func (it *Item) describeDue(cal *workdays.Calendar, today time.Time) {
	if it.Due == nil {
		return
	}
	due, err := time.ParseInLocation(dateLayout, *it.Due, today.Location())
	if err != nil {
		return
	}
	n, _ := cal.WorkdaysBetween(today, due)
	switch {
	case due.Before(today):
		it.Overdue = true
		late := max(1, -n)
		it.DueText = "已逾期 " + strconv.Itoa(late) + " 个工作日"
	case due.Equal(today):
		it.DueText = "今天到期"
	case n == 0:
		// Due on a day off after today with no working day between.
		it.DueText = "下一个工作日前到期"
	default:
		it.DueText = "还剩 " + strconv.Itoa(n) + " 个工作日"
	}
}

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }

// idLink is base followed by id.
func idLink(base string, id int64) string { return base + strconv.FormatInt(id, 10) }
