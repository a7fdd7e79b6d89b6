package db

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The helpers of console reads at province scale (issue 12): settings for
// one read, independent reads side by side, and list totals that never
// cost more than a page.

// WithLocal runs fn after the SET LOCAL statement set, in a transaction (a
// savepoint when q is one) that it rolls back, so the setting ends with it
// and is safe behind PgBouncer; fn must only read.
func WithLocal(ctx context.Context, q DBTX, set string, fn func(DBTX) error) error {
	b, ok := q.(interface {
		Begin(ctx context.Context) (pgx.Tx, error)
	})
	if !ok {
		return fn(q)
	}
	tx, err := b.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck
	if _, err := tx.Exec(ctx, set); err != nil {
		return err
	}
	return fn(tx)
}

// WithGenericPlan runs fn with Postgres's JIT compiler off (the planner
// prices some reads high, one over a thousand units' runs say, and
// compiling them, ~200 ms on a small machine, would take far longer than
// running them) and with generic plans: a statement
// prepared on the connection (pgx caches them) is planned once, not for
// each execution. For the aggregate reads over the partitioned ratings:
// planning one for its arguments costs 12–18 ms (every monthly partition
// of five years is considered), running its generic plan, which prunes
// partitions while it runs, 4–14 ms. Postgres would switch to the generic
// plan by itself only after five executions on each connection of the pool.
func WithGenericPlan(ctx context.Context, q DBTX, fn func(DBTX) error) error {
	return WithLocal(ctx, q, GenericPlan, fn)
}

// Parallel runs independent reads: side by side on a pool (each on a
// connection of its own), one after the other on a connection or in a
// transaction. It returns the first error.
func Parallel(q DBTX, reads ...func(DBTX) error) error {
	if _, ok := q.(*pgxpool.Pool); !ok {
		for _, read := range reads {
			if err := read(q); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make(chan error, len(reads))
	for _, read := range reads {
		go func() { errs <- read(q) }()
	}
	var first error
	for range reads {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// CountCap is how many matches a list total counts before it stops and
// reports "more than CountCap".
const CountCap = 10000

// Total is a list's total as shown: N matches, all of them counted
// (Exact), or at least N (N = CountCap), or the planner's estimate
// (Estimated).
type Total struct {
	N         int
	Exact     bool
	Estimated bool
}

// A total costs at most CountCap+1 matches, but a filter whose matches are
// sparse along the index it walks (one unit's 基本满意 over years, say) may
// read far more rows than that to find them. So a total is counted within a
// time budget when the planner expects many matches, and is the planner's
// estimate (marked so) when the budget runs out, or straight away when the
// planner expects far more than CountCap: the page answers in time whatever
// the filter. When the planner expects few matches the count is
// exact within a generous bound, so small deployments (and tests) always
// see exact totals. Counts that feed a score never come from here.
var (
	// estimateSmall is the planner's estimate under which a total is
	// counted with the generous bound.
	estimateSmall = 1000
	// estimateLarge is the planner's estimate over which a total is not
	// counted at all: counting would almost surely reach CountCap, and the
	// page would wait the whole budget for "more than 10,000".
	estimateLarge = 50000
	// countBudget bounds the count of a total the planner expects large.
	// The page waits for it, and the page, with its other reads and its
	// rendering, has 100 ms: at 60 ms a queue page that ran out of budget
	// took 75–90 ms on two cores.
	countBudget = 40 * time.Millisecond
	// countBound bounds the count of a total the planner expects small:
	// only a badly wrong estimate reaches it.
	countBound = time.Second
)

// SetCountBudget changes the budget of totals (for tests) and returns a
// function that restores it.
func SetCountBudget(small int, budget time.Duration) (restore func()) {
	s, b := estimateSmall, countBudget
	estimateSmall, countBudget = small, budget
	return func() { estimateSmall, countBudget = s, b }
}

// CountCapped counts the rows of the query rows (a SELECT whose columns do
// not matter) up to CountCap+1 within the time its estimate allows, or
// estimates them.
//
// The rows are counted as they reach the client, so a count cut short
// still knows how many it has seen. That matters when the planner expects
// few rows and is wrong (a unit's pending review queue: 805 expected,
// 7,347 there): once the count has run past countBudget and seen more
// rows than expected, the estimate is proven wrong and waiting for the
// whole count would make the page slow, so the count is cancelled and the
// total is "more than" the rows seen. While it has seen no more than
// expected, the estimate may be right and the machine merely busy, and
// the count goes on (up to countBound) to give the exact total.
func CountCapped(ctx context.Context, q DBTX, rows string, args ...any) (Total, error) {
	return countCapped(ctx, q, "", rows, args...)
}

// CountCappedGeneric is CountCapped with a generic plan for the count
// (the estimate is still the statement's own): for counts whose plan does
// not depend on the arguments but whose planning costs more than the count.
// A keyword's count over the gram indexes of every monthly partition of
// five years plans each partition (25–55 ms on a warm connection) to run
// 2 ms when the word is rare; its generic plan, made once per connection
// (pgx prepares the statement), prunes the partitions as it runs.
func CountCappedGeneric(ctx context.Context, q DBTX, rows string, args ...any) (Total, error) {
	return countCapped(ctx, q, GenericPlan, rows, args...)
}

// GenericPlan, run in a transaction (WithLocal), makes its statements run
// generic plans, with the JIT compiler off: a generic plan prunes the
// partitions only as it runs, so the planner prices every partition of
// five years and the total passes jit_above_cost whatever the arguments.
// Compiling that plan (390 functions for a keyword over 60 partitions)
// took 230 ms where running it took 2.
const GenericPlan = `SELECT set_config('plan_cache_mode', 'force_generic_plan', true), set_config('jit', 'off', true)`

func countCapped(ctx context.Context, q DBTX, plan, rows string, args ...any) (Total, error) {
	tc := cacheFor(ctx, rows, args)
	est, err := tc.estimate(ctx, q, rows, args)
	if err != nil {
		return Total{}, err
	}
	if est > estimateLarge {
		return Total{N: est, Estimated: true}, nil
	}
	limit := countBound
	if est > estimateSmall {
		limit = countBudget
	}
	// A count that ran out of its budget lately (or proved its small
	// estimate wrong, below) would do so again: show what it showed.
	if t, ok := tc.overBudget(ctx); ok {
		return t, nil
	}
	// statement_timeout cuts the count (SQLSTATE 57014) while the
	// request's own context is still alive.
	// (0 would mean no limit at all.) No parallel workers: each is a new
	// process that first loads the catalog entries of every partition and
	// index the plan touches (tens of milliseconds), and on a small machine
	// they take the cores the page's own reads need.
	set := `SET LOCAL statement_timeout = ` + strconv.FormatInt(max(limit.Milliseconds(), 1), 10) +
		`; SET LOCAL max_parallel_workers_per_gather = 0`
	if plan != "" {
		set += "; " + plan
	}
	var n int
	var cut bool
	err = Err(WithLocal(ctx, q, set, func(q DBTX) error {
		n, cut, err = streamCount(ctx, q, `SELECT '`+rowPad+`' FROM (`+rows+` LIMIT `+strconv.Itoa(CountCap+1)+`) AS m`, est, args)
		return err
	}))
	var t Total
	switch {
	case IsTimeout(err) && ctx.Err() == nil && n <= est:
		t = Total{N: est, Estimated: true}
	case IsTimeout(err) && ctx.Err() == nil, err == nil && cut:
		t = Total{N: n}
	case err != nil:
		return Total{}, err
	default:
		return Total{N: min(n, CountCap), Exact: n <= CountCap}, nil
	}
	// Kept: a count over its budget, or cut because its small estimate
	// proved wrong; not one that ran out of the generous bound.
	if limit == countBudget || cut {
		tc.rememberOverBudget(ctx, t)
	}
	return t, nil
}

// rowPad widens each counted row: Postgres sends rows when its 8 kB send
// buffer fills, which is over a thousand empty rows but about a hundred
// of these, so that a count soon sees how many rows it has passed (10,001
// rows are 0.7 MB, once, on the database's own network).
var rowPad = strings.Repeat("x", 64)

// streamCount counts the rows of sql as they arrive. Past countBudget,
// with more than est rows seen, it cancels the statement and reports the
// rows seen with cut true; it returns the statement's error otherwise
// (with the rows seen before it).
func streamCount(ctx context.Context, q DBTX, sql string, est int, args []any) (n int, cut bool, err error) {
	start := time.Now()
	rs, err := q.Query(ctx, sql, args...)
	if err != nil {
		return 0, false, err
	}
	defer rs.Close()
	for rs.Next() {
		n++
		if !cut && n > est && time.Since(start) > countBudget {
			if pc := pgConnOf(q); pc != nil && pc.CancelRequest(ctx) == nil {
				// The rows already sent, then the cancellation's error.
				cut = true
			}
		}
	}
	switch err := rs.Err(); {
	case err == nil: // counted to the end (a cancellation came too late)
		return n, false, nil
	case cut && IsTimeout(err):
		return n, true, nil
	default:
		return n, false, err
	}
}

// pgConnOf is the connection under q, nil when q has none of its own.
func pgConnOf(q DBTX) *pgconn.PgConn {
	switch c := q.(type) {
	case pgx.Tx:
		return c.Conn().PgConn()
	case *pgx.Conn:
		return c.PgConn()
	}
	return nil
}

// Estimate is the planner's estimate of the rows of the query rows.
func Estimate(ctx context.Context, q DBTX, rows string, args ...any) (int, error) {
	var plan []byte
	if err := q.QueryRow(ctx, `EXPLAIN (FORMAT JSON) `+rows, args...).Scan(&plan); err != nil {
		return 0, Err(err)
	}
	var out []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		}
	}
	if err := json.Unmarshal(plan, &out); err != nil || len(out) == 0 {
		return 0, errors.New("db: unreadable plan estimate")
	}
	return int(math.Round(out[0].Plan.Rows)), nil
}

// CountOrEstimate tells about how many rows the query rows (a SELECT whose
// columns do not matter) returns, as cheaply as a list's total: counted
// up to CountCap within a list's budget (CountCapped), and beyond that
// the planner's estimate, never less than what was counted. For choices
// a rough size is enough for (an export streams at once or runs in the
// background), never for a figure shown as exact.
func CountOrEstimate(ctx context.Context, q DBTX, rows string, args ...any) (int, error) {
	t, err := CountCapped(ctx, q, rows, args...)
	if err != nil || t.Exact || t.Estimated {
		return t.N, err
	}
	est, err := Estimate(ctx, q, rows, args...)
	return max(est, t.N), err
}
