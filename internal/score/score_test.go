package score

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// tolerance absorbs the last bits of float64 arithmetic in hand-computed
// expectations; every expected value below is worked out by hand.
const tolerance = 1e-9

func near(a, b float64) bool { return math.Abs(a-b) <= tolerance }

// allGroups answers every default group: means 80, 90, 85, 95, 75 and 100,
// so the annual mean is 0.40×80 + 0.12×(90+85+95+75+100) = 32 + 53.4 = 85.4.
func allGroups() []GroupResponses {
	return []GroupResponses{
		{Key: GroupServiceUsers, Count: 50, SumPoints: 4000},
		{Key: GroupNPCDeputies, Count: 10, SumPoints: 900},
		{Key: GroupCPPCCMembers, Count: 10, SumPoints: 850},
		{Key: GroupPartyReps, Count: 10, SumPoints: 950},
		{Key: GroupOrganStaff, Count: 20, SumPoints: 1500},
		{Key: GroupExperts, Count: 5, SumPoints: 500},
	}
}

// without returns allGroups minus the group with the key.
func without(key string) []GroupResponses {
	return slices.DeleteFunc(allGroups(), func(g GroupResponses) bool { return g.Key == key })
}

// with returns allGroups with the group of the key replaced by g.
func with(g GroupResponses) []GroupResponses {
	out := allGroups()
	for i := range out {
		if out[i].Key == g.Key {
			out[i] = g
		}
	}
	return out
}

func TestCompute(t *testing.T) {
	full := Daily{Count: 100, SumPoints: 9000} // mean 90
	short := Daily{Count: 10, SumPoints: 600}  // mean 60, below 30
	carry := DefaultConfig()
	carry.AnnualCarriesWhenDailyShort = true

	tests := []struct {
		name         string
		cfg          Config
		daily        Daily
		groups       []GroupResponses
		score        float64 // NaN: no score
		flags        []Flag
		dailyWeight  float64 // effective
		annualWeight float64 // effective
		annualMean   float64
		groupWeights map[string]float64 // effective, only those checked
		groupFlags   map[string][]Flag
		unknown      []string
	}{
		{
			name: "default 40/60 with all groups", cfg: DefaultConfig(), daily: full, groups: allGroups(),
			score: 0.4*90 + 0.6*85.4, flags: []Flag{}, // 36 + 51.24 = 87.24
			dailyWeight: 0.4, annualWeight: 0.6, annualMean: 85.4,
			groupWeights: map[string]float64{GroupServiceUsers: 0.4, GroupExperts: 0.12},
		},
		{
			name: "missing group rescales the others", cfg: DefaultConfig(), daily: full, groups: without(GroupExperts),
			// present weight 0.88; annual = (32 + 0.12×345) / 0.88 = 73.4 / 0.88
			score: 36 + 0.6*(73.4/0.88), flags: []Flag{FlagGroupMissing},
			dailyWeight: 0.4, annualWeight: 0.6, annualMean: 83.40909090909091,
			groupWeights: map[string]float64{
				GroupServiceUsers: 0.4 / 0.88, GroupNPCDeputies: 0.12 / 0.88, GroupExperts: 0,
			},
			groupFlags: map[string][]Flag{GroupExperts: {FlagGroupMissing}, GroupNPCDeputies: nil},
		},
		{
			name: "missing service users leaves five equal groups", cfg: DefaultConfig(), daily: full,
			groups: with(GroupResponses{Key: GroupServiceUsers}), // count 0 counts as missing
			score:  36 + 0.6*89, flags: []Flag{FlagGroupMissing},
			dailyWeight: 0.4, annualWeight: 0.6, annualMean: 89, // (90+85+95+75+100)/5
			groupWeights: map[string]float64{GroupNPCDeputies: 0.2, GroupOrganStaff: 0.2, GroupServiceUsers: 0},
		},
		{
			name: "daily below minimum still counts", cfg: DefaultConfig(), daily: short, groups: allGroups(),
			score: 0.4*60 + 0.6*85.4, flags: []Flag{FlagDailyBelowMinimum}, // 24 + 51.24
			dailyWeight: 0.4, annualWeight: 0.6, annualMean: 85.4,
		},
		{
			name: "daily below minimum, annual carries", cfg: carry, daily: short, groups: allGroups(),
			score: 85.4, flags: []Flag{FlagDailyBelowMinimum},
			dailyWeight: 0, annualWeight: 1, annualMean: 85.4,
		},
		{
			name: "zero daily ratings", cfg: DefaultConfig(), daily: Daily{}, groups: allGroups(),
			score: 85.4, flags: []Flag{FlagDailyMissing},
			dailyWeight: 0, annualWeight: 1, annualMean: 85.4,
		},
		{
			name: "zero daily ratings with a minimum of zero", cfg: Config{DailyWeight: 0.4, AnnualWeight: 0.6,
				Groups: DefaultGroups()}, daily: Daily{}, groups: allGroups(),
			score: 85.4, flags: []Flag{FlagDailyMissing},
			dailyWeight: 0, annualWeight: 1, annualMean: 85.4,
		},
		{
			name: "annual missing", cfg: DefaultConfig(), daily: full, groups: nil,
			score: 90, flags: []Flag{FlagAnnualMissing},
			dailyWeight: 1, annualWeight: 0, annualMean: 0,
			groupFlags: map[string][]Flag{GroupServiceUsers: {FlagGroupMissing}},
		},
		{
			name: "annual missing with short daily", cfg: carry, daily: short,
			groups: []GroupResponses{{Key: GroupExperts, Count: 0}},
			score:  60, flags: []Flag{FlagDailyBelowMinimum, FlagAnnualMissing},
			dailyWeight: 1, annualWeight: 0,
		},
		{
			name: "both missing", cfg: DefaultConfig(), daily: Daily{}, groups: nil,
			score: math.NaN(), flags: []Flag{FlagDailyMissing, FlagAnnualMissing, FlagNoScore},
		},
		{
			name: "unknown group keys are ignored", cfg: DefaultConfig(), daily: full,
			groups: append(allGroups(),
				GroupResponses{Key: "martians", Count: 40, SumPoints: 0},
				GroupResponses{Key: "", Count: 1, SumPoints: 1},
				GroupResponses{Key: "martians", Count: 1, SumPoints: 0}),
			score: 87.24, flags: []Flag{}, dailyWeight: 0.4, annualWeight: 0.6, annualMean: 85.4,
			unknown: []string{"martians", ""},
		},
		{
			name: "group below minimum sample is flagged but counted", cfg: DefaultConfig(), daily: full,
			groups: with(GroupResponses{Key: GroupExperts, Count: 2, SumPoints: 200}), // mean 100, min 3
			score:  87.24, flags: []Flag{FlagGroupBelowMinimum},
			dailyWeight: 0.4, annualWeight: 0.6, annualMean: 85.4,
			groupWeights: map[string]float64{GroupExperts: 0.12},
			groupFlags:   map[string][]Flag{GroupExperts: {FlagGroupBelowMinimum}},
		},
		{
			name: "split rows of one group add up", cfg: DefaultConfig(), daily: full,
			groups: append(without(GroupServiceUsers),
				GroupResponses{Key: GroupServiceUsers, Count: 30, SumPoints: 2700},
				GroupResponses{Key: GroupServiceUsers, Count: 20, SumPoints: 1300}), // 4000 / 50 = 80
			score: 87.24, flags: []Flag{}, dailyWeight: 0.4, annualWeight: 0.6, annualMean: 85.4,
		},
		{
			name: "only a zero-weight group answered", daily: full,
			cfg: Config{DailyWeight: 0.4, AnnualWeight: 0.6, Groups: []Group{
				{Key: "a", Name: "甲", Weight: 1}, {Key: "b", Name: "乙", Weight: 0},
			}},
			groups: []GroupResponses{{Key: "b", Count: 5, SumPoints: 50}},
			score:  90, flags: []Flag{FlagAnnualMissing}, dailyWeight: 1, annualWeight: 0,
		},
		{
			name: "points on a five-point scale", daily: Daily{Count: 4, SumPoints: 18}, // 4.5
			cfg: Config{DailyWeight: 0.5, AnnualWeight: 0.5, MinDailyCount: 2, Groups: []Group{
				{Key: "a", Name: "甲", Weight: 0.75}, {Key: "b", Name: "乙", Weight: 0.25},
			}},
			groups: []GroupResponses{{Key: "a", Count: 2, SumPoints: 6}, {Key: "b", Count: 1, SumPoints: 5}},
			// annual = 0.75×3 + 0.25×5 = 3.5; public = 0.5×4.5 + 0.5×3.5 = 4
			score: 4, flags: []Flag{}, dailyWeight: 0.5, annualWeight: 0.5, annualMean: 3.5,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Compute(tt.cfg, tt.daily, tt.groups)
			got, ok := r.Value()
			if math.IsNaN(tt.score) {
				if ok || r.Score != nil {
					t.Errorf("score = %v, want none", got)
				}
			} else if !ok || !near(got, tt.score) {
				t.Errorf("score = %v (ok %v), want %v", got, ok, tt.score)
			}
			if !slices.Equal(r.Flags, tt.flags) {
				t.Errorf("flags = %v, want %v", r.Flags, tt.flags)
			}
			if !near(r.Daily.EffectiveWeight, tt.dailyWeight) || !near(r.Annual.EffectiveWeight, tt.annualWeight) {
				t.Errorf("effective weights = %v/%v, want %v/%v",
					r.Daily.EffectiveWeight, r.Annual.EffectiveWeight, tt.dailyWeight, tt.annualWeight)
			}
			if r.Daily.Counted != (tt.dailyWeight > 0) || r.Annual.Counted != (tt.annualWeight > 0) {
				t.Errorf("counted = %v/%v", r.Daily.Counted, r.Annual.Counted)
			}
			if !near(r.Annual.Mean, tt.annualMean) {
				t.Errorf("annual mean = %v, want %v", r.Annual.Mean, tt.annualMean)
			}
			if len(r.Annual.Groups) != len(tt.cfg.Groups) {
				t.Fatalf("%d groups in result, want %d", len(r.Annual.Groups), len(tt.cfg.Groups))
			}
			for _, g := range r.Annual.Groups {
				if w, ok := tt.groupWeights[g.Key]; ok && !near(g.EffectiveWeight, w) {
					t.Errorf("group %s effective weight = %v, want %v", g.Key, g.EffectiveWeight, w)
				}
				if f, ok := tt.groupFlags[g.Key]; ok && !slices.Equal(g.Flags, f) {
					t.Errorf("group %s flags = %v, want %v", g.Key, g.Flags, f)
				}
			}
			if !slices.Equal(r.UnknownGroups, tt.unknown) {
				t.Errorf("unknown groups = %q, want %q", r.UnknownGroups, tt.unknown)
			}
		})
	}
}

// TestComputeExplains checks the explanation of the default case field by
// field: counts, means and configured weights.
func TestComputeExplains(t *testing.T) {
	r := Compute(DefaultConfig(), Daily{Count: 100, SumPoints: 9000}, without(GroupExperts))
	if r.Daily.Count != 100 || r.Daily.MinCount != 30 || r.Daily.Mean != 90 || r.Daily.Weight != 0.4 {
		t.Errorf("daily part = %+v", r.Daily)
	}
	if r.Annual.Count != 100 || r.Annual.Weight != 0.6 {
		t.Errorf("annual count/weight = %d/%v, want 100/0.6", r.Annual.Count, r.Annual.Weight)
	}
	g := r.Annual.Groups[0]
	if g.Key != GroupServiceUsers || g.Name != "服务对象" || g.Count != 50 || g.Mean != 80 ||
		g.Weight != 0.4 || g.MinSample != 30 || !g.Counted {
		t.Errorf("service users = %+v", g)
	}
	if e := r.Annual.Groups[5]; e.Counted || e.Count != 0 || e.Mean != 0 || e.Weight != 0.12 {
		t.Errorf("experts = %+v", e)
	}
	if !r.HasFlag(FlagGroupMissing) || r.HasFlag(FlagNoScore) {
		t.Errorf("HasFlag disagrees with flags %v", r.Flags)
	}
	sum := 0.0
	for _, g := range r.Annual.Groups {
		sum += g.EffectiveWeight
	}
	if !near(sum, 1) {
		t.Errorf("effective group weights sum to %v, want 1", sum)
	}
}

// TestComputeBetweenPartMeans is a property test: over random configurations
// and inputs on random points scales, the annual mean lies between its
// groups' means and the public score between the means of the parts it
// combines.
func TestComputeBetweenPartMeans(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 2026))
	for i := range 5000 {
		scale := []float64{5, 10, 100, 1000}[rng.IntN(4)]
		n := 1 + rng.IntN(6)
		raw := make([]float64, n)
		total := 0.0
		for j := range raw {
			raw[j] = rng.Float64()
			total += raw[j]
		}
		dw := rng.Float64()
		cfg := Config{DailyWeight: dw, AnnualWeight: 1 - dw, MinDailyCount: rng.IntN(40),
			AnnualCarriesWhenDailyShort: rng.IntN(2) == 0}
		var groups []GroupResponses
		for j := range raw {
			key := string(rune('a' + j))
			cfg.Groups = append(cfg.Groups, Group{Key: key, Name: key, Weight: raw[j] / total, MinSample: rng.IntN(10)})
			if c := rng.IntN(4) * rng.IntN(20); c > 0 {
				groups = append(groups, GroupResponses{Key: key, Count: c, SumPoints: float64(c) * scale * rng.Float64()})
			}
		}
		daily := Daily{}
		if c := rng.IntN(3) * rng.IntN(60); c > 0 {
			daily = Daily{Count: c, SumPoints: float64(c) * scale * rng.Float64()}
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("case %d: generated config is invalid: %v", i, err)
		}

		r := Compute(cfg, daily, groups)
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, g := range r.Annual.Groups {
			if g.Counted {
				lo, hi = min(lo, g.Mean), max(hi, g.Mean)
			}
		}
		eps := tolerance * scale
		if r.Annual.Counted && (r.Annual.Mean < lo-eps || r.Annual.Mean > hi+eps) {
			t.Fatalf("case %d: annual mean %v outside [%v, %v]", i, r.Annual.Mean, lo, hi)
		}
		lo, hi = math.Inf(1), math.Inf(-1)
		for _, p := range []struct {
			counted bool
			mean    float64
		}{{r.Daily.Counted, r.Daily.Mean}, {r.Annual.Counted, r.Annual.Mean}} {
			if p.counted {
				lo, hi = min(lo, p.mean), max(hi, p.mean)
			}
		}
		s, ok := r.Value()
		if ok != (r.Daily.Counted || r.Annual.Counted) {
			t.Fatalf("case %d: score present %v, parts counted %v/%v", i, ok, r.Daily.Counted, r.Annual.Counted)
		}
		if ok && (s < lo-eps || s > hi+eps) {
			t.Fatalf("case %d: score %v outside [%v, %v]", i, s, lo, hi)
		}
		if !ok && !r.HasFlag(FlagNoScore) {
			t.Fatalf("case %d: no score without no_score flag: %v", i, r.Flags)
		}
	}
}

func TestRound2(t *testing.T) {
	tests := []struct{ in, want float64 }{
		{87.24, 87.24},
		{86.04545454545455, 86.05},
		{83.40909090909091, 83.41},
		{89.995, 90},  // stored as 89.99499999…, rounded as the decimal reads
		{0.125, 0.13}, // an exact binary half goes away from zero
		{-0.125, -0.13},
		{-1.004, -1},
		{99.999, 100},
		{0, 0},
		{100, 100},
		{1e13, 1e13},
	}
	for _, tt := range tests {
		if got := Round2(tt.in); got != tt.want {
			t.Errorf("Round2(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if !math.IsNaN(Round2(math.NaN())) || !math.IsInf(Round2(math.Inf(-1)), -1) {
		t.Error("Round2 must leave NaN and infinities alone")
	}
}

func TestFlagLabel(t *testing.T) {
	for _, f := range []Flag{FlagDailyBelowMinimum, FlagDailyMissing, FlagGroupMissing,
		FlagGroupBelowMinimum, FlagAnnualMissing, FlagNoScore} {
		if l := f.Label(); l == "" || l == string(f) {
			t.Errorf("flag %s has no Chinese label", f)
		}
	}
	if got := Flag("future_flag").Label(); got != "future_flag" {
		t.Errorf("unknown flag label = %q, want its code", got)
	}
}
