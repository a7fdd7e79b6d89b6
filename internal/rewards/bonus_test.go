package rewards

import (
	"testing"

	"minyi/internal/apperr"
)

// TestComputeToTheCent: the bonus table over grades, heads, raises and
// cuts, each amount to the cent.
func TestComputeToTheCent(t *testing.T) {
	amount := Table{Mode: ModeAmount, Grades: map[string]int64{"excellent": 1_200_000, "good": 1_000_000, "pass": 800_000},
		RaiseBP: 1000, CutAccountabilityBP: 500, CutFailedTaskBP: 2000}
	coef := Table{Mode: ModeCoefficient, Base: 333_333, Grades: map[string]int64{"excellent": 12000, "good": 11000, "pass": 10000, "fail": 0},
		PerHead: true, RaiseBP: 1500, CutAccountabilityBP: 333, CutFailedTaskBP: 5000}
	cases := []struct {
		name  string
		table Table
		unit  Unit
		want  Line
	}{
		{"优秀 fixed amount", amount, Unit{Grade: "excellent"}, Line{1_200_000, 0, 0, 1_200_000}},
		{"优秀 outstanding +10%", amount, Unit{Grade: "excellent", Outstanding: true}, Line{1_200_000, 120_000, 0, 1_320_000}},
		{"合格 two accountability cases −10%", amount, Unit{Grade: "pass", Accountability: 2}, Line{800_000, 0, 80_000, 720_000}},
		{"良好 outstanding, one failed task", amount, Unit{Grade: "good", Outstanding: true, FailedTasks: 1}, Line{1_000_000, 100_000, 200_000, 900_000}},
		{"不合格 not in the table: nothing", amount, Unit{Grade: "fail", Accountability: 1}, Line{0, 0, 0, 0}},
		{"cuts stop at the whole amount", amount, Unit{Grade: "pass", FailedTasks: 4, Accountability: 9}, Line{800_000, 0, 800_000, 0}},
		{"cuts stop at amount plus raise", amount, Unit{Grade: "pass", Outstanding: true, FailedTasks: 6}, Line{800_000, 80_000, 880_000, 0}},
		// 3 333.33 × 1.2 × 7 = 27 999.972 → 27 999.97; raise 15 % = 4 199.9955 → 4 200.00.
		{"coefficient per head rounds half up", coef, Unit{Grade: "excellent", Staff: 7, Outstanding: true}, Line{2_799_997, 420_000, 0, 3_219_997}},
		// 3 333.33 × 1.1 × 3 = 10 999.989 → 10 999.99; cut 3.33 % = 366.299667 → 366.30.
		{"coefficient, one accountability case", coef, Unit{Grade: "good", Staff: 3, Accountability: 1}, Line{1_099_999, 0, 36_630, 1_063_369}},
		{"coefficient, no staff count", coef, Unit{Grade: "pass"}, Line{0, 0, 0, 0}},
		{"coefficient 0 for 不合格", coef, Unit{Grade: "fail", Staff: 10}, Line{0, 0, 0, 0}},
		// half a cent rounds up: 0.125 yuan × 1 → 12.5 cents → 13.
		{"half a cent up", Table{Mode: ModeCoefficient, Base: 25, Grades: map[string]int64{"pass": 5000}}, Unit{Grade: "pass"}, Line{13, 0, 0, 13}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.table.Validate(); err != nil {
				t.Fatal(err)
			}
			if got := Compute(c.table, c.unit); got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestTableValidate(t *testing.T) {
	cases := []struct {
		name  string
		table Table
		field string
	}{
		{"no mode", Table{}, "mode"},
		{"coefficient without base", Table{Mode: ModeCoefficient}, "base"},
		{"unknown grade", Table{Mode: ModeAmount, Grades: map[string]int64{"great": 1}}, "grades"},
		{"negative amount", Table{Mode: ModeAmount, Grades: map[string]int64{"pass": -1}}, "grades"},
		{"raise over 100%", Table{Mode: ModeAmount, RaiseBP: 10001}, "raise_bp"},
		{"negative cut", Table{Mode: ModeAmount, CutAccountabilityBP: -1}, "cut_accountability_bp"},
		{"failed-task cut over 100%", Table{Mode: ModeAmount, CutFailedTaskBP: 20000}, "cut_failed_task_bp"},
	}
	for _, c := range cases {
		err := c.table.Validate()
		if !apperr.Is(err, apperr.Invalid) || apperr.From(err).Fields[c.field] == "" {
			t.Errorf("%s: %v, want invalid field %s", c.name, err, c.field)
		}
	}
}
