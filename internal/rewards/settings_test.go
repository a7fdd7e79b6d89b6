package rewards

import (
	"testing"

	"minyi/internal/apperr"
)

func TestSettingsValidate(t *testing.T) {
	ok := Table{Mode: ModeAmount}
	cases := []struct {
		name      string
		threshold float64
		table     Table
		field     string
	}{
		{"fine", 5, ok, ""},
		{"zero threshold", 0, ok, ""},
		{"two decimals", 2.25, ok, ""},
		{"negative threshold", -1, ok, "criticism_threshold"},
		{"threshold over 100", 100.5, ok, "criticism_threshold"},
		{"three decimals", 2.125, ok, "criticism_threshold"},
		{"bad table too", 5, Table{Mode: ModeAmount, RaiseBP: -1}, "raise_bp"},
	}
	for _, c := range cases {
		err := Settings{Table: c.table, CriticismThreshold: c.threshold}.Validate()
		if c.field == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if !apperr.Is(err, apperr.Invalid) || apperr.From(err).Fields[c.field] == "" {
			t.Errorf("%s: %v, want invalid field %s", c.name, err, c.field)
		}
	}
}

func TestYuan(t *testing.T) {
	for cents, want := range map[int64]string{0: "0.00", 5: "0.05", 100: "1.00", 123456: "1,234.56", 1_260_000: "12,600.00",
		100_000_000_000: "1,000,000,000.00", -150: "-1.50"} {
		if got := Yuan(cents); got != want {
			t.Errorf("Yuan(%d) = %q, want %q", cents, got, want)
		}
	}
}
