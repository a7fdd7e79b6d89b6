package agencies

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"minyi/internal/apperr"
	"minyi/internal/sheet"
	"minyi/internal/surveys"
)

// Fields a file column may fill under a Mapping.
const (
	MapResponseID = "response_id"
	MapUnit       = "unit"
	MapGroup      = "group"
	MapDate       = "date"
	MapLevel      = "level" // the overall satisfaction question
	MapAspect     = "aspect"
	MapOpinion    = "opinion"
	MapIgnore     = "ignore"
)

// How a number (or a code's number, such as LimeSurvey's A1) in a level
// cell is read.
const (
	// NumbersAreLevels: the number is the level, 5 非常满意 … 1 非常不满意,
	// as in Minyi's own template.
	NumbersAreLevels = "level"
	// NumbersFirstBest: the number is the option's position and the first
	// option is 非常满意, so 1 is level 5 and 5 is level 1 (问卷星's number
	// export of a questionnaire listing 非常满意 first).
	NumbersFirstBest = "first_best"
)

// MappingField is the form field of mapping errors.
const MappingField = "mapping"

// DefaultNoAnswer are the cell texts that mean "not answered".
var DefaultNoAnswer = []string{"", "(空)", "（空）", "(跳过)", "（跳过）", "N/A", "-1", "-2", "-3", "跳过", "空"}

// Mapping says how the columns of an agency's file fill a response. It is
// saved per agency and survey as JSON.
type Mapping struct {
	Columns []ColumnMapping `json:"columns"`
	Levels  LevelMap        `json:"levels"`
}

// ColumnMapping is one file column and the field it fills.
type ColumnMapping struct {
	// Header identifies the column by its header text (trimmed, case
	// ignored). Position (1-based) tells apart columns of the same header,
	// and identifies the column alone when Header is empty.
	Header   string `json:"header"`
	Position int    `json:"position,omitempty"`
	Field    string `json:"field"`
	// Aspect is the survey's aspect question key, for MapAspect.
	Aspect string `json:"aspect,omitempty"`
	// Values replaces a cell's whole text before it is read, e.g. an
	// option number of a unit question with the unit's name.
	Values map[string]string `json:"values,omitempty"`
}

// LevelMap says how a level cell's text maps to a level 1–5. Option texts
// 非常满意 … 非常不满意 are always read.
type LevelMap struct {
	// Numbers is NumbersAreLevels (also when empty) or NumbersFirstBest.
	Numbers string `json:"numbers,omitempty"`
	// CodePrefix, such as "A", is cut from a code like A1 before it is read
	// as a number; case ignored.
	CodePrefix string `json:"code_prefix,omitempty"`
	// Values maps other texts (case ignored) to a level; it wins over the rules above.
	Values map[string]int `json:"values,omitempty"`
	// NoAnswer are the texts meaning "not answered" (trimmed, case
	// ignored); nil means DefaultNoAnswer. An empty cell is always no answer.
	NoAnswer []string `json:"no_answer,omitempty"`
}

// fieldLabels are the Chinese names of the fields, for messages.
var fieldLabels = map[string]string{MapResponseID: "答卷编号", MapUnit: "单位", MapGroup: "受访群体",
	MapDate: "日期", MapLevel: "总体满意度", MapAspect: "评价项", MapOpinion: "意见建议", MapIgnore: "忽略"}

// requiredFields must each be filled by exactly one column, as the
// required columns of FileColumns.
var requiredFields = []string{MapResponseID, MapUnit, MapGroup, MapLevel}

// label names a column of a mapping for messages.
func (c ColumnMapping) label() string {
	if h := strings.TrimSpace(c.Header); h != "" {
		return "“" + shown(h) + "”"
	}
	return fmt.Sprintf("第 %d 列", c.Position)
}

// Validate returns an invalid error on MappingField naming, in one Chinese
// message, each problem: an unknown field, a column without header or
// position, a column given twice, an aspect the survey does not have, a
// required field (response id, unit, group, overall) not mapped exactly
// once, an aspect, the opinion or the date mapped twice, or a bad level map.
func (m Mapping) Validate(s surveys.Survey) error {
	var problems []string
	count := map[string]int{}
	aspects := map[string]bool{}
	for _, q := range s.Aspects() {
		aspects[q.Key] = true
	}
	seen := map[string]bool{}
	for _, c := range m.Columns {
		if strings.TrimSpace(c.Header) == "" && c.Position <= 0 {
			problems = append(problems, "有一列既没有表头也没有列序号")
			continue
		}
		id := fmt.Sprintf("%s\x00%d", normHeader(c.Header), c.Position)
		if seen[id] {
			problems = append(problems, "列"+c.label()+"重复设置")
		}
		seen[id] = true
		if _, ok := fieldLabels[c.Field]; !ok {
			problems = append(problems, "列"+c.label()+"的用途“"+shown(c.Field)+"”无效")
			continue
		}
		if c.Field == MapAspect {
			if !aspects[c.Aspect] {
				problems = append(problems, "列"+c.label()+"对应的评价项“"+shown(c.Aspect)+"”不在本问卷中")
				continue
			}
			count[aspectField(c.Aspect)]++
			continue
		}
		count[c.Field]++
	}
	for _, f := range requiredFields {
		if count[f] == 0 {
			problems = append(problems, "须指定“"+fieldLabels[f]+"”对应的列")
		}
	}
	for _, f := range []string{MapResponseID, MapUnit, MapGroup, MapLevel, MapOpinion, MapDate} {
		if count[f] > 1 {
			problems = append(problems, "“"+fieldLabels[f]+"”只能对应一列")
		}
	}
	for _, q := range s.Aspects() {
		if count[aspectField(q.Key)] > 1 {
			problems = append(problems, "评价项“"+q.Text+"”只能对应一列")
		}
	}
	if n := m.Levels.Numbers; n != "" && n != NumbersAreLevels && n != NumbersFirstBest {
		problems = append(problems, "数字选项的顺序“"+shown(n)+"”无效")
	}
	for _, k := range slices.Sorted(maps.Keys(m.Levels.Values)) {
		if l := m.Levels.Values[k]; l < 1 || l > 5 {
			problems = append(problems, "选项“"+shown(k)+"”须对应1到5的满意度")
		}
	}
	if len(problems) > 0 {
		return apperr.InvalidField(MappingField, "字段对应设置有误："+strings.Join(problems, "；"))
	}
	return nil
}

// normHeader folds a header text for matching: trimmed, lower case.
func normHeader(s string) string { return strings.ToLower(strings.TrimFunc(s, unicode.IsSpace)) }

// locate returns the file column index of each mapping column (-1 for an
// ignored column missing from the file), the warnings about ignored
// columns, and the problems: mapped columns missing from the file or
// found twice.
func (m Mapping) locate(t *sheet.Table, width int) (idx []int, warnings, problems []string) {
	header := t.Header
	byHeader := map[string][]int{}
	for i, h := range header {
		byHeader[normHeader(h)] = append(byHeader[normHeader(h)], i)
	}
	used := map[int]bool{}
	idx = make([]int, len(m.Columns))
	for ci, c := range m.Columns {
		idx[ci] = -1
		var cands []int
		if strings.TrimSpace(c.Header) != "" {
			cands = byHeader[normHeader(c.Header)]
		} else if c.Position <= width {
			cands = []int{c.Position - 1}
		}
		switch {
		case len(cands) == 0 && c.Field == MapIgnore:
			warnings = append(warnings, "文件中没有列"+c.label()+"（原设置为忽略）")
			continue
		case len(cands) == 0:
			problems = append(problems, "缺少列"+c.label())
			continue
		}
		pick := cands[0]
		if p := c.Position - 1; len(cands) > 1 && slices.Contains(cands, p) {
			pick = p
		} else if len(cands) > 1 {
			for _, i := range cands { // the first column of the header not taken yet
				if !used[i] {
					pick = i
					break
				}
			}
		}
		if used[pick] {
			problems = append(problems, "列"+c.label()+"设置了多次")
		}
		idx[ci], used[pick] = pick, true
	}
	for i := 0; i < width; i++ {
		if used[i] {
			continue
		}
		h := ""
		if i < len(header) {
			h = strings.TrimSpace(header[i])
		}
		if h == "" {
			if t.ColumnHasData(i) {
				warnings = append(warnings, "第 "+sheet.ColumnName(i)+" 列有数据但没有表头，已忽略")
			}
		} else {
			warnings = append(warnings, "第 "+sheet.ColumnName(i)+" 列“"+shown(h)+"”未设置对应字段，已忽略")
		}
	}
	return idx, warnings, problems
}

// ApplyMapping reads a file's rows under the mapping into the rows
// RowsFromTable gives for Minyi's own template, so the same checks apply:
// no-answer cells become "" (an unanswered aspect is left out), level
// cells become 1–5, dates YYYY-MM-DD (an unreadable one is kept for the
// check to report), and Columns names the file's header of each field.
// Columns of the file outside the mapping are ignored with a warning. It
// returns the mapping's invalid error, an invalid error on sheet.Field
// naming the mapped columns the file lacks (or that two mapping columns
// find), and invalid for a file
// without data rows.
func ApplyMapping(t *sheet.Table, m Mapping, s surveys.Survey) ([]RowInput, []string, error) {
	if err := m.Validate(s); err != nil {
		return nil, nil, err
	}
	idx, warnings, problems := m.locate(t, t.Width())
	if len(problems) > 0 {
		return nil, warnings, apperr.InvalidField(sheet.Field, "文件与字段对应设置不符："+strings.Join(problems, "；")+"。请检查导出的文件或修改字段对应设置")
	}
	if len(t.Rows) == 0 {
		return nil, warnings, apperr.InvalidField(sheet.Field, "文件只有表头，没有答卷数据")
	}
	headers := map[string]string{}
	hasAspects := false
	for ci, c := range m.Columns {
		if idx[ci] < 0 || c.Field == MapIgnore {
			continue
		}
		f := c.Field
		if f == MapAspect {
			f, hasAspects = aspectField(c.Aspect), true
		}
		h := ""
		if idx[ci] < len(t.Header) {
			h = strings.TrimSpace(t.Header[idx[ci]])
		}
		if h == "" {
			h = "第 " + sheet.ColumnName(idx[ci]) + " 列"
		}
		headers[f] = h
	}
	noAnswer := m.Levels.noAnswerSet()
	out := make([]RowInput, len(t.Rows))
	for i, r := range t.Rows {
		in := RowInput{Row: r.Line, Columns: headers}
		if hasAspects {
			in.Aspects = map[string]string{}
		}
		for ci, c := range m.Columns {
			if idx[ci] < 0 || c.Field == MapIgnore {
				continue
			}
			v := ""
			if idx[ci] < len(r.Cells) {
				v = strings.TrimSpace(r.Cells[idx[ci]])
			}
			if nv, ok := c.Values[v]; ok {
				v = strings.TrimSpace(nv)
			}
			if c.Field != MapResponseID && noAnswer[strings.ToLower(v)] {
				v = ""
			}
			switch c.Field {
			case MapResponseID:
				in.ResponseID = v
			case MapUnit:
				in.Unit = v
			case MapGroup:
				in.Group = v
			case MapDate:
				in.Date = NormalizeDate(v)
			case MapOpinion:
				in.Opinion = v
			case MapLevel:
				in.Level = m.Levels.level(v)
			case MapAspect:
				if v != "" {
					in.Aspects[c.Aspect] = m.Levels.level(v)
				}
			}
		}
		out[i] = in
	}
	return out, warnings, nil
}

func (lm LevelMap) noAnswerSet() map[string]bool {
	list := lm.NoAnswer
	if list == nil {
		list = DefaultNoAnswer
	}
	set := map[string]bool{"": true}
	for _, v := range list {
		set[strings.ToLower(strings.TrimSpace(v))] = true
	}
	return set
}

// Level returns a level cell's text as the checks read it: "1" to "5" for
// a text the map knows, "" for no answer, and the text itself otherwise,
// so the check reports it.
func (lm LevelMap) Level(v string) string {
	v = strings.TrimSpace(v)
	if lm.noAnswerSet()[strings.ToLower(v)] {
		return ""
	}
	return lm.level(v)
}

// level reads a trimmed text that is not a no-answer text.
func (lm LevelMap) level(v string) string {
	for k, l := range lm.Values {
		if strings.EqualFold(strings.TrimSpace(k), v) {
			return strconv.Itoa(l)
		}
	}
	if l, ok := levelNames[v]; ok {
		return strconv.Itoa(l)
	}
	num := v
	if p := lm.CodePrefix; p != "" && len(num) > len(p) && strings.EqualFold(num[:len(p)], p) {
		num = num[len(p):]
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || n > 5 {
		return v
	}
	if lm.Numbers == NumbersFirstBest {
		n = 6 - n
	}
	return strconv.Itoa(n)
}

// dateDays and dateTimes are the date and time forms NormalizeDate reads.
var (
	dateDays  = []string{"2006-1-2", "2006/1/2", "2006.1.2", "2006年1月2日"}
	dateTimes = []string{"", " 15:04:05", " 15:04", "T15:04:05", "T15:04", " 15:04:05.999999999", "T15:04:05.999999999",
		"T15:04:05Z07:00", "T15:04:05.999999999Z07:00"}
)

// NormalizeDate returns a date cell as YYYY-MM-DD, reading 2026/11/18
// 10:21:33, 2026-11-18 10:21, 2026-11-18T10:21:33, 2026年11月18日 and the
// like; a text it cannot read is returned as it is.
func NormalizeDate(v string) string {
	v = strings.TrimSpace(v)
	for _, d := range dateDays {
		for _, tm := range dateTimes {
			if t, err := time.Parse(d+tm, v); err == nil {
				return t.Format(dateLayout)
			}
		}
	}
	return v
}
