package feedback

import (
	"context"
	"strconv"
	"strings"

	"minyi/internal/db"
	"minyi/internal/search"
)

// CaseTextIDs is a query of the ids of the cases whose texts hold every
// term of k: the problem, an answer, progress report or note of the case
// (case_updates), or a call-back's notes (case_callbacks). Each branch
// reads its own gram index (migration 0074), so the set costs its matches,
// not the cases; arg adds an argument and returns its placeholder. A term
// must appear within one text (every term in the problem, or every term in
// one update), as a reader would expect of "this case mentions …".
func CaseTextIDs(k search.Keyword, arg func(any) string) string {
	return strings.Join(caseTextSets(k, arg), "\n\tUNION ")
}

// caseTextSets is the queries of the ids of the cases with a problem, an
// update or a call-back note holding every term of k, in that order.
func caseTextSets(k search.Keyword, arg func(any) string) []string {
	return []string{
		`SELECT sc.id FROM rectification_cases sc WHERE ` + k.Cond("sc.problem", arg),
		`SELECT su.case_id FROM case_updates su WHERE ` + k.Cond("su.body", arg),
		`SELECT sb.case_id FROM case_callbacks sb WHERE ` + k.Cond("sb.said", arg),
	}
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

// CaseTextMatch is the condition that the case of alias c (e.g. "c") has
// a text holding every term of k, as CaseTextIDs finds them, but as three
// sets, one per kind of text, that each case is looked up in (hashed
// subplans). It is for a list that reads every case of its index anyway,
// the call-back list of every unit (an index-only walk of its state's
// cases): there the union of CaseTextIDs had to remove its duplicates and
// then be joined with the cases. For a word in nearly every call-back note
// (满意, 40,690 notes) the read took 57–59 ms that way, 47–50 this way. A
// list that can start from the matches (the case list: a rare word's few
// cases by key) keeps CaseTextIDs: this form reads all of the list's cases
// first.
func CaseTextMatch(k search.Keyword, c string, arg func(any) string) string {
	var in []string
	for _, set := range caseTextSets(k, arg) {
		in = append(in, c+`.id IN (`+set+`)`)
	}
	return `(` + strings.Join(in, "\n\tOR ") + `)`
}

// MatchPage counts the cases of rectification_cases c that meet where (a
// " WHERE …" over c, usually holding CaseTextIDs or CaseTextMatch) and
// picks the ids of a page of them in order, in one statement: the
// matching cases are found once. Counting and paging in two statements
// found them twice, and for a word in nearly every call-back note (满意)
// that is every real-name case of five years twice over. orderCol is the
// one column of c besides id that order (" ORDER BY …" over c) reads, so
// the set carries two columns. It runs without parallel workers
// (search.NoWorkers): the planner gave a common word's problems two, whose
// start cost 50 of the read's 83 ms.
func MatchPage(ctx context.Context, q db.DBTX, where, orderCol, order string, args []any, limit, offset int) (int, []int64, error) {
	n := len(args)
	sql := `WITH c AS MATERIALIZED (SELECT c.id, ` + orderCol + ` FROM rectification_cases c` + where + `)
	SELECT (SELECT count(*) FROM c)::int, coalesce((SELECT array_agg(p.id) FROM (SELECT c.id FROM c` + order +
		` LIMIT $` + strconv.Itoa(n+1) + ` OFFSET $` + strconv.Itoa(n+2) + `) AS p), '{}')`
	var total int
	var ids []int64
	err := db.WithLocal(ctx, q, search.NoWorkers, func(q db.DBTX) error {
		return q.QueryRow(ctx, sql, append(args[:n:n], limit, offset)...).Scan(&total, &ids)
	})
	return total, ids, db.Err(err)
}
