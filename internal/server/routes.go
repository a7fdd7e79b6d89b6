// The route table: every route of the product, in one file, each pointing
// at the handler that serves it. routes() registers the engine-wide routes
// and calls one function per area, in the order below. Handlers live in
// the packages of internal/app (one per area, e.g. rt := s.ratings is
// ratingsapp); the few that are the server's own (health, readiness,
// static files, metrics) are methods of Server. Routes registered with
// s.file take or give a file and get FILE_REQUEST_TIMEOUT instead of
// REQUEST_TIMEOUT (deadline.go).
package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/internal/app/accountsapp"
	"minyi/internal/app/agenciesapp"
	"minyi/internal/app/assessmentapp"
	"minyi/internal/app/auditapp"
	"minyi/internal/app/casesapp"
	"minyi/internal/app/cyclesapp"
	"minyi/internal/app/overviewapp"
	"minyi/internal/app/resultsapp"
	"minyi/internal/app/scoresapp"
	"minyi/internal/app/surveysapp"
	"minyi/internal/app/targetsapp"
	"minyi/internal/app/workdaysapp"
	"minyi/internal/assessment"
	"minyi/internal/httpx"
	"minyi/internal/results"
	"minyi/internal/surveys"
)

func (s *Server) routes() {
	e := s.engine
	e.GET("/static/*filepath", s.staticFiles())
	e.HEAD("/static/*filepath", s.staticFiles())
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/", func(c *gin.Context) { c.Redirect(http.StatusFound, "/console") })

	// Citizens' rating pages.
	rt := s.ratings
	e.GET("/q/:code", rt.RatingPage)
	e.POST("/q/:code", s.PublicForm(httpx.SmallFormMax, false), rt.SubmitRating)
	e.GET("/q/:code/thanks", rt.ThanksPage)
	e.GET("/q/:code/qr.png", rt.QRPNG)

	api := e.Group("/api/v1")
	acc := accountsapp.New(s.App)
	// The terminal API keeps REQUEST_TIMEOUT: the group-commit writer
	// stores a batch with a context of its own (10 s), which the request's
	// deadline never cuts in half; a terminal whose reply took too long
	// gets 503 and re-sends, idempotently.
	api.POST("/terminal/ratings", rt.TerminalRatings)
	api.POST("/session", acc.APISignIn)
	api.DELETE("/session", acc.APISignOut)
	authed := api.Group("", s.APIAuth)
	authed.GET("/session", acc.APIWhoAmI)
	authed.GET("/units", rt.APIListUnits)
	authed.POST("/units", s.Office, rt.APICreateUnit)
	authed.GET("/units/:id", rt.APIGetUnit)
	authed.PATCH("/units/:id", s.Office, rt.APIUpdateUnit)
	authed.POST("/units/:id/qr/rotate", s.Office, rt.APIRotateUnitCode)
	authed.GET("/units/:id/points", rt.APIListPoints)
	authed.POST("/units/:id/points", s.Office, rt.APICreatePoint)
	authed.POST("/points/:id/qr/rotate", s.Office, rt.APIRotatePointCode)
	authed.GET("/units/:id/terminals", rt.APIListTerminals)
	authed.POST("/units/:id/terminals", s.Office, rt.APICreateTerminal)
	authed.DELETE("/terminals/:id", s.Office, rt.APIRevokeTerminal)
	authed.GET("/units/:id/ratings", rt.APIUnitRatings)
	authed.GET("/units/:id/stats", rt.APIUnitStats)
	authed.GET("/ratings", rt.APIRatings)
	authed.POST("/ratings/:id/exclude", s.Office, rt.APIExcludeRating)
	authed.POST("/ratings/:id/restore", s.Office, rt.APIRestoreRating)
	authed.GET("/audit", s.Office, auditapp.New(s.App).APIAudit)
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
	g.GET("/console", overviewapp.New(s.App).OverviewPage)
	rt := s.ratings
	g.GET("/console/units", rt.UnitsPage)
	g.POST("/console/units", s.OfficePage, rt.CreateUnitSubmit)
	g.GET("/console/units/:id", rt.UnitPage)
	g.POST("/console/units/:id", s.OfficePage, rt.UpdateUnitSubmit)
	g.POST("/console/units/:id/rotate", s.OfficePage, rt.RotateUnitSubmit)
	g.POST("/console/units/:id/points", s.OfficePage, rt.CreatePointSubmit)
	g.POST("/console/units/:id/terminals", s.OfficePage, rt.CreateTerminalSubmit)
	g.GET("/console/units/:id/poster", rt.UnitPoster)
	g.POST("/console/points/:id/rotate", s.OfficePage, rt.RotatePointSubmit)
	g.GET("/console/points/:id/poster", rt.PointPoster)
	g.POST("/console/terminals/:id/revoke", s.OfficePage, rt.RevokeTerminalSubmit)
	g.GET("/console/ratings", rt.RatingsPage)
	g.POST("/console/ratings/:id/exclude", s.OfficePage, rt.ExcludeSubmit)
	g.POST("/console/ratings/:id/restore", s.OfficePage, rt.RestoreSubmit)
	g.GET("/console/audit", s.OfficePage, aud.AuditPage)
}

// dailyCapRoutes registers the daily cap on counted QR ratings (issue 9):
// the hall networks the office registers on units and service points, and
// its decisions on the ratings the cap held. All of it is the office's:
// networks name addresses, which units never see.
func (s *Server) dailyCapRoutes(authed, console *gin.RouterGroup) {
	rt, cs := s.ratings, casesapp.New(s.App)
	authed.GET("/units/:id/networks", s.Office, rt.APIListNetworks)
	authed.POST("/units/:id/networks", s.Office, rt.APICreateNetwork)
	authed.PATCH("/networks/:id", s.Office, rt.APIUpdateNetwork)
	authed.DELETE("/networks/:id", s.Office, rt.APIDeleteNetwork)
	authed.GET("/feedback/held", s.Office, cs.APIHoldGroups)
	authed.POST("/feedback/held/:key/count", s.Office, cs.APIDecideHold(true))
	authed.POST("/feedback/held/:key/not-count", s.Office, cs.APIDecideHold(false))

	console.POST("/console/units/:id/networks", s.OfficePage, rt.CreateNetworkSubmit)
	console.POST("/console/units/:id/networks/:nid", s.OfficePage, rt.UpdateNetworkSubmit)
	console.POST("/console/units/:id/networks/:nid/delete", s.OfficePage, rt.DeleteNetworkSubmit)
	console.POST("/console/feedback/held/:key/decide", s.OfficePage, cs.HeldDecideSubmit)
}

// surveyRoutes registers the surveys: the office's API and console pages,
// and the respondents' invitation pages.
func (s *Server) surveyRoutes(e *gin.Engine, authed, console *gin.RouterGroup) {
	sv := surveysapp.New(s.App)
	// Respondents' pages, opened from a one-time invitation link.
	e.GET("/s/:token", surveysapp.PrivateLink, sv.InvitationPage)
	e.POST("/s/:token/units/:unit_id", surveysapp.PrivateLink, s.PublicForm(httpx.SurveyFormMax, true), sv.InvitationSaveUnit)
	e.POST("/s/:token/submit", surveysapp.PrivateLink, s.PublicForm(httpx.SurveyFormMax, true), sv.InvitationSubmit)

	// The office's API; units never see respondents.
	authed.GET("/surveys", s.Office, sv.APIListSurveys)
	authed.POST("/surveys", s.Office, sv.APICreateSurvey)
	authed.GET("/surveys/:id", s.Office, sv.APIGetSurvey)
	authed.PUT("/surveys/:id", s.Office, sv.APIUpdateSurvey)
	authed.PUT("/surveys/:id/closes_at", s.Office, sv.APISetSurveyClosesAt)
	authed.POST("/surveys/:id/open", s.Office, sv.APIOpenSurvey)
	authed.POST("/surveys/:id/close", s.Office, sv.APICloseSurvey)
	authed.GET("/surveys/:id/progress", s.Office, sv.APISurveyProgress)
	authed.GET("/surveys/:id/respondents", s.Office, sv.APIListRespondents)
	authed.POST("/surveys/:id/respondents", s.Office, sv.APIAddRespondent)
	s.file(authed, http.MethodPost, "/surveys/:id/respondents/import", s.Office, sv.APIImportRespondents)
	authed.GET("/surveys/:id/respondents/:rid", s.Office, sv.APIGetRespondent)
	authed.DELETE("/surveys/:id/respondents/:rid", s.Office, sv.APIDeleteRespondent)
	// Responses: every staff member, a unit only its own and without respondents.
	authed.GET("/responses", sv.APIListResponses)

	console.GET("/console/surveys", s.OfficePage, sv.SurveysPage)
	console.GET("/console/surveys/new", s.OfficePage, sv.NewSurveyPage)
	console.POST("/console/surveys", s.OfficePage, sv.CreateSurveySubmit)
	console.GET("/console/surveys/:id", s.OfficePage, sv.SurveyPage)
	console.GET("/console/surveys/:id/edit", s.OfficePage, sv.EditSurveyPage)
	console.POST("/console/surveys/:id", s.OfficePage, sv.UpdateSurveySubmit)
	console.POST("/console/surveys/:id/open", s.OfficePage, sv.OpenSurveySubmit)
	console.POST("/console/surveys/:id/close", s.OfficePage, sv.CloseSurveySubmit)
	console.POST("/console/surveys/:id/closes_at", s.OfficePage, sv.SurveyClosesAtSubmit)
	console.POST("/console/surveys/:id/respondents", s.OfficePage, sv.AddRespondentSubmit)
	console.POST("/console/surveys/:id/respondents/:rid/delete", s.OfficePage, sv.DeleteRespondentSubmit)
	console.GET("/console/surveys/:id/respondents/:rid/qr.png", s.OfficePage, sv.RespondentQR)
	console.GET("/console/surveys/:id/letters", s.OfficePage, sv.InvitationLetters)
	s.file(console, http.MethodGet, "/console/surveys/:id/links.csv", s.OfficePage, sv.InvitationLinksCSV)
	s.file(console, http.MethodGet, "/console/surveys/:id/links.xlsx", s.OfficePage, sv.InvitationLinksXLSX)
	// The upload's size is capped before the session check reads the form.
	s.file(&e.RouterGroup, http.MethodPost, "/console/surveys/:id/respondents/import", s.consoleFileLimit(surveys.MaxFileBytes),
		s.PageAuth, s.OfficePage, sv.ImportRespondentsSubmit)
	console.GET("/console/surveys/:id/template.csv", s.OfficePage, sv.ImportTemplate)
	console.GET("/console/responses", sv.ResponsesPage)
}

// agencyRoutes registers third-party survey agencies: the office's API and
// console pages, and the agencies' own token-authenticated API.
func (s *Server) agencyRoutes(api, authed, console *gin.RouterGroup) {
	ag := agenciesapp.New(s.App)
	agency := api.Group("/agency", ag.AgencyAuth)
	agency.GET("", ag.AgencyWhoAmI)
	s.file(agency, http.MethodPost, "/responses", ag.AgencyUploadJSON) // up to 16 MiB of rows
	s.file(agency, http.MethodPost, "/responses/file", ag.AgencyUploadFile)
	agency.GET("/progress", ag.AgencyProgress)
	agency.GET("/uploads", ag.AgencyUploads)
	agency.GET("/uploads/:id", ag.AgencyUpload)
	agency.GET("/template.xlsx", ag.AgencyTemplateXLSX)

	authed.GET("/surveys/:id/agencies", s.Office, ag.APIListAgencies)
	authed.POST("/surveys/:id/agencies", s.Office, ag.APICreateAgency)
	authed.GET("/agencies/:id", s.Office, ag.APIGetAgency)
	authed.PATCH("/agencies/:id", s.Office, ag.APIUpdateAgency)
	authed.POST("/agencies/:id/tokens", s.Office, ag.APIIssueAgencyToken)
	authed.DELETE("/agencies/:id/tokens/:token_id", s.Office, ag.APIRevokeAgencyToken)
	authed.GET("/agencies/:id/quotas", s.Office, ag.APIAgencyQuotas)
	authed.PUT("/agencies/:id/quotas", s.Office, ag.APISetAgencyQuotas)
	authed.GET("/agencies/:id/progress", s.Office, ag.APIAgencyProgress)
	authed.GET("/agencies/:id/uploads", s.Office, ag.APIAgencyUploads)
	authed.GET("/agencies/:id/uploads/:upload_id", s.Office, ag.APIAgencyUpload)

	console.GET("/console/surveys/:id/agencies", s.OfficePage, ag.AgenciesPage)
	console.POST("/console/surveys/:id/agencies", s.OfficePage, ag.CreateAgencySubmit)
	console.GET("/console/agencies/:id", s.OfficePage, ag.AgencyPage)
	console.POST("/console/agencies/:id", s.OfficePage, ag.UpdateAgencySubmit)
	console.POST("/console/agencies/:id/disable", s.OfficePage, ag.DisableAgencySubmit)
	console.POST("/console/agencies/:id/enable", s.OfficePage, ag.EnableAgencySubmit)
	console.POST("/console/agencies/:id/tokens", s.OfficePage, ag.IssueAgencyTokenSubmit)
	console.POST("/console/agencies/:id/tokens/:token_id/revoke", s.OfficePage, ag.RevokeAgencyTokenSubmit)
	console.POST("/console/agencies/:id/quotas", s.OfficePage, ag.SetAgencyQuotaSubmit)
	// The file's size is capped before the session check reads the form.
	s.file(&s.engine.RouterGroup, http.MethodPost, "/console/agencies/:id/uploads", s.consoleFileLimit(surveys.MaxFileBytes),
		s.PageAuth, s.OfficePage, ag.AgencyUploadSubmit)
	console.GET("/console/agencies/:id/uploads/:upload_id", s.OfficePage, ag.AgencyUploadPage)
	console.GET("/console/agencies/:id/template.xlsx", s.OfficePage, ag.AgencyTemplate)
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
	s.file(authed, http.MethodGet, "/cycles/:id/scores.xlsx", sc.APICycleScoresXLSX)
	authed.GET("/cycles/:id/scores/:unit_id", sc.APIUnitScore)

	console.GET("/console/cycles/:id/scores", sc.ScoresPage)
	s.file(console, http.MethodGet, "/console/cycles/:id/scores.xlsx", sc.ScoresXLSXDownload)
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
	s.file(authed, http.MethodPost, "/evidence", as.APIUploadEvidence)
	s.file(authed, http.MethodGet, "/evidence/:id", as.APIDownloadEvidence)

	s.file(console, http.MethodGet, "/console/evidence/:id", as.EvidenceDownload)
	console.GET("/console/cycles/:id/assessment", s.OfficePage, as.AssessmentPage)
	console.GET("/console/cycles/:id/assessment/score", as.EntryPage)
	s.file(console, http.MethodGet, "/console/cycles/:id/assessment/score.csv", as.ScoreSheetDownload)
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
	e, post := &s.engine.RouterGroup, http.MethodPost
	s.file(e, post, "/console/cycles/:id/assessment/score", row, s.PageAuth, as.EntrySubmit)
	s.file(e, post, "/console/cycles/:id/assessment/score/upload", s.consoleFileLimit(assessmentapp.MaxScoreSheetBytes), s.PageAuth, as.ScoreSheetUpload)
	s.file(e, post, "/console/cycles/:id/assessment/units/:unit_id/claims", one, s.PageAuth, as.ClaimSubmit)
	s.file(e, post, "/console/cycles/:id/assessment/units/:unit_id/deductions", one, s.PageAuth, s.OfficePage, as.DeductionSubmit)
	s.file(e, post, "/console/cycles/:id/assessment/units/:unit_id/adjustments", one, s.PageAuth, s.OfficePage, as.AdjustmentSubmit)
}

// resultRoutes registers the assessment's results (考核结果): the computed
// composite scores and grades, publication of the preliminary and the final
// results, applications for review and their answers, reopening, the use of
// results (quotas, streaks), the .xlsx export and the public results page.
func (s *Server) resultRoutes(e *gin.Engine, authed, console *gin.RouterGroup) {
	rs := resultsapp.New(s.App)
	authed.GET("/cycles/:id/results", rs.APIResults)
	s.file(authed, http.MethodGet, "/cycles/:id/results/xlsx", s.Office, rs.APIResultsXLSX)
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
	s.file(&e.RouterGroup, http.MethodPost, "/console/cycles/:id/results/:unit_id/appeal", files, s.PageAuth, rs.ApplySubmit)
	s.file(&e.RouterGroup, http.MethodPost, "/console/cycles/:id/results/:unit_id/rectification", files, s.PageAuth, rs.RectificationSubmit)
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
	s.file(&s.engine.RouterGroup, http.MethodPost, "/console/cases/:id/done", s.consoleFileLimit(assessment.MaxEvidenceBytes),
		s.PageAuth, cs.CaseStepSubmit("done"))
	// The appeal form carries an evidence file: its body is limited before
	// the session check parses it.
	s.file(&s.engine.RouterGroup, http.MethodPost, "/console/ratings/:id/appeal", s.consoleFileLimit(assessment.MaxEvidenceBytes),
		s.PageAuth, cs.AppealSubmit)
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
