package scoresapp

import (
	"strconv"

	"minyi/internal/charts"
	"minyi/internal/score"
	"minyi/internal/scores"
)

// The scores page's charts are built from the same report as its tables:
// no query of their own.

// rankingChart draws a category's ranking: one horizontal bar per ranked
// unit, best on top, split into the daily part (日常评价 mean × its
// effective weight) and the annual part (年度评价 mean × its effective
// weight), which add up to the score. A unit whose detail the viewer may
// not see (another unit of a unit-role viewer's category) shows its score
// alone. Units without a score are left out; the table under the chart
// says so.
func rankingChart(index int, cat scores.Category) charts.Chart {
	id := "rank-" + strconv.Itoa(index)
	const title = "得分排名（日常评价部分 + 年度评价部分）"
	var names []string
	var daily, annual, whole []float64
	anyHidden := false
	for _, u := range cat.Units {
		if u.Score == nil || u.Rank == nil {
			continue
		}
		names = append(names, strconv.Itoa(*u.Rank)+". "+u.Unit.Name)
		if u.DetailHidden || u.Result == nil {
			daily, annual, whole = append(daily, charts.Missing), append(annual, charts.Missing), append(whole, score.Round2(*u.Score))
			anyHidden = true
			continue
		}
		d, a := parts(*u.Result)
		daily, annual, whole = append(daily, d), append(annual, a), append(whole, charts.Missing)
	}
	if len(names) == 0 {
		return charts.Chart{ID: id, Title: title, Empty: "本类别还没有可以排名的单位。"}
	}
	sub, note := cat.Name+"各单位公众评价得分排名，每条分为日常评价部分和年度评价部分", charts.EndsNote(len(names))
	if note != "" {
		names, daily, annual, whole = charts.Ends(names), charts.Ends(daily), charts.Ends(annual), charts.Ends(whole)
		sub = cat.Name + "前" + strconv.Itoa(charts.RankEnds) + "名和后" + strconv.Itoa(charts.RankEnds) +
			"名的公众评价得分，每条分为日常评价部分和年度评价部分"
	}
	series := []charts.Series{
		{Name: "日常评价部分", Bar: true, Stack: "score", Values: daily, Decimals: 2, Colour: charts.Palette[0]},
		{Name: "年度评价部分", Bar: true, Stack: "score", Values: annual, Decimals: 2, Colour: charts.Palette[2]},
	}
	if anyHidden {
		series = append(series, charts.Series{Name: "公众评价得分（明细不公开）", Bar: true, Stack: "score", Values: whole, Decimals: 2, Colour: charts.Palette[6]})
	}
	c := charts.Cartesian{Categories: names, CategoryName: "名次. 单位", Horizontal: true, Series: series,
		Left: charts.Axis{Name: "分", Min: charts.Float(0)}}.
		Build(id, title, sub)
	c.Height, c.Note = rankingHeight(len(names)), note
	return c
}

// parts returns the points the daily and the annual part add to a score:
// each counted part's mean times its effective weight.
func parts(r score.Result) (daily, annual float64) {
	if r.Daily.Counted {
		daily = score.Round2(r.Daily.Mean * r.Daily.EffectiveWeight)
	}
	if r.Annual.Counted {
		annual = score.Round2(r.Annual.Mean * r.Annual.EffectiveWeight)
	}
	return daily, annual
}

// rankingHeight gives each unit of a horizontal ranking a readable row.
func rankingHeight(n int) int { return max(160, 70+n*24) }
