package server

import (
	"github.com/gin-gonic/gin"

	"minyi/internal/assessment"
	"minyi/internal/results"
)

// resultRoutes registers the assessment's results (考核结果): the computed
// composite scores and grades, publication of the preliminary and the final
// results, applications for review and their answers, reopening, the use of
// results (quotas, streaks), the .xlsx export and the public results page.
func (s *Server) resultRoutes(e *gin.Engine, authed, console *gin.RouterGroup) {
	authed.GET("/cycles/:id/results", s.apiResults)
	authed.GET("/cycles/:id/results/xlsx", s.office, s.apiResultsXLSX)
	authed.GET("/cycles/:id/results/units/:unit_id", s.apiUnitResult)
	authed.POST("/cycles/:id/results/preliminary", s.office, s.apiPublishResults(false))
	authed.POST("/cycles/:id/results/final", s.office, s.apiPublishResults(true))
	authed.POST("/cycles/:id/results/reopen", s.office, s.apiReopenResults)
	authed.GET("/cycles/:id/results/appeals", s.apiListAppeals)
	authed.POST("/cycles/:id/results/units/:unit_id/appeal", s.apiApply)
	authed.POST("/cycles/:id/results/appeals/:appeal_id/answer", s.office, s.apiAnswerAppeal)
	authed.GET("/cycles/:id/results/uses", s.office, s.apiResultUses)
	authed.PUT("/cycles/:id/results/units/:unit_id/staff-count", s.office, s.apiSetStaffCount)
	authed.GET("/cycles/:id/results/units/:unit_id/rectification", s.apiRectification)
	authed.PUT("/cycles/:id/results/units/:unit_id/rectification", s.apiSubmitRectification)
	authed.POST("/cycles/:id/results/units/:unit_id/rectification/receive", s.office, s.apiReceiveRectification)
	e.GET("/results/:cycle_id", s.publicResultsPage)

	console.GET("/console/cycles/:id/results", s.resultsPage)
	console.POST("/console/cycles/:id/results/preliminary", s.officePage, s.publishPreliminarySubmit)
	console.POST("/console/cycles/:id/results/final", s.officePage, s.publishFinalSubmit)
	console.POST("/console/cycles/:id/results/reopen", s.officePage, s.reopenResultsSubmit)
	console.POST("/console/cycles/:id/results/appeals/:appeal_id/answer", s.officePage, s.answerAppealSubmit)
	console.GET("/console/cycles/:id/results/:unit_id", s.unitResultPage)
	console.POST("/console/cycles/:id/results/:unit_id/rectification/receive", s.officePage, s.receiveRectificationSubmit)
	console.POST("/console/cycles/:id/results/:unit_id/staff-count", s.officePage, s.staffCountSubmit)

	// Forms with evidence files: the body is limited before the session
	// check parses it.
	files := s.consoleFileLimit(results.MaxUploads * assessment.MaxEvidenceBytes)
	e.POST("/console/cycles/:id/results/:unit_id/appeal", files, s.pageAuth, s.applySubmit)
	e.POST("/console/cycles/:id/results/:unit_id/rectification", files, s.pageAuth, s.rectificationSubmit)
}
