package agencies

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"minyi/internal/apperr"
	"minyi/internal/safetext"
	"minyi/internal/sheet"
	"minyi/internal/surveys"
)

// MaxRows is the most response rows one upload may hold.
const MaxRows = 5000

// RowsFromJSON reads a JSON batch's rows. Each row is an object with
// response_id, unit or unit_id, group, level, optional aspects (an object
// of question key → level), opinion and date. Values may be strings or
// numbers; a value of another type, or an unknown key, becomes an error of
// that row, so one bad row never spoils the batch. It returns invalid when
// the batch is empty or holds more than MaxRows rows.
func RowsFromJSON(raw []json.RawMessage) ([]RowInput, error) {
	if len(raw) == 0 || len(raw) > MaxRows {
		return nil, apperr.InvalidField("responses", fmt.Sprintf("responses 须包含 1 到 %d 条答卷", MaxRows))
	}
	out := make([]RowInput, len(raw))
	for i, r := range raw {
		out[i] = rowFromJSON(i+1, r)
	}
	return out, nil
}

func rowFromJSON(n int, raw json.RawMessage) RowInput {
	in := RowInput{Row: n}
	bad := func(field, msg string) { in.Errors = append(in.Errors, RowError{Field: field, Message: msg}) }
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		bad("_", "每条答卷须为一个 JSON 对象")
		return in
	}
	fields := map[string]*string{"response_id": &in.ResponseID, "unit": &in.Unit, "unit_id": &in.UnitID,
		"group": &in.Group, "level": &in.Level, "opinion": &in.Opinion, "date": &in.Date}
	for _, key := range slices.Sorted(maps.Keys(obj)) {
		v := obj[key]
		if dst, ok := fields[key]; ok {
			if s, ok := scalar(v); ok {
				*dst = s
			} else {
				bad(key, "字段 "+key+" 须为字符串或数字")
			}
			continue
		}
		if key != "aspects" {
			if safetext.Valid(key) {
				bad(key, "未知字段 "+shown(key))
			} else {
				bad("_", "字段名"+safetext.Message)
			}
			continue
		}
		var aspects map[string]json.RawMessage
		if err := json.Unmarshal(v, &aspects); err != nil {
			bad("aspects", "aspects 须为对象，如 {\"efficiency\": 5}")
			continue
		}
		in.Aspects = map[string]string{}
		for k, av := range aspects {
			switch s, ok := scalar(av); {
			case !safetext.Valid(k):
				bad("aspects", "评价项名称"+safetext.Message)
			case ok:
				in.Aspects[k] = s
			default:
				bad("aspects."+k, "评价项 "+shown(k)+" 的值须为1到5的整数")
			}
		}
	}
	return in
}

// scalar returns a JSON string's text or a number's literal; null is "".
func scalar(v json.RawMessage) (string, bool) {
	v = bytes.TrimSpace(v)
	switch {
	case len(v) == 0 || string(v) == "null":
		return "", true
	case v[0] == '"':
		var s string
		err := json.Unmarshal(v, &s)
		return s, err == nil
	case v[0] == '-' || (v[0] >= '0' && v[0] <= '9'):
		var n json.Number
		err := json.Unmarshal(v, &n)
		return n.String(), err == nil
	}
	return "", false
}

// Header texts of the file columns; aspect columns take the question's key
// or text.
var fileColumns = []sheet.Column{
	{Field: "response_id", Names: []string{"答卷编号", "问卷编号", "response_id"}, Required: true},
	{Field: "unit", Names: []string{"单位", "单位名称", "单位简码", "unit"}, Required: true},
	{Field: "group", Names: []string{"受访群体", "群体", "类别", "group"}, Required: true},
	{Field: "level", Names: []string{"总体满意度", "总体评价", "level"}, Required: true},
	{Field: "opinion", Names: []string{"意见建议", "意见", "opinion"}},
	{Field: "date", Names: []string{"日期", "调查日期", "date"}},
}

// aspectField is the column field of an aspect question.
func aspectField(key string) string { return "aspects." + key }

// FileColumns returns the columns a file for the survey may have: the
// fixed ones and one per aspect question, headed by its text or key. The
// overall question's own text is accepted for the level column too.
func FileColumns(s surveys.Survey) []sheet.Column {
	fixed := slices.Clone(fileColumns)
	for i, c := range fixed {
		fixed[i].Names = slices.Clone(c.Names)
	}
	for _, q := range s.Questions {
		if q.Kind == surveys.KindOverall && q.Text != "" && !slices.Contains(fixed[3].Names, q.Text) {
			fixed[3].Names = append(fixed[3].Names, q.Text)
		}
	}
	cols := slices.Clone(fixed[:4]) // response id, unit, group, overall level
	for _, q := range s.Aspects() {
		cols = append(cols, sheet.Column{Field: aspectField(q.Key), Names: []string{q.Text, q.Key}})
	}
	return append(cols, fixed[4:]...) // opinion, date
}

// RowsFromTable reads a file's rows, mapping its header to the survey's
// columns. It returns the sheet package's invalid error for a wrong header
// and invalid when the file has no data row.
func RowsFromTable(t *sheet.Table, s surveys.Survey) ([]RowInput, error) {
	cols := FileColumns(s)
	m, err := t.Map(cols)
	if err != nil {
		return nil, err
	}
	if len(t.Rows) == 0 {
		return nil, apperr.InvalidField(sheet.Field, "文件只有表头，没有答卷数据")
	}
	headers := map[string]string{}
	for _, c := range cols {
		if h := m.Header(c.Field); h != "" {
			headers[c.Field] = h
		}
	}
	aspects := s.Aspects()
	out := make([]RowInput, len(t.Rows))
	for i, r := range t.Rows {
		in := RowInput{Row: r.Line, ResponseID: m.Get(r, "response_id"), Unit: m.Get(r, "unit"),
			Group: m.Get(r, "group"), Level: m.Get(r, "level"), Opinion: m.Get(r, "opinion"),
			Date: m.Get(r, "date"), Columns: headers}
		for _, q := range aspects {
			if m.Has(aspectField(q.Key)) {
				if in.Aspects == nil {
					in.Aspects = map[string]string{}
				}
				in.Aspects[q.Key] = m.Get(r, aspectField(q.Key))
			}
		}
		out[i] = in
	}
	return out, nil
}

// FileUpload reads an uploaded CSV or .xlsx file of responses for the
// survey. It returns the sheet package's invalid errors for a file that
// cannot be read, is beyond its limits or has a wrong header, invalid for
// one without rows, and the sheet package's unavailable when too many
// files are being read at once.
func FileUpload(ctx context.Context, data []byte, filename string, s surveys.Survey) (UploadInput, error) {
	t, err := sheet.Read(ctx, data, MaxRows)
	if err != nil {
		return UploadInput{}, err
	}
	rows, err := RowsFromTable(t, s)
	if err != nil {
		return UploadInput{}, err
	}
	return UploadInput{Format: t.Format, Filename: sheet.Filename(filename), Rows: rows}, nil
}
