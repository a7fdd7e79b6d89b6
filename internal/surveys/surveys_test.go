package surveys_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/score"
	"minyi/internal/secure"
	"minyi/internal/surveys"
	"minyi/internal/testutil"
	"minyi/internal/units"
)

var shanghai = mustLoc("Asia/Shanghai")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// world is a database with a cycle, three units and the keys.
type world struct {
	ctx   context.Context
	pool  *pgxpool.Pool
	keys  *secure.Keys
	cycle cycles.Cycle
	units []units.Unit
	now   time.Time
}

func newWorld(t testing.TB) *world {
	t.Helper()
	w := &world{ctx: context.Background(), pool: testutil.DB(t), now: time.Date(2026, 11, 20, 10, 0, 0, 0, shanghai)}
	var err error
	if w.keys, err = secure.NewKeys("surveys-test-secret-0123456789abcdef"); err != nil {
		t.Fatal(err)
	}
	w.tx(t, func(tx pgx.Tx) error {
		in := cycles.CycleInput{Name: "2026年度", Year: 2026, PeriodStart: "2026-01-01", PeriodEnd: "2026-12-31"}
		if w.cycle, err = cycles.CreateCycle(w.ctx, tx, audit.System, in, cycles.DefaultConfig([]float64{100, 80, 60, 30, 0})); err != nil {
			return err
		}
		for _, u := range []units.UnitInput{
			{Name: "市人社局", ShortCode: "HRSS", Category: "社会服务类"},
			{Name: "市医保局", ShortCode: "MED", Category: "社会服务类"},
			{Name: "市商务局", ShortCode: "COM", Category: "经济发展类"},
		} {
			made, err := units.CreateUnit(w.ctx, tx, audit.System, u, []string{"社会服务类", "经济发展类"})
			if err != nil {
				return err
			}
			w.units = append(w.units, made)
		}
		return nil
	})
	return w
}

// try runs fn in a transaction and returns its error.
func (w *world) try(fn func(pgx.Tx) error) error { return db.Tx(w.ctx, w.pool, fn) }

func (w *world) tx(t testing.TB, fn func(pgx.Tx) error) {
	t.Helper()
	if err := db.Tx(w.ctx, w.pool, fn); err != nil {
		t.Fatal(err)
	}
}

// survey creates a survey: NPC deputies rate every unit, experts a list.
func (w *world) survey(t testing.TB, anonymous bool, mutate ...func(*surveys.Input)) surveys.Survey {
	t.Helper()
	in := surveys.Input{CycleID: w.cycle.ID, Title: "2026年度满意度测评", Anonymous: anonymous, AllowOpinion: true,
		Questions: []surveys.Question{{Key: "efficiency"}, {Key: "attitude"}},
		Groups:    []surveys.Group{{Key: score.GroupNPCDeputies, AllUnits: true}, {Key: score.GroupExperts}}}
	for _, m := range mutate {
		m(&in)
	}
	var s surveys.Survey
	w.tx(t, func(tx pgx.Tx) (err error) {
		s, err = surveys.CreateSurvey(w.ctx, tx, audit.System, in, w.now)
		return err
	})
	return s
}

func (w *world) open(t testing.TB, id int64) {
	t.Helper()
	w.tx(t, func(tx pgx.Tx) error {
		_, err := surveys.OpenSurvey(w.ctx, tx, audit.System, id, w.now)
		return err
	})
}

// respondent adds a respondent and returns it with its token.
func (w *world) respondent(t testing.TB, surveyID int64, in surveys.RespondentInput) (surveys.Respondent, string) {
	t.Helper()
	var r surveys.Respondent
	w.tx(t, func(tx pgx.Tx) (err error) {
		r, _, err = surveys.AddRespondent(w.ctx, tx, w.keys, audit.System, surveyID, in)
		return err
	})
	token, err := r.Token(w.keys)
	if err != nil {
		t.Fatal(err)
	}
	return r, token
}

func (w *world) save(token string, answers ...surveys.Answer) error {
	return db.Tx(w.ctx, w.pool, func(tx pgx.Tx) error {
		_, err := surveys.SaveAnswers(w.ctx, tx, token, answers, w.now)
		return err
	})
}

func (w *world) submit(token string) error {
	return db.Tx(w.ctx, w.pool, func(tx pgx.Tx) error {
		_, err := surveys.Submit(w.ctx, tx, token, w.now, shanghai)
		return err
	})
}

// answerAll saves a full answer for every unit of the deputy's list.
func (w *world) answerAll(t *testing.T, token string, level int) {
	t.Helper()
	for _, u := range w.units {
		if err := w.save(token, surveys.Answer{UnitID: u.ID, Answers: map[string]int{"overall": level, "efficiency": 4}, Opinion: "很好"}); err != nil {
			t.Fatal(err)
		}
	}
}

func (w *world) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := w.pool.QueryRow(w.ctx, sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSurveyInputAndLifecycle(t *testing.T) {
	w := newWorld(t)
	err := w.try(func(tx pgx.Tx) error {
		_, err := surveys.CreateSurvey(w.ctx, tx, audit.System, surveys.Input{CycleID: w.cycle.ID, Title: "",
			Questions: []surveys.Question{{Key: "Bad-Key", Text: "x"}, {Key: "efficiency"}, {Key: "efficiency"}},
			Groups:    []surveys.Group{{Key: "nobody"}}, ClosesAt: ptr(w.now.Add(-time.Hour))}, w.now)
		return err
	})
	fields := apperr.From(err).Fields
	for _, f := range []string{"title", "questions[1].key", "questions[3].key", "groups[0].key", "closes_at"} {
		if fields[f] == "" {
			t.Errorf("no message for %s in %v", f, fields)
		}
	}
	s := w.survey(t, true)
	if len(s.Questions) != 3 || s.Questions[0].Key != "overall" || s.Questions[0].Text != "总体满意度" ||
		s.Questions[1].Text != "办事效率" || s.Status != surveys.StatusDraft {
		t.Fatalf("created %+v", s)
	}
	if len(s.Groups) != 2 || s.Groups[0].Name != "人大代表" || !s.Groups[0].AllUnits || s.Groups[1].AllUnits {
		t.Fatalf("groups %+v", s.Groups)
	}
	// The same title in the same cycle is refused.
	err = w.try(func(tx pgx.Tx) error {
		_, err := surveys.CreateSurvey(w.ctx, tx, audit.System, surveys.Input{CycleID: w.cycle.ID, Title: s.Title,
			Groups: []surveys.Group{{Key: score.GroupExperts}}}, w.now)
		return err
	})
	if apperr.From(err).Fields["title"] == "" {
		t.Errorf("duplicate title: %v", err)
	}
	w.respondent(t, s.ID, surveys.RespondentInput{Name: "张三", Group: "人大代表"})
	// A group with respondents cannot be dropped or narrowed to lists.
	err = w.try(func(tx pgx.Tx) error {
		_, err := surveys.UpdateSurvey(w.ctx, tx, audit.System, s.ID, surveys.Input{Title: "改名",
			Groups: []surveys.Group{{Key: score.GroupNPCDeputies, AllUnits: false}}}, w.now)
		return err
	})
	if apperr.From(err).Fields["groups[0].key"] == "" {
		t.Errorf("narrowing a group with respondents: %v", err)
	}
	w.open(t, s.ID)
	w.open(t, s.ID) // again: no change, no error
	err = w.try(func(tx pgx.Tx) error {
		_, err := surveys.UpdateSurvey(w.ctx, tx, audit.System, s.ID, surveys.Input{Title: "改名",
			Groups: []surveys.Group{{Key: score.GroupNPCDeputies, AllUnits: true}}}, w.now)
		return err
	})
	if !apperr.Is(err, apperr.Conflict) {
		t.Errorf("editing an open survey: %v, want conflict", err)
	}
	w.tx(t, func(tx pgx.Tx) error {
		_, err := surveys.CloseSurvey(w.ctx, tx, audit.System, s.ID, w.now)
		return err
	})
	err = w.try(func(tx pgx.Tx) error {
		_, err := surveys.OpenSurvey(w.ctx, tx, audit.System, s.ID, w.now)
		return err
	})
	if !apperr.Is(err, apperr.Conflict) {
		t.Errorf("reopening a closed survey: %v, want conflict", err)
	}
	err = w.try(func(tx pgx.Tx) error {
		_, _, err := surveys.AddRespondent(w.ctx, tx, w.keys, audit.System, s.ID, surveys.RespondentInput{Name: "李四", Group: "人大代表"})
		return err
	})
	if !apperr.Is(err, apperr.Conflict) {
		t.Errorf("adding to a closed survey: %v, want conflict", err)
	}
	if n := w.count(t, `SELECT count(*) FROM audit_log WHERE entity = 'survey' AND entity_id = $1`, itoa(s.ID)); n != 3 {
		t.Errorf("%d audit entries for create, open, close", n)
	}
}

func TestRespondentsAreAddedOnce(t *testing.T) {
	w := newWorld(t)
	s := w.survey(t, true)
	in := surveys.RespondentInput{Name: " 王五 ", Group: "专家学者", Organisation: "省社科院", Phone: "138 0000 1111",
		UnitIDs: []int64{w.units[0].ID, w.units[0].ID}}
	var first, again surveys.Respondent
	var added bool
	w.tx(t, func(tx pgx.Tx) (err error) {
		first, added, err = surveys.AddRespondent(w.ctx, tx, w.keys, audit.System, s.ID, in)
		return err
	})
	if !added || first.Name != "王五" || first.GroupKey != "experts" || first.PhoneMask == nil || *first.PhoneMask != "138****1111" ||
		len(first.UnitIDs) != 1 {
		t.Fatalf("added %v %+v", added, first)
	}
	w.tx(t, func(tx pgx.Tx) (err error) {
		again, added, err = surveys.AddRespondent(w.ctx, tx, w.keys, audit.System, s.ID, in)
		return err
	})
	if added || again.ID != first.ID {
		t.Fatalf("second add: added %v, id %d (first %d)", added, again.ID, first.ID)
	}
	err := w.try(func(tx pgx.Tx) error {
		_, _, err := surveys.AddRespondent(w.ctx, tx, w.keys, audit.System, s.ID, surveys.RespondentInput{Name: "赵六", Group: "专家学者", Phone: "123"})
		return err
	})
	if f := apperr.From(err).Fields; f["unit_ids"] == "" || f["phone"] == "" {
		t.Errorf("expert without units and a bad phone: %v", err)
	}
	if n := w.count(t, `SELECT count(*) FROM survey_respondents`); n != 1 {
		t.Errorf("%d respondents stored", n)
	}
}

func TestSubmitStoresOneSetAndUsesTheLink(t *testing.T) {
	w := newWorld(t)
	s := w.survey(t, false)
	w.open(t, s.ID)
	r, token := w.respondent(t, s.ID, surveys.RespondentInput{Name: "张三", Group: "npc_deputies"})

	// Level outside 1..5, unknown question, unit not on the list: refused, nothing saved.
	bad := []surveys.Answer{
		{UnitID: w.units[0].ID, Answers: map[string]int{"overall": 6}},
		{UnitID: w.units[0].ID, Answers: map[string]int{"overall": 0}},
		{UnitID: w.units[0].ID, Answers: map[string]int{"nonsense": 3}},
		{UnitID: w.units[0].ID + 1000, Answers: map[string]int{"overall": 3}},
	}
	for _, a := range bad {
		if err := w.save(token, a); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("saving %+v: %v, want invalid", a, err)
		}
	}
	if err := w.save(token, surveys.Answer{UnitID: w.units[0].ID, Answers: map[string]int{"overall": 5}}); err != nil {
		t.Fatal(err)
	}
	if err := w.save(token, surveys.Answer{UnitID: w.units[0].ID, Answers: map[string]int{"overall": 9}}); err == nil {
		t.Fatal("a bad level replaced the draft")
	}
	err := w.submit(token)
	e := apperr.From(err)
	if e.Code != apperr.Invalid || !strings.Contains(e.Message, "市医保局") || !strings.Contains(e.Message, "市商务局") ||
		strings.Contains(e.Message, "市人社局") {
		t.Fatalf("submit with two units missing: %v", err)
	}
	inv, err := surveys.OpenInvitation(w.ctx, w.pool, token)
	if err != nil || inv.Drafts[w.units[0].ID].Answers["overall"] != 5 || inv.Respondent.Status != surveys.RespondentStarted {
		t.Fatalf("draft after refused submit: %+v, %v", inv.Drafts, err)
	}
	w.answerAll(t, token, 4)
	if err := w.submit(token); err != nil {
		t.Fatal(err)
	}
	if err := w.submit(token); !apperr.Is(err, apperr.Conflict) || !strings.Contains(err.Error(), "此邀请链接已使用") {
		t.Fatalf("second submit: %v", err)
	}
	if err := w.save(token, surveys.Answer{UnitID: w.units[0].ID, Answers: map[string]int{"overall": 1}}); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("saving after submit: %v", err)
	}
	if n := w.count(t, `SELECT count(*) FROM survey_responses WHERE respondent_id = $1 AND level = 4 AND submitted_on = '2026-11-20'
		AND aspects = '{"efficiency": 4}' AND opinion = '很好' AND group_key = 'npc_deputies' AND source = 'invitation'`, r.ID); n != 3 {
		t.Errorf("%d named responses, want 3 (not anonymous)", n)
	}
	if n := w.count(t, `SELECT count(*) FROM survey_drafts`); n != 0 {
		t.Errorf("%d drafts left", n)
	}
	list, total, err := surveys.ListResponses(w.ctx, w.pool, surveys.ResponseFilter{SurveyID: s.ID, UnitID: w.units[1].ID})
	if err != nil || total != 1 || list[0].RespondentName == nil || *list[0].RespondentName != "张三" || list[0].Aspects["efficiency"] != 4 {
		t.Fatalf("responses %+v %d %v", list, total, err)
	}
}

func TestConcurrentSubmitsStoreOneSet(t *testing.T) {
	w := newWorld(t)
	s := w.survey(t, true)
	w.open(t, s.ID)
	_, token := w.respondent(t, s.ID, surveys.RespondentInput{Name: "张三", Group: "npc_deputies"})
	w.answerAll(t, token, 5)
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = w.submit(token)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !apperr.Is(err, apperr.Conflict):
			t.Errorf("concurrent submit: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d submissions succeeded, want 1", ok)
	}
	if got := w.count(t, `SELECT count(*) FROM survey_responses`); got != len(w.units) {
		t.Errorf("%d responses, want %d", got, len(w.units))
	}
}

func TestAnonymousAnswersCannotBeJoinedToRespondents(t *testing.T) {
	w := newWorld(t)
	s := w.survey(t, true)
	w.open(t, s.ID)
	r, token := w.respondent(t, s.ID, surveys.RespondentInput{Name: "匿名甲", Group: "npc_deputies", Organisation: "某单位", Phone: "13900001111"})
	w.answerAll(t, token, 3)
	if err := w.submit(token); err != nil {
		t.Fatal(err)
	}
	if n := w.count(t, `SELECT count(*) FROM survey_responses WHERE respondent_id IS NULL AND group_key = 'npc_deputies'`); n != 3 {
		t.Fatalf("%d anonymous responses", n)
	}
	if n := w.count(t, `SELECT count(*) FROM survey_drafts`); n != 0 {
		t.Errorf("%d drafts kept after submission", n)
	}
	// No column of a response holds anything of the respondent: neither its
	// id, name, organisation, phone, token nor its submission time.
	rows, err := w.pool.Query(w.ctx, `SELECT to_jsonb(p)::text FROM survey_responses p`)
	if err != nil {
		t.Fatal(err)
	}
	texts, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	token2, _ := r.Token(w.keys)
	for _, txt := range texts {
		for _, secret := range []string{`"respondent_id": null`, "匿名甲", "某单位", "13900001111", "1111", token2} {
			has := strings.Contains(txt, secret)
			if (secret == `"respondent_id": null`) != has {
				t.Errorf("response %s: contains %q = %v", txt, secret, has)
			}
		}
		if strings.Contains(txt, "T") && strings.Contains(txt, ":00") {
			t.Errorf("response %s carries a time of day", txt)
		}
	}
	// The column types: a date, not a time; no column references respondents but respondent_id.
	if n := w.count(t, `SELECT count(*) FROM information_schema.columns WHERE table_name = 'survey_responses'
		AND data_type LIKE 'timestamp%'`); n != 0 {
		t.Errorf("survey_responses has %d timestamp columns", n)
	}
	if n := w.count(t, `SELECT count(*) FROM audit_log WHERE coalesce(after::text, '') LIKE '%' || $1 || '%'
		OR (entity = 'survey_respondent' AND entity_id = $2 AND action <> 'survey.respondent_add')`,
		token2, itoa(r.ID)); n != 0 {
		t.Errorf("%d audit entries mention the token or the respondent beyond its creation", n)
	}
	list, _, err := surveys.ListResponses(w.ctx, w.pool, surveys.ResponseFilter{SurveyID: s.ID})
	if err != nil || len(list) != 3 || list[0].RespondentName != nil || list[0].RespondentID != nil {
		t.Fatalf("listed %+v, %v", list, err)
	}
	inv, err := surveys.OpenInvitation(w.ctx, w.pool, token)
	if err != nil || inv.Respondent.Status != surveys.RespondentSubmitted || inv.Respondent.SubmittedAt == nil {
		t.Fatalf("respondent after submission %+v, %v", inv.Respondent, err)
	}
	// The respondent keeps only the day: ordering respondents by time cannot
	// pair them with answers.
	if n := w.count(t, `SELECT count(*) FROM survey_respondents WHERE id = $1
		AND submitted_at = started_at AND submitted_at = date_trunc('day', submitted_at AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai'`, r.ID); n != 1 {
		t.Errorf("anonymous respondent keeps a time of day")
	}
	// Until sealed, the respondent row shares the submission's transaction
	// id with the answers; Seal rewrites both, once, so that neither carries
	// it (seal_test.go checks the order and ids of many respondents).
	sharesXmin := `SELECT count(*) FROM survey_respondents r JOIN survey_responses p ON p.xmin = r.xmin WHERE r.id = $1`
	if n := w.count(t, sharesXmin, r.ID); n != 3 {
		t.Fatalf("before sealing %d answers share the respondent's xmin", n)
	}
	var submission string
	if err := w.pool.QueryRow(w.ctx, `SELECT xmin::text FROM survey_respondents WHERE id = $1`, r.ID).Scan(&submission); err != nil {
		t.Fatal(err)
	}
	carries := `SELECT (SELECT count(*) FROM survey_respondents WHERE xmin::text = $1) + (SELECT count(*) FROM survey_responses WHERE xmin::text = $1)`
	if n, err := surveys.Seal(w.ctx, w.pool, w.now); err != nil || n != 1 {
		t.Fatalf("sealed %d, %v", n, err)
	}
	if n := w.count(t, carries, submission); n != 0 {
		t.Errorf("after sealing %d rows carry the submission's xmin", n)
	}
	if n, err := surveys.Seal(w.ctx, w.pool, w.now); err != nil || n != 0 {
		t.Errorf("second seal rewrote %d, %v", n, err)
	}
}

func TestClosedSurveyRefusesAnswers(t *testing.T) {
	w := newWorld(t)
	closes := w.now.Add(time.Hour)
	s := w.survey(t, true, func(in *surveys.Input) { in.ClosesAt = &closes })
	_, token := w.respondent(t, s.ID, surveys.RespondentInput{Name: "张三", Group: "npc_deputies"})
	if err := w.save(token, surveys.Answer{UnitID: w.units[0].ID, Answers: map[string]int{"overall": 5}}); !apperr.Is(err, apperr.SurveyNotOpen) {
		t.Errorf("answer before opening: %v", err)
	}
	w.open(t, s.ID)
	w.answerAll(t, token, 5)
	// Past closes_at: refused while still open.
	w.now = closes
	err := w.submit(token)
	if !apperr.Is(err, apperr.SurveyClosed) || apperr.From(err).Message != "问卷调查已结束，不再接受提交" {
		t.Fatalf("submit at closes_at: %v", err)
	}
	// Extending the deadline lets it through; closing by hand stops it again.
	w.tx(t, func(tx pgx.Tx) error {
		_, err := surveys.SetClosesAt(w.ctx, tx, audit.System, s.ID, ptr(w.now.Add(24*time.Hour)), w.now)
		return err
	})
	_, token2 := w.respondent(t, s.ID, surveys.RespondentInput{Name: "李四", Group: "npc_deputies"})
	w.answerAll(t, token2, 4)
	w.tx(t, func(tx pgx.Tx) error {
		_, err := surveys.CloseSurvey(w.ctx, tx, audit.System, s.ID, w.now)
		return err
	})
	for _, tok := range []string{token, token2} {
		if err := w.submit(tok); !apperr.Is(err, apperr.SurveyClosed) {
			t.Errorf("submit to a closed survey: %v", err)
		}
	}
	if n := w.count(t, `SELECT count(*) FROM survey_responses`); n != 0 {
		t.Errorf("%d responses stored", n)
	}
	if n := w.count(t, `SELECT count(*) FROM survey_drafts`); n != 6 {
		t.Errorf("%d drafts, want the 6 saved kept", n)
	}
	if _, err := surveys.OpenInvitation(w.ctx, w.pool, "no-such-token"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unknown token: %v", err)
	}
}

func TestListsAndProgress(t *testing.T) {
	w := newWorld(t)
	s := w.survey(t, true)
	w.open(t, s.ID)
	_, t1 := w.respondent(t, s.ID, surveys.RespondentInput{Name: "甲", Group: "npc_deputies"})
	_, t2 := w.respondent(t, s.ID, surveys.RespondentInput{Name: "乙", Group: "npc_deputies"})
	w.respondent(t, s.ID, surveys.RespondentInput{Name: "丙", Group: "experts", UnitIDs: []int64{w.units[2].ID}})
	w.answerAll(t, t1, 5)
	if err := w.submit(t1); err != nil {
		t.Fatal(err)
	}
	if err := w.save(t2, surveys.Answer{UnitID: w.units[0].ID, Answers: map[string]int{"overall": 2}}); err != nil {
		t.Fatal(err)
	}
	groups, sum, err := surveys.Progress(w.ctx, w.pool, s)
	if err != nil || len(groups) != 2 || groups[0].Submitted != 1 || groups[0].Started != 1 || groups[1].Invited != 1 || sum.Total != 3 {
		t.Fatalf("progress %+v %+v %v", groups, sum, err)
	}
	list, total, err := surveys.ListRespondents(w.ctx, w.pool, s.ID, surveys.RespondentFilter{Status: surveys.RespondentUnsubmitted})
	if err != nil || total != 2 || list[0].Name != "乙" || list[1].Name != "丙" {
		t.Fatalf("unsubmitted %+v %d %v", list, total, err)
	}
	if _, _, err := surveys.ListRespondents(w.ctx, w.pool, s.ID, surveys.RespondentFilter{Status: "x"}); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("bad status: %v", err)
	}
	counts, err := surveys.ResponseLevels(w.ctx, w.pool, surveys.ResponseFilter{CycleID: w.cycle.ID, Group: "npc_deputies"})
	if err != nil || counts[4] != 3 || counts.Total() != 3 {
		t.Errorf("levels %v %v", counts, err)
	}
	inv, err := surveys.OpenInvitation(w.ctx, w.pool, mustToken(t, w, s.ID, "丙"))
	if err != nil || len(inv.Units) != 1 || inv.Units[0].ID != w.units[2].ID {
		t.Fatalf("expert's units %+v %v", inv.Units, err)
	}
}

func mustToken(t *testing.T, w *world, surveyID int64, name string) string {
	t.Helper()
	list, _, err := surveys.ListRespondents(w.ctx, w.pool, surveyID, surveys.RespondentFilter{Search: name})
	if err != nil || len(list) != 1 {
		t.Fatalf("find %s: %v %v", name, list, err)
	}
	tok, err := list[0].Token(w.keys)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func ptr[T any](v T) *T { return &v }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
