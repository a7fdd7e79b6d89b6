package surveysapp

import (
	"strconv"
	"time"

	"minyi/internal/charts"
	"minyi/internal/surveys"
)

// maxRateDays bounds the response-rate chart: a survey's fieldwork lasts
// weeks, at most a year.
const maxRateDays = 400

// responseRateChart draws, per group with respondents, the share of its
// respondents who had submitted by the end of each day (cumulative), from
// the first day with a submission to the last. Groups without respondents
// (answered through survey agencies only) have no rate and are left out.
//
// The days run from the survey's opening (opened, "" when unknown) to the
// last submission, or to today (until) while the survey takes answers.
func responseRateChart(progress []surveys.GroupProgress, days []surveys.DaySubmissions, opened, until string) charts.Chart {
	const id, title = "response-rate", "各群体提交率变化"
	var groups []surveys.GroupProgress
	for _, g := range progress {
		if g.Total > 0 {
			groups = append(groups, g)
		}
	}
	if len(groups) == 0 || len(days) == 0 {
		return charts.Chart{ID: id, Title: title, Empty: "还没有受访人提交答卷。"}
	}
	first, err1 := time.Parse(time.DateOnly, days[0].Day)
	last, err2 := time.Parse(time.DateOnly, days[len(days)-1].Day)
	if err1 != nil || err2 != nil {
		return charts.Chart{ID: id, Title: title, Empty: "还没有受访人提交答卷。"}
	}
	if d, err := time.Parse(time.DateOnly, opened); err == nil && d.Before(first) {
		first = d
	}
	if d, err := time.Parse(time.DateOnly, until); err == nil && d.After(last) {
		last = d
	}
	if n := int(last.Sub(first).Hours()/24) + 1; n > maxRateDays {
		first = last.AddDate(0, 0, -(maxRateDays - 1))
	}
	var labels []string
	index := map[string]int{}
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		index[d.Format(time.DateOnly)] = len(labels)
		labels = append(labels, d.Format(time.DateOnly))
	}
	// Submissions per group and day, then running sums; days before the
	// chart's first day count into it.
	perDay := map[string][]float64{}
	for _, g := range groups {
		perDay[g.Key] = make([]float64, len(labels))
	}
	for _, d := range days {
		row, ok := perDay[d.Group]
		if !ok {
			continue
		}
		i, in := index[d.Day]
		if !in {
			i = 0 // before the window
		}
		row[i] += float64(d.Count)
	}
	series := make([]charts.Series, 0, len(groups))
	for _, g := range groups {
		vals := make([]float64, len(labels))
		var run float64
		for i, n := range perDay[g.Key] {
			run += n
			vals[i] = run * 100 / float64(g.Total)
		}
		series = append(series, charts.Series{Name: g.Name + "（" + strconv.Itoa(g.Total) + "人）", Values: vals, Decimals: 1})
	}
	return charts.Cartesian{Categories: labels, CategoryName: "日期", Series: series, Zoom: len(labels) > 31,
		Left: charts.Axis{Min: charts.Float(0), Max: charts.Float(100), Suffix: "%"}}.
		Build(id, title, "各受访群体截至每天的累计提交率")
}

// aspectsHeatmap shows the mean of each aspect question per unit of the
// chosen category: red for a low mean, green for a high one.
func aspectsHeatmap(aspects []surveys.Question, means []surveys.AspectMean, category string) charts.Chart {
	const id = "aspects"
	title := "分项评价平均分"
	if category != "" {
		title += "（" + category + "）"
	}
	if len(aspects) == 0 {
		return charts.Chart{ID: id, Title: title, Empty: "本问卷没有分项评价题。"}
	}
	if len(means) == 0 {
		return charts.Chart{ID: id, Title: title, Empty: "所选类别的单位还没有分项评价答卷。"}
	}
	x := make([]string, len(aspects))
	col := map[string]int{}
	for i, a := range aspects {
		x[i], col[a.Key] = a.Text, i
	}
	var y []string
	var cells [][]float64
	var last int64 = -1
	for _, m := range means {
		if m.UnitID != last {
			last = m.UnitID
			y = append(y, m.UnitName)
			row := make([]float64, len(aspects))
			for i := range row {
				row[i] = charts.Missing
			}
			cells = append(cells, row)
		}
		if i, ok := col[m.Aspect]; ok {
			cells[len(cells)-1][i] = m.Mean
		}
	}
	c := charts.Heatmap{X: x, Y: y, Cells: cells, Name: "平均分", Decimals: 2, XName: "评价项目", YName: "单位",
		Low: "#c8161d", High: "#1f7a3a"}.Build(id, title, "各单位各分项评价的平均分（非常满意为5分，非常不满意为1分）")
	c.Height = max(220, 120+len(y)*26)
	// A mean is read on the fixed 1–5 scale (4 is good, whatever the
	// others), red through yellow to green; the scale's handles sit below
	// the axis labels.
	vm := c.Option["visualMap"].(map[string]any)
	vm["min"], vm["max"] = 1, 5
	vm["inRange"] = map[string]any{"color": []string{"#c8161d", "#f5c342", "#1f7a3a"}}
	c.Option["grid"].(map[string]any)["bottom"] = 76
	return c
}
