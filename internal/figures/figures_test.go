package figures_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/figures"
	"minyi/internal/testutil"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

func TestRatesAndTheirText(t *testing.T) {
	c := figures.Counts{Ratings: 2229, Satisfied: 2128, Bad: 101, BadFixed: 2, Answered: 7, OnTime: 7}
	for _, tc := range []struct {
		r    figures.Rate
		want string
	}{
		{c.Satisfaction(), "95.46%"}, {c.Rectified(), "1.98%"}, {c.OnTimeAnswers(), "100.00%"},
		// Cut, not rounded: one 差评 in 30,000 is not 100 %.
		{figures.Counts{Ratings: 30000, Satisfied: 29999}.Satisfaction(), "99.99%"},
		{figures.Counts{}.Satisfaction(), "—"}, {figures.Counts{Ratings: 5, Satisfied: 5}.Rectified(), "—"},
	} {
		if got := tc.r.Text(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.r, got, tc.want)
		}
	}
	y := figures.Year{Year: 2026, Upto: "2026-12-04"}
	if got := y.Period(); got != "2026年（1月1日至12月4日）" {
		t.Errorf("period %q", got)
	}
}

// A known year: unit A has five ratings (levels 5, 4, 3, 2, 1) and one
// excluded 差评; its level-1 rating is in a closed case, its level-2 one in
// an answered case; unit B has a 差评 of last year in a closed case (not
// this year's) and a rating of this year in a closed case (level 4: no
// 差评). Cases answered this year: A's answered on its deadline day, B's
// a day late; a monitoring case does not count (not the public's).
func TestRefreshCountsAKnownYear(t *testing.T) {
	ctx := context.Background()
	pool := testutil.DB(t)
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, shanghai)
	a, b := unit(t, pool, "甲局"), unit(t, pool, "乙局")
	day := func(m, d, h int) time.Time { return time.Date(2026, time.Month(m), d, h, 0, 0, 0, shanghai) }
	r5 := rating(t, pool, a, 5, day(3, 1, 9), false)
	rating(t, pool, a, 4, day(3, 1, 10), false)
	rating(t, pool, a, 3, day(3, 2, 10), false)
	r2 := rating(t, pool, a, 2, day(6, 1, 10), false)
	r1 := rating(t, pool, a, 1, day(1, 1, 0), false) // the year's first instant
	rating(t, pool, a, 1, day(6, 2, 10), true)       // excluded
	old := rating(t, pool, b, 1, time.Date(2025, 12, 31, 23, 0, 0, 0, shanghai), false)
	b4 := rating(t, pool, b, 4, day(7, 1, 10), false)
	answered := day(11, 10, 16)
	onCase(t, pool, a, r1, "closed", "feedback", &answered, "2026-11-10")
	onCase(t, pool, a, r2, "answered", "feedback", &answered, "2026-11-10")
	onCase(t, pool, a, r5, "sent", "feedback", nil, "2026-11-30")
	late := day(11, 11, 9)
	onCase(t, pool, b, old, "closed", "feedback", &late, "2026-11-10")
	onCase(t, pool, b, b4, "closed", "monitoring", &late, "2026-11-20")

	if err := figures.Refresh(ctx, pool, now, shanghai); err != nil {
		t.Fatal(err)
	}
	y, ok, err := figures.Load(ctx, pool)
	if err != nil || !ok {
		t.Fatalf("load: %v %v", ok, err)
	}
	if y.Year != 2026 || y.Upto != "2026-12-04" {
		t.Errorf("year %d upto %s", y.Year, y.Upto)
	}
	ua, _ := y.Unit(a)
	if want := (figures.Counts{Ratings: 5, Satisfied: 3, Bad: 2, BadFixed: 1, Answered: 2, OnTime: 2}); ua.Counts != want {
		t.Errorf("甲局 %+v, want %+v", ua.Counts, want)
	}
	ub, _ := y.Unit(b)
	if want := (figures.Counts{Ratings: 1, Satisfied: 1, Answered: 1}); ub.Counts != want {
		t.Errorf("乙局 %+v, want %+v", ub.Counts, want)
	}
	if y.Province.Ratings != 6 || y.Province.Bad != 2 || y.Province.Answered != 3 || y.Province.OnTime != 2 {
		t.Errorf("province %+v", y.Province)
	}
	tot, ok, err := figures.LoadTotals(ctx, pool)
	if err != nil || !ok || tot.Province != y.Province {
		t.Errorf("totals %+v %v %v, want %+v", tot.Province, ok, err, y.Province)
	}
	tot, own, ok, err := figures.LoadUnit(ctx, pool, a)
	if err != nil || !ok || tot.Province != y.Province || own != ua.Counts {
		t.Errorf("unit %+v of %+v %v %v", own, tot.Province, ok, err)
	}

	// A second run replaces the year's rows: an exclusion shows.
	if _, err := pool.Exec(ctx, `UPDATE ratings SET excluded = true, exclude_reason = 'test' WHERE id = $1`, r1); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO rating_dirty (unit_id, minute) SELECT unit_id, date_trunc('minute', rated_at) FROM ratings WHERE id = $1`, r1); err != nil {
		t.Fatal(err)
	}
	if err := figures.Refresh(ctx, pool, now.Add(time.Hour), shanghai); err != nil {
		t.Fatal(err)
	}
	y, _, _ = figures.Load(ctx, pool)
	if ua, _ := y.Unit(a); ua.Ratings != 4 || ua.Bad != 1 || ua.BadFixed != 0 {
		t.Errorf("after the exclusion 甲局 %+v", ua.Counts)
	}
}

func TestLoadBeforeAnyRefresh(t *testing.T) {
	pool := testutil.DB(t)
	if _, ok, err := figures.Load(context.Background(), pool); ok || err != nil {
		t.Errorf("load: %v %v, want nothing yet", ok, err)
	}
	if _, ok, err := figures.LoadTotals(context.Background(), pool); ok || err != nil {
		t.Errorf("totals: %v %v, want nothing yet", ok, err)
	}
}

func unit(t *testing.T, pool *pgxpool.Pool, name string) int64 {
	t.Helper()
	var id int64
	if err := pool.QueryRow(context.Background(), `INSERT INTO units (name, category) VALUES ($1, '经济发展类') RETURNING id`, name).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func rating(t *testing.T, pool *pgxpool.Pool, unit int64, level int, at time.Time, excluded bool) string {
	t.Helper()
	var id string
	err := pool.QueryRow(context.Background(), `INSERT INTO ratings (id, rated_at, channel, unit_id, level, points, excluded, exclude_reason)
		VALUES (gen_random_uuid(), $1, 'qr', $2, $3::smallint, $3::int * 20, $4::boolean, CASE WHEN $4::boolean THEN 'test' END) RETURNING id::text`, at, unit, level, excluded).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func onCase(t *testing.T, pool *pgxpool.Pool, unit int64, ratingID, status, group string, answeredAt *time.Time, due string) {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := pool.QueryRow(ctx, `INSERT INTO rectification_cases (unit_id, source_kind, source_id, problem, status, source_group,
			sent_on, answer_due, answered_at, created_at)
		VALUES ($1, 'rating', $2, '问题', $3, $4, '2026-11-01', $5, $6, '2026-11-01') RETURNING id`,
		unit, ratingID, status, group, due, answeredAt).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	// As a valid verdict leaves it (feedback/verdicts.go): the source and
	// the review that names the case.
	if _, err := pool.Exec(ctx, `INSERT INTO case_sources (case_id, source_kind, source_id) VALUES ($1, 'rating', $2)`, id, ratingID); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO feedback_reviews (source_kind, source_id, unit_id, verdict, case_id, decided_at, rated_at)
		SELECT 'rating', $2::text, unit_id, 'valid', $1, now(), rated_at FROM ratings WHERE id = $2::text::uuid`, id, ratingID); err != nil {
		t.Fatal(err)
	}
}
