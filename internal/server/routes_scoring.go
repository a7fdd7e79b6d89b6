package server

import (
	"github.com/gin-gonic/gin"

	"minyi/internal/assessment"
)

// scoringRoutes registers the assessment's scoring and adjustments (评分与
// 加减分): assessor units' entries, evidence files, bonus claims,
// deductions, grade adjustments and the cycle's assessment settings.
func (s *Server) scoringRoutes(authed, console *gin.RouterGroup) {
	authed.GET("/cycles/:id/assessment", s.office, s.apiAssessmentOverview)
	authed.GET("/cycles/:id/assessment/leaves", s.apiAssessmentLeaves)
	authed.PUT("/cycles/:id/assessment/leaves/:leaf_key/assessor", s.office, s.apiSetLeafAssessor)
	authed.GET("/cycles/:id/assessment/entries", s.apiAssessmentEntries)
	authed.PUT("/cycles/:id/assessment/entries/:unit_id/:leaf_key", s.apiSaveAssessmentEntry)
	authed.GET("/cycles/:id/assessment/units/:unit_id", s.apiUnitAssessment)
	authed.GET("/cycles/:id/assessment/bonus-claims", s.apiListClaims)
	authed.POST("/cycles/:id/assessment/bonus-claims", s.apiCreateClaim)
	authed.POST("/bonus-claims/:id/approve", s.office, s.apiDecideClaim(true))
	authed.POST("/bonus-claims/:id/reject", s.office, s.apiDecideClaim(false))
	authed.GET("/cycles/:id/assessment/deductions", s.apiListDeductions)
	authed.POST("/cycles/:id/assessment/deductions", s.office, s.apiFileDeduction)
	authed.POST("/deductions/:id/revoke", s.office, s.apiRevokeDeduction)
	authed.GET("/cycles/:id/assessment/adjustments", s.apiListAdjustments)
	authed.POST("/cycles/:id/assessment/adjustments", s.office, s.apiAddAdjustment)
	authed.POST("/adjustments/:id/revoke", s.office, s.apiRevokeAdjustment)
	authed.GET("/cycles/:id/assessment/settings", s.apiAssessmentSettings)
	authed.PUT("/cycles/:id/assessment/settings", s.office, s.apiSaveAssessmentSettings)
	authed.POST("/evidence", s.apiUploadEvidence)
	authed.GET("/evidence/:id", s.apiDownloadEvidence)

	console.GET("/console/evidence/:id", s.evidenceDownload)
	console.GET("/console/cycles/:id/assessment", s.officePage, s.assessmentPage)
	console.GET("/console/cycles/:id/assessment/score", s.entryPage)
	console.GET("/console/cycles/:id/assessment/score.csv", s.scoreSheetDownload)
	console.POST("/console/cycles/:id/assessment/assessors", s.officePage, s.assessorSubmit)
	console.GET("/console/cycles/:id/assessment/units/:unit_id", s.unitAssessmentPage)
	console.POST("/console/cycles/:id/assessment/claims/:claim_id", s.officePage, s.decideClaimSubmit)
	console.POST("/console/cycles/:id/assessment/deductions/:item_id/revoke", s.officePage, s.revokeDeductionSubmit)
	console.POST("/console/cycles/:id/assessment/adjustments/:item_id/revoke", s.officePage, s.revokeAdjustmentSubmit)
	console.GET("/console/cycles/:id/assessment/settings", s.officePage, s.assessSettingsPage)
	console.POST("/console/cycles/:id/assessment/settings", s.officePage, s.assessSettingsSubmit)

	// Forms with evidence uploads: the body is limited before the session
	// check parses it (a row of the entry table may carry several files).
	one, row := s.consoleFileLimit(assessment.MaxEvidenceBytes), s.consoleFileLimit(5*assessment.MaxEvidenceBytes)
	e := s.engine
	e.POST("/console/cycles/:id/assessment/score", row, s.pageAuth, s.entrySubmit)
	e.POST("/console/cycles/:id/assessment/score/upload", s.consoleFileLimit(maxScoreSheetBytes), s.pageAuth, s.scoreSheetUpload)
	e.POST("/console/cycles/:id/assessment/units/:unit_id/claims", one, s.pageAuth, s.claimSubmit)
	e.POST("/console/cycles/:id/assessment/units/:unit_id/deductions", one, s.pageAuth, s.officePage, s.deductionSubmit)
	e.POST("/console/cycles/:id/assessment/units/:unit_id/adjustments", one, s.pageAuth, s.officePage, s.adjustmentSubmit)
}
