// The route table's area of self-evaluation periods and reports (自评期次与
// 自评报告); routes.go says how the table is laid out.

package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/internal/app/selfevalapp"
	"minyi/internal/assessment"
)

// selfEvalRoutes registers a cycle's self-evaluation periods (the office
// defines them), units' reports per period with their files, and the
// office's (and leaders') overview. A unit writes only its own report; an
// assessor unit reads the reports of the units it assesses (403 else).
func (s *Server) selfEvalRoutes(e *gin.Engine, authed, console *gin.RouterGroup) {
	se := selfevalapp.New(s.App)
	authed.GET("/cycles/:id/self-eval-periods", se.APIListPeriods)
	authed.POST("/cycles/:id/self-eval-periods", s.Office, se.APISavePeriod)
	authed.PUT("/self-eval-periods/:id", s.Office, se.APIUpdatePeriod)
	authed.DELETE("/self-eval-periods/:id", s.Office, se.APIDeletePeriod)
	authed.GET("/self-eval-periods/:id/units", se.APIPeriodUnits)
	authed.GET("/self-eval-periods/:id/units/:unit_id", se.APIGetReport)
	authed.PUT("/self-eval-periods/:id/units/:unit_id", se.APISaveReport)

	console.GET("/console/cycles/:id/self-eval-periods", se.PeriodsPage)
	console.POST("/console/cycles/:id/self-eval-periods", s.OfficePage, se.SavePeriodSubmit)
	console.POST("/console/self-eval-periods/:id", s.OfficePage, se.UpdatePeriodSubmit)
	console.POST("/console/self-eval-periods/:id/delete", s.OfficePage, se.DeletePeriodSubmit)
	console.GET("/console/self-eval-periods/:id", se.PeriodPage)
	console.GET("/console/self-eval-periods/:id/units/:unit_id", se.ReportPage)
	console.POST("/console/self-eval-periods/:id/units/:unit_id/files/remove", se.RemoveFileSubmit)
	// The report form carries a file: its body is limited before the
	// session check parses it.
	s.file(&e.RouterGroup, http.MethodPost, "/console/self-eval-periods/:id/units/:unit_id",
		s.consoleFileLimit(assessment.MaxEvidenceBytes), s.PageAuth, se.SaveReportSubmit)
}
