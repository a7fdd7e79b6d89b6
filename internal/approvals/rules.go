// Package approvals holds approvals above the office (issue 16 part 3):
// an item the office has prepared — a cycle's final results, a target
// sheet — waits for the leaders a cycle names (internal/cycles Release),
// one after the other, before it takes effect. Each leader approves or
// returns it with a comment; a return ends the request and the office
// submits again. Requests and decisions are stored (migration 0064) and
// make the item's timeline. The rules (Step, Ready) are pure functions.
package approvals

import (
	"strings"
	"time"
	"unicode/utf8"

	"minyi/internal/apperr"
)

// Subjects: what a request asks to approve.
const (
	SubjectResults     = "results"      // a cycle's final results; subject id is the cycle's
	SubjectTargetSheet = "target_sheet" // a unit's target sheet; subject id is the sheet's
	// SubjectTargetChange: a change request of an approved target sheet;
	// subject id is the sheet's (one change request is open at a time).
	SubjectTargetChange = "target_change"
)

// States of a request, and the decisions an approver makes.
const (
	StatePending  = "pending"
	StateApproved = "approved"
	StateReturned = "returned"
	// StateWithdrawn: the office withdrew the request before the last
	// approval (withdraw.go); the item is back with the office.
	StateWithdrawn = "withdrawn"
)

// MaxComment is the longest comment, in characters.
const MaxComment = 500

// Request is one request for approval with its decisions so far.
type Request struct {
	ID        int64  `json:"id" db:"id"`
	CycleID   int64  `json:"cycle_id" db:"cycle_id"`
	CycleName string `json:"cycle_name" db:"cycle_name"`
	Subject   string `json:"subject" db:"subject"`
	SubjectID int64  `json:"subject_id" db:"subject_id"`
	Title     string `json:"title" db:"title"`
	// Approvers are the leaders' accounts in order, as when submitted.
	Approvers       []int64 `json:"approvers" db:"approvers"`
	State           string  `json:"state" db:"state"`
	CurrentApprover *int64  `json:"current_approver" db:"current_approver"`
	// Snapshot is the hash (hex) of the results approved; nil for sheets.
	Snapshot    *string    `json:"snapshot_sha256" db:"snapshot_sha256"`
	SubmittedBy *string    `json:"submitted_by" db:"submitted_by"`
	SubmittedAt time.Time  `json:"submitted_at" db:"submitted_at"`
	DecidedAt   *time.Time `json:"decided_at" db:"decided_at"`
	// WithdrawnBy and WithdrawComment say who withdrew it and why.
	WithdrawnBy     *string    `json:"withdrawn_by" db:"withdrawn_by"`
	WithdrawComment string     `json:"withdraw_comment" db:"withdraw_comment"`
	Decisions       []Decision `json:"decisions" db:"-"`
	// ApproverNames are the approvers' names in order.
	ApproverNames []string `json:"approver_names" db:"-"`
}

// Decision is one approver's approval or return, with the comment.
type Decision struct {
	Position   int       `json:"position" db:"position"`
	ApproverID int64     `json:"approver_id" db:"approver_id"`
	Approver   string    `json:"approver" db:"approver"`
	Decision   string    `json:"decision" db:"decision"`
	Comment    string    `json:"comment" db:"comment"`
	DecidedAt  time.Time `json:"decided_at" db:"decided_at"`
}

// StateLabel is a request's state in Chinese.
func StateLabel(s string) string {
	switch s {
	case StatePending:
		return "审批中"
	case StateApproved:
		return "审批通过"
	case StateReturned:
		return "已退回"
	case StateWithdrawn:
		return "已撤回"
	}
	return s
}

// DecisionLabel is a decision in Chinese.
func DecisionLabel(d string) string {
	switch d {
	case StateApproved:
		return "同意"
	case StateReturned:
		return "退回"
	}
	return d
}

// StateLabel is the request's state in Chinese, naming whose turn it is.
func (r Request) StateLabel() string {
	if r.State == StatePending && r.CurrentApprover != nil {
		if n := r.nameOf(*r.CurrentApprover); n != "" {
			return "待" + n + "审批"
		}
	}
	return StateLabel(r.State)
}

func (r Request) nameOf(id int64) string {
	for i, a := range r.Approvers {
		if a == id && i < len(r.ApproverNames) {
			return r.ApproverNames[i]
		}
	}
	return ""
}

// DecideInput is an approver's decision.
type DecideInput struct {
	// Decision: "approved" (同意) or "returned" (退回).
	Decision string `json:"decision"`
	Comment  string `json:"comment"`
}

// Validate checks the decision and the comment (required to return).
func (in DecideInput) Validate() error {
	f := apperr.Fields{}
	if in.Decision != StateApproved && in.Decision != StateReturned {
		f.Add("decision", "请选择同意或退回")
	}
	c := strings.TrimSpace(in.Comment)
	switch {
	case utf8.RuneCountInString(c) > MaxComment:
		f.Add("comment", "审批意见不能超过500字")
	case c == "" && in.Decision == StateReturned:
		f.Add("comment", "退回时请填写审批意见")
	}
	return f.Err()
}

// Step applies approverID's decision to r, which has its decisions so
// far: it returns the new state and, while pending, whose turn it is next.
// It refuses (invalid) a bad decision, (conflict) a request no longer
// pending or already decided by the approver, and (forbidden) an approver
// whose turn it is not.
func Step(r Request, approverID int64, in DecideInput) (state string, next *int64, err error) {
	if err := in.Validate(); err != nil {
		return "", nil, err
	}
	if r.State != StatePending {
		return "", nil, apperr.New(apperr.Conflict, "该事项的审批已结束（"+StateLabel(r.State)+"），不需要再审批")
	}
	for _, d := range r.Decisions {
		if d.ApproverID == approverID {
			return "", nil, apperr.New(apperr.Conflict, "您已审批过该事项（"+DecisionLabel(d.Decision)+"），不能重复审批")
		}
	}
	pos := len(r.Decisions)
	if r.CurrentApprover == nil || *r.CurrentApprover != approverID || pos >= len(r.Approvers) || r.Approvers[pos] != approverID {
		for _, a := range r.Approvers {
			if a == approverID {
				return "", nil, apperr.New(apperr.Forbidden, "尚未轮到您审批，请等前一位审批人审批后再处理")
			}
		}
		return "", nil, apperr.New(apperr.Forbidden, "您不是该事项的审批人")
	}
	if in.Decision == StateReturned {
		return StateReturned, nil, nil
	}
	if pos+1 == len(r.Approvers) {
		return StateApproved, nil, nil
	}
	n := r.Approvers[pos+1]
	return StatePending, &n, nil
}

// Ready says whether an item whose step has the given approvers may take
// effect, given its newest request (nil: none) submitted at or after since
// (older ones do not count; zero since: any). snapshot, when not "", must
// be the approved request's: other figures need a new approval. It
// returns nil, or a conflict saying in Chinese what is missing.
func Ready(approvers []int64, latest *Request, since time.Time, snapshot, what string) error {
	if len(approvers) == 0 {
		return nil
	}
	if latest == nil || latest.SubmittedAt.Before(since) {
		return apperr.New(apperr.Conflict, what+"须经领导审批后才能生效，请先提请审批")
	}
	switch latest.State {
	case StatePending:
		return apperr.New(apperr.Conflict, what+"正在审批中（"+latest.StateLabel()+"），全部审批通过后才能生效")
	case StateReturned:
		msg := what + "已被领导退回"
		if n := len(latest.Decisions); n > 0 && latest.Decisions[n-1].Comment != "" {
			msg += "（意见：" + latest.Decisions[n-1].Comment + "）"
		}
		return apperr.New(apperr.Conflict, msg+"，请修改后重新提请审批")
	case StateWithdrawn:
		return apperr.New(apperr.Conflict, what+"的审批已撤回，请重新提请审批")
	}
	if snapshot != "" && (latest.Snapshot == nil || *latest.Snapshot != snapshot) {
		return apperr.New(apperr.Conflict, what+"自审批通过后已有变化，须重新提请审批")
	}
	return nil
}

// Label is the decision in Chinese.
func (d Decision) Label() string { return DecisionLabel(d.Decision) }

// SubjectLabel names what a request asks to approve.
func (r Request) SubjectLabel() string {
	switch r.Subject {
	case SubjectTargetSheet:
		return "目标责任书"
	case SubjectTargetChange:
		return "目标调整申请"
	}
	return "考核结果"
}

// Waits reports whether it is userID's turn to decide.
func (r Request) Waits(userID int64) bool {
	return r.State == StatePending && r.CurrentApprover != nil && *r.CurrentApprover == userID
}
