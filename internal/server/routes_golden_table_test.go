package server_test

import (
	"sort"
	"strings"
	"testing"
)

// goldenEntry is one route of the walk.
type goldenEntry struct {
	route string // method and pattern, as gin registers it
	query string // added to the path, with its "?"
	// ghost fills the route's last parameter with an id that names
	// nothing: the handler acts without reading a body, so with a real id
	// the walk would change data (rotate a code, revoke a token...).
	ghost bool
	// endsSession: the request ends the session it is sent with, so the
	// personas with a session send it with a fresh one.
	endsSession bool
}

func (e goldenEntry) method() string { return e.route[:strings.IndexByte(e.route, ' ')] }

// goldenParams says which fixture fills a route parameter, by the path
// segment before it and the parameter's name.
var goldenParams = map[string]string{
	"users/:id": "user", "accounts/:id": "user", "sessions/:sid": "session",
	":cycle/:unit": "unit", ":kind/:id": "rating", ":unit_id/:leaf_key": "leaf",
	"adjustments/:id": "adjustment", "adjustments/:item_id": "adjustment", "agencies/:id": "agency",
	"rank-adjustments/:id": "adjustment", "ranks/:item_id": "adjustment",
	"appeals/:appeal_id": "rappeal", "appeals/:id": "fappeal", "bonus-claims/:id": "claim", "callbacks/:id": "case",
	"cases/:id": "case", "cases/:unit": "unit", "changes/:cr": "cr", "claims/:claim_id": "claim", "cycles/:id": "cycle",
	"deductions/:id": "deduction", "deduction-proposals/:id": "proposal", "deduction-proposals/:proposal_id": "proposal",
	"key-tasks/:id": "key_task", "inspections/:id": "inspection", "inspection-findings/:id": "finding", "members/:unit_id": "unit", "deductions/:item_id": "deduction", "entries/:unit_id": "unit",
	"evidence/:id": "evidence", "evidence/:evidence_id": "evidence", "indicators/:indicator_id": "indicator", "f/:token": "ftoken", "flags/:id": "flag", "held/:key": "held", "item/:kind": "kind",
	"items/:kind": "kind", "records/:kind": "kind", "leaves/:leaf_key": "leaf", "networks/:id": "network", "networks/:nid": "network", "notifications/:id": "notification",
	"notification-deliveries/:id": "delivery", "deliveries/:id": "delivery", "batches/:id": "delivery", "citizen-sms/:id": "delivery", "stop/:token": "ftoken",
	"notification-templates/:kind": "tkind", "templates/:kind": "tkind",
	"points/:id": "point", "predecessors/:pid": "unit", "q/:code": "code", "ratings/:id": "rating", "reports/:period": "period",
	"respondents/:rid": "respondent", "results/:cycle_id": "cycle", "results/:unit_id": "unit", "uses/:unit_id": "unit", "s/:token": "stoken",
	"scores/:unit_id": "unit", "scheme-groups/:group_id": "sgroup", "static/*filepath": "file", "surveys/:id": "survey", "t/:reference": "reference", "target-change-requests/:id": "cr",
	"targets/:cycle": "cycle", "targets/:id": "sheet", "terminals/:id": "terminal", "tokens/:token_id": "agency_token",
	"units/:id": "unit", "units/:unit_id": "unit", "uploads/:id": "upload", "uploads/:upload_id": "upload",
	"versions/:version": "version", "workdays/:year": "year",
	"self-eval-periods/:id": "seperiod",
	"instruments/:id":       "instrument", "evaluations/:id": "instrument", "e/:token": "etoken", "partners/:unit_id": "unit",
	"approvals/:id": "approval", "files/:file": "evidence", "exports/:id": "export", "mappings/:file_id": "pending_file",
	"items/:id": "item", "stages/:code": "stage",
	"business-systems/:id": "business_system", "requests/:id": "window_request", "w/:token": "wtoken",
	"rating-links/:id": "link_integration", "keys/:kid": "link_key",
}

// goldenGhosts are values that name nothing, by fixture; others get a
// number no row has.
var goldenGhosts = map[string]string{
	"rating": "00000000-0000-4000-8000-000000000000", "evidence": "00000000-0000-4000-8000-000000000000",
	"code": "nope", "ftoken": "nope", "stoken": "nope", "leaf": "nope", "held": "1-20261118-00",
	"etoken": "nope", "window_request": "00000000-0000-4000-8000-000000000000",
	"wtoken": "nope", "link_key": "nope",
}

// fill turns the entry's pattern into a path with the fixtures' values.
func (w *goldenWorld) fill(t *testing.T, e goldenEntry) string {
	t.Helper()
	pattern := strings.Split(e.route[len(e.method())+1:], "/")
	segs := append([]string(nil), pattern...)
	isParam := func(s string) bool { return strings.HasPrefix(s, ":") || strings.HasPrefix(s, "*") }
	last := -1
	for i, s := range segs {
		if isParam(s) {
			last = i
		}
	}
	for i, s := range segs {
		if !isParam(s) {
			continue
		}
		name, ok := goldenParams[pattern[i-1]+"/"+s]
		if !ok {
			t.Fatalf("%s: no fixture for parameter %s after %q; add it to goldenParams", e.route, s, pattern[i-1])
		}
		v := w.p[name]
		if e.ghost && i == last {
			if v = goldenGhosts[name]; v == "" {
				v = "999999999"
			}
		}
		if v == "" {
			t.Fatalf("%s: fixture %q is empty", e.route, name)
		}
		segs[i] = v
	}
	return strings.Join(segs, "/") + e.query
}

// goldenTable parses goldenAPIRoutes and goldenPageRoutes: each line is a
// method and pattern, then optionally a query ("?…"), "ghost" and
// "ends-session". The walk goes through them sorted.
func goldenTable(t *testing.T) []goldenEntry {
	t.Helper()
	var out []goldenEntry
	seen := map[string]bool{}
	for _, line := range append(append([]string(nil), goldenAPIRoutes...), goldenPageRoutes...) {
		f := strings.Fields(line)
		if len(f) < 2 {
			t.Fatalf("walk table: malformed line %q", line)
		}
		e := goldenEntry{route: f[0] + " " + f[1]}
		for _, opt := range f[2:] {
			switch {
			case strings.HasPrefix(opt, "?"):
				e.query = opt
			case opt == "ghost":
				e.ghost = true
			case opt == "ends-session":
				e.endsSession = true
			default:
				t.Fatalf("walk table: unknown option %q in %q", opt, line)
			}
		}
		if seen[e.route] {
			t.Fatalf("walk table: %s listed twice", e.route)
		}
		seen[e.route] = true
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].route < out[j].route })
	return out
}

// goldenAPIRoutes are the JSON API's routes in the walk (see goldenTable
// for the options).
var goldenAPIRoutes = []string{
	"GET /api/v1/exports",
	"GET /api/v1/exports/:id",
	"GET /api/v1/exports/:id/download",
	"GET /api/v1/ratings/export.xlsx",
	"GET /api/v1/ratings/export.csv",
	"GET /api/v1/audit/export.xlsx",
	"GET /api/v1/audit/export.csv",
	"GET /api/v1/cases/export.xlsx",
	"GET /api/v1/cases/export.csv",
	"GET /api/v1/callbacks/export.xlsx",
	"GET /api/v1/callbacks/export.csv",
	"GET /api/v1/search",
	"GET /api/v1/feedback/export.xlsx",
	"GET /api/v1/feedback/export.csv",
	"GET /api/v1/responses/export.xlsx",
	"GET /api/v1/responses/export.csv",
	"GET /api/v1/instruments/:id/answers/export.xlsx",
	"GET /api/v1/instruments/:id/answers/export.csv",
	"GET /api/v1/cycles/:id/assessor/units",
	"GET /api/v1/cycles/:id/assessor/units/:unit_id",
	"GET /api/v1/cycles/:id/assessor/units/:unit_id/evidence/:evidence_id",
	"GET /api/v1/cycles/:id/assessor/cases",
	"POST /api/v1/cycles/:id/assessor/cases",
	"GET /api/v1/cycles/:id/deduction-proposals",
	"POST /api/v1/cycles/:id/deduction-proposals",
	"POST /api/v1/deduction-proposals/:id/confirm ghost",
	"POST /api/v1/deduction-proposals/:id/reject",
	"GET /api/v1/cycles/:id/deduction-presets",
	"PUT /api/v1/cycles/:id/deduction-preset",
	"GET /api/v1/cycles/:id/self-eval-periods",
	"POST /api/v1/cycles/:id/self-eval-periods",
	"PUT /api/v1/self-eval-periods/:id",
	"DELETE /api/v1/self-eval-periods/:id ghost",
	"GET /api/v1/self-eval-periods/:id/units",
	"GET /api/v1/self-eval-periods/:id/units/:unit_id",
	"PUT /api/v1/self-eval-periods/:id/units/:unit_id",
	"GET /api/v1/cycles/:id/inspections",
	"POST /api/v1/cycles/:id/inspections",
	"GET /api/v1/inspections/:id",
	"POST /api/v1/inspections/:id/findings",
	"POST /api/v1/inspections/:id/files",
	"GET /api/v1/inspections/:id/files/:file",
	"POST /api/v1/inspections/:id/files/:file/share ghost",
	"DELETE /api/v1/inspections/:id/files/:file ghost",
	"PUT /api/v1/inspections/:id/scheme-items",
	"GET /api/v1/cycles/:id/inspection-items",
	"POST /api/v1/inspection-findings/:id/case ghost",
	"POST /api/v1/inspection-findings/:id/proposal ghost",
	"GET /api/v1/cycles/:id/key-tasks",
	"POST /api/v1/cycles/:id/key-tasks",
	"GET /api/v1/key-tasks/:id",
	"PUT /api/v1/key-tasks/:id/lead",
	"POST /api/v1/key-tasks/:id/members",
	"DELETE /api/v1/key-tasks/:id/members/:unit_id ghost",
	"PUT /api/v1/key-tasks/:id/members/:unit_id/indicator",
	"POST /api/v1/adjustments/:id/revoke",
	"POST /api/v1/rank-adjustments/:id/revoke",
	"GET /api/v1/agencies/:id",
	"PATCH /api/v1/agencies/:id",
	"GET /api/v1/agencies/:id/progress",
	"GET /api/v1/agencies/:id/quotas",
	"PUT /api/v1/agencies/:id/quotas",
	"POST /api/v1/agencies/:id/tokens ghost",
	"DELETE /api/v1/agencies/:id/tokens/:token_id ghost",
	"GET /api/v1/agencies/:id/uploads",
	"GET /api/v1/agencies/:id/uploads/:upload_id",
	"GET /api/v1/agencies/:id/mapping",
	"PUT /api/v1/agencies/:id/mapping",
	"GET /api/v1/agency",
	"GET /api/v1/agency/progress",
	"POST /api/v1/agency/responses",
	"POST /api/v1/agency/responses/file",
	"GET /api/v1/agency/template.xlsx",
	"GET /api/v1/agency/uploads",
	"GET /api/v1/agency/uploads/:id",
	"GET /api/v1/agency/mapping",
	"PUT /api/v1/agency/mapping",
	"GET /api/v1/audit",
	"GET /api/v1/audit/integrity",
	"POST /api/v1/bonus-claims/:id/approve",
	"POST /api/v1/bonus-claims/:id/reject",
	"GET /api/v1/callbacks",
	"GET /api/v1/cases",
	"POST /api/v1/cases",
	"GET /api/v1/cases/:id",
	"POST /api/v1/cases/:id/answer",
	"GET /api/v1/cases/:id/callbacks",
	"POST /api/v1/cases/:id/callbacks",
	"PUT /api/v1/cases/:id/carry",
	"POST /api/v1/cases/:id/close",
	"POST /api/v1/cases/:id/done",
	"POST /api/v1/cases/:id/followup-links",
	"POST /api/v1/cases/:id/progress",
	"POST /api/v1/cases/:id/release",
	"POST /api/v1/cases/:id/return",
	"GET /api/v1/cases/overdue",
	"GET /api/v1/cases/reminder-settings",
	"PUT /api/v1/cases/reminder-settings",
	"GET /api/v1/cases/settings",
	"PUT /api/v1/cases/settings",
	"GET /api/v1/cycles",
	"POST /api/v1/cycles",
	"GET /api/v1/cycles/:id",
	"GET /api/v1/cycles/:id/assessment",
	"GET /api/v1/cycles/:id/categories",
	"PUT /api/v1/cycles/:id/categories",
	"POST /api/v1/cycles/:id/scheme-groups",
	"PUT /api/v1/cycles/:id/scheme-groups/:group_id ghost",
	"DELETE /api/v1/cycles/:id/scheme-groups/:group_id ghost",
	"GET /api/v1/cycles/:id/assessment/adjustments",
	"POST /api/v1/cycles/:id/assessment/adjustments",
	"GET /api/v1/cycles/:id/assessment/rank-adjustments",
	"POST /api/v1/cycles/:id/assessment/rank-adjustments",
	"GET /api/v1/cycles/:id/assessment/bonus-claims",
	"POST /api/v1/cycles/:id/assessment/bonus-claims",
	"GET /api/v1/cycles/:id/assessment/deductions",
	"POST /api/v1/cycles/:id/assessment/deductions",
	"GET /api/v1/cycles/:id/assessment/entries",
	"PUT /api/v1/cycles/:id/assessment/entries/:unit_id/:leaf_key",
	"GET /api/v1/cycles/:id/assessment/leaves",
	"PUT /api/v1/cycles/:id/assessment/leaves/:leaf_key/assessor",
	"GET /api/v1/cycles/:id/assessment/settings",
	"PUT /api/v1/cycles/:id/assessment/settings",
	"GET /api/v1/cycles/:id/assessment/units/:unit_id",
	"GET /api/v1/cycles/:id/case-carry",
	"POST /api/v1/cycles/:id/case-carry",
	"GET /api/v1/cycles/:id/case-deductions",
	"POST /api/v1/cycles/:id/case-deductions",
	"PUT /api/v1/cycles/:id/config",
	"PUT /api/v1/cycles/:id/main",
	"GET /api/v1/cycles/:id/config/versions",
	"GET /api/v1/cycles/:id/config/versions/:version",
	"GET /api/v1/cycles/:id/results",
	"GET /api/v1/cycles/:id/results/appeals",
	"POST /api/v1/cycles/:id/results/appeals/:appeal_id/answer",
	"POST /api/v1/cycles/:id/results/final",
	"POST /api/v1/cycles/:id/results/preliminary",
	"POST /api/v1/cycles/:id/results/reopen",
	"GET /api/v1/cycles/:id/results/approvals",
	"POST /api/v1/cycles/:id/results/approval",
	"GET /api/v1/cycles/:id/release",
	"PUT /api/v1/cycles/:id/release",
	"GET /api/v1/approvals",
	"GET /api/v1/approvals/:id",
	"POST /api/v1/approvals/:id/decision",
	"POST /api/v1/approvals/:id/withdraw ghost",
	"GET /api/v1/cycles/:id/results/units/:unit_id",
	"POST /api/v1/cycles/:id/results/units/:unit_id/appeal",
	"GET /api/v1/cycles/:id/results/receipts",
	"GET /api/v1/cycles/:id/results/units/:unit_id/receipt",
	"POST /api/v1/cycles/:id/results/units/:unit_id/receipt",
	"POST /api/v1/cycles/:id/results/units/:unit_id/delivery",
	"GET /api/v1/cycles/:id/results/units/:unit_id/rectification",
	"PUT /api/v1/cycles/:id/results/units/:unit_id/rectification",
	"POST /api/v1/cycles/:id/results/units/:unit_id/rectification/receive",
	"PUT /api/v1/cycles/:id/results/units/:unit_id/staff-count",
	"GET /api/v1/cycles/:id/results/uses",
	"GET /api/v1/cycles/:id/results/xlsx",
	"GET /api/v1/cycles/:id/uses",
	"PUT /api/v1/cycles/:id/uses/settings",
	"PUT /api/v1/cycles/:id/uses/units/:unit_id/factors",
	"POST /api/v1/cycles/:id/uses/units/:unit_id/records/:kind",
	"POST /api/v1/cycles/:id/uses/units/:unit_id/case",
	"GET /api/v1/cycles/:id/uses/xlsx",
	"GET /api/v1/cycles/:id/uses/csv",
	"GET /api/v1/cycles/:id/uses/units/:unit_id",
	"GET /api/v1/cycles/:id/uses/units/:unit_id/xlsx",
	"GET /api/v1/cycles/:id/scheme",
	"PUT /api/v1/cycles/:id/scheme",
	"GET /api/v1/cycles/:id/scheme/versions",
	"GET /api/v1/cycles/:id/scores",
	"GET /api/v1/cycles/:id/scores.xlsx",
	"GET /api/v1/cycles/:id/scores/:unit_id",
	"GET /api/v1/cycles/:id/target-settings",
	"PUT /api/v1/cycles/:id/target-settings",
	"GET /api/v1/cycles/:id/target-warnings",
	"GET /api/v1/cycles/:id/targets",
	"POST /api/v1/cycles/:id/targets",
	"POST /api/v1/deductions/:id/revoke",
	"POST /api/v1/evidence",
	"GET /api/v1/evidence/:id",
	"GET /api/v1/feedback",
	"GET /api/v1/feedback/appeals",
	"GET /api/v1/feedback/appeals/:id",
	"POST /api/v1/feedback/appeals/:id/reject",
	"POST /api/v1/feedback/appeals/:id/uphold",
	"GET /api/v1/feedback/flags",
	"POST /api/v1/feedback/flags/:id/confirm",
	"POST /api/v1/feedback/flags/:id/dismiss",
	"POST /api/v1/feedback/flags/scan",
	"GET /api/v1/feedback/held",
	"POST /api/v1/feedback/held/:key/count",
	"POST /api/v1/feedback/held/:key/not-count",
	"POST /api/v1/feedback/invalid",
	"GET /api/v1/feedback/items/:kind/:id",
	"POST /api/v1/feedback/items/:kind/:id/reopen",
	"POST /api/v1/feedback/valid",
	"POST /api/v1/feedback/acknowledge",
	"POST /api/v1/feedback/acknowledge-matching",
	"GET /api/v1/feedback/auto-rule",
	"PUT /api/v1/feedback/auto-rule",
	"POST /api/v1/feedback/auto-rule/run",
	"DELETE /api/v1/networks/:id ghost",
	"PATCH /api/v1/networks/:id",
	"POST /api/v1/points/:id/qr/rotate ghost",
	"GET /api/v1/ratings",
	"POST /api/v1/ratings/:id/appeals",
	"POST /api/v1/ratings/:id/exclude",
	"POST /api/v1/ratings/:id/restore",
	"GET /api/v1/responses",
	"POST /api/v1/schemes/compute",
	"GET /api/v1/schemes/presets",
	"DELETE /api/v1/session ends-session",
	"GET /api/v1/session",
	"POST /api/v1/session",
	"PUT /api/v1/session/password",
	"GET /api/v1/todos",
	"GET /api/v1/notifications",
	"POST /api/v1/notifications/read",
	"GET /api/v1/notification-deliveries",
	"POST /api/v1/notification-deliveries/:id/resend ghost",
	"GET /api/v1/upward",
	"POST /api/v1/upward/batches/:id/resend ghost",
	"GET /api/v1/notification-templates",
	"GET /api/v1/notification-templates/:kind",
	"PUT /api/v1/notification-templates/:kind",
	"DELETE /api/v1/notification-templates/:kind ghost",
	"GET /api/v1/citizen-sms",
	"POST /api/v1/citizen-sms/:id/resend ghost",
	"GET /api/v1/citizen-sms-settings",
	"PUT /api/v1/citizen-sms-settings",
	"POST /api/v1/surveys/:id/sms/invite",
	"POST /api/v1/surveys/:id/sms/remind",
	"GET /api/v1/cycles/:id/instruments",
	"POST /api/v1/cycles/:id/instruments",
	"GET /api/v1/evaluations",
	"GET /api/v1/instruments/:id",
	"PUT /api/v1/instruments/:id",
	"PUT /api/v1/instruments/:id/answers",
	"GET /api/v1/instruments/:id/ballot",
	"POST /api/v1/instruments/:id/close ghost",
	"GET /api/v1/instruments/:id/invitees",
	"POST /api/v1/instruments/:id/invitees",
	"POST /api/v1/instruments/:id/open",
	"PUT /api/v1/instruments/:id/partners/:unit_id",
	"POST /api/v1/instruments/:id/sms/invite",
	"GET /api/v1/instruments/:id/results",
	"GET /api/v1/instruments/:id/results/:unit_id/answers",
	"GET /api/v1/surveys",
	"POST /api/v1/surveys",
	"GET /api/v1/surveys/:id",
	"PUT /api/v1/surveys/:id",
	"GET /api/v1/surveys/:id/agencies",
	"POST /api/v1/surveys/:id/agencies",
	"POST /api/v1/surveys/:id/close ghost",
	"PUT /api/v1/surveys/:id/closes_at",
	"POST /api/v1/surveys/:id/open",
	"GET /api/v1/surveys/:id/progress",
	"GET /api/v1/surveys/:id/respondents",
	"POST /api/v1/surveys/:id/respondents",
	"DELETE /api/v1/surveys/:id/respondents/:rid ghost",
	"GET /api/v1/surveys/:id/respondents/:rid",
	"POST /api/v1/surveys/:id/respondents/import",
	"POST /api/v1/target-change-requests/:id/approve",
	"POST /api/v1/target-change-requests/:id/reject",
	"GET /api/v1/targets/:id",
	"PUT /api/v1/targets/:id",
	"POST /api/v1/targets/:id/approve",
	"GET /api/v1/targets/:id/change-requests",
	"POST /api/v1/targets/:id/change-requests",
	"GET /api/v1/targets/:id/reports",
	"PUT /api/v1/targets/:id/reports/:period",
	"POST /api/v1/targets/:id/return",
	"GET /api/v1/targets/:id/self-evaluation",
	"PUT /api/v1/targets/:id/self-evaluation",
	"GET /api/v1/targets/:id/evidence",
	"POST /api/v1/targets/:id/evidence",
	"DELETE /api/v1/targets/:id/indicators/:indicator_id/evidence/:evidence_id",
	"POST /api/v1/targets/:id/submit",
	"GET /api/v1/targets/:id/versions",
	"GET /api/v1/targets/:id/versions/:version",
	"POST /api/v1/terminal/ratings",
	"DELETE /api/v1/terminals/:id ghost",
	"GET /api/v1/items",
	"POST /api/v1/items/import",
	"GET /api/v1/rating-stages",
	"POST /api/v1/business/requests",
	"GET /api/v1/business/requests/:id ghost",
	"GET /api/v1/terminal/requests/next",
	"GET /api/v1/business-systems",
	"POST /api/v1/business-systems",
	"GET /api/v1/business-systems/:id",
	"PATCH /api/v1/business-systems/:id",
	"POST /api/v1/business-systems/:id/tokens ghost",
	"DELETE /api/v1/business-systems/:id/tokens/:token_id ghost",
	"GET /api/v1/rating-links",
	"POST /api/v1/rating-links",
	"GET /api/v1/rating-links/:id",
	"PATCH /api/v1/rating-links/:id",
	"POST /api/v1/rating-links/:id/keys ghost",
	"DELETE /api/v1/rating-links/:id/keys/:kid ghost",
	"POST /api/v1/terminal/requests/:id/rating ghost",
	"GET /api/v1/units",
	"POST /api/v1/units",
	"GET /api/v1/units/:id",
	"PATCH /api/v1/units/:id",
	"GET /api/v1/units/:id/networks",
	"POST /api/v1/units/:id/networks",
	"GET /api/v1/units/:id/notify-channels",
	"PUT /api/v1/units/:id/notify-channels",
	"POST /api/v1/units/:id/notify-channels/test",
	"GET /api/v1/units/:id/points",
	"POST /api/v1/units/:id/points",
	"POST /api/v1/units/:id/qr/rotate ghost",
	"GET /api/v1/units/:id/lineage",
	"POST /api/v1/units/:id/predecessors",
	"DELETE /api/v1/units/:id/predecessors/:pid ghost",
	"POST /api/v1/units/:id/abolish",
	"POST /api/v1/units/:id/restore ghost",
	"GET /api/v1/units/:id/ratings",
	"GET /api/v1/units/:id/stats",
	"GET /api/v1/units/:id/terminals",
	"POST /api/v1/units/:id/terminals",
	"GET /api/v1/users",
	"POST /api/v1/users",
	"GET /api/v1/users/:id",
	"PATCH /api/v1/users/:id",
	"POST /api/v1/users/:id/password-reset",
	"DELETE /api/v1/users/:id/sessions ghost",
	"DELETE /api/v1/users/:id/sessions/:sid ghost",
	"POST /api/v1/users/unit-accounts",
	"GET /api/v1/workdays",
	"GET /api/v1/workdays/:year",
	"PUT /api/v1/workdays/:year",
	"GET /api/v1/workdays/deadline ?start=2026-11-18&days=5",
}
