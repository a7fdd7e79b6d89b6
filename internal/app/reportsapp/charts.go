package reportsapp

import (
	"math"
	"strconv"
	"time"

	"minyi/internal/charts"
	"minyi/internal/reports"
)

// levelNames are the five levels, level 1 first.
var levelNames = [5]string{"非常不满意", "不满意", "基本满意", "满意", "非常满意"}

// dailyChart draws the ratings of each day of the period (bars) and their
// mean points (a line on the right axis).
func dailyChart(r reports.Report) charts.Chart {
	var cats []string
	var n, m []float64
	total := int64(0)
	for day := r.Span.From; !day.After(r.Span.To); day = day.AddDate(0, 0, 1) {
		c := r.Days[day.Format(time.DateOnly)]
		f := reports.FiguresOf(c, pointsOf(r), reports.CaseFigures{})
		cats = append(cats, day.Format("1月2日"))
		n, m = append(n, float64(c.Total())), append(m, f.Mean)
		total += c.Total()
	}
	ch := charts.Cartesian{
		Categories: cats, CategoryName: "日期",
		Series: []charts.Series{
			{Name: "评价数", Bar: true, Values: n},
			{Name: "平均分", Right: true, Values: m, Decimals: 2, Colour: charts.Palette[1]},
		},
		Left:  charts.Axis{Name: "条"},
		Right: &charts.Axis{Name: "分", Min: charts.Float(0), Max: charts.Float(maxPoints(r))},
	}.Build("daily", "每日评价数和平均分", r.Period.Label()+"每日评价数量和平均分")
	if total == 0 {
		ch.Empty = "本期没有评价。"
	}
	return ch
}

// sharesChart draws the share of each level per month over the twelve
// months up to the period's last, stacked to 100 %.
func sharesChart(r reports.Report) charts.Chart {
	var cats []string
	series := make([]charts.Series, 5)
	for lv := 4; lv >= 0; lv-- {
		series[4-lv] = charts.Series{Name: levelNames[lv], Bar: true, Stack: "levels", Colour: charts.LevelColours[lv], Decimals: 1}
	}
	any := false
	for _, month := range r.MonthList {
		c := r.Months[month.Format(time.DateOnly)]
		cats = append(cats, month.Format("2006年1月"))
		for lv := 4; lv >= 0; lv-- {
			v := reports.Percent(c[lv], c.Total())
			series[4-lv].Values = append(series[4-lv].Values, v)
		}
		any = any || c.Total() > 0
	}
	ch := charts.Cartesian{Categories: cats, CategoryName: "月份", Series: series,
		Left: charts.Axis{Min: charts.Float(0), Max: charts.Float(100), Suffix: "%"}}.
		Build("shares", "近12个月各等级评价占比", "截至"+r.MonthList[len(r.MonthList)-1].Format("2006年1月")+"的12个月中每月五个满意度等级的评价占比")
	ch.Height = 300
	if !any {
		ch.Empty = "近12个月没有评价。"
	}
	return ch
}

// reasonRow is a 差评 reason with its count and share of the reasons given.
type reasonRow struct{ Reason, Count, Share string }

// reasonsChart draws the most frequent problems of the period's cases as
// bars, most frequent on top, with the rows of the table beside it.
func reasonsChart(r reports.Report) (charts.Chart, []reasonRow) {
	var cats []string
	var vals []float64
	var rows []reasonRow
	for _, rc := range r.Problems.Reasons {
		cats, vals = append(cats, rc.Reason), append(vals, float64(rc.Count))
		rows = append(rows, reasonRow{Reason: rc.Reason, Count: count(rc.Count), Share: percent(reports.Percent(rc.Count, r.Problems.Cases))})
	}
	ch := charts.Cartesian{Categories: cats, CategoryName: "问题", Horizontal: true,
		Series: []charts.Series{{Name: "案件数", Bar: true, Values: vals, Colour: charts.Palette[1]}},
		Left:   charts.Axis{Name: "件"}}.Build("reasons", "整改案件反映的主要问题", r.Period.Label()+"新立整改案件中群众反映最多的问题")
	ch.Height = 60 + 28*len(cats)
	if len(cats) == 0 {
		ch.Empty = "本期新立的整改案件没有可归类的差评原因。"
	}
	return ch, rows
}

// rankingChart draws a category's best and worst five units by mean
// points (every ranked unit when there are ten or fewer).
func rankingChart(i int, cat reports.Category) charts.Chart {
	best, worst := reports.BestAndWorst(cat.Ranking(), 5)
	var cats []string
	var top, bottom []float64
	for _, u := range best {
		cats, top, bottom = append(cats, u.Name), append(top, u.Figures.Mean), append(bottom, charts.Missing)
	}
	for _, u := range worst {
		cats, top, bottom = append(cats, u.Name), append(top, charts.Missing), append(bottom, u.Figures.Mean)
	}
	series := []charts.Series{{Name: "平均分", Bar: true, Stack: "rank", Values: top, Decimals: 2, Colour: charts.Palette[0]}}
	title := cat.Name + "：单位平均分排名"
	if len(worst) > 0 {
		series[0].Name = "最好的五个单位"
		series = append(series, charts.Series{Name: "最差的五个单位", Bar: true, Stack: "rank", Values: bottom, Decimals: 2, Colour: charts.Palette[1]})
		title = cat.Name + "：平均分最好和最差的五个单位"
	}
	ch := charts.Cartesian{Categories: cats, CategoryName: "单位", Horizontal: true, Series: series,
		Left: charts.Axis{Name: "分"}}.Build("rank-"+strconv.Itoa(i+1), title, cat.Name+"各单位平均分排名")
	ch.Height = 70 + 30*len(cats)
	if len(cats) == 0 {
		ch.Empty = "本类没有评价数达到 " + strconv.Itoa(reports.MinRanked) + " 条的单位，不排名。"
	}
	return ch
}

// pointsOf is the level points the report's means were computed in.
func pointsOf(r reports.Report) []float64 { return r.LevelPoints }

// maxPoints is the highest points a rating can give.
func maxPoints(r reports.Report) float64 {
	m := 0.0
	for _, p := range r.LevelPoints {
		m = math.Max(m, p)
	}
	return m
}
