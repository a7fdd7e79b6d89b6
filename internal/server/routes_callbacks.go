package server

import "github.com/gin-gonic/gin"

// callbackRoutes registers call-backs (回访) of real-name cases, the
// citizen's one-time 追评 link (/f/:token), deduction proposals from
// overdue cases and carrying key cases into next year's targets.
func (s *Server) callbackRoutes(e *gin.Engine, authed, console *gin.RouterGroup) {
	e.GET("/f/:token", s.followupPage)
	e.POST("/f/:token", s.publicForm(smallFormMax, true), s.submitFollowup)
	e.GET("/f/:token/qr.png", s.followupQR)

	authed.GET("/callbacks", s.apiListCallbacks)
	authed.GET("/cases/:id/callbacks", s.apiGetCallbacks)
	authed.POST("/cases/:id/callbacks", s.apiRecordCallback)
	authed.POST("/cases/:id/followup-links", s.office, s.apiIssueFollowupLink)
	authed.PUT("/cases/:id/carry", s.office, s.apiMarkCarry)
	authed.GET("/cycles/:id/case-deductions", s.office, s.apiCaseDeductions)
	authed.POST("/cycles/:id/case-deductions", s.office, s.apiConfirmCaseDeduction)
	authed.GET("/cycles/:id/case-carry", s.office, s.apiCarryCases)
	authed.POST("/cycles/:id/case-carry", s.office, s.apiCarry)

	console.GET("/console/callbacks", s.callbacksPage)
	console.GET("/console/callbacks/:id", s.callbackPage)
	console.POST("/console/callbacks/:id/calls", s.callbackSubmit)
	console.POST("/console/callbacks/:id/link", s.officePage, s.followupLinkSubmit)
	console.POST("/console/callbacks/:id/carry", s.officePage, s.carryMarkSubmit)
	console.GET("/console/cycles/:id/case-deductions", s.officePage, s.caseDeductionsPage)
	console.POST("/console/cycles/:id/case-deductions", s.officePage, s.caseDeductionSubmit)
	console.GET("/console/cycles/:id/case-carry", s.officePage, s.caseCarryPage)
	console.POST("/console/cycles/:id/case-carry", s.officePage, s.caseCarrySubmit)
}
