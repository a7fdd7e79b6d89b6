package charts

import "strconv"

// A province's category may rank hundreds of units: one bar each would make
// a chart thousands of pixels tall. A ranking longer than RankMax is drawn
// as its first and last RankEnds (Ends), the chart's Note says so
// (EndsNote), and the page's table beside it lists every unit.
const (
	RankMax  = 40
	RankEnds = 15
)

// Ends is s when it holds at most RankMax items, else its first and last
// RankEnds (a new slice).
func Ends[T any](s []T) []T {
	n := len(s)
	if n <= RankMax {
		return s
	}
	out := make([]T, 0, 2*RankEnds)
	return append(append(out, s[:RankEnds]...), s[n-RankEnds:]...)
}

// EndsNote is the Note of a ranking of n units drawn by Ends, "" when
// every unit is drawn.
func EndsNote(n int) string {
	if n <= RankMax {
		return ""
	}
	e := strconv.Itoa(RankEnds)
	return "共" + strconv.Itoa(n) + "个单位，图中为前" + e + "名和后" + e + "名，全部名次见下表。"
}
