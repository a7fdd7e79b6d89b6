package server

import "github.com/gin-gonic/gin"

// workdayRoutes registers the working-day calendar (工作日历): the API and
// the office's console page to add a year's holidays and make-up workdays.
func (s *Server) workdayRoutes(authed, console *gin.RouterGroup) {
	authed.GET("/workdays", s.apiListWorkdayYears)
	authed.GET("/workdays/deadline", s.apiWorkdayDeadline)
	authed.GET("/workdays/:year", s.apiGetWorkdayYear)
	authed.PUT("/workdays/:year", s.office, s.apiPutWorkdayYear)
	console.GET("/console/workdays", s.workdaysPage)
	console.GET("/console/workdays/new", s.officePage, s.newWorkdayYearPage)
	console.GET("/console/workdays/:year", s.workdayYearPage)
	console.POST("/console/workdays/:year", s.officePage, s.saveWorkdayYearSubmit)
}

// schemeRoutes registers assessment schemes (考核方案): the tree of weighted
// components of a cycle, its presets, API and console pages.
func (s *Server) schemeRoutes(authed, console *gin.RouterGroup) {
	authed.GET("/schemes/presets", s.apiSchemePresets)
	authed.POST("/schemes/compute", s.apiComputeScheme)
	authed.GET("/cycles/:id/scheme", s.apiGetScheme)
	authed.PUT("/cycles/:id/scheme", s.office, s.apiSetScheme)
	authed.GET("/cycles/:id/scheme/versions", s.apiListSchemeVersions)
	console.GET("/console/cycles/:id/scheme", s.schemePage)
	console.POST("/console/cycles/:id/scheme", s.officePage, s.schemeSubmit)
	console.POST("/console/cycles/:id/scheme/trial", s.officePage, s.schemeTrialSubmit)
}
