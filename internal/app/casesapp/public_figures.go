package casesapp

import (
	"slices"
	"sort"

	"minyi/internal/charts"
	"minyi/internal/feedback"
	"minyi/internal/figures"
)

// publicFigures is the 好差评 figures section of the public case pages:
// the year's figures as last computed by the maintenance (figures.Load),
// or none yet.
type publicFigures struct {
	Ready bool
	Year  figures.Year
}

// releasedCasesChart draws the released cases per unit, most first.
func releasedCasesChart(units []feedback.PublicUnit) charts.Chart {
	const id, title = "released", "各单位公开整改案件数"
	if len(units) == 0 {
		return charts.Chart{ID: id, Title: title, Empty: "尚无公开的整改案件。"}
	}
	// Most cases first; the list itself stays by name.
	sorted := slices.Clone(units)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Cases > sorted[j].Cases })
	names := make([]string, len(sorted))
	counts := make([]float64, len(sorted))
	for i, u := range sorted {
		names[i], counts[i] = u.Name, float64(u.Cases)
	}
	c := charts.Cartesian{Categories: names, CategoryName: "单位", Horizontal: true,
		Series: []charts.Series{{Name: "公开案件", Bar: true, Values: counts, Colour: charts.Palette[1]}},
		Left:   charts.Axis{Name: "件", Min: charts.Float(0)}}.Build(id, title, "各单位已公开的整改案件数").WholeNumbers()
	c.Height = max(160, 50+len(names)*26)
	return c
}

// unitRatesChart sets a unit's three rates beside those of all units.
func unitRatesChart(unit, all figures.Counts) charts.Chart {
	const id, title = "rates", "本单位与全部单位对比"
	pick := func(c figures.Counts) []float64 {
		out := make([]float64, 0, 3)
		for _, r := range []figures.Rate{c.Satisfaction(), c.Rectified(), c.OnTimeAnswers()} {
			if r.OK {
				out = append(out, float64(int64(r.Percent*100))/100)
			} else {
				out = append(out, charts.Missing)
			}
		}
		return out
	}
	return charts.Cartesian{Categories: []string{"满意率", "差评整改率", "按期答复率"}, CategoryName: "指标",
		Series: []charts.Series{
			{Name: "本单位", Bar: true, Values: pick(unit), Decimals: 2, Colour: charts.Palette[1]},
			{Name: "全部单位", Bar: true, Values: pick(all), Decimals: 2, Colour: "#9db7e0"},
		},
		Left: charts.Axis{Min: charts.Float(0), Max: charts.Float(100), Suffix: "%"}}.
		Build(id, title, "本单位的满意率、差评整改率、按期答复率与全部单位对比")
}
