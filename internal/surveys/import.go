package surveys

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/safetext"
	"minyi/internal/secure"
	"minyi/internal/sheet"
)

// MaxImportRows is the most data rows a respondent list may have.
const MaxImportRows = 5000

// MaxFileBytes bounds an uploaded file (CSV or .xlsx) of a survey: a
// respondent list, or the answers an agency collected.
const MaxFileBytes = 10 << 20

// RespondentColumns are the columns of a respondent list: 姓名 and 群体 are
// required; 评价单位 lists unit short codes or names separated by 、,;，；
// and is required for a group that rates a list per respondent.
var RespondentColumns = []sheet.Column{
	{Field: "name", Names: []string{"姓名", "name"}, Required: true},
	{Field: "group", Names: []string{"群体", "受访群体", "group"}, Required: true},
	{Field: "organisation", Names: []string{"工作单位", "单位", "organisation", "organization"}},
	{Field: "phone", Names: []string{"手机", "电话", "手机号", "联系电话", "phone"}},
	{Field: "units", Names: []string{"评价单位", "units"}},
}

// RowError is one problem of one row of an import.
type RowError struct {
	// Row is the row number as Excel shows it.
	Row int `json:"row"`
	// Field is name, group, organisation, phone or units; Column is its
	// header as the file writes it.
	Field   string `json:"field"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

// ImportReport is what an import did, row by row.
type ImportReport struct {
	Filename   string     `json:"filename"`
	Format     string     `json:"format"`
	Rows       int        `json:"rows"`
	Added      int        `json:"added"`
	Duplicates int        `json:"duplicates"`
	Invalid    int        `json:"invalid"`
	Errors     []RowError `json:"errors"`
	// DuplicateRows are the rows of people already in the survey (or
	// earlier in the file), left as they were.
	DuplicateRows []int `json:"duplicate_rows"`
}

// importFields maps the input's validation fields to the file's columns.
var importFields = map[string]string{"name": "name", "group": "group", "organisation": "organisation",
	"phone": "phone", "unit_ids": "units"}

// ImportRespondents reads a respondent list (CSV or .xlsx) and stores
// every valid row in the calling transaction, each with a fresh
// invitation link; a person already in the survey is not added again, so
// importing the same file twice adds nobody. Invalid rows are reported and
// skipped, also a row with unreadable characters (safetext) in any cell.
// It returns not_found for an unknown survey, conflict for a closed one,
// invalid (field file) for a file that cannot be read: empty, broken,
// merged cells, a wrong header, too many rows, no data rows or beyond the
// sheet package's limits; and unavailable when too many files are being
// read at once.
func ImportRespondents(ctx context.Context, tx pgx.Tx, keys *secure.Keys, actor audit.Actor, surveyID int64,
	filename string, data []byte) (ImportReport, error) {
	filename = sheet.Filename(filename)
	rep := ImportReport{Filename: filename, Errors: []RowError{}, DuplicateRows: []int{}}
	t, err := sheet.Read(ctx, data, MaxImportRows)
	if err != nil {
		return rep, err
	}
	m, err := t.Map(RespondentColumns)
	if err != nil {
		return rep, err
	}
	if len(t.Rows) == 0 {
		return rep, apperr.InvalidField(sheet.Field, "文件只有表头，没有受访人数据")
	}
	rep.Format, rep.Rows = t.Format, len(t.Rows)
	s, err := openForRespondents(ctx, tx, surveyID)
	if err != nil {
		return rep, err
	}
	units, err := loadUnitIndex(ctx, tx)
	if err != nil {
		return rep, err
	}
	var valid []RespondentInput
	var lines []int
	for _, row := range t.Rows {
		if f := unreadableCells(row, m); len(f) > 0 {
			rep.Invalid++
			rep.Errors = append(rep.Errors, rowErrors(row.Line, f, m)...)
			continue
		}
		in := RespondentInput{Name: m.Get(row, "name"), Group: m.Get(row, "group"),
			Organisation: m.Get(row, "organisation"), Phone: m.Get(row, "phone")}
		f := apperr.Fields{}
		for _, u := range splitUnits(m.Get(row, "units")) {
			id, ok := units.resolve(u)
			if !ok {
				f.Add("unit_ids", "评价单位“"+u+"”不存在，请填写单位简码或全称")
				continue
			}
			in.UnitIDs = append(in.UnitIDs, id)
		}
		in.normalize(s)
		in.validate(s, units.ids, f)
		if len(f) > 0 {
			rep.Invalid++
			rep.Errors = append(rep.Errors, rowErrors(row.Line, f, m)...)
			continue
		}
		valid = append(valid, in)
		lines = append(lines, row.Line)
	}
	if len(valid) > 0 {
		_, added, err := insertRespondents(ctx, tx, keys, s.ID, valid)
		if err != nil {
			return rep, err
		}
		for i, a := range added {
			if a {
				rep.Added++
			} else {
				rep.Duplicates++
				rep.DuplicateRows = append(rep.DuplicateRows, lines[i])
			}
		}
	}
	type summary struct {
		Filename   string `json:"filename"`
		Rows       int    `json:"rows"`
		Added      int    `json:"added"`
		Duplicates int    `json:"duplicates"`
		Invalid    int    `json:"invalid"`
	}
	return rep, audit.Record(ctx, tx, actor, "survey.respondents_import", "survey", strconv.FormatInt(s.ID, 10), nil,
		summary{filename, rep.Rows, rep.Added, rep.Duplicates, rep.Invalid})
}

// unreadableCells returns a message for each of the row's cells whose text
// is not safetext.Valid (a NUL, another control character, bytes that are
// not UTF-8), by validation field; such a row is not checked further.
func unreadableCells(row sheet.Row, m *sheet.Mapped) apperr.Fields {
	f := apperr.Fields{}
	for field, col := range importFields {
		if !safetext.Valid(m.Get(row, col)) {
			f.Add(field, safetext.Message)
		}
	}
	return f
}

// rowErrors lists a row's field messages in the columns' order.
func rowErrors(line int, f apperr.Fields, m *sheet.Mapped) []RowError {
	var out []RowError
	for field, msg := range f {
		col := importFields[field]
		out = append(out, RowError{Row: line, Field: col, Column: m.Header(col), Message: msg})
	}
	order := map[string]int{}
	for i, c := range RespondentColumns {
		order[c.Field] = i
	}
	sort.Slice(out, func(i, j int) bool { return order[out[i].Field] < order[out[j].Field] })
	for i := range out {
		if out[i].Column == "" {
			out[i].Column = columnLabel(out[i].Field)
		}
	}
	return out
}

// columnLabel is a field's Chinese column name, for a column the file
// does not have.
func columnLabel(field string) string {
	for _, c := range RespondentColumns {
		if c.Field == field {
			return c.Names[0]
		}
	}
	return field
}

// ImportTemplate returns a CSV template of a respondent list for the
// survey: the header and one example row per group taking part.
func ImportTemplate(s Survey, exampleUnits []string) string {
	var b strings.Builder
	b.WriteString("\uFEFF姓名,群体,工作单位,手机,评价单位\r\n")
	for i, g := range s.Groups {
		units := ""
		if !g.AllUnits {
			units = strings.Join(exampleUnits, "、")
		}
		fmt.Fprintf(&b, "示例%d,%s,某某单位,1380000%04d,%s\r\n", i+1, g.Name, i+1, units)
	}
	return b.String()
}
