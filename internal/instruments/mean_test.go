package instruments_test

import (
	"testing"

	"minyi/internal/apperr"
	"minyi/internal/instruments"
)

// TestMean pins the result of a unit: total ÷ answers, half up to the cent.
func TestMean(t *testing.T) {
	for _, tt := range []struct {
		total string
		n     int
		want  float64
		ok    bool
	}{
		{"285.00", 3, 95, true},
		{"269.50", 3, 89.83, true}, // 89.8333…
		{"200.00", 3, 66.67, true}, // 66.666…
		{"100.01", 2, 50.01, true}, // 50.005 half up
		{"205.00", 3, 68.33, true}, // 68.333…
		{"0", 0, 0, false},         // no answers, no result
		{"150.00", 2, 75, true},
	} {
		got, ok := instruments.Mean(tt.total, tt.n)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Mean(%s, %d) = %v %v, want %v %v", tt.total, tt.n, got, ok, tt.want, tt.ok)
		}
	}
}

// TestInputValidation: bad settings are refused field by field.
func TestInputValidation(t *testing.T) {
	for _, tt := range []struct {
		name  string
		in    instruments.Input
		field string
	}{
		{"bad key", instruments.Input{Key: "Leaders!", Name: "领导评价", Purpose: "leaders"}, "key"},
		{"no name", instruments.Input{Key: "leaders", Purpose: "leaders"}, "name"},
		{"bad purpose", instruments.Input{Key: "x", Name: "某评价", Purpose: "votes"}, "purpose"},
		{"points not decreasing", instruments.Input{Key: "x", Name: "某评价", Purpose: "peer", GradePoints: []float64{100, 85, 90, 50}}, "grade_points"},
		{"points over 100", instruments.Input{Key: "x", Name: "某评价", Purpose: "peer", GradePoints: []float64{120, 85, 70, 50}}, "grade_points"},
		{"bad scale", instruments.Input{Key: "x", Name: "某评价", Purpose: "peer", Scale: "stars"}, "scale"},
		{"min answers", instruments.Input{Key: "x", Name: "某评价", Purpose: "peer", MinAnswers: -1}, "min_answers"},
	} {
		in := tt.in
		in.Normalize()
		err := in.Validate()
		if err == nil {
			t.Errorf("%s: accepted", tt.name)
			continue
		}
		if !contains(err, tt.field) {
			t.Errorf("%s: %v, want field %s", tt.name, err, tt.field)
		}
	}
	ok := instruments.Input{Key: "leaders", Name: "领导评价", Purpose: "leaders"}
	ok.Normalize()
	if err := ok.Validate(); err != nil || ok.Scale != "grades" || len(ok.GradePoints) != 4 || ok.MinAnswers != 1 {
		t.Errorf("defaults: %+v %v", ok, err)
	}
}

func contains(err error, field string) bool {
	_, ok := apperr.From(err).Fields[field]
	return ok
}
