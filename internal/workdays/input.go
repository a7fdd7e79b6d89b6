package workdays

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"minyi/internal/apperr"
	"minyi/internal/safetext"
)

// Limits of a year's list.
const (
	maxDays     = 120
	maxNameLen  = 20
	maxNoteLen  = 200
	maxRangeLen = 31
)

// YearInput is a year's whole list of special days as the office enters
// it; saving it replaces the year's list.
type YearInput struct {
	Year int    `json:"year"`
	Note string `json:"note"`
	Days []Day  `json:"days"`
}

// Normalize trims the note and every day's fields.
func (in *YearInput) Normalize() {
	in.Note = strings.TrimSpace(in.Note)
	for i := range in.Days {
		d := &in.Days[i]
		d.Date, d.Kind, d.Name = strings.TrimSpace(d.Date), strings.TrimSpace(d.Kind), strings.TrimSpace(d.Name)
	}
}

// Problem is one thing wrong with a YearInput: Index is the day's index in
// Days, or -1 for the input as a whole; Field names the field (year, note,
// days, or a day's date, kind or name).
type Problem struct {
	Index   int
	Field   string
	Message string
}

// Problems lists what is wrong with the input: the year outside 2000–2100,
// a note over 200 characters, no holiday or over 120 days, and per day a
// malformed date or one outside the year, an unknown kind, a missing name or
// one over 20 characters, a make-up workday on a weekday, and a date entered
// twice (or as both a holiday and a make-up workday).
func (in YearInput) Problems() []Problem {
	var ps []Problem
	add := func(i int, field, msg string) { ps = append(ps, Problem{Index: i, Field: field, Message: msg}) }
	if in.Year < MinYear || in.Year > MaxYear {
		add(-1, "year", "年度须在2000到2100之间")
	}
	if !safetext.Valid(in.Note) {
		add(-1, "note", "备注"+safetext.Message)
	} else if utf8.RuneCountInString(in.Note) > maxNoteLen {
		add(-1, "note", "备注不能超过200字")
	}
	if len(in.Days) > maxDays {
		add(-1, "days", fmt.Sprintf("每年最多录入%d天，当前%d天", maxDays, len(in.Days)))
		return ps
	}
	seen := map[string]int{}
	holidays := 0
	for i, d := range in.Days {
		if d.Kind == Holiday {
			holidays++
		} else if d.Kind != Workday {
			add(i, "kind", "类型须为放假（休）或调休上班（班）")
		}
		if !safetext.Valid(d.Name) {
			add(i, "name", "节日名称"+safetext.Message)
		} else if n := utf8.RuneCountInString(d.Name); n == 0 {
			add(i, "name", "请填写节日名称，如 春节")
		} else if n > maxNameLen {
			add(i, "name", "节日名称不能超过20字")
		}
		t, err := time.Parse(dateLayout, d.Date)
		switch {
		case err != nil:
			add(i, "date", "日期“"+d.Date+"”无效，格式为 YYYY-MM-DD")
			continue
		case t.Year() != in.Year:
			add(i, "date", fmt.Sprintf("日期 %s 不在%d年内", d.Date, in.Year))
			continue
		}
		if wd := t.Weekday(); d.Kind == Workday && wd != time.Saturday && wd != time.Sunday {
			add(i, "date", fmt.Sprintf("调休上班日须为周六或周日，%s 是%s", d.Date, WeekdayLabel(wd)))
		}
		if j, dup := seen[d.Date]; dup {
			if in.Days[j].Kind != d.Kind {
				add(i, "date", d.Date+" 不能既是放假日又是调休上班日")
			} else {
				add(i, "date", "日期 "+d.Date+" 重复录入")
			}
			continue
		}
		seen[d.Date] = i
	}
	if holidays == 0 {
		add(-1, "days", "请至少录入一个放假日")
	}
	return ps
}

// Validate returns an invalid error naming each bad field, days as
// days[i].date, days[i].kind and days[i].name; see Problems.
func (in YearInput) Validate() error {
	f := apperr.Fields{}
	for _, p := range in.Problems() {
		if p.Index < 0 {
			f.Add(p.Field, p.Message)
		} else {
			f.Add("days["+strconv.Itoa(p.Index)+"]."+p.Field, p.Message)
		}
	}
	return f.Err()
}

// sortDays orders days by date.
func sortDays(days []Day) {
	slices.SortFunc(days, func(a, b Day) int { return strings.Compare(a.Date, b.Date) })
}

// weekdayLabels are the Chinese names of the weekdays, Sunday first.
var weekdayLabels = [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}

// WeekdayLabel is the Chinese name of wd, e.g. 星期一.
func WeekdayLabel(wd time.Weekday) string { return weekdayLabels[wd] }

// KindLabel is the Chinese name of a kind: 放假 or 调休上班.
func KindLabel(kind string) string {
	if kind == Workday {
		return "调休上班"
	}
	return "放假"
}
