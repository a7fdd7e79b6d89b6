package feedback

import "minyi/internal/search"

// CaseTextIDs is a query of the ids of the cases whose texts hold every
// term of k: the problem, an answer, progress report or note of the case
// (case_updates), or a call-back's notes (case_callbacks). Each branch
// reads its own gram index (migration 0074), so the set costs its matches,
// not the cases; arg adds an argument and returns its placeholder. A term
// must appear within one text (every term in the problem, or every term in
// one update), as a reader would expect of "this case mentions …".
func CaseTextIDs(k search.Keyword, arg func(any) string) string {
	return `SELECT sc.id FROM rectification_cases sc WHERE ` + k.Cond("sc.problem", arg) + `
	UNION SELECT su.case_id FROM case_updates su WHERE ` + k.Cond("su.body", arg) + `
	UNION SELECT sb.case_id FROM case_callbacks sb WHERE ` + k.Cond("sb.said", arg)
}

// CaseTextHolds is the condition that the case of alias c (e.g. "c") has a
// text holding every term of k, checked case by case on the texts
// themselves (search.Keyword.Recheck): for lists already narrowed to one
// unit's cases by their own index. CaseTextIDs reads every unit's hits
// from the gram indexes first, which for a common word over five years of
// a province's cases is far more than one unit's few hundred cases and
// their updates (0.4 s against milliseconds in the thirteenth run).
func CaseTextHolds(k search.Keyword, c string, arg func(any) string) string {
	return `(` + k.Recheck(c+".problem", arg) + `
	OR EXISTS (SELECT FROM case_updates su WHERE su.case_id = ` + c + `.id AND ` + k.Recheck("su.body", arg) + `)
	OR EXISTS (SELECT FROM case_callbacks sb WHERE sb.case_id = ` + c + `.id AND ` + k.Recheck("sb.said", arg) + `))`
}
