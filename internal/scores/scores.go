// Package scores computes the public evaluation scores (公众评价得分) of an
// assessment cycle: it reads the counted daily ratings of the cycle's period
// and the annual survey responses of the cycle's surveys, feeds them to the
// pure rules of package score under one stored configuration version, and
// ranks the units within their categories. Results name the version used,
// so a past year's result can be recomputed exactly.
package scores

import (
	"context"
	"slices"
	"sort"
	"time"

	"minyi/internal/apperr"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/ratings"
	"minyi/internal/score"
	"minyi/internal/units"
)

// Query selects what to compute.
type Query struct {
	CycleID int64
	// Version is the configuration version to use; 0 means the newest.
	Version int
	// Category limits the report to the units of one category; "" means
	// every unit.
	Category string
	// CategoryOrder lists categories in the order the report shows them;
	// categories not listed follow in name order.
	CategoryOrder []string
}

// CycleInfo is the cycle a report is about.
type CycleInfo struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Year        int    `json:"year"`
	PeriodStart string `json:"period_start"`
	PeriodEnd   string `json:"period_end"`
}

// Survey is a survey of the cycle and whether it is closed.
type Survey struct {
	ID          int64  `json:"id"`
	Title       string `json:"title"`
	Status      string `json:"status"`
	StatusLabel string `json:"status_label"`
}

// Survey states, as stored.
const (
	SurveyDraft  = "draft"
	SurveyOpen   = "open"
	SurveyClosed = "closed"
)

// SurveyStatusLabel returns the Chinese name of a survey status.
func SurveyStatusLabel(status string) string {
	switch status {
	case SurveyDraft:
		return "草稿"
	case SurveyOpen:
		return "进行中"
	case SurveyClosed:
		return "已结束"
	}
	return status
}

// Reasons a result is provisional.
const (
	ReasonSurveyOpen  = "问卷调查尚未结束，得分为暂定"
	ReasonNoSurvey    = "本考核年度尚未建立年度问卷，年度评价未计入，得分为暂定"
	reasonPeriodOpenF = "考核期至 %s 结束，日常评价仍在累积，得分为暂定"
)

// Meta describes how a report was computed: the cycle, the configuration
// version and its values, when, and whether the result is final.
type Meta struct {
	Cycle CycleInfo `json:"cycle"`
	// Version is the configuration version used; NewestVersion the newest
	// one the cycle has.
	Version       int           `json:"config_version"`
	NewestVersion int           `json:"newest_config_version"`
	Config        cycles.Config `json:"config"`
	GeneratedAt   time.Time     `json:"generated_at"`
	// Provisional is true while a survey of the cycle is not closed, the
	// cycle has no survey though the annual part has a weight, or the
	// period has not ended; Reasons says which, in Chinese.
	Provisional bool     `json:"provisional"`
	Reasons     []string `json:"provisional_reasons"`
	Surveys     []Survey `json:"surveys"`
	// categories are the cycle's unit categories, nil while not set.
	categories []string
}

// Unit is a scored unit as reports name it.
type Unit struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	ShortCode *string `json:"short_code"`
	Category  string  `json:"category"`
}

// UnitScore is one unit's line in a ranking.
type UnitScore struct {
	Unit Unit `json:"unit"`
	// Rank is the unit's place within its category, ties sharing a place;
	// nil when the unit has no score, with UnrankedReason saying why.
	Rank           *int   `json:"rank"`
	UnrankedReason string `json:"unranked_reason,omitempty"`
	// Score is the public evaluation score rounded to two decimals (as
	// published and ranked); Result.Score keeps full precision.
	Score *float64 `json:"score"`
	// Result explains the score in full precision, and Flags names its
	// flags in Chinese; both are nil when DetailHidden.
	Result       *score.Result `json:"result"`
	Flags        []FlagNote    `json:"flags"`
	DetailHidden bool          `json:"detail_hidden,omitempty"`

	daily  ratings.LevelCounts
	groups map[string]ratings.LevelCounts
}

// Category is the ranking of one unit category.
type Category struct {
	Name  string      `json:"name"`
	Units []UnitScore `json:"units"`
	// Ranked is how many of the units have a rank.
	Ranked int `json:"ranked"`
}

// Report is the scores of a cycle's units, ranked within each category.
type Report struct {
	Meta
	Categories []Category `json:"categories"`
}

// Compute scores the units of the cycle (of one category when q.Category
// is set) under the configuration version q.Version, the newest when 0, and
// ranks them within their categories. The daily part counts the ratings not
// excluded whose local day (in loc) lies in the cycle's period; the annual
// part counts the responses of every survey of the cycle. now dates the
// report and decides whether the period has ended. It returns not_found for
// an unknown cycle or version.
func Compute(ctx context.Context, q db.DBTX, loc *time.Location, now time.Time, query Query) (Report, error) {
	meta, err := loadMeta(ctx, q, loc, now, query.CycleID, query.Version)
	if err != nil {
		return Report{}, err
	}
	// The units taking part are the cycle's (units.InCycleSQL: of its
	// categories, not abolished by the end of its period), ranked in the
	// cycle's order of categories.
	list, err := units.CycleUnits(ctx, q, query.CycleID)
	if err != nil {
		return Report{}, err
	}
	order := query.CategoryOrder
	if meta.categories != nil {
		order = meta.categories
	}
	var ids []int64 // nil: every unit
	if query.Category != "" {
		list = slices.DeleteFunc(list, func(u units.Unit) bool { return u.Category != query.Category })
		ids = make([]int64, len(list))
		for i, u := range list {
			ids[i] = u.ID
		}
	}
	lines, err := scoreUnits(ctx, q, loc, meta, list, ids)
	if err != nil {
		return Report{}, err
	}
	return Report{Meta: meta, Categories: rank(lines, order)}, nil
}

// loadMeta reads the cycle, the configuration version and the surveys.
func loadMeta(ctx context.Context, q db.DBTX, loc *time.Location, now time.Time, cycleID int64, version int) (Meta, error) {
	if version < 0 {
		return Meta{}, apperr.New(apperr.NotFound, "该配置版本不存在")
	}
	cy, err := cycles.FindCycle(ctx, q, cycleID)
	if err != nil {
		return Meta{}, err
	}
	m := Meta{
		Cycle:   CycleInfo{ID: cy.ID, Name: cy.Name, Year: cy.Year, PeriodStart: cy.PeriodStart, PeriodEnd: cy.PeriodEnd},
		Version: cy.ConfigVersion, NewestVersion: cy.ConfigVersion, Config: cy.Config, GeneratedAt: now,
		Reasons: []string{}, categories: cy.Categories,
	}
	if version != 0 && version != cy.ConfigVersion {
		v, err := cycles.FindConfigVersion(ctx, q, cycleID, version)
		if err != nil {
			return Meta{}, err
		}
		m.Version, m.Config = v.Version, v.Config
	}
	if m.Surveys, err = listSurveys(ctx, q, cycleID); err != nil {
		return Meta{}, err
	}
	m.Reasons = provisionalReasons(m, loc, now)
	m.Provisional = len(m.Reasons) > 0
	return m, nil
}

// provisionalReasons says why a result may still change.
func provisionalReasons(m Meta, loc *time.Location, now time.Time) []string {
	out := []string{}
	open := false
	for _, s := range m.Surveys {
		open = open || s.Status != SurveyClosed
	}
	switch {
	case open:
		out = append(out, ReasonSurveyOpen)
	case len(m.Surveys) == 0 && m.Config.Score.AnnualWeight > 0:
		out = append(out, ReasonNoSurvey)
	}
	if now.In(loc).Format(time.DateOnly) <= m.Cycle.PeriodEnd {
		out = append(out, periodOpenReason(m.Cycle.PeriodEnd))
	}
	return out
}

// listSurveys returns the cycle's surveys in the order they were made.
func listSurveys(ctx context.Context, q db.DBTX, cycleID int64) ([]Survey, error) {
	rows, err := q.Query(ctx, `SELECT id, title, status FROM surveys WHERE cycle_id = $1 ORDER BY id`, cycleID)
	if err != nil {
		return nil, db.Err(err)
	}
	defer rows.Close()
	out := []Survey{}
	for rows.Next() {
		var s Survey
		if err := rows.Scan(&s.ID, &s.Title, &s.Status); err != nil {
			return nil, db.Err(err)
		}
		s.StatusLabel = SurveyStatusLabel(s.Status)
		out = append(out, s)
	}
	return out, db.Err(rows.Err())
}

// annualLevelCounts counts the responses of the cycle's surveys per unit,
// respondent group and level, leaving out responses excluded in feedback
// review; unitIDs limits the units, nil means all.
func annualLevelCounts(ctx context.Context, q db.DBTX, cycleID int64, unitIDs []int64) (map[int64]map[string]ratings.LevelCounts, error) {
	const sql = `SELECT r.unit_id, r.group_key, r.level, count(*)
		FROM survey_responses r JOIN surveys s ON s.id = r.survey_id
		WHERE s.cycle_id = $1 AND ($2::bigint[] IS NULL OR r.unit_id = ANY($2)) AND NOT r.excluded
		GROUP BY r.unit_id, r.group_key, r.level`
	rows, err := q.Query(ctx, sql, cycleID, unitIDs)
	if err != nil {
		return nil, db.Err(err)
	}
	defer rows.Close()
	out := map[int64]map[string]ratings.LevelCounts{}
	for rows.Next() {
		var unit, n int64
		var group string
		var level int
		if err := rows.Scan(&unit, &group, &level, &n); err != nil {
			return nil, db.Err(err)
		}
		if out[unit] == nil {
			out[unit] = map[string]ratings.LevelCounts{}
		}
		c := out[unit][group]
		c[level-1] = n
		out[unit][group] = c
	}
	return out, db.Err(rows.Err())
}

// scoreUnits computes the score of each unit of list; ids are their ids,
// or nil when list holds every unit.
func scoreUnits(ctx context.Context, q db.DBTX, loc *time.Location, m Meta, list []units.Unit, ids []int64) ([]UnitScore, error) {
	if ids != nil && len(ids) == 0 {
		return nil, nil
	}
	daily, err := ratings.DailyLevelCounts(ctx, q, m.Cycle.PeriodStart, m.Cycle.PeriodEnd, loc, ids)
	if err != nil {
		return nil, db.Err(err)
	}
	annual, err := annualLevelCounts(ctx, q, m.Cycle.ID, ids)
	if err != nil {
		return nil, err
	}
	out := make([]UnitScore, len(list))
	for i, u := range list {
		out[i] = scoreUnit(m.Config, u, daily[u.ID], annual[u.ID])
	}
	return out, nil
}

// scoreUnit applies the rules to one unit's counts.
func scoreUnit(cfg cycles.Config, u units.Unit, daily ratings.LevelCounts, groups map[string]ratings.LevelCounts) UnitScore {
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys) // a stable order for UnknownGroups
	in := make([]score.GroupResponses, len(keys))
	for i, k := range keys {
		c := groups[k]
		in[i] = score.GroupResponses{Key: k, Count: int(c.Total()), SumPoints: c.SumPoints(cfg.LevelPoints)}
	}
	d := score.Daily{Count: int(daily.Total()), SumPoints: daily.SumPoints(cfg.LevelPoints)}
	r := score.Compute(cfg.Score, d, in)
	line := UnitScore{
		Unit:   Unit{ID: u.ID, Name: u.Name, ShortCode: u.ShortCode, Category: u.Category},
		Result: &r, Flags: flagNotes(r), daily: daily, groups: groups,
	}
	if v, ok := r.Value(); ok {
		rounded := score.Round2(v)
		line.Score = &rounded
	}
	return line
}
