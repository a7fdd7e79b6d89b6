// Package charts describes the charts of the console and the public pages
// for Apache ECharts (vendored as web/static/echarts.min.js, drawn by
// web/static/charts.js). The server builds each chart completely — the
// ECharts option with its data and look, and a table of the same figures —
// so a page's numbers come from the same query as its chart, the browser
// needs no API call and no function in the option (the CSP allows only the
// site's own scripts), and the table is the chart's text alternative for
// screen readers, print and pages without JavaScript.
//
// A page puts {{template "chart-scripts"}} in its "head" block and
// {{template "chart" .Chart}} where a chart goes (web/templates/partials/
// chart.html). Builders: Cartesian (lines and bars over categories, one or
// two value axes, stacked, horizontal for rankings) and Heatmap (two
// category axes, e.g. hour × weekday).
package charts

import (
	"math"
	"strconv"
	"strings"
)

// Chart is one chart of a page.
type Chart struct {
	// ID is unique on the page: lower-case letters, digits and '-'.
	ID string
	// Title is shown above the chart (a figure caption).
	Title string
	// Summary says in one sentence what the chart shows (its aria-label),
	// e.g. "近30天每日评价数量和平均分".
	Summary string
	// Height in pixels (the width follows the page); 280 when zero.
	Height int
	// Option is the ECharts option, data only.
	Option map[string]any
	// Table holds the same figures as rows (the text alternative).
	Table Table
	// Note, when set, is a line under the title every reader sees: what
	// the chart leaves out or when its figures were counted.
	Note string
	// Empty, when set, is shown instead of the chart: there is nothing to
	// draw (e.g. "所选期间没有评价").
	Empty string
	// Wide spans the chart over both columns of a .chart-grid.
	Wide bool
	// TableOpen shows the table unfolded (e.g. a ranking whose rows link
	// to the units); it is folded under "查看数据" otherwise.
	TableOpen bool
}

// Table is a chart's figures as a table: a header row and rows of text.
type Table struct {
	Head []string
	Rows [][]string
	// Links, when set, holds for each row the address its first cell
	// links to ("" for none), e.g. a ranked unit's page.
	Links []string
}

// Link is the address row i's first cell links to, "" for none.
func (t Table) Link(i int) string {
	if i < len(t.Links) {
		return t.Links[i]
	}
	return ""
}

// WithLinks returns c with the rows of its table linking to links (one a
// row, "" for none) and the table shown unfolded.
func (c Chart) WithLinks(links []string) Chart {
	c.Table.Links = links
	c.TableOpen = true
	return c
}

// DataID is the id of the element holding the chart's option.
func (c Chart) DataID() string { return "chart-" + c.ID + "-data" }

// ElementID is the id of the element the chart is drawn in.
func (c Chart) ElementID() string { return "chart-" + c.ID }

// HeightPx is the chart's height in pixels.
func (c Chart) HeightPx() int {
	if c.Height <= 0 {
		return 280
	}
	return c.Height
}

// Palette is the colours series take in turn: the console's blue, red,
// green and orange, then quieter tones.
var Palette = []string{"#1d5fbf", "#c8161d", "#1f7a3a", "#d97706", "#7c3aed", "#0e7490", "#646a73", "#be185d"}

// LevelColours are the colours of the five rating levels, index 0 being
// level 1 (非常不满意) and index 4 level 5 (非常满意).
var LevelColours = [5]string{"#c8161d", "#e8742a", "#d9a400", "#52a36b", "#1f7a3a"}

// Missing marks a value that does not exist (a day without ratings has no
// mean): the line has a gap and the table a dash.
var Missing = math.NaN()

// Number formats v with at most decimals digits after the point (trailing
// zeros removed), "—" for Missing.
func Number(v float64, decimals int) string {
	if math.IsNaN(v) {
		return "—"
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// values turns a series' values into option data: Missing becomes null.
func values(vs []float64) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		if math.IsNaN(v) {
			out[i] = nil
		} else {
			out[i] = v
		}
	}
	return out
}

// base is what every chart's option starts with: the palette, the page's
// font, a tooltip, and no ECharts toolbox.
func base() map[string]any {
	return map[string]any{
		"color":             Palette,
		"textStyle":         map[string]any{"fontFamily": `-apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif`},
		"tooltip":           map[string]any{"confine": true},
		"animationDuration": 400,
	}
}
