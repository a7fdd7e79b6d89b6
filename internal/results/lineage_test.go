package results

import (
	"slices"
	"testing"
)

// Units of the lineage cases: 1 甲局 and 2 乙局 merge into 3 (two
// predecessors); 4 splits into 5 and 6 (one predecessor, two successors);
// 7 is renamed 8; 9 is renamed 10, renamed again 11.
var testLineage = map[int64][]int64{3: {1, 2}, 5: {4}, 6: {4}, 8: {7}, 10: {9}, 11: {10}}

// ownGrades builds own results: unit → grades of 2024, 2025, 2026 ("" none).
func ownGrades(m map[int64][3]string) map[unitYear]string {
	out := map[unitYear]string{}
	for u, gs := range m {
		for i, g := range gs {
			if g != "" {
				out[unitYear{u, 2024 + i}] = g
			}
		}
	}
	return out
}

func TestStreaksFollowTheLine(t *testing.T) {
	const ex, good, pass, fail = "excellent", "good", "pass", "fail"
	cases := []struct {
		name           string
		own            map[int64][3]string
		unit           int64
		excellent, ok3 bool // three 优秀, three 合格
	}{
		{"own three years", map[int64][3]string{3: {ex, ex, ex}}, 3, true, false},
		{"merger: both predecessors 优秀", map[int64][3]string{1: {ex, ex, ""}, 2: {ex, ex, ""}, 3: {"", "", ex}}, 3, true, false},
		{"merger: one predecessor 良好 breaks 优秀", map[int64][3]string{1: {ex, ex, ""}, 2: {ex, good, ""}, 3: {"", "", ex}}, 3, false, false},
		{"merger: both predecessors 合格", map[int64][3]string{1: {pass, pass, ""}, 2: {pass, pass, ""}, 3: {"", "", pass}}, 3, false, true},
		{"merger: one predecessor without a result", map[int64][3]string{1: {pass, pass, ""}, 2: {pass, "", ""}, 3: {"", "", pass}}, 3, false, false},
		{"merger: 优秀 and 合格 predecessors count for neither", map[int64][3]string{1: {ex, ex, ""}, 2: {pass, pass, ""}, 3: {"", "", pass}}, 3, false, false},
		{"merged unit's own result wins over its predecessors", map[int64][3]string{1: {fail, fail, fail}, 2: {fail, fail, fail}, 3: {ex, ex, ex}}, 3, true, false},
		{"split: first successor", map[int64][3]string{4: {ex, ex, ""}, 5: {"", "", ex}, 6: {"", "", pass}}, 5, true, false},
		{"split: second successor", map[int64][3]string{4: {pass, pass, ""}, 5: {"", "", ex}, 6: {"", "", pass}}, 6, false, true},
		{"rename", map[int64][3]string{7: {pass, pass, ""}, 8: {"", "", pass}}, 8, false, true},
		{"renamed twice", map[int64][3]string{9: {ex, "", ""}, 10: {"", ex, ""}, 11: {"", "", ex}}, 11, true, false},
		{"a year with no cycle breaks the streak", map[int64][3]string{3: {ex, "", ex}}, 3, false, false},
		{"a year with no cycle, predecessors neither", map[int64][3]string{1: {pass, "", ""}, 2: {pass, "", ""}, 3: {"", "", pass}}, 3, false, false},
		{"no lineage, a failed year", map[int64][3]string{12: {pass, fail, pass}}, 12, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, p := Streaks(ownGrades(c.own), testLineage, c.unit, 2026)
			if e != c.excellent || p != c.ok3 {
				t.Errorf("three 优秀 %v, three 合格 %v; want %v, %v", e, p, c.excellent, c.ok3)
			}
		})
	}
}

func TestLineGradeSourcesAndLabels(t *testing.T) {
	own := ownGrades(map[int64][3]string{1: {"excellent", "", ""}, 2: {"good", "", ""}, 3: {"", "", "pass"}})
	names := map[int64]string{1: "甲局", 2: "乙局"}
	cases := []struct {
		unit    int64
		year    int
		grade   string
		sources []Source
		label   string
	}{
		{3, 2026, "pass", []Source{{3, "pass"}}, "2026年：合格"},
		{3, 2024, "", []Source{{1, "excellent"}, {2, "good"}}, "2024年：不计（前身单位：甲局 优秀、乙局 良好）"},
		{3, 2025, "", []Source{{1, ""}, {2, ""}}, "2025年：不计（前身单位：甲局 无最终结果、乙局 无最终结果）"},
		{12, 2025, "", []Source{{12, ""}}, "2025年：无最终结果"},
	}
	for _, c := range cases {
		g, src := LineGrade(own, testLineage, c.unit, c.year)
		if g != c.grade || !slices.Equal(src, c.sources) {
			t.Errorf("unit %d %d: %q %v, want %q %v", c.unit, c.year, g, src, c.grade, c.sources)
		}
		if l := yearLabel(c.unit, c.year, g, src, names); l != c.label {
			t.Errorf("label %q, want %q", l, c.label)
		}
	}
	own[unitYear{2, 2024}] = "excellent"
	g, src := LineGrade(own, testLineage, 3, 2024)
	if l := yearLabel(3, 2024, g, src, names); l != "2024年：优秀（前身单位：甲局 优秀、乙局 优秀）" {
		t.Errorf("label %q", l)
	}
}
