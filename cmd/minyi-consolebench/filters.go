package main

import "strings"

// filter is one combination of a list's filters; for the unit user, the
// unit filter is its own unit and adds nothing, so unit-only filters are
// the office's.
type filter struct {
	name  string
	query string
	who   int
}

// ratingFilters are the rating feed's filters as users combine them.
var ratingFilters = []filter{
	{"no filter", "", both},
	{"unit", "unit_id={unit}", office},
	{"unit + level 1", "unit_id={unit}&level=1", office},
	{"level 1, all units", "level=1", both},
	{"channel qr", "channel=qr", both},
	{"a month", "from={month_from}&to={month_to}", both},
	{"has message", "has_comment=true", both},
	{"excluded", "excluded=true", both},
	{"not rate-checked", "rate_checked=false", both},
	{"unit + month + has message", "unit_id={unit}&from={month_from}&to={month_to}&has_comment=true", office},
	{"month + has message", "from={month_from}&to={month_to}&has_comment=true", unitUser},
	{"keyword, two characters", kw("态度"), both},
	{"keyword, one character", kw("慢"), both},
	{"keyword, four characters", kw("工作人员"), both},
	{"keyword without a match", kw("火箭"), both},
	// A keyword searches the last twelve months unless a start date is
	// given (ratings.Filter.KeywordSpan); this one asks for every year.
	{"keyword, two characters, every year (from 2000-01-01)", "from=2000-01-01&" + kw("态度"), both},
	// A word in no message over every year: nothing narrows the read to
	// a few months (a rare name or number typed into the box).
	{"keyword without a match, every year (from 2000-01-01)", "from=2000-01-01&" + kw("火箭"), both},
	{"unit + keyword", "unit_id={unit}&" + kw("态度"), office},
	{"month + level 1 + keyword", "from={month_from}&to={month_to}&level=1&" + kw("排队"), both},
}

// queueFilters are the review queue's filters (office only). The queue
// has no message, exclusion or rate-check filter: its items are 差评 and
// messages, and its status is the review's.
var queueFilters = []filter{
	{"no filter (90 days)", "", office},
	{"unit", "unit_id={unit}", office},
	{"unit + level 1", "unit_id={unit}&level=1", office},
	{"level 1, all units", "level=1", office},
	{"channel qr", "channel=qr", office},
	{"a month", "from={month_from}&to={month_to}", office},
	{"review status pending", "status=pending", office},
	{"review status decided", "status=decided", office},
	{"unit + month", "unit_id={unit}&from={month_from}&to={month_to}", office},
	{"ratings only", "source=rating", office},
	{"keyword, two characters", kw("态度"), office},
	{"unit + keyword", "unit_id={unit}&" + kw("态度"), office},
}

// caseFilters are the rectification cases' filters.
var caseFilters = []filter{
	{"no filter", "", both},
	{"unit", "unit_id={unit}", office},
	{"status answered", "status=answered", both},
	{"overdue", "overdue=any", both},
	{"keyword, two characters", kw("等候"), both},
	{"unit + keyword", "unit_id={unit}&" + kw("窗口"), office},
}

// callbackFilters are the call-back list's states (待回访 by default) and
// its keyword box.
var callbackFilters = []filter{
	{"no filter (待回访)", "", both},
	{"called (已回访)", "state=called", both},
	{"all", "state=all", both},
	{"keyword", "state=all&" + kw("满意"), both},
}

// searchFilters are the search page's boxes (issue 17): keywords of one,
// two and four characters, one without a match, and the direct look-ups
// of a case number, a 办件编号 and a phone number (none of the generated
// ratings carries the last two: their probes find nothing, as most do).
var searchFilters = []filter{
	{"keyword, two characters", kw("态度"), both},
	{"keyword, one character", kw("慢"), both},
	{"keyword, four characters", kw("工作人员"), both},
	{"keyword without a match", kw("火箭"), both},
	{"a case number", "q={case}", both},
	{"a 办件编号", kw("BJ2026-0000123"), both},
	{"a phone number", kw("13812345678"), both},
}

// auditFilters are the audit log's filters as an auditor combines them.
var auditFilters = []filter{
	{"no filter", "", office},
	{"action", "action=unit.update", office},
	{"object kind", "entity=target_sheet", office},
	{"a unit's record", "entity=unit&entity_id={unit}", office},
	{"a month", "from={month_from}&to={month_to}", office},
	{"action + month", "action=assessment.entry&from={month_from}&to={month_to}", office},
	{"person", "person=office", office},
	{"role unit", "role=unit", office},
	{"role unit + action", "role=unit&action=case.answer", office},
	{"actor's unit + month", "unit_id={unit}&from={month_from}&to={month_to}", office},
	{"rare action (none)", "action=results.reopen", office},
}

// filtered makes one deep spec per filter of a list route.
func filtered(route, path string, who int, fs []filter) []spec {
	var out []spec
	for _, f := range fs {
		if f.who&who == 0 {
			continue
		}
		p := path
		if f.query != "" {
			sep := "?"
			if strings.Contains(p, "?") {
				sep = "&"
			}
			p += sep + f.query
		}
		out = append(out, spec{route: route, path: p, filter: f.name, who: f.who & who, deep: true})
	}
	return out
}
