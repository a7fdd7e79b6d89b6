package ratings_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"minyi/internal/ratings"
)

// noonZone is a whole-hour zone in which it is now around midday, so that
// the watermarks of the test fall well inside the local day whenever it
// runs.
func noonZone(t *testing.T, now time.Time) *time.Location {
	k := 12 - now.UTC().Hour()
	name := "Etc/GMT"
	switch {
	case k > 0:
		name = fmt.Sprintf("Etc/GMT-%d", k)
	case k < 0:
		name = fmt.Sprintf("Etc/GMT+%d", -k)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// newNoonWorld is a dailyWorld of three units whose writer cuts days in
// noonZone, with the time the zone was chosen at.
func newNoonWorld(t *testing.T) (*dailyWorld, *time.Location, time.Time) {
	now := time.Now()
	loc := noonZone(t, now)
	d := newDailyWorld(t, 3)
	d.w = ratings.NewWriter(d.pool, 2, 500, loc, quiet)
	t.Cleanup(d.w.Close)
	return d, loc, now
}

func TestRollUpTodayMovesAWatermarkAndStaysExact(t *testing.T) {
	ctx := context.Background()
	d, loc, now := newNoonWorld(t)
	l := now.In(loc)
	start := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	today := start.Format(time.DateOnly)
	var at []time.Time
	for range 400 {
		at = append(at, start.Add(-24*time.Hour).Add(time.Duration(d.rng.Int64N(int64(now.Sub(start)+24*time.Hour)))))
	}
	written := d.write(at...)

	exact := func(stage string) {
		t.Helper()
		for _, p := range [][2]string{{today, today}, {start.AddDate(0, 0, -1).Format(time.DateOnly), today}} {
			for _, filter := range [][]int64{nil, d.ids[:1]} {
				got, err := ratings.DailyLevelCounts(ctx, d.pool, p[0], p[1], loc, filter)
				if err != nil {
					t.Fatal(err)
				}
				if want := directCounts(t, d.pool, p[0], p[1], loc, filter); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("%s: %s..%s units %v: got %v, want %v", stage, p[0], p[1], filter, got, want)
				}
			}
		}
	}
	// stored says whether today's rows count exactly the ratings before
	// mark, and returns the watermark recorded.
	stored := func(mark time.Time) {
		t.Helper()
		var upto time.Time
		if err := d.pool.QueryRow(ctx, `SELECT upto FROM rating_rollup_days WHERE day = $1::date AND tz = $2`, today, loc.String()).Scan(&upto); err != nil {
			t.Fatal(err)
		}
		if !upto.Equal(mark) {
			t.Fatalf("today is rolled up to %v, want %v", upto, mark)
		}
		rows := d.count(`SELECT coalesce(sum(n1 + n2 + n3 + n4 + n5), 0) FROM rating_daily_counts WHERE day = $1::date`, today)
		if want := d.count(`SELECT count(*) FROM ratings WHERE rated_at >= $1 AND rated_at < $2 AND NOT excluded`, start, mark); rows != want {
			t.Fatalf("today's rows count %d ratings, the ratings before %v are %d", rows, mark, want)
		}
	}
	exact("before any rollup")

	// An earlier clock gives an earlier watermark; RollUp also rolls
	// yesterday completely.
	early := now.Add(-3 * time.Hour)
	if _, err := ratings.RollUp(ctx, d.pool, early, loc); err != nil {
		t.Fatal(err)
	}
	mark1 := early.Add(-10 * time.Minute).Truncate(15 * time.Minute)
	stored(mark1)
	exact("rolled up to three hours ago")
	if n := d.count(`SELECT count(*) FROM rating_rollup_days WHERE upto IS NULL AND day = $1::date`, start.AddDate(0, 0, -1).Format(time.DateOnly)); n != 1 {
		t.Fatal("yesterday is not rolled completely")
	}

	// Late changes before the watermark mark, new ratings after it read
	// live; the counts stay exact.
	late := d.write(mark1.Add(-40*time.Minute), mark1.Add(-time.Second), now.Add(-time.Minute))
	if n := d.count(`SELECT count(*) FROM rating_dirty`); n != 2 {
		t.Fatalf("two ratings before the watermark left %d marks, want 2", n)
	}
	exact("late ratings")
	var before ratings.NewRating
	for _, r := range written {
		if r.RatedAt.After(start) && r.RatedAt.Before(mark1) {
			before = r
			break
		}
	}
	d.setExcluded(before, true)
	exact("an exclusion before the watermark")

	// The same clock moves nothing; the present moves it on, taking the
	// marks before it.
	if moved, err := ratings.RollUpToday(ctx, d.pool, early, loc); err != nil || moved {
		t.Fatalf("a second rollup at the same time moved: %v %v", moved, err)
	}
	moved, err := ratings.RollUpToday(ctx, d.pool, now, loc)
	if err != nil || !moved {
		t.Fatalf("rolling up to now did not move: %v %v", moved, err)
	}
	mark2 := now.Add(-10 * time.Minute).Truncate(15 * time.Minute)
	stored(mark2)
	if n := d.count(`SELECT count(*) FROM rating_dirty WHERE minute < $1`, mark2); n != 0 {
		t.Fatalf("%d marks before the watermark survived its move", n)
	}
	exact("rolled up to now")

	// A restore before the watermark marks again; RollUp recomputes the
	// unit's day up to the watermark only.
	d.setExcluded(before, false)
	d.write(late[2].RatedAt.Add(30 * time.Second))
	exact("a restore")
	if _, err := ratings.RollUp(ctx, d.pool, now, loc); err != nil {
		t.Fatal(err)
	}
	stored(mark2)
	if n := d.count(`SELECT count(*) FROM rating_dirty`); n != 0 {
		t.Fatalf("%d marks left after RollUp", n)
	}
	exact("after RollUp")
}
