package workdays

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// The text form of a year's list, one entry a line:
//
//	2027-01-01 元旦 休
//	2027-02-06~2027-02-12 春节 休
//	2027-02-14 春节 班
//
// A line is a date or an inclusive range of dates (A~B or A至B), the
// festival's name and 休 (a holiday) or 班 (a make-up workday); blank lines
// and lines starting with # are skipped.

// kindWords maps the last word of a line to a kind.
var kindWords = map[string]string{
	"休": Holiday, "假": Holiday, "放假": Holiday, "休息": Holiday,
	"班": Workday, "上班": Workday, "补班": Workday, "调休上班": Workday,
}

// TextLines is a parsed text form: the days and, for each, the line (from
// 1) it came from.
type TextLines struct {
	Days  []Day
	Lines []int
}

// LineError is a problem on one line of the text form (Line 0: the whole
// text), or on one item of a JSON file's days (Unit 项).
type LineError struct {
	Line    int
	Message string
	// Unit is what Line counts: 行 (lines, when empty) or 项 (items).
	Unit string
}

// String is the message with its line, e.g. "第3行：…".
func (e LineError) String() string {
	if e.Line == 0 {
		return e.Message
	}
	unit := e.Unit
	if unit == "" {
		unit = "行"
	}
	return fmt.Sprintf("第%d%s：%s", e.Line, unit, e.Message)
}

// ParseText reads the text form. It returns the days found and one
// LineError per line it cannot read; a well-formed line may still break a
// rule of YearInput, which LineProblems reports by line.
func ParseText(text string) (TextLines, []LineError) {
	var out TextLines
	var errs []LineError
	for i, raw := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		days, msg := parseLine(line)
		if msg != "" {
			errs = append(errs, LineError{Line: i + 1, Message: msg})
			continue
		}
		for _, d := range days {
			out.Days = append(out.Days, d)
			out.Lines = append(out.Lines, i+1)
		}
	}
	return out, errs
}

// parseLine reads one non-blank line, returning a message when it cannot.
func parseLine(line string) ([]Day, string) {
	words := strings.FieldsFunc(line, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == '，' })
	if len(words) != 3 {
		return nil, "格式应为“日期 节日名称 休/班”，如 2027-01-01 元旦 休"
	}
	kind, ok := kindWords[words[2]]
	if !ok {
		return nil, "最后一项“" + words[2] + "”须为“休”（放假）或“班”（调休上班）"
	}
	from, to, isRange := strings.Cut(strings.ReplaceAll(words[0], "至", "~"), "~")
	start, err := time.Parse(dateLayout, from)
	if err != nil {
		return nil, "日期“" + from + "”无效，格式为 YYYY-MM-DD"
	}
	end := start
	if isRange {
		if end, err = time.Parse(dateLayout, to); err != nil {
			return nil, "日期“" + to + "”无效，格式为 YYYY-MM-DD"
		}
		if end.Before(start) {
			return nil, "日期范围的结束日期不能早于开始日期"
		}
		if end.Sub(start) >= maxRangeLen*24*time.Hour {
			return nil, fmt.Sprintf("一个日期范围最多%d天", maxRangeLen)
		}
	}
	var days []Day
	for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
		days = append(days, Day{Date: d.Format(dateLayout), Kind: kind, Name: words[1]})
	}
	return days, ""
}

// LineProblems checks in (whose days came from lines) and reports each
// problem with its line; problems of the whole list have line 0.
func LineProblems(in YearInput, lines []int) []LineError { return problemsAt(in, lines, "") }

// problemsAt reports in's problems with the line or item (unit) each of
// its days came from.
func problemsAt(in YearInput, lines []int, unit string) []LineError {
	var out []LineError
	seen := map[LineError]bool{}
	for _, p := range in.Problems() {
		e := LineError{Message: p.Message, Unit: unit}
		if p.Index >= 0 && p.Index < len(lines) {
			e.Line = lines[p.Index]
		}
		if !seen[e] { // a range repeats its line's problem for every day
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}

// Range is a run of consecutive days of one festival and kind.
type Range struct {
	From, To   string // dates, both included
	Kind, Name string
	Count      int
}

// Ranges joins days (sorted by date) into runs of consecutive days of the
// same festival and kind.
func Ranges(days []Day) []Range {
	var out []Range
	for _, d := range days {
		if n := len(out); n > 0 && out[n-1].Kind == d.Kind && out[n-1].Name == d.Name && nextDate(out[n-1].To) == d.Date {
			out[n-1].To = d.Date
			out[n-1].Count++
			continue
		}
		out = append(out, Range{From: d.Date, To: d.Date, Kind: d.Kind, Name: d.Name, Count: 1})
	}
	return out
}

// FormatText writes days (sorted by date) in the text form, one range a
// line.
func FormatText(days []Day) string {
	var b strings.Builder
	word := map[string]string{Holiday: "休", Workday: "班"}
	for _, r := range Ranges(days) {
		b.WriteString(r.From)
		if r.To != r.From {
			b.WriteString("~" + r.To)
		}
		b.WriteString(" " + r.Name + " " + word[r.Kind] + "\n")
	}
	return b.String()
}

// nextDate returns the date after d (YYYY-MM-DD), or "" for a bad date.
func nextDate(d string) string {
	t, err := time.Parse(dateLayout, d)
	if err != nil {
		return ""
	}
	return t.AddDate(0, 0, 1).Format(dateLayout)
}
