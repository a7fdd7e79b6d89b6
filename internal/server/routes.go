// The route table: every route of the product, in two files (this one and
// routes_assessment.go), each pointing at the handler that serves it.
// routes() registers the engine-wide routes and calls one function per
// area, in the order below. Handlers live in
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
	"minyi/internal/app/auditapp"
	"minyi/internal/app/casesapp"
	"minyi/internal/app/citizensmsapp"
	"minyi/internal/app/cyclesapp"
	"minyi/internal/app/notifyapp"
	"minyi/internal/app/overviewapp"
	"minyi/internal/app/searchapp"
	"minyi/internal/app/surveysapp"
	"minyi/internal/app/upwardapp"
	"minyi/internal/httpx"
	"minyi/internal/surveys"
)

func (s *Server) routes() {
	e := s.engine
	e.GET("/static/*filepath", s.staticFiles())
	e.HEAD("/static/*filepath", s.staticFiles())
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/", overviewapp.New(s.App).PortalPage)

	// Citizens' rating pages.
	rt := s.ratings
	e.GET("/q/:code", rt.RatingPage)
	e.POST("/q/:code", s.PublicForm(httpx.SmallFormMax, false), rt.SubmitRating)
	e.GET("/q/:code/thanks", rt.ThanksPage)
	e.GET("/q/:code/qr.png", rt.QRPNG)
	e.GET("/t/:reference", rt.TrackPage) // a rating's progress, by its reference
	// A citizen's opt-out from SMS: the page asks, the POST opts out.
	e.GET("/sms/stop/:token", citizensmsapp.New(s.App).StopPage)
	e.POST("/sms/stop/:token", s.PublicForm(httpx.SmallFormMax, false), citizensmsapp.New(s.App).StopSubmit)

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
	authed.PUT("/session/password", acc.APIChangeOwnPassword)
	authed.GET("/todos", overviewapp.New(s.App).APITodos)
	nt := notifyapp.New(s.App)
	authed.GET("/notifications", nt.APIList)
	authed.POST("/notifications/read", nt.APIRead)
	authed.GET("/notification-deliveries", s.Office, nt.APIDeliveries)
	authed.POST("/notification-deliveries/:id/resend", s.Office, nt.APIResend)
	authed.GET("/upward", s.Office, upwardapp.New(s.App).APIStatus)
	authed.POST("/upward/batches/:id/resend", s.Office, upwardapp.New(s.App).APIResend)
	authed.GET("/notification-templates", s.Office, nt.APITemplates)
	authed.GET("/notification-templates/:kind", s.Office, nt.APITemplate)
	authed.PUT("/notification-templates/:kind", s.Office, nt.APISaveTemplate)
	authed.DELETE("/notification-templates/:kind", s.Office, nt.APIResetTemplate)
	sms := citizensmsapp.New(s.App)
	authed.GET("/citizen-sms", s.Office, sms.APIList)
	authed.POST("/citizen-sms/:id/resend", s.Office, sms.APIResend)
	authed.GET("/citizen-sms-settings", s.Office, sms.APISettings)
	authed.PUT("/citizen-sms-settings", s.Office, sms.APISaveSettings)
	authed.POST("/surveys/:id/sms/invite", s.Office, sms.APISurveyInvite)
	authed.POST("/surveys/:id/sms/remind", s.Office, sms.APISurveyRemind)
	authed.GET("/users", s.Office, acc.APIListUsers)
	authed.POST("/users", s.Office, acc.APICreateUser)
	authed.POST("/users/unit-accounts", s.Office, acc.APIIssueUnitAccounts)
	authed.GET("/users/:id", s.Office, acc.APIGetUser)
	authed.PATCH("/users/:id", s.Office, acc.APIUpdateUser)
	authed.POST("/users/:id/password-reset", s.Office, acc.APIResetPassword)
	authed.DELETE("/users/:id/sessions", s.Office, acc.APIEndSessions)
	authed.DELETE("/users/:id/sessions/:sid", s.Office, acc.APIEndSessions)
	authed.GET("/units", rt.APIListUnits)
	authed.POST("/units", s.Office, rt.APICreateUnit)
	authed.GET("/units/:id", rt.APIGetUnit)
	authed.PATCH("/units/:id", s.Office, rt.APIUpdateUnit)
	authed.POST("/units/:id/qr/rotate", s.Office, rt.APIRotateUnitCode)
	authed.GET("/units/:id/lineage", rt.APIUnitLineage)
	authed.POST("/units/:id/predecessors", s.Office, rt.APIAddPredecessor)
	authed.DELETE("/units/:id/predecessors/:pid", s.Office, rt.APIRemovePredecessor)
	authed.POST("/units/:id/abolish", s.Office, rt.APIAbolishUnit)
	authed.POST("/units/:id/restore", s.Office, rt.APIRestoreUnit)
	authed.GET("/units/:id/points", rt.APIListPoints)
	authed.POST("/units/:id/points", s.Office, rt.APICreatePoint)
	authed.POST("/points/:id/qr/rotate", s.Office, rt.APIRotatePointCode)
	authed.GET("/units/:id/terminals", rt.APIListTerminals)
	authed.POST("/units/:id/terminals", s.Office, rt.APICreateTerminal)
	authed.DELETE("/terminals/:id", s.Office, rt.APIRevokeTerminal)
	authed.GET("/units/:id/ratings", rt.APIUnitRatings)
	authed.GET("/units/:id/stats", rt.APIUnitStats)
	// A unit's own channels: the unit for itself, the office for any.
	authed.GET("/units/:id/notify-channels", nt.APIUnitChannels)
	authed.PUT("/units/:id/notify-channels", nt.APISetUnitChannels)
	authed.POST("/units/:id/notify-channels/test", nt.APIProbeUnitChannel)
	authed.GET("/ratings", rt.APIRatings)
	authed.POST("/ratings/:id/exclude", s.Office, rt.APIExcludeRating)
	authed.POST("/ratings/:id/restore", s.Office, rt.APIRestoreRating)
	authed.GET("/search", searchapp.New(s.App).APISearch)
	authed.GET("/audit", s.Office, auditapp.New(s.App).APIAudit)
	authed.GET("/audit/integrity", s.Office, auditapp.New(s.App).APIIntegrity)
	console := e.Group("", s.PageAuth)
	s.surveyRoutes(e, authed, console)
	s.agencyRoutes(api, authed, console)
	s.cycleRoutes(authed, console)
	s.scoreRoutes(authed, console)
	s.workdayRoutes(authed, console)
	s.schemeRoutes(authed, console)
	s.instrumentRoutes(e, authed, console)
	s.targetRoutes(e, authed, console)
	s.scoringRoutes(authed, console)
	s.resultRoutes(e, authed, console)
	s.approvalRoutes(authed, console)
	s.feedbackRoutes(authed, console)
	s.dailyCapRoutes(authed, console)
	s.callbackRoutes(e, authed, console)
	s.assessorRoutes(authed, console)
	s.selfEvalRoutes(e, authed, console)
	s.inspectionRoutes(authed, console)
	s.exportRoutes(authed, console)
	s.itemRoutes(authed, console)
	s.windowRoutes(api, authed, console)
	s.linkRoutes(e, authed, console)
	s.reportRoutes(console)
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
	g.GET("/console/password", acc.PasswordPage)
	g.POST("/console/password", acc.PasswordSubmit)
	g.POST("/console/notify-channels", acc.OwnChannelsSubmit)
	g.GET("/console/accounts", s.OfficePage, acc.AccountsPage)
	g.POST("/console/accounts", s.OfficePage, acc.CreateAccountSubmit)
	g.POST("/console/accounts/unit-accounts", s.OfficePage, acc.IssueUnitAccountsSubmit)
	g.POST("/console/accounts/signature", s.OfficePage, acc.SignatureSubmit)
	g.GET("/console/accounts/:id", s.OfficePage, acc.AccountPage)
	g.POST("/console/accounts/:id", s.OfficePage, acc.UpdateAccountSubmit)
	g.POST("/console/accounts/:id/disable", s.OfficePage, acc.SetDisabledSubmit(true))
	g.POST("/console/accounts/:id/enable", s.OfficePage, acc.SetDisabledSubmit(false))
	g.POST("/console/accounts/:id/reset-password", s.OfficePage, acc.ResetPasswordSubmit)
	g.POST("/console/accounts/:id/sessions/end", s.OfficePage, acc.EndSessionsSubmit)
	g.POST("/console/accounts/:id/sessions/:sid/end", s.OfficePage, acc.EndSessionsSubmit)
	ov := overviewapp.New(s.App)
	g.GET("/console", ov.OverviewPage)
	g.GET("/console/todos", ov.TodosPage)
	g.GET("/console/charts", ov.ChartsPage)
	nt := notifyapp.New(s.App)
	g.GET("/console/notifications", nt.NotificationsPage)
	g.GET("/console/notifications/:id", nt.OpenNotification)
	g.POST("/console/notifications/read", nt.ReadAllSubmit)
	g.GET("/console/notifications/templates", s.OfficePage, nt.TemplatesPage)
	g.GET("/console/notifications/templates/:kind", s.OfficePage, nt.TemplatePage)
	g.POST("/console/notifications/templates/:kind", s.OfficePage, nt.TemplateSubmit)
	g.POST("/console/notifications/templates/:kind/reset", s.OfficePage, nt.TemplateResetSubmit)
	g.GET("/console/deliveries", s.OfficePage, nt.DeliveriesPage)
	g.POST("/console/deliveries/:id/resend", s.OfficePage, nt.ResendSubmit)
	sms := citizensmsapp.New(s.App)
	g.GET("/console/citizen-sms", s.OfficePage, sms.ListPage)
	g.POST("/console/citizen-sms/settings", s.OfficePage, sms.SettingsSubmit)
	g.POST("/console/citizen-sms/:id/resend", s.OfficePage, sms.ResendSubmit)
	up := upwardapp.New(s.App)
	g.GET("/console/upward", s.OfficePage, up.Page)
	g.POST("/console/upward/batches/:id/resend", s.OfficePage, up.ResendSubmit)
	g.POST("/console/surveys/:id/sms/invite", s.OfficePage, sms.SurveyInviteSubmit)
	g.POST("/console/surveys/:id/sms/remind", s.OfficePage, sms.SurveyRemindSubmit)
	rt := s.ratings
	g.GET("/console/units", rt.UnitsPage)
	g.POST("/console/units", s.OfficePage, rt.CreateUnitSubmit)
	g.GET("/console/units/:id", rt.UnitPage)
	g.POST("/console/units/:id", s.OfficePage, rt.UpdateUnitSubmit)
	g.POST("/console/units/:id/rotate", s.OfficePage, rt.RotateUnitSubmit)
	g.POST("/console/units/:id/predecessors", s.OfficePage, rt.AddPredecessorSubmit)
	g.POST("/console/units/:id/predecessors/:pid/delete", s.OfficePage, rt.RemovePredecessorSubmit)
	g.POST("/console/units/:id/abolish", s.OfficePage, rt.AbolishSubmit)
	g.POST("/console/units/:id/restore", s.OfficePage, rt.RestoreUnitSubmit)
	g.POST("/console/units/:id/points", s.OfficePage, rt.CreatePointSubmit)
	g.POST("/console/units/:id/terminals", s.OfficePage, rt.CreateTerminalSubmit)
	g.GET("/console/units/:id/poster", rt.UnitPoster)
	g.GET("/console/units/:id/charts", ov.UnitChartsPage)
	g.GET("/console/units/:id/notify", nt.UnitChannelsPage)
	g.POST("/console/units/:id/notify", nt.UnitChannelsSubmit)
	g.POST("/console/units/:id/notify/test", nt.UnitChannelsProbeSubmit)
	g.POST("/console/points/:id/rotate", s.OfficePage, rt.RotatePointSubmit)
	g.GET("/console/points/:id/poster", rt.PointPoster)
	g.POST("/console/terminals/:id/revoke", s.OfficePage, rt.RevokeTerminalSubmit)
	g.GET("/console/ratings", rt.RatingsPage)
	g.GET("/console/search", searchapp.New(s.App).SearchPage)
	g.POST("/console/ratings/:id/exclude", s.OfficePage, rt.ExcludeSubmit)
	g.POST("/console/ratings/:id/restore", s.OfficePage, rt.RestoreSubmit)
	g.GET("/console/audit", s.OfficePage, aud.AuditPage)
	g.GET("/console/audit/integrity", s.OfficePage, aud.IntegrityPage)
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
	agency.GET("/mapping", ag.AgencyMapping)
	agency.PUT("/mapping", ag.AgencySetMapping)

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
	authed.GET("/agencies/:id/mapping", s.Office, ag.APIAgencyMapping)
	authed.PUT("/agencies/:id/mapping", s.Office, ag.APISetAgencyMapping)

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
	console.GET("/console/agencies/:id/mappings/:file_id", s.OfficePage, ag.AgencyMappingPage)
	console.POST("/console/agencies/:id/mappings/:file_id", s.OfficePage, ag.AgencyMappingSubmit)
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
	authed.PUT("/cycles/:id/main", s.Office, cy.APISetCycleMain)
	authed.GET("/cycles/:id/config/versions", cy.APIListCycleConfigVersions)
	authed.GET("/cycles/:id/config/versions/:version", cy.APIGetCycleConfigVersion)

	console.GET("/console/cycles", cy.CyclesListPage)
	console.POST("/console/cycles", s.OfficePage, cy.CreateCycleSubmit)
	console.GET("/console/cycles/:id", cy.CycleDetailPage)
	console.POST("/console/cycles/:id/config", s.OfficePage, cy.CycleConfigSubmit)
	console.POST("/console/cycles/:id/main", s.OfficePage, cy.CycleMainSubmit)
	// A cycle's unit categories and its scheme groups (方案分组).
	authed.GET("/cycles/:id/categories", cy.APICycleCategories)
	authed.PUT("/cycles/:id/categories", s.Office, cy.APISetCycleCategories)
	authed.POST("/cycles/:id/scheme-groups", s.Office, cy.APICreateSchemeGroup)
	authed.PUT("/cycles/:id/scheme-groups/:group_id", s.Office, cy.APIUpdateSchemeGroup)
	authed.DELETE("/cycles/:id/scheme-groups/:group_id", s.Office, cy.APIDeleteSchemeGroup)
	console.GET("/console/cycles/:id/categories", cy.CategoriesPage)
	console.POST("/console/cycles/:id/categories", s.OfficePage, cy.CategoriesSubmit)
	console.POST("/console/cycles/:id/scheme-groups", s.OfficePage, cy.SchemeGroupSubmit)
	console.POST("/console/cycles/:id/scheme-groups/:group_id", s.OfficePage, cy.SchemeGroupSubmit)
}
