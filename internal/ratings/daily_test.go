package ratings_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/ratings"
	"minyi/internal/testutil"
)

// directCounts is the count straight from the ratings.
func directCounts(t *testing.T, q db.DBTX, from, to string, loc *time.Location, unitIDs []int64) map[int64]ratings.LevelCounts {
	t.Helper()
	out, err := ratings.DirectLevelCounts(context.Background(), q, from, to, loc, unitIDs)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// dailyWorld is a database with units and a writer in Shanghai time.
type dailyWorld struct {
	t     *testing.T
	pool  *pgxpool.Pool
	w     *ratings.Writer
	units []fixture
	ids   []int64
	rng   *rand.Rand
	now   time.Time
}

func newDailyWorld(t *testing.T, nunits int) *dailyWorld {
	pool := testutil.DB(t)
	w := ratings.NewWriter(pool, 3, 500, shanghai, quiet)
	t.Cleanup(w.Close)
	d := &dailyWorld{t: t, pool: pool, w: w, rng: rand.New(rand.NewPCG(3, 7)), now: time.Now()}
	for i := range nunits {
		f := makeUnit(t, pool, fmt.Sprintf("单位%d", i+1), 1)
		d.units, d.ids = append(d.units, f), append(d.ids, f.unit.ID)
	}
	return d
}

// write stores ratings of random units and levels at the given times and
// returns them.
func (d *dailyWorld) write(at ...time.Time) []ratings.NewRating {
	d.t.Helper()
	var batch []ratings.NewRating
	for _, t := range at {
		r := d.units[d.rng.IntN(len(d.units))].terminalRating(0, "", "")
		r.RatedAt, r.Level = t, 1+d.rng.IntN(5)
		batch = append(batch, r)
	}
	if _, err := d.w.Write(context.Background(), batch); err != nil {
		d.t.Fatal(err)
	}
	return batch
}

// randomTimes returns n times spread over the last days days.
func (d *dailyWorld) randomTimes(n, days int) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = d.now.Add(-time.Duration(d.rng.Int64N(int64(days) * int64(24*time.Hour))))
	}
	return out
}

func (d *dailyWorld) day(daysAgo int) string {
	return d.now.In(shanghai).AddDate(0, 0, -daysAgo).Format(time.DateOnly)
}

// check compares DailyLevelCounts with the direct count over several
// periods, for every unit and for a subset.
func (d *dailyWorld) check(stage string) {
	d.t.Helper()
	if n := d.count(`SELECT count(*) FROM (
		SELECT date_trunc('month', day)::date AS month, unit_id, sum(n1), sum(n2), sum(n3), sum(n4), sum(n5)
		FROM rating_daily_counts WHERE day NOT IN (SELECT day FROM rating_rollup_days WHERE upto IS NOT NULL) GROUP BY 1, 2
		EXCEPT SELECT month, unit_id, n1, n2, n3, n4, n5 FROM rating_monthly_counts) AS x`); n != 0 ||
		d.count(`SELECT count(*) FROM rating_monthly_counts`) != d.count(`SELECT count(DISTINCT (unit_id, date_trunc('month', day))) FROM rating_daily_counts
			WHERE day NOT IN (SELECT day FROM rating_rollup_days WHERE upto IS NOT NULL)`) {
		d.t.Fatalf("%s: the monthly sums differ from the daily rows", stage)
	}
	periods := [][2]string{
		{d.day(65), d.day(0)}, {d.day(45), d.day(0)}, {d.day(30), d.day(10)}, {d.day(3), d.day(1)}, {d.day(1), d.day(1)},
		{d.day(0), d.day(0)}, {d.day(20), d.day(-40)}, {d.day(400), d.day(300)}, {d.day(5), d.day(6)},
	}
	for _, p := range periods {
		for _, filter := range [][]int64{nil, d.ids[:1], {d.ids[1], d.ids[len(d.ids)-1], 999_999}} {
			got, err := ratings.DailyLevelCounts(context.Background(), d.pool, p[0], p[1], shanghai, filter)
			if err != nil {
				d.t.Fatal(err)
			}
			want := directCounts(d.t, d.pool, p[0], p[1], shanghai, filter)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				d.t.Fatalf("%s: %s..%s units %v: got %v, want %v", stage, p[0], p[1], filter, got, want)
			}
		}
		d.checkSeries(stage, p[0], p[1])
	}
}

// checkSeries compares DayLevelCounts and MonthLevelCounts with the direct
// count per day and per month.
func (d *dailyWorld) checkSeries(stage, from, to string) {
	d.t.Helper()
	for _, byMonth := range []bool{false, true} {
		key := "(rated_at AT TIME ZONE $3)::date"
		read := ratings.DayLevelCounts
		if byMonth {
			key, read = "date_trunc('month', (rated_at AT TIME ZONE $3)::date)::date", ratings.MonthLevelCounts
		}
		got, err := read(context.Background(), d.pool, from, to, shanghai)
		if err != nil {
			d.t.Fatal(err)
		}
		rows, _ := d.pool.Query(context.Background(), `SELECT `+key+`::text, level, count(*) FROM ratings
			WHERE rated_at >= $1::date::timestamp AT TIME ZONE $3 AND rated_at < ($2::date + 1)::timestamp AT TIME ZONE $3
			AND NOT excluded GROUP BY 1, 2`, from, to, shanghai.String())
		want := map[string]ratings.LevelCounts{}
		var k string
		var level int
		var n int64
		if _, err := pgx.ForEachRow(rows, []any{&k, &level, &n}, func() error {
			c := want[k]
			c[level-1] = n
			want[k] = c
			return nil
		}); err != nil {
			d.t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			d.t.Fatalf("%s: %s..%s by month %v: got %v, want %v", stage, from, to, byMonth, got, want)
		}
	}
}

func (d *dailyWorld) rollUp() ratings.RollupResult {
	d.t.Helper()
	res, err := ratings.RollUp(context.Background(), d.pool, time.Now(), shanghai)
	if err != nil {
		d.t.Fatal(err)
	}
	return res
}

func (d *dailyWorld) setExcluded(id ratings.NewRating, excluded bool) {
	d.t.Helper()
	err := db.Tx(context.Background(), d.pool, func(tx pgx.Tx) error {
		var err error
		if excluded {
			_, err = ratings.Exclude(context.Background(), tx, audit.System, id.ID, "测试剔除")
		} else {
			_, err = ratings.Restore(context.Background(), tx, audit.System, id.ID)
		}
		return err
	})
	if err != nil {
		d.t.Fatal(err)
	}
}

func (d *dailyWorld) count(sql string, args ...any) int {
	d.t.Helper()
	return count(d.t, d.pool, sql, args...)
}

func TestDailyLevelCountsAggregateStaysExact(t *testing.T) {
	d := newDailyWorld(t, 4)
	old := d.write(d.randomTimes(600, 70)...)
	d.check("before any rollup")

	// A rating of a past day written by the writer is late and marked; one of
	// today is not.
	if n := d.count(`SELECT count(*) FROM rating_dirty`); n == 0 {
		t.Fatal("late ratings left no dirty marks")
	}
	res := d.rollUp()
	if res.Days < 69 || d.count(`SELECT count(*) FROM rating_dirty`) != 0 {
		t.Fatalf("rollup %+v left %d marks", res, d.count(`SELECT count(*) FROM rating_dirty`))
	}
	if n := d.count(`SELECT count(*) FROM rating_rollup_days WHERE day = $1::date AND upto IS NULL`, d.day(0)); n != 0 {
		t.Fatal("today was rolled completely before it ended")
	}
	d.check("after the first rollup")
	d.write(d.now)
	if n := d.count(`SELECT count(*) FROM rating_dirty`); n != 0 {
		t.Errorf("a rating of today left %d marks", n)
	}

	// Rolling again changes nothing.
	snapshot := func() string {
		rows, _ := d.pool.Query(context.Background(),
			`SELECT unit_id, day::text, n1, n2, n3, n4, n5 FROM rating_daily_counts ORDER BY 1, 2`)
		all, err := pgx.CollectRows(rows, pgx.RowToMap)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(all)
	}
	before := snapshot()
	if res := d.rollUp(); res.Days != 0 || res.Pairs != 0 {
		t.Errorf("second rollup did %+v, want nothing", res)
	}
	if snapshot() != before {
		t.Error("a second rollup changed the aggregate")
	}

	// Late ratings into rolled days, excludes and restores: exact before and
	// after each rollup.
	d.write(d.randomTimes(50, 30)...)
	d.check("after late ratings")
	for _, r := range old[:40] {
		d.setExcluded(r, true)
	}
	d.check("after excludes")
	if res := d.rollUp(); res.Pairs == 0 {
		t.Errorf("rollup after changes recomputed no pairs: %+v", res)
	}
	d.check("after the rollup of the changes")
	for _, r := range old[:20] {
		d.setExcluded(r, false)
	}
	d.check("after restores")
	d.rollUp()
	d.check("after the rollup of the restores")
	if d.count(`SELECT count(*) FROM rating_daily_counts WHERE n1 + n2 + n3 + n4 + n5 = 0`) != 0 {
		t.Error("the aggregate keeps rows that count nothing")
	}

	// Excluding every rating of a rolled (unit, day) removes its row.
	var unit int64
	var day string
	err := d.pool.QueryRow(context.Background(), `SELECT unit_id, day::text FROM rating_daily_counts
		WHERE n1 + n2 + n3 + n4 + n5 = 1 ORDER BY day LIMIT 1`).Scan(&unit, &day)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range old {
		if r.UnitID == unit && r.RatedAt.In(shanghai).Format(time.DateOnly) == day {
			d.setExcluded(r, true)
		}
	}
	d.rollUp()
	if d.count(`SELECT count(*) FROM rating_daily_counts WHERE unit_id = $1 AND day = $2::date`, unit, day) != 0 {
		t.Error("a (unit, day) without counted ratings kept its row")
	}
	d.check("after a day lost its last rating")

	// The rolled days are read from the aggregate: a rating slipped into a
	// rolled day behind the protocol's back stays unseen until its day is
	// recomputed.
	_, err = d.pool.Exec(context.Background(), `INSERT INTO ratings (id, rated_at, channel, unit_id, level, points)
		VALUES (gen_random_uuid(), $1, 'qr', $2, 5, 100)`, d.now.AddDate(0, 0, -10), d.ids[0])
	if err != nil {
		t.Fatal(err)
	}
	p := [2]string{d.day(11), d.day(9)}
	got, _ := ratings.DailyLevelCounts(context.Background(), d.pool, p[0], p[1], shanghai, d.ids[:1])
	want := directCounts(t, d.pool, p[0], p[1], shanghai, d.ids[:1])
	if got[d.ids[0]][4] != want[d.ids[0]][4]-1 {
		t.Errorf("rolled days were not read from the aggregate: got %v, direct %v", got, want)
	}
}

// Days are local days: a rating at 23:59:59.999 belongs to its day and one
// at 00:00 to the next, whether the days are rolled or read live, and a
// change of TIME_ZONE makes the days rolled in the old zone read live until
// they are rolled again.
func TestDailyLevelCountsLocalDayEdges(t *testing.T) {
	d := newDailyWorld(t, 2)
	local := d.now.In(shanghai)
	midnight := time.Date(local.Year(), local.Month(), local.Day()-5, 0, 0, 0, 0, shanghai)
	d.write(midnight.Add(-time.Millisecond), midnight, midnight.Add(-time.Millisecond), midnight.Add(24*time.Hour-time.Millisecond),
		midnight.Add(8*time.Hour), midnight.Add(-8*time.Hour), midnight.Add(16*time.Hour))
	before, on := midnight.AddDate(0, 0, -1).Format(time.DateOnly), midnight.Format(time.DateOnly)
	total := func(from, to string) int64 {
		got, err := ratings.DailyLevelCounts(context.Background(), d.pool, from, to, shanghai, nil)
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		for _, c := range got {
			n += c.Total()
		}
		return n
	}
	for _, stage := range []string{"live", "rolled"} {
		if n := total(before, before); n != 3 {
			t.Errorf("%s: %s holds %d ratings, want 3", stage, before, n)
		}
		if n := total(on, on); n != 4 {
			t.Errorf("%s: %s holds %d ratings, want 4", stage, on, n)
		}
		d.check(stage)
		d.rollUp()
	}

	// Rolled in UTC, read in Shanghai: still the Shanghai days.
	if _, err := ratings.RollUp(context.Background(), d.pool, time.Now(), time.UTC); err != nil {
		t.Fatal(err)
	}
	if n := d.count(`SELECT count(*) FROM rating_rollup_days WHERE tz = 'Asia/Shanghai'`); n != 0 {
		t.Fatalf("%d days still rolled in Shanghai after a rollup in UTC", n)
	}
	d.check("rolled in UTC")
	if n := total(on, on); n != 4 {
		t.Errorf("after a rollup in UTC, %s holds %d ratings, want 4", on, n)
	}
	d.rollUp()
	d.check("rolled again in Shanghai")
}

// Readers compare the aggregate with the direct count in one snapshot
// while excludes, restores and late ratings race with rollups.
func TestDailyLevelCountsConcurrentChanges(t *testing.T) {
	d := newDailyWorld(t, 3)
	all := d.write(d.randomTimes(400, 20)...)
	d.rollUp()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	errs := make(chan error, 16)
	done := make(chan struct{})
	var writers, others sync.WaitGroup
	for g := range 3 {
		writers.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 1))
			excluded := map[int]bool{}
			for range 60 {
				i := rng.IntN(len(all))
				err := db.Tx(ctx, d.pool, func(tx pgx.Tx) error {
					var err error
					if excluded[i] {
						_, err = ratings.Restore(ctx, tx, audit.System, all[i].ID)
					} else {
						_, err = ratings.Exclude(ctx, tx, audit.System, all[i].ID, "并发剔除")
					}
					return err
				})
				if err == nil {
					excluded[i] = !excluded[i]
				} else if !apperr.Is(err, apperr.Conflict) {
					errs <- err
					return
				}
			}
		})
	}
	writers.Go(func() {
		for range 10 {
			r := d.units[0].terminalRating(0, "", "")
			r.RatedAt = d.now.AddDate(0, 0, -3)
			if _, err := d.w.Write(ctx, []ratings.NewRating{r}); err != nil {
				errs <- err
				return
			}
		}
	})
	// untilDone runs fn again and again until the writers are done.
	untilDone := func(fn func() error) {
		others.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				if err := fn(); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	untilDone(func() error {
		_, err := ratings.RollUp(ctx, d.pool, time.Now(), shanghai)
		return err
	})
	untilDone(func() error {
		return pgx.BeginTxFunc(ctx, d.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
			func(tx pgx.Tx) error {
				got, err := ratings.DailyLevelCounts(ctx, tx, d.day(25), d.day(0), shanghai, nil)
				if err != nil {
					return err
				}
				want, err := ratings.DirectLevelCounts(ctx, tx, d.day(25), d.day(0), shanghai, nil)
				if err == nil && fmt.Sprint(got) != fmt.Sprint(want) {
					err = fmt.Errorf("in one snapshot: aggregate %v, direct %v", got, want)
				}
				return err
			})
	})
	writers.Wait()
	close(done)
	others.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	d.check("after the race")
	d.rollUp()
	d.check("after a final rollup")
}

// The writer marks the minutes of late ratings, on the fast path and on the
// fallback that handles re-sent ids, and leaves today's ratings unmarked.
func TestWriterMarksLateRatings(t *testing.T) {
	d := newDailyWorld(t, 1)
	marks := func() string {
		rows, _ := d.pool.Query(context.Background(), `SELECT minute FROM rating_dirty ORDER BY 1`)
		all, err := pgx.CollectRows(rows, pgx.RowTo[time.Time])
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(all)
	}
	minute := func(at ...time.Time) string {
		var out []time.Time
		for _, t := range at {
			out = append(out, t.Truncate(time.Minute).Local())
		}
		return fmt.Sprint(out)
	}
	rating := func(w *ratings.Writer, clientID string, at time.Time) string {
		r := d.units[0].terminalRating(0, clientID, "")
		r.RatedAt = at
		res, err := w.Write(context.Background(), []ratings.NewRating{r})
		if err != nil {
			t.Fatal(err)
		}
		return res[0].Status
	}
	now := time.Now()
	if rating(d.w, "today", now.Add(-time.Minute)); marks() != "[]" {
		t.Fatalf("a rating of a minute ago left marks %s", marks())
	}
	yesterday := now.Add(-29 * time.Hour).Truncate(time.Minute).Add(17 * time.Second)
	if rating(d.w, "late-1", yesterday); marks() != minute(yesterday) {
		t.Fatalf("a rating of yesterday left marks %s, want %s", marks(), minute(yesterday))
	}
	d.pool.Exec(context.Background(), `DELETE FROM rating_dirty`) //nolint:errcheck
	// A re-sent id makes the fast statement fail; the fallback marks the new
	// rating of the batch, not the duplicate.
	other := yesterday.Add(-3 * time.Hour)
	r1, r2 := d.units[0].terminalRating(0, "late-1", ""), d.units[0].terminalRating(0, "late-2", "")
	r1.RatedAt, r2.RatedAt = yesterday, other
	res, err := d.w.Write(context.Background(), []ratings.NewRating{r1, r2})
	if err != nil || res[0].Status != ratings.Duplicate || res[1].Status != ratings.Created {
		t.Fatalf("re-send: %v %v", res, err)
	}
	if marks() != minute(other) {
		t.Errorf("fallback left marks %s, want %s", marks(), minute(other))
	}

	// Without a zone the writer marks whatever is more than a few minutes old.
	plain := newWriter(t, d.pool)
	d.pool.Exec(context.Background(), `DELETE FROM rating_dirty`) //nolint:errcheck
	if rating(plain, "plain-1", now.Add(-time.Minute)); marks() != "[]" {
		t.Errorf("a rating of a minute ago left marks %s", marks())
	}
	old := now.Add(-6 * time.Minute)
	if rating(plain, "plain-2", old); marks() != minute(old) {
		t.Errorf("a rating six minutes old left marks %s, want %s", marks(), minute(old))
	}
}

func TestMonthRunsOfRolledDays(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	var days []time.Time
	for _, s := range []string{"2026-01-30", "2026-01-31", "2026-02-01", "2026-02-02", "2026-02-04", "2027-02-05"} {
		days = append(days, day(s))
	}
	got := fmt.Sprint(ratings.MonthRuns(days))
	want := fmt.Sprint([][2]time.Time{{day("2026-01-30"), day("2026-01-31")}, {day("2026-02-01"), day("2026-02-02")},
		{day("2026-02-04"), day("2026-02-04")}, {day("2027-02-05"), day("2027-02-05")}})
	if got != want {
		t.Errorf("monthRuns = %s, want %s", got, want)
	}
}
