package server_test

import (
	"bytes"
	"encoding/json"
	"html"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// The golden walk records what a reply looks like, never what it holds:
// the status, the Content-Type and a shape of the body.
//
//   - JSON: the sorted key paths, "items[].id"; an array is "name[]" (also
//     when empty) and its elements' keys are merged under it. An object
//     whose keys are data rather than field names has its keys collapsed
//     to "*": when any key is not a lower-case identifier (ids, dates,
//     periods, uuids, Chinese names), or it is one of goldenDataMaps.
//   - HTML: the <title> and the first <h1>, tags stripped, white space
//     collapsed, digit runs replaced by "#" (years, ids, counts).
//   - Redirects: the Location's path with each segment holding a digit as
//     "#", and the names of its query parameters.
//   - Anything else: the type and whether the body is empty.

// goldenDataMaps are the fields holding objects keyed by data that looks
// like field names: scheme leaf keys (inputs.entries), question keys
// (aspects), group keys (group_responses) and grades (grades).
var goldenDataMaps = map[string]bool{"entries": true, "aspects": true, "group_responses": true, "grades": true}

// fieldKeyRE is what a field name looks like; other keys are data.
var fieldKeyRE = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

var digitsRE = regexp.MustCompile(`[0-9]+`)

// goldenShape describes a reply on one line (without the status).
func goldenShape(res *http.Response, body []byte) string {
	ctype := res.Header.Get("Content-Type")
	if res.StatusCode >= 300 && res.StatusCode < 400 {
		return "ctype=" + orDash(ctype) + " location=" + locationShape(res.Header.Get("Location"))
	}
	media, _, _ := mime.ParseMediaType(ctype)
	var shape string
	switch {
	case len(body) == 0:
		shape = "empty"
	case media == "application/json":
		shape = "json=" + jsonShape(body)
	case media == "text/html":
		shape = "title=" + quoteText(tagText(body, "title")) + " h1=" + quoteText(tagText(body, "h1"))
	default:
		shape = "body=non-empty"
	}
	return "ctype=" + orDash(ctype) + " " + shape
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// locationShape is a redirect target without ids: the path with every
// segment holding a digit (ids, uuids, dates) as "#", and the sorted names
// of the query parameters.
func locationShape(loc string) string {
	if loc == "" {
		return "-"
	}
	u, err := url.Parse(loc)
	if err != nil {
		return "unparsable"
	}
	segs := strings.Split(u.Path, "/")
	for i, seg := range segs {
		if strings.ContainsAny(seg, "0123456789") {
			segs[i] = "#"
		}
	}
	out := strings.Join(segs, "/")
	if q := u.Query(); len(q) > 0 {
		names := make([]string, 0, len(q))
		for k := range q {
			names = append(names, k)
		}
		sort.Strings(names)
		out += "?" + strings.Join(names, "&")
	}
	return out
}

// jsonShape is the sorted, comma-separated key paths of a JSON document.
func jsonShape(body []byte) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "invalid"
	}
	set := map[string]bool{}
	collectPaths(v, "", "", set)
	if len(set) == 0 {
		switch v.(type) {
		case map[string]any:
			return "{}"
		case []any:
			return "[]"
		}
		return "scalar"
	}
	paths := make([]string, 0, len(set))
	for p := range set {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return strings.Join(paths, ",")
}

// collectPaths adds the paths under v, found at prefix as field name.
func collectPaths(v any, prefix, name string, set map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		dataKeys := goldenDataMaps[name]
		for k := range x {
			if !fieldKeyRE.MatchString(k) {
				dataKeys = true
				break
			}
		}
		for k, child := range x {
			if dataKeys {
				k = "*"
			}
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			set[p] = true
			collectPaths(child, p, k, set)
		}
	case []any:
		p := prefix + "[]"
		set[p] = true
		for _, child := range x {
			collectPaths(child, p, "", set)
		}
	}
}

var tagREs = map[string]*regexp.Regexp{
	"title": regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`),
	"h1":    regexp.MustCompile(`(?is)<h1[^>]*>(.*?)</h1>`),
}

var anyTagRE = regexp.MustCompile(`(?s)<[^>]*>`)

// tagText is the text of the first element named tag, or "" without one.
func tagText(body []byte, tag string) string {
	m := tagREs[tag].FindSubmatch(body)
	if m == nil {
		return ""
	}
	text := html.UnescapeString(anyTagRE.ReplaceAllString(string(m[1]), " "))
	text = strings.Join(strings.Fields(text), " ")
	return digitsRE.ReplaceAllString(text, "#")
}

func quoteText(s string) string {
	if s == "" {
		return "-"
	}
	return `"` + s + `"`
}
