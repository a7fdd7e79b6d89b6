package agencies

import (
	"cmp"
	"regexp"
	"slices"
	"strings"

	"minyi/internal/sheet"
	"minyi/internal/surveys"
)

// questionNumber is the number 问卷星 ("1、"), 腾讯问卷 ("1." or "Q1:") and
// others put before a question's text in the header.
var questionNumber = regexp.MustCompile(`^(?i:q)?\d+\s*[、.．:：)）]\s*`)

// subQuestion is a LimeSurvey array header: question code[subquestion code].
var subQuestion = regexp.MustCompile(`^([A-Za-z0-9_]+)\[([A-Za-z0-9_]+)\]$`)

// metaColumns are the metadata columns of the exports of 问卷星, 腾讯问卷
// and LimeSurvey (folded), by the field they fill.
var metaColumns = map[string]string{
	"序号": MapResponseID, "编号": MapResponseID, "id": MapResponseID,
	"提交答卷时间": MapDate, "结束答题时间": MapDate, "提交时间": MapDate, "submitdate": MapDate,
	"所用时间": MapIgnore, "来源": MapIgnore, "来源详情": MapIgnore, "来自ip": MapIgnore, "ip": MapIgnore,
	"开始答题时间": MapIgnore, "答题时长": MapIgnore, "地理位置国家和地区": MapIgnore, "地理位置省": MapIgnore,
	"地理位置市": MapIgnore, "自定义字段": MapIgnore, "用户类型": MapIgnore, "用户标识": MapIgnore, "昵称": MapIgnore,
	"总分": MapIgnore, "lastpage": MapIgnore, "startlanguage": MapIgnore, "seed": MapIgnore, "token": MapIgnore,
	"startdate": MapIgnore, "datestamp": MapIgnore, "ipaddr": MapIgnore, "refurl": MapIgnore,
}

// Headers that tell the export of a survey tool, whose option numbers are
// option positions rather than levels.
var toolMarkers = []string{"提交答卷时间", "所用时间", "来自ip", "来源详情", "开始答题时间", "结束答题时间", "答题时长"}

var limeMarkers = []string{"submitdate", "lastpage", "startlanguage"}

// Words of a question's text that tell the field it fills, tried in order
// after the survey's aspect texts.
var fieldWords = []struct {
	field string
	any   []string // one of these
	also  []string // and, when given, one of these
	not   []string // and none of these
}{
	{MapLevel, []string{"总体", "整体", "综合", "总的来说"}, []string{"满意", "评价"}, nil},
	{MapOpinion, []string{"意见", "建议"}, nil, nil},
	{MapGroup, []string{"身份", "类别", "群体"}, nil, []string{"满意"}},
	{MapUnit, []string{"单位", "部门"}, nil, []string{"满意"}},
}

// GuessMapping returns a starting mapping for a file's header; see
// GuessMappingWithWarnings.
func GuessMapping(header []string, s surveys.Survey) Mapping {
	m, _ := GuessMappingWithWarnings(header, s)
	return m
}

// GuessMappingWithWarnings returns a starting mapping for a file's header
// and, in Chinese, the columns it could not place (set to ignore) and the
// required fields it found no column for. Minyi's own header names map as
// in FileColumns; the metadata columns of 问卷星, 腾讯问卷 and LimeSurvey
// map to the response id, the date or ignore; a question's text, without
// its number ("1、", "1.", "Q1:"), maps to the aspect whose text it holds,
// or by its words to the overall level, the opinion, the group or the unit.
// Each field takes the first column that fits; an opinion column is
// ignored, with a warning, when the survey does not collect opinions. Numbers in level cells are
// read as option positions, first = 非常满意, for an export of a survey
// tool, and LimeSurvey codes A1… likewise.
func GuessMappingWithWarnings(header []string, s surveys.Survey) (Mapping, []string) {
	known := map[string]string{} // folded header name → field ("aspects.key" for an aspect)
	for _, c := range FileColumns(s) {
		for _, n := range c.Names {
			if n != "" {
				known[normHeader(n)] = c.Field
			}
		}
	}
	known[normHeader(s.Overall().Key)] = MapLevel
	aspects := slices.Clone(s.Aspects())
	slices.SortStableFunc(aspects, func(a, b surveys.Question) int { return cmp.Compare(len(b.Text), len(a.Text)) })

	m := Mapping{Levels: LevelMap{Numbers: NumbersAreLevels}}
	var warnings []string
	taken := map[string]string{} // field → header of the column filling it
	for i, h := range header {
		h = strings.TrimSpace(h)
		hn := normHeader(h)
		if hn == "" {
			continue
		}
		if slices.Contains(toolMarkers, hn) {
			m.Levels.Numbers = NumbersFirstBest
		}
		if slices.Contains(limeMarkers, hn) {
			m.Levels.Numbers, m.Levels.CodePrefix = NumbersFirstBest, "A"
		}
		field, meta := guessField(h, known, aspects)
		c := ColumnMapping{Header: h, Position: i + 1, Field: MapIgnore}
		where := "第 " + sheet.ColumnName(i) + " 列“" + shown(h) + "”"
		switch {
		case field == "" && !meta:
			warnings = append(warnings, where+"未能识别，已设为忽略，请手动指定")
		case field == "" || field == MapIgnore:
		case field == MapOpinion && !s.AllowOpinion:
			warnings = append(warnings, where+"为意见建议，本问卷不收集意见建议，已设为忽略")
		case taken[field] != "":
			warnings = append(warnings, where+"与“"+shown(taken[field])+"”同为"+fieldName(field, s)+"，已设为忽略，请手动确认")
		default:
			taken[field] = h
			c.Field = field
			if key, ok := strings.CutPrefix(field, "aspects."); ok {
				c.Field, c.Aspect = MapAspect, key
			}
		}
		m.Columns = append(m.Columns, c)
	}
	for _, f := range requiredFields {
		if taken[f] == "" {
			warnings = append(warnings, "未找到“"+fieldLabels[f]+"”对应的列，请手动指定")
		}
	}
	return m, warnings
}

// guessField returns the field of a header ("aspects.key" for an aspect),
// "" when it cannot tell; meta is true for a known metadata column.
func guessField(h string, known map[string]string, aspects []surveys.Question) (field string, meta bool) {
	hn := normHeader(h)
	if f, ok := known[hn]; ok {
		return f, false
	}
	if f, ok := metaColumns[hn]; ok {
		return f, true
	}
	if sm := subQuestion.FindStringSubmatch(h); sm != nil {
		for _, code := range []string{sm[2], sm[1]} {
			if f, ok := known[normHeader(code)]; ok {
				return f, false
			}
		}
		return "", false
	}
	q := strings.TrimSpace(questionNumber.ReplaceAllString(h, ""))
	if f, ok := known[normHeader(q)]; ok {
		return f, false
	}
	for _, a := range aspects {
		if a.Text != "" && strings.Contains(q, a.Text) {
			return aspectField(a.Key), false
		}
	}
	for _, w := range fieldWords {
		if containsAny(q, w.any) && (w.also == nil || containsAny(q, w.also)) && !containsAny(q, w.not) {
			return w.field, false
		}
	}
	return "", false
}

func containsAny(s string, words []string) bool {
	return slices.ContainsFunc(words, func(w string) bool { return strings.Contains(s, w) })
}

// fieldName is a field's Chinese name for messages.
func fieldName(field string, s surveys.Survey) string {
	if key, ok := strings.CutPrefix(field, "aspects."); ok {
		for _, q := range s.Aspects() {
			if q.Key == key {
				return "评价项“" + q.Text + "”"
			}
		}
	}
	return "“" + fieldLabels[field] + "”"
}
