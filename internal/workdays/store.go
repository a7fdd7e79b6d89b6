package workdays

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// Sources of a year's calendar.
const (
	SourceSeed   = "seed"   // shipped with Minyi (migration 0007)
	SourceOffice = "office" // entered or corrected by the office
)

// YearSummary is a year present in the calendar with its counts.
type YearSummary struct {
	Year      int       `json:"year" db:"year"`
	Source    string    `json:"source" db:"source"`
	Note      string    `json:"note" db:"note"`
	Holidays  int       `json:"holidays" db:"holidays"`
	Workdays  int       `json:"workdays" db:"workdays"`
	CreatedBy *int64    `json:"created_by" db:"created_by"`
	CreatedAt time.Time `json:"created_at" db:"created_at"`
	UpdatedAt time.Time `json:"updated_at" db:"updated_at"`
}

// YearCalendar is a year with its special days, sorted by date.
type YearCalendar struct {
	YearSummary
	Days []Day `json:"days"`
}

// summaryQuery selects years with their counts.
const summaryQuery = `SELECT y.year, y.source, y.note, y.created_by, y.created_at, y.updated_at,
		count(d.day) FILTER (WHERE d.kind = 'holiday')::int AS holidays,
		count(d.day) FILTER (WHERE d.kind = 'workday')::int AS workdays
	FROM workday_years y LEFT JOIN workday_days d ON d.year = y.year`

// ListYears returns every year present, newest first.
func ListYears(ctx context.Context, q db.DBTX) ([]YearSummary, error) {
	rows, _ := q.Query(ctx, summaryQuery+` GROUP BY y.year ORDER BY y.year DESC`)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[YearSummary])
	return list, db.Err(err)
}

// FindYear returns the year's calendar, or not_found when it is absent.
func FindYear(ctx context.Context, q db.DBTX, year int) (YearCalendar, error) {
	rows, _ := q.Query(ctx, summaryQuery+` WHERE y.year = $1 GROUP BY y.year`, year)
	s, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[YearSummary])
	if err != nil {
		if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
			return YearCalendar{}, apperr.New(apperr.NotFound, fmt.Sprintf("%d年的工作日历尚未录入", year))
		}
		return YearCalendar{}, err
	}
	days, err := listDays(ctx, q, year, year)
	return YearCalendar{YearSummary: s, Days: days}, err
}

// listDays returns the special days of the years from..to, by date.
func listDays(ctx context.Context, q db.DBTX, from, to int) ([]Day, error) {
	const sql = `SELECT to_char(day, 'YYYY-MM-DD') AS date, kind, name FROM workday_days
		WHERE year BETWEEN $1 AND $2 ORDER BY day`
	rows, _ := q.Query(ctx, sql, from, to)
	days, err := pgx.CollectRows(rows, pgx.RowToStructByName[Day])
	if days == nil {
		days = []Day{}
	}
	return days, db.Err(err)
}

// Load reads the calendar of the years fromYear..toYear; years in the range
// that are absent stay absent, so a count through them is provisional.
func Load(ctx context.Context, q db.DBTX, fromYear, toYear int) (*Calendar, error) {
	rows, _ := q.Query(ctx, `SELECT year FROM workday_years WHERE year BETWEEN $1 AND $2`, fromYear, toYear)
	years, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return nil, db.Err(err)
	}
	days, err := listDays(ctx, q, fromYear, toYear)
	if err != nil {
		return nil, err
	}
	return New(years, days)
}

// LoadAll reads the whole calendar, every year present.
func LoadAll(ctx context.Context, q db.DBTX) (*Calendar, error) {
	return Load(ctx, q, MinYear, MaxYear)
}

// Deadline loads the years a count of n working days from start can reach
// and returns AddWorkdays(start, n); see there for the convention, the
// provisional answer through absent years and the errors.
func Deadline(ctx context.Context, q db.DBTX, start time.Time, n int) (Due, error) {
	// A year has at least 240 working days, so n of them span at most
	// n/200 + 1 year-ends.
	from, to := start.Year(), start.Year()+max(n, 0)/200+1
	c, err := Load(ctx, q, from, to)
	if err != nil {
		return Due{}, err
	}
	due, err := c.AddWorkdays(start, n)
	if err != nil || !due.Provisional {
		return due, err
	}
	// The caller may be about to store a provisional deadline: wait for a
	// save of an absent year under way, then count again (see yearLock).
	if err := waitForYears(ctx, q, due.Absent); err != nil {
		return Due{}, err
	}
	if c, err = Load(ctx, q, from, to); err != nil {
		return Due{}, err
	}
	return c.AddWorkdays(start, n)
}

// SaveResult is the outcome of SaveYear.
type SaveResult struct {
	Year YearCalendar
	// Created is true when the year was absent before; Changed is false
	// when the input equals what was stored, and nothing was written.
	Created, Changed bool
}

// SaveYear replaces the list of in.Year's special days with in.Days (the
// year is created when absent) and records it in the audit log; the year's
// source becomes office. Saving what is already stored changes nothing, so
// a retried request is harmless. It holds the year's lock until tx ends
// (see yearLock); deadlines.SaveYear also recomputes the provisional
// deadlines. It returns invalid for bad input.
func SaveYear(ctx context.Context, tx pgx.Tx, actor audit.Actor, in YearInput, now time.Time) (SaveResult, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return SaveResult{}, err
	}
	sortDays(in.Days)
	if err := lockYear(ctx, tx, in.Year); err != nil {
		return SaveResult{}, err
	}
	var createdBy *int64
	if actor.ID != 0 {
		createdBy = &actor.ID
	}
	const insert = `INSERT INTO workday_years (year, source, note, created_by, created_at, updated_at)
		VALUES ($1, 'office', $2, $3, $4, $4) ON CONFLICT (year) DO NOTHING`
	tag, err := tx.Exec(ctx, insert, in.Year, in.Note, createdBy, now)
	if err != nil {
		return SaveResult{}, db.Err(err)
	}
	res := SaveResult{Created: tag.RowsAffected() == 1, Changed: true}
	var before *YearCalendar
	if !res.Created {
		// Lock the year so two saves at once apply one after the other.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM workday_years WHERE year = $1 FOR UPDATE`, in.Year); err != nil {
			return SaveResult{}, db.Err(err)
		}
		old, err := FindYear(ctx, tx, in.Year)
		if err != nil {
			return SaveResult{}, err
		}
		if old.Note == in.Note && slices.Equal(old.Days, in.Days) {
			return SaveResult{Year: old}, nil
		}
		before = &old
		const update = `UPDATE workday_years SET source = 'office', note = $2, updated_at = $3 WHERE year = $1`
		if _, err := tx.Exec(ctx, update, in.Year, in.Note, now); err != nil {
			return SaveResult{}, db.Err(err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM workday_days WHERE year = $1`, in.Year); err != nil {
			return SaveResult{}, db.Err(err)
		}
	}
	dates, kinds, names := make([]string, len(in.Days)), make([]string, len(in.Days)), make([]string, len(in.Days))
	for i, d := range in.Days {
		dates[i], kinds[i], names[i] = d.Date, d.Kind, d.Name
	}
	const days = `INSERT INTO workday_days (year, day, kind, name)
		SELECT $1, d::date, k, n FROM unnest($2::text[], $3::text[], $4::text[]) AS t (d, k, n)`
	if _, err := tx.Exec(ctx, days, in.Year, dates, kinds, names); err != nil {
		return SaveResult{}, db.Err(err)
	}
	after, err := FindYear(ctx, tx, in.Year)
	if err != nil {
		return SaveResult{}, err
	}
	res.Year = after
	action := "workdays.update"
	if res.Created {
		action = "workdays.create"
	}
	var b any
	if before != nil {
		b = before
	}
	return res, audit.Record(ctx, tx, actor, action, "workday_year", strconv.Itoa(in.Year), b, after)
}

// MissingYears returns the years whose calendar the office must enter on
// now's date: this year's at any time, next year's from 1 October (the
// State Council publishes the holidays in November or later).
func MissingYears(cal *Calendar, now time.Time) []int {
	var out []int
	for _, y := range []int{now.Year(), now.Year() + 1} {
		if !cal.Has(y) && (y == now.Year() || now.Month() >= time.October) {
			out = append(out, y)
		}
	}
	return out
}
