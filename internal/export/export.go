// Package export writes what a list's filter selects to a file a user
// downloads (issue 17): an .xlsx workbook through excelize's StreamWriter or
// a CSV in UTF-8 with a byte-order mark (so Excel opens it as UTF-8), both
// with a Chinese header row, typed cells (numbers as numbers, dates and
// times as Excel dates) and a first block stating the filter in words and
// the time of export. Rows arrive from the list's own reads in keyset-paged
// batches, so an export of a million ratings never holds a million rows.
//
// A list describes its export as a Spec, built by a Builder from the
// viewer and the list's query parameters, so an export started from a
// page, from the API or by a background job (jobs.go, worker.go) selects
// exactly the rows the list shows that viewer.
package export

import (
	"context"
	"net/url"
	"strings"
	"time"

	"minyi/internal/db"
	"minyi/internal/units"
	"minyi/internal/users"
)

// Kind is how a column's cells are written.
type Kind int

// The kinds of column. A Number cell takes any Go integer or float, a Date
// or DateTime cell a time.Time (written as the wall clock of the export's
// location), a Text cell a string; nil leaves any cell empty.
const (
	Text Kind = iota
	Number
	Date
	DateTime
)

// Column is one column of a sheet: its Chinese heading, the kind of its
// cells and its width in characters (0: a default).
type Column struct {
	Head  string
	Kind  Kind
	Width float64
}

// Emit hands one row, its cells in the order of the sheet's columns, to
// the writer.
type Emit func(row []any) error

// Sheet is one table of an export.
type Sheet struct {
	// Name is the sheet's name in the workbook (at most 31 characters).
	Name    string
	Columns []Column
	// Rows calls emit for every row in order, reading them in batches; it
	// returns emit's first error.
	Rows func(ctx context.Context, emit Emit) error
}

// Cond is one condition of the filter as the user reads it: 单位：某局.
type Cond struct {
	Label, Value string
}

// Spec is what an export writes.
type Spec struct {
	// Title names the list: the file's name (with the date), the first
	// sheet and the first line of the statement.
	Title string
	// Filter is the list's filter in words; empty means everything the
	// viewer may see.
	Filter []Cond
	// Estimate tells about how many rows Main holds (estimate.go), to
	// choose between streaming now and a background job.
	Estimate func(ctx context.Context) (int, error)
	Main     Sheet
	// Extra sheets follow Main in a workbook (a case's timeline); a CSV
	// has only Main.
	Extra []Sheet
}

// FilterText is the filter in one line of words: 单位：某局；等级：不满意,
// or 全部 when there is none.
func (s Spec) FilterText() string {
	if len(s.Filter) == 0 {
		return "全部"
	}
	parts := make([]string, len(s.Filter))
	for i, c := range s.Filter {
		parts[i] = c.Label + "：" + c.Value
	}
	return strings.Join(parts, "；")
}

// Builder makes the Spec of one list for viewer from the list's query
// parameters, with the list's own validation and access rules: a bad
// parameter is apperr.Invalid (with the field), a unit another unit's
// rows apperr.Forbidden.
type Builder func(ctx context.Context, viewer users.User, q url.Values) (Spec, error)

// Registry holds the lists that export, by kind ("ratings", "audit", …).
type Registry map[string]Builder

// Optional is an optional text as a cell: empty when there is none.
func Optional(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Meta is what a file states besides its rows.
type Meta struct {
	// At is the time of export; Loc the deployment's time zone, in which
	// dates and times are written.
	At  time.Time
	Loc *time.Location
}

// FileName is the Chinese name of the file of spec exported at at, with
// its extension: 评价记录-20260131-0930.xlsx.
func FileName(title string, at time.Time, loc *time.Location, format string) string {
	return title + "-" + at.In(loc).Format("20060102-1504") + "." + format
}

// Formats are the file formats an export is written in.
const (
	XLSX = "xlsx"
	CSV  = "csv"
)

// ContentType is the media type of a format.
func ContentType(format string) string {
	if format == CSV {
		return "text/csv; charset=utf-8"
	}
	return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
}

// UnitConds is the condition 单位：<name> of a filter by unit, none for nil.
func UnitConds(ctx context.Context, q db.DBTX, unitID *int64) ([]Cond, error) {
	if unitID == nil {
		return nil, nil
	}
	u, err := units.FindUnit(ctx, q, *unitID)
	if err != nil {
		return nil, err
	}
	return []Cond{{Label: "单位", Value: u.Name}}, nil
}
