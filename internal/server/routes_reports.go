package server

import (
	"github.com/gin-gonic/gin"

	"minyi/internal/app/reportsapp"
)

// reportRoutes registers the monthly and quarterly reports (月报 / 季报,
// issue 17): the list of recent periods and one period's printable report,
// for the office and the leaders (a unit's account is refused).
func (s *Server) reportRoutes(console *gin.RouterGroup) {
	rp := reportsapp.New(s.App)
	console.GET("/console/reports", rp.SeesAll, rp.ListPage)
	console.GET("/console/reports/:period", rp.SeesAll, rp.ReportPage)
}
