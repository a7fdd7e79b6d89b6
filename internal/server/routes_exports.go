package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/riverqueue/river"

	"minyi/internal/app/auditapp"
	"minyi/internal/app/casesapp"
	"minyi/internal/app/exportsapp"
	"minyi/internal/app/instrumentsapp"
	"minyi/internal/app/surveysapp"
	"minyi/internal/app/upwardapp"
	"minyi/internal/export"
)

// exportLists are the lists that export (issue 17), by the kind a
// background job records: each list's export.Builder applies the list's
// own filter and access rules.
func (s *Server) exportLists() export.Registry {
	return export.Registry{
		"ratings":   s.ratings.RatingsExport,
		"audit":     auditapp.New(s.App).AuditExport,
		"cases":     casesapp.New(s.App).CasesExport,
		"callbacks": casesapp.New(s.App).CallbacksExport,
		"feedback":  casesapp.New(s.App).FeedbackExport,
		"responses": surveysapp.New(s.App).ResponsesExport,
		"answers":   instrumentsapp.New(s.App).AnswersExport,
		"upward":    upwardapp.New(s.App).UpwardExport,
	}
}

// exportRoutes registers the exports: every filterable list's
// export.xlsx and export.csv, for the page and the API, behind the same
// role check as the list, with FILE_REQUEST_TIMEOUT (a file streams), and
// 我的导出 with its JSON and downloads for the user who started them.
func (s *Server) exportRoutes(authed, console *gin.RouterGroup) {
	ex := exportsapp.New(s.App, s.exports)
	xlsx, csv := export.XLSX, export.CSV
	s.file(console, http.MethodGet, "/console/ratings/export.xlsx", ex.Start("ratings", xlsx, false))
	s.file(console, http.MethodGet, "/console/ratings/export.csv", ex.Start("ratings", csv, false))
	s.file(authed, http.MethodGet, "/ratings/export.xlsx", ex.Start("ratings", xlsx, true))
	s.file(authed, http.MethodGet, "/ratings/export.csv", ex.Start("ratings", csv, true))
	s.file(console, http.MethodGet, "/console/audit/export.xlsx", s.OfficePage, ex.Start("audit", xlsx, false))
	s.file(console, http.MethodGet, "/console/audit/export.csv", s.OfficePage, ex.Start("audit", csv, false))
	// The audit log's export before the .xlsx/.csv pair, kept for links.
	s.file(console, http.MethodGet, "/console/audit/export", s.OfficePage, ex.Start("audit", xlsx, false))
	s.file(authed, http.MethodGet, "/audit/export.xlsx", s.Office, ex.Start("audit", xlsx, true))
	s.file(authed, http.MethodGet, "/audit/export.csv", s.Office, ex.Start("audit", csv, true))
	s.file(console, http.MethodGet, "/console/cases/export.xlsx", ex.Start("cases", xlsx, false))
	s.file(console, http.MethodGet, "/console/cases/export.csv", ex.Start("cases", csv, false))
	s.file(authed, http.MethodGet, "/cases/export.xlsx", ex.Start("cases", xlsx, true))
	s.file(authed, http.MethodGet, "/cases/export.csv", ex.Start("cases", csv, true))
	s.file(console, http.MethodGet, "/console/callbacks/export.xlsx", ex.Start("callbacks", xlsx, false))
	s.file(console, http.MethodGet, "/console/callbacks/export.csv", ex.Start("callbacks", csv, false))
	s.file(authed, http.MethodGet, "/callbacks/export.xlsx", ex.Start("callbacks", xlsx, true))
	s.file(authed, http.MethodGet, "/callbacks/export.csv", ex.Start("callbacks", csv, true))
	s.file(console, http.MethodGet, "/console/feedback/export.xlsx", s.OfficePage, ex.Start("feedback", xlsx, false))
	s.file(console, http.MethodGet, "/console/feedback/export.csv", s.OfficePage, ex.Start("feedback", csv, false))
	s.file(authed, http.MethodGet, "/feedback/export.xlsx", s.Office, ex.Start("feedback", xlsx, true))
	s.file(authed, http.MethodGet, "/feedback/export.csv", s.Office, ex.Start("feedback", csv, true))
	s.file(console, http.MethodGet, "/console/responses/export.xlsx", ex.Start("responses", xlsx, false))
	s.file(console, http.MethodGet, "/console/responses/export.csv", ex.Start("responses", csv, false))
	s.file(authed, http.MethodGet, "/responses/export.xlsx", ex.Start("responses", xlsx, true))
	s.file(authed, http.MethodGet, "/responses/export.csv", ex.Start("responses", csv, true))
	// An instrument's answers: its id is the route's, carried as
	// instrument_id.
	const inst = "instrument_id=id"
	s.file(console, http.MethodGet, "/console/instruments/:id/answers/export.xlsx", s.OfficePage, ex.Start("answers", xlsx, false, inst))
	s.file(console, http.MethodGet, "/console/instruments/:id/answers/export.csv", s.OfficePage, ex.Start("answers", csv, false, inst))
	s.file(authed, http.MethodGet, "/instruments/:id/answers/export.xlsx", s.Office, ex.Start("answers", xlsx, true, inst))
	s.file(authed, http.MethodGet, "/instruments/:id/answers/export.csv", s.Office, ex.Start("answers", csv, true, inst))
	// The records of upward reporting for a period (issue 18), as the
	// provincial platform receives them.
	s.file(console, http.MethodGet, "/console/upward/export.xlsx", s.OfficePage, ex.Start("upward", xlsx, false))
	s.file(console, http.MethodGet, "/console/upward/export.csv", s.OfficePage, ex.Start("upward", csv, false))
	console.GET("/console/exports", ex.ExportsPage)
	s.file(console, http.MethodGet, "/console/exports/:id/download", ex.Download)
	authed.GET("/exports", ex.APIExports)
	authed.GET("/exports/:id", ex.APIExport)
	s.file(authed, http.MethodGet, "/exports/:id/download", ex.APIDownload)
}

// RegisterJobs adds the server's background jobs (the exports) to an
// instance's river workers (internal/notify's client).
func (s *Server) RegisterJobs(ws *river.Workers) error {
	return export.Register(ws, export.WorkerOptions{Pool: s.Pool, Registry: s.exports, Loc: s.Config.Location,
		Now: s.Now, Log: s.Log})
}
