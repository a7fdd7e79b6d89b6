// Package approvalsapp serves the leaders' approvals (领导审批, issue 16
// part 3) over HTTP: the list of what waits for the signed-in leader (the
// office sees every pending request), one request with its timeline, and
// the leader's decision — approve, or return with a comment — and the
// office's withdrawal of a pending request, in the API
// (`/api/v1/approvals…`) and the console (`/console/approvals…`). The
// rules are internal/approvals; the items' own pages (results, target
// sheets) submit them.
package approvalsapp

import (
	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/approvals"
	"minyi/internal/httpx"
	"minyi/internal/targets"
	"minyi/internal/users"
)

// Handlers serve the approvals' routes; internal/server routes to them.
type Handlers struct{ *httpx.App }

// New returns the handlers over app.
func New(app *httpx.App) *Handlers { return &Handlers{App: app} }

// Flashes are the messages the approvals' pages may show after a redirect.
var Flashes = map[string]string{
	"approval_approved":  "已同意，审批意见已记录。",
	"approval_returned":  "已退回，绩效办将收到您的审批意见。",
	"approval_withdrawn": "已撤回，领导不再需要审批该事项；事项已回到绩效办。",
}

// filterFor is the list the user sees: a leader's own turn, the office's
// every pending request; a unit account sees none (forbidden).
func filterFor(u users.User) (approvals.Filter, error) {
	switch u.Role {
	case users.RoleLeader:
		return approvals.Filter{Approver: u.ID}, nil
	case users.RoleOffice:
		return approvals.Filter{}, nil
	}
	return approvals.Filter{}, apperr.New(apperr.Forbidden, "只有领导和绩效办可以查看审批事项")
}

// canSee refuses a unit account a request.
func canSee(u users.User) error {
	if u.SeesAll() {
		return nil
	}
	return apperr.New(apperr.Forbidden, "只有领导和绩效办可以查看审批事项")
}

// decide records the leader's decision on request id in tx. Only a leader
// decides; Step refuses a leader whose turn it is not.
func decide(c *gin.Context, tx pgx.Tx, s *Handlers, id int64, in approvals.DecideInput) (approvals.Request, error) {
	u := httpx.CurrentUser(c)
	if u.Role != users.RoleLeader {
		return approvals.Request{}, apperr.New(apperr.Forbidden, "只有领导账号可以审批")
	}
	r, changed, err := approvals.Decide(c, tx, u.Actor(), s.Now(), id, in)
	if err != nil || !changed {
		return r, err
	}
	// The item follows its request's end: a sheet is published or
	// returned to its unit (results read the request when published).
	if r.Subject == approvals.SubjectTargetSheet || r.Subject == approvals.SubjectTargetChange {
		_, err = targets.LeaderDecided(c, tx, u.Actor(), r, s.Now())
	}
	return r, err
}

// withdraw ends request id in tx as withdrawn by the office and puts its
// item back with the office. Only the office withdraws.
func withdraw(c *gin.Context, tx pgx.Tx, s *Handlers, id int64, in approvals.WithdrawInput) (approvals.Request, error) {
	u := httpx.CurrentUser(c)
	if u.Role != users.RoleOffice {
		return approvals.Request{}, apperr.New(apperr.Forbidden, "只有绩效办可以撤回提请的审批")
	}
	r, changed, err := approvals.Withdraw(c, tx, u.Actor(), s.Now(), id, in)
	if err != nil || !changed {
		return r, err
	}
	return r, targets.Withdrawn(c, tx, u.Actor(), r, s.Now())
}
