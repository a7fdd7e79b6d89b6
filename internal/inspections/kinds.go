// Package inspections records the performance office's own checks (检查):
// Zhongshan's monthly self-check, quarterly spot check and half-year
// inspection (001 § 18), Jiangxi's verification of evidence and on-site
// checks (002 § 18) and Harbin's 察访核验 (§ 22). An inspection belongs to
// a cycle and names its kind, date, title, the people who took part, the
// units inspected, optionally the indicators of their target sheets, and
// carries files (evidence files, as deductions and reports do). Each
// finding concerns one unit (and optionally one of its indicators) and may
// become, once, a rectification case (internal/feedback) and a deduction
// proposal (internal/assessors).
package inspections

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"minyi/internal/apperr"
)

// Kinds of inspection, in the order the pages offer them.
var Kinds = []struct{ Key, Label string }{
	{"self_check", "月度自查"},
	{"spot_check", "季度抽查"},
	{"half_year", "半年督查"},
	{"evidence_check", "佐证核验"},
	{"on_site", "实地核查"},
	{"visit_verify", "察访核验"},
}

// Severities of a finding, in the order the pages offer them. A "good"
// finding (亮点) records good practice; it becomes neither a case nor a
// deduction.
var Severities = []struct{ Key, Label string }{
	{"general", "一般问题"},
	{"serious", "严重问题"},
	{"good", "工作亮点"},
}

// KindLabel is a kind in Chinese ("" for an unknown one).
func KindLabel(k string) string {
	for _, x := range Kinds {
		if x.Key == k {
			return x.Label
		}
	}
	return ""
}

// SeverityLabel is a severity in Chinese ("" for an unknown one).
func SeverityLabel(k string) string {
	for _, x := range Severities {
		if x.Key == k {
			return x.Label
		}
	}
	return ""
}

// Limits of an inspection.
const (
	MaxTitle    = 200
	MaxPeople   = 500
	MaxBody     = 2000
	MaxUnits    = 2000
	MaxFindings = 200
)

// Input is an inspection the office records, with its first findings.
type Input struct {
	Kind         string         `json:"kind"`
	HeldOn       string         `json:"held_on"`
	Title        string         `json:"title"`
	People       string         `json:"people"`
	UnitIDs      []int64        `json:"unit_ids"`
	IndicatorIDs []int64        `json:"indicator_ids"`
	SchemeItems  []string       `json:"scheme_items"`
	EvidenceIDs  []string       `json:"evidence_ids"`
	Findings     []FindingInput `json:"findings"`
	ClientKey    string         `json:"client_key"`
}

// FindingInput is one finding: the unit, optionally one indicator of its
// target sheet (0 or absent for none) and one of the inspection's scheme
// indicators (its ref, "" for none), the severity and the text.
type FindingInput struct {
	UnitID      int64  `json:"unit_id"`
	IndicatorID int64  `json:"indicator_id"`
	SchemeItem  string `json:"scheme_item"`
	Severity    string `json:"severity"`
	Body        string `json:"body"`
	ClientKey   string `json:"client_key"`
}

// Normalize trims the text and drops repeated unit and indicator ids.
func (in *Input) Normalize() {
	in.Kind, in.HeldOn = strings.TrimSpace(in.Kind), strings.TrimSpace(in.HeldOn)
	in.Title, in.People = strings.TrimSpace(in.Title), strings.TrimSpace(in.People)
	in.ClientKey = strings.TrimSpace(in.ClientKey)
	in.UnitIDs = uniq(in.UnitIDs)
	in.IndicatorIDs = uniq(in.IndicatorIDs)
	in.SchemeItems = uniqRefs(in.SchemeItems)
	for i := range in.Findings {
		in.Findings[i].normalize()
	}
}

func (f *FindingInput) normalize() {
	f.Severity, f.Body, f.ClientKey = strings.TrimSpace(f.Severity), strings.TrimSpace(f.Body), strings.TrimSpace(f.ClientKey)
	f.SchemeItem = strings.TrimSpace(f.SchemeItem)
}

// uniqRefs trims the refs and drops empty and repeated ones.
func uniqRefs(refs []string) []string {
	out := []string{}
	for _, r := range refs {
		if r = strings.TrimSpace(r); r != "" && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

func uniq(ids []int64) []int64 {
	out := []int64{}
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// Validate checks what can be checked without the database, on a
// normalized input: a listed kind, a date not after today (a local date,
// YYYY-MM-DD), a title, at most MaxPeople characters of people, one to
// MaxUnits units and each finding (see FindingInput.validate) of one of
// them. It returns invalid with a Chinese message per field.
func (in Input) Validate(today string) error {
	f := apperr.Fields{}
	if KindLabel(in.Kind) == "" {
		f.Add("kind", "请选择检查类型")
	}
	if d, err := time.Parse(time.DateOnly, in.HeldOn); err != nil {
		f.Add("held_on", "请填写检查日期（如 2026-05-20）")
	} else if d.Format(time.DateOnly) > today {
		f.Add("held_on", "检查日期不能晚于今天")
	}
	if n := utf8.RuneCountInString(in.Title); n == 0 || n > MaxTitle {
		f.Add("title", "请填写检查名称（不超过200字）")
	}
	if utf8.RuneCountInString(in.People) > MaxPeople {
		f.Add("people", "参加人员不能超过500字")
	}
	if len(in.UnitIDs) == 0 {
		f.Add("unit_ids", "请选择被检查的单位")
	} else if len(in.UnitIDs) > MaxUnits {
		f.Add("unit_ids", "一次检查最多2000个单位")
	}
	if utf8.RuneCountInString(in.ClientKey) > 100 {
		f.Add("client_key", "client_key 不能超过100个字符")
	}
	if len(in.SchemeItems) > MaxItems {
		f.Add("scheme_items", MsgTooManyItems)
	}
	if len(in.Findings) > MaxFindings {
		f.Add("findings", "一次最多登记200条问题")
	}
	for _, x := range in.Findings {
		if msg := x.validate(); msg != "" {
			f.Add("findings", msg)
			break
		}
		if !slices.Contains(in.UnitIDs, x.UnitID) {
			f.Add("findings", "发现的问题须属于被检查的单位")
			break
		}
		if x.SchemeItem != "" && !slices.Contains(in.SchemeItems, x.SchemeItem) {
			f.Add("findings", MsgFindingItem)
			break
		}
	}
	return f.Err()
}

// validate returns the first problem of a normalized finding, "" for none.
func (x FindingInput) validate() string {
	switch {
	case x.UnitID <= 0:
		return "请选择问题所属的单位"
	case SeverityLabel(x.Severity) == "":
		return "请选择问题性质"
	case x.Body == "" || utf8.RuneCountInString(x.Body) > MaxBody:
		return "请填写发现的问题（不超过2000字）"
	case utf8.RuneCountInString(x.ClientKey) > 100:
		return "client_key 不能超过100个字符"
	}
	return ""
}

// Validate checks one finding added to an inspection: see Input.Validate.
// The field is the finding's own (unit_id, severity, body).
func (x FindingInput) Validate() error {
	f := apperr.Fields{}
	if x.UnitID <= 0 {
		f.Add("unit_id", "请选择问题所属的单位")
	}
	if SeverityLabel(x.Severity) == "" {
		f.Add("severity", "请选择问题性质")
	}
	if n := utf8.RuneCountInString(x.Body); n == 0 || n > MaxBody {
		f.Add("body", "请填写发现的问题（不超过2000字）")
	}
	if utf8.RuneCountInString(x.ClientKey) > 100 {
		f.Add("client_key", "client_key 不能超过100个字符")
	}
	return f.Err()
}
