package ratings_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/ratings"
	"minyi/internal/search"
	"minyi/internal/testutil"
)

// genericPlans is the statements prepared on c that have run a generic
// plan at least once.
func genericPlans(t *testing.T, c *pgx.Conn) map[string]bool {
	t.Helper()
	rows, _ := c.Query(context.Background(), `SELECT statement FROM pg_prepared_statements
		WHERE generic_plans > 0 AND statement NOT LIKE '%pg_prepared_statements%'`)
	list, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, s := range list {
		out[s] = true
	}
	return out
}

// After Warm, the console's reads that run generic plans — the overview's
// counts and period figures, the reports' series, the charts, a keyword's total and page over
// the default span and over every year, for the office and for a unit —
// plan nothing new on the connection: a page that meets a warmed
// connection never pays for planning every monthly partition.
func TestWarmPlansEveryGenericRead(t *testing.T) {
	ctx := context.Background()
	c, err := pgx.Connect(ctx, testutil.DatabaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	ratings.Warm(ctx, c)
	warmed := genericPlans(t, c)
	if len(warmed) == 0 {
		t.Fatal("Warm prepared no statement with a generic plan")
	}

	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(loc)
	today, monthAgo := now.Format(time.DateOnly), now.AddDate(0, -1, 0).Format(time.DateOnly)
	unit := int64(7)
	check := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	for _, scope := range []*int64{nil, &unit} {
		var units []int64
		if scope != nil {
			units = []int64{*scope}
		}
		_, err := ratings.DailyLevelCounts(ctx, c, monthAgo, today, loc, units)
		check("period counts", err)
		_, _, err = ratings.CountUpTo(ctx, c, ratings.ReviewFilter(scope), ratings.ReviewCountLimit)
		check("ratings to review", err)
		_, _, err = ratings.CountUpTo(ctx, c, ratings.ExcludedFilter(scope), ratings.ExcludedCountLimit)
		check("excluded ratings", err)
	}
	_, err = ratings.DayLevelCounts(ctx, c, monthAgo, today, loc)
	check("a report's days", err)
	_, err = ratings.MonthLevelCounts(ctx, c, now.AddDate(-1, 0, 0).Format(time.DateOnly), today, loc)
	check("a report's months", err)
	_, err = ratings.OfficeChart(ctx, c, loc, monthAgo, today)
	check("office chart", err)
	_, err = ratings.UnitChart(ctx, c, loc, unit, monthAgo, today)
	check("unit chart", err)
	for _, word := range []string{"态度", "慢", "工作人员"} { // a term of any length is one statement
		k, err := search.Parse(word)
		check("keyword", err)
		span := ratings.Filter{Q: k, Limit: 5} // the search page's and the feed's default
		span.KeywordSpan(now, loc)
		_, err = ratings.List(ctx, c, span)
		check("keyword over twelve months", err)
		_, err = ratings.List(ctx, c, ratings.Filter{Q: k, Limit: 50, Offset: 4950})
		check("keyword over every year", err)
	}

	for s := range genericPlans(t, c) {
		if !warmed[s] {
			t.Errorf("a console read planned a generic plan that Warm did not:\n%s", s)
		}
	}
}
