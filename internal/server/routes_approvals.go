package server

import (
	"github.com/gin-gonic/gin"

	"minyi/internal/app/approvalsapp"
	"minyi/internal/app/cyclesapp"
)

// approvalRoutes registers the approvals above the office and the choice
// of publication (issue 16 parts 3 and 4): a cycle's release settings
// (approvers of target sheets and of results, 向社会公开 or 内部通报,
// publishing target completion), and the leaders' approvals — the list of
// what waits, one request with its timeline, the decision, the office's
// withdrawal (撤回) of a pending request. A leader's
// decision is the one change a leader's account makes (httpx
// leaderDecisions); the results' submission is in resultRoutes.
func (s *Server) approvalRoutes(authed, console *gin.RouterGroup) {
	cy := cyclesapp.New(s.App)
	authed.GET("/cycles/:id/release", cy.APIGetRelease)
	authed.PUT("/cycles/:id/release", s.Office, cy.APISaveRelease)
	console.GET("/console/cycles/:id/release", s.OfficePage, cy.ReleasePage)
	console.POST("/console/cycles/:id/release", s.OfficePage, cy.ReleaseSubmit)

	ap := approvalsapp.New(s.App)
	authed.GET("/approvals", ap.APIList)
	authed.GET("/approvals/:id", ap.APIGet)
	authed.POST("/approvals/:id/decision", ap.APIDecide)
	authed.POST("/approvals/:id/withdraw", s.Office, ap.APIWithdraw)
	console.GET("/console/approvals", ap.ApprovalsPage)
	console.GET("/console/approvals/:id", ap.ApprovalPage)
	console.POST("/console/approvals/:id/decision", ap.DecideSubmit)
	console.POST("/console/approvals/:id/withdraw", s.OfficePage, ap.WithdrawSubmit)
}
