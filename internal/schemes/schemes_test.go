package schemes_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"minyi/internal/apperr"
	"minyi/internal/schemes"
)

func preset(t *testing.T, key string) schemes.Node {
	t.Helper()
	p, err := schemes.FindPreset(key)
	if err != nil {
		t.Fatal(err)
	}
	return p.Tree
}

type in = map[string]schemes.Input

func pts(v float64) schemes.Input { return schemes.Points(v) }

var na = schemes.NotApplicable

// TestPresetWorkedExamples pins worked examples of each preset to the cent.
// The expected numbers are computed by hand in the comments.
func TestPresetWorkedExamples(t *testing.T) {
	tests := []struct {
		name, preset string
		inputs       in
		// nodes are expected rounded values of some nodes by key.
		nodes     map[string]float64
		composite float64
	}{
		{
			// indicator = 72.5 + 18 = 90.5; process 88
			// indicator×60% + process×40% = 54.3 + 35.2 = 89.5
			// public = 86.43 ÷ 100 × 30 = 25.929
			// departmental = 50 × (13.5+9+8.5+9.5+4.5) ÷ (15+10+10+10+5) = 50 × 45 ÷ 50 = 45
			// provincial leaders' instrument 87.5 ÷ 100 × 20 = 17.5
			// evaluation = 17.5 + 25.929 + 45 = 88.429
			// composite = 89.5×60% + 88.429×40% = 53.7 + 35.3716 = 89.0716 → 89.07
			name: "jiangxi, every departmental item", preset: schemes.PresetJiangxi,
			inputs: in{"key_work": pts(72.5), "lead_assessment": pts(18), "process": pts(88),
				"provincial_leaders": pts(87.5), "public": pts(86.43),
				"leadership": pts(13.5), "party_building": pts(9), "public_security": pts(8.5),
				"energy_saving": pts(9.5), "budget_performance": pts(4.5)},
			nodes: map[string]float64{"indicator": 90.5, "performance": 89.5, "public": 25.93,
				"departmental": 45, "evaluation": 88.43},
			composite: 89.07,
		},
		{
			// A unit stationed by the central government (中央驻赣) that takes no part in
			// the leadership assessment nor in energy saving:
			// indicator = 70 + 16 = 86; performance = 86×60% + 91×40% = 51.6 + 36.4 = 88
			// public = 90.125 ÷ 100 × 30 = 27.0375
			// departmental = 50 × (8 + 9 + 4) ÷ (10 + 10 + 5) = 50 × 21 ÷ 25 = 42
			// provincial leaders' instrument 90 ÷ 100 × 20 = 18
			// evaluation = 18 + 27.0375 + 42 = 87.0375
			// composite = 88×60% + 87.0375×40% = 52.8 + 34.815 = 87.615 → 87.62 (half up)
			name: "jiangxi, pro-rated departmental items", preset: schemes.PresetJiangxi,
			inputs: in{"key_work": pts(70), "lead_assessment": pts(16), "process": pts(91),
				"provincial_leaders": pts(90), "public": pts(90.125),
				"leadership": na, "party_building": pts(8), "public_security": pts(9),
				"energy_saving": na, "budget_performance": pts(4)},
			nodes:     map[string]float64{"performance": 88, "public": 27.04, "departmental": 42, "evaluation": 87.04},
			composite: 87.62,
		},
		{
			// Every leaf at its maximum, the public evaluation score and the
			// four instruments (leaders, deputies, peers, grassroots) at 100:
			// 25 + 20 + 45 + 10 = 100
			name: "zhongshan, full marks", preset: schemes.PresetZhongshan,
			inputs: in{"statutory_duties": pts(5), "key_tasks": pts(10), "administrative_conduct": pts(5),
				"approval_reform": pts(5), "administrative_cost": pts(5), "fund_benefit": pts(5),
				"efficiency_work": pts(5), "integrity_risk": pts(5), "leader_rating": pts(100),
				"deputy_rating": pts(100), "peer_coordination": pts(100), "grassroots_service": pts(100),
				"public_satisfaction": pts(100), "innovation_awards": pts(10)},
			nodes:     map[string]float64{"duty_efficiency": 25, "efficiency_building": 20, "service_effect": 45, "innovation_area": 10},
			composite: 100,
		},
		{
			// 履职效率 = (4.5 + 9) + (4 + 4.5) = 22
			// 效能建设 = (5 + 4) + (4.5 + 5) = 18.5
			// 公众评价 = 83.37 ÷ 100 × 15 = 12.5055
			// instruments: leaders 88 → 88÷100×10 = 8.8, deputies 84 → 84÷100×5 = 4.2,
			// peers 92 → 92÷100×5 = 4.6, grassroots 85 → 85÷100×10 = 8.5
			// 服务效果 = 8.8 + 4.2 + 4.6 + 8.5 + 12.5055 = 38.6055
			// 创新创优 = 6
			// composite = 22 + 18.5 + 38.6055 + 6 = 85.1055 → 85.11
			name: "zhongshan, a typical unit", preset: schemes.PresetZhongshan,
			inputs: in{"statutory_duties": pts(4.5), "key_tasks": pts(9), "administrative_conduct": pts(4),
				"approval_reform": pts(4.5), "administrative_cost": pts(5), "fund_benefit": pts(4),
				"efficiency_work": pts(4.5), "integrity_risk": pts(5), "leader_rating": pts(88),
				"deputy_rating": pts(84), "peer_coordination": pts(92), "grassroots_service": pts(85),
				"public_satisfaction": pts(83.37), "innovation_awards": pts(6)},
			nodes: map[string]float64{"duty_efficiency": 22, "efficiency_building": 18.5,
				"public_satisfaction": 12.51, "service_effect": 38.61, "innovation_area": 6},
			composite: 85.11,
		},
		{
			// 85.5×80% + 78.25×10% + 92×10% = 68.4 + 7.825 + 9.2 = 85.425 → 85.43 (half up)
			name: "county", preset: schemes.PresetCounty,
			inputs:    in{"indicators": pts(85.5), "public": pts(78.25), "leaders": pts(92)},
			nodes:     map[string]float64{"indicators": 85.5, "public": 78.25, "leaders": 92},
			composite: 85.43,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := schemes.Compute(preset(t, tt.preset), tt.inputs)
			if err != nil {
				t.Fatal(err)
			}
			prep, err := schemes.Prepare(preset(t, tt.preset))
			if err != nil {
				t.Fatal(err)
			}
			again, err := prep.Compute(tt.inputs)
			sameResult(t, "Prepared.Compute", res, nil, again, err)
			if !res.Complete || len(res.Missing) != 0 || res.Composite == nil {
				t.Fatalf("incomplete: %+v", res.Missing)
			}
			if *res.Composite != tt.composite {
				t.Errorf("composite %v (exact %v), want %v", *res.Composite, *res.CompositeExact, tt.composite)
			}
			if res.Max != 100 {
				t.Errorf("max %v, want 100", res.Max)
			}
			for key, want := range tt.nodes {
				n := findNode(t, res, key)
				if n.Value == nil || *n.Value != want {
					t.Errorf("%s = %v, want %v (%s)", key, n.Value, want, n.Formula)
				}
			}
			for _, n := range res.Nodes {
				if n.Formula == "" {
					t.Errorf("%s has no formula", n.Path)
				}
			}
		})
	}
}

func findNode(t *testing.T, res schemes.Result, key string) schemes.NodeResult {
	t.Helper()
	for _, n := range res.Nodes {
		if n.Key == key {
			return n
		}
	}
	t.Fatalf("no node %s", key)
	return schemes.NodeResult{}
}

// TestFormulas checks the explanations carry the numbers they combine.
func TestFormulas(t *testing.T) {
	res, err := schemes.Compute(preset(t, schemes.PresetJiangxi), in{"key_work": pts(70), "lead_assessment": pts(16),
		"process": pts(91), "provincial_leaders": pts(90), "public": pts(90.125), "leadership": na,
		"party_building": pts(8), "public_security": pts(9), "energy_saving": na, "budget_performance": pts(4)})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"departmental": "50 × (8.00 + 9.00 + 4.00) ÷ (10 + 10 + 5) = 42.00；未参加：省管领导班子和领导干部考核、公共机构节能情况",
		"public":       "公众评价得分 90.13 ÷ 100 × 满分 30 = 27.04",
		"indicator":    "70.00 + 16.00 = 86.00",
		"performance":  "86.00×60% + 91.00×40% = 88.00",
		"composite":    "88.00×60% + 87.04×40% = 87.62",
		"leadership":   "不参加，不计入",
		"key_work":     "考评单位（省绩效办会同牵头单位）评分 70.00（满分 80）",
	}
	for key, w := range want {
		if f := findNode(t, res, key).Formula; !strings.Contains(f, w) && f != w {
			t.Errorf("%s formula %q, want %q", key, f, w)
		}
	}
	if n := findNode(t, res, "departmental"); n.Path != "年度综合绩效成绩 › 绩效评价 › 部门评价" || n.Depth != 2 {
		t.Errorf("departmental path %q depth %d", n.Path, n.Depth)
	}
}

// TestMissingInputs checks a missing leaf is reported, not taken as zero.
func TestMissingInputs(t *testing.T) {
	res, err := schemes.Compute(preset(t, schemes.PresetCounty), in{"indicators": pts(90), "leaders": pts(80)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Complete || res.Composite != nil || res.CompositeExact != nil {
		t.Errorf("composite with a missing leaf: %+v", res)
	}
	if want := []schemes.MissingLeaf{{Key: "public", Path: "绩效评估总分 › 公众评议"}}; !reflect.DeepEqual(res.Missing, want) {
		t.Errorf("missing %+v, want %+v", res.Missing, want)
	}
	if n := findNode(t, res, "indicators"); n.Value == nil || *n.Value != 90 {
		t.Errorf("entered leaf lost: %+v", n)
	}
	if n := findNode(t, res, "public"); n.Value != nil || !strings.Contains(n.Formula, "待取数") {
		t.Errorf("missing leaf: %+v", n)
	}
}

// TestBadInputs checks each refused input names the node path.
func TestBadInputs(t *testing.T) {
	full := func() in {
		return in{"key_work": pts(70), "lead_assessment": pts(16), "process": pts(91), "provincial_leaders": pts(90),
			"public": pts(90), "leadership": pts(10), "party_building": pts(8), "public_security": pts(9),
			"energy_saving": pts(9), "budget_performance": pts(4)}
	}
	tests := []struct {
		name  string
		edit  func(in)
		field string
		msg   string
	}{
		{"above max", func(m in) { m["budget_performance"] = pts(5.01) }, "inputs.budget_performance",
			"年度综合绩效成绩 › 绩效评价 › 部门评价 › 财政预算绩效: 得分须在0到5之间"},
		{"negative", func(m in) { m["process"] = pts(-1) }, "inputs.process", "得分须在0到100之间"},
		{"auto above 100", func(m in) { m["public"] = pts(100.5) }, "inputs.public", "得分须在0到100之间"},
		{"unknown key", func(m in) { m["bogus"] = pts(1) }, "inputs.bogus", "方案中没有代码为“bogus”的评分项目"},
		{"na outside prorated", func(m in) { m["process"] = na }, "inputs.process", "只有“按参加项目折算”项目的下级项目才能标记为不参加"},
		{"points on a group", func(m in) { m["indicator"] = pts(80) }, "inputs.indicator", "该项目的得分由下级项目计算"},
		{"all na", func(m in) {
			for _, k := range []string{"leadership", "party_building", "public_security", "energy_saving", "budget_performance"} {
				m[k] = na
			}
		}, "inputs.departmental", "至少须参加一个下级项目才能折算"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := full()
			tt.edit(m)
			_, err := schemes.Compute(preset(t, schemes.PresetJiangxi), m)
			e := apperr.From(err)
			if e.Code != apperr.Invalid || !strings.Contains(e.Fields[tt.field], tt.msg) {
				t.Errorf("got %v (%v), want %s: %s", err, e.Fields, tt.field, tt.msg)
			}
		})
	}
}

// TestValidation checks the tree's problems are named by node path in Chinese.
func TestValidation(t *testing.T) {
	for _, p := range schemes.Presets() {
		if err := schemes.Validate(p.Tree); err != nil {
			t.Errorf("preset %s invalid: %v", p.Key, err)
		}
	}
	zs := preset(t, schemes.PresetZhongshan)
	if n := len(schemes.Leaves(zs)); n != 14 {
		t.Errorf("zhongshan has %d leaves, want 14", n)
	}
	indicators := 0
	for _, area := range zs.Children {
		indicators += len(area.Children)
	}
	if indicators != 10 || zs.Max != 100 {
		t.Errorf("zhongshan has %d indicators, max %v; want 10, 100", indicators, zs.Max)
	}
	for _, l := range schemes.Leaves(zs) {
		if l.Assessor == nil || l.Assessor.Name == "" {
			t.Errorf("zhongshan leaf %s has no assessor", l.Key)
		}
	}

	tests := []struct {
		name string
		edit func(*schemes.Node)
		want []string
	}{
		{"weights", func(n *schemes.Node) { n.Children[1].Weight = 0.3 },
			[]string{"年度综合绩效成绩: 权重之和须为100%（现为90%）"}},
		{"duplicate key and bad key", func(n *schemes.Node) {
			ev := &n.Children[1]
			ev.Children[0].Key = "public"
			ev.Children[2].Children[0].Key = "Lead-ership"
		}, []string{"年度综合绩效成绩 › 绩效评价 › 公众评价: 项目代码“public”重复，每个项目的代码须唯一",
			"年度综合绩效成绩 › 绩效评价 › 部门评价 › 省管领导班子和领导干部考核: 项目代码“Lead-ership”只能由小写字母、数字和下划线组成"}},
		{"assessor and max", func(n *schemes.Node) {
			n.Children[0].Children[1].Assessor = nil
			n.Children[0].Children[1].Max = 0
		}, []string{"年度综合绩效成绩 › 绩效指标与过程管理 › 过程管理与日常考核: 请填写满分（大于0）",
			"年度综合绩效成绩 › 绩效指标与过程管理 › 过程管理与日常考核: 请填写考评单位"}},
		{"kind and weight", func(n *schemes.Node) {
			n.Children[1].Children[2].Children[0].Kind = "average"
			n.Children[1].Children[0].Weight = 0.5
		}, []string{"只有“加权”项目的下级项目才能设置权重", "项目类型“average”无效"}},
		{"auto source", func(n *schemes.Node) { n.Children[1].Children[1].Source = "" },
			[]string{"绩效评价 › 公众评价: 自动取数项目的数据来源须为公众评价得分（public_evaluation）或本年度的评价项目（instrument:代码）"}},
		{"instrument source", func(n *schemes.Node) { n.Children[1].Children[0].Source = "instrument:Leaders!" },
			[]string{"绩效评价 › 省领导评价: 自动取数项目的评价项目代码“Leaders!”无效"}},
		{"empty instrument key", func(n *schemes.Node) { n.Children[1].Children[0].Source = "instrument:" },
			[]string{"绩效评价 › 省领导评价: 自动取数项目的数据来源须为公众评价得分"}},
		{"empty group", func(n *schemes.Node) { n.Children[1].Children[2].Children = nil },
			[]string{"部门评价: 按参加项目折算项目至少须有一个下级项目"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tree := preset(t, schemes.PresetJiangxi)
			tt.edit(&tree)
			var msgs []string
			for _, p := range schemes.Problems(tree) {
				msgs = append(msgs, p.Message)
			}
			all := strings.Join(msgs, "\n")
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("problems:\n%s\nwant %q", all, w)
				}
			}
			err := schemes.Validate(tree)
			if !apperr.Is(err, apperr.Invalid) || !strings.HasPrefix(apperr.From(err).Message, "考核方案有误：") {
				t.Errorf("Validate: %v", err)
			}
			if _, err := schemes.Compute(tree, nil); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("Compute of an invalid tree: %v", err)
			}
		})
	}
}

// TestRounding pins the rule: full precision inside, 2 decimals half up
// for display, with decimal (not binary) halves.
func TestRounding(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{
		{2.675, 2.68}, {1.005, 1.01}, {87.615, 87.62}, {85.425, 85.43}, {0.125, 0.13},
		{89.0716, 89.07}, {12.5049999, 12.5}, {100, 100}, {0, 0},
	} {
		if got := schemes.Round2(c.in); got != c.want {
			t.Errorf("Round2(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	// A weighted node keeps its children's exact values: 1/3 of 100 points
	// three times is 100, not 99.99.
	tree := schemes.Node{Key: "root", Name: "总分", Kind: schemes.KindWeighted, Children: []schemes.Node{
		{Key: "a", Name: "甲", Kind: schemes.KindManual, Max: 3, Weight: 0.5, Assessor: &schemes.Assessor{Name: "甲单位"}},
		{Key: "b", Name: "乙", Kind: schemes.KindManual, Max: 3, Weight: 0.5, Assessor: &schemes.Assessor{Name: "乙单位"}},
	}}.Normalized()
	res, err := schemes.Compute(tree, in{"a": pts(1), "b": pts(2)})
	if err != nil {
		t.Fatal(err)
	}
	// (1÷3×100)×50% + (2÷3×100)×50% = 16.666… + 33.333… = 50 exactly.
	if *res.Composite != 50 || *res.CompositeExact != 50 {
		t.Errorf("composite %v exact %v, want 50", *res.Composite, *res.CompositeExact)
	}
	if f := res.Nodes[0].Formula; f != "(1.00÷3×100)×50% + (2.00÷3×100)×50% = 50.00" {
		t.Errorf("formula %q", f)
	}
}

func TestInputJSON(t *testing.T) {
	var m map[string]schemes.Input
	if err := json.Unmarshal([]byte(`{"a": 12.5, "b": "na", "c": "NA"}`), &m); err != nil {
		t.Fatal(err)
	}
	if m["a"] != pts(12.5) || m["b"] != na || m["c"] != na {
		t.Errorf("decoded %+v", m)
	}
	if err := json.Unmarshal([]byte(`{"a": "x"}`), &m); err == nil {
		t.Error(`"x" accepted`)
	}
	b, _ := json.Marshal(map[string]schemes.Input{"a": pts(1.5), "b": na})
	if string(b) != `{"a":1.5,"b":"na"}` {
		t.Errorf("encoded %s", b)
	}
}

// BenchmarkComputeJiangxi computes one unit on the Jiangxi preset; the
// whole assessment computes it once per unit.
func BenchmarkComputeJiangxi(b *testing.B) {
	p, _ := schemes.FindPreset(schemes.PresetJiangxi)
	inputs := in{"key_work": pts(70), "lead_assessment": pts(16), "process": pts(91), "provincial_leaders": pts(90),
		"public": pts(90.125), "leadership": na, "party_building": pts(8), "public_security": pts(9),
		"energy_saving": na, "budget_performance": pts(4)}
	for b.Loop() {
		if _, err := schemes.Compute(p.Tree, inputs); err != nil {
			b.Fatal(err)
		}
	}
}
