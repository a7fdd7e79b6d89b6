package scores

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/ratings"
	"minyi/internal/score"
	"minyi/internal/units"
)

// FlagNote is a flag with its Chinese label and what it means for this
// unit, in Chinese.
type FlagNote struct {
	Code   score.Flag `json:"code"`
	Label  string     `json:"label"`
	Detail string     `json:"detail,omitempty"`
}

// LevelCount is how many ratings or responses chose a level, and what the
// level is worth under the configuration used.
type LevelCount struct {
	Level  int     `json:"level"`
	Label  string  `json:"label"`
	Points float64 `json:"points"`
	Count  int64   `json:"count"`
}

// DailyDetail explains the daily part. Numbers keep full precision.
type DailyDetail struct {
	Count    int     `json:"count"`
	MinCount int     `json:"min_count"`
	Mean     float64 `json:"mean"`
	// Weight is the configured weight, EffectiveWeight the one used and
	// Contribution the points the part adds to the score.
	Weight          float64 `json:"weight"`
	EffectiveWeight float64 `json:"effective_weight"`
	Contribution    float64 `json:"contribution"`
	Counted         bool    `json:"counted"`
	// Excluded is how many ratings of the period were excluded; they are
	// not counted.
	Excluded int          `json:"excluded"`
	Levels   []LevelCount `json:"levels"`
}

// AnnualDetail explains the annual part.
type AnnualDetail struct {
	Count           int           `json:"count"`
	Mean            float64       `json:"mean"`
	Weight          float64       `json:"weight"`
	EffectiveWeight float64       `json:"effective_weight"`
	Contribution    float64       `json:"contribution"`
	Counted         bool          `json:"counted"`
	Groups          []GroupDetail `json:"groups"`
}

// GroupDetail explains one respondent group's share of the annual part.
type GroupDetail struct {
	Key       string  `json:"key"`
	Name      string  `json:"name"`
	Count     int     `json:"count"`
	MinSample int     `json:"min_sample"`
	Mean      float64 `json:"mean"`
	// Weight is the configured weight, EffectiveWeight the rescaled one
	// (the groups without responses left out) and Contribution the points
	// the group adds to the annual part.
	Weight          float64      `json:"weight"`
	EffectiveWeight float64      `json:"effective_weight"`
	Contribution    float64      `json:"contribution"`
	Counted         bool         `json:"counted"`
	Flags           []FlagNote   `json:"flags"`
	Levels          []LevelCount `json:"levels"`
}

// Explanation explains one unit's score down to its counts per level.
type Explanation struct {
	Meta
	Unit           Unit   `json:"unit"`
	Rank           *int   `json:"rank"`
	UnrankedReason string `json:"unranked_reason,omitempty"`
	// CategoryUnits is how many units the unit's category has, and
	// CategoryRanked how many of them are ranked.
	CategoryUnits  int `json:"category_units"`
	CategoryRanked int `json:"category_ranked"`
	// Score is rounded to two decimals; ExactScore keeps full precision.
	Score      *float64 `json:"score"`
	ExactScore *float64 `json:"exact_score"`
	// Formula and AnnualFormula write the computation out with the
	// numbers, rounded for reading.
	Formula       string       `json:"formula"`
	AnnualFormula string       `json:"annual_formula"`
	Daily         DailyDetail  `json:"daily"`
	Annual        AnnualDetail `json:"annual"`
	Flags         []FlagNote   `json:"flags"`
	// UnknownGroups are group keys of responses that the configuration
	// version does not have; those responses are not counted.
	UnknownGroups []string `json:"unknown_groups"`
}

// Explain scores the unit's category as Compute does and explains the
// unit's score: each part and group with its count, mean, weights,
// contribution, flags and counts per level. It returns not_found for an
// unknown cycle, version or unit.
func Explain(ctx context.Context, q db.DBTX, loc *time.Location, now time.Time, query Query, unitID int64) (Explanation, error) {
	u, err := units.FindUnit(ctx, q, unitID)
	if err != nil {
		return Explanation{}, err
	}
	query.Category = u.Category
	rep, err := Compute(ctx, q, loc, now, query)
	if err != nil {
		return Explanation{}, err
	}
	var cat Category
	var line UnitScore
	for _, c := range rep.Categories {
		if i := slices.IndexFunc(c.Units, func(l UnitScore) bool { return l.Unit.ID == unitID }); i >= 0 {
			cat, line = c, c.Units[i]
		}
	}
	if line.Result == nil {
		return Explanation{}, apperr.New(apperr.NotFound, "单位不存在")
	}
	excluded, err := excludedCount(ctx, q, loc, rep.Cycle, unitID)
	if err != nil {
		return Explanation{}, err
	}
	r := *line.Result
	cfg := rep.Config
	e := Explanation{
		Meta: rep.Meta, Unit: line.Unit, Rank: line.Rank, UnrankedReason: line.UnrankedReason,
		CategoryUnits: len(cat.Units), CategoryRanked: cat.Ranked, Score: line.Score, ExactScore: r.Score,
		Formula: Formula(r), AnnualFormula: AnnualFormula(r), Flags: line.Flags, UnknownGroups: r.UnknownGroups,
		Daily: DailyDetail{Count: r.Daily.Count, MinCount: r.Daily.MinCount, Mean: r.Daily.Mean, Weight: r.Daily.Weight,
			EffectiveWeight: r.Daily.EffectiveWeight, Contribution: r.Daily.Mean * r.Daily.EffectiveWeight,
			Counted: r.Daily.Counted, Excluded: excluded, Levels: levelCounts(line.daily, cfg.LevelPoints)},
		Annual: AnnualDetail{Count: r.Annual.Count, Mean: r.Annual.Mean, Weight: r.Annual.Weight,
			EffectiveWeight: r.Annual.EffectiveWeight, Contribution: r.Annual.Mean * r.Annual.EffectiveWeight,
			Counted: r.Annual.Counted, Groups: make([]GroupDetail, len(r.Annual.Groups))},
	}
	if e.UnknownGroups == nil {
		e.UnknownGroups = []string{}
	}
	for i, g := range r.Annual.Groups {
		notes := make([]FlagNote, len(g.Flags))
		for j, f := range g.Flags {
			notes[j] = FlagNote{Code: f, Label: groupFlagLabel(f)}
		}
		e.Annual.Groups[i] = GroupDetail{Key: g.Key, Name: g.Name, Count: g.Count, MinSample: g.MinSample, Mean: g.Mean,
			Weight: g.Weight, EffectiveWeight: g.EffectiveWeight, Contribution: g.Mean * g.EffectiveWeight,
			Counted: g.Counted, Flags: notes, Levels: levelCounts(line.groups[g.Key], cfg.LevelPoints)}
	}
	return e, nil
}

// excludedCount counts the unit's excluded ratings in the cycle's period.
func excludedCount(ctx context.Context, q db.DBTX, loc *time.Location, cy CycleInfo, unitID int64) (int, error) {
	from, err := time.ParseInLocation(time.DateOnly, cy.PeriodStart, loc)
	if err != nil {
		return 0, err
	}
	to, err := time.ParseInLocation(time.DateOnly, cy.PeriodEnd, loc)
	if err != nil {
		return 0, err
	}
	to = to.AddDate(0, 0, 1)
	yes := true
	return ratings.Count(ctx, q, ratings.Filter{UnitID: &unitID, From: &from, To: &to, Excluded: &yes})
}

// levelCounts lists the counts from level 5 down to 1.
func levelCounts(c ratings.LevelCounts, levelPoints []float64) []LevelCount {
	out := make([]LevelCount, 0, 5)
	for level := 5; level >= 1; level-- {
		out = append(out, LevelCount{Level: level, Label: ratings.LevelLabel(level), Points: levelPoints[5-level],
			Count: c[level-1]})
	}
	return out
}

// groupFlagLabel names a flag as it applies to one group.
func groupFlagLabel(f score.Flag) string {
	switch f {
	case score.FlagGroupMissing:
		return "无答卷，不计入"
	case score.FlagGroupBelowMinimum:
		return "低于最低样本量，仍计入"
	}
	return f.Label()
}

// flagNotes explains the unit-level flags of a result in Chinese.
func flagNotes(r score.Result) []FlagNote {
	out := make([]FlagNote, 0, len(r.Flags))
	for _, f := range r.Flags {
		out = append(out, FlagNote{Code: f, Label: f.Label(), Detail: flagDetail(f, r)})
	}
	return out
}

// flagDetail says what a flag means for this result.
func flagDetail(f score.Flag, r score.Result) string {
	switch f {
	case score.FlagDailyBelowMinimum:
		s := fmt.Sprintf("考核期内计分的日常评价共 %d 条，低于最低要求 %d 条；", r.Daily.Count, r.Daily.MinCount)
		if r.Daily.Counted {
			return s + "日常评价仍按 " + Percent(r.Daily.EffectiveWeight) + " 计入。"
		}
		return s + "按本版本配置，由年度评价计全部得分，日常评价不计入。"
	case score.FlagDailyMissing:
		return "考核期内没有计分的日常评价，由年度评价计全部得分。"
	case score.FlagGroupMissing:
		var names []string
		for _, g := range r.Annual.Groups {
			if g.Count <= 0 {
				names = append(names, g.Name)
			}
		}
		return "以下受访群体没有答卷，不计入：" + strings.Join(names, "、") + "；其余群体的权重已按比例放大，合计仍为100%。"
	case score.FlagGroupBelowMinimum:
		var names []string
		for _, g := range r.Annual.Groups {
			if g.Count > 0 && g.Count < g.MinSample {
				names = append(names, fmt.Sprintf("%s（%d 份，最低 %d 份）", g.Name, g.Count, g.MinSample))
			}
		}
		return "以下受访群体答卷数低于最低样本量，仍按权重计入：" + strings.Join(names, "、") + "。"
	case score.FlagAnnualMissing:
		return "没有计入的年度测评答卷，由日常评价计全部得分。"
	case score.FlagNoScore:
		return "考核期内既没有计分的日常评价，也没有年度测评答卷，无法计分，不参与排名。"
	}
	return ""
}

// Formula writes the public evaluation score out with its numbers, for
// example "公众评价得分 = 日常评价 86.40 × 40% + 年度评价 78.25 × 60% = 81.51".
func Formula(r score.Result) string {
	v, ok := r.Value()
	if !ok {
		return "无法计分：考核期内既没有计分的日常评价，也没有年度测评答卷"
	}
	var terms []string
	if r.Daily.Counted && r.Daily.EffectiveWeight > 0 {
		terms = append(terms, "日常评价 "+Points(r.Daily.Mean)+" × "+Percent(r.Daily.EffectiveWeight))
	}
	if r.Annual.Counted && r.Annual.EffectiveWeight > 0 {
		terms = append(terms, "年度评价 "+Points(r.Annual.Mean)+" × "+Percent(r.Annual.EffectiveWeight))
	}
	return "公众评价得分 = " + strings.Join(terms, " + ") + " = " + Points(v)
}

// AnnualFormula writes the annual part out over its counted groups, with
// the rescaled weights, or returns "" when the part has no responses.
func AnnualFormula(r score.Result) string {
	if !r.Annual.Counted {
		return ""
	}
	var terms []string
	for _, g := range r.Annual.Groups {
		if g.Counted {
			terms = append(terms, g.Name+" "+Points(g.Mean)+" × "+Percent(g.EffectiveWeight))
		}
	}
	return "年度评价 = " + strings.Join(terms, " + ") + " = " + Points(r.Annual.Mean)
}

// Points formats a score with two decimals, rounded as score.Round2 does.
func Points(x float64) string { return strconv.FormatFloat(score.Round2(x), 'f', 2, 64) }

// Percent formats a weight as a percentage with at most two decimals:
// 0.4 is "40%", 0.4/0.88 is "45.45%".
func Percent(w float64) string {
	return strconv.FormatFloat(score.Round2(w*100), 'f', -1, 64) + "%"
}

// periodOpenReason says the period has not ended.
func periodOpenReason(end string) string { return fmt.Sprintf(reasonPeriodOpenF, end) }
