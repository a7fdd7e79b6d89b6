package main

import (
	"net/url"
	"sort"
	"strings"
)

// kw is a search keyword as a query parameter (issue 17): the generated
// messages (cmd/minyi-aggbench) hold 态度 and 排队 in a few of their
// texts each, 工作人员 in several, 慢 in one; 火箭 in none.
func kw(word string) string { return "q=" + url.QueryEscape(word) }

// Audiences of a page: the office (绩效办) and a unit user (责任单位).
const (
	office = 1 << iota
	unitUser
	both = office | unitUser
)

// spec is one route of the route table (internal/server/routes*.go) to time. path is the
// request with placeholders in braces ({unit}, {cycle}, …; see ids) and
// its query; a filter's description says what the query selects. deep
// pages are timed at the first page and at the hundredth.
type spec struct {
	route  string // the pattern in the route table, with /api/v1 for the API
	path   string
	filter string
	who    int
	deep   bool
	// jobs says the route may start background exports, which the
	// benchmark deletes (and so stops) once the route is timed.
	jobs bool
}

// label names the spec in the table: the route, and the filter after a
// middle dot.
func (s spec) label() string {
	if s.filter == "" {
		return s.route
	}
	return s.route + " · " + s.filter
}

// api tells whether the spec is a JSON API route.
func (s spec) api() bool { return strings.HasPrefix(s.route, "/api/") }

// catalogue is every console page (GET) and every GET API route of the
// staff, with real ids; notTimed says why the few others are left out.
func catalogue() []spec {
	s := []spec{
		// The overview, units, points, the audit log.
		{route: "/console", path: "/console", who: both},
		{route: "/console/todos", path: "/console/todos", who: both},
		// Charts (issue 17): the office's over 30, 90 and 365 days (the
		// office's rows of rating_office_daily, every unit's counts of the
		// period, the open cases), a unit's over 30 and 365 days (its rows of
		// rating_daily_parts, its category's monthly sums, its cases).
		{route: "/console/charts", path: "/console/charts", who: office},
		{route: "/console/charts", path: "/console/charts?days=90", filter: "90 days", who: office},
		{route: "/console/charts", path: "/console/charts?days=365", filter: "365 days", who: office},
		{route: "/console/units/:id/charts", path: "/console/units/{unit}/charts", who: both},
		{route: "/console/units/:id/charts", path: "/console/units/{unit}/charts?days=365", filter: "365 days", who: both},
		{route: "/api/v1/todos", path: "/api/v1/todos", who: both},
		// Notifications (issue 14): every page's bell counts them too.
		{route: "/console/notifications", path: "/console/notifications", who: both},
		{route: "/api/v1/notifications", path: "/api/v1/notifications", who: both},
		{route: "/console/deliveries", path: "/console/deliveries", who: office},
		{route: "/api/v1/notification-deliveries", path: "/api/v1/notification-deliveries", who: office},
		// Upward reporting (issue 18): the running totals, the batches not
		// sent (a partial index) and the latest failures.
		{route: "/console/upward", path: "/console/upward", who: office},
		{route: "/api/v1/upward", path: "/api/v1/upward", who: office},
		// The office's notification texts: the catalogue with one read of
		// the (small) table of edited texts; one kind by its primary key.
		{route: "/console/notifications/templates", path: "/console/notifications/templates", who: office},
		{route: "/console/notifications/templates/:kind", path: "/console/notifications/templates/case.sent", who: office},
		{route: "/api/v1/notification-templates", path: "/api/v1/notification-templates", who: office},
		{route: "/api/v1/notification-templates/:kind", path: "/api/v1/notification-templates/case.due_soon", who: office},
		// SMS to citizens: newest first by keyset, filtered by state or kind.
		{route: "/console/citizen-sms", path: "/console/citizen-sms", who: office},
		{route: "/console/citizen-sms", path: "/console/citizen-sms?state=given_up&kind=survey_reminder", filter: "given up reminders", who: office},
		{route: "/api/v1/citizen-sms", path: "/api/v1/citizen-sms?limit=100", who: office},
		{route: "/api/v1/citizen-sms-settings", path: "/api/v1/citizen-sms-settings", who: office},
		{route: "/console/units", path: "/console/units", who: both},
		{route: "/console/units/:id", path: "/console/units/{unit}", who: both},
		{route: "/console/units/:id/poster", path: "/console/units/{unit}/poster", who: both},
		{route: "/console/units/:id/notify", path: "/console/units/{unit}/notify", who: both},
		{route: "/console/points/:id/poster", path: "/console/points/{point}/poster", who: both},
		{route: "/api/v1/session", path: "/api/v1/session", who: both},
		// Accounts (issue 13) and one's own password.
		{route: "/console/accounts", path: "/console/accounts", who: office},
		{route: "/console/accounts", path: "/console/accounts?page=10", filter: "page 10", who: office},
		{route: "/console/accounts", path: "/console/accounts?role=unit&status=active&q=u10", filter: "unit accounts, active, search", who: office},
		{route: "/console/accounts/:id", path: "/console/accounts/{account}", who: office},
		{route: "/console/password", path: "/console/password", who: both},
		{route: "/api/v1/users", path: "/api/v1/users", who: office},
		{route: "/api/v1/users", path: "/api/v1/users?offset=900", filter: "offset 900", who: office},
		{route: "/api/v1/users", path: "/api/v1/users?role=unit&disabled=false&q=u10", filter: "unit accounts, active, search", who: office},
		{route: "/api/v1/users/:id", path: "/api/v1/users/{account}", who: office},
		{route: "/api/v1/units", path: "/api/v1/units", who: both},
		// The service-item catalogue and the stages (issue 18): a page of
		// items by unit and code, the stages' few rows.
		{route: "/console/items", path: "/console/items", who: both},
		{route: "/api/v1/items", path: "/api/v1/items", who: both},
		{route: "/api/v1/rating-stages", path: "/api/v1/rating-stages", who: both},
		// The business systems of window-triggered ratings: a few rows,
		// their tokens and the units' names.
		{route: "/console/business-systems", path: "/console/business-systems", who: office},
		{route: "/api/v1/business-systems", path: "/api/v1/business-systems", who: office},
		// The online integrations (一事一评): a handful of rows by name.
		{route: "/console/rating-links", path: "/console/rating-links", who: office},
		{route: "/api/v1/rating-links", path: "/api/v1/rating-links", who: office},
		{route: "/api/v1/units/:id", path: "/api/v1/units/{unit}", who: both},
		{route: "/api/v1/units/:id/points", path: "/api/v1/units/{unit}/points", who: both},
		{route: "/api/v1/units/:id/terminals", path: "/api/v1/units/{unit}/terminals", who: both},
		{route: "/api/v1/units/:id/networks", path: "/api/v1/units/{unit}/networks", who: office},
		{route: "/api/v1/units/:id/stats", path: "/api/v1/units/{unit}/stats", who: both},
		{route: "/api/v1/units/:id/lineage", path: "/api/v1/units/{unit}/lineage", who: both},
		{route: "/api/v1/units/:id/notify-channels", path: "/api/v1/units/{unit}/notify-channels", who: both},
		{route: "/api/v1/units/:id/ratings", path: "/api/v1/units/{unit}/ratings?limit=50", filter: "no filter", who: both, deep: true},

		// Surveys, respondents, responses, agencies.
		{route: "/console/surveys", path: "/console/surveys", who: office},
		{route: "/console/surveys/new", path: "/console/surveys/new", who: office},
		{route: "/console/surveys/:id", path: "/console/surveys/{survey}", who: office},
		// The overview's aspects heat map for another category than the first.
		{route: "/console/surveys/:id", path: "/console/surveys/{survey}?category=%E7%A4%BE%E4%BC%9A%E6%9C%8D%E5%8A%A1%E7%B1%BB", filter: "aspects of 社会服务类", who: office},
		{route: "/console/surveys/:id/edit", path: "/console/surveys/{survey}/edit", who: office},
		{route: "/console/surveys/:id/respondents/:rid/qr.png", path: "/console/surveys/{survey}/respondents/{respondent}/qr.png", who: office},
		{route: "/console/surveys/:id/letters", path: "/console/surveys/{survey}/letters", who: office},
		{route: "/console/surveys/:id/links.csv", path: "/console/surveys/{survey}/links.csv", who: office},
		{route: "/console/surveys/:id/links.xlsx", path: "/console/surveys/{survey}/links.xlsx", who: office},
		{route: "/console/surveys/:id/template.csv", path: "/console/surveys/{survey}/template.csv", who: office},
		{route: "/console/responses", path: "/console/responses", who: both},
		{route: "/console/surveys/:id/agencies", path: "/console/surveys/{survey}/agencies", who: office},
		{route: "/console/agencies/:id", path: "/console/agencies/{agency}", who: office},
		{route: "/console/agencies/:id/uploads/:upload_id", path: "/console/agencies/{agency}/uploads/{upload}", who: office},
		{route: "/console/agencies/:id/template.xlsx", path: "/console/agencies/{agency}/template.xlsx", who: office},
		{route: "/api/v1/surveys", path: "/api/v1/surveys", who: office},
		// Evaluation instruments: results and answers at 1,000 units.
		{route: "/console/cycles/:id/instruments", path: "/console/cycles/{cycle}/instruments", who: office},
		{route: "/console/instruments/:id", path: "/console/instruments/{instrument}", who: office},
		{route: "/console/instruments/:id/units/:unit_id", path: "/console/instruments/{instrument}/units/{unit}", who: office},
		{route: "/console/instruments/:id/partners", path: "/console/instruments/{peer_instrument}/partners", who: office},
		{route: "/console/instruments/:id/partners/:unit_id", path: "/console/instruments/{peer_instrument}/partners/{unit}", who: office},
		{route: "/console/instruments/:id/letters", path: "/console/instruments/{instrument}/letters?nomobile=1", who: office},
		{route: "/console/evaluations", path: "/console/evaluations", who: unitUser},
		{route: "/console/evaluations/:id", path: "/console/evaluations/{peer_instrument}", who: unitUser},
		{route: "/api/v1/cycles/:id/instruments", path: "/api/v1/cycles/{cycle}/instruments", who: office},
		{route: "/api/v1/instruments/:id", path: "/api/v1/instruments/{instrument}", who: office},
		{route: "/api/v1/instruments/:id/invitees", path: "/api/v1/instruments/{instrument}/invitees", who: office},
		{route: "/api/v1/instruments/:id/results", path: "/api/v1/instruments/{instrument}/results?limit=1000", who: office},
		{route: "/api/v1/instruments/:id/results/:unit_id/answers", path: "/api/v1/instruments/{instrument}/results/{unit}/answers", who: office},
		{route: "/api/v1/evaluations", path: "/api/v1/evaluations", who: unitUser},
		{route: "/api/v1/instruments/:id/ballot", path: "/api/v1/instruments/{peer_instrument}/ballot?limit=200", who: unitUser},
		{route: "/api/v1/surveys/:id", path: "/api/v1/surveys/{survey}", who: office},
		{route: "/api/v1/surveys/:id/progress", path: "/api/v1/surveys/{survey}/progress", who: office},
		{route: "/api/v1/surveys/:id/respondents", path: "/api/v1/surveys/{survey}/respondents", who: office},
		{route: "/api/v1/surveys/:id/respondents/:rid", path: "/api/v1/surveys/{survey}/respondents/{respondent}", who: office},
		{route: "/api/v1/responses", path: "/api/v1/responses", who: both},
		{route: "/api/v1/surveys/:id/agencies", path: "/api/v1/surveys/{survey}/agencies", who: office},
		{route: "/api/v1/agencies/:id", path: "/api/v1/agencies/{agency}", who: office},
		{route: "/api/v1/agencies/:id/quotas", path: "/api/v1/agencies/{agency}/quotas", who: office},
		{route: "/api/v1/agencies/:id/progress", path: "/api/v1/agencies/{agency}/progress", who: office},
		{route: "/api/v1/agencies/:id/uploads", path: "/api/v1/agencies/{agency}/uploads", who: office},
		{route: "/api/v1/agencies/:id/uploads/:upload_id", path: "/api/v1/agencies/{agency}/uploads/{upload}", who: office},

		// Cycles, scores, the calendar, schemes.
		{route: "/console/cycles", path: "/console/cycles", who: both},
		{route: "/console/cycles/:id", path: "/console/cycles/{cycle}", who: both},
		{route: "/console/cycles/:id/scores", path: "/console/cycles/{cycle}/scores", who: both},
		{route: "/console/cycles/:id/scores.xlsx", path: "/console/cycles/{cycle}/scores.xlsx", who: both},
		{route: "/console/cycles/:id/scores/:unit_id", path: "/console/cycles/{cycle}/scores/{unit}", who: both},
		{route: "/console/workdays", path: "/console/workdays", who: both},
		{route: "/console/workdays/new", path: "/console/workdays/new?year={new_year}", who: office},
		{route: "/console/workdays/:year", path: "/console/workdays/{year}", who: both},
		{route: "/console/cycles/:id/scheme", path: "/console/cycles/{cycle}/scheme", who: both},
		{route: "/console/cycles/:id/scheme/edit", path: "/console/cycles/{cycle}/scheme/edit", who: office},
		{route: "/console/cycles/:id/categories", path: "/console/cycles/{cycle}/categories", who: both},
		{route: "/api/v1/cycles", path: "/api/v1/cycles", who: both},
		{route: "/api/v1/cycles/:id", path: "/api/v1/cycles/{cycle}", who: both},
		{route: "/api/v1/cycles/:id/config/versions", path: "/api/v1/cycles/{cycle}/config/versions", who: both},
		{route: "/api/v1/cycles/:id/config/versions/:version", path: "/api/v1/cycles/{cycle}/config/versions/1", who: both},
		{route: "/api/v1/cycles/:id/scores", path: "/api/v1/cycles/{cycle}/scores", who: both},
		{route: "/api/v1/cycles/:id/scores.xlsx", path: "/api/v1/cycles/{cycle}/scores.xlsx", who: both},
		{route: "/api/v1/cycles/:id/scores/:unit_id", path: "/api/v1/cycles/{cycle}/scores/{unit}", who: both},
		{route: "/api/v1/workdays", path: "/api/v1/workdays", who: both},
		{route: "/api/v1/workdays/deadline", path: "/api/v1/workdays/deadline?start={today}&days=15", who: both},
		{route: "/api/v1/workdays/:year", path: "/api/v1/workdays/{year}", who: both},
		{route: "/api/v1/schemes/presets", path: "/api/v1/schemes/presets", who: both},
		{route: "/api/v1/cycles/:id/scheme", path: "/api/v1/cycles/{cycle}/scheme", who: both},
		{route: "/api/v1/cycles/:id/scheme/versions", path: "/api/v1/cycles/{cycle}/scheme/versions", who: both},
		{route: "/api/v1/cycles/:id/categories", path: "/api/v1/cycles/{cycle}/categories", who: both},

		// Targets.
		{route: "/console/targets", path: "/console/targets", who: both},
		{route: "/console/targets/warnings", path: "/console/targets/warnings", who: office},
		{route: "/console/targets/:id", path: "/console/targets/{sheet}", who: both},
		{route: "/api/v1/cycles/:id/targets", path: "/api/v1/cycles/{cycle}/targets", who: both},
		{route: "/api/v1/cycles/:id/target-settings", path: "/api/v1/cycles/{cycle}/target-settings", who: both},
		{route: "/api/v1/cycles/:id/target-warnings", path: "/api/v1/cycles/{cycle}/target-warnings", who: both},
		{route: "/api/v1/targets/:id", path: "/api/v1/targets/{sheet}", who: both},
		{route: "/api/v1/targets/:id/versions", path: "/api/v1/targets/{sheet}/versions", who: both},
		{route: "/api/v1/targets/:id/versions/:version", path: "/api/v1/targets/{sheet}/versions/{sheet_version}", who: both},
		{route: "/api/v1/targets/:id/change-requests", path: "/api/v1/targets/{sheet}/change-requests", who: both},
		{route: "/api/v1/targets/:id/reports", path: "/api/v1/targets/{sheet}/reports", who: both},
		{route: "/api/v1/targets/:id/self-evaluation", path: "/api/v1/targets/{sheet}/self-evaluation", who: both},
		{route: "/api/v1/targets/:id/evidence", path: "/api/v1/targets/{sheet}/evidence", who: both},

		// Assessment and results.
		{route: "/console/evidence/:id", path: "/console/evidence/{evidence}", who: both},
		{route: "/console/cycles/:id/assessment", path: "/console/cycles/{cycle}/assessment", who: office},
		{route: "/console/cycles/:id/assessment/score", path: "/console/cycles/{cycle}/assessment/score", who: both},
		{route: "/console/cycles/:id/assessment/score.csv", path: "/console/cycles/{cycle}/assessment/score.csv", who: both},
		{route: "/console/cycles/:id/assessment/units/:unit_id", path: "/console/cycles/{cycle}/assessment/units/{unit}", who: both},
		{route: "/console/cycles/:id/assessment/settings", path: "/console/cycles/{cycle}/assessment/settings", who: office},
		// A unit user is sent on to its own unit's results (303).
		{route: "/console/cycles/:id/results", path: "/console/cycles/{cycle}/results", who: office},
		{route: "/console/cycles/:id/results/:unit_id", path: "/console/cycles/{cycle}/results/{unit}", who: both},
		{route: "/console/cycles/:id/results/receipts", path: "/console/cycles/{cycle}/results/receipts", who: office},
		// Approvals above the office and the choice of publication; a
		// request's page is skipped while no request exists.
		{route: "/console/cycles/:id/release", path: "/console/cycles/{cycle}/release", who: office},
		{route: "/console/approvals", path: "/console/approvals", who: office},
		{route: "/console/approvals/:id", path: "/console/approvals/{approval}", who: office},
		{route: "/api/v1/cycles/:id/release", path: "/api/v1/cycles/{cycle}/release", who: both},
		{route: "/api/v1/approvals", path: "/api/v1/approvals", who: office},
		{route: "/api/v1/approvals/:id", path: "/api/v1/approvals/{approval}", who: office},
		{route: "/api/v1/cycles/:id/results/approvals", path: "/api/v1/cycles/{cycle}/results/approvals", who: office},
		{route: "/api/v1/cycles/:id/assessment", path: "/api/v1/cycles/{cycle}/assessment", who: office},
		{route: "/api/v1/cycles/:id/assessment/leaves", path: "/api/v1/cycles/{cycle}/assessment/leaves", who: both},
		{route: "/api/v1/cycles/:id/assessment/entries", path: "/api/v1/cycles/{cycle}/assessment/entries", who: both},
		{route: "/api/v1/cycles/:id/assessment/units/:unit_id", path: "/api/v1/cycles/{cycle}/assessment/units/{unit}", who: both},
		{route: "/api/v1/cycles/:id/assessment/bonus-claims", path: "/api/v1/cycles/{cycle}/assessment/bonus-claims", who: both},
		{route: "/api/v1/cycles/:id/assessment/deductions", path: "/api/v1/cycles/{cycle}/assessment/deductions", who: both},
		{route: "/api/v1/cycles/:id/assessment/adjustments", path: "/api/v1/cycles/{cycle}/assessment/adjustments", who: both},
		{route: "/api/v1/cycles/:id/assessment/rank-adjustments", path: "/api/v1/cycles/{cycle}/assessment/rank-adjustments", who: both},
		{route: "/api/v1/cycles/:id/assessment/settings", path: "/api/v1/cycles/{cycle}/assessment/settings", who: both},
		{route: "/api/v1/evidence/:id", path: "/api/v1/evidence/{evidence}", who: both},
		{route: "/api/v1/cycles/:id/results", path: "/api/v1/cycles/{cycle}/results", who: both},
		{route: "/api/v1/cycles/:id/results/xlsx", path: "/api/v1/cycles/{cycle}/results/xlsx", who: office},
		{route: "/api/v1/cycles/:id/results/units/:unit_id", path: "/api/v1/cycles/{cycle}/results/units/{unit}", who: both},
		{route: "/api/v1/cycles/:id/results/appeals", path: "/api/v1/cycles/{cycle}/results/appeals", who: both},
		{route: "/api/v1/cycles/:id/results/receipts", path: "/api/v1/cycles/{cycle}/results/receipts?limit=500", who: office},
		// 409 while the cycle's preliminary results are not out.
		{route: "/api/v1/cycles/:id/results/units/:unit_id/receipt", path: "/api/v1/cycles/{cycle}/results/units/{unit}/receipt", who: both},
		{route: "/api/v1/cycles/:id/results/uses", path: "/api/v1/cycles/{cycle}/results/uses", who: office},
		{route: "/api/v1/cycles/:id/results/units/:unit_id/rectification", path: "/api/v1/cycles/{cycle}/results/units/{rectification_unit}/rectification", who: office},
		// The uses of results (结果运用): a page of 50 units (a unit its own
		// line); the API 409 while the cycle's final results are not out.
		{route: "/console/cycles/:id/uses", path: "/console/cycles/{cycle}/uses", who: both},
		{route: "/api/v1/cycles/:id/uses", path: "/api/v1/cycles/{cycle}/uses?limit=100", who: both},
		{route: "/api/v1/cycles/:id/uses/xlsx", path: "/api/v1/cycles/{cycle}/uses/xlsx", who: office},
		{route: "/api/v1/cycles/:id/uses/csv", path: "/api/v1/cycles/{cycle}/uses/csv", who: office},
		// One unit's own line and its export (a unit its own only).
		{route: "/api/v1/cycles/:id/uses/units/:unit_id", path: "/api/v1/cycles/{cycle}/uses/units/{unit}", who: both},
		{route: "/api/v1/cycles/:id/uses/units/:unit_id/xlsx", path: "/api/v1/cycles/{cycle}/uses/units/{unit}/xlsx", who: both},

		// Feedback review, appeals, flags, held ratings, cases, call-backs.
		{route: "/console/feedback/item/:kind/:id", path: "/console/feedback/item/rating/{item}", who: office},
		{route: "/console/feedback/flags", path: "/console/feedback/flags", who: office},
		{route: "/console/feedback/appeals", path: "/console/feedback/appeals", who: both},
		{route: "/console/ratings/:id/appeal", path: "/console/ratings/{rating}/appeal", who: unitUser},
		{route: "/console/cases/settings", path: "/console/cases/settings", who: office},
		{route: "/console/cases/:id", path: "/console/cases/{case}", who: both},
		{route: "/console/callbacks/:id", path: "/console/callbacks/{callback_case}", who: both},
		{route: "/console/cycles/:id/case-deductions", path: "/console/cycles/{cycle}/case-deductions", who: office},
		{route: "/console/cycles/:id/case-carry", path: "/console/cycles/{cycle}/case-carry", who: office},
		{route: "/api/v1/feedback/items/:kind/:id", path: "/api/v1/feedback/items/rating/{item}", who: office},
		{route: "/api/v1/feedback/flags", path: "/api/v1/feedback/flags", who: office},
		{route: "/api/v1/feedback/auto-rule", path: "/api/v1/feedback/auto-rule", who: office},
		{route: "/api/v1/feedback/appeals", path: "/api/v1/feedback/appeals", who: both},
		{route: "/api/v1/feedback/appeals/:id", path: "/api/v1/feedback/appeals/{appeal}", who: both},
		{route: "/api/v1/feedback/held", path: "/api/v1/feedback/held", filter: "pending groups, 90 days", who: office},
		{route: "/api/v1/cases/overdue", path: "/api/v1/cases/overdue?cycle_id={cycle}", who: office},
		{route: "/api/v1/cases/settings", path: "/api/v1/cases/settings", who: both},
		{route: "/api/v1/cases/reminder-settings", path: "/api/v1/cases/reminder-settings", who: both},
		{route: "/api/v1/cases/:id", path: "/api/v1/cases/{case}", who: both},
		{route: "/api/v1/cases/:id/callbacks", path: "/api/v1/cases/{callback_case}/callbacks", who: both},
		{route: "/api/v1/cycles/:id/case-deductions", path: "/api/v1/cycles/{cycle}/case-deductions", who: office},
		{route: "/api/v1/cycles/:id/case-carry", path: "/api/v1/cycles/{cycle}/case-carry", who: office},

		// Assessor units and lead units (issue 15): the unit user's unit
		// assesses a leaf and leads a key task of two hundred units (see
		// prepareAssessor).
		{route: "/console/cycles/:id/assessor", path: "/console/cycles/{cycle}/assessor", who: unitUser},
		{route: "/console/cycles/:id/assessor/units/:unit_id", path: "/console/cycles/{cycle}/assessor/units/{assessed}", who: unitUser},
		{route: "/console/cycles/:id/assessor/units/:unit_id/evidence/:evidence_id",
			path: "/console/cycles/{cycle}/assessor/units/{assessed}/evidence/{assessed_evidence}", who: unitUser},
		{route: "/console/cycles/:id/deduction-proposals", path: "/console/cycles/{cycle}/deduction-proposals", who: office},
		{route: "/console/cycles/:id/key-tasks", path: "/console/cycles/{cycle}/key-tasks", who: both},
		{route: "/console/key-tasks/:id", path: "/console/key-tasks/{key_task}", who: both},
		{route: "/api/v1/cycles/:id/assessor/units", path: "/api/v1/cycles/{cycle}/assessor/units", who: unitUser},
		{route: "/api/v1/cycles/:id/assessor/units/:unit_id", path: "/api/v1/cycles/{cycle}/assessor/units/{assessed}", who: unitUser},
		{route: "/api/v1/cycles/:id/assessor/units/:unit_id/evidence/:evidence_id",
			path: "/api/v1/cycles/{cycle}/assessor/units/{assessed}/evidence/{assessed_evidence}", who: unitUser},
		{route: "/api/v1/cycles/:id/assessor/cases", path: "/api/v1/cycles/{cycle}/assessor/cases", who: unitUser},
		{route: "/api/v1/cycles/:id/deduction-proposals", path: "/api/v1/cycles/{cycle}/deduction-proposals", who: both},
		{route: "/api/v1/cycles/:id/deduction-presets", path: "/api/v1/cycles/{cycle}/deduction-presets", who: both},
		{route: "/api/v1/cycles/:id/key-tasks", path: "/api/v1/cycles/{cycle}/key-tasks", who: both},
		{route: "/api/v1/key-tasks/:id", path: "/api/v1/key-tasks/{key_task}", who: both},

		// Self-evaluation periods and reports (issue 16 part 1): the
		// office's overview over every unit with a target sheet, first
		// and hundredth page, by name and by status.
		{route: "/console/cycles/:id/self-eval-periods", path: "/console/cycles/{cycle}/self-eval-periods", who: both},
		{route: "/console/self-eval-periods/:id", path: "/console/self-eval-periods/{se_period}", who: office, deep: true},
		{route: "/console/self-eval-periods/:id", path: "/console/self-eval-periods/{se_period}?q=%E5%B1%80", filter: "name", who: office},
		{route: "/console/self-eval-periods/:id", path: "/console/self-eval-periods/{se_period}?status=submitted", filter: "submitted", who: office},
		{route: "/console/self-eval-periods/:id/units/:unit_id", path: "/console/self-eval-periods/{se_period}/units/{unit}", who: both},
		{route: "/api/v1/cycles/:id/self-eval-periods", path: "/api/v1/cycles/{cycle}/self-eval-periods", who: both},
		{route: "/api/v1/self-eval-periods/:id/units", path: "/api/v1/self-eval-periods/{se_period}/units?limit=50", who: office},
		{route: "/api/v1/self-eval-periods/:id/units/:unit_id", path: "/api/v1/self-eval-periods/{se_period}/units/{unit}", who: both},
		// The office's inspections (issue 16 part 2): one half-year
		// inspection of every unit with 200 findings (see
		// prepareInspections).
		{route: "/console/cycles/:id/inspections", path: "/console/cycles/{cycle}/inspections", who: both},
		{route: "/console/cycles/:id/inspections", path: "/console/cycles/{cycle}/inspections?kind=half_year&unit_id={unit}",
			filter: "kind + unit", who: office},
		{route: "/console/cycles/:id/inspections/new", path: "/console/cycles/{cycle}/inspections/new", who: office},
		{route: "/console/inspections/:id", path: "/console/inspections/{inspection}", who: both},
		{route: "/console/inspections/:id/indicators", path: "/console/inspections/{inspection}/indicators", who: office},
		{route: "/api/v1/cycles/:id/inspections", path: "/api/v1/cycles/{cycle}/inspections", who: both},
		{route: "/api/v1/inspections/:id", path: "/api/v1/inspections/{inspection}", who: both},
		{route: "/api/v1/cycles/:id/inspection-items", path: "/api/v1/cycles/{cycle}/inspection-items", who: both},
	}
	s = append(s, filtered("/console/ratings", "/console/ratings", both, ratingFilters)...)
	s = append(s, filtered("/api/v1/ratings", "/api/v1/ratings?limit=50", both, ratingFilters)...)
	s = append(s, filtered("/console/feedback", "/console/feedback", office, queueFilters)...)
	s = append(s, filtered("/api/v1/feedback", "/api/v1/feedback?limit=50", office, queueFilters)...)
	s = append(s, filtered("/console/audit", "/console/audit", office, auditFilters)...)
	s = append(s, filtered("/api/v1/audit", "/api/v1/audit?limit=50", office, auditFilters)...)
	s = append(s, exportSpecs()...)
	s = append(s, spec{route: "/console/audit/integrity", path: "/console/audit/integrity", who: office},
		spec{route: "/api/v1/audit/integrity", path: "/api/v1/audit/integrity", who: office})
	// The monthly and quarterly reports (issue 17): the list, and the report
	// of last month and quarter and of the running ones (office and leaders).
	s = append(s, spec{route: "/console/reports", path: "/console/reports", who: office},
		spec{route: "/console/reports/:period", path: "/console/reports/{report_month}", filter: "last month", who: office},
		spec{route: "/console/reports/:period", path: "/console/reports/{report_month_now}", filter: "this month so far", who: office},
		spec{route: "/console/reports/:period", path: "/console/reports/{report_quarter}", filter: "last quarter", who: office},
		spec{route: "/console/reports/:period", path: "/console/reports/{report_quarter_now}", filter: "this quarter so far", who: office})
	s = append(s, filtered("/console/cases", "/console/cases", both, caseFilters)...)
	s = append(s, filtered("/api/v1/cases", "/api/v1/cases?limit=50", both, caseFilters)...)
	// The search page has no pages: its first hits of each kind link to
	// the lists, timed above with the same keywords.
	for _, sp := range append(filtered("/console/search", "/console/search", both, searchFilters),
		filtered("/api/v1/search", "/api/v1/search", both, searchFilters)...) {
		sp.deep = false
		s = append(s, sp)
	}
	s = append(s, filtered("/console/callbacks", "/console/callbacks", both, callbackFilters)...)
	s = append(s, filtered("/api/v1/callbacks", "/api/v1/callbacks?limit=50", both, callbackFilters)...)
	s = append(s, spec{route: "/console/responses", path: "/console/responses?" + kw("窗口"), filter: "keyword", who: both},
		spec{route: "/api/v1/responses", path: "/api/v1/responses?" + kw("窗口"), filter: "keyword", who: both})
	return s
}

// routesOf lists the distinct routes of specs, sorted.
func routesOf(specs []spec) []string {
	seen := map[string]bool{}
	for _, s := range specs {
		seen[s.route] = true
	}
	out := make([]string, 0, len(seen))
	for r := range seen {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}
