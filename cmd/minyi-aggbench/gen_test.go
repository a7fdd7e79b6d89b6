package main

import (
	"testing"
	"time"
)

func TestPlanDaysSpreadsEveryRating(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	first := time.Date(2025, 11, 22, 0, 0, 0, 0, time.UTC)
	today := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		local    time.Time
		lastDay  string
		lastSpan time.Duration
	}{
		{time.Date(2026, 11, 21, 13, 0, 0, 0, loc), "2026-11-21", 5 * time.Hour},  // today half open
		{time.Date(2026, 11, 21, 23, 0, 0, 0, loc), "2026-11-21", 10 * time.Hour}, // today closed
		{time.Date(2026, 11, 21, 6, 0, 0, 0, loc), "2026-11-20", 10 * time.Hour},  // nothing of today yet
	} {
		chunks := planDays(first, today, c.local, 50_000_000)
		var total int64
		var days int
		for _, ch := range chunks {
			var rows int64
			for i := range ch.days {
				rows += int64(ch.counts[i])
				days++
			}
			if rows != ch.rows || (rows > 1_100_000 && len(ch.days) > 1) {
				t.Errorf("%v: chunk of %d days holds %d rows, says %d", c.local, len(ch.days), rows, ch.rows)
			}
			total += rows
		}
		last := chunks[len(chunks)-1]
		n := len(last.days) - 1
		if total != 50_000_000 || last.days[n].Format(time.DateOnly) != c.lastDay || last.spans[n] != c.lastSpan {
			t.Errorf("%v: %d ratings over %d days ending %s (span %s)", c.local, total, days,
				last.days[n].Format(time.DateOnly), last.spans[n])
		}
	}
}

func TestOptionsRefuseOtherMachinesAndDatabases(t *testing.T) {
	ok := options{pg: "postgres://postgres@127.0.0.1:5432", db: "minyi_bench_agg", ratings: 50_000_000, years: 1, units: 1000, reps: 7, directReps: 3}
	if err := ok.check(); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []func(o *options){
		func(o *options) { o.pg = "postgres://postgres@10.0.0.5:5432" },
		func(o *options) { o.db = "minyi" },
		func(o *options) { o.db = "minyi_bench; DROP" },
		func(o *options) { o.ratings = 10 },
		func(o *options) { o.years = 0 },
	} {
		o := ok
		bad(&o)
		if o.check() == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}
