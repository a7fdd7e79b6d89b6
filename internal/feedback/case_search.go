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
