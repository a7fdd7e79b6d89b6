package approvals

import (
	"strings"
	"testing"
	"time"

	"minyi/internal/apperr"
)

func ptr(n int64) *int64 { return &n }

// pending is a request with the approvers given and decisions made by the
// first done of them, all approved.
func pending(approvers []int64, done int) Request {
	r := Request{Approvers: approvers, State: StatePending}
	for i := 0; i < done; i++ {
		r.Decisions = append(r.Decisions, Decision{Position: i, ApproverID: approvers[i], Decision: StateApproved})
	}
	if done < len(approvers) {
		r.CurrentApprover = ptr(approvers[done])
	}
	return r
}

// TestStep: leaders decide in order; the last approval approves, a return
// ends the request; a leader out of turn, someone not an approver, a
// decided request and a bad decision are refused.
func TestStep(t *testing.T) {
	approve := DecideInput{Decision: StateApproved}
	ret := DecideInput{Decision: StateReturned, Comment: "请核实位次调整依据"}
	tests := []struct {
		name      string
		r         Request
		by        int64
		in        DecideInput
		wantState string
		wantNext  int64 // 0: none
		wantCode  string
	}{
		{"first of two approves", pending([]int64{1, 2}, 0), 1, approve, StatePending, 2, ""},
		{"last approves", pending([]int64{1, 2}, 1), 2, approve, StateApproved, 0, ""},
		{"only one approves", pending([]int64{7}, 0), 7, approve, StateApproved, 0, ""},
		{"first returns", pending([]int64{1, 2}, 0), 1, ret, StateReturned, 0, ""},
		{"second returns after the first approved", pending([]int64{1, 2, 3}, 1), 2, ret, StateReturned, 0, ""},
		{"approval with a comment", pending([]int64{1}, 0), 1, DecideInput{Decision: StateApproved, Comment: "同意"}, StateApproved, 0, ""},
		{"second before the first", pending([]int64{1, 2}, 0), 2, approve, "", 0, apperr.Forbidden},
		{"not an approver", pending([]int64{1, 2}, 0), 9, approve, "", 0, apperr.Forbidden},
		{"first again after approving", pending([]int64{1, 2}, 1), 1, approve, "", 0, apperr.Conflict},
		{"already approved", Request{Approvers: []int64{1}, State: StateApproved,
			Decisions: []Decision{{ApproverID: 1, Decision: StateApproved}}}, 1, approve, "", 0, apperr.Conflict},
		{"already returned", Request{Approvers: []int64{1, 2}, State: StateReturned}, 2, approve, "", 0, apperr.Conflict},
		{"return without a comment", pending([]int64{1}, 0), 1, DecideInput{Decision: StateReturned, Comment: "  "}, "", 0, apperr.Invalid},
		{"no decision", pending([]int64{1}, 0), 1, DecideInput{Comment: "好"}, "", 0, apperr.Invalid},
		{"unknown decision", pending([]int64{1}, 0), 1, DecideInput{Decision: "maybe"}, "", 0, apperr.Invalid},
		{"comment too long", pending([]int64{1}, 0), 1, DecideInput{Decision: StateApproved, Comment: string(make([]rune, 501))}, "", 0, apperr.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state, next, err := Step(tt.r, tt.by, tt.in)
			if tt.wantCode != "" {
				if !apperr.Is(err, tt.wantCode) {
					t.Fatalf("err %v, want %s", err, tt.wantCode)
				}
				if apperr.From(err).Message == "" {
					t.Error("no message")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var gotNext int64
			if next != nil {
				gotNext = *next
			}
			if state != tt.wantState || gotNext != tt.wantNext {
				t.Errorf("state %s next %d, want %s %d", state, gotNext, tt.wantState, tt.wantNext)
			}
		})
	}
}

// TestReady: without approvers an item takes effect as before; with them,
// only once its newest request (made since the given time) is approved for
// the same figures; a pending or returned request, none, an old one or
// other figures block it.
func TestReady(t *testing.T) {
	at := time.Date(2027, 1, 20, 9, 0, 0, 0, time.UTC)
	hash := "ab12"
	other := "cd34"
	approved := &Request{Approvers: []int64{1, 2}, State: StateApproved, SubmittedAt: at, Snapshot: &hash}
	returned := &Request{Approvers: []int64{1, 2}, State: StateReturned, SubmittedAt: at,
		Decisions: []Decision{{ApproverID: 1, Decision: StateReturned, Comment: "请核实"}}}
	waiting := &Request{Approvers: []int64{1, 2}, ApproverNames: []string{"张", "李"}, State: StatePending,
		CurrentApprover: ptr(2), SubmittedAt: at, Snapshot: &hash}
	changed := &Request{Approvers: []int64{1}, State: StateApproved, SubmittedAt: at, Snapshot: &other}
	tests := []struct {
		name      string
		approvers []int64
		latest    *Request
		since     time.Time
		snapshot  string
		ok        bool
		says      string
	}{
		{"none configured, no request", nil, nil, time.Time{}, hash, true, ""},
		{"none configured, a returned request", []int64{}, returned, time.Time{}, hash, true, ""},
		{"configured, no request", []int64{1, 2}, nil, time.Time{}, hash, false, "请先提请审批"},
		{"pending at the second", []int64{1, 2}, waiting, time.Time{}, hash, false, "待李审批"},
		{"returned", []int64{1, 2}, returned, time.Time{}, hash, false, "意见：请核实"},
		{"approved, same figures", []int64{1, 2}, approved, time.Time{}, hash, true, ""},
		{"approved, figures changed", []int64{1}, changed, time.Time{}, hash, false, "已有变化"},
		{"approved before a reopening", []int64{1, 2}, approved, at.Add(time.Hour), hash, false, "请先提请审批"},
		{"approved, no snapshot asked (a sheet)", []int64{1, 2}, approved, time.Time{}, "", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Ready(tt.approvers, tt.latest, tt.since, tt.snapshot, "最终考核结果")
			if tt.ok != (err == nil) {
				t.Fatalf("err %v, want ok %v", err, tt.ok)
			}
			if err != nil {
				if !apperr.Is(err, apperr.Conflict) || !contains(apperr.From(err).Message, tt.says) {
					t.Errorf("err %v, want conflict saying %q", err, tt.says)
				}
			}
		})
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// TestCanWithdraw: a pending request may be withdrawn before any leader
// decides and between two approvals; an approved, returned or withdrawn
// one may not (conflict, in Chinese); Ready refuses a withdrawn request.
func TestCanWithdraw(t *testing.T) {
	tests := []struct {
		name string
		r    Request
		ok   bool
	}{
		{"no leader decided", pending([]int64{1, 2}, 0), true},
		{"between two leaders", pending([]int64{1, 2}, 1), true},
		{"approved by the last", Request{Approvers: []int64{1}, State: StateApproved}, false},
		{"returned", Request{Approvers: []int64{1}, State: StateReturned}, false},
		{"withdrawn already", Request{Approvers: []int64{1}, State: StateWithdrawn}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CanWithdraw(tt.r)
			if tt.ok != (err == nil) {
				t.Fatalf("err %v, want ok %v", err, tt.ok)
			}
			if err != nil && (!apperr.Is(err, apperr.Conflict) || apperr.From(err).Message == "") {
				t.Errorf("err %v", err)
			}
		})
	}
	w := &Request{Approvers: []int64{1}, State: StateWithdrawn}
	if err := Ready([]int64{1}, w, time.Time{}, "", "目标责任书"); !apperr.Is(err, apperr.Conflict) || !contains(apperr.From(err).Message, "已撤回") {
		t.Errorf("Ready of a withdrawn request: %v", err)
	}
}
