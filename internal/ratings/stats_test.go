package ratings_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/ratings"
	"minyi/internal/testutil"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

// levelPoints is the default LEVEL_POINTS (levels 5..1).
var levelPoints = []float64{100, 80, 60, 30, 0}

func TestStatsCountsPeriodsInLocalTime(t *testing.T) {
	pool := testutil.DB(t)
	w := newWriter(t, pool)
	a := makeUnit(t, pool, "市政务服务中心", 1)
	b := makeUnit(t, pool, "市税务局", 1)
	now := time.Date(2026, 3, 15, 10, 0, 0, 0, shanghai)
	local := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, shanghai) }
	levelOf := map[float64]int{100: 5, 80: 4, 60: 3, 30: 2, 0: 1}
	rating := func(f fixture, at time.Time, points float64) ratings.NewRating {
		r := f.terminalRating(0, "", "")
		r.Origin, r.RatedAt, r.Points, r.Level = 0, at, points, levelOf[points]
		return r
	}
	batch := []ratings.NewRating{
		rating(a, local(3, 15, 0, 5), 100),                   // today, just after local midnight
		rating(a, local(3, 15, 9, 0), 60),                    // today
		rating(a, local(3, 14, 23, 55), 80),                  // yesterday (15:55 UTC, the same UTC day as today's first)
		rating(a, local(3, 1, 0, 0), 30),                     // first moment of the month
		rating(a, local(2, 28, 23, 59), 0),                   // last month
		rating(a, local(1, 1, 0, 0), 100),                    // first moment of the year
		rating(a, local(12, 31, 23, 0).AddDate(-1, 0, 0), 0), // last year
		rating(a, local(3, 15, 8, 0), 0),                     // today, to be excluded
		rating(b, local(3, 15, 8, 0), 80),                    // another unit
	}
	if _, err := w.Write(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	excluded := batch[7].ID
	err := db.Tx(context.Background(), pool, func(tx pgx.Tx) error {
		_, err := ratings.Exclude(context.Background(), tx, audit.System, excluded, "工作人员自评")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	stats, err := ratings.Stats(context.Background(), pool, now, shanghai, nil, levelPoints)
	if err != nil {
		t.Fatal(err)
	}
	// Rolled into the daily aggregate (every day before now), the figures
	// are the same: the aggregate answers for the past, the ratings for
	// today.
	if _, err := ratings.RollUp(context.Background(), pool, now, shanghai); err != nil {
		t.Fatal(err)
	}
	rolled, err := ratings.Stats(context.Background(), pool, now, shanghai, nil, levelPoints)
	if err != nil {
		t.Fatal(err)
	}
	if len(rolled) != len(stats) || rolled[a.unit.ID] != stats[a.unit.ID] || rolled[b.unit.ID] != stats[b.unit.ID] {
		t.Fatalf("after the rollup %+v, before %+v", rolled, stats)
	}
	got := stats[a.unit.ID]
	want := ratings.UnitStats{UnitID: a.unit.ID,
		Today: ratings.Period{Count: 2, Mean: 80},
		Month: ratings.Period{Count: 4, Mean: 67.5},
		Year:  ratings.Period{Count: 6, Mean: 61.666666666666664}}
	if got.Today != want.Today || got.Month != want.Month || got.Year.Count != want.Year.Count ||
		got.Year.Mean < 61.66 || got.Year.Mean > 61.67 {
		t.Errorf("unit a stats = %+v, want %+v", got, want)
	}
	if sb := stats[b.unit.ID]; sb.Today.Count != 1 || sb.Today.Mean != 80 {
		t.Errorf("unit b stats = %+v", sb)
	}
	only, err := ratings.Stats(context.Background(), pool, now, shanghai, &b.unit.ID, levelPoints)
	if err != nil || len(only) != 1 {
		t.Errorf("Stats for one unit returned %d units, %v", len(only), err)
	}
	utc, _ := ratings.Stats(context.Background(), pool, now, time.UTC, &a.unit.ID, levelPoints)
	if utc[a.unit.ID].Today.Count != 1 {
		t.Errorf("in UTC, today has %d ratings, want 1 (the UTC day began at 08:00 Shanghai)", utc[a.unit.ID].Today.Count)
	}
}

func TestExcludeAndRestore(t *testing.T) {
	pool := testutil.DB(t)
	w := newWriter(t, pool)
	a := makeUnit(t, pool, "市政务服务中心", 1)
	batch := []ratings.NewRating{a.terminalRating(0, "r-1", "")}
	if _, err := w.Write(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	id := batch[0].ID
	ctx := context.Background()
	actor := audit.Actor{Name: "office1"}
	run := func(fn func(tx pgx.Tx) (ratings.Rating, error)) (r ratings.Rating, err error) {
		err = db.Tx(ctx, pool, func(tx pgx.Tx) (err error) { r, err = fn(tx); return err })
		return r, err
	}
	exclude := func(id uuid.UUID, reason string) (ratings.Rating, error) {
		return run(func(tx pgx.Tx) (ratings.Rating, error) { return ratings.Exclude(ctx, tx, actor, id, reason) })
	}
	restore := func(id uuid.UUID) (ratings.Rating, error) {
		return run(func(tx pgx.Tx) (ratings.Rating, error) { return ratings.Restore(ctx, tx, actor, id) })
	}
	for _, reason := range []string{"", "   ", strings.Repeat("刷", 201)} {
		if _, err := exclude(id, reason); apperr.From(err).Fields["reason"] == "" {
			t.Errorf("Exclude with reason of %d runes: %v, want invalid on reason", len([]rune(reason)), err)
		}
	}
	if _, err := exclude(uuid.New(), "刷分"); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("Exclude unknown rating: %v, want not_found", err)
	}
	if _, err := restore(id); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("Restore of a counted rating: %v, want conflict", err)
	}
	r, err := exclude(id, " 同一手机号多次评价 ")
	if err != nil || !r.Excluded || r.ExcludeReason == nil || *r.ExcludeReason != "同一手机号多次评价" || r.ExcludedAt == nil {
		t.Fatalf("Exclude = %+v, %v", r, err)
	}
	if _, err := exclude(id, "again"); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("Exclude twice: %v, want conflict", err)
	}
	r, err = restore(id)
	if err != nil || r.Excluded || r.ExcludeReason != nil || r.ExcludedAt != nil {
		t.Fatalf("Restore = %+v, %v", r, err)
	}
	entries, _, err := audit.List(ctx, pool, audit.Filter{Entity: "rating", EntityID: id.String()})
	if err != nil || len(entries) != 2 {
		t.Fatalf("%d audit entries (%v), want exclude and restore", len(entries), err)
	}
	var before, after struct {
		Excluded bool    `json:"excluded"`
		Reason   *string `json:"exclude_reason"`
	}
	e := entries[1]
	if err := json.Unmarshal(e.Before, &before); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(e.After, &after); err != nil {
		t.Fatal(err)
	}
	if e.Action != "rating.exclude" || before.Excluded || !after.Excluded || after.Reason == nil || *after.Reason != "同一手机号多次评价" {
		t.Errorf("exclude audit %s before=%s after=%s", e.Action, e.Before, e.After)
	}
	if e := entries[0]; e.Action != "rating.restore" || e.Actor != "office1" || !strings.Contains(string(e.Before), "同一手机号多次评价") {
		t.Errorf("restore audit %s by %s before=%s after=%s", e.Action, e.Actor, e.Before, e.After)
	}
}

func TestMaintainPartitionsAndPrunes(t *testing.T) {
	pool := testutil.DB(t)
	ctx := context.Background()
	now := time.Date(2030, 6, 15, 12, 0, 0, 0, shanghai)
	exists := func(name string) bool {
		var ok bool
		if err := pool.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, name).Scan(&ok); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	_, err := pool.Exec(ctx, `INSERT INTO rating_daily_marks (unit_id, day, mark, rating_id) VALUES
		(1, '2030-06-13', 'a', gen_random_uuid()), (1, '2030-06-14', 'b', gen_random_uuid()), (1, '2030-06-15', 'c', gen_random_uuid())`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = pool.Exec(ctx, `INSERT INTO rating_requests (origin, client_id, rating_id, created_at) VALUES
		(1, 'old', gen_random_uuid(), $1), (1, 'recent', gen_random_uuid(), $2)`,
		now.Add(-48*time.Hour-ratings.KeyGrace-time.Hour), now.Add(-48*time.Hour-ratings.KeyGrace+time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // a second run changes nothing and does not fail
		if err := ratings.Maintain(ctx, pool, now, shanghai, 48*time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"ratings_203004", "ratings_203005", "ratings_203006", "ratings_203007", "ratings_203008", "ratings_203009"} {
		if !exists(name) {
			t.Errorf("partition %s missing", name)
		}
	}
	for _, name := range []string{"ratings_203003", "ratings_203010"} {
		if exists(name) {
			t.Errorf("partition %s made, want only the two months before to three after", name)
		}
	}
	rows, _ := pool.Query(ctx, `SELECT day::text FROM rating_daily_marks ORDER BY day`)
	days, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || strings.Join(days, ",") != "2030-06-14,2030-06-15" {
		t.Errorf("marks left for %v (%v), want yesterday and today", days, err)
	}
	rows, _ = pool.Query(ctx, `SELECT client_id FROM rating_requests ORDER BY client_id`)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || strings.Join(ids, ",") != "recent" {
		t.Errorf("client ids left %v (%v), want [recent]", ids, err)
	}

	// Partitions follow the local month: 00:30 on the 1st in Shanghai is
	// still the previous month in UTC but belongs to the local month.
	a := makeUnit(t, pool, "市政务服务中心", 1)
	r := a.terminalRating(0, "edge", "")
	r.RatedAt = time.Date(2030, 6, 1, 0, 30, 0, 0, shanghai)
	batch := []ratings.NewRating{r}
	if _, err := newWriter(t, pool).Write(ctx, batch); err != nil {
		t.Fatal(err)
	}
	var part string
	if err := pool.QueryRow(ctx, `SELECT tableoid::regclass::text FROM ratings WHERE id = $1`, batch[0].ID).Scan(&part); err != nil {
		t.Fatal(err)
	}
	if part != "ratings_203006" {
		t.Errorf("rating of 2030-06-01 00:30 Shanghai stored in %s, want ratings_203006", part)
	}
}
