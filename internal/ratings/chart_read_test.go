package ratings_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/ratings"
	"minyi/internal/units"
)

// directOffice is OfficeChart computed straight from the ratings.
func directOffice(t *testing.T, d *dailyWorld, loc *time.Location, from, to string) ratings.OfficeFigures {
	t.Helper()
	out := ratings.OfficeFigures{Days: map[string]ratings.LevelCounts{}}
	rows, _ := d.pool.Query(context.Background(), `SELECT (rated_at AT TIME ZONE $1)::date::text, level, channel,
			extract(isodow FROM rated_at AT TIME ZONE $1)::int, extract(hour FROM rated_at AT TIME ZONE $1)::int, reasons
		FROM ratings WHERE NOT excluded AND (rated_at AT TIME ZONE $1)::date BETWEEN $2::date AND $3::date`, loc.String(), from, to)
	reasons := map[string]ratings.LevelCounts{}
	var day, channel string
	var level, dow, hour int
	var rs []string
	_, err := pgx.ForEachRow(rows, []any{&day, &level, &channel, &dow, &hour, &rs}, func() error {
		c := out.Days[day]
		c[level-1]++
		out.Days[day] = c
		if channel == ratings.ChannelTerminal {
			out.Hours[dow-1][hour]++
		}
		for _, r := range rs {
			c := reasons[r]
			c[level-1]++
			reasons[r] = c
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for k, c := range reasons {
		out.Reasons = append(out.Reasons, ratings.KeyCounts{Key: k, Counts: c})
	}
	sortByCount(out.Reasons)
	return out
}

// directUnit is UnitChart computed straight from the ratings.
func directUnit(t *testing.T, d *dailyWorld, loc *time.Location, unit int64, from, to string) ratings.UnitFigures {
	t.Helper()
	parts := map[string]map[string]ratings.LevelCounts{"point": {}, "terminal": {}, "reason": {}}
	rows, _ := d.pool.Query(context.Background(), `SELECT level, point_id, terminal_id, reasons FROM ratings
		WHERE NOT excluded AND unit_id = $4 AND (rated_at AT TIME ZONE $1)::date BETWEEN $2::date AND $3::date`, loc.String(), from, to, unit)
	var level int
	var point, terminal *int64
	var rs []string
	add := func(part, key string) {
		c := parts[part][key]
		c[level-1]++
		parts[part][key] = c
	}
	_, err := pgx.ForEachRow(rows, []any{&level, &point, &terminal, &rs}, func() error {
		if point != nil {
			add("point", strconv.FormatInt(*point, 10))
		}
		if terminal != nil {
			add("terminal", strconv.FormatInt(*terminal, 10))
		}
		for _, r := range rs {
			add("reason", r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	list := func(m map[string]ratings.LevelCounts) []ratings.KeyCounts {
		var l []ratings.KeyCounts
		for k, c := range m {
			l = append(l, ratings.KeyCounts{Key: k, Counts: c})
		}
		sortByCount(l)
		return l
	}
	return ratings.UnitFigures{Points: list(parts["point"]), Terminals: list(parts["terminal"]), Reasons: list(parts["reason"])}
}

func sortByCount(l []ratings.KeyCounts) {
	for i := range l {
		for j := i + 1; j < len(l); j++ {
			a, b := l[i], l[j]
			if b.Counts.Total() > a.Counts.Total() || b.Counts.Total() == a.Counts.Total() && b.Key < a.Key {
				l[i], l[j] = b, a
			}
		}
	}
}

// TestChartPartsStayEqualToTheRatings: the charts' aggregates read (stored
// for rolled days, live for the rest) equal the figures straight from the
// ratings before any rollup, after the rollup of the past days and of today
// up to its watermark, and after late ratings, exclusions and restores once
// the rollup recomputed their days.
func TestChartPartsStayEqualToTheRatings(t *testing.T) {
	ctx := context.Background()
	d, loc, now := newNoonWorld(t)
	// The first unit's hall takes QR ratings, its terminal window ratings.
	var point units.ServicePoint
	err := db.Tx(ctx, d.pool, func(tx pgx.Tx) (err error) {
		point, err = units.CreatePoint(ctx, tx, audit.System, d.ids[0], units.PointInput{Name: "政务大厅", Kind: "hall"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	reasons := [][]string{nil, {"态度差"}, {"等候时间长", "态度差"}, {"办事效率低"}}
	var batch []ratings.NewRating
	for _, at := range d.randomTimes(500, 40) {
		f := d.units[d.rng.IntN(len(d.units))]
		r := f.terminalRating(0, "", "")
		r.RatedAt, r.Level = at, 1+d.rng.IntN(5)
		if r.Level <= 2 {
			r.Reasons = reasons[1+d.rng.IntN(3)]
		}
		if f.unit.ID == d.ids[0] && d.rng.IntN(2) == 0 {
			pid := point.ID
			r.Channel, r.Origin, r.TerminalID, r.PointID, r.QRCode = ratings.ChannelQR, 0, nil, &pid, "QR"+strconv.Itoa(d.rng.IntN(1e6))
		}
		batch = append(batch, r)
	}
	if _, err := d.w.Write(ctx, batch); err != nil {
		t.Fatal(err)
	}
	l := now.In(loc)
	day := func(ago int) string { return l.AddDate(0, 0, -ago).Format(time.DateOnly) }
	check := func(stage string) {
		t.Helper()
		for _, p := range [][2]string{{day(41), day(0)}, {day(30), day(0)}, {day(20), day(5)}, {day(0), day(0)}, {day(3), day(-3)}} {
			got, err := ratings.OfficeChart(ctx, d.pool, loc, p[0], p[1])
			if err != nil {
				t.Fatal(err)
			}
			if want := directOffice(t, d, loc, p[0], p[1]); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%s: office %s..%s:\n got %v\nwant %v", stage, p[0], p[1], got, want)
			}
			for _, unit := range d.ids[:2] {
				got, err := ratings.UnitChart(ctx, d.pool, loc, unit, p[0], p[1])
				if err != nil {
					t.Fatal(err)
				}
				if want := directUnit(t, d, loc, unit, p[0], p[1]); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("%s: unit %d %s..%s:\n got %v\nwant %v", stage, unit, p[0], p[1], got, want)
				}
			}
		}
	}
	check("before any rollup")
	if _, err := ratings.RollUp(ctx, d.pool, now, loc); err != nil {
		t.Fatal(err)
	}
	if d.count(`SELECT count(*) FROM rating_office_daily WHERE part = 'hour'`) == 0 ||
		d.count(`SELECT count(*) FROM rating_daily_parts WHERE part = 'point'`) == 0 ||
		d.count(`SELECT count(*) FROM rating_daily_parts WHERE part = 'reason'`) == 0 {
		t.Fatal("the rollup stored no parts")
	}
	if d.count(`SELECT count(*) FROM rating_rollup_days WHERE upto IS NOT NULL`) != 1 {
		t.Fatal("today was not rolled up to a watermark")
	}
	check("after the rollup")
	for _, r := range batch[:30] {
		d.setExcluded(r, true)
	}
	if _, err := ratings.RollUp(ctx, d.pool, now, loc); err != nil {
		t.Fatal(err)
	}
	check("after exclusions and their rollup")
	for _, r := range batch[:10] {
		d.setExcluded(r, false)
	}
	late := d.write(d.randomTimes(40, 20)...)
	if _, err := ratings.RollUp(ctx, d.pool, now, loc); err != nil {
		t.Fatal(err)
	}
	check("after restores, late ratings and their rollup")
	// Every rating of a rolled day excluded: its rows go.
	for _, r := range append(append(batch[:10:10], batch[30:]...), late...) {
		d.setExcluded(r, true)
	}
	if _, err := ratings.RollUp(ctx, d.pool, now, loc); err != nil {
		t.Fatal(err)
	}
	check("after every rating was excluded")
	if n := d.count(`SELECT count(*) FROM rating_daily_parts`) + d.count(`SELECT count(*) FROM rating_office_daily`); n != 0 {
		t.Errorf("%d rows count nothing", n)
	}
}
