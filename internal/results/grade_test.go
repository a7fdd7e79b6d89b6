package results

import (
	"strings"
	"testing"

	"minyi/internal/assessment"
	"minyi/internal/schemes"
)

// testScheme: work (manual, 0–80) + public evaluation (auto, 20 points).
func testScheme() schemes.Node {
	return schemes.Node{Key: "total", Name: "综合", Kind: schemes.KindSum, Children: []schemes.Node{
		{Key: "work", Name: "工作实绩", Kind: schemes.KindManual, Max: 80, Assessor: &schemes.Assessor{Name: "绩效办"}},
		{Key: "public", Name: "公众评价", Kind: schemes.KindAuto, Max: 20, Source: schemes.SourcePublicEvaluation},
	}}.Normalized()
}

type unitCase struct {
	work   *float64 // nil: missing
	public float64
	in     assessment.UnitInputs
}

func f(v float64) *float64 { return &v }

// build grades one category "A" of units named u1, u2, ... in order.
func build(t *testing.T, set assessment.Settings, cases ...unitCase) []*Line {
	t.Helper()
	d := Data{Scheme: testScheme(), Settings: set, Public: map[int64]*float64{}, Inputs: map[int64]assessment.UnitInputs{}}
	var list []Unit
	for i, c := range cases {
		id := int64(i + 1)
		list = append(list, Unit{ID: id, Name: "u" + string(rune('0'+id)), Category: "A"})
		in := c.in
		in.Entries = map[string]schemes.Input{}
		if c.work != nil {
			in.Entries["work"] = schemes.Points(*c.work)
		}
		d.Inputs[id] = in
		d.Public[id] = f(c.public)
	}
	d.Categories = [][]Unit{list}
	cats, _, err := Build(d)
	if err != nil {
		t.Fatal(err)
	}
	byID := make([]*Line, len(cases))
	for _, l := range cats[0].Lines {
		byID[l.Unit.ID-1] = l
	}
	return byID
}

func gradeList(lines []*Line) string {
	var g []string
	for _, l := range lines {
		g = append(g, l.GradeLabel)
	}
	return strings.Join(g, ",")
}

// composites of work points + a public score of 100 (20 points).
func plain(composites ...float64) []unitCase {
	out := make([]unitCase, len(composites))
	for i, c := range composites {
		out[i] = unitCase{work: f(c - 20), public: 100}
	}
	return out
}

func TestQuotasAndTies(t *testing.T) {
	set := assessment.DefaultSettings()
	tests := []struct {
		name  string
		tie   string
		comps []float64
		want  string
	}{
		{"quotas", assessment.TieExclude, []float64{95, 90, 85, 80, 60}, "优秀,优秀,良好,良好,不合格"},
		{"pass above the line", assessment.TieExclude, []float64{95, 90, 85, 80, 75}, "优秀,优秀,良好,良好,合格"},
		{"tie excluded at the edge", assessment.TieExclude, []float64{95, 90, 90, 80, 75}, "优秀,良好,良好,合格,合格"},
		{"tie included at the edge", assessment.TieInclude, []float64{95, 90, 90, 80, 75}, "优秀,优秀,优秀,良好,良好"},
		{"below the pass line never 优秀", assessment.TieExclude, []float64{69, 50, 40}, "不合格,不合格,不合格"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			set.TieRule = tc.tie
			lines := build(t, set, plain(tc.comps...)...)
			if got := gradeList(lines); got != tc.want {
				t.Fatalf("grades %s, want %s", got, tc.want)
			}
		})
	}
	set.TieRule = assessment.TieExclude
	lines := build(t, set, plain(95, 90, 90, 80, 75)...)
	if !strings.Contains(lines[1].Reason, "综合得分90.00的2个单位并列，超出优秀名额，按并列规则均不评为优秀") ||
		!strings.Contains(lines[1].Reason, "类别内第2名（共5个单位，优秀名额2个、良好名额2个）") {
		t.Fatalf("tie reason: %s", lines[1].Reason)
	}
	if *lines[2].Rank != 2 || *lines[3].Rank != 4 {
		t.Fatalf("ranks %d %d", *lines[2].Rank, *lines[3].Rank)
	}
	low := build(t, set, plain(95, 68.5)...)
	if low[1].Reason != "类别内第2名（共2个单位，优秀名额0个、良好名额1个）；综合得分68.50低于合格线70分" {
		t.Fatalf("fail reason: %s", low[1].Reason)
	}
}

func TestSetsFailNoExcellentAndAdjustments(t *testing.T) {
	set := assessment.DefaultSettings()
	cases := plain(95, 90, 85, 80, 75)
	cases[0].in = assessment.UnitInputs{SetsFail: true, FailReasons: []string{"严重违纪违法：某某案"}, Raise: 1}
	lines := build(t, set, cases...)
	if got := gradeList(lines); got != "不合格,优秀,优秀,良好,良好" {
		t.Fatalf("sets fail: %s", got)
	}
	if !strings.HasPrefix(lines[0].Reason, "存在严重违纪违法扣分事项，直接定为不合格（严重违纪违法：某某案）") {
		t.Fatalf("reason: %s", lines[0].Reason)
	}

	cases = plain(95, 90, 85, 80, 75)
	cases[0].in = assessment.UnitInputs{NoExcellent: true, Raise: 1, AdjustmentReasons: []string{"取消评优资格：重大腐败案件"}}
	lines = build(t, set, cases...)
	// The place passes down: u2 and u3 get 优秀; u1 is 良好 and a raise
	// cannot lift it to 优秀.
	if got := gradeList(lines); got != "良好,优秀,优秀,良好,合格" {
		t.Fatalf("no excellent: %s", got)
	}
	if !strings.Contains(lines[0].Reason, "当年不得评为优秀") || !strings.Contains(lines[0].Reason, "重大腐败案件") {
		t.Fatalf("reason: %s", lines[0].Reason)
	}

	cases = plain(95, 90, 85, 80, 75)
	cases[2].in = assessment.UnitInputs{Raise: 1, AdjustmentReasons: []string{"等次上调：重大贡献"}}
	cases[0].in = assessment.UnitInputs{Lower: 1, AdjustmentReasons: []string{"等次下调：重大事故"}}
	cases[4].in = assessment.UnitInputs{Lower: 2}
	lines = build(t, set, cases...)
	if got := gradeList(lines); got != "良好,优秀,优秀,良好,不合格" {
		t.Fatalf("adjusted: %s", got)
	}
	if !strings.Contains(lines[2].Reason, "等次由良好上调为优秀") || !strings.Contains(lines[2].Reason, "调整事由：等次上调：重大贡献") {
		t.Fatalf("raise reason: %s", lines[2].Reason)
	}
	if lines[2].QuotaGrade != assessment.GradeGood {
		t.Fatalf("quota grade %s", lines[2].QuotaGrade)
	}
}

func TestCompositeRoundingAndIncomplete(t *testing.T) {
	set := assessment.DefaultSettings()
	lines := build(t, set,
		unitCase{work: f(64.125), public: 100, in: assessment.UnitInputs{BonusCounted: 1.5, DeductionsCounted: 2}},
		unitCase{work: f(1), public: 0, in: assessment.UnitInputs{DeductionsCounted: 10}},
		unitCase{work: nil, public: 90},
	)
	// 64.125 + 20 + 1.5 − 2 = 83.625 → 83.63 (half up).
	if *lines[0].Composite != 83.63 || lines[0].Formula != "方案得分 84.13 + 加分 1.50 − 扣分 2.00 = 83.63" {
		t.Fatalf("composite %v %s", *lines[0].Composite, lines[0].Formula)
	}
	if *lines[1].Composite != 0 || !strings.HasSuffix(lines[1].Formula, "= 0.00（不低于0分）") {
		t.Fatalf("clamped %v %s", *lines[1].Composite, lines[1].Formula)
	}
	if lines[2].Complete || lines[2].Grade != "" || lines[2].Rank != nil || lines[2].Reason != "得分不完整，暂不评定等次：尚缺综合 › 工作实绩" {
		t.Fatalf("incomplete: %+v", lines[2])
	}
	set.Decimals = 1
	lines = build(t, set, unitCase{work: f(64.05), public: 100})
	if *lines[0].Composite != 84.1 {
		t.Fatalf("1 decimal: %v", *lines[0].Composite)
	}
	if Quota(0.4, 5) != 2 || Quota(0.2, 17) != 3 || Quota(0.1, 9) != 0 {
		t.Fatal("quota")
	}
}
