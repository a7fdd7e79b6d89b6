package surveys_test

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"minyi/internal/scores"
	"minyi/internal/surveys"
)

// rows returns the first column of every row of the query as text.
func (w *world) rows(t *testing.T, sql string, args ...any) []string {
	t.Helper()
	rows, err := w.pool.Query(w.ctx, sql, args...)
	if err != nil {
		t.Fatal(err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// report is the cycle's score report as JSON.
func (w *world) report(t *testing.T) string {
	t.Helper()
	r, err := scores.Compute(w.ctx, w.pool, shanghai, w.now, scores.Query{CycleID: w.cycle.ID})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(r)
	return string(b)
}

// correlation is Pearson's correlation of xs with their positions, which
// for ranks is Spearman's rank correlation.
func correlation(xs []float64) float64 {
	n := float64(len(xs))
	var mx, my float64
	for i, x := range xs {
		mx += float64(i) / n
		my += x / n
	}
	var sxy, sxx, syy float64
	for i, x := range xs {
		dx, dy := float64(i)-mx, x-my
		sxy, sxx, syy = sxy+dx*dy, sxx+dx*dx, syy+dy*dy
	}
	return sxy / math.Sqrt(sxx*syy)
}

func TestSealRewritesAnonymousAnswersInRandomOrder(t *testing.T) {
	w := newWorld(t)
	anon := w.survey(t, true)
	w.open(t, anon.ID)
	named := w.survey(t, false, func(in *surveys.Input) { in.Title = "2026年度实名测评" })
	w.open(t, named.ID)
	// Forty respondents submit one after another; each signs its opinions
	// with its rank, so the test (and only the test) can tell the order.
	const n = 40
	var submissionXmins []string
	for i := range n {
		_, token := w.respondent(t, anon.ID, surveys.RespondentInput{Name: "代表" + strconv.Itoa(i), Group: "npc_deputies"})
		for _, u := range w.units {
			a := surveys.Answer{UnitID: u.ID, Answers: map[string]int{"overall": 1 + (i+int(u.ID))%5, "attitude": 1 + i%5},
				Opinion: fmt.Sprintf("第%02d位", i)}
			if err := w.save(token, a); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.submit(token); err != nil {
			t.Fatal(err)
		}
		submissionXmins = append(submissionXmins, w.rows(t, `SELECT DISTINCT xmin::text FROM survey_responses
			WHERE opinion = $1`, fmt.Sprintf("第%02d位", i))...)
	}
	for i := range 2 {
		_, token := w.respondent(t, named.ID, surveys.RespondentInput{Name: "实名" + strconv.Itoa(i), Group: "npc_deputies"})
		w.answerAll(t, token, 4)
		if err := w.submit(token); err != nil {
			t.Fatal(err)
		}
	}
	const byRank = `SELECT opinion FROM survey_responses WHERE survey_id = $1 ORDER BY ctid`
	const contents = `SELECT (to_jsonb(p) - 'ctid')::text FROM survey_responses p ORDER BY id`
	const namedRows = `SELECT ctid::text || ' ' || xmin::text FROM survey_responses WHERE survey_id = $1 ORDER BY id`
	if got := w.rows(t, byRank, anon.ID); !slices.IsSorted(got) {
		t.Fatalf("before the seal the heap is not in submission order; the test cannot tell a shuffle: %v", got)
	}
	before, scoresBefore, namedBefore := w.rows(t, contents), w.report(t), w.rows(t, namedRows, named.ID)

	sealed, err := surveys.Seal(w.ctx, w.pool, w.now)
	if err != nil || sealed != n {
		t.Fatalf("sealed %d, %v; want %d", sealed, err, n)
	}

	// Every answer is still there, with its id (which feedback reviews and
	// cases refer to), and the scores are the same.
	if after := w.rows(t, contents); !slices.Equal(before, after) {
		t.Errorf("the seal changed the answers:\nbefore %v\nafter  %v", before, after)
	}
	if after := w.report(t); after != scoresBefore {
		t.Errorf("the seal changed the scores:\nbefore %s\nafter  %s", scoresBefore, after)
	}
	// The heap order no longer follows the submission order.
	order := w.rows(t, byRank, anon.ID)
	ranks := make([]float64, len(order))
	for i, op := range order {
		r, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(op, "第"), "位"))
		ranks[i] = float64(r)
	}
	if len(ranks) != n*len(w.units) {
		t.Fatalf("%d anonymous answers, want %d", len(ranks), n*len(w.units))
	}
	// A random order of 120 answers has a rank correlation near 0 (standard
	// deviation about 0.09); the submission order has 0.99.
	if rho := correlation(ranks); rho > 0.5 {
		t.Errorf("after the seal the heap order follows the submission order (rank correlation %.2f)", rho)
	}
	// Every anonymous answer and every sealed respondent now carry the
	// seal's transaction id, none a submission's.
	xmins := w.rows(t, `SELECT DISTINCT xmin::text FROM survey_responses WHERE survey_id = $1
		UNION SELECT DISTINCT xmin::text FROM survey_respondents WHERE survey_id = $1`, anon.ID)
	if len(xmins) != 1 || slices.Contains(submissionXmins, xmins[0]) {
		t.Errorf("after the seal the answers and respondents carry xmins %v (submissions %v), want one, the seal's", xmins, submissionXmins)
	}
	// A survey that is not anonymous is left as it is.
	if after := w.rows(t, namedRows, named.ID); !slices.Equal(namedBefore, after) {
		t.Errorf("the seal rewrote a named survey's answers: %v → %v", namedBefore, after)
	}
	// Nothing new to seal: nothing is rewritten.
	if n, err := surveys.Seal(w.ctx, w.pool, w.now); err != nil || n != 0 {
		t.Errorf("second seal: %d, %v", n, err)
	}
	if again := w.rows(t, `SELECT DISTINCT xmin::text FROM survey_responses WHERE survey_id = $1`, anon.ID); !slices.Equal(again, xmins[:1]) {
		t.Errorf("a seal with nothing new rewrote the answers: xmins %v", again)
	}
}
