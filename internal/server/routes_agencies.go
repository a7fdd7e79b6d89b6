package server

import "github.com/gin-gonic/gin"

// agencyRoutes registers third-party survey agencies: the office's API and
// console pages, and the agencies' own token-authenticated API.
func (s *Server) agencyRoutes(api, authed, console *gin.RouterGroup) {
	ag := api.Group("/agency", s.agencyAuth)
	ag.GET("", s.agencyWhoAmI)
	ag.POST("/responses", s.agencyUploadJSON)
	ag.POST("/responses/file", s.agencyUploadFile)
	ag.GET("/progress", s.agencyProgress)
	ag.GET("/uploads", s.agencyUploads)
	ag.GET("/uploads/:id", s.agencyUpload)
	ag.GET("/template.xlsx", s.agencyTemplateXLSX)

	authed.GET("/surveys/:id/agencies", s.office, s.apiListAgencies)
	authed.POST("/surveys/:id/agencies", s.office, s.apiCreateAgency)
	authed.GET("/agencies/:id", s.office, s.apiGetAgency)
	authed.PATCH("/agencies/:id", s.office, s.apiUpdateAgency)
	authed.POST("/agencies/:id/tokens", s.office, s.apiIssueAgencyToken)
	authed.DELETE("/agencies/:id/tokens/:token_id", s.office, s.apiRevokeAgencyToken)
	authed.GET("/agencies/:id/quotas", s.office, s.apiAgencyQuotas)
	authed.PUT("/agencies/:id/quotas", s.office, s.apiSetAgencyQuotas)
	authed.GET("/agencies/:id/progress", s.office, s.apiAgencyProgress)
	authed.GET("/agencies/:id/uploads", s.office, s.apiAgencyUploads)
	authed.GET("/agencies/:id/uploads/:upload_id", s.office, s.apiAgencyUpload)

	console.GET("/console/surveys/:id/agencies", s.officePage, s.agenciesPage)
	console.POST("/console/surveys/:id/agencies", s.officePage, s.createAgencySubmit)
	console.GET("/console/agencies/:id", s.officePage, s.agencyPage)
	console.POST("/console/agencies/:id", s.officePage, s.updateAgencySubmit)
	console.POST("/console/agencies/:id/disable", s.officePage, s.disableAgencySubmit)
	console.POST("/console/agencies/:id/enable", s.officePage, s.enableAgencySubmit)
	console.POST("/console/agencies/:id/tokens", s.officePage, s.issueAgencyTokenSubmit)
	console.POST("/console/agencies/:id/tokens/:token_id/revoke", s.officePage, s.revokeAgencyTokenSubmit)
	console.POST("/console/agencies/:id/quotas", s.officePage, s.setAgencyQuotaSubmit)
	// The file's size is capped before the session check reads the form.
	s.engine.POST("/console/agencies/:id/uploads", s.consoleFileLimit(maxAgencyFileBytes), s.pageAuth, s.officePage, s.agencyUploadSubmit)
	console.GET("/console/agencies/:id/uploads/:upload_id", s.officePage, s.agencyUploadPage)
	console.GET("/console/agencies/:id/template.xlsx", s.officePage, s.agencyTemplate)
}
