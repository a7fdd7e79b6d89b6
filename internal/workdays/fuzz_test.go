package workdays_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/safetext"
	"minyi/internal/testutil"
	"minyi/internal/workdays"
)

// errRollback undoes a fuzz input's save: the property is that Postgres
// takes it, not that it stays.
var errRollback = errors.New("rollback")

// FuzzParseText feeds the office's text form of a year's calendar through
// the parser and the rules. Properties: nothing panics; every line the
// parser cannot read is reported with its line number; the days of a text
// that passes are real dates of the year with a known kind and a name of
// safe text within its length, the text form written back from them parses
// to the same days, and Postgres stores them (SaveYear in a transaction
// that is then rolled back).
func FuzzParseText(f *testing.F) {
	seeds := []string{
		"2027-01-01 元旦 休\n2027-02-06~2027-02-12 春节 休\n2027-02-14 春节 班",
		"# 国务院办公厅通知\r\n2027-10-01至2027-10-07，国庆节，休\r\n2027-09-26 国庆节 上班",
		"2027-02-30 春节 休", "2027-01-01 元旦", "2027-01-01~2026-12-30 元旦 休", "2027-01-01 元旦 休息一下",
		"2027-01-01 元\x00旦 休", "2027-01-01 元旦\xff 休", "2027-01-01 元\x1b旦 休", "2027-01-01~2027-03-01 长假 休",
		strings.Repeat("2027-05-01 劳动节 休\n", 200), "\n\n   \n#\n", "2027-01-01 " + strings.Repeat("节", 21) + " 休",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	pool := testutil.DB(f)
	ctx := context.Background()
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, text string) {
		lines := strings.Count(strings.ReplaceAll(text, "\r\n", "\n"), "\n") + 1
		parsed, errs := workdays.ParseText(text)
		for _, e := range errs {
			if e.Line < 1 || e.Line > lines || e.Message == "" {
				t.Fatalf("line error %+v for a text of %d lines", e, lines)
			}
		}
		if len(parsed.Lines) != len(parsed.Days) {
			t.Fatalf("%d days but %d line numbers", len(parsed.Days), len(parsed.Lines))
		}
		if len(errs) > 0 || len(parsed.Days) == 0 {
			return
		}
		in := workdays.YearInput{Year: yearOf(parsed.Days[0].Date), Days: parsed.Days}
		in.Normalize()
		if in.Validate() != nil {
			if len(workdays.LineProblems(in, parsed.Lines)) == 0 {
				t.Fatal("Validate refuses the input but LineProblems reports nothing")
			}
			return
		}
		for _, d := range in.Days {
			day, err := time.Parse("2006-01-02", d.Date)
			if err != nil || day.Year() != in.Year || (d.Kind != workdays.Holiday && d.Kind != workdays.Workday) ||
				!safetext.Valid(d.Name) || d.Name == "" || utf8.RuneCountInString(d.Name) > 20 {
				t.Fatalf("accepted day %+v of year %d", d, in.Year)
			}
		}
		again, errs := workdays.ParseText(workdays.FormatText(sorted(in.Days)))
		if len(errs) > 0 || len(again.Days) != len(in.Days) {
			t.Fatalf("the written text form does not parse back: %v", errs)
		}
		err := db.Tx(ctx, pool, func(tx pgx.Tx) error {
			if _, err := workdays.SaveYear(ctx, tx, audit.System, in, now); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatalf("validated input not stored: %v (code %s)", err, apperr.CodeOf(err))
		}
	})
}

func yearOf(date string) int {
	t, err := time.Parse("2006-01-02", date)
	if err != nil {
		return 0
	}
	return t.Year()
}

func sorted(days []workdays.Day) []workdays.Day {
	out := append([]workdays.Day(nil), days...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Date < out[j-1].Date; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
