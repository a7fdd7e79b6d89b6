package reports

import (
	"math"
	"slices"

	"minyi/internal/ratings"
)

// Figures are the headline figures of a period, for every unit or one.
type Figures struct {
	Counts ratings.LevelCounts
	// Mean is the mean points of the counted ratings (NaN without any).
	Mean  float64
	Cases CaseFigures
}

// FiguresOf computes the rating figures of counts in the points of
// levelPoints (levels 5..1) with the cases' figures.
func FiguresOf(c ratings.LevelCounts, levelPoints []float64, cases CaseFigures) Figures {
	f := Figures{Counts: c, Mean: math.NaN(), Cases: cases}
	if n := c.Total(); n > 0 {
		f.Mean = c.SumPoints(levelPoints) / float64(n)
	}
	return f
}

// Ratings is how many ratings counted.
func (f Figures) Ratings() int64 { return f.Counts.Total() }

// Bad is the number of 差评: 不满意 and 非常不满意 (levels 1–2), the
// ratings that must carry a reason.
func (f Figures) Bad() int64 { return f.Counts[0] + f.Counts[1] }

// Satisfied is the 满意率 in percent as the national 政务服务“好差评”
// practice counts it: the ratings that are not 差评 (基本满意 and better)
// over all ratings; NaN without ratings.
func (f Figures) Satisfied() float64 {
	return Percent(f.Ratings()-f.Bad(), f.Ratings())
}

// Percent is part of whole in percent, NaN when whole is zero.
func Percent[T int | int64](part, whole T) float64 {
	if whole == 0 {
		return math.NaN()
	}
	return 100 * float64(part) / float64(whole)
}

// SumCounts adds level counts.
func SumCounts[K comparable](m map[K]ratings.LevelCounts) ratings.LevelCounts {
	var out ratings.LevelCounts
	for _, c := range m {
		for i := range out {
			out[i] += c[i]
		}
	}
	return out
}

// MinRanked is how many ratings a unit needs in a period to be ranked in
// its category: a mean of a handful of ratings says little.
const MinRanked = 30

// Ranked is a unit's place in its category.
type Ranked struct {
	UnitID  int64
	Name    string
	Figures Figures
}

// RankCategory orders the units with at least MinRanked ratings by mean
// points (highest first), then 满意率, then number of ratings, then name.
// Units with fewer ratings are left out.
func RankCategory(list []Ranked) []Ranked {
	out := slices.DeleteFunc(slices.Clone(list), func(r Ranked) bool { return r.Figures.Ratings() < MinRanked })
	slices.SortStableFunc(out, func(a, b Ranked) int {
		switch {
		case a.Figures.Mean != b.Figures.Mean:
			return cmpDesc(a.Figures.Mean, b.Figures.Mean)
		case a.Figures.Satisfied() != b.Figures.Satisfied():
			return cmpDesc(a.Figures.Satisfied(), b.Figures.Satisfied())
		case a.Figures.Ratings() != b.Figures.Ratings():
			return cmpDesc(float64(a.Figures.Ratings()), float64(b.Figures.Ratings()))
		}
		if a.Name < b.Name {
			return -1
		}
		return 1
	})
	return out
}

func cmpDesc(a, b float64) int {
	if a > b {
		return -1
	}
	return 1
}

// BestAndWorst returns the first n and the last n of a ranking (every unit
// once when it holds 2n or fewer: then worst is empty).
func BestAndWorst(ranked []Ranked, n int) (best, worst []Ranked) {
	if len(ranked) <= 2*n {
		return ranked, nil
	}
	return ranked[:n], ranked[len(ranked)-n:]
}
