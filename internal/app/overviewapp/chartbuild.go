package overviewapp

import (
	"strconv"
	"time"

	"minyi/internal/charts"
	"minyi/internal/ratings"
)

// The pieces the office's and a unit's chart pages share: ranges, means,
// shares and rankings of level counts.

// chartRange is a choice of period on a chart page.
type chartRange struct {
	Days  int
	Label string
	Link  string
	On    bool
}

// rangeDays are the periods a chart page offers, in days up to today.
var rangeDays = []int{30, 90, 365}

// pickRange returns the days chosen by the query value v (30 when it is
// not one of rangeDays) and the choices linking to base?days=N.
func pickRange(v, base string) (int, []chartRange) {
	days := 30
	if n, err := strconv.Atoi(v); err == nil {
		for _, d := range rangeDays {
			if n == d {
				days = n
			}
		}
	}
	out := make([]chartRange, len(rangeDays))
	for i, d := range rangeDays {
		out[i] = chartRange{Days: d, Label: "近" + strconv.Itoa(d) + "天", Link: base + "?days=" + strconv.Itoa(d), On: d == days}
	}
	return days, out
}

// localDay is the date of t in loc as a UTC midnight, for day arithmetic.
func localDay(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

// meanOf is the mean points of c in the points of levelPoints (levels
// 5..1), Missing without ratings.
func meanOf(c ratings.LevelCounts, levelPoints []float64) float64 {
	if c.Total() == 0 {
		return charts.Missing
	}
	return c.SumPoints(levelPoints) / float64(c.Total())
}

// badRate is the share of 差评 (levels 1 and 2) in c, in per cent, Missing
// without ratings.
func badRate(c ratings.LevelCounts) float64 {
	if c.Total() == 0 {
		return charts.Missing
	}
	return 100 * float64(c[0]+c[1]) / float64(c.Total())
}

// bucket is a run of days drawn as one category: a day, a week or a month.
type bucket struct {
	Label  string
	Counts ratings.LevelCounts
}

// bucketDays sums the counts of the days first..last (YYYY-MM-DD keys of
// days) per day (up to 31 days), per week from Monday (up to 120 days) or
// per month.
func bucketDays(days map[string]ratings.LevelCounts, first, last time.Time) (string, []bucket) {
	span := int(last.Sub(first).Hours()/24) + 1
	unit := "日期"
	var out []bucket
	key := ""
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		var k, label string
		switch {
		case span <= 31:
			k, label = d.Format(time.DateOnly), d.Format("01-02")
		case span <= 120:
			monday := d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
			if monday.Before(first) {
				monday = first
			}
			k, label, unit = monday.Format(time.DateOnly), monday.Format("01-02")+"起", "周"
		default:
			k, label, unit = d.Format("2006-01"), d.Format("2006年1月"), "月份"
		}
		if k != key {
			out = append(out, bucket{Label: label})
			key = k
		}
		c := days[d.Format(time.DateOnly)]
		for i := range c {
			out[len(out)-1].Counts[i] += c[i]
		}
	}
	return unit, out
}

// levelShareChart draws the share of each level per bucket as stacked
// bars of per cents, 非常满意 at the bottom.
func levelShareChart(id, title, unit string, buckets []bucket) charts.Chart {
	c := charts.Cartesian{CategoryName: unit, Left: charts.Axis{Name: "%", Min: charts.Float(0), Max: charts.Float(100), Suffix: "%"}}
	var some bool
	for _, b := range buckets {
		c.Categories = append(c.Categories, b.Label)
		some = some || b.Counts.Total() > 0
	}
	for level := 5; level >= 1; level-- {
		s := charts.Series{Name: ratings.LevelLabel(level), Bar: true, Stack: "share", Colour: charts.LevelColours[level-1], Decimals: 1}
		for _, b := range buckets {
			v := charts.Missing
			if t := b.Counts.Total(); t > 0 {
				v = 100 * float64(b.Counts[level-1]) / float64(t)
			}
			s.Values = append(s.Values, v)
		}
		c.Series = append(c.Series, s)
	}
	ch := c.Build(id, title, title+"，按评价等级分列的占比")
	if !some {
		ch.Empty = "所选期间没有评价"
	}
	return ch
}

// ranked is one unit, service point or terminal with its counts.
type ranked struct {
	Name   string
	Link   string
	Counts ratings.LevelCounts
}

// rankingChart draws the first and the last n of list (already in order,
// best first) by value as horizontal bars with their places, the table
// linking to each; all of them when there are at most 2n. what names
// the things ranked (单位, 服务点).
func rankingChart(id, title, summary, what, series string, decimals int, axis charts.Axis, list []ranked, n int, value func(ratings.LevelCounts) float64) charts.Chart {
	idx := make([]int, 0, 2*n)
	for i := range list {
		if i < n || i >= len(list)-n {
			idx = append(idx, i)
		}
	}
	c := charts.Cartesian{CategoryName: "名次 · " + what, Horizontal: true, Left: axis}
	s := charts.Series{Name: series, Bar: true, Decimals: decimals}
	count := charts.Series{Name: "评价数", Decimals: 0}
	links := make([]string, 0, len(idx))
	for _, i := range idx {
		c.Categories = append(c.Categories, strconv.Itoa(i+1)+". "+list[i].Name)
		s.Values = append(s.Values, value(list[i].Counts))
		count.Values = append(count.Values, float64(list[i].Counts.Total()))
		links = append(links, list[i].Link)
	}
	c.Series = []charts.Series{s}
	ch := c.Build(id, title, summary)
	// The table also gives each one's number of ratings.
	ch.Table.Head = append(ch.Table.Head, count.Name)
	for i := range ch.Table.Rows {
		ch.Table.Rows[i] = append(ch.Table.Rows[i], charts.Number(count.Values[i], 0))
	}
	ch.Height = max(200, 26*len(idx)+40)
	if len(idx) == 0 {
		ch.Empty = "所选期间没有足够的评价"
	}
	return ch.WithLinks(links)
}
