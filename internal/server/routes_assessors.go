// The route table's area of assessor units (考评单位) and lead units (牵头
// 单位) as full actors; routes.go says how the table is laid out.

package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/internal/app/assessorsapp"
	"minyi/internal/assessment"
)

// assessorRoutes registers an assessor unit's read-only view of the units
// it assesses, its deduction proposals and the office's decisions, the
// cycle's deduction-reason preset, the cases an assessor opens and
// follows, and key tasks with their lead unit's view of progress. A unit
// user may only read the units it assesses and the tasks it leads (403).
func (s *Server) assessorRoutes(authed, console *gin.RouterGroup) {
	as := assessorsapp.New(s.App)
	authed.GET("/cycles/:id/assessor/units", as.APIAssessedUnits)
	authed.GET("/cycles/:id/assessor/units/:unit_id", as.APIAssessedUnit)
	s.file(authed, http.MethodGet, "/cycles/:id/assessor/units/:unit_id/evidence/:evidence_id", as.APIAssessorEvidence)
	authed.GET("/cycles/:id/assessor/cases", as.APIAssessorCases)
	authed.POST("/cycles/:id/assessor/cases", as.APIOpenAssessorCase)
	authed.GET("/cycles/:id/deduction-proposals", as.APIListProposals)
	authed.POST("/cycles/:id/deduction-proposals", as.APIPropose)
	authed.POST("/deduction-proposals/:id/confirm", s.Office, as.APIConfirmProposal)
	authed.POST("/deduction-proposals/:id/reject", s.Office, as.APIRejectProposal)
	authed.GET("/cycles/:id/deduction-presets", as.APIDeductionPresets)
	authed.PUT("/cycles/:id/deduction-preset", s.Office, as.APIApplyPreset)
	authed.GET("/cycles/:id/key-tasks", as.APIListKeyTasks)
	authed.POST("/cycles/:id/key-tasks", s.Office, as.APICreateKeyTask)
	authed.GET("/key-tasks/:id", as.APIGetKeyTask)
	authed.PUT("/key-tasks/:id/lead", s.Office, as.APISetLead)
	authed.POST("/key-tasks/:id/members", s.Office, as.APIAddMembers)
	authed.DELETE("/key-tasks/:id/members/:unit_id", s.Office, as.APIRemoveMember)
	authed.PUT("/key-tasks/:id/members/:unit_id/indicator", s.Office, as.APILinkIndicator)

	console.GET("/console/cycles/:id/assessor", as.AssessorPage)
	console.GET("/console/cycles/:id/assessor/units/:unit_id", as.AssessedUnitPage)
	s.file(console, http.MethodGet, "/console/cycles/:id/assessor/units/:unit_id/evidence/:evidence_id", as.AssessorEvidenceDownload)
	console.POST("/console/cycles/:id/assessor/units/:unit_id/cases", as.AssessorCaseSubmit)
	console.GET("/console/cycles/:id/deduction-proposals", s.OfficePage, as.ProposalsPage)
	console.POST("/console/cycles/:id/deduction-proposals/:proposal_id", s.OfficePage, as.DecideProposalSubmit)
	console.POST("/console/cycles/:id/deduction-preset", s.OfficePage, as.PresetSubmit)
	console.GET("/console/cycles/:id/key-tasks", as.KeyTasksPage)
	console.POST("/console/cycles/:id/key-tasks", s.OfficePage, as.CreateKeyTaskSubmit)
	console.GET("/console/key-tasks/:id", as.KeyTaskPage)
	console.POST("/console/key-tasks/:id", s.OfficePage, as.KeyTaskChangeSubmit)

	// The proposal form carries an evidence file: its body is limited
	// before the session check parses it.
	s.file(&s.engine.RouterGroup, http.MethodPost, "/console/cycles/:id/assessor/units/:unit_id/proposals",
		s.consoleFileLimit(assessment.MaxEvidenceBytes), s.PageAuth, as.ProposalSubmit)
}
