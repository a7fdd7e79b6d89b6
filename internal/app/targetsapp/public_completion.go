package targetsapp

import (
	"context"
	"strconv"

	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/results"
	"minyi/internal/schemes"
	"minyi/internal/targets"
)

// Target completion (完成情况) is published with the targets where the
// cycle says so (002 § 15; cycles.Release.PublishCompletion): once the
// cycle's final results are in force, the public page of a unit's targets
// shows, per indicator, the newest progress report, the unit's
// self-evaluation and the final score of the scheme item the indicator
// feeds, as published.

// indicatorCompletion is one indicator's completion as the public reads it.
type indicatorCompletion struct {
	Progress string // the newest report's text, "" when none
	Percent  string // its percent done, "" when none
	Period   string
	Claimed  string // the self-evaluated points, "" when none
	Final    string // the final score of the indicator's scheme item, "" when none
	Max      string
}

// completionData is the completion of a sheet's indicators by indicator id,
// nil when it is not published (the cycle does not publish it, or the
// final results are not in force).
func completionData(ctx context.Context, q db.DBTX, sh targets.Sheet) (map[int64]indicatorCompletion, error) {
	rel, err := cycles.LoadRelease(ctx, q, sh.CycleID)
	if err != nil || !rel.PublishCompletion {
		return nil, err
	}
	st, err := results.LoadStatus(ctx, q, sh.CycleID)
	if err != nil || !st.IsFinal() {
		return nil, err
	}
	unit := sh.UnitID
	cats, err := results.Published(ctx, q, st.Final.ID, &unit)
	if err != nil {
		return nil, err
	}
	nodes := map[string]schemes.NodeResult{}
	for _, c := range cats {
		for _, l := range c.Lines {
			for _, n := range l.Scheme.Nodes {
				nodes[n.Key] = n
			}
		}
	}
	reports, err := targets.ListReports(ctx, q, sh.ID)
	if err != nil {
		return nil, err
	}
	selfs, err := targets.ListSelfEvaluations(ctx, q, sh.ID)
	if err != nil {
		return nil, err
	}
	out := map[int64]indicatorCompletion{}
	for _, r := range reports { // by period: the newest last
		ic := out[r.IndicatorID]
		ic.Progress, ic.Percent, ic.Period = r.Progress, strconv.Itoa(r.Percent)+"%", r.Period
		out[r.IndicatorID] = ic
	}
	for _, e := range selfs {
		ic := out[e.IndicatorID]
		ic.Claimed = formatNum(e.Claimed)
		out[e.IndicatorID] = ic
	}
	for _, in := range sh.Indicators {
		ic := out[in.ID]
		if n, ok := nodes[in.SchemeKey]; ok && in.SchemeKey != "" && n.Value != nil {
			ic.Final, ic.Max = results.FormatPoints(*n.Value, 2), formatNum(n.Max)
		}
		out[in.ID] = ic
	}
	return out, nil
}
