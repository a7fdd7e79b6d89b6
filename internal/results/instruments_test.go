package results_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/audit"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/instruments"
	"minyi/internal/results"
	"minyi/internal/schemes"
	"minyi/internal/secure"
	"minyi/internal/testutil"
	"minyi/internal/units"
)

// zhongshanWorld is a Zhongshan cycle on the preset scheme, whose four
// instruments (leaders, deputies, peers, grassroots) the preset created:
// three departments (甲局, 乙局, 丙局) and two towns (东区, 石岐).
type zhongshanWorld struct {
	ctx   context.Context
	pool  *pgxpool.Pool
	keys  *secure.Keys
	cycle cycles.Cycle
	unit  map[string]int64
	inst  map[string]instruments.Instrument
	now   time.Time
}

func tx[T any](t *testing.T, w *zhongshanWorld, fn func(tx pgx.Tx) (T, error)) (T, error) {
	t.Helper()
	var out T
	err := db.Tx(w.ctx, w.pool, func(tx pgx.Tx) (err error) {
		out, err = fn(tx)
		return err
	})
	return out, err
}

func newZhongshanWorld(t *testing.T) *zhongshanWorld {
	w := &zhongshanWorld{ctx: context.Background(), pool: testutil.DB(t), unit: map[string]int64{},
		inst: map[string]instruments.Instrument{}, now: time.Date(2026, 12, 20, 10, 0, 0, 0, time.UTC)}
	w.keys, _ = secure.NewKeys("instrument test secret, long enough to key")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	cats := []string{"市直部门", "镇区"}
	_, err := tx(t, w, func(tx pgx.Tx) (any, error) {
		var err error
		in := cycles.CycleInput{Name: "2026年度", Year: 2026, PeriodStart: "2026-01-01", PeriodEnd: "2026-12-31"}
		if w.cycle, err = cycles.CreateCycle(w.ctx, tx, audit.System, in, cycles.DefaultConfig([]float64{100, 80, 60, 30, 0})); err != nil {
			return nil, err
		}
		for name, cat := range map[string]string{"甲局": "市直部门", "乙局": "市直部门", "丙局": "市直部门", "东区": "镇区", "石岐": "镇区"} {
			u, err := units.CreateUnit(w.ctx, tx, audit.System, units.UnitInput{Name: name, Category: cat}, cats)
			if err != nil {
				return nil, err
			}
			w.unit[name] = u.ID
		}
		_, _, err = schemes.Set(w.ctx, tx, audit.System, w.cycle.ID, schemes.Change{Preset: schemes.PresetZhongshan})
		return nil, err
	})
	must(err)
	list, err := instruments.ForCycle(w.ctx, w.pool, w.cycle.ID)
	must(err)
	for _, i := range list {
		w.inst[i.Key] = i
	}
	if len(list) != 4 || w.inst["leaders"].Purpose != instruments.PurposeLeaders || w.inst["peer"].Name != "协商沟通、协同配合情况" ||
		w.inst["grassroots"].Status != instruments.StatusDraft {
		t.Fatalf("the preset's instruments: %+v", list)
	}
	// The office configures them: leaders on grades, at least 3 answers;
	// deputies on a 0–100 mark, at least 5; peers among departments, at
	// least 2; towns rating departments, at least 2.
	depts := []string{"市直部门"}
	configs := map[string]instruments.Input{
		"leaders":    {Key: "leaders", Name: "领导评价", Purpose: "leaders", Scale: "grades", MinAnswers: 3, RatedCategories: depts},
		"deputies":   {Key: "deputies", Name: "代表委员评价", Purpose: "deputies", Scale: "mark", MinAnswers: 5, RatedCategories: depts},
		"peer":       {Key: "peer", Name: "部门互评", Purpose: "peer", MinAnswers: 2, RatedCategories: depts, RaterCategories: depts},
		"grassroots": {Key: "grassroots", Name: "基层评价", Purpose: "grassroots", MinAnswers: 2, RatedCategories: depts, RaterCategories: []string{"镇区"}},
	}
	for key, in := range configs {
		got, err := tx(t, w, func(tx pgx.Tx) (instruments.Instrument, error) {
			if _, err := instruments.Update(w.ctx, tx, audit.System, w.inst[key].ID, in); err != nil {
				return instruments.Instrument{}, err
			}
			return instruments.Open(w.ctx, tx, audit.System, w.inst[key].ID, w.now)
		})
		must(err)
		w.inst[key] = got
	}
	return w
}

// invite adds an invitee and returns the rater.
func (w *zhongshanWorld) invite(t *testing.T, key, name string) instruments.Rater {
	t.Helper()
	v, err := tx(t, w, func(tx pgx.Tx) (instruments.Invitee, error) {
		v, _, err := instruments.AddInvitee(w.ctx, tx, w.keys, audit.System, w.inst[key].ID, instruments.InviteeInput{Name: name})
		return v, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return instruments.Rater{InviteeID: v.ID, Name: name}
}

func (w *zhongshanWorld) answer(t *testing.T, key string, r instruments.Rater, list ...instruments.AnswerInput) error {
	t.Helper()
	_, err := tx(t, w, func(tx pgx.Tx) (int, error) {
		return instruments.SaveAnswers(w.ctx, tx, audit.System, w.inst[key].ID, r, list, w.now)
	})
	return err
}

func (w *zhongshanWorld) byUnit(name string) instruments.Rater {
	return instruments.Rater{UnitID: w.unit[name], Name: name}
}

func grade(unit int64, g string) instruments.AnswerInput {
	return instruments.AnswerInput{UnitID: unit, Grade: g}
}
func mark(unit int64, m float64) instruments.AnswerInput {
	return instruments.AnswerInput{UnitID: unit, Mark: &m}
}

func wantRefused(t *testing.T, what string, err error, code, message string) {
	t.Helper()
	if e := apperr.From(err); err == nil || e.Code != code || !strings.Contains(e.Message+strings.Join(values(e.Fields), "|"), message) {
		t.Errorf("%s: %v, want %s %q", what, err, code, message)
	}
}

func values(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// TestZhongshanInstrumentsWorkedExample pins to the cent two departments'
// Zhongshan results fed by the four instruments, with the refusals: a unit
// rating itself, a department answering the towns' evaluation, an answer
// after closing, a scheme leaf naming another cycle's instrument.
func TestZhongshanInstrumentsWorkedExample(t *testing.T) {
	w := newZhongshanWorld(t)
	jia, yi, bing := w.unit["甲局"], w.unit["乙局"], w.unit["丙局"]

	// 领导评价, three leaders (优秀100/良好85/一般70/较差50):
	// 甲局 优秀, 良好, 优秀 = 285 ÷ 3 = 95.00; 乙局 良好, 一般, 较差 = 205 ÷ 3 = 68.33.
	for i, g := range [][2]string{{"excellent", "good"}, {"good", "fair"}, {"excellent", "poor"}} {
		r := w.invite(t, "leaders", []string{"市领导甲", "市领导乙", "市领导丙"}[i])
		if err := w.answer(t, "leaders", r, grade(jia, g[0]), grade(yi, g[1])); err != nil {
			t.Fatal(err)
		}
	}
	// 代表委员评价 (marks, at least 5 answers): 甲局 88, 91.5, 90 = 269.5 ÷ 3
	// = 89.83 (3 answers: short); 乙局 75 (1 answer: short).
	d1, d2, d3 := w.invite(t, "deputies", "人大代表甲"), w.invite(t, "deputies", "政协委员乙"), w.invite(t, "deputies", "党代表丙")
	for _, a := range []struct {
		r instruments.Rater
		l []instruments.AnswerInput
	}{{d1, []instruments.AnswerInput{mark(jia, 88), mark(yi, 75)}}, {d2, []instruments.AnswerInput{mark(jia, 91.5)}},
		{d3, []instruments.AnswerInput{mark(jia, 90)}}} {
		if err := w.answer(t, "deputies", a.r, a.l...); err != nil {
			t.Fatal(err)
		}
	}
	// 部门互评: 甲局 tries to rate itself along with 乙局 — refused whole.
	err := w.answer(t, "peer", w.byUnit("甲局"), grade(yi, "excellent"), grade(jia, "excellent"))
	wantRefused(t, "rating itself", err, apperr.Invalid, "不能评价本单位")
	// Then rates 乙局 优秀; 丙局 rates 甲局 较差, changes it to 一般, and 乙局 良好;
	// 乙局 rates 甲局 良好.
	// 甲局 = (85 + 70) ÷ 2 = 77.50; 乙局 = (100 + 85) ÷ 2 = 92.50.
	steps := []struct {
		rater string
		list  []instruments.AnswerInput
	}{
		{"甲局", []instruments.AnswerInput{grade(yi, "excellent")}},
		{"丙局", []instruments.AnswerInput{grade(jia, "poor")}},
		{"丙局", []instruments.AnswerInput{grade(jia, "fair"), grade(yi, "good")}},
		{"乙局", []instruments.AnswerInput{grade(jia, "good")}},
	}
	for _, s := range steps {
		if err := w.answer(t, "peer", w.byUnit(s.rater), s.list...); err != nil {
			t.Fatalf("%s: %v", s.rater, err)
		}
	}
	// 基层评价: the towns rate; a department may not.
	wantRefused(t, "a department on the towns' evaluation", w.answer(t, "grassroots", w.byUnit("丙局"), grade(jia, "good")),
		apperr.Forbidden, "不是该评价项目的评价单位")
	// 甲局: 东区 优秀, 石岐 良好 = 92.50; 乙局: 一般, 一般 = 70.00.
	if err := w.answer(t, "grassroots", w.byUnit("东区"), grade(jia, "excellent"), grade(yi, "fair")); err != nil {
		t.Fatal(err)
	}
	if err := w.answer(t, "grassroots", w.byUnit("石岐"), grade(jia, "good"), grade(yi, "fair")); err != nil {
		t.Fatal(err)
	}
	// A town rating a town is out of scope (towns are not rated).
	wantRefused(t, "a town rating a town", w.answer(t, "grassroots", w.byUnit("东区"), grade(w.unit["石岐"], "good")),
		apperr.Invalid, "不在本单位的评价范围内")

	// Closed: no more answers, nothing changes.
	if _, err := tx(t, w, func(tx pgx.Tx) (instruments.Instrument, error) {
		return instruments.Close(w.ctx, tx, audit.System, w.inst["peer"].ID, w.now)
	}); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, "after closing", w.answer(t, "peer", w.byUnit("乙局"), grade(bing, "poor")), apperr.Conflict, "评价项目已结束")

	vals, err := instruments.Values(w.ctx, w.pool, w.cycle.ID)
	if err != nil {
		t.Fatal(err)
	}
	type feed struct {
		mean    float64
		answers int
		short   bool
	}
	want := map[string]map[int64]feed{
		"leaders":    {jia: {95, 3, false}, yi: {68.33, 3, false}},
		"deputies":   {jia: {89.83, 3, true}, yi: {75, 1, true}},
		"peer":       {jia: {77.5, 2, false}, yi: {92.5, 2, false}},
		"grassroots": {jia: {92.5, 2, false}, yi: {70, 2, false}},
	}
	for key, units := range want {
		if len(vals[key]) != len(units) {
			t.Errorf("%s: %d units with answers, want %d (%+v)", key, len(vals[key]), len(units), vals[key])
		}
		for u, f := range units {
			if v := vals[key][u]; v.Mean != f.mean || v.Answers != f.answers || v.Short != f.short {
				t.Errorf("%s unit %d: %+v, want %+v", key, u, v, f)
			}
		}
	}

	// The scheme: manual leaves as in the preset's typical unit, public
	// scores 83.37 and 80.
	manual := map[string]schemes.Input{"statutory_duties": schemes.Points(4.5), "key_tasks": schemes.Points(9),
		"administrative_conduct": schemes.Points(4), "approval_reform": schemes.Points(4.5),
		"administrative_cost": schemes.Points(5), "fund_benefit": schemes.Points(4), "efficiency_work": schemes.Points(4.5),
		"integrity_risk": schemes.Points(5), "innovation_awards": schemes.Points(6)}
	sch, err := schemes.Find(w.ctx, w.pool, w.cycle.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	pub := func(f float64) *float64 { return &f }
	d := results.Data{Scheme: sch.Tree, Settings: assessment.DefaultSettings(),
		Categories:  [][]results.Unit{{{ID: jia, Name: "甲局", Category: "市直部门"}, {ID: yi, Name: "乙局", Category: "市直部门"}}},
		Public:      map[int64]*float64{jia: pub(83.37), yi: pub(80)},
		Inputs:      map[int64]assessment.UnitInputs{jia: {Entries: manual}, yi: {Entries: manual}},
		Instruments: vals}
	cats, _, err := results.Build(d)
	if err != nil {
		t.Fatal(err)
	}
	line := func(id int64) *results.Line {
		for _, l := range cats[0].Lines {
			if l.Unit.ID == id {
				return l
			}
		}
		t.Fatalf("no line for %d", id)
		return nil
	}
	tests := []struct {
		unit  int64
		nodes map[string]float64
		// composite: 履职效率 22 + 效能建设 18.5 + 服务效果 + 创新创优 6.
		composite float64
		short     string
	}{
		// 甲局: leaders 95 ÷ 100 × 10 = 9.5; deputies 89.83 ÷ 100 × 5 = 4.4915;
		// peers 77.5 ÷ 100 × 5 = 3.875; grassroots 92.5 ÷ 100 × 10 = 9.25;
		// public 83.37 ÷ 100 × 15 = 12.5055; 服务效果 = 39.622;
		// composite = 22 + 18.5 + 39.622 + 6 = 86.122 → 86.12.
		{jia, map[string]float64{"leader_rating": 9.5, "deputy_rating": 4.49, "peer_coordination": 3.88,
			"grassroots_service": 9.25, "service_effect": 39.62}, 86.12, "deputy_rating"},
		// 乙局: leaders 68.33 → 6.833; deputies 75 → 3.75 (one answer, short);
		// peers 92.5 → 4.625; grassroots 70 → 7; public 80 → 12;
		// 服务效果 = 34.208; composite = 22 + 18.5 + 34.208 + 6 = 80.708 → 80.71.
		{yi, map[string]float64{"leader_rating": 6.83, "deputy_rating": 3.75, "peer_coordination": 4.63,
			"grassroots_service": 7, "service_effect": 34.21}, 80.71, "deputy_rating"},
	}
	for _, tt := range tests {
		l := line(tt.unit)
		if l.Composite == nil || *l.Composite != tt.composite {
			t.Errorf("unit %d composite %v, want %v (%s)", tt.unit, l.Composite, tt.composite, l.Reason)
		}
		for _, n := range l.Scheme.Nodes {
			want, ok := tt.nodes[n.Key]
			if !ok {
				continue
			}
			if n.Value == nil || *n.Value != want {
				t.Errorf("unit %d %s = %v, want %v (%s)", tt.unit, n.Key, n.Value, want, n.Formula)
			}
			if f := l.Feed(n.Key); n.Kind == schemes.KindAuto && f != nil {
				if (n.Key == tt.short) != f.Short || (f.Short != strings.Contains(n.Formula, "低于最少评价份数")) {
					t.Errorf("unit %d %s: short %v, formula %q", tt.unit, n.Key, f.Short, n.Formula)
				}
			}
		}
		if len(l.Feeds) != 4 {
			t.Errorf("unit %d feeds %+v", tt.unit, l.Feeds)
		}
	}
	if n := line(jia).Scheme.Nodes; !strings.Contains(nodeFormula(n, "deputy_rating"),
		"评价项目结果 89.83 ÷ 100 × 满分 5 = 4.49（“代表委员评价”3份评价的平均分，低于最少评价份数，仍按平均分计入）") {
		t.Errorf("deputies formula %q", nodeFormula(n, "deputy_rating"))
	}

	// The whole computation from the database feeds the same leaves (the
	// public evaluation is missing here: no ratings).
	a, err := results.ComputeAll(w.ctx, w.pool, time.UTC, w.now, w.cycle.ID, []string{"市直部门", "镇区"})
	if err != nil {
		t.Fatal(err)
	}
	if l := a.Line(jia); l == nil || nodeValue(l.Scheme.Nodes, "peer_coordination") != 3.88 || l.Feed("leader_rating") == nil ||
		l.Feed("leader_rating").InstrumentID != w.inst["leaders"].ID {
		t.Errorf("computed line %+v", l)
	}

	// The ranking (the results page's computation) has the same lines,
	// with the scheme formulas of the unit explained only.
	r, err := results.ComputeRanking(w.ctx, w.pool, time.UTC, w.now, w.cycle.ID, []string{"市直部门", "镇区"}, jia)
	if err != nil {
		t.Fatal(err)
	}
	show := func(l *results.Line) string {
		s := fmt.Sprint(l.Grade, " ", l.Reason)
		if l.Composite != nil {
			s += fmt.Sprint(" ", *l.Composite)
		}
		if l.Rank != nil {
			s += fmt.Sprint(" #", *l.Rank)
		}
		return s
	}
	valued := 0
	for _, c := range a.Categories {
		for _, l := range c.Lines {
			rl := r.Line(l.Unit.ID)
			if rl == nil || show(rl) != show(l) {
				t.Fatalf("ranking line %+v, computed line %+v", rl, l)
			}
			for i, n := range rl.Scheme.Nodes {
				want := l.Scheme.Nodes[i]
				if n.Value == nil {
					continue
				}
				valued++
				if *n.Value != *want.Value || (l.Unit.ID == jia) != (n.Formula != "") || l.Unit.ID == jia && n.Formula != want.Formula {
					t.Errorf("unit %d node %s: ranking %v %q, computed %v %q", l.Unit.ID, n.Key, *n.Value, n.Formula, *want.Value, want.Formula)
				}
			}
		}
	}
	if valued < 10 {
		t.Errorf("only %d nodes with values compared", valued)
	}

	// Explanation: 甲局's peer result down to each answer (not anonymous).
	x, err := instruments.Explain(w.ctx, w.pool, w.inst["peer"], jia, 0, 100)
	if err != nil || x.Result.Answers != 2 || *x.Result.Mean != 77.5 || len(x.Answers) != 2 ||
		x.Answers[0].Rater != "丙局" || x.Answers[0].Value != 70 || x.Answers[1].Rater != "乙局" {
		t.Errorf("explain %+v %v", x, err)
	}
}

func nodeFormula(nodes []schemes.NodeResult, key string) string {
	for _, n := range nodes {
		if n.Key == key {
			return n.Formula
		}
	}
	return ""
}

func nodeValue(nodes []schemes.NodeResult, key string) float64 {
	for _, n := range nodes {
		if n.Key == key && n.Value != nil {
			return *n.Value
		}
	}
	return -1
}

// TestSchemeLeafNamesAnotherCyclesInstrument: a scheme version of a cycle
// naming an instrument only another cycle has, or none has, is refused
// with the leaf named, and nothing is stored.
func TestSchemeLeafNamesAnotherCyclesInstrument(t *testing.T) {
	w := newZhongshanWorld(t)
	_, err := tx(t, w, func(tx pgx.Tx) (cycles.Cycle, error) {
		in := cycles.CycleInput{Name: "2027年度", Year: 2027, PeriodStart: "2027-01-01", PeriodEnd: "2027-12-31"}
		return cycles.CreateCycle(w.ctx, tx, audit.System, in, cycles.DefaultConfig([]float64{100, 80, 60, 30, 0}))
	})
	if err != nil {
		t.Fatal(err)
	}
	var next int64
	if err := w.pool.QueryRow(w.ctx, `SELECT id FROM assessment_cycles WHERE year = 2027`).Scan(&next); err != nil {
		t.Fatal(err)
	}
	tree := func(source string) *schemes.Node {
		return &schemes.Node{Key: "root", Name: "方案", Kind: schemes.KindSum, Children: []schemes.Node{
			{Key: "work", Name: "工作实绩", Kind: schemes.KindManual, Max: 90, Assessor: &schemes.Assessor{Name: "市绩效办"}},
			{Key: "peer_rating", Name: "部门互评", Kind: schemes.KindAuto, Max: 10, Source: source}}}
	}
	for _, tt := range []struct{ source, message string }{
		{"instrument:peer", "部门互评: 评价项目“部门互评”属于“2026年度”，不是本考核年度的评价项目"},
		{"instrument:nobody", "部门互评: 本考核年度没有代码为“nobody”的评价项目"},
	} {
		_, err := tx(t, w, func(tx pgx.Tx) (schemes.Version, error) {
			v, _, err := schemes.Set(w.ctx, tx, audit.System, next, schemes.Change{Tree: tree(tt.source)})
			return v, err
		})
		if e := apperr.From(err); err == nil || e.Code != apperr.Invalid || !strings.HasPrefix(e.Message, tt.message) || e.Fields["tree.peer_rating"] == "" {
			t.Errorf("%s: %v, want %q", tt.source, err, tt.message)
		}
	}
	if _, err := schemes.Find(w.ctx, w.pool, next, 0); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("a version was stored: %v", err)
	}
	// The cycle's own instrument is accepted.
	if _, err := tx(t, w, func(tx pgx.Tx) (schemes.Version, error) {
		v, _, err := schemes.Set(w.ctx, tx, audit.System, w.cycle.ID, schemes.Change{Tree: tree("instrument:peer")})
		return v, err
	}); err != nil {
		t.Error(err)
	}
}
