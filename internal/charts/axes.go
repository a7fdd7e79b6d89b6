package charts

// WholeNumbers makes the value axes of a Cartesian chart step by whole
// numbers (counts of units or cases: never "0.5 件") and returns the chart.
func (c Chart) WholeNumbers() Chart {
	for _, key := range []string{"xAxis", "yAxis"} {
		switch a := c.Option[key].(type) {
		case []any:
			for _, x := range a {
				if m, ok := x.(map[string]any); ok && m["type"] == "value" {
					m["minInterval"] = 1
				}
			}
		case map[string]any:
			if a["type"] == "value" {
				a["minInterval"] = 1
			}
		}
	}
	return c
}
