// Package score holds the pure rules of the public evaluation score
// (公众评价得分): the daily part, the annual part combined over respondent
// groups, and their weighted sum, each with flags that explain it. The
// functions take plain values and never touch a database; the stores feed
// them counts and sums of points.
package score

import (
	"fmt"
	"math"
	"strings"

	"minyi/internal/apperr"
)

// Default weights of the two parts of the public evaluation score: daily
// 40 % and annual 60 % (DOMAIN.md, 002 § 19(二)3).
const (
	DefaultDailyWeight  = 0.40
	DefaultAnnualWeight = 0.60
)

// DefaultMinDailyCount is the default minimum number of counted daily
// ratings for the daily part to count without a flag.
const DefaultMinDailyCount = 30

// weightTolerance is how far a sum of weights may be from 1 and still count
// as 1, to forgive decimal fractions such as 0.1 + 0.2.
const weightTolerance = 1e-9

// Keys of the default respondent groups.
const (
	GroupServiceUsers = "service_users"
	GroupNPCDeputies  = "npc_deputies"
	GroupCPPCCMembers = "cppcc_members"
	GroupPartyReps    = "party_reps"
	GroupOrganStaff   = "organ_staff"
	GroupExperts      = "experts"
)

// Group is a respondent group of an assessment cycle: its key, its display
// name, its weight within the annual part and the minimum number of
// responses per unit below which the unit is flagged.
type Group struct {
	Key       string  `json:"key"`
	Name      string  `json:"name"`
	Weight    float64 `json:"weight"`
	MinSample int     `json:"min_sample"`
}

// DefaultGroups returns the six default respondent groups of issue 3. The
// weights (service users 0.40, each of the other five 0.12) and the minimum
// samples are presets only: no source document fixes them, and the office
// edits them per cycle.
func DefaultGroups() []Group {
	return []Group{
		{Key: GroupServiceUsers, Name: "服务对象", Weight: 0.40, MinSample: 30},
		{Key: GroupNPCDeputies, Name: "人大代表", Weight: 0.12, MinSample: 5},
		{Key: GroupCPPCCMembers, Name: "政协委员", Weight: 0.12, MinSample: 5},
		{Key: GroupPartyReps, Name: "党代表", Weight: 0.12, MinSample: 5},
		{Key: GroupOrganStaff, Name: "机关和企事业单位工作人员", Weight: 0.12, MinSample: 10},
		{Key: GroupExperts, Name: "专家学者", Weight: 0.12, MinSample: 3},
	}
}

// Config is the scoring part of an assessment cycle's configuration. A cycle
// stores it with its version, so a past result can be recomputed exactly.
type Config struct {
	// DailyWeight and AnnualWeight weigh the two parts; they sum to 1.
	DailyWeight  float64 `json:"daily_weight"`
	AnnualWeight float64 `json:"annual_weight"`
	// MinDailyCount is the number of counted daily ratings below which the
	// unit is flagged daily_below_minimum.
	MinDailyCount int `json:"min_daily_count"`
	// AnnualCarriesWhenDailyShort makes the annual part carry the whole
	// score when the daily part is below MinDailyCount; when false the
	// daily part still counts with its weight, flagged.
	AnnualCarriesWhenDailyShort bool `json:"annual_carries_when_daily_short"`
	// Groups are the respondent groups of the annual part; their weights
	// sum to 1.
	Groups []Group `json:"groups"`
}

// DefaultConfig returns the default configuration: daily 40 % and annual
// 60 % (002 § 19(二)3), a minimum of 30 daily ratings with the daily part
// still counting below it, and DefaultGroups.
func DefaultConfig() Config {
	return Config{
		DailyWeight:                 DefaultDailyWeight,
		AnnualWeight:                DefaultAnnualWeight,
		MinDailyCount:               DefaultMinDailyCount,
		AnnualCarriesWhenDailyShort: false,
		Groups:                      DefaultGroups(),
	}
}

// Validate checks the configuration and returns an apperr invalid error with
// a Chinese message per field, or nil. Weights lie in [0, 1]; the daily and
// annual weights sum to 1, and so do the group weights (within 1e-9); there
// is at least one group, every group has a non-empty unique key and a name;
// MinDailyCount and every MinSample are not negative. Field names are
// daily_weight, annual_weight, min_daily_count, groups and groups[i].key,
// groups[i].name, groups[i].weight, groups[i].min_sample.
func (c Config) Validate() error {
	f := apperr.Fields{}
	if !inUnit(c.DailyWeight) {
		f.Add("daily_weight", "日常评价权重须在0到1之间")
	}
	if !inUnit(c.AnnualWeight) {
		f.Add("annual_weight", "年度测评权重须在0到1之间")
	}
	if !sumsToOne(c.DailyWeight + c.AnnualWeight) {
		f.Add("daily_weight", "日常评价权重与年度测评权重之和须为1")
		f.Add("annual_weight", "日常评价权重与年度测评权重之和须为1")
	}
	if c.MinDailyCount < 0 {
		f.Add("min_daily_count", "日常评价最低数量不能为负数")
	}
	if len(c.Groups) == 0 {
		f.Add("groups", "请至少设置一个受访群体")
		return f.Err()
	}
	seen := make(map[string]bool, len(c.Groups))
	sum := 0.0
	for i, g := range c.Groups {
		p := fmt.Sprintf("groups[%d].", i)
		key := strings.TrimSpace(g.Key)
		switch {
		case key == "":
			f.Add(p+"key", "请填写群体代码")
		case seen[key]:
			f.Add(p+"key", "群体代码重复："+key)
		}
		seen[key] = true
		if strings.TrimSpace(g.Name) == "" {
			f.Add(p+"name", "请填写群体名称")
		}
		if !inUnit(g.Weight) {
			f.Add(p+"weight", "群体权重须在0到1之间")
		}
		if g.MinSample < 0 {
			f.Add(p+"min_sample", "最低样本量不能为负数")
		}
		sum += g.Weight
	}
	if !sumsToOne(sum) {
		f.Add("groups", "各受访群体权重之和须为1")
	}
	return f.Err()
}

// inUnit reports whether w lies in [0, 1]; NaN does not.
func inUnit(w float64) bool { return w >= 0 && w <= 1 }

// sumsToOne reports whether s is 1 within weightTolerance; NaN is not.
func sumsToOne(s float64) bool { return math.Abs(s-1) <= weightTolerance }
