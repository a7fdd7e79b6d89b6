package server

import "github.com/gin-gonic/gin"

// scoreRoutes registers the cycles' console pages and the public evaluation
// scores: API, console pages and the .xlsx export. Every staff user may read
// them, a unit-role user only as scores.Report.ForUnit allows; creating a
// cycle and storing a configuration version are for the office.
func (s *Server) scoreRoutes(authed, console *gin.RouterGroup) {
	authed.GET("/cycles/:id/scores", s.apiCycleScores)
	authed.GET("/cycles/:id/scores.xlsx", s.apiCycleScoresXLSX)
	authed.GET("/cycles/:id/scores/:unit_id", s.apiUnitScore)

	console.GET("/console/cycles", s.cyclesListPage)
	console.POST("/console/cycles", s.officePage, s.createCycleSubmit)
	console.GET("/console/cycles/:id", s.cycleDetailPage)
	console.POST("/console/cycles/:id/config", s.officePage, s.cycleConfigSubmit)
	console.GET("/console/cycles/:id/scores", s.scoresPage)
	console.GET("/console/cycles/:id/scores.xlsx", s.scoresXLSXDownload)
	console.GET("/console/cycles/:id/scores/:unit_id", s.unitScorePage)
}
