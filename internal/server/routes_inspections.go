// The route table's area of the office's own checks (检查记录, issue 16
// part 2); routes.go says how the table is laid out.

package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/internal/app/inspectionsapp"
	"minyi/internal/assessment"
)

// inspectionRoutes registers a cycle's inspections: every staff user may
// read (a unit only the inspections of its unit, its own findings and the
// files shared with it); recording one, its indicators, findings and
// files, and turning a finding into a rectification case or a deduction
// proposal are the office's.
func (s *Server) inspectionRoutes(authed, console *gin.RouterGroup) {
	in := inspectionsapp.New(s.App)
	authed.GET("/cycles/:id/inspections", in.APIList)
	authed.POST("/cycles/:id/inspections", s.Office, in.APICreate)
	authed.GET("/inspections/:id", in.APIGet)
	authed.POST("/inspections/:id/findings", s.Office, in.APIAddFinding)
	authed.POST("/inspections/:id/files", s.Office, in.APIAddFiles)
	s.file(authed, http.MethodGet, "/inspections/:id/files/:file", in.APIDownloadFile)
	authed.DELETE("/inspections/:id/files/:file", s.Office, in.APIRemoveFile)
	authed.POST("/inspections/:id/files/:file/share", s.Office, in.APIShareFile)
	authed.GET("/cycles/:id/inspection-items", in.APIItemOptions)
	authed.PUT("/inspections/:id/scheme-items", s.Office, in.APISetItems)
	authed.POST("/inspection-findings/:id/case", s.Office, in.APIFindingToCase)
	authed.POST("/inspection-findings/:id/proposal", s.Office, in.APIFindingToProposal)

	console.GET("/console/cycles/:id/inspections", in.ListPage)
	console.GET("/console/cycles/:id/inspections/new", s.OfficePage, in.NewPage)
	console.POST("/console/cycles/:id/inspections", s.OfficePage, in.CreateSubmit)
	console.GET("/console/inspections/:id", in.InspectionPage)
	console.POST("/console/inspections/:id/findings", s.OfficePage, in.AddFindingSubmit)
	console.GET("/console/inspections/:id/indicators", s.OfficePage, in.ItemsPage)
	console.POST("/console/inspections/:id/indicators", s.OfficePage, in.ItemsSubmit)
	s.file(console, http.MethodGet, "/console/inspections/:id/files/:file", in.FileDownload)
	console.POST("/console/inspections/:id/files/:file/remove", s.OfficePage, in.RemoveFileSubmit)
	console.POST("/console/inspections/:id/files/:file/share", s.OfficePage, in.ShareFileSubmit)
	// The file's size is capped before the session check reads the form.
	s.file(&s.engine.RouterGroup, http.MethodPost, "/console/inspections/:id/files",
		s.consoleFileLimit(assessment.MaxEvidenceBytes), s.PageAuth, s.OfficePage, in.AddFileSubmit)
	console.POST("/console/inspection-findings/:id/case", s.OfficePage, in.FindingCaseSubmit)
	console.POST("/console/inspection-findings/:id/proposal", s.OfficePage, in.FindingProposalSubmit)
}
