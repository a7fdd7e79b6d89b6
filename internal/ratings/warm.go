package ratings

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/search"
)

// WarmSQL plans a read of every partition of ratings without running it:
// the planner reads the catalog entries of every partition and each of its
// indexes, which the connection then keeps for the pages that follow.
const WarmSQL = `EXPLAIN SELECT 1 FROM ratings WHERE unit_id = 0 ORDER BY rated_at DESC LIMIT 1`

// Limits of the overview's two counts (ReviewCount, ExcludedCount).
const (
	ReviewCountLimit   = 1000
	ExcludedCountLimit = CountCap
)

// ReviewFilter is the ratings left to review: stored while Redis was down
// (not rate-checked) and not yet excluded, of one unit or of all (nil).
func ReviewFilter(unit *int64) Filter {
	no := false
	return Filter{UnitID: unit, RateChecked: &no, Excluded: &no}
}

// ExcludedFilter is the excluded ratings of one unit or of all (nil).
func ExcludedFilter(unit *int64) Filter {
	yes := true
	return Filter{UnitID: unit, Excluded: &yes}
}

// warmWord is a keyword no message holds (two characters of CJK Extension
// A): the gram index has no entry for it, so a warm-up read of it finds
// nothing wherever it looks.
var warmWord = search.Keyword{Raw: "㐀㐁", Terms: []string{"㐀㐁"}}

// Warm runs once on each new connection of a serving pool
// (db.ConnectServing). A read run with a generic plan (db.WithGenericPlan)
// is planned once per connection, when pgx first prepares it there: 15–55
// ms over five years of monthly partitions. A page runs its reads side by
// side on several connections, and the pool hands out each of its
// connections in turn, so a page whose generic reads were not yet planned
// on the connections it met paid for them — the search page's word over
// the last twelve months was slow at p50 for its first twenty loads after
// a start, then as fast as the API. So Warm plans every generic read of
// the console here, with values that read (next to) nothing:
//   - WarmSQL (the catalog of every partition);
//   - the aggregate reads of the pages that show period counts
//     (DailyLevelCounts, for all units and for some) and of the reports'
//     series (DayLevelCounts and MonthLevelCounts, one statement) over one
//     day of 1900;
//   - the charts' reads (OfficeChart, UnitChart) over that day;
//   - the overview's two counts (ReviewFilter, ExcludedFilter), of all
//     units and of one (unit 0, which has none);
//   - a keyword's total and page (List: feedTotal and page run generic
//     plans for a keyword alone), with a start date (the default span of
//     twelve months) and without (every year), of warmWord, which no gram
//     index entry matches. This also runs the page's probes (search.Floor)
//     more than five times each, after which Postgres itself plans them
//     generic once (plan_cache_mode auto) — on a warmed connection, not
//     in a user's search.
//
// Errors (the tables not yet migrated, say) leave the connection as good
// as an unwarmed one, and are ignored. TestWarmPlansEveryGenericRead pins
// the list against the pages' reads.
func Warm(ctx context.Context, c *pgx.Conn) {
	if _, err := c.Exec(ctx, WarmSQL); err != nil {
		return
	}
	const day = "1900-01-01"
	_, _ = DailyLevelCounts(ctx, c, day, day, time.UTC, nil)
	_, _ = DailyLevelCounts(ctx, c, day, day, time.UTC, []int64{0})
	_, _ = DayLevelCounts(ctx, c, day, day, time.UTC)
	_, _ = OfficeChart(ctx, c, time.UTC, day, day)
	_, _ = UnitChart(ctx, c, time.UTC, 0, day, day)
	none := int64(0)
	for _, unit := range []*int64{nil, &none} {
		_, _, _ = CountUpTo(ctx, c, ReviewFilter(unit), ReviewCountLimit)
		_, _, _ = CountUpTo(ctx, c, ExcludedFilter(unit), ExcludedCountLimit)
	}
	since := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	_, _ = List(ctx, c, Filter{Q: warmWord, From: &since, Limit: 5})
	_, _ = List(ctx, c, Filter{Q: warmWord, Limit: 5})
}
