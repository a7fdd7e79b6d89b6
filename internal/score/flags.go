package score

import (
	"math"
	"strconv"
)

// Flag is a stable code that explains something about a score. Codes are
// stored and sent over the API as they are; Label gives the Chinese text.
type Flag string

// The flags Compute sets.
const (
	// FlagDailyBelowMinimum: the unit has fewer counted daily ratings than
	// the cycle's minimum (but at least one).
	FlagDailyBelowMinimum Flag = "daily_below_minimum"
	// FlagDailyMissing: the unit has no counted daily ratings; the annual
	// part carries the whole score.
	FlagDailyMissing Flag = "daily_missing"
	// FlagGroupMissing: a respondent group has no responses for the unit; it
	// is left out and the weights of the other groups are rescaled.
	FlagGroupMissing Flag = "group_missing"
	// FlagGroupBelowMinimum: a respondent group has fewer responses than its
	// minimum sample; it still counts.
	FlagGroupBelowMinimum Flag = "group_below_minimum"
	// FlagAnnualMissing: no group with a weight has responses for the unit;
	// the daily part carries the whole score.
	FlagAnnualMissing Flag = "annual_missing"
	// FlagNoScore: neither part has a mean, so there is no score.
	FlagNoScore Flag = "no_score"
)

var flagLabels = map[Flag]string{
	FlagDailyBelowMinimum: "日常评价数量低于最低要求",
	FlagDailyMissing:      "无日常评价，由年度测评计分",
	FlagGroupMissing:      "有受访群体无答卷，其余群体权重已按比例调整",
	FlagGroupBelowMinimum: "有受访群体答卷数低于最低样本量",
	FlagAnnualMissing:     "无年度测评答卷，由日常评价计分",
	FlagNoScore:           "无日常评价和年度测评，无法计分",
}

// Label returns the Chinese text of the flag, or the code itself for a flag
// this version does not know.
func (f Flag) Label() string {
	if l, ok := flagLabels[f]; ok {
		return l
	}
	return string(f)
}

// Round2 rounds x to two decimal places, half away from zero, for display
// only: results keep full float64 precision so a stored result can be
// recomputed and compared exactly. It rounds the decimal value of x to 13
// places first, so 89.995, which float64 holds as 89.99499999…, shows as
// 90.00 the way a reader expects. NaN, infinities and values too large to
// have a fractional part come back unchanged.
func Round2(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) >= 1e13 {
		return x
	}
	s := strconv.FormatFloat(math.Abs(x), 'f', 13, 64)
	dot := len(s) - 14 // 13 decimals after the dot
	whole, err := strconv.ParseInt(s[:dot], 10, 64)
	if err != nil {
		return x
	}
	cents := whole*100 + int64(s[dot+1]-'0')*10 + int64(s[dot+2]-'0')
	if s[dot+3] >= '5' {
		cents++
	}
	r := float64(cents) / 100
	if x < 0 {
		return -r
	}
	return r
}
