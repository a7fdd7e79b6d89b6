package workdays_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/testutil"
	"minyi/internal/workdays"
)

func TestSaveYear(t *testing.T) {
	ctx := context.Background()
	pool := testutil.DB(t)
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	save := func(in workdays.YearInput) (workdays.SaveResult, error) {
		var res workdays.SaveResult
		err := db.Tx(ctx, pool, func(tx pgx.Tx) (err error) {
			res, err = workdays.SaveYear(ctx, tx, audit.System, in, now)
			return err
		})
		return res, err
	}
	if _, err := workdays.FindYear(ctx, pool, 2027); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("2027 before: %v", err)
	}
	in := workdays.YearInput{Year: 2027, Note: " 国办发明电〔2026〕X号 ", Days: []workdays.Day{
		{Date: "2027-02-07", Kind: workdays.Workday, Name: "春节"},
		{Date: "2027-01-01", Kind: workdays.Holiday, Name: " 元旦 "},
	}}
	res, err := save(in)
	if err != nil || !res.Created || !res.Changed {
		t.Fatalf("create: %+v, %v", res, err)
	}
	y := res.Year
	if y.Source != workdays.SourceOffice || y.Note != "国办发明电〔2026〕X号" || y.Holidays != 1 || y.Workdays != 1 ||
		y.Days[0] != (workdays.Day{Date: "2027-01-01", Kind: workdays.Holiday, Name: "元旦"}) {
		t.Errorf("created year %+v", y)
	}
	// Saving the same again writes nothing (a retry is harmless).
	if res, err = save(in); err != nil || res.Created || res.Changed {
		t.Errorf("same again: %+v, %v", res, err)
	}
	// A bad list changes nothing.
	bad := in
	bad.Days = []workdays.Day{{Date: "2027-02-08", Kind: workdays.Workday, Name: "春节"}}
	if _, err := save(bad); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("bad list: %v", err)
	}
	// Correcting a seeded year makes it the office's.
	y2026, err := workdays.FindYear(ctx, pool, 2026)
	if err != nil || y2026.Source != workdays.SourceSeed {
		t.Fatalf("2026: %+v, %v", y2026.YearSummary, err)
	}
	fix := workdays.YearInput{Year: 2026, Note: "更正", Days: append(y2026.Days, workdays.Day{Date: "2026-12-31", Kind: workdays.Holiday, Name: "元旦"})}
	if res, err = save(fix); err != nil || res.Created || !res.Changed || res.Year.Source != workdays.SourceOffice ||
		res.Year.Holidays != y2026.Holidays+1 {
		t.Errorf("correction: %+v, %v", res.Year.YearSummary, err)
	}

	// Both saves are in the audit log, with the state before and after.
	rows, _ := pool.Query(ctx, `SELECT action, entity_id, before, after FROM audit_log WHERE entity = 'workday_year' ORDER BY id`)
	type entry struct {
		Action, EntityID string
		Before, After    json.RawMessage
	}
	entries, err := pgx.CollectRows(rows, pgx.RowToStructByPos[entry])
	if err != nil || len(entries) != 2 {
		t.Fatalf("audit entries %d, %v", len(entries), err)
	}
	if entries[0].Action != "workdays.create" || entries[0].EntityID != "2027" || entries[0].Before != nil {
		t.Errorf("first entry %s %s %s", entries[0].Action, entries[0].EntityID, entries[0].Before)
	}
	var before, after workdays.YearCalendar
	if err := json.Unmarshal(entries[1].Before, &before); err != nil || before.Source != "seed" || len(before.Days) != len(y2026.Days) {
		t.Errorf("second entry before: %s", entries[1].Before)
	}
	if err := json.Unmarshal(entries[1].After, &after); err != nil || after.Source != "office" || len(after.Days) != len(y2026.Days)+1 {
		t.Errorf("second entry after: %s", entries[1].After)
	}

	// The new year is used for deadlines right away.
	c, err := workdays.Load(ctx, pool, 2026, 2027)
	if err != nil {
		t.Fatal(err)
	}
	due, err := c.AddWorkdays(date(t, "2026-12-30"), 1) // 31 Dec now a holiday, 1 Jan too
	if err != nil || due.String() != "2027-01-04" || due.Provisional {
		t.Errorf("AddWorkdays(2026-12-30, 1) = %v, %v", due, err)
	}
	if ok, provisional := c.IsWorkday(date(t, "2027-02-07")); !ok || provisional {
		t.Errorf("2027-02-07 (make-up Sunday): %v, %v", ok, provisional)
	}
}

// TestDeadlineWaitsForSave: a count that comes out provisional while the
// office is saving that very year waits for the save and counts again
// with it, so no deadline is stored provisional behind the save's back.
func TestDeadlineWaitsForSave(t *testing.T) {
	ctx := context.Background()
	pool := testutil.DB(t)
	save, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer save.Rollback(ctx) //nolint:errcheck
	in := workdays.YearInput{Year: 2027, Note: "测试数据", Days: []workdays.Day{{Date: "2027-01-01", Kind: workdays.Holiday, Name: "元旦"}}}
	if _, err := workdays.SaveYear(ctx, save, audit.System, in, time.Now()); err != nil {
		t.Fatal(err)
	}
	type result struct {
		due workdays.Due
		err error
	}
	done := make(chan result, 1)
	start := date(t, "2026-12-20")
	go func() {
		var r result
		r.err = db.Tx(ctx, pool, func(tx pgx.Tx) (err error) {
			r.due, err = workdays.Deadline(ctx, tx, start, 15)
			return err
		})
		done <- r
	}()
	// The count sees 2027 absent (the save is not committed) and waits
	// for the year's lock.
	waiting := false
	for i := 0; i < 500 && !waiting; i++ {
		if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if !waiting {
			select {
			case r := <-done:
				t.Fatalf("the count did not wait for the save: %+v, %v", r.due, r.err)
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	if !waiting {
		t.Fatal("the count never waited for the year's lock")
	}
	if err := save.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || r.due.String() != "2027-01-11" || r.due.Provisional {
		t.Errorf("count after the save: %+v, %v; want 2027-01-11, not provisional", r.due, r.err)
	}
}
