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

func TestFind(t *testing.T) {
	type item struct {
		ID      string   `json:"id"`
		Comment string   `json:"comment,omitempty"`
		Tags    []string `json:"tags"`
		Skip    string   `json:"-"`
		Plain   string
	}
	type inner struct {
		Note string `json:"note"`
	}
	type body struct {
		inner
		Items   []item            `json:"items"`
		Answers map[string]int    `json:"answers"`
		Extra   map[int64]*string `json:"extra"`
		Raw     []byte            `json:"raw"`
		Any     any               `json:"any"`
	}
	bad := "x\x00y"
	cases := []struct {
		name string
		v    any
		want string
	}{
		{"clean", body{Items: []item{{ID: "a", Comment: "好"}}, Answers: map[string]int{"overall": 5}, Raw: []byte{0, 1}}, ""},
		{"item comment", body{Items: []item{{ID: "a"}, {ID: "b", Comment: bad}}}, "items.1.comment"},
		{"slice of strings", body{Items: []item{{Tags: []string{"ok", "\xff"}}}}, "items.0.tags.1"},
		{"untagged field", body{Items: []item{{Plain: bad}}}, "items.0.Plain"},
		{"ignored field", body{Items: []item{{Skip: bad}}}, ""},
		{"embedded", body{inner: inner{Note: bad}}, "note"},
		{"map key", body{Answers: map[string]int{"ok": 1, "b\x01": 2}}, "answers"},
		{"map value by int key", body{Extra: map[int64]*string{7: &bad}}, "extra.7"},
		{"interface", body{Any: map[string]any{"k": []any{"fine", bad}}}, "any.k.1"},
		{"pointer to struct", &item{ID: bad}, "id"},
	}
	for _, c := range cases {
		got, found := Find(c.v)
		if found != (c.want != "") || got != c.want {
			t.Errorf("%s: Find = %q, %v; want %q", c.name, got, found, c.want)
		}
	}
}
