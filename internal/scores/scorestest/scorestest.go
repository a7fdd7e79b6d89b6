// Package scorestest builds the small data sets the score tests share:
// units, a cycle, daily ratings stored through the ratings writer (so any
// pre-aggregate the writer keeps is fed as in production), and surveys with
// responses inserted with plain SQL.
package scorestest

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/audit"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/ratings"
	"minyi/internal/score"
	"minyi/internal/units"
)

// Categories of the standard fixture.
const (
	CategoryA = "社会服务类"
	CategoryB = "经济发展类"
)

// Data adds rows to a test database.
type Data struct {
	tb   testing.TB
	pool *pgxpool.Pool
	loc  *time.Location
	w    *ratings.Writer
}

// New returns a Data writing to pool; times are read in loc.
func New(tb testing.TB, pool *pgxpool.Pool, loc *time.Location) *Data {
	tb.Helper()
	w := ratings.NewWriter(pool, 1, 500, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	tb.Cleanup(w.Close)
	return &Data{tb: tb, pool: pool, loc: loc, w: w}
}

// Unit creates a unit and returns its id.
func (d *Data) Unit(name, category string) int64 {
	d.tb.Helper()
	ctx := context.Background()
	var u units.Unit
	err := db.Tx(ctx, d.pool, func(tx pgx.Tx) (err error) {
		u, err = units.CreateUnit(ctx, tx, audit.System, units.UnitInput{Name: name, Category: category}, []string{category})
		return err
	})
	if err != nil {
		d.tb.Fatal(err)
	}
	return u.ID
}

// Cycle creates a cycle of the year, over the whole calendar year.
func (d *Data) Cycle(name string, year int, cfg cycles.Config) cycles.Cycle {
	d.tb.Helper()
	ctx := context.Background()
	y := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006")
	var cy cycles.Cycle
	err := db.Tx(ctx, d.pool, func(tx pgx.Tx) (err error) {
		in := cycles.CycleInput{Name: name, Year: year, PeriodStart: y + "-01-01", PeriodEnd: y + "-12-31"}
		cy, err = cycles.CreateCycle(ctx, tx, audit.System, in, cfg)
		return err
	})
	if err != nil {
		d.tb.Fatal(err)
	}
	return cy
}

// SetConfig stores cfg as the cycle's next version and returns its number.
func (d *Data) SetConfig(cycleID int64, cfg cycles.Config, note string) int {
	d.tb.Helper()
	ctx := context.Background()
	var v cycles.ConfigVersion
	err := db.Tx(ctx, d.pool, func(tx pgx.Tx) (err error) {
		v, err = cycles.SetConfig(ctx, tx, audit.System, cycleID, cfg, note)
		return err
	})
	if err != nil {
		d.tb.Fatal(err)
	}
	return v.Version
}

// Ratings stores one QR rating per level for the unit at the local time
// at ("2025-03-01 10:00") and returns their ids.
func (d *Data) Ratings(unitID int64, at string, levels ...int) []uuid.UUID {
	d.tb.Helper()
	t, err := time.ParseInLocation("2006-01-02 15:04", at, d.loc)
	if err != nil {
		d.tb.Fatal(err)
	}
	points := []float64{0, 30, 60, 80, 100}
	items := make([]ratings.NewRating, len(levels))
	for i, l := range levels {
		items[i] = ratings.NewRating{Channel: ratings.ChannelQR, UnitID: unitID, Level: l, Points: points[l-1],
			RatedAt: t.Add(time.Duration(i) * time.Second), RateChecked: true}
	}
	res, err := d.w.Write(context.Background(), items)
	if err != nil {
		d.tb.Fatal(err)
	}
	ids := make([]uuid.UUID, len(res))
	for i, r := range res {
		if r.Status != ratings.Created {
			d.tb.Fatalf("rating %d: %s", i, r.Status)
		}
		ids[i] = r.ID
	}
	return ids
}

// Exclude excludes a rating, as the office does.
func (d *Data) Exclude(id uuid.UUID) {
	d.tb.Helper()
	ctx := context.Background()
	err := db.Tx(ctx, d.pool, func(tx pgx.Tx) error {
		_, err := ratings.Exclude(ctx, tx, audit.System, id, "测试剔除")
		return err
	})
	if err != nil {
		d.tb.Fatal(err)
	}
}

// Survey inserts a survey of the cycle with the status and returns its id.
func (d *Data) Survey(cycleID int64, title, status string) int64 {
	d.tb.Helper()
	var id int64
	err := d.pool.QueryRow(context.Background(), `INSERT INTO surveys (cycle_id, title, questions, status)
		VALUES ($1, $2, '[{"key":"overall","text":"总体满意度","kind":"overall"}]', $3) RETURNING id`,
		cycleID, title, status).Scan(&id)
	if err != nil {
		d.tb.Fatal(err)
	}
	return id
}

// Responses inserts one invitation response per level about the unit.
func (d *Data) Responses(surveyID, unitID int64, group string, levels ...int) {
	d.tb.Helper()
	_, err := d.pool.Exec(context.Background(), `INSERT INTO survey_responses
		(survey_id, unit_id, group_key, source, level, submitted_on)
		SELECT $1, $2, $3, 'invitation', l, DATE '2026-01-10' FROM unnest($4::smallint[]) AS l`,
		surveyID, unitID, group, levels)
	if err != nil {
		d.tb.Fatal(err)
	}
}

// Config is the standard fixture's version 1: points 100/80/60/30/0,
// daily 40 % and annual 60 %, a minimum of 4 daily ratings with the daily
// part still counting below it, and three groups: service users 50 %
// (minimum 3), NPC deputies 30 % (minimum 2), experts 20 % (minimum 2).
func Config() cycles.Config {
	return cycles.Config{LevelPoints: []float64{100, 80, 60, 30, 0}, Score: score.Config{
		DailyWeight: 0.4, AnnualWeight: 0.6, MinDailyCount: 4,
		Groups: []score.Group{
			{Key: score.GroupServiceUsers, Name: "服务对象", Weight: 0.5, MinSample: 3},
			{Key: score.GroupNPCDeputies, Name: "人大代表", Weight: 0.3, MinSample: 2},
			{Key: score.GroupExperts, Name: "专家学者", Weight: 0.2, MinSample: 2},
		},
	}}
}

// ConfigV2 is Config with daily 50 %, annual 50 % and the annual part
// carrying the score when the daily part is short.
func ConfigV2() cycles.Config {
	c := Config()
	c.Score.DailyWeight, c.Score.AnnualWeight = 0.5, 0.5
	c.Score.AnnualCarriesWhenDailyShort = true
	return c
}

// Fixture is the standard data set: the cycle "2025年度" (version 1 =
// Config) with two closed surveys, and nine units. Expected results under
// version 1, worked out by hand:
//
//	Both (市政务服务中心): daily 5,5,4 on 2025-03-01 and 3 on 2025-12-31 23:30 =
//	  340/4 = 85 (a level 1 excluded, one on 2024-12-31 23:30 and one on
//	  2026-01-01 00:10 outside the period); annual: service users 5,4,4 =
//	  86.667, NPC deputies 5,5 = 100, experts 3,4 = 70 (second survey),
//	  0.5×86.667 + 0.3×100 + 0.2×70 = 87.333; a response of the unknown
//	  group "residents" and one in the 2024 cycle are ignored;
//	  score 0.4×85 + 0.6×87.333 = 86.40, no flags.
//	DailyOnly (市民政局): 4,4,4,4,2 = 350/5 = 70; annual_missing; 70.00.
//	AnnualOnly (市医疗保障局): service users 5,5,5 = 100, experts 3,3 = 60,
//	  NPC deputies missing: (0.5×100 + 0.2×60) / 0.7 = 88.571;
//	  daily_missing, group_missing; 88.57.
//	Short (市档案馆): daily 5,5 (2 < 4) = 100; every group 80;
//	  0.4×100 + 0.6×80 = 88.00, daily_below_minimum (80.00 under ConfigV2).
//	Empty (市地方志办): no score, unranked.
//	Category A ranks AnnualOnly 1, Short 2, Both 3, DailyOnly 4, Empty —.
//	Category B (daily only): B1 4×5 = 100, B2 and B3 4×4 = 80, B4 4×3 = 60:
//	  ranks 1, 2, 2, 4.
//
// Under ConfigV2: Both 0.5×85 + 0.5×87.333 = 86.17, Short 80.00, and A ranks
// AnnualOnly, Both, Short, DailyOnly.
type Fixture struct {
	Cycle                                     cycles.Cycle
	Surveys                                   []int64
	Both, DailyOnly, AnnualOnly, Short, Empty int64
	B1, B2, B3, B4                            int64
	// Excluded is Both's excluded rating.
	Excluded uuid.UUID
}

// Standard builds the standard fixture.
func (d *Data) Standard() Fixture {
	d.tb.Helper()
	f := Fixture{Cycle: d.Cycle("2025年度", 2025, Config())}
	f.Both = d.Unit("市政务服务中心", CategoryA)
	f.DailyOnly = d.Unit("市民政局", CategoryA)
	f.AnnualOnly = d.Unit("市医疗保障局", CategoryA)
	f.Short = d.Unit("市档案馆", CategoryA)
	f.Empty = d.Unit("市地方志办", CategoryA)
	f.B1 = d.Unit("市发展改革委", CategoryB)
	f.B2 = d.Unit("市商务局", CategoryB)
	f.B3 = d.Unit("市统计局", CategoryB)
	f.B4 = d.Unit("市市场监管局", CategoryB)

	d.Ratings(f.Both, "2025-03-01 10:00", 5, 5, 4)
	d.Ratings(f.Both, "2025-12-31 23:30", 3)
	f.Excluded = d.Ratings(f.Both, "2025-03-02 10:00", 1)[0]
	d.Exclude(f.Excluded)
	d.Ratings(f.Both, "2024-12-31 23:30", 1)
	d.Ratings(f.Both, "2026-01-01 00:10", 1)
	d.Ratings(f.DailyOnly, "2025-05-01 09:00", 4, 4, 4, 4, 2)
	d.Ratings(f.Short, "2025-06-01 09:00", 5, 5)
	d.Ratings(f.B1, "2025-07-01 09:00", 5, 5, 5, 5)
	d.Ratings(f.B2, "2025-07-01 09:00", 4, 4, 4, 4)
	d.Ratings(f.B3, "2025-07-01 09:00", 4, 4, 4, 4)
	d.Ratings(f.B4, "2025-07-01 09:00", 3, 3, 3, 3)

	s1 := d.Survey(f.Cycle.ID, "2025年度满意度调查", "closed")
	s2 := d.Survey(f.Cycle.ID, "2025年度专家评议", "closed")
	f.Surveys = []int64{s1, s2}
	d.Responses(s1, f.Both, score.GroupServiceUsers, 5, 4, 4)
	d.Responses(s1, f.Both, score.GroupNPCDeputies, 5, 5)
	d.Responses(s1, f.Both, "residents", 1)
	d.Responses(s2, f.Both, score.GroupExperts, 3, 4)
	d.Responses(s1, f.AnnualOnly, score.GroupServiceUsers, 5, 5, 5)
	d.Responses(s2, f.AnnualOnly, score.GroupExperts, 3, 3)
	d.Responses(s1, f.Short, score.GroupServiceUsers, 4, 4, 4)
	d.Responses(s1, f.Short, score.GroupNPCDeputies, 4, 4)
	d.Responses(s2, f.Short, score.GroupExperts, 4, 4)

	other := d.Cycle("2024年度", 2024, Config())
	d.Responses(d.Survey(other.ID, "2024年度满意度调查", "closed"), f.Both, score.GroupServiceUsers, 1)
	return f
}
