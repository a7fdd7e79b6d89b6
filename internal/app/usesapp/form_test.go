package usesapp

import "testing"

func TestParseFixed(t *testing.T) {
	cases := []struct {
		in       string
		decimals int
		want     int64
		ok       bool
	}{
		{"", 2, 0, true},
		{"8000", 2, 800000, true},
		{"8000.5", 2, 800050, true},
		{" 12.34 ", 2, 1234, true},
		{"1.2", 4, 12000, true},
		{"8000.123", 2, 0, false},
		{"-1", 2, 0, false},
		{"1e3", 2, 0, false},
		{".5", 2, 0, false},
		{"１２", 2, 0, false},
	}
	for _, c := range cases {
		got, ok := parseFixed(c.in, c.decimals)
		if got != c.want || ok != c.ok {
			t.Errorf("parseFixed(%q, %d) = %d %v, want %d %v", c.in, c.decimals, got, ok, c.want, c.ok)
		}
	}
	for v, want := range map[int64]string{0: "0", 800050: "8000.5", 1234: "12.34", 5: "0.05"} {
		if got := fixed(v, 2); got != want {
			t.Errorf("fixed(%d) = %q, want %q", v, got, want)
		}
	}
	if got := fixed(12000, 4); got != "1.2" {
		t.Errorf("fixed coefficient %q", got)
	}
}
