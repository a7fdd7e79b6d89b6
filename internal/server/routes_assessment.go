// The route table, second half: the assessment's areas (scores, the
// working-day calendar, schemes, targets, scoring, results) and the review
// of feedback with its cases and call-backs. routes.go has the first half
// and says how the table is laid out.

package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/internal/app/assessmentapp"
	"minyi/internal/app/casesapp"
	"minyi/internal/app/cyclesapp"
	"minyi/internal/app/resultsapp"
	"minyi/internal/app/scoresapp"
	"minyi/internal/app/targetsapp"
	"minyi/internal/app/usesapp"
	"minyi/internal/app/workdaysapp"
	"minyi/internal/assessment"
	"minyi/internal/httpx"
	"minyi/internal/results"
)

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
	console.GET("/console/cycles/:id/scheme/edit", s.OfficePage, cy.SchemeEditPage)
	console.POST("/console/cycles/:id/scheme/edit", s.OfficePage, cy.SchemeEditSubmit)
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
	authed.GET("/targets/:id/evidence", tg.APITargetEvidence)
	authed.POST("/targets/:id/evidence", tg.APIAttachTargetEvidence)
	authed.DELETE("/targets/:id/indicators/:indicator_id/evidence/:evidence_id", tg.APIDetachTargetEvidence)

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
	console.POST("/console/targets/:id/evidence/remove", tg.DetachEvidenceSubmit)
	// The evidence form carries a file: its body is limited before the
	// session check parses it.
	s.file(&e.RouterGroup, http.MethodPost, "/console/targets/:id/evidence", s.consoleFileLimit(assessment.MaxEvidenceBytes),
		s.PageAuth, tg.AttachEvidenceSubmit)

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
	authed.GET("/cycles/:id/assessment/rank-adjustments", as.APIListRankAdjustments)
	authed.POST("/cycles/:id/assessment/rank-adjustments", s.Office, as.APIAddRankAdjustment)
	authed.POST("/rank-adjustments/:id/revoke", s.Office, as.APIRevokeRankAdjustment)
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
	console.POST("/console/cycles/:id/assessment/units/:unit_id/ranks", s.OfficePage, as.RankAdjustmentSubmit)
	console.POST("/console/cycles/:id/assessment/ranks/:item_id/revoke", s.OfficePage, as.RevokeRankAdjustmentSubmit)
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
	authed.GET("/cycles/:id/results/approvals", rs.APIResultApprovals)
	authed.POST("/cycles/:id/results/approval", s.Office, rs.APISubmitResultApproval)
	authed.GET("/cycles/:id/results/appeals", rs.APIListAppeals)
	authed.POST("/cycles/:id/results/units/:unit_id/appeal", rs.APIApply)
	authed.POST("/cycles/:id/results/appeals/:appeal_id/answer", s.Office, rs.APIAnswerAppeal)
	authed.GET("/cycles/:id/results/receipts", s.Office, rs.APIReceipts)
	authed.GET("/cycles/:id/results/units/:unit_id/receipt", rs.APIUnitReceipt)
	authed.POST("/cycles/:id/results/units/:unit_id/receipt", rs.APISign)
	authed.POST("/cycles/:id/results/units/:unit_id/delivery", s.Office, rs.APIRecordDelivery)
	authed.GET("/cycles/:id/results/uses", s.Office, rs.APIResultUses)
	authed.PUT("/cycles/:id/results/units/:unit_id/staff-count", s.Office, rs.APISetStaffCount)
	authed.GET("/cycles/:id/results/units/:unit_id/rectification", rs.APIRectification)
	authed.PUT("/cycles/:id/results/units/:unit_id/rectification", rs.APISubmitRectification)
	authed.POST("/cycles/:id/results/units/:unit_id/rectification/receive", s.Office, rs.APIReceiveRectification)
	e.GET("/results/:cycle_id", rs.PublicResultsPage)
	// The uses of the final results (结果运用): bonus table and amounts,
	// 通报批评 and 表彰 records, rectification cases.
	us := usesapp.New(s.App)
	authed.GET("/cycles/:id/uses", us.APILines)
	authed.PUT("/cycles/:id/uses/settings", s.Office, us.APISaveSettings)
	authed.GET("/cycles/:id/uses/units/:unit_id", us.APIUnitLine)
	s.file(authed, http.MethodGet, "/cycles/:id/uses/units/:unit_id/xlsx", us.APIUnitXLSX)
	authed.PUT("/cycles/:id/uses/units/:unit_id/factors", s.Office, us.APISetFactors)
	authed.POST("/cycles/:id/uses/units/:unit_id/records/:kind", s.Office, us.APIAddRecord)
	authed.POST("/cycles/:id/uses/units/:unit_id/case", s.Office, us.APIOpenCase)
	s.file(authed, http.MethodGet, "/cycles/:id/uses/xlsx", us.APIExportXLSX)
	s.file(authed, http.MethodGet, "/cycles/:id/uses/csv", us.APIExportCSV)
	console.GET("/console/cycles/:id/uses", us.UsesPage)
	console.POST("/console/cycles/:id/uses/settings", s.OfficePage, us.SettingsSubmit)
	console.POST("/console/cycles/:id/uses/:unit_id/factors", s.OfficePage, us.FactorsSubmit)
	console.POST("/console/cycles/:id/uses/:unit_id/records/:kind", s.OfficePage, us.RecordSubmit)
	console.POST("/console/cycles/:id/uses/:unit_id/case", s.OfficePage, us.CaseSubmit)

	console.GET("/console/cycles/:id/results", rs.ResultsPage)
	console.POST("/console/cycles/:id/results/preliminary", s.OfficePage, rs.PublishPreliminarySubmit)
	console.POST("/console/cycles/:id/results/final", s.OfficePage, rs.PublishFinalSubmit)
	console.POST("/console/cycles/:id/results/reopen", s.OfficePage, rs.ReopenResultsSubmit)
	console.POST("/console/cycles/:id/results/approval", s.OfficePage, rs.SubmitResultApprovalSubmit)
	console.POST("/console/cycles/:id/results/appeals/:appeal_id/answer", s.OfficePage, rs.AnswerAppealSubmit)
	console.GET("/console/cycles/:id/results/receipts", s.OfficePage, rs.ReceiptsPage)
	console.POST("/console/cycles/:id/results/:unit_id/receipt", rs.SignSubmit)
	console.POST("/console/cycles/:id/results/:unit_id/delivery", s.OfficePage, rs.DeliverySubmit)
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
	authed.POST("/feedback/acknowledge", s.Office, cs.APIAcknowledge)
	authed.POST("/feedback/acknowledge-matching", s.Office, cs.APIAcknowledgeMatching)
	authed.GET("/feedback/auto-rule", s.Office, cs.APIAutoRule)
	authed.PUT("/feedback/auto-rule", s.Office, cs.APISaveAutoRule)
	authed.POST("/feedback/auto-rule/run", s.Office, cs.APIRunAutoRule)
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
	authed.GET("/cases/reminder-settings", cs.APIReminderSettings)
	authed.PUT("/cases/reminder-settings", s.Office, cs.APISaveReminderSettings)
	authed.GET("/cases/:id", cs.APIGetCase)
	for _, step := range []string{"answer", "progress", "done", "close", "return", "release"} {
		authed.POST("/cases/:id/"+step, cs.APICaseStep(step))
	}

	console.GET("/console/feedback", s.OfficePage, cs.FeedbackPage)
	console.POST("/console/feedback/merge", s.OfficePage, cs.FeedbackMergeSubmit)
	console.POST("/console/feedback/acknowledge", s.OfficePage, cs.FeedbackAcknowledgeSubmit)
	console.POST("/console/feedback/acknowledge-matching", s.OfficePage, cs.FeedbackAcknowledgeMatchingSubmit)
	console.POST("/console/feedback/auto-rule", s.OfficePage, cs.FeedbackAutoRuleSubmit)
	console.GET("/console/feedback/item/:kind/:id", s.OfficePage, cs.FeedbackItemPage)
	console.POST("/console/feedback/item/:kind/:id/valid", s.OfficePage, cs.FeedbackValidSubmit)
	console.POST("/console/feedback/item/:kind/:id/invalid", s.OfficePage, cs.FeedbackInvalidSubmit)
	console.POST("/console/feedback/item/:kind/:id/acknowledge", s.OfficePage, cs.FeedbackAcknowledgeItemSubmit)
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
	console.POST("/console/cases/settings/reminders", s.OfficePage, cs.ReminderSettingsSubmit)
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
