package server

import "github.com/gin-gonic/gin"

// targetRoutes registers annual targets and process management (目标管理与
// 过程管理): units' drafts, the office's review, change requests, progress
// reports, early warnings, self-evaluation and the public targets page.
func (s *Server) targetRoutes(e *gin.Engine, authed, console *gin.RouterGroup) {
	authed.GET("/cycles/:id/targets", s.apiListTargets)
	authed.POST("/cycles/:id/targets", s.apiCreateTarget)
	authed.GET("/cycles/:id/target-settings", s.apiTargetSettings)
	authed.PUT("/cycles/:id/target-settings", s.office, s.apiSetTargetSettings)
	authed.GET("/cycles/:id/target-warnings", s.apiTargetWarnings)
	authed.GET("/targets/:id", s.apiGetTarget)
	authed.PUT("/targets/:id", s.apiSaveTarget)
	authed.POST("/targets/:id/submit", s.apiSubmitTarget)
	authed.POST("/targets/:id/return", s.office, s.apiReturnTarget)
	authed.POST("/targets/:id/approve", s.office, s.apiApproveTarget)
	authed.GET("/targets/:id/versions", s.apiTargetVersions)
	authed.GET("/targets/:id/versions/:version", s.apiTargetVersion)
	authed.GET("/targets/:id/change-requests", s.apiTargetChangeRequests)
	authed.POST("/targets/:id/change-requests", s.apiRequestTargetChange)
	authed.POST("/target-change-requests/:id/approve", s.office, s.apiDecideTargetChange(true))
	authed.POST("/target-change-requests/:id/reject", s.office, s.apiDecideTargetChange(false))
	authed.GET("/targets/:id/reports", s.apiTargetReports)
	authed.PUT("/targets/:id/reports/:period", s.apiSaveTargetReports)
	authed.GET("/targets/:id/self-evaluation", s.apiTargetSelfEvaluation)
	authed.PUT("/targets/:id/self-evaluation", s.apiSaveTargetSelfEvaluation)

	console.GET("/console/targets", s.targetsPage)
	console.POST("/console/targets", s.createTargetSubmit)
	console.POST("/console/targets/settings", s.officePage, s.targetSettingsSubmit)
	console.GET("/console/targets/warnings", s.officePage, s.targetWarningsPage)
	console.GET("/console/targets/:id", s.targetPage)
	console.POST("/console/targets/:id", s.saveTargetSubmit)
	console.POST("/console/targets/:id/submit", s.submitTargetSubmit)
	console.POST("/console/targets/:id/return", s.officePage, s.returnTargetSubmit)
	console.POST("/console/targets/:id/approve", s.officePage, s.approveTargetSubmit)
	console.POST("/console/targets/:id/changes", s.requestChangeSubmit)
	console.POST("/console/targets/:id/changes/:cr", s.officePage, s.decideChangeSubmit)
	console.POST("/console/targets/:id/reports", s.saveReportsSubmit)
	console.POST("/console/targets/:id/self-evaluation", s.saveSelfEvaluationSubmit)

	e.GET("/targets/:cycle", s.publicTargetsPage)
	e.GET("/targets/:cycle/:unit", s.publicTargetPage)
}
