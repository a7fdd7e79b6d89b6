package resultsapp

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/approvals"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/results"
)

// resultApprovals is the approval state of a cycle's final results: the
// approvers the cycle names and the requests so far (the timeline).
type resultApprovals struct {
	Release  cycles.Release      `json:"release"`
	Requests []approvals.Request `json:"requests"`
	Latest   *approvals.Request  `json:"latest"`
}

func loadResultApprovals(c *gin.Context, tx pgx.Tx, cycleID int64) (resultApprovals, error) {
	var a resultApprovals
	var err error
	if a.Release, err = cycles.LoadRelease(c, tx, cycleID); err != nil {
		return a, err
	}
	if a.Requests, err = results.ApprovalHistory(c, tx, cycleID); err != nil {
		return a, err
	}
	if n := len(a.Requests); n > 0 {
		a.Latest = &a.Requests[n-1]
	}
	return a, nil
}

// APIResultApprovals returns the cycle's approvers of results and the
// requests for approval of its final results, oldest first (office and
// leaders).
func (s *Handlers) APIResultApprovals(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	if !httpx.CurrentUser(c).SeesAll() {
		s.APIError(c, apperr.New(apperr.Forbidden, "只有绩效办和领导可以查看考核结果的审批"))
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		if _, err := cycles.FindCycle(c, tx, id); err != nil {
			return nil, err
		}
		return loadResultApprovals(c, tx, id)
	})
}

// APISubmitResultApproval submits the final results, as they would be
// published now, to the cycle's approvers (office only): 201 with the new
// request, 200 with the one already pending or approved for these figures.
func (s *Handlers) APISubmitResultApproval(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	var created bool
	var r approvals.Request
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		var err error
		r, created, err = results.SubmitFinal(c, tx, httpx.CurrentUser(c).Actor(), s.Config.Location, s.Now(), id, s.Config.UnitCategories)
		return err
	})
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(httpx.CreatedStatus(created), r)
}

// SubmitResultApprovalSubmit submits the final results for approval from
// the results page.
func (s *Handlers) SubmitResultApprovalSubmit(c *gin.Context) {
	s.resultsAction(c, "results_submitted", func(tx pgx.Tx, id int64) error {
		_, _, err := results.SubmitFinal(c, tx, httpx.CurrentUser(c).Actor(), s.Config.Location, s.Now(), id, s.Config.UnitCategories)
		return err
	})
}
