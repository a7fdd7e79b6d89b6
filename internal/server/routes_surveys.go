package server

import "github.com/gin-gonic/gin"

// surveyRoutes registers the surveys: the office's API and console pages,
// and the respondents' invitation pages.
func (s *Server) surveyRoutes(e *gin.Engine, authed, console *gin.RouterGroup) {
	// Respondents' pages, opened from a one-time invitation link.
	e.GET("/s/:token", privateLink, s.invitationPage)
	e.POST("/s/:token/units/:unit_id", privateLink, s.publicForm(surveyFormMax, true), s.invitationSaveUnit)
	e.POST("/s/:token/submit", privateLink, s.publicForm(surveyFormMax, true), s.invitationSubmit)

	// The office's API; units never see respondents.
	authed.GET("/surveys", s.office, s.apiListSurveys)
	authed.POST("/surveys", s.office, s.apiCreateSurvey)
	authed.GET("/surveys/:id", s.office, s.apiGetSurvey)
	authed.PUT("/surveys/:id", s.office, s.apiUpdateSurvey)
	authed.PUT("/surveys/:id/closes_at", s.office, s.apiSetSurveyClosesAt)
	authed.POST("/surveys/:id/open", s.office, s.apiOpenSurvey)
	authed.POST("/surveys/:id/close", s.office, s.apiCloseSurvey)
	authed.GET("/surveys/:id/progress", s.office, s.apiSurveyProgress)
	authed.GET("/surveys/:id/respondents", s.office, s.apiListRespondents)
	authed.POST("/surveys/:id/respondents", s.office, s.apiAddRespondent)
	authed.POST("/surveys/:id/respondents/import", s.office, s.apiImportRespondents)
	authed.GET("/surveys/:id/respondents/:rid", s.office, s.apiGetRespondent)
	authed.DELETE("/surveys/:id/respondents/:rid", s.office, s.apiDeleteRespondent)
	// Responses: every staff member, a unit only its own and without respondents.
	authed.GET("/responses", s.apiListResponses)

	console.GET("/console/surveys", s.officePage, s.surveysPage)
	console.GET("/console/surveys/new", s.officePage, s.newSurveyPage)
	console.POST("/console/surveys", s.officePage, s.createSurveySubmit)
	console.GET("/console/surveys/:id", s.officePage, s.surveyPage)
	console.GET("/console/surveys/:id/edit", s.officePage, s.editSurveyPage)
	console.POST("/console/surveys/:id", s.officePage, s.updateSurveySubmit)
	console.POST("/console/surveys/:id/open", s.officePage, s.openSurveySubmit)
	console.POST("/console/surveys/:id/close", s.officePage, s.closeSurveySubmit)
	console.POST("/console/surveys/:id/closes_at", s.officePage, s.surveyClosesAtSubmit)
	console.POST("/console/surveys/:id/respondents", s.officePage, s.addRespondentSubmit)
	console.POST("/console/surveys/:id/respondents/:rid/delete", s.officePage, s.deleteRespondentSubmit)
	console.GET("/console/surveys/:id/respondents/:rid/qr.png", s.officePage, s.respondentQR)
	console.GET("/console/surveys/:id/letters", s.officePage, s.invitationLetters)
	console.GET("/console/surveys/:id/links.csv", s.officePage, s.invitationLinksCSV)
	console.GET("/console/surveys/:id/links.xlsx", s.officePage, s.invitationLinksXLSX)
	// The upload's size is capped before the session check reads the form.
	e.POST("/console/surveys/:id/respondents/import", s.consoleFileLimit(maxAgencyFileBytes), s.pageAuth, s.officePage, s.importRespondentsSubmit)
	console.GET("/console/surveys/:id/template.csv", s.officePage, s.importTemplate)
	console.GET("/console/responses", s.responsesPage)
}
