package search_test

import (
	"strings"
	"testing"

	"minyi/internal/apperr"
	"minyi/internal/search"
)

func TestParseAndTSQuery(t *testing.T) {
	for _, c := range []struct{ in, query string }{
		{"  态度 ", `'态度'`},
		{"排队很久", `'排队' & '队很' & '很久'`},
		{"慢", `'慢':*`},
		{"态度  态度 ETC", `'态度' & 'et' & 'tc'`},
		{`it's \x`, `'it' & 't''' & '''s' & '\\x'`},
	} {
		k, err := search.Parse(c.in)
		if err != nil || k.TSQuery() != c.query {
			t.Errorf("%q: %q, %v; want %q", c.in, k.TSQuery(), err, c.query)
		}
	}
	if k, err := search.Parse(" \t"); err != nil || !k.IsZero() {
		t.Errorf("blank: %+v, %v", k, err)
	}
	for _, bad := range []string{strings.Repeat("字", 51), "一 二 三 四 五 六", "a\x00b"} {
		if _, err := search.Parse(bad); !apperr.Is(err, apperr.Invalid) || apperr.From(err).Fields["q"] == "" {
			t.Errorf("%q: %v, want a field error", bad, err)
		}
	}
}

func TestHighlightEscapesAndMarks(t *testing.T) {
	k, _ := search.Parse("态度 ab")
	got := string(search.Highlight(`<i>服务态度</i> AB态度`, k))
	want := `&lt;i&gt;服务<mark>态度</mark>&lt;/i&gt; <mark>AB态度</mark>`
	if got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	if got := string(search.Highlight("a<b", search.Keyword{})); got != "a&lt;b" {
		t.Errorf("no keyword: %s", got)
	}
}
