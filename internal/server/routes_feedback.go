package server

import (
	"github.com/gin-gonic/gin"

	"minyi/internal/assessment"
)

// feedbackRoutes registers the review of feedback (民意核查): the office's
// queue and verdicts, merging duplicates into one rectification case,
// units' appeals against single ratings, the suspicious-pattern flags and
// the list of opened cases.
func (s *Server) feedbackRoutes(authed, console *gin.RouterGroup) {
	authed.GET("/feedback", s.office, s.apiFeedbackQueue)
	authed.GET("/feedback/items/:kind/:id", s.office, s.apiFeedbackItem)
	authed.POST("/feedback/valid", s.office, s.apiFeedbackValid)
	authed.POST("/feedback/invalid", s.office, s.apiFeedbackInvalid)
	authed.POST("/feedback/items/:kind/:id/reopen", s.office, s.apiFeedbackReopen)
	authed.GET("/feedback/flags", s.office, s.apiFeedbackFlags)
	authed.POST("/feedback/flags/scan", s.office, s.apiFeedbackScan)
	authed.POST("/feedback/flags/:id/confirm", s.office, s.apiDecideFlag(true))
	authed.POST("/feedback/flags/:id/dismiss", s.office, s.apiDecideFlag(false))
	authed.GET("/feedback/appeals", s.apiFeedbackAppeals)
	authed.GET("/feedback/appeals/:id", s.apiFeedbackAppeal)
	authed.POST("/feedback/appeals/:id/uphold", s.office, s.apiDecideAppeal(true))
	authed.POST("/feedback/appeals/:id/reject", s.office, s.apiDecideAppeal(false))
	authed.POST("/ratings/:id/appeals", s.apiFileAppeal)
	authed.GET("/cases", s.apiListCases)
	authed.POST("/cases", s.office, s.apiOpenCase)
	authed.GET("/cases/overdue", s.office, s.apiOverdueCounts)
	authed.GET("/cases/settings", s.apiCaseSettings)
	authed.PUT("/cases/settings", s.office, s.apiSaveCaseSettings)
	authed.GET("/cases/:id", s.apiGetCase)
	for _, step := range []string{"answer", "progress", "done", "close", "return", "release"} {
		authed.POST("/cases/:id/"+step, s.apiCaseStep(step))
	}

	console.GET("/console/feedback", s.officePage, s.feedbackPage)
	console.POST("/console/feedback/merge", s.officePage, s.feedbackMergeSubmit)
	console.GET("/console/feedback/item/:kind/:id", s.officePage, s.feedbackItemPage)
	console.POST("/console/feedback/item/:kind/:id/valid", s.officePage, s.feedbackValidSubmit)
	console.POST("/console/feedback/item/:kind/:id/invalid", s.officePage, s.feedbackInvalidSubmit)
	console.POST("/console/feedback/item/:kind/:id/reopen", s.officePage, s.feedbackReopenSubmit)
	console.GET("/console/feedback/flags", s.officePage, s.feedbackFlagsPage)
	console.POST("/console/feedback/flags/scan", s.officePage, s.feedbackScanSubmit)
	console.POST("/console/feedback/flags/:id/decide", s.officePage, s.feedbackFlagSubmit)
	console.GET("/console/feedback/appeals", s.feedbackAppealsPage)
	console.POST("/console/feedback/appeals/:id/decide", s.officePage, s.feedbackAppealSubmit)
	console.GET("/console/ratings/:id/appeal", s.appealFormPage)
	console.GET("/console/cases", s.casesPage)
	console.POST("/console/cases", s.officePage, s.caseOpenSubmit)
	console.GET("/console/cases/settings", s.officePage, s.caseSettingsPage)
	console.POST("/console/cases/settings", s.officePage, s.caseSettingsSubmit)
	console.GET("/console/cases/:id", s.casePage)
	for _, step := range []string{"answer", "progress", "close", "return", "release"} {
		console.POST("/console/cases/:id/"+step, s.caseStepSubmit(step))
	}
	// The done report carries its evidence file (see the appeal form below).
	s.engine.POST("/console/cases/:id/done", s.consoleFileLimit(assessment.MaxEvidenceBytes), s.pageAuth, s.caseStepSubmit("done"))
	// The appeal form carries an evidence file: its body is limited before
	// the session check parses it.
	s.engine.POST("/console/ratings/:id/appeal", s.consoleFileLimit(assessment.MaxEvidenceBytes), s.pageAuth, s.appealSubmit)
}
