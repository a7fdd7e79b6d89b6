package charts

// Heatmap is a grid of values over two category axes, e.g. ratings per
// hour (X) and weekday (Y), or the mean of each aspect (X) per unit (Y).
type Heatmap struct {
	X, Y []string
	// Cells[y][x] is the value at Y[y], X[x]; Missing leaves a cell blank.
	Cells [][]float64
	// Name names the value in the tooltip and the table, e.g. "评价数".
	Name     string
	Decimals int
	// XName and YName head the table's first column and the axes.
	XName, YName string
	// Low and High colour the scale's ends; a light blue to the console's
	// blue when empty. For a score, red (low) to green (high) reads better.
	Low, High string
}

// Build turns h into a chart; its table has one row per Y and one column
// per X.
func (h Heatmap) Build(id, title, summary string) Chart {
	opt := base()
	lo, hi := 0.0, 0.0
	first := true
	data := make([]any, 0, len(h.X)*len(h.Y))
	for y, row := range h.Cells {
		for x, v := range row {
			if v != v { // Missing
				continue
			}
			if first || v < lo {
				lo = v
			}
			if first || v > hi {
				hi = v
			}
			first = false
			data = append(data, []any{x, y, v})
		}
	}
	if hi == lo {
		hi = lo + 1
	}
	low, high := h.Low, h.High
	if low == "" {
		low, high = "#eef4fc", "#1d5fbf"
	}
	opt["tooltip"] = map[string]any{"position": "top", "confine": true}
	// Room under the axis labels for the scale; the first Y on top, as in
	// the table.
	opt["grid"] = map[string]any{"left": 8, "right": 8, "top": 8, "bottom": 64, "containLabel": true}
	opt["xAxis"] = map[string]any{"type": "category", "data": h.X, "name": h.XName, "splitArea": map[string]any{"show": true},
		"axisLabel": map[string]any{"hideOverlap": true}}
	opt["yAxis"] = map[string]any{"type": "category", "data": h.Y, "name": h.YName, "inverse": true, "splitArea": map[string]any{"show": true}}
	opt["visualMap"] = map[string]any{"min": lo, "max": hi, "calculable": true, "orient": "horizontal",
		"left": "center", "bottom": 0, "itemHeight": 120, "precision": h.Decimals, "inRange": map[string]any{"color": []string{low, high}}}
	opt["series"] = []any{map[string]any{"name": h.Name, "type": "heatmap", "data": data,
		"emphasis": map[string]any{"itemStyle": map[string]any{"borderColor": "#1f2329", "borderWidth": 1}}}}
	head := append([]string{h.YName + " \\ " + h.XName}, h.X...)
	if h.XName == "" && h.YName == "" {
		head[0] = ""
	}
	rows := make([][]string, len(h.Y))
	for y, name := range h.Y {
		row := []string{name}
		for x := range h.X {
			v := Missing
			if y < len(h.Cells) && x < len(h.Cells[y]) {
				v = h.Cells[y][x]
			}
			row = append(row, Number(v, h.Decimals))
		}
		rows[y] = row
	}
	return Chart{ID: id, Title: title, Summary: summary, Option: opt, Table: Table{Head: head, Rows: rows}}
}
