package charts

// Series is one line or set of bars of a Cartesian chart.
type Series struct {
	Name   string
	Values []float64 // one per category; Missing for none
	// Bar draws bars instead of a line.
	Bar bool
	// Right puts the series on the second value axis (e.g. a mean beside
	// counts).
	Right bool
	// Stack groups series drawn on top of each other (the same non-empty
	// name); Area fills under a line.
	Stack string
	Area  bool
	// Colour overrides the palette (e.g. LevelColours).
	Colour string
	// Decimals is how many decimals the table shows (0 for counts).
	Decimals int
}

// Axis describes a value axis.
type Axis struct {
	Name string // e.g. "条", "分", "%"
	Min  *float64
	Max  *float64
	// Suffix is put after each axis label, e.g. "%".
	Suffix string
	// Integer keeps the axis to whole numbers (counts).
	Integer bool
}

// Cartesian is a chart of series over categories (days, units, reasons).
type Cartesian struct {
	Categories []string
	Series     []Series
	Left       Axis
	Right      *Axis // a second value axis for series with Right
	// Horizontal lays the categories on the vertical axis, for rankings
	// with long unit names; the first category is drawn on top.
	Horizontal bool
	// MarkValues draws dashed lines across the value axis at these values
	// with their labels (e.g. grade cut-offs), MarkLabels[i] for MarkValues[i].
	MarkValues []float64
	MarkLabels []string
	// CategoryName heads the categories' column of the table, e.g. "日期".
	CategoryName string
	// Zoom adds a slider to long category axes (a year of days).
	Zoom bool
}

// Float is a helper for Axis.Min and Axis.Max.
func Float(v float64) *float64 { return &v }

// Build turns c into a chart with its table.
func (c Cartesian) Build(id, title, summary string) Chart {
	opt := base()
	catAxis := map[string]any{"type": "category", "data": c.Categories,
		"axisLabel": map[string]any{"hideOverlap": true}, "axisTick": map[string]any{"alignWithLabel": true}}
	valAxes := []any{valueAxis(c.Left)}
	if c.Right != nil {
		a := valueAxis(*c.Right)
		a["splitLine"] = map[string]any{"show": false}
		valAxes = append(valAxes, a)
	}
	names := make([]string, 0, len(c.Series))
	series := make([]any, 0, len(c.Series))
	for i, s := range c.Series {
		names = append(names, s.Name)
		m := map[string]any{"name": s.Name, "type": "line", "data": values(s.Values), "connectNulls": false}
		if s.Bar {
			m["type"] = "bar"
			m["barMaxWidth"] = 28
		} else {
			m["showSymbol"] = len(c.Categories) <= 31
		}
		if s.Right && c.Right != nil {
			if c.Horizontal {
				m["xAxisIndex"] = 1
			} else {
				m["yAxisIndex"] = 1
			}
		}
		if s.Stack != "" {
			m["stack"] = s.Stack
		}
		if s.Area {
			m["areaStyle"] = map[string]any{"opacity": 0.35}
		}
		if s.Colour != "" {
			m["itemStyle"] = map[string]any{"color": s.Colour}
			m["lineStyle"] = map[string]any{"color": s.Colour}
		}
		if i == 0 && len(c.MarkValues) > 0 {
			m["markLine"] = markLines(c.MarkValues, c.MarkLabels, c.Horizontal)
		}
		series = append(series, m)
	}
	opt["series"] = series
	opt["tooltip"] = map[string]any{"trigger": "axis", "confine": true}
	grid := map[string]any{"left": 8, "right": 16, "top": 36, "bottom": 8, "containLabel": true}
	if len(c.Series) > 1 {
		opt["legend"] = map[string]any{"type": "scroll", "top": 0, "data": names}
	} else {
		grid["top"] = 16
	}
	if c.Zoom {
		opt["dataZoom"] = []any{map[string]any{"type": "slider", "height": 18, "bottom": 4}, map[string]any{"type": "inside"}}
		grid["bottom"] = 36
	}
	opt["grid"] = grid
	if c.Horizontal {
		catAxis["inverse"] = true
		opt["yAxis"], opt["xAxis"] = catAxis, valAxes
	} else {
		opt["xAxis"], opt["yAxis"] = catAxis, valAxes
	}
	return Chart{ID: id, Title: title, Summary: summary, Option: opt, Table: c.table()}
}

// table lays the figures out one category a row, one series a column.
func (c Cartesian) table() Table {
	head := append([]string{c.CategoryName}, make([]string, 0, len(c.Series))...)
	if head[0] == "" {
		head[0] = "项目"
	}
	for _, s := range c.Series {
		head = append(head, s.Name)
	}
	rows := make([][]string, len(c.Categories))
	for i, cat := range c.Categories {
		row := []string{cat}
		for _, s := range c.Series {
			v := Missing
			if i < len(s.Values) {
				v = s.Values[i]
			}
			row = append(row, Number(v, s.Decimals))
		}
		rows[i] = row
	}
	return Table{Head: head, Rows: rows}
}

func valueAxis(a Axis) map[string]any {
	m := map[string]any{"type": "value", "name": a.Name, "nameTextStyle": map[string]any{"align": "left"}}
	if a.Min != nil {
		m["min"] = *a.Min
	}
	if a.Max != nil {
		m["max"] = *a.Max
	}
	if a.Integer {
		m["minInterval"] = 1
	}
	if a.Suffix != "" {
		m["axisLabel"] = map[string]any{"formatter": "{value}" + a.Suffix}
	}
	return m
}

func markLines(vs []float64, labels []string, horizontal bool) map[string]any {
	key := "yAxis"
	if horizontal {
		key = "xAxis"
	}
	data := make([]any, len(vs))
	for i, v := range vs {
		label := Number(v, 2)
		if i < len(labels) {
			label = labels[i]
		}
		data[i] = map[string]any{key: v, "name": label, "label": map[string]any{"formatter": label, "position": "insideEndTop"}}
	}
	return map[string]any{"symbol": "none", "silent": true, "lineStyle": map[string]any{"type": "dashed", "color": "#646a73"}, "data": data}
}
