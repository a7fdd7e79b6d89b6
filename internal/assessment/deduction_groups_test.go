package assessment_test

import (
	"testing"

	"minyi/internal/assessment"
)

// A deduction group caps its reasons together and the overall cap still
// applies over all deductions. Worked example, to the cent, on Zhongshan's
// preset (five 行政问责 items of −2, at most −10 together) over settings
// that also keep 目标任务未完成 (−2 each) and a hand-made reason of −0.35.
func TestDeductionGroupCaps(t *testing.T) {
	zs, ok := assessment.FindDeductionPreset(assessment.PresetZhongshan)
	if !ok || len(zs.Reasons) != 5 || len(zs.Groups) != 1 || zs.Groups[0].Cap != 10 {
		t.Fatalf("Zhongshan preset: %+v", zs)
	}
	base := assessment.DefaultSettings()
	base.DeductionReasons = append(base.DeductionReasons, assessment.DeductionReason{Key: "late_data", Name: "数据迟报", Points: 0.35})
	six := map[string]float64{"zs_integrity": 4, "zs_safety": 2, "zs_public_impact": 2, "zs_budget": 2, "zs_audit": 2}
	with := func(m map[string]float64, k string, v float64) map[string]float64 {
		out := map[string]float64{}
		for key, p := range m {
			out[key] = p
		}
		out[k] = v
		return out
	}
	for _, tc := range []struct {
		name           string
		overall        float64
		items          map[string]float64
		filed, counted float64
	}{
		{"one item", 20, map[string]float64{"zs_integrity": 2}, 2, 2},
		{"five items reach the group's cap", 20, with(six, "zs_integrity", 2), 10, 10},
		{"six items: the group counts 10", 20, six, 12, 10},
		{"six items and 目标任务未完成 twice", 20, with(six, "targets_incomplete", 4), 16, 14},
		{"six items, two others and three late data", 20, with(with(six, "targets_incomplete", 4), "late_data", 1.05), 17.05, 15.05},
		{"the overall cap over the group and the rest", 12.5, with(with(six, "targets_incomplete", 4), "late_data", 1.05), 17.05, 12.5},
		{"three items and the rest under the overall cap", 20, map[string]float64{"zs_budget": 6, "targets_incomplete": 2, "late_data": 0.7}, 8.7, 8.7},
		{"the default 行政问责 keeps its own cap", 30, map[string]float64{"accountability": 14, "zs_audit": 12}, 26, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := base
			s.DeductionCap = tc.overall
			s = zs.Apply(s, []string{"targets_incomplete", "late_data", "accountability"}, nil)
			if s.DeductionCap != tc.overall {
				t.Fatalf("the preset changed the overall cap to %v", s.DeductionCap)
			}
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
			f, c := assessment.CountedDeductions(s, tc.items)
			if f != tc.filed || c != tc.counted {
				t.Fatalf("filed %v counted %v, want %v and %v", f, c, tc.filed, tc.counted)
			}
		})
	}
	// A reason naming a group the settings lack is refused.
	s := zs.Apply(base, nil, nil)
	s.DeductionGroups = nil
	if err := s.Validate(); err == nil {
		t.Fatal("a reason of a missing group was accepted")
	}
}
