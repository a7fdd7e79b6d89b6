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

	"minyi/internal/apperr"
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
	// ScoreRank is the place by composite when a rank adjustment changed
	// the place (nil otherwise); RankAdjusted marks the unit the office
	// moved, RankReason why (see moveRanks).
	ScoreRank    *int   `json:"score_rank,omitempty"`
	RankAdjusted bool   `json:"rank_adjusted,omitempty"`
	RankReason   string `json:"rank_reason,omitempty"`
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
	// ScoredOn names the scheme the unit was scored on.
	ScoredOn ScoredOn `json:"scored_on"`
	// Feeds are the evaluation instruments' results fed to the scheme's
	// instrument leaves, with their counts (results/instruments.go).
	Feeds []Feed `json:"feeds,omitempty"`
}

// ScoredOn names a scheme version: the default scheme (GroupID nil, Group
// 通用方案) or a scheme group's.
type ScoredOn struct {
	GroupID *int64 `json:"group_id"`
	Group   string `json:"group"`
	Name    string `json:"name"`
	Version int    `json:"version"`
}

// Label shows the scheme for a page: "乡镇考核方案（乡镇，第2版）".
func (s ScoredOn) Label() string {
	if s.Version == 0 {
		return "—"
	}
	return s.Name + "（" + s.Group + "，第" + strconv.Itoa(s.Version) + "版）"
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
	Cycle         scores.CycleInfo `json:"cycle"`
	ConfigVersion int              `json:"config_version"`
	// SchemeVersion and SchemeName are the default scheme's (0 and "" when
	// every unit is scored on a group's scheme); Schemes lists every scheme
	// used, the default first.
	SchemeVersion   int                 `json:"scheme_version"`
	SchemeName      string              `json:"scheme_name"`
	Schemes         []ScoredOn          `json:"schemes"`
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
	// Scheme scores the units of every category in no group (SchemeInfo
	// names it); Groups score the units of their categories.
	Scheme     schemes.Node
	SchemeInfo ScoredOn
	Groups     []GroupScheme
	Settings   assessment.Settings
	// Categories are the units by category, in the order shown.
	Categories [][]Unit
	Public     map[int64]*float64
	Inputs     map[int64]assessment.UnitInputs
	// Instruments are the results of the cycle's evaluation instruments by
	// key and unit (instruments.Values), feeding "instrument:<key>" leaves.
	Instruments map[string]map[int64]instruments.Value
	// Terse leaves out the scheme formulas (schemes.Prepared.Values) of
	// every unit but Explain (0: of every unit): for pages that show each
	// unit's composite, rank and grade, not how each was reached.
	Terse   bool
	Explain int64
}

// GroupScheme is the scheme of a group of categories.
type GroupScheme struct {
	Categories []string
	Tree       schemes.Node
	Info       ScoredOn
}

// plan is a prepared scheme with its automatic leaves.
type plan struct {
	prep     *schemes.Prepared
	autoKeys []string
	// manual are the scheme's manual leaves: a unit's entries on leaves of
	// another scheme of the cycle do not count.
	manual map[string]bool
	info   ScoredOn
	// fed are the leaves fed by evaluation instruments.
	fed []fedLeaf
}

func newPlan(tree schemes.Node, info ScoredOn) (*plan, error) {
	p := &plan{info: info, manual: map[string]bool{}}
	for _, l := range schemes.Leaves(tree) {
		if l.Kind == schemes.KindManual {
			p.manual[l.Key] = true
		}
		if l.Kind == schemes.KindAuto && l.Source == schemes.SourcePublicEvaluation {
			p.autoKeys = append(p.autoKeys, l.Key)
		}
	}
	p.fed = instrumentLeaves(tree)
	// The tree is validated once for every unit.
	var err error
	p.prep, err = schemes.Prepare(tree)
	return p, err
}

// Build computes every unit's line, each on its category's scheme, and
// grades each category.
func Build(d Data) ([]Category, []Unit, error) {
	byCategory := map[string]*plan{}
	for _, g := range d.Groups {
		p, err := newPlan(g.Tree, g.Info)
		if err != nil {
			return nil, nil, err
		}
		for _, c := range g.Categories {
			byCategory[c] = p
		}
	}
	var def *plan
	// Units are independent: compute their lines on every core.
	var all []Unit
	plans := []*plan{}
	for _, list := range d.Categories {
		for _, u := range list {
			p := byCategory[u.Category]
			if p == nil {
				if def == nil {
					var err error
					if def, err = newPlan(d.Scheme, d.SchemeInfo); err != nil {
						return nil, nil, err
					}
				}
				p = def
			}
			plans = append(plans, p)
		}
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
				lines[i], errs[i] = unitLine(d, plans[i], all[i])
				if lines[i] != nil {
					lines[i].ScoredOn = plans[i].info
				}
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
		moveRanks(cat.Lines)
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

func unitLine(d Data, p *plan, u Unit) (*Line, error) {
	prep, autoKeys, fed := p.prep, p.autoKeys, p.fed
	in := d.Inputs[u.ID]
	entries := make(map[string]schemes.Input, len(in.Entries)+len(autoKeys))
	own := make(map[string]schemes.Input, len(in.Entries))
	for k, v := range in.Entries {
		if p.manual[k] {
			entries[k], own[k] = v, v
		}
	}
	in.Entries = own
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
	explain := !d.Terse || u.ID == d.Explain
	computeScheme := prep.Values
	if explain {
		computeScheme = prep.Compute
	}
	res, err := computeScheme(entries)
	if err != nil {
		return nil, err
	}
	if explain {
		explainFeeds(&res, feeds)
	}
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
	return compute(ctx, q, loc, now, cycleID, categoryOrder, options{})
}

// ComputeRanking is ComputeAll with the scheme formulas of unit explain
// only (0: of none; Data.Terse): the composites, ranks and grades are the
// same. The office's results page and one unit's page use it.
func ComputeRanking(ctx context.Context, q db.DBTX, loc *time.Location, now time.Time, cycleID int64, categoryOrder []string, explain int64) (Assessment, error) {
	return compute(ctx, q, loc, now, cycleID, categoryOrder, options{terse: true, explain: explain})
}

// versions pins the configuration, scheme and settings versions a
// computation uses; 0 means the newest.
type versions struct{ config, scheme, settings int }

// options are a computation's versions and how much it explains (Data.Terse).
type options struct {
	v       versions
	terse   bool
	explain int64
}

func compute(ctx context.Context, q db.DBTX, loc *time.Location, now time.Time, cycleID int64, categoryOrder []string, o options) (Assessment, error) {
	v := o.v
	if _, err := cycles.FindCycle(ctx, q, cycleID); err != nil {
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
	d := Data{Settings: sv.Settings, Public: map[int64]*float64{}, Inputs: inputs, Instruments: vals,
		Terse: o.terse, Explain: o.explain}
	for _, c := range rep.Categories {
		list := make([]Unit, len(c.Units))
		for i, u := range c.Units {
			list[i] = u.Unit
			d.Public[u.Unit.ID] = u.Score
		}
		d.Categories = append(d.Categories, list)
	}
	used, err := loadSchemes(ctx, q, cycleID, v.scheme, &d)
	if err != nil {
		return Assessment{}, err
	}
	cats, incomplete, err := Build(d)
	if err != nil {
		return Assessment{}, err
	}
	if incomplete == nil {
		incomplete = []Unit{}
	}
	return Assessment{Cycle: rep.Cycle, ConfigVersion: rep.Version, SchemeVersion: d.SchemeInfo.Version, SchemeName: d.SchemeInfo.Name,
		Schemes: used, SettingsVersion: sv.Version,
		Settings: sv.Settings, PublicProvisional: rep.Provisional, PublicReasons: rep.Reasons, ComputedAt: now,
		Categories: cats, Incomplete: incomplete}, nil
}

// loadSchemes puts into d the scheme of every group that has units in d
// and, when a unit is in no group, the default scheme (version pinned, 0
// for the newest), and returns the schemes used. A scheme needed and not
// set is not_found, named.
func loadSchemes(ctx context.Context, q db.DBTX, cycleID int64, pinned int, d *Data) ([]ScoredOn, error) {
	groups, err := schemes.Groups(ctx, q, cycleID)
	if err != nil {
		return nil, err
	}
	needDefault := false
	needGroup := map[int64]bool{}
	for _, list := range d.Categories {
		for _, u := range list {
			if g := schemes.GroupOf(groups, u.Category); g != nil {
				needGroup[g.ID] = true
			} else {
				needDefault = true
			}
		}
	}
	used := []ScoredOn{}
	if needDefault || len(groups) == 0 {
		sch, err := schemes.Find(ctx, q, cycleID, pinned)
		if err != nil {
			return nil, err
		}
		d.Scheme = sch.Tree
		d.SchemeInfo = ScoredOn{Group: schemes.DefaultGroupName, Name: sch.Name, Version: sch.Version}
		used = append(used, d.SchemeInfo)
	}
	for _, g := range groups {
		if !needGroup[g.ID] {
			continue
		}
		sch, err := schemes.FindIn(ctx, q, cycleID, &g.ID, 0)
		if apperr.Is(err, apperr.NotFound) {
			return nil, apperr.New(apperr.NotFound, "方案分组“"+g.Name+"”尚未设置考核方案")
		}
		if err != nil {
			return nil, err
		}
		info := ScoredOn{GroupID: &g.ID, Group: g.Name, Name: sch.Name, Version: sch.Version}
		d.Groups = append(d.Groups, GroupScheme{Categories: g.Categories, Tree: sch.Tree, Info: info})
		used = append(used, info)
	}
	return used, nil
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
