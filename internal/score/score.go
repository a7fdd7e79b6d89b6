package score

import "slices"

// Daily is the input of the daily part: the number of counted daily ratings
// of a unit in the cycle's period (excluded ratings left out) and the sum of
// their points under the cycle's level→points mapping.
type Daily struct {
	Count     int     `json:"count"`
	SumPoints float64 `json:"sum_points"`
}

// GroupResponses is the input of the annual part for one respondent group:
// the number of counted responses about a unit and the sum of their points.
type GroupResponses struct {
	Key       string  `json:"key"`
	Count     int     `json:"count"`
	SumPoints float64 `json:"sum_points"`
}

// Result explains a public evaluation score: each part with its count, mean,
// configured and effective weight, the score itself and every flag. All
// numbers keep full float64 precision, so a stored result can be recomputed
// from the same inputs and compared exactly; use Round2 only for display.
type Result struct {
	Daily  DailyPart  `json:"daily"`
	Annual AnnualPart `json:"annual"`
	// Score is the public evaluation score, or nil when neither part has a
	// mean (flagged no_score). It is on the points scale of the cycle's
	// level→points mapping, 0–100 for the default one.
	Score *float64 `json:"score"`
	// Flags are the unit-level flags in a stable order: daily flags, group
	// flags, annual_missing, no_score.
	Flags []Flag `json:"flags"`
	// UnknownGroups lists, in order of first appearance, the keys of
	// responses whose group is not in the configuration; they are ignored.
	UnknownGroups []string `json:"unknown_groups,omitempty"`
}

// Value returns the score and true, or 0 and false when there is none.
func (r Result) Value() (float64, bool) {
	if r.Score == nil {
		return 0, false
	}
	return *r.Score, true
}

// HasFlag reports whether the result carries the unit-level flag.
func (r Result) HasFlag(f Flag) bool {
	return slices.Contains(r.Flags, f)
}

// DailyPart explains the daily part of a score.
type DailyPart struct {
	Count    int     `json:"count"`
	MinCount int     `json:"min_count"`
	Mean     float64 `json:"mean"` // 0 when Count is 0
	// Weight is the configured weight; EffectiveWeight the one used, which
	// is 0 or 1 when a part is short or missing.
	Weight          float64 `json:"weight"`
	EffectiveWeight float64 `json:"effective_weight"`
	// Counted reports whether the part entered the score.
	Counted bool `json:"counted"`
}

// AnnualPart explains the annual part of a score.
type AnnualPart struct {
	// Count is the number of responses over the configured groups.
	Count           int     `json:"count"`
	Mean            float64 `json:"mean"` // 0 when the part is missing
	Weight          float64 `json:"weight"`
	EffectiveWeight float64 `json:"effective_weight"`
	Counted         bool    `json:"counted"`
	// Groups has one entry per configured group, in configuration order.
	Groups []GroupPart `json:"groups"`
}

// GroupPart explains one respondent group's share of the annual part.
type GroupPart struct {
	Key       string  `json:"key"`
	Name      string  `json:"name"`
	Count     int     `json:"count"`
	MinSample int     `json:"min_sample"`
	Mean      float64 `json:"mean"` // 0 when Count is 0
	// Weight is the configured weight; EffectiveWeight the weight after the
	// groups without responses were left out and the rest rescaled.
	Weight          float64 `json:"weight"`
	EffectiveWeight float64 `json:"effective_weight"`
	Counted         bool    `json:"counted"`
	Flags           []Flag  `json:"flags,omitempty"`
}

// Compute scores one unit for a cycle. cfg must pass Validate.
//
// The daily part is the mean points of the counted daily ratings. The annual
// part is, per respondent group, the mean points of its responses, combined
// by group weights; a group without responses is left out, the weights of
// the rest are rescaled to sum to 1 and the group is flagged group_missing;
// a group with fewer responses than its MinSample still counts and is
// flagged group_below_minimum. Responses under several entries of one key
// are added up; keys not in cfg are ignored and listed in UnknownGroups.
//
// The public score is daily × DailyWeight + annual × AnnualWeight (40/60 by
// default, 002 § 19(二)3), with these exceptions:
//   - fewer daily ratings than MinDailyCount (but at least one): flagged
//     daily_below_minimum; when AnnualCarriesWhenDailyShort the annual part
//     carries the whole score, otherwise the daily part keeps its weight;
//   - no daily ratings: the annual part carries the whole score, flagged
//     daily_missing;
//   - no responses in any group with a weight: the daily part carries the
//     whole score, flagged annual_missing;
//   - neither part: no score, flagged no_score.
func Compute(cfg Config, daily Daily, groups []GroupResponses) Result {
	r := Result{
		Daily: DailyPart{Count: daily.Count, MinCount: cfg.MinDailyCount, Weight: cfg.DailyWeight},
		Flags: []Flag{},
	}
	hasDaily := daily.Count > 0
	short := false
	switch {
	case !hasDaily:
		r.Flags = append(r.Flags, FlagDailyMissing)
	case daily.Count < cfg.MinDailyCount:
		short = true
		r.Daily.Mean = daily.SumPoints / float64(daily.Count)
		r.Flags = append(r.Flags, FlagDailyBelowMinimum)
	default:
		r.Daily.Mean = daily.SumPoints / float64(daily.Count)
	}

	var groupFlags []Flag
	r.Annual, r.UnknownGroups, groupFlags = computeAnnual(cfg, groups)
	hasAnnual := r.Annual.Counted

	var s float64
	switch {
	case hasDaily && hasAnnual:
		r.Flags = append(r.Flags, groupFlags...)
		if short && cfg.AnnualCarriesWhenDailyShort {
			r.Annual.EffectiveWeight = 1
			s = r.Annual.Mean
		} else {
			r.Daily.Counted, r.Daily.EffectiveWeight = true, cfg.DailyWeight
			r.Annual.EffectiveWeight = cfg.AnnualWeight
			s = r.Daily.Mean*cfg.DailyWeight + r.Annual.Mean*cfg.AnnualWeight
		}
	case hasAnnual:
		r.Flags = append(r.Flags, groupFlags...)
		r.Annual.EffectiveWeight = 1
		s = r.Annual.Mean
	case hasDaily:
		r.Flags = append(r.Flags, FlagAnnualMissing)
		r.Daily.Counted, r.Daily.EffectiveWeight = true, 1
		s = r.Daily.Mean
	default:
		r.Flags = append(r.Flags, FlagAnnualMissing, FlagNoScore)
		return r
	}
	r.Score = &s
	return r
}

// computeAnnual returns the annual part with its groups' effective weights,
// the unknown group keys and the unit-level group flags (each at most once).
// The part is counted when some group with a positive weight has responses.
func computeAnnual(cfg Config, groups []GroupResponses) (AnnualPart, []string, []Flag) {
	a := AnnualPart{Weight: cfg.AnnualWeight, Groups: make([]GroupPart, len(cfg.Groups))}
	index := make(map[string]int, len(cfg.Groups))
	for i, g := range cfg.Groups {
		index[g.Key] = i
		a.Groups[i] = GroupPart{Key: g.Key, Name: g.Name, MinSample: g.MinSample, Weight: g.Weight}
	}
	sums := make([]float64, len(cfg.Groups))
	var unknown []string
	for _, in := range groups {
		i, ok := index[in.Key]
		if !ok {
			if !slices.Contains(unknown, in.Key) {
				unknown = append(unknown, in.Key)
			}
			continue
		}
		a.Groups[i].Count += in.Count
		sums[i] += in.SumPoints
	}

	var missing, below bool
	present := 0.0 // sum of the weights of the groups with responses
	for i := range a.Groups {
		g := &a.Groups[i]
		if g.Count <= 0 {
			missing = true
			g.Flags = []Flag{FlagGroupMissing}
			continue
		}
		a.Count += g.Count
		g.Mean = sums[i] / float64(g.Count)
		present += g.Weight
		if g.Count < g.MinSample {
			below = true
			g.Flags = []Flag{FlagGroupBelowMinimum}
		}
	}
	if present <= 0 {
		return a, unknown, nil
	}

	a.Counted = true
	for i := range a.Groups {
		g := &a.Groups[i]
		if g.Count <= 0 {
			continue
		}
		g.Counted = true
		g.EffectiveWeight = g.Weight
		if missing {
			g.EffectiveWeight = g.Weight / present
		}
		a.Mean += g.Mean * g.EffectiveWeight
	}
	var flags []Flag
	if missing {
		flags = append(flags, FlagGroupMissing)
	}
	if below {
		flags = append(flags, FlagGroupBelowMinimum)
	}
	return a, unknown, flags
}
