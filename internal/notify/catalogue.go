package notify

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"minyi/internal/apperr"
	"minyi/internal/safetext"
)

// The catalogue of notification texts (issue 14): every kind an event
// sends, with its name and readers in the office's words, the placeholders
// its texts may use and its default title and body. It is the one source
// of the default wording; the office may replace a kind's texts
// (templates_store.go) and Send renders whichever applies. A new kind is
// one more entry appended to a catalogue file (catalogue_*.go); the kind
// constants live here, beside their texts, because notify cannot import
// the packages that send them (they import notify), and those packages
// name them through their own constants.

// Text is a title and a body: a template with {placeholders}, or the
// texts rendered from one.
type Text struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// Placeholder is one value a kind's texts may name in braces, e.g. {案件}.
type Placeholder struct {
	Name    string `json:"name"`
	About   string `json:"about"`
	Example string `json:"example"`
}

// Template is a catalogue entry: one kind of notification.
type Template struct {
	Kind string `json:"kind"`
	// Name is the kind in the office's words, e.g. 整改案件交办.
	Name string `json:"name"`
	// For is who reads it: ToUnitKind, ToOfficeKind, ForLeader,
	// ForStarter or ForCitizen.
	For          string        `json:"for"`
	Placeholders []Placeholder `json:"placeholders"`
	Default      Text          `json:"default"`
	// SMS marks a text sent as an SMS to citizens: a body without a
	// title, at most maxSMS characters, carrying the opt-out link.
	SMS bool `json:"sms"`
}

// maxSMS is the longest SMS text the office may write: a few segments
// with the links, never a letter.
const maxSMS = 300

// Values are a notice's placeholder values by name (without braces).
type Values map[string]string

// Audiences in the office's words, in the order the template list groups
// them.
var audiences = []struct{ Kind, Label string }{
	{ToUnitKind, "发给责任单位"},
	{ToOfficeKind, "发给绩效办"},
	{ForLeader, "发给领导"},
	{ForStarter, "发给发起导出的人"},
	{ForCitizen, "发给群众（短信）"},
}

// AudienceLabel names who reads a kind.
func AudienceLabel(kind string) string {
	for _, a := range audiences {
		if a.Kind == kind {
			return a.Label
		}
	}
	return kind
}

// catalogue is every kind, in list order; the catalogue_*.go files fill it.
var catalogue = join(caseTemplates, assessmentTemplates, selfEvalTemplates, approvalTemplates, exportTemplates,
	citizenTemplates)

func join(parts ...[]Template) []Template {
	var out []Template
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// Catalogue returns every kind, grouped by readers (units first), in
// catalogue order within a group.
func Catalogue() []Template {
	out := make([]Template, len(catalogue))
	copy(out, catalogue)
	order := map[string]int{}
	for i, a := range audiences {
		order[a.Kind] = i
	}
	sort.SliceStable(out, func(i, j int) bool { return order[out[i].For] < order[out[j].For] })
	return out
}

// Lookup returns the catalogue entry of kind.
func Lookup(kind string) (Template, bool) {
	for _, t := range catalogue {
		if t.Kind == kind {
			return t, true
		}
	}
	return Template{}, false
}

// Examples are the example values of the kind's placeholders, for the
// preview.
func (t Template) Examples() Values {
	v := Values{}
	for _, p := range t.Placeholders {
		v[p.Name] = p.Example
	}
	return v
}

// placeholderRE is one {name} in a text: braces around anything but
// braces and line breaks. A lone brace is plain text.
var placeholderRE = regexp.MustCompile(`\{([^{}\n]{1,30})\}`)

// Names returns the placeholder names a text uses, in order, once each.
func Names(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range placeholderRE.FindAllStringSubmatch(text, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	return out
}

// Render fills text's placeholders with values in one pass: a value is
// never scanned again, so braces a user typed into a free-text value stay
// as typed. A name without a value stays as written.
func Render(text string, values Values) string {
	return placeholderRE.ReplaceAllStringFunc(text, func(m string) string {
		if v, ok := values[m[1:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

// RenderText renders a title and body with values.
func RenderText(t Text, values Values) Text {
	return Text{Title: Render(t.Title, values), Body: Render(t.Body, values)}
}

// unknownNames returns the names text uses that t has no placeholder for.
func (t Template) unknownNames(text string) []string {
	known := map[string]bool{}
	for _, p := range t.Placeholders {
		known[p.Name] = true
	}
	var out []string
	for _, n := range Names(text) {
		if !known[n] {
			out = append(out, n)
		}
	}
	return out
}

// Validate checks texts the office wrote for kind t: title and body not
// empty, at most maxTitle and maxBody characters, and only placeholders of
// the kind. It returns an invalid error with a message per field; an
// unknown placeholder's message names it.
func (t Template) Validate(x Text) error {
	f := apperr.Fields{}
	check := func(field, label, text string, limit int) {
		switch n := utf8.RuneCountInString(strings.TrimSpace(text)); {
		case n == 0:
			f.Add(field, "请填写"+label)
		case utf8.RuneCountInString(text) > limit:
			f.Add(field, label+"不能超过"+strconv.Itoa(limit)+"个字")
		}
		if !safetext.Valid(text) {
			f.Add(field, label+safetext.Message)
		}
		if bad := t.unknownNames(text); len(bad) > 0 {
			f.Add(field, label+"中有本类通知没有的占位符：{"+strings.Join(bad, "}、{")+"}，请从可用占位符中选择")
		}
	}
	if t.SMS {
		// An SMS has no title; it must let the citizen opt out.
		check("body", "短信内容", x.Body, maxSMS)
		if _, bad := f["body"]; !bad && !strings.Contains(x.Body, "{"+PlaceholderStop+"}") {
			f.Add("body", "短信内容须包含退订链接{"+PlaceholderStop+"}")
		}
		return f.Err()
	}
	check("title", "标题", x.Title, maxTitle)
	check("body", "正文", x.Body, maxBody)
	return f.Err()
}

// normalize trims the texts and turns Windows line breaks into plain ones,
// as a browser's textarea sends them, so that saving what is shown again
// compares equal.
func (x Text) normalize() Text {
	return Text{Title: strings.TrimSpace(x.Title),
		Body: strings.TrimSpace(strings.ReplaceAll(x.Body, "\r\n", "\n"))}
}
