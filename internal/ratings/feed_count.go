package ratings

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"time"

	"minyi/internal/db"
)

// A feed total costs at most CountCap+1 matches, but a filter whose
// matches are sparse along the index it walks (one unit's 基本满意 over
// years, say) may read far more rows than that to find them. So a total
// is counted within a time budget when the planner expects many matches,
// and is the planner's estimate (marked so) when the budget runs out:
// the page answers in time whatever the filter. When the planner expects
// few matches the count is exact within a generous bound, so small
// deployments (and tests) always see exact totals.
var (
	// estimateSmall is the planner's estimate under which a total is
	// counted with the generous bound.
	estimateSmall = 20000
	// countBudget bounds the count of a total the planner expects large.
	countBudget = 60 * time.Millisecond
	// countBound bounds the count of a total the planner expects small:
	// only a badly wrong estimate reaches it.
	countBound = time.Second
)

// total is a feed total as shown.
type total struct {
	n         int
	exact     bool // all matches counted (n <= CountCap)
	estimated bool // the planner's estimate, not a count
}

// feedTotal counts f's matches up to CountCap+1 within the time its
// estimate allows, or estimates them.
func feedTotal(ctx context.Context, q db.DBTX, f Filter) (total, error) {
	f.Older, f.Newer, f.Offset = nil, nil, 0
	est, err := estimate(ctx, q, f)
	if err != nil {
		return total{}, err
	}
	limit := countBound
	if est > estimateSmall {
		limit = countBudget
	}
	var n int
	// statement_timeout cuts the count (SQLSTATE 57014) while the
	// request's own context is still alive.
	set := `SET LOCAL statement_timeout = ` + strconv.FormatInt(limit.Milliseconds(), 10)
	err = db.Err(withLocal(ctx, q, set, func(q db.DBTX) (err error) {
		n, err = countUpTo(ctx, q, f, CountCap+1)
		return err
	}))
	if db.IsTimeout(err) && ctx.Err() == nil {
		return total{n: est, estimated: true}, nil
	}
	if err != nil {
		return total{}, err
	}
	return total{n: min(n, CountCap), exact: n <= CountCap}, nil
}

// estimate is the planner's estimate of f's matches.
func estimate(ctx context.Context, q db.DBTX, f Filter) (int, error) {
	where, args := f.where()
	var plan []byte
	if err := q.QueryRow(ctx, `EXPLAIN (FORMAT JSON) SELECT FROM ratings r`+where, args...).Scan(&plan); err != nil {
		return 0, db.Err(err)
	}
	var out []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		}
	}
	if err := json.Unmarshal(plan, &out); err != nil || len(out) == 0 {
		return 0, errors.New("ratings: unreadable plan estimate")
	}
	return int(math.Round(out[0].Plan.Rows)), nil
}
