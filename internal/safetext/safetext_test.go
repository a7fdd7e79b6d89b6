package safetext

import (
	"testing"
	"unicode/utf8"
)

func TestValid(t *testing.T) {
	cases := []struct {
		in   string
		want bool
	}{
		{"", true},
		{"办事效率低，服务态度差", true},
		{"line one\nline two\r\n\tindented", true},
		{"emoji 😀 and 全角　空格", true},
		{"U+FFFD \uFFFD typed on purpose", true},
		{"nul\x00byte", false},
		{"\x00", false},
		{"bell\x07", false},
		{"escape\x1b[31m", false},
		{"delete\x7f", false},
		{"bad utf-8 \xff", false},
		{"truncated \xe4\xb8", false},
		{"surrogate \xed\xa0\x80", false},
		{"overlong \xc0\xaf", false},
	}
	for _, c := range cases {
		if got := Valid(c.in); got != c.want {
			t.Errorf("Valid(%q) = %v, want %v", c.in, got, c.want)
		}
	}
	if All("a", "b\x00") || !All("a", "b") || !All() {
		t.Error("All does not agree with Valid")
	}
}

// FuzzValid checks Valid against its definition: what it accepts is valid
// UTF-8 without NUL and the other refused controls.
func FuzzValid(f *testing.F) {
	for _, s := range []string{"", "满意", "a\x00b", "\xff", "\t\n\r", "\x1f", "\x7f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !Valid(s) {
			return
		}
		if !utf8.ValidString(s) {
			t.Fatalf("accepted invalid UTF-8 %q", s)
		}
		for _, r := range s {
			if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f {
				t.Fatalf("accepted control %U in %q", r, s)
			}
		}
	})
}
