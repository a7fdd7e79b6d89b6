package workdays

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"minyi/internal/apperr"
)

// The JSON forms of a year's list. Minyi's own is
//
//	{"note": "…", "days": [{"date": "2027-01-01", "kind": "holiday", "name": "元旦"}, …]}
//
// and the open data of NateScarlet/holiday-cn, one file a year, is
//
//	{"year": 2027, "papers": ["<the notice's address>"],
//	 "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}, …]}
//
// where isOffDay true is a holiday (休) and false a make-up workday (班).
// A notice can also list days of the neighbouring year (the 2019 file
// starts with 2018-12-29..31): those are left out, with a note, as they
// belong to that year's calendar.

// JSONYear is a year's list in either JSON form.
type JSONYear struct {
	Year   *int      `json:"year"`
	Note   string    `json:"note"`
	Papers []string  `json:"papers"`
	Days   []JSONDay `json:"days"`
}

// JSONDay is one day of a JSONYear: Kind in Minyi's form, IsOffDay in
// holiday-cn's.
type JSONDay struct {
	Date     string `json:"date"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	IsOffDay *bool  `json:"isOffDay"`
}

// HolidayCN reports whether j has holiday-cn's shape: a papers list, or a
// day with isOffDay.
func (j JSONYear) HolidayCN() bool {
	if j.Papers != nil {
		return true
	}
	for _, d := range j.Days {
		if d.IsOffDay != nil {
			return true
		}
	}
	return false
}

// maxJSONBytes bounds a JSON year (a holiday-cn file is about 4 KB).
const maxJSONBytes = 64 << 10

// ParseJSON reads a JSON year as pasted or uploaded in the console. It
// returns invalid (field days) for a text over 64 KB or not a JSON object.
func ParseJSON(data []byte) (JSONYear, error) {
	var j JSONYear
	if len(data) > maxJSONBytes {
		return j, apperr.InvalidField("days", "文件超过64KB，不是一年的节假日安排")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	err := dec.Decode(&j)
	if err == nil && dec.More() {
		err = errors.New("trailing data")
	}
	if err != nil {
		msg := "内容不是有效的 JSON 节假日文件"
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			msg += fmt.Sprintf("（第%d个字节附近有误）", syn.Offset)
		}
		return JSONYear{}, apperr.InvalidField("days", msg)
	}
	return j, nil
}

// Import is a year's list read from JSON, ready to save.
type Import struct {
	Input YearInput
	// Index is, for each day of Input.Days, its place in the file's days.
	Index []int
	// Other are the days of other years the file also lists; they are
	// not imported.
	Other []Day
}

// Import converts j into year's list. Minyi's form is taken as it is
// (YearInput's rules then apply). A holiday-cn file is refused (invalid)
// when it is of another year (field year), lists no day at all (days), a
// day lacks isOffDay or has no valid date (days[i].isOffDay, days[i].date),
// or none of its days is of the year; its days of other years are kept
// apart in Other. Without a note, the note is the notice addresses
// (papers) that fit in it.
func (j JSONYear) Import(year int) (Import, error) {
	imp := Import{Input: YearInput{Year: year, Note: j.Note}}
	if !j.HolidayCN() {
		for i, d := range j.Days {
			imp.Input.Days = append(imp.Input.Days, Day{Date: d.Date, Kind: d.Kind, Name: d.Name})
			imp.Index = append(imp.Index, i)
		}
		return imp, nil
	}
	f := apperr.Fields{}
	if j.Year != nil && *j.Year != year {
		f.Add("year", fmt.Sprintf("该文件是%d年的节假日安排，不能录入为%d年的工作日历", *j.Year, year))
		return imp, f.Err()
	}
	if len(j.Days) == 0 {
		f.Add("days", "文件中没有任何日期：国务院办公厅公布该年节假日安排后才能录入")
		return imp, f.Err()
	}
	for i, d := range j.Days {
		field := "days[" + strconv.Itoa(i) + "]."
		date, err := time.Parse(dateLayout, strings.TrimSpace(d.Date))
		if err != nil {
			f.Add(field+"date", "第"+strconv.Itoa(i+1)+"项的日期“"+d.Date+"”无效，格式为 YYYY-MM-DD")
		}
		if d.IsOffDay == nil {
			f.Add(field+"isOffDay", "第"+strconv.Itoa(i+1)+"项缺少是否放假的标记（放假或调休上班）")
		}
		if err != nil || d.IsOffDay == nil {
			continue
		}
		day := Day{Date: date.Format(dateLayout), Kind: Holiday, Name: d.Name}
		if !*d.IsOffDay {
			day.Kind = Workday
		}
		if date.Year() != year {
			imp.Other = append(imp.Other, day)
			continue
		}
		imp.Input.Days = append(imp.Input.Days, day)
		imp.Index = append(imp.Index, i)
	}
	if len(f) == 0 && len(imp.Input.Days) == 0 {
		f.Add("days", fmt.Sprintf("文件中没有%d年的日期", year))
	}
	if imp.Input.Note == "" {
		imp.Input.Note = fitNote(j.Papers)
	}
	return imp, f.Err()
}

// fitNote joins the papers that fit in a note.
func fitNote(papers []string) string {
	var note string
	for _, p := range papers {
		p = strings.TrimSpace(p)
		next := strings.TrimSpace(note + " " + p)
		if p == "" || utf8.RuneCountInString(next) > maxNoteLen {
			continue
		}
		note = next
	}
	return note
}

// Validate checks the imported list, naming each bad day by its place in
// the file (days[i].date, …); see YearInput.Problems.
func (imp Import) Validate() error {
	f := apperr.Fields{}
	for _, p := range imp.Input.Problems() {
		if p.Index < 0 || p.Index >= len(imp.Index) {
			f.Add(p.Field, p.Message)
		} else {
			f.Add("days["+strconv.Itoa(imp.Index[p.Index])+"]."+p.Field, p.Message)
		}
	}
	return f.Err()
}

// Problems lists the imported list's problems for a page, each naming the
// day's place in the file (第3项：…).
func (imp Import) Problems() []LineError {
	items := make([]int, len(imp.Index))
	for i, n := range imp.Index {
		items[i] = n + 1
	}
	return problemsAt(imp.Input, items, "项")
}

// OtherNote says which days of other years the file listed and that they
// were not imported; "" when there were none.
func (imp Import) OtherNote() string {
	if len(imp.Other) == 0 {
		return ""
	}
	years := map[int]bool{}
	var list []string
	for _, d := range imp.Other {
		years[yearOfDate(d.Date)] = true
		list = append(list, d.Date+" "+d.Name+map[string]string{Holiday: "休", Workday: "班"}[d.Kind])
	}
	var ys []string
	for y := range years {
		ys = append(ys, strconv.Itoa(y)+"年")
	}
	if len(ys) > 1 {
		ys = []string{"其他年度"}
	}
	return fmt.Sprintf("文件中另有%d天不属于%d年（%s），未导入；这些日期属于%s的工作日历，如需调整请到该年修改。",
		len(imp.Other), imp.Input.Year, strings.Join(list, "、"), ys[0])
}

// yearOfDate is the year of a valid YYYY-MM-DD date.
func yearOfDate(date string) int {
	y, _ := strconv.Atoi(date[:4])
	return y
}
