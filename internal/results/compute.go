package results

import (
	"context"
	"errors"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"minyi/internal/assessment"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/instruments"
	"minyi/internal/schemes"
	"minyi/internal/scores"
)

// Unit names a unit in results.
type Unit = scores.Unit

// Line is one unit's result with its whole breakdown.
type Line struct {
	Unit Unit `json:"unit"`
	// Complete is false while a leaf has no entry (Missing names them);
	// such a unit has no composite, place or grade.
	Complete bool                  `json:"complete"`
	Missing  []schemes.MissingLeaf `json:"missing"`
	// PublicScore is the public evaluation score fed to the scheme's auto
	// leaves (nil when the unit has none yet).
	PublicScore *float64 `json:"public_score"`
	// SchemeScore is the scheme's composite (2 decimals); Composite the
	// final composite rounded to Settings.Decimals, with Formula saying how.
	SchemeScore *float64 `json:"scheme_score"`
	Composite   *float64 `json:"composite"`
	Formula     string   `json:"formula"`
	Rank        *int     `json:"rank"`
	// QuotaGrade is the grade by ranking and quotas; Grade the result
	// after a deduction that sets 不合格 and the adjustments.
	QuotaGrade string `json:"quota_grade,omitempty"`
	Grade      string `json:"grade,omitempty"`
	GradeLabel string `json:"grade_label,omitempty"`
	Reason     string `json:"reason"`
	// Inputs are the bonus, deductions and adjustments that count, and
	// Scheme the computed tree with each node's formula.
	Inputs assessment.UnitInputs `json:"inputs"`
	Scheme schemes.Result        `json:"scheme"`
	// Feeds are the evaluation instruments' results fed to the scheme's
	// instrument leaves, with their counts (results/instruments.go).
	Feeds []Feed `json:"feeds,omitempty"`
}

// Category is the ranking of one unit category.
type Category struct {
	Name           string  `json:"name"`
	Units          int     `json:"units"`
	Ranked         int     `json:"ranked"`
	ExcellentQuota int     `json:"excellent_quota"`
	GoodQuota      int     `json:"good_quota"`
	Lines          []*Line `json:"lines"`
}

// Assessment is a cycle's computed results.
type Assessment struct {
	Cycle           scores.CycleInfo    `json:"cycle"`
	ConfigVersion   int                 `json:"config_version"`
	SchemeVersion   int                 `json:"scheme_version"`
	SchemeName      string              `json:"scheme_name"`
	SettingsVersion int                 `json:"settings_version"`
	Settings        assessment.Settings `json:"settings"`
	// PublicProvisional: the public evaluation scores are still provisional
	// (scores.Meta), with the reasons.
	PublicProvisional bool       `json:"public_provisional"`
	PublicReasons     []string   `json:"public_reasons"`
	ComputedAt        time.Time  `json:"computed_at"`
	Categories        []Category `json:"categories"`
	Incomplete        []Unit     `json:"incomplete"`
}

// Line returns the line of a unit, nil if absent.
func (a Assessment) Line(unitID int64) *Line {
	for _, c := range a.Categories {
		for _, l := range c.Lines {
			if l.Unit.ID == unitID {
				return l
			}
		}
	}
	return nil
}

// Data is everything the pure computation needs.
type Data struct {
	Scheme   schemes.Node
	Settings assessment.Settings
	// Categories are the units by category, in the order shown.
	Categories [][]Unit
	Public     map[int64]*float64
	Inputs     map[int64]assessment.UnitInputs
	// Instruments are the results of the cycle's evaluation instruments by
	// key and unit (instruments.Values), feeding "instrument:<key>" leaves.
	Instruments map[string]map[int64]instruments.Value
}

// Build computes every unit's line and grades each category.
func Build(d Data) ([]Category, []Unit, error) {
	var autoKeys []string
	for _, l := range schemes.Leaves(d.Scheme) {
		if l.Kind == schemes.KindAuto && l.Source == schemes.SourcePublicEvaluation {
			autoKeys = append(autoKeys, l.Key)
		}
	}
	fed := instrumentLeaves(d.Scheme)
	// The tree is validated once for every unit.
	prep, err := schemes.Prepare(d.Scheme)
	if err != nil {
		return nil, nil, err
	}
	// Units are independent: compute their lines on every core.
	var all []Unit
	for _, list := range d.Categories {
		all = append(all, list...)
	}
	lines := make([]*Line, len(all))
	errs := make([]error, len(all))
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), max(1, len(all)/50))
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(all); i += workers {
				lines[i], errs[i] = unitLine(d, prep, all[i], autoKeys, fed)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	var cats []Category
	var incomplete []Unit
	i := 0
	for _, list := range d.Categories {
		if len(list) == 0 {
			continue
		}
		cat := Category{Name: list[0].Category, Units: len(list)}
		for _, u := range list {
			l := lines[i]
			i++
			if !l.Complete {
				incomplete = append(incomplete, u)
			} else {
				cat.Ranked++
			}
			cat.Lines = append(cat.Lines, l)
		}
		cat.ExcellentQuota, cat.GoodQuota = gradeCategory(cat.Lines, d.Settings)
		sortLines(cat.Lines)
		cats = append(cats, cat)
	}
	return cats, incomplete, nil
}

// sortLines orders ranked lines by place, then the incomplete ones, each
// by name.
func sortLines(lines []*Line) {
	less := func(a, b *Line) bool {
		if (a.Rank == nil) != (b.Rank == nil) {
			return a.Rank != nil
		}
		if a.Rank != nil && *a.Rank != *b.Rank {
			return *a.Rank < *b.Rank
		}
		return a.Unit.Name < b.Unit.Name
	}
	sort.SliceStable(lines, func(i, j int) bool { return less(lines[i], lines[j]) })
}

func unitLine(d Data, prep *schemes.Prepared, u Unit, autoKeys []string, fed []fedLeaf) (*Line, error) {
	in := d.Inputs[u.ID]
	entries := make(map[string]schemes.Input, len(in.Entries)+len(autoKeys))
	for k, v := range in.Entries {
		entries[k] = v
	}
	pub := d.Public[u.ID]
	if pub != nil {
		for _, k := range autoKeys {
			entries[k] = schemes.Points(*pub)
		}
	}
	feeds := feedInstruments(d.Instruments, u.ID, fed, entries)
	if in.Entries == nil {
		in.Entries = map[string]schemes.Input{}
	}
	if in.FailReasons == nil {
		in.FailReasons = []string{}
	}
	if in.AdjustmentReasons == nil {
		in.AdjustmentReasons = []string{}
	}
	res, err := prep.Compute(entries)
	if err != nil {
		return nil, err
	}
	explainFeeds(&res, feeds)
	l := &Line{Unit: u, Complete: res.Complete, Missing: res.Missing, PublicScore: pub, SchemeScore: res.Composite,
		Inputs: in, Scheme: res, Feeds: feeds}
	if !res.Complete {
		names := make([]string, len(res.Missing))
		for i, m := range res.Missing {
			names[i] = m.Path
		}
		l.Reason = "得分不完整，暂不评定等次：尚缺" + strings.Join(names, "、")
		return l, nil
	}
	dec := d.Settings.Decimals
	exact := ratOf(*res.CompositeExact)
	exact.Add(exact, ratOf(in.BonusCounted))
	exact.Sub(exact, ratOf(in.DeductionsCounted))
	clamped := ""
	if exact.Sign() < 0 {
		exact.SetInt64(0)
		clamped = "（不低于0分）"
	}
	c := RoundHalfUp(exact, dec)
	l.Composite = &c
	l.Formula = "方案得分 " + FormatPoints(*res.Composite, 2) + " + 加分 " + FormatPoints(in.BonusCounted, 2) +
		" − 扣分 " + FormatPoints(in.DeductionsCounted, 2) + " = " + FormatPoints(c, dec) + clamped
	return l, nil
}

// ComputeAll computes the cycle's results as they stand: the newest scheme
// and settings, every entry, the public evaluation scores (under the
// cycle's newest configuration, as of now) and every unit of the register,
// grouped by category in categoryOrder (others follow by name). It returns
// not_found when the cycle or its scheme does not exist.
func ComputeAll(ctx context.Context, q db.DBTX, loc *time.Location, now time.Time, cycleID int64, categoryOrder []string) (Assessment, error) {
	return compute(ctx, q, loc, now, cycleID, categoryOrder, versions{})
}

// versions pins the configuration, scheme and settings versions a
// computation uses; 0 means the newest.
type versions struct{ config, scheme, settings int }

func compute(ctx context.Context, q db.DBTX, loc *time.Location, now time.Time, cycleID int64, categoryOrder []string, v versions) (Assessment, error) {
	if _, err := cycles.FindCycle(ctx, q, cycleID); err != nil {
		return Assessment{}, err
	}
	sch, err := schemes.Find(ctx, q, cycleID, v.scheme)
	if err != nil {
		return Assessment{}, err
	}
	sv, err := assessment.LoadSettingsVersion(ctx, q, cycleID, v.settings)
	if err != nil {
		return Assessment{}, err
	}
	inputs, err := assessment.Inputs(ctx, q, cycleID)
	if err != nil {
		return Assessment{}, err
	}
	rep, err := scores.Compute(ctx, q, loc, now, scores.Query{CycleID: cycleID, Version: v.config, CategoryOrder: categoryOrder})
	if err != nil {
		return Assessment{}, err
	}
	vals, err := instruments.Values(ctx, q, cycleID)
	if err != nil {
		return Assessment{}, err
	}
	d := Data{Scheme: sch.Tree, Settings: sv.Settings, Public: map[int64]*float64{}, Inputs: inputs, Instruments: vals}
	for _, c := range rep.Categories {
		list := make([]Unit, len(c.Units))
		for i, u := range c.Units {
			list[i] = u.Unit
			d.Public[u.Unit.ID] = u.Score
		}
		d.Categories = append(d.Categories, list)
	}
	cats, incomplete, err := Build(d)
	if err != nil {
		return Assessment{}, err
	}
	if incomplete == nil {
		incomplete = []Unit{}
	}
	return Assessment{Cycle: rep.Cycle, ConfigVersion: rep.Version, SchemeVersion: sch.Version, SchemeName: sch.Name, SettingsVersion: sv.Version,
		Settings: sv.Settings, PublicProvisional: rep.Provisional, PublicReasons: rep.Reasons, ComputedAt: now,
		Categories: cats, Incomplete: incomplete}, nil
}

// ForUnit keeps only the unit's line (and its category's quotas).
func (a Assessment) ForUnit(unitID int64) Assessment {
	out := a
	out.Categories = nil
	for _, c := range a.Categories {
		for _, l := range c.Lines {
			if l.Unit.ID == unitID {
				c.Lines = []*Line{l}
				out.Categories = append(out.Categories, c)
			}
		}
	}
	out.Incomplete = []Unit{}
	for _, u := range a.Incomplete {
		if u.ID == unitID {
			out.Incomplete = append(out.Incomplete, u)
		}
	}
	return out
}

// CompositeText shows the composite with the given decimals, "—" when
// there is none.
func (l *Line) CompositeText(decimals int) string {
	if l == nil || l.Composite == nil {
		return "—"
	}
	return FormatPoints(*l.Composite, decimals)
}

// RankText shows the place, "—" when unranked.
func (l *Line) RankText() string {
	if l == nil || l.Rank == nil {
		return "—"
	}
	return strconv.Itoa(*l.Rank)
}
