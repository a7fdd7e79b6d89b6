// The route table: every route of the product, in one file, each pointing
// at the handler that serves it. routes() registers the engine-wide routes
// and calls one function per area, in the order below; handlers that have
// moved to a package of their own (internal/app/...) are named with it.
package server

import (
	"minyi/internal/app/accountsapp"
	"minyi/internal/app/assessmentapp"
	"minyi/internal/app/auditapp"
	"minyi/internal/app/casesapp"
	"minyi/internal/app/cyclesapp"
	"minyi/internal/app/resultsapp"
	"minyi/internal/app/scoresapp"
	"minyi/internal/app/targetsapp"
	"minyi/internal/app/workdaysapp"
	"minyi/internal/assessment"
	"minyi/internal/httpx"
	"minyi/internal/results"
	"net/http"

	"github.com/gin-gonic/gin"
)

func (s *Server) routes() {
	e := s.engine
	e.GET("/static/*filepath", s.staticFiles())
	e.HEAD("/static/*filepath", s.staticFiles())
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/", func(c *gin.Context) { c.Redirect(http.StatusFound, "/console") })

	// Citizens' rating pages.
	e.GET("/q/:code", s.ratingPage)
	e.POST("/q/:code", s.PublicForm(httpx.SmallFormMax, false), s.submitRating)
	e.GET("/q/:code/thanks", s.thanksPage)
	e.GET("/q/:code/qr.png", s.qrPNG)

	api := e.Group("/api/v1")
	acc := accountsapp.New(s.App)
	api.POST("/terminal/ratings", s.terminalRatings)
	api.POST("/session", acc.APISignIn)
	api.DELETE("/session", acc.APISignOut)
	authed := api.Group("", s.APIAuth)
	authed.GET("/session", acc.APIWhoAmI)
	authed.GET("/units", s.apiListUnits)
	authed.POST("/units", s.Office, s.apiCreateUnit)
	authed.GET("/units/:id", s.apiGetUnit)
	authed.PATCH("/units/:id", s.Office, s.apiUpdateUnit)
	authed.POST("/units/:id/qr/rotate", s.Office, s.apiRotateUnitCode)
	authed.GET("/units/:id/points", s.apiListPoints)
	authed.POST("/units/:id/points", s.Office, s.apiCreatePoint)
	authed.POST("/points/:id/qr/rotate", s.Office, s.apiRotatePointCode)
	authed.GET("/units/:id/terminals", s.apiListTerminals)
	authed.POST("/units/:id/terminals", s.Office, s.apiCreateTerminal)
	authed.DELETE("/terminals/:id", s.Office, s.apiRevokeTerminal)
	authed.GET("/units/:id/ratings", s.apiUnitRatings)
	authed.GET("/units/:id/stats", s.apiUnitStats)
	authed.GET("/ratings", s.apiRatings)
	authed.POST("/ratings/:id/exclude", s.Office, s.apiExcludeRating)
	authed.POST("/ratings/:id/restore", s.Office, s.apiRestoreRating)
	authed.GET("/audit", s.Office, s.apiAudit)
	console := e.Group("", s.PageAuth)
	s.surveyRoutes(e, authed, console)
	s.agencyRoutes(api, authed, console)
	s.cycleRoutes(authed, console)
	s.scoreRoutes(authed, console)
	s.workdayRoutes(authed, console)
	s.schemeRoutes(authed, console)
	s.targetRoutes(e, authed, console)
	s.scoringRoutes(authed, console)
	s.resultRoutes(e, authed, console)
	s.feedbackRoutes(authed, console)
	s.dailyCapRoutes(authed, console)
	s.callbackRoutes(e, authed, console)
	s.publicCaseRoutes(e)
	api.Use(func(c *gin.Context) { s.APIError(c, httpx.ErrNotFound) })
	e.NoRoute(func(c *gin.Context) {
		if httpx.IsAPI(c) {
			s.APIError(c, httpx.ErrNotFound)
			return
		}
		s.ErrorPage(c, http.StatusNotFound, "页面不存在", "您访问的页面不存在。")
	})

	s.consoleRoutes()
}

// consoleRoutes registers the staff console: sign-in, the overview, units
// with their QR codes, service points and terminals, printable posters, the
// rating feed and the audit log. Every page but sign-in needs a session and
// every form post carries the session's CSRF token.
func (s *Server) consoleRoutes() {
	e := s.engine
	acc, aud := accountsapp.New(s.App), auditapp.New(s.App)
	e.GET("/login", acc.LoginPage)
	e.POST("/login", s.PublicForm(httpx.SmallFormMax, false), acc.LoginSubmit)

	g := e.Group("", s.PageAuth)
	g.POST("/logout", acc.LogoutSubmit)
	g.GET("/console", s.overviewPage)
	g.GET("/console/units", s.unitsPage)
	g.POST("/console/units", s.OfficePage, s.createUnitSubmit)
	g.GET("/console/units/:id", s.unitPage)
	g.POST("/console/units/:id", s.OfficePage, s.updateUnitSubmit)
	g.POST("/console/units/:id/rotate", s.OfficePage, s.rotateUnitSubmit)
	g.POST("/console/units/:id/points", s.OfficePage, s.createPointSubmit)
	g.POST("/console/units/:id/terminals", s.OfficePage, s.createTerminalSubmit)
	g.GET("/console/units/:id/poster", s.unitPoster)
	g.POST("/console/points/:id/rotate", s.OfficePage, s.rotatePointSubmit)
	g.GET("/console/points/:id/poster", s.pointPoster)
	g.POST("/console/terminals/:id/revoke", s.OfficePage, s.revokeTerminalSubmit)
	g.GET("/console/ratings", s.ratingsPage)
	g.POST("/console/ratings/:id/exclude", s.OfficePage, s.excludeSubmit)
	g.POST("/console/ratings/:id/restore", s.OfficePage, s.restoreSubmit)
	g.GET("/console/audit", s.OfficePage, aud.AuditPage)
}

// dailyCapRoutes registers the daily cap on counted QR ratings (issue 9):
// the hall networks the office registers on units and service points, and
// its decisions on the ratings the cap held. All of it is the office's:
// networks name addresses, which units never see.
func (s *Server) dailyCapRoutes(authed, console *gin.RouterGroup) {
	cs := casesapp.New(s.App)
	authed.GET("/units/:id/networks", s.Office, s.apiListNetworks)
	authed.POST("/units/:id/networks", s.Office, s.apiCreateNetwork)
	authed.PATCH("/networks/:id", s.Office, s.apiUpdateNetwork)
	authed.DELETE("/networks/:id", s.Office, s.apiDeleteNetwork)
	authed.GET("/feedback/held", s.Office, cs.APIHoldGroups)
	authed.POST("/feedback/held/:key/count", s.Office, cs.APIDecideHold(true))
	authed.POST("/feedback/held/:key/not-count", s.Office, cs.APIDecideHold(false))

	console.POST("/console/units/:id/networks", s.OfficePage, s.createNetworkSubmit)
	console.POST("/console/units/:id/networks/:nid", s.OfficePage, s.updateNetworkSubmit)
	console.POST("/console/units/:id/networks/:nid/delete", s.OfficePage, s.deleteNetworkSubmit)
	console.POST("/console/feedback/held/:key/decide", s.OfficePage, cs.HeldDecideSubmit)
}

// surveyRoutes registers the surveys: the office's API and console pages,
// and the respondents' invitation pages.
func (s *Server) surveyRoutes(e *gin.Engine, authed, console *gin.RouterGroup) {
	// Respondents' pages, opened from a one-time invitation link.
	e.GET("/s/:token", privateLink, s.invitationPage)
	e.POST("/s/:token/units/:unit_id", privateLink, s.PublicForm(httpx.SurveyFormMax, true), s.invitationSaveUnit)
	e.POST("/s/:token/submit", privateLink, s.PublicForm(httpx.SurveyFormMax, true), s.invitationSubmit)

	// The office's API; units never see respondents.
	authed.GET("/surveys", s.Office, s.apiListSurveys)
	authed.POST("/surveys", s.Office, s.apiCreateSurvey)
	authed.GET("/surveys/:id", s.Office, s.apiGetSurvey)
	authed.PUT("/surveys/:id", s.Office, s.apiUpdateSurvey)
	authed.PUT("/surveys/:id/closes_at", s.Office, s.apiSetSurveyClosesAt)
	authed.POST("/surveys/:id/open", s.Office, s.apiOpenSurvey)
	authed.POST("/surveys/:id/close", s.Office, s.apiCloseSurvey)
	authed.GET("/surveys/:id/progress", s.Office, s.apiSurveyProgress)
	authed.GET("/surveys/:id/respondents", s.Office, s.apiListRespondents)
	authed.POST("/surveys/:id/respondents", s.Office, s.apiAddRespondent)
	authed.POST("/surveys/:id/respondents/import", s.Office, s.apiImportRespondents)
	authed.GET("/surveys/:id/respondents/:rid", s.Office, s.apiGetRespondent)
	authed.DELETE("/surveys/:id/respondents/:rid", s.Office, s.apiDeleteRespondent)
	// Responses: every staff member, a unit only its own and without respondents.
	authed.GET("/responses", s.apiListResponses)

	console.GET("/console/surveys", s.OfficePage, s.surveysPage)
	console.GET("/console/surveys/new", s.OfficePage, s.newSurveyPage)
	console.POST("/console/surveys", s.OfficePage, s.createSurveySubmit)
	console.GET("/console/surveys/:id", s.OfficePage, s.surveyPage)
	console.GET("/console/surveys/:id/edit", s.OfficePage, s.editSurveyPage)
	console.POST("/console/surveys/:id", s.OfficePage, s.updateSurveySubmit)
	console.POST("/console/surveys/:id/open", s.OfficePage, s.openSurveySubmit)
	console.POST("/console/surveys/:id/close", s.OfficePage, s.closeSurveySubmit)
	console.POST("/console/surveys/:id/closes_at", s.OfficePage, s.surveyClosesAtSubmit)
	console.POST("/console/surveys/:id/respondents", s.OfficePage, s.addRespondentSubmit)
	console.POST("/console/surveys/:id/respondents/:rid/delete", s.OfficePage, s.deleteRespondentSubmit)
	console.GET("/console/surveys/:id/respondents/:rid/qr.png", s.OfficePage, s.respondentQR)
	console.GET("/console/surveys/:id/letters", s.OfficePage, s.invitationLetters)
	console.GET("/console/surveys/:id/links.csv", s.OfficePage, s.invitationLinksCSV)
	console.GET("/console/surveys/:id/links.xlsx", s.OfficePage, s.invitationLinksXLSX)
	// The upload's size is capped before the session check reads the form.
	e.POST("/console/surveys/:id/respondents/import", s.consoleFileLimit(maxAgencyFileBytes), s.PageAuth, s.OfficePage, s.importRespondentsSubmit)
	console.GET("/console/surveys/:id/template.csv", s.OfficePage, s.importTemplate)
	console.GET("/console/responses", s.responsesPage)
}

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

	authed.GET("/surveys/:id/agencies", s.Office, s.apiListAgencies)
	authed.POST("/surveys/:id/agencies", s.Office, s.apiCreateAgency)
	authed.GET("/agencies/:id", s.Office, s.apiGetAgency)
	authed.PATCH("/agencies/:id", s.Office, s.apiUpdateAgency)
	authed.POST("/agencies/:id/tokens", s.Office, s.apiIssueAgencyToken)
	authed.DELETE("/agencies/:id/tokens/:token_id", s.Office, s.apiRevokeAgencyToken)
	authed.GET("/agencies/:id/quotas", s.Office, s.apiAgencyQuotas)
	authed.PUT("/agencies/:id/quotas", s.Office, s.apiSetAgencyQuotas)
	authed.GET("/agencies/:id/progress", s.Office, s.apiAgencyProgress)
	authed.GET("/agencies/:id/uploads", s.Office, s.apiAgencyUploads)
	authed.GET("/agencies/:id/uploads/:upload_id", s.Office, s.apiAgencyUpload)

	console.GET("/console/surveys/:id/agencies", s.OfficePage, s.agenciesPage)
	console.POST("/console/surveys/:id/agencies", s.OfficePage, s.createAgencySubmit)
	console.GET("/console/agencies/:id", s.OfficePage, s.agencyPage)
	console.POST("/console/agencies/:id", s.OfficePage, s.updateAgencySubmit)
	console.POST("/console/agencies/:id/disable", s.OfficePage, s.disableAgencySubmit)
	console.POST("/console/agencies/:id/enable", s.OfficePage, s.enableAgencySubmit)
	console.POST("/console/agencies/:id/tokens", s.OfficePage, s.issueAgencyTokenSubmit)
	console.POST("/console/agencies/:id/tokens/:token_id/revoke", s.OfficePage, s.revokeAgencyTokenSubmit)
	console.POST("/console/agencies/:id/quotas", s.OfficePage, s.setAgencyQuotaSubmit)
	// The file's size is capped before the session check reads the form.
	s.engine.POST("/console/agencies/:id/uploads", s.consoleFileLimit(maxAgencyFileBytes), s.PageAuth, s.OfficePage, s.agencyUploadSubmit)
	console.GET("/console/agencies/:id/uploads/:upload_id", s.OfficePage, s.agencyUploadPage)
	console.GET("/console/agencies/:id/template.xlsx", s.OfficePage, s.agencyTemplate)
}

// cycleRoutes registers assessment cycles (考核年度): the API and console
// pages that list and create cycles and show and store a cycle's
// configuration versions. Every staff user may read them; creating a cycle
// and storing a configuration version are for the office.
func (s *Server) cycleRoutes(authed, console *gin.RouterGroup) {
	cy := cyclesapp.New(s.App)
	authed.GET("/cycles", cy.APIListCycles)
	authed.POST("/cycles", s.Office, cy.APICreateCycle)
	authed.GET("/cycles/:id", cy.APIGetCycle)
	authed.PUT("/cycles/:id/config", s.Office, cy.APISetCycleConfig)
	authed.GET("/cycles/:id/config/versions", cy.APIListCycleConfigVersions)
	authed.GET("/cycles/:id/config/versions/:version", cy.APIGetCycleConfigVersion)

	console.GET("/console/cycles", cy.CyclesListPage)
	console.POST("/console/cycles", s.OfficePage, cy.CreateCycleSubmit)
	console.GET("/console/cycles/:id", cy.CycleDetailPage)
	console.POST("/console/cycles/:id/config", s.OfficePage, cy.CycleConfigSubmit)
}

// scoreRoutes registers the public evaluation scores: API, console pages
// and the .xlsx export. Every staff user may read them, a unit-role user
// only as scores.Report.ForUnit allows.
func (s *Server) scoreRoutes(authed, console *gin.RouterGroup) {
	sc := scoresapp.New(s.App)
	authed.GET("/cycles/:id/scores", sc.APICycleScores)
	authed.GET("/cycles/:id/scores.xlsx", sc.APICycleScoresXLSX)
	authed.GET("/cycles/:id/scores/:unit_id", sc.APIUnitScore)

	console.GET("/console/cycles/:id/scores", sc.ScoresPage)
	console.GET("/console/cycles/:id/scores.xlsx", sc.ScoresXLSXDownload)
	console.GET("/console/cycles/:id/scores/:unit_id", sc.UnitScorePage)
}

// workdayRoutes registers the working-day calendar (工作日历): the API and
// the office's console page to add a year's holidays and make-up workdays.
func (s *Server) workdayRoutes(authed, console *gin.RouterGroup) {
	wd := workdaysapp.New(s.App)
	authed.GET("/workdays", wd.APIListWorkdayYears)
	authed.GET("/workdays/deadline", wd.APIWorkdayDeadline)
	authed.GET("/workdays/:year", wd.APIGetWorkdayYear)
	authed.PUT("/workdays/:year", s.Office, wd.APIPutWorkdayYear)
	console.GET("/console/workdays", wd.WorkdaysPage)
	console.GET("/console/workdays/new", s.OfficePage, wd.NewWorkdayYearPage)
	console.GET("/console/workdays/:year", wd.WorkdayYearPage)
	console.POST("/console/workdays/:year", s.OfficePage, wd.SaveWorkdayYearSubmit)
}

// schemeRoutes registers assessment schemes (考核方案): the tree of weighted
// components of a cycle, its presets, API and console pages.
func (s *Server) schemeRoutes(authed, console *gin.RouterGroup) {
	cy := cyclesapp.New(s.App)
	authed.GET("/schemes/presets", cy.APISchemePresets)
	authed.POST("/schemes/compute", cy.APIComputeScheme)
	authed.GET("/cycles/:id/scheme", cy.APIGetScheme)
	authed.PUT("/cycles/:id/scheme", s.Office, cy.APISetScheme)
	authed.GET("/cycles/:id/scheme/versions", cy.APIListSchemeVersions)
	console.GET("/console/cycles/:id/scheme", cy.SchemePage)
	console.POST("/console/cycles/:id/scheme", s.OfficePage, cy.SchemeSubmit)
	console.POST("/console/cycles/:id/scheme/trial", s.OfficePage, cy.SchemeTrialSubmit)
}

// targetRoutes registers annual targets and process management (目标管理与
// 过程管理): units' drafts, the office's review, change requests, progress
// reports, early warnings, self-evaluation and the public targets page.
func (s *Server) targetRoutes(e *gin.Engine, authed, console *gin.RouterGroup) {
	tg := targetsapp.New(s.App)
	authed.GET("/cycles/:id/targets", tg.APIListTargets)
	authed.POST("/cycles/:id/targets", tg.APICreateTarget)
	authed.GET("/cycles/:id/target-settings", tg.APITargetSettings)
	authed.PUT("/cycles/:id/target-settings", s.Office, tg.APISetTargetSettings)
	authed.GET("/cycles/:id/target-warnings", tg.APITargetWarnings)
	authed.GET("/targets/:id", tg.APIGetTarget)
	authed.PUT("/targets/:id", tg.APISaveTarget)
	authed.POST("/targets/:id/submit", tg.APISubmitTarget)
	authed.POST("/targets/:id/return", s.Office, tg.APIReturnTarget)
	authed.POST("/targets/:id/approve", s.Office, tg.APIApproveTarget)
	authed.GET("/targets/:id/versions", tg.APITargetVersions)
	authed.GET("/targets/:id/versions/:version", tg.APITargetVersion)
	authed.GET("/targets/:id/change-requests", tg.APITargetChangeRequests)
	authed.POST("/targets/:id/change-requests", tg.APIRequestTargetChange)
	authed.POST("/target-change-requests/:id/approve", s.Office, tg.APIDecideTargetChange(true))
	authed.POST("/target-change-requests/:id/reject", s.Office, tg.APIDecideTargetChange(false))
	authed.GET("/targets/:id/reports", tg.APITargetReports)
	authed.PUT("/targets/:id/reports/:period", tg.APISaveTargetReports)
	authed.GET("/targets/:id/self-evaluation", tg.APITargetSelfEvaluation)
	authed.PUT("/targets/:id/self-evaluation", tg.APISaveTargetSelfEvaluation)

	console.GET("/console/targets", tg.TargetsPage)
	console.POST("/console/targets", tg.CreateTargetSubmit)
	console.POST("/console/targets/settings", s.OfficePage, tg.TargetSettingsSubmit)
	console.GET("/console/targets/warnings", s.OfficePage, tg.TargetWarningsPage)
	console.GET("/console/targets/:id", tg.TargetPage)
	console.POST("/console/targets/:id", tg.SaveTargetSubmit)
	console.POST("/console/targets/:id/submit", tg.SubmitTargetSubmit)
	console.POST("/console/targets/:id/return", s.OfficePage, tg.ReturnTargetSubmit)
	console.POST("/console/targets/:id/approve", s.OfficePage, tg.ApproveTargetSubmit)
	console.POST("/console/targets/:id/changes", tg.RequestChangeSubmit)
	console.POST("/console/targets/:id/changes/:cr", s.OfficePage, tg.DecideChangeSubmit)
	console.POST("/console/targets/:id/reports", tg.SaveReportsSubmit)
	console.POST("/console/targets/:id/self-evaluation", tg.SaveSelfEvaluationSubmit)

	e.GET("/targets/:cycle", tg.PublicTargetsPage)
	e.GET("/targets/:cycle/:unit", tg.PublicTargetPage)
}

// scoringRoutes registers the assessment's scoring and adjustments (评分与
// 加减分): assessor units' entries, evidence files, bonus claims,
// deductions, grade adjustments and the cycle's assessment settings.
func (s *Server) scoringRoutes(authed, console *gin.RouterGroup) {
	as := assessmentapp.New(s.App)
	authed.GET("/cycles/:id/assessment", s.Office, as.APIAssessmentOverview)
	authed.GET("/cycles/:id/assessment/leaves", as.APIAssessmentLeaves)
	authed.PUT("/cycles/:id/assessment/leaves/:leaf_key/assessor", s.Office, as.APISetLeafAssessor)
	authed.GET("/cycles/:id/assessment/entries", as.APIAssessmentEntries)
	authed.PUT("/cycles/:id/assessment/entries/:unit_id/:leaf_key", as.APISaveAssessmentEntry)
	authed.GET("/cycles/:id/assessment/units/:unit_id", as.APIUnitAssessment)
	authed.GET("/cycles/:id/assessment/bonus-claims", as.APIListClaims)
	authed.POST("/cycles/:id/assessment/bonus-claims", as.APICreateClaim)
	authed.POST("/bonus-claims/:id/approve", s.Office, as.APIDecideClaim(true))
	authed.POST("/bonus-claims/:id/reject", s.Office, as.APIDecideClaim(false))
	authed.GET("/cycles/:id/assessment/deductions", as.APIListDeductions)
	authed.POST("/cycles/:id/assessment/deductions", s.Office, as.APIFileDeduction)
	authed.POST("/deductions/:id/revoke", s.Office, as.APIRevokeDeduction)
	authed.GET("/cycles/:id/assessment/adjustments", as.APIListAdjustments)
	authed.POST("/cycles/:id/assessment/adjustments", s.Office, as.APIAddAdjustment)
	authed.POST("/adjustments/:id/revoke", s.Office, as.APIRevokeAdjustment)
	authed.GET("/cycles/:id/assessment/settings", as.APIAssessmentSettings)
	authed.PUT("/cycles/:id/assessment/settings", s.Office, as.APISaveAssessmentSettings)
	authed.POST("/evidence", as.APIUploadEvidence)
	authed.GET("/evidence/:id", as.APIDownloadEvidence)

	console.GET("/console/evidence/:id", as.EvidenceDownload)
	console.GET("/console/cycles/:id/assessment", s.OfficePage, as.AssessmentPage)
	console.GET("/console/cycles/:id/assessment/score", as.EntryPage)
	console.GET("/console/cycles/:id/assessment/score.csv", as.ScoreSheetDownload)
	console.POST("/console/cycles/:id/assessment/assessors", s.OfficePage, as.AssessorSubmit)
	console.GET("/console/cycles/:id/assessment/units/:unit_id", as.UnitAssessmentPage)
	console.POST("/console/cycles/:id/assessment/claims/:claim_id", s.OfficePage, as.DecideClaimSubmit)
	console.POST("/console/cycles/:id/assessment/deductions/:item_id/revoke", s.OfficePage, as.RevokeDeductionSubmit)
	console.POST("/console/cycles/:id/assessment/adjustments/:item_id/revoke", s.OfficePage, as.RevokeAdjustmentSubmit)
	console.GET("/console/cycles/:id/assessment/settings", s.OfficePage, as.AssessSettingsPage)
	console.POST("/console/cycles/:id/assessment/settings", s.OfficePage, as.AssessSettingsSubmit)

	// Forms with evidence uploads: the body is limited before the session
	// check parses it (a row of the entry table may carry several files).
	one, row := s.consoleFileLimit(assessment.MaxEvidenceBytes), s.consoleFileLimit(5*assessment.MaxEvidenceBytes)
	e := s.engine
	e.POST("/console/cycles/:id/assessment/score", row, s.PageAuth, as.EntrySubmit)
	e.POST("/console/cycles/:id/assessment/score/upload", s.consoleFileLimit(assessmentapp.MaxScoreSheetBytes), s.PageAuth, as.ScoreSheetUpload)
	e.POST("/console/cycles/:id/assessment/units/:unit_id/claims", one, s.PageAuth, as.ClaimSubmit)
	e.POST("/console/cycles/:id/assessment/units/:unit_id/deductions", one, s.PageAuth, s.OfficePage, as.DeductionSubmit)
	e.POST("/console/cycles/:id/assessment/units/:unit_id/adjustments", one, s.PageAuth, s.OfficePage, as.AdjustmentSubmit)
}

// resultRoutes registers the assessment's results (考核结果): the computed
// composite scores and grades, publication of the preliminary and the final
// results, applications for review and their answers, reopening, the use of
// results (quotas, streaks), the .xlsx export and the public results page.
func (s *Server) resultRoutes(e *gin.Engine, authed, console *gin.RouterGroup) {
	rs := resultsapp.New(s.App)
	authed.GET("/cycles/:id/results", rs.APIResults)
	authed.GET("/cycles/:id/results/xlsx", s.Office, rs.APIResultsXLSX)
	authed.GET("/cycles/:id/results/units/:unit_id", rs.APIUnitResult)
	authed.POST("/cycles/:id/results/preliminary", s.Office, rs.APIPublishResults(false))
	authed.POST("/cycles/:id/results/final", s.Office, rs.APIPublishResults(true))
	authed.POST("/cycles/:id/results/reopen", s.Office, rs.APIReopenResults)
	authed.GET("/cycles/:id/results/appeals", rs.APIListAppeals)
	authed.POST("/cycles/:id/results/units/:unit_id/appeal", rs.APIApply)
	authed.POST("/cycles/:id/results/appeals/:appeal_id/answer", s.Office, rs.APIAnswerAppeal)
	authed.GET("/cycles/:id/results/uses", s.Office, rs.APIResultUses)
	authed.PUT("/cycles/:id/results/units/:unit_id/staff-count", s.Office, rs.APISetStaffCount)
	authed.GET("/cycles/:id/results/units/:unit_id/rectification", rs.APIRectification)
	authed.PUT("/cycles/:id/results/units/:unit_id/rectification", rs.APISubmitRectification)
	authed.POST("/cycles/:id/results/units/:unit_id/rectification/receive", s.Office, rs.APIReceiveRectification)
	e.GET("/results/:cycle_id", rs.PublicResultsPage)

	console.GET("/console/cycles/:id/results", rs.ResultsPage)
	console.POST("/console/cycles/:id/results/preliminary", s.OfficePage, rs.PublishPreliminarySubmit)
	console.POST("/console/cycles/:id/results/final", s.OfficePage, rs.PublishFinalSubmit)
	console.POST("/console/cycles/:id/results/reopen", s.OfficePage, rs.ReopenResultsSubmit)
	console.POST("/console/cycles/:id/results/appeals/:appeal_id/answer", s.OfficePage, rs.AnswerAppealSubmit)
	console.GET("/console/cycles/:id/results/:unit_id", rs.UnitResultPage)
	console.POST("/console/cycles/:id/results/:unit_id/rectification/receive", s.OfficePage, rs.ReceiveRectificationSubmit)
	console.POST("/console/cycles/:id/results/:unit_id/staff-count", s.OfficePage, rs.StaffCountSubmit)

	// Forms with evidence files: the body is limited before the session
	// check parses it.
	files := s.consoleFileLimit(results.MaxUploads * assessment.MaxEvidenceBytes)
	e.POST("/console/cycles/:id/results/:unit_id/appeal", files, s.PageAuth, rs.ApplySubmit)
	e.POST("/console/cycles/:id/results/:unit_id/rectification", files, s.PageAuth, rs.RectificationSubmit)
}

// feedbackRoutes registers the review of feedback (民意核查): the office's
// queue and verdicts, merging duplicates into one rectification case,
// units' appeals against single ratings, the suspicious-pattern flags and
// the list of opened cases.
func (s *Server) feedbackRoutes(authed, console *gin.RouterGroup) {
	cs := casesapp.New(s.App)
	authed.GET("/feedback", s.Office, cs.APIFeedbackQueue)
	authed.GET("/feedback/items/:kind/:id", s.Office, cs.APIFeedbackItem)
	authed.POST("/feedback/valid", s.Office, cs.APIFeedbackValid)
	authed.POST("/feedback/invalid", s.Office, cs.APIFeedbackInvalid)
	authed.POST("/feedback/items/:kind/:id/reopen", s.Office, cs.APIFeedbackReopen)
	authed.GET("/feedback/flags", s.Office, cs.APIFeedbackFlags)
	authed.POST("/feedback/flags/scan", s.Office, cs.APIFeedbackScan)
	authed.POST("/feedback/flags/:id/confirm", s.Office, cs.APIDecideFlag(true))
	authed.POST("/feedback/flags/:id/dismiss", s.Office, cs.APIDecideFlag(false))
	authed.GET("/feedback/appeals", cs.APIFeedbackAppeals)
	authed.GET("/feedback/appeals/:id", cs.APIFeedbackAppeal)
	authed.POST("/feedback/appeals/:id/uphold", s.Office, cs.APIDecideAppeal(true))
	authed.POST("/feedback/appeals/:id/reject", s.Office, cs.APIDecideAppeal(false))
	authed.POST("/ratings/:id/appeals", cs.APIFileAppeal)
	authed.GET("/cases", cs.APIListCases)
	authed.POST("/cases", s.Office, cs.APIOpenCase)
	authed.GET("/cases/overdue", s.Office, cs.APIOverdueCounts)
	authed.GET("/cases/settings", cs.APICaseSettings)
	authed.PUT("/cases/settings", s.Office, cs.APISaveCaseSettings)
	authed.GET("/cases/:id", cs.APIGetCase)
	for _, step := range []string{"answer", "progress", "done", "close", "return", "release"} {
		authed.POST("/cases/:id/"+step, cs.APICaseStep(step))
	}

	console.GET("/console/feedback", s.OfficePage, cs.FeedbackPage)
	console.POST("/console/feedback/merge", s.OfficePage, cs.FeedbackMergeSubmit)
	console.GET("/console/feedback/item/:kind/:id", s.OfficePage, cs.FeedbackItemPage)
	console.POST("/console/feedback/item/:kind/:id/valid", s.OfficePage, cs.FeedbackValidSubmit)
	console.POST("/console/feedback/item/:kind/:id/invalid", s.OfficePage, cs.FeedbackInvalidSubmit)
	console.POST("/console/feedback/item/:kind/:id/reopen", s.OfficePage, cs.FeedbackReopenSubmit)
	console.GET("/console/feedback/flags", s.OfficePage, cs.FeedbackFlagsPage)
	console.POST("/console/feedback/flags/scan", s.OfficePage, cs.FeedbackScanSubmit)
	console.POST("/console/feedback/flags/:id/decide", s.OfficePage, cs.FeedbackFlagSubmit)
	console.GET("/console/feedback/appeals", cs.FeedbackAppealsPage)
	console.POST("/console/feedback/appeals/:id/decide", s.OfficePage, cs.FeedbackAppealSubmit)
	console.GET("/console/ratings/:id/appeal", cs.AppealFormPage)
	console.GET("/console/cases", cs.CasesPage)
	console.POST("/console/cases", s.OfficePage, cs.CaseOpenSubmit)
	console.GET("/console/cases/settings", s.OfficePage, cs.CaseSettingsPage)
	console.POST("/console/cases/settings", s.OfficePage, cs.CaseSettingsSubmit)
	console.GET("/console/cases/:id", cs.CasePage)
	for _, step := range []string{"answer", "progress", "close", "return", "release"} {
		console.POST("/console/cases/:id/"+step, cs.CaseStepSubmit(step))
	}
	// The done report carries its evidence file (see the appeal form below).
	s.engine.POST("/console/cases/:id/done", s.consoleFileLimit(assessment.MaxEvidenceBytes), s.PageAuth, cs.CaseStepSubmit("done"))
	// The appeal form carries an evidence file: its body is limited before
	// the session check parses it.
	s.engine.POST("/console/ratings/:id/appeal", s.consoleFileLimit(assessment.MaxEvidenceBytes), s.PageAuth, cs.AppealSubmit)
}

// callbackRoutes registers call-backs (回访) of real-name cases, the
// citizen's one-time 追评 link (/f/:token), deduction proposals from
// overdue cases and carrying key cases into next year's targets.
func (s *Server) callbackRoutes(e *gin.Engine, authed, console *gin.RouterGroup) {
	cs := casesapp.New(s.App)
	e.GET("/f/:token", cs.FollowupPage)
	e.POST("/f/:token", s.PublicForm(httpx.SmallFormMax, true), cs.SubmitFollowup)
	e.GET("/f/:token/qr.png", cs.FollowupQR)

	authed.GET("/callbacks", cs.APIListCallbacks)
	authed.GET("/cases/:id/callbacks", cs.APIGetCallbacks)
	authed.POST("/cases/:id/callbacks", cs.APIRecordCallback)
	authed.POST("/cases/:id/followup-links", s.Office, cs.APIIssueFollowupLink)
	authed.PUT("/cases/:id/carry", s.Office, cs.APIMarkCarry)
	authed.GET("/cycles/:id/case-deductions", s.Office, cs.APICaseDeductions)
	authed.POST("/cycles/:id/case-deductions", s.Office, cs.APIConfirmCaseDeduction)
	authed.GET("/cycles/:id/case-carry", s.Office, cs.APICarryCases)
	authed.POST("/cycles/:id/case-carry", s.Office, cs.APICarry)

	console.GET("/console/callbacks", cs.CallbacksPage)
	console.GET("/console/callbacks/:id", cs.CallbackPage)
	console.POST("/console/callbacks/:id/calls", cs.CallbackSubmit)
	console.POST("/console/callbacks/:id/link", s.OfficePage, cs.FollowupLinkSubmit)
	console.POST("/console/callbacks/:id/carry", s.OfficePage, cs.CarryMarkSubmit)
	console.GET("/console/cycles/:id/case-deductions", s.OfficePage, cs.CaseDeductionsPage)
	console.POST("/console/cycles/:id/case-deductions", s.OfficePage, cs.CaseDeductionSubmit)
	console.GET("/console/cycles/:id/case-carry", s.OfficePage, cs.CaseCarryPage)
	console.POST("/console/cycles/:id/case-carry", s.OfficePage, cs.CaseCarrySubmit)
}

// publicCaseRoutes registers /cases and /cases/:unit.
func (s *Server) publicCaseRoutes(e *gin.Engine) {
	cs := casesapp.New(s.App)
	e.GET("/cases", cs.PublicCasesPage)
	e.GET("/cases/:unit", cs.PublicUnitCasesPage)
}
