package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Change is one field of an entry, before and after, in words.
type Change struct {
	Field  string `json:"field"`  // the field's Chinese name; 其他字段 when it has none
	Before string `json:"before"` // "" when the field had no value
	After  string `json:"after"`
}

// maxDepth is how deep nested objects are flattened into paths; deeper
// parts, and lists of records, are summarized.
const maxDepth = 3

// maxValue is how many characters of a value are shown.
const maxValue = 120

// Diff lists the fields an entry changed, in the order of their names:
// for a new record every field it has, for a change the fields whose value
// differs. Unknown fields are shown under a generic name, never dropped.
func Diff(entity string, before, after json.RawMessage, loc *time.Location) []Change {
	b, a := flatten(before), flatten(after)
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	paths := make([]string, 0, len(keys))
	for k := range keys {
		paths = append(paths, k)
	}
	sort.Strings(paths)
	var out []Change
	for _, p := range paths {
		bv, bok := b[p]
		av, aok := a[p]
		if bok && aok && equalJSON(bv, av) {
			continue
		}
		if !bok && isEmpty(av) || !aok && isEmpty(bv) {
			continue
		}
		c := Change{Field: FieldLabel(entity, p)}
		if bok {
			c.Before = words(p, bv, loc)
		}
		if aok {
			c.After = words(p, av, loc)
		}
		if bok && aok && c.Before == c.After {
			c.Before, c.After = precise(bv, c.Before, loc), precise(av, c.After, loc)
			if c.Before == c.After {
				c.After += "（内容有变化）"
			}
		}
		out = append(out, c)
	}
	return out
}

// UnlabelledFields lists the paths of an entry's fields that have no
// Chinese name.
func UnlabelledFields(entity string, before, after json.RawMessage) []string {
	var out []string
	for _, raw := range []json.RawMessage{before, after} {
		for p := range flatten(raw) {
			if _, ok := fieldName(entity, p); !ok {
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out
}

// flatten reads raw into path → value, objects flattened to maxDepth. A
// value that is not an object is one field, 值.
func flatten(raw json.RawMessage) map[string]any {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return map[string]any{"value": string(raw)}
	}
	out := map[string]any{}
	if m, ok := v.(map[string]any); ok {
		flattenInto(out, "", m, 1)
	} else {
		out["value"] = v
	}
	return out
}

func flattenInto(out map[string]any, prefix string, m map[string]any, depth int) {
	for k, v := range m {
		p := k
		if prefix != "" {
			p = prefix + "." + k
		}
		if sub, ok := v.(map[string]any); ok && depth < maxDepth && len(sub) > 0 && !summarized[k] {
			flattenInto(out, p, sub, depth+1)
			continue
		}
		out[p] = v
	}
}

// summarized are the keys of structures shown as a count of their parts,
// not field by field: a scheme's tree of indicators.
var summarized = map[string]bool{"tree": true}

// counted are lists of record ids (files, ratings, cases, units), shown as
// how many they are: an id means nothing to a reader.
var counted = map[string]string{"evidence_ids": " 个文件", "done_evidence": " 个文件", "evidence": " 个文件",
	"files": " 个文件", "rating_ids": " 条评价", "case_ids": " 个案件", "unit_ids": " 个单位"}

// countNodes counts the records in a tree of nested objects and lists.
func countNodes(v any) int {
	n := 0
	switch t := v.(type) {
	case map[string]any:
		if _, ok := t["key"]; ok {
			n++
		}
		for _, c := range t {
			n += countNodes(c)
		}
	case []any:
		for _, c := range t {
			n += countNodes(c)
		}
	}
	return n
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func isEmpty(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case string:
		return t == ""
	case []any:
		return len(t) == 0
	case map[string]any:
		return len(t) == 0
	}
	return false
}

// words shows one value: enums, yes/no and times in words, lists and
// records summarized, long text cut.
func words(path string, v any, loc *time.Location) string {
	key := path
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		key = path[i+1:]
	}
	if summarized[key] {
		return strconv.Itoa(countNodes(v)) + " 个项目"
	}
	if l, ok := v.([]any); ok && counted[key] != "" {
		return strconv.Itoa(len(l)) + counted[key]
	}
	switch t := v.(type) {
	case nil:
		return ""
	case bool:
		if t {
			return "是"
		}
		return "否"
	case json.Number:
		if w, ok := valueWord(path, t.String()); ok {
			return w
		}
		return t.String()
	case string:
		if w, ok := valueWord(path, t); ok {
			return w
		}
		if at, err := time.Parse(time.RFC3339Nano, t); err == nil {
			return at.In(loc).Format("2006-01-02 15:04:05")
		}
		return cut(t)
	case []any:
		if len(t) == 0 {
			return ""
		}
		scalars := make([]string, 0, len(t))
		for _, e := range t {
			switch e.(type) {
			case map[string]any, []any:
				return summary(len(t))
			}
			scalars = append(scalars, words(path, e, loc))
		}
		if len(t) > 10 {
			return summary(len(t))
		}
		return cut(strings.Join(scalars, "、"))
	case map[string]any:
		return "共 " + strconv.Itoa(len(t)) + " 项内容"
	}
	return cut(fmt.Sprint(v))
}

// precise shows a time to the microsecond when two differ within a second;
// other values stay as shown.
func precise(v any, shown string, loc *time.Location) string {
	if s, ok := v.(string); ok {
		if at, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return at.In(loc).Format("2006-01-02 15:04:05.000000")
		}
	}
	return shown
}

func summary(n int) string {
	return "共 " + strconv.Itoa(n) + " 项"
}

func cut(s string) string {
	if n := utf8.RuneCountInString(s); n > maxValue {
		r := []rune(s)
		return string(r[:maxValue]) + "…（共 " + strconv.Itoa(n) + " 字）"
	}
	return s
}
