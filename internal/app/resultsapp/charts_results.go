package resultsapp

import (
	"strconv"

	"minyi/internal/assessment"
	"minyi/internal/charts"
	"minyi/internal/results"
)

// The results page's charts are built from the categories the page shows
// (the draft or the publication) and, for the comparison, from the
// previous cycle's final composites (results.FindPrevious).

// gradeOrder is the grades as the charts stack them, best first, then the
// units not graded (incomplete).
var gradeOrder = []string{assessment.GradeExcellent, assessment.GradeGood, assessment.GradePass, assessment.GradeFail, ""}

// gradeColours: green for 优秀, blue for 良好, grey for 合格, red for
// 不合格, a light grey for 未评定.
var gradeColours = map[string]string{assessment.GradeExcellent: charts.LevelColours[4], assessment.GradeGood: charts.Palette[0],
	assessment.GradePass: charts.Palette[6], assessment.GradeFail: charts.Palette[1], "": "#c9cdd4"}

func gradeName(g string) string {
	if g == "" {
		return "未评定"
	}
	return assessment.GradeLabel(g)
}

// gradesChart counts the units of each grade per category, stacked.
func gradesChart(cats []results.Category) charts.Chart {
	const id, title = "grades", "各类别等次分布"
	if len(cats) == 0 {
		return charts.Chart{ID: id, Title: title, Empty: "还没有单位的考核结果。"}
	}
	names := make([]string, len(cats))
	counts := map[string][]float64{}
	for _, g := range gradeOrder {
		counts[g] = make([]float64, len(cats))
	}
	for i, c := range cats {
		names[i] = c.Name
		for _, l := range c.Lines {
			counts[l.Grade][i]++
		}
	}
	var series []charts.Series
	for _, g := range gradeOrder {
		if g == "" && sum(counts[g]) == 0 {
			continue
		}
		series = append(series, charts.Series{Name: gradeName(g), Bar: true, Stack: "grades", Values: counts[g], Colour: gradeColours[g]})
	}
	c := charts.Cartesian{Categories: names, CategoryName: "类别", Horizontal: true, Series: series,
		Left: charts.Axis{Name: "个单位"}}.Build(id, title, "各类别优秀、良好、合格、不合格的单位数").WholeNumbers()
	c.Height = max(180, 90+len(cats)*36)
	return c
}

// distributionChart shows a category's composite scores in rank order,
// each bar coloured by its grade, with dashed lines at the lowest composite
// that got 优秀 and 良好 and at the pass line (合格线, PassMin).
func distributionChart(index int, cat results.Category, passMin float64, decimals int) charts.Chart {
	id := "dist-" + strconv.Itoa(index)
	const title = "综合得分分布与等次线"
	var names []string
	byGrade := map[string][]float64{}
	lowest := map[string]float64{}
	for _, l := range cat.Lines {
		if l.Composite == nil {
			continue
		}
		v := *l.Composite
		names = append(names, l.RankText()+". "+l.Unit.Name)
		for _, g := range gradeOrder {
			if g == l.Grade {
				byGrade[g] = append(byGrade[g], v)
			} else {
				byGrade[g] = append(byGrade[g], charts.Missing)
			}
		}
		if low, ok := lowest[l.Grade]; !ok || v < low {
			lowest[l.Grade] = v
		}
	}
	if len(names) == 0 {
		return charts.Chart{ID: id, Title: title, Empty: "本类别还没有综合得分。"}
	}
	var series []charts.Series
	for _, g := range gradeOrder {
		if _, ok := lowest[g]; ok {
			series = append(series, charts.Series{Name: gradeName(g), Bar: true, Stack: "composite", Values: byGrade[g],
				Decimals: decimals, Colour: gradeColours[g]})
		}
	}
	var marks []float64
	var labels []string
	for _, g := range []string{assessment.GradeExcellent, assessment.GradeGood} {
		if v, ok := lowest[g]; ok {
			marks, labels = append(marks, v), append(labels, gradeName(g)+"最低 "+charts.Number(v, decimals))
		}
	}
	marks, labels = append(marks, passMin), append(labels, "合格线 "+charts.Number(passMin, decimals))
	c := charts.Cartesian{Categories: names, CategoryName: "名次. 单位", Series: series, MarkValues: marks, MarkLabels: labels,
		Left: charts.Axis{Min: charts.Float(0)}}.
		Build(id, title, cat.Name+"各单位综合得分从高到低，按等次着色，虚线为优秀、良好的最低分和合格线")
	c.Height = 300
	return c
}

// compareChart sets each unit's composite beside its composite in the
// previous cycle (its only predecessor's, for a renamed unit).
func compareChart(index int, cat results.Category, prev results.Previous, decimals int) charts.Chart {
	id := "compare-" + strconv.Itoa(index)
	title := "本年度与上年度（" + prev.Name + "）对比"
	var names []string
	var now, before []float64
	for _, l := range cat.Lines {
		if l.Composite == nil {
			continue
		}
		name := l.Unit.Name
		if via := prev.Via[l.Unit.ID]; via != "" {
			name += "（上年为" + via + "）"
		}
		names = append(names, name)
		now = append(now, *l.Composite)
		if v, ok := prev.Composites[l.Unit.ID]; ok {
			before = append(before, v)
		} else {
			before = append(before, charts.Missing)
		}
	}
	if len(names) == 0 {
		return charts.Chart{ID: id, Title: title, Empty: "本类别还没有综合得分。"}
	}
	note := charts.EndsNote(len(names))
	names, now, before = charts.Ends(names), charts.Ends(now), charts.Ends(before)
	c := charts.Cartesian{Categories: names, CategoryName: "单位", Horizontal: true,
		Series: []charts.Series{
			{Name: "本年度", Bar: true, Values: now, Decimals: decimals, Colour: charts.Palette[0]},
			{Name: prev.Name, Bar: true, Values: before, Decimals: decimals, Colour: "#9db7e0"},
		},
		Left: charts.Axis{Name: "分", Min: charts.Float(0)}}.
		Build(id, title, cat.Name+"各单位本年度综合得分与上一年度（"+prev.Name+"）对比")
	c.Height, c.Note = max(200, 70+len(names)*30), note
	return c
}

// categoryCharts are the charts shown with one category's table.
type categoryCharts struct {
	Distribution charts.Chart
	Compare      *charts.Chart
}

// resultCharts builds the page's charts: the grades of every category,
// and per category the distribution and, when there is a previous cycle,
// the comparison.
func resultCharts(cats []results.Category, passMin float64, decimals int, prev *results.Previous) (charts.Chart, []categoryCharts) {
	per := make([]categoryCharts, len(cats))
	for i, c := range cats {
		per[i].Distribution = distributionChart(i, c, passMin, decimals)
		if prev != nil {
			cc := compareChart(i, c, *prev, decimals)
			per[i].Compare = &cc
		}
	}
	return gradesChart(cats), per
}

func sum(vs []float64) float64 {
	var s float64
	for _, v := range vs {
		s += v
	}
	return s
}

// publicScoreChart is the public page's simple bars: a category's
// composite scores in rank order (only when the office chose to publish
// the composite).
func publicScoreChart(index int, cat results.Category) charts.Chart {
	id := "public-" + strconv.Itoa(index)
	const title = "综合得分"
	var names []string
	var vals []float64
	for _, l := range cat.Lines {
		if l.Composite == nil {
			continue
		}
		names, vals = append(names, l.RankText()+". "+l.Unit.Name), append(vals, *l.Composite)
	}
	if len(names) == 0 {
		return charts.Chart{ID: id, Title: title, Empty: "本类别没有综合得分。"}
	}
	note := charts.EndsNote(len(names))
	names, vals = charts.Ends(names), charts.Ends(vals)
	c := charts.Cartesian{Categories: names, CategoryName: "名次. 单位", Horizontal: true,
		Series: []charts.Series{{Name: "综合得分", Bar: true, Values: vals, Decimals: 2, Colour: charts.Palette[1]}},
		Left:   charts.Axis{Name: "分", Min: charts.Float(0)}}.Build(id, title, cat.Name+"各单位综合得分，按名次排列")
	c.Height, c.Note = max(160, 50+len(names)*26), note
	return c
}
