package inspections

import (
	"strings"
	"testing"

	"minyi/internal/apperr"
)

// The rules of an inspection's input, one case per refusal: each names
// its field and says in Chinese what is wrong.
func TestInputValidate(t *testing.T) {
	ok := func() Input {
		return Input{Kind: "spot_check", HeldOn: "2026-05-20", Title: "第二季度抽查", People: "张三、李四",
			UnitIDs: []int64{1, 2}, Findings: []FindingInput{{UnitID: 2, Severity: "general", Body: "台账不全"}}}
	}
	for _, tc := range []struct {
		name   string
		change func(*Input)
		field  string
		msg    string
	}{
		{"valid", func(*Input) {}, "", ""},
		{"every kind is listed", func(in *Input) { in.Kind = "visit_verify" }, "", ""},
		{"unknown kind", func(in *Input) { in.Kind = "audit" }, "kind", "请选择检查类型"},
		{"no kind", func(in *Input) { in.Kind = "" }, "kind", "请选择检查类型"},
		{"bad date", func(in *Input) { in.HeldOn = "2026-13-01" }, "held_on", "请填写检查日期（如 2026-05-20）"},
		{"date in the future", func(in *Input) { in.HeldOn = "2026-06-02" }, "held_on", "检查日期不能晚于今天"},
		{"today is fine", func(in *Input) { in.HeldOn = "2026-06-01" }, "", ""},
		{"no title", func(in *Input) { in.Title = "  " }, "title", "请填写检查名称（不超过200字）"},
		{"long title", func(in *Input) { in.Title = strings.Repeat("检", 201) }, "title", "请填写检查名称（不超过200字）"},
		{"long people", func(in *Input) { in.People = strings.Repeat("人", 501) }, "people", "参加人员不能超过500字"},
		{"no units", func(in *Input) { in.UnitIDs, in.Findings = nil, nil }, "unit_ids", "请选择被检查的单位"},
		{"repeated units count once", func(in *Input) { in.UnitIDs = []int64{2, 2, 1} }, "", ""},
		{"finding of a unit not inspected", func(in *Input) { in.Findings[0].UnitID = 3 }, "findings", "发现的问题须属于被检查的单位"},
		{"finding without severity", func(in *Input) { in.Findings[0].Severity = "" }, "findings", "请选择问题性质"},
		{"finding with unknown severity", func(in *Input) { in.Findings[0].Severity = "minor" }, "findings", "请选择问题性质"},
		{"finding without text", func(in *Input) { in.Findings[0].Body = " " }, "findings", "请填写发现的问题（不超过2000字）"},
		{"finding too long", func(in *Input) { in.Findings[0].Body = strings.Repeat("问", 2001) }, "findings", "请填写发现的问题（不超过2000字）"},
		{"finding without unit", func(in *Input) { in.Findings[0].UnitID = 0 }, "findings", "请选择问题所属的单位"},
		{"long client key", func(in *Input) { in.ClientKey = strings.Repeat("k", 101) }, "client_key", "client_key 不能超过100个字符"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := ok()
			tc.change(&in)
			in.Normalize()
			err := in.Validate("2026-06-01")
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e := apperr.From(err)
			if !apperr.Is(err, apperr.Invalid) || e.Fields[tc.field] != tc.msg {
				t.Fatalf("got %v %v, want %s: %s", err, e.Fields, tc.field, tc.msg)
			}
		})
	}
}

// Every kind and severity has its Chinese name; unknown ones have none.
func TestLabels(t *testing.T) {
	for k, want := range map[string]string{"self_check": "月度自查", "spot_check": "季度抽查", "half_year": "半年督查",
		"evidence_check": "佐证核验", "on_site": "实地核查", "visit_verify": "察访核验", "x": ""} {
		if got := KindLabel(k); got != want {
			t.Errorf("KindLabel(%q) = %q, want %q", k, got, want)
		}
	}
	for k, want := range map[string]string{"general": "一般问题", "serious": "严重问题", "good": "工作亮点", "": ""} {
		if got := SeverityLabel(k); got != want {
			t.Errorf("SeverityLabel(%q) = %q, want %q", k, got, want)
		}
	}
	if (Finding{Severity: "good"}).Actionable() || !(Finding{Severity: "serious"}).Actionable() {
		t.Error("only problems become cases or proposals")
	}
}
