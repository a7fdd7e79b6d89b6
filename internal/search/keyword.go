// Package search is keyword search over the texts citizens and staff write
// (rating messages, survey opinions, case texts, call-back notes) and the
// direct look-ups of the console's search page (a 办件编号, a rating's or a
// case's number, a phone number).
//
// Chinese has no word boundaries, so texts are indexed as their
// overlapping two-character grams (minyi_grams, migration 0074) and a
// keyword asks for all of its grams through that index, then the real text
// is re-checked with strpos() for the terms longer than a gram: results are
// exact. See the migration for why grams and not pg_trgm or pg_bigm.
package search

import (
	"html/template"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"minyi/internal/apperr"
	"minyi/internal/safetext"
)

// Limits of a keyword: a search box holds a few words, not a paragraph.
const (
	MaxRunes = 50
	MaxTerms = 5
)

// Keyword is a parsed search box: its terms (split at spaces, lower-cased),
// every one of which a text must contain.
type Keyword struct {
	Raw   string   // as typed, trimmed
	Terms []string // lower-cased, distinct, in the order typed
}

// IsZero reports whether nothing was typed.
func (k Keyword) IsZero() bool { return len(k.Terms) == 0 }

// Parse reads a search box. "" (or only spaces) is the zero Keyword, no
// error. It returns invalid (field q) for text that is not clean (control
// characters), longer than MaxRunes or with more than MaxTerms words.
func Parse(s string) (Keyword, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Keyword{}, nil
	}
	if !safetext.Valid(s) {
		return Keyword{}, apperr.InvalidField("q", "搜索词含有无法识别的字符")
	}
	if utf8.RuneCountInString(s) > MaxRunes {
		return Keyword{}, apperr.InvalidField("q", "搜索词不能超过"+strconv.Itoa(MaxRunes)+"个字")
	}
	k := Keyword{Raw: s}
	seen := map[string]bool{}
	for _, t := range strings.FieldsFunc(strings.ToLower(s), unicode.IsSpace) {
		if !seen[t] {
			seen[t] = true
			k.Terms = append(k.Terms, t)
		}
	}
	if len(k.Terms) > MaxTerms {
		return Keyword{}, apperr.InvalidField("q", "搜索词最多"+strconv.Itoa(MaxTerms)+"个词，以空格分隔")
	}
	return k, nil
}

// TSQuery is the keyword as a tsquery over minyi_grams: every gram of
// every term; a one-character term is a prefix (every gram starting with
// it). It settles terms of one or two characters and narrows the rows for
// longer ones, whose text Cond re-checks.
func (k Keyword) TSQuery() string {
	var parts []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			parts = append(parts, p)
		}
	}
	for _, t := range k.Terms {
		r := []rune(t)
		if len(r) == 1 {
			add(lexeme(t) + ":*")
			continue
		}
		for i := 0; i+1 < len(r); i++ {
			add(lexeme(string(r[i : i+2])))
		}
	}
	return strings.Join(parts, " & ")
}

// lexeme quotes s for tsquery input: in single quotes, a quote doubled and
// a backslash escaped.
func lexeme(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(s) + "'"
}

// Cond is the condition that the text expression col (e.g. "r.comment")
// holds every term, with its arguments added through arg (which returns
// the parameter's placeholder, e.g. "$4"). The first clause is the partial
// indexes' predicate, the second walks the gram index, the rest re-check
// the text for the terms the grams cannot settle (gramRecheck). A zero
// keyword is "true".
func (k Keyword) Cond(col string, arg func(any) string) string {
	if k.IsZero() {
		return "true"
	}
	return "(" + col + " <> '' AND minyi_grams(" + col + ") @@ " + arg(k.TSQuery()) + "::tsquery" +
		k.gramRecheck(col, arg) + ")"
}

// RatingCond is Cond over the messages of the ratings aliased r, through
// their gram index, which also holds each message's unit (migration
// 0091): with unit set, the index itself keeps only that unit's messages,
// instead of the table being read for every unit's hits. A zero keyword
// is "true".
func (k Keyword) RatingCond(r string, unit *int64, arg func(any) string) string {
	if k.IsZero() {
		return "true"
	}
	q := k.TSQuery()
	if unit != nil {
		q = unitLexeme(*unit) + " & " + q
	}
	col := r + ".comment"
	return "(" + col + " <> '' AND minyi_rating_grams(" + r + ".unit_id, " + col + ") @@ " + arg(q) + "::tsquery" +
		k.gramRecheck(col, arg) + ")"
}

// gramRecheck is " AND " the re-check of the terms the grams cannot
// settle. A text's grams are every two characters of its lower case from
// each position, so a term of two characters is in the text exactly when
// it is one of the grams, and a term of one exactly when a gram starts
// with it (the prefix query): the index has settled those. A longer term's
// grams can all be there apart ("排队" and "队很" without "排队很"), so its
// text is read. Not re-checking 满意 over the 40,000 call-back notes that
// hold it saves two thirds of reading them (19 against 7 ms).
//
// A settled term is passed as an empty string to the same statement,
// which then skips its strpos(): a keyword of one term is one statement
// whatever its length, so the generic plans that ratings.Warm makes with
// a two-character word serve a four-character one too.
func (k Keyword) gramRecheck(col string, arg func(any) string) string {
	var conds []string
	for _, t := range k.Terms {
		if utf8.RuneCountInString(t) <= 2 {
			t = ""
		}
		p := arg(t) + "::text"
		conds = append(conds, "("+p+" = '' OR "+holds(col, p)+")")
	}
	return " AND " + strings.Join(conds, " AND ")
}

// unitLexeme is the lexeme minyi_rating_grams adds for the unit: chr(1)
// and its id, never a gram of a text (at most two characters).
func unitLexeme(unit int64) string {
	return lexeme("\x01" + strconv.FormatInt(unit, 10))
}

// Recheck is Cond without the gram index: the condition that col holds
// every term, checked on the text itself. It is for rows already chosen
// by another index (one unit's cases), where reading the text of a few
// hundred rows costs less than the gram index's hits of every unit. A
// zero keyword is "true".
func (k Keyword) Recheck(col string, arg func(any) string) string {
	if k.IsZero() {
		return "true"
	}
	var conds []string
	for _, t := range k.Terms {
		conds = append(conds, holds(col, arg(t)+"::text"))
	}
	return "(" + strings.Join(conds, " AND ") + ")"
}

// holds is the condition that the text col holds the term of the
// placeholder p, whatever its case.
func holds(col, p string) string { return "strpos(lower(" + col + "), " + p + ") > 0" }

// Highlight is text, HTML-escaped, with every occurrence of the keyword's
// terms (ignoring case) in <mark>. A zero keyword is the escaped text.
func Highlight(text string, k Keyword) template.HTML {
	if k.IsZero() || text == "" {
		return template.HTML(template.HTMLEscapeString(text))
	}
	r := []rune(text)
	lower := []rune(strings.ToLower(text))
	if len(lower) != len(r) { // a letter whose lower case is longer: no marks
		return template.HTML(template.HTMLEscapeString(text))
	}
	marked := make([]bool, len(r))
	for _, t := range k.Terms {
		tr := []rune(t)
		for i := 0; i+len(tr) <= len(lower); i++ {
			if string(lower[i:i+len(tr)]) == t {
				for j := i; j < i+len(tr); j++ {
					marked[j] = true
				}
			}
		}
	}
	var b strings.Builder
	for i := 0; i < len(r); {
		j := i
		for j < len(r) && marked[j] == marked[i] {
			j++
		}
		part := template.HTMLEscapeString(string(r[i:j]))
		if marked[i] {
			part = "<mark>" + part + "</mark>"
		}
		b.WriteString(part)
		i = j
	}
	return template.HTML(b.String())
}

// HighlightText is Highlight for the raw search box q (as the pages keep
// it); a q that does not parse marks nothing.
func HighlightText(text, q string) template.HTML {
	k, _ := Parse(q)
	return Highlight(text, k)
}
