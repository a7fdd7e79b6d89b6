package charts_test

import (
	"bytes"
	"encoding/json"
	"html/template"
	"math"
	"regexp"
	"strings"
	"testing"

	"minyi/internal/charts"
	"minyi/web"
)

// render draws c with the pages' own "chart" template.
func render(t *testing.T, c charts.Chart) string {
	t.Helper()
	tpl, err := template.New("x").Funcs(template.FuncMap{"asset": func(s string) string { return "/static/" + s }}).
		ParseFS(web.Templates, "templates/partials/chart.html")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tpl.ExecuteTemplate(&b, "chart", c); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// option reads the chart's JSON data block back from the page.
func option(t *testing.T, page, id string) map[string]any {
	t.Helper()
	m := regexp.MustCompile(`(?s)<script type="application/json" id="` + id + `">(.*?)</script>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no data block %s in %s", id, page)
	}
	var opt map[string]any
	if err := json.Unmarshal([]byte(m[1]), &opt); err != nil {
		t.Fatalf("data block is not JSON: %v\n%s", err, m[1])
	}
	return opt
}

func TestCartesianOptionTableAndGaps(t *testing.T) {
	c := charts.Cartesian{
		Categories:   []string{"11-01", "11-02", "11-03"},
		CategoryName: "日期",
		Series: []charts.Series{
			{Name: "评价数", Bar: true, Values: []float64{12, 0, 7}},
			{Name: "平均分", Right: true, Values: []float64{4.25, charts.Missing, 3.5}, Decimals: 2},
		},
		Left:  charts.Axis{Name: "条"},
		Right: &charts.Axis{Name: "分", Min: charts.Float(1), Max: charts.Float(5)},
	}.Build("daily", "每日评价", "近3天每日评价数量和平均分")
	page := render(t, c)
	opt := option(t, page, "chart-daily-data")
	series := opt["series"].([]any)
	mean := series[1].(map[string]any)
	if mean["yAxisIndex"] != float64(1) || mean["type"] != "line" {
		t.Errorf("mean series %v: want a line on the right axis", mean)
	}
	if data := mean["data"].([]any); data[1] != nil || data[2] != 3.5 {
		t.Errorf("mean data %v: want a gap (null) for the day without ratings", data)
	}
	if got := c.Table.Rows[1]; strings.Join(got, ",") != "11-02,0,—" {
		t.Errorf("table row %v", got)
	}
	for _, want := range []string{`aria-label="近3天每日评价数量和平均分"`, `<th scope="col">平均分</th>`, `<td class="right">4.25</td>`, `data-chart="chart-daily-data"`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s:\n%s", want, page)
		}
	}
}

func TestDataBlockCannotCloseItsScript(t *testing.T) {
	name := `</script><script>alert(1)</script>`
	c := charts.Cartesian{Categories: []string{name}, Series: []charts.Series{{Name: "数", Values: []float64{1}}}}.
		Build("x", "", "s")
	page := render(t, c)
	if strings.Count(page, "<script") != 1 {
		t.Fatalf("a category's text opened a script:\n%s", page)
	}
	opt := option(t, page, "chart-x-data")
	if got := opt["xAxis"].(map[string]any)["data"].([]any)[0]; got != name {
		t.Errorf("category read back as %q", got)
	}
}

func TestHorizontalRankingAndMarks(t *testing.T) {
	c := charts.Cartesian{
		Categories: []string{"省人社厅", "省商务厅"}, Horizontal: true,
		Series:     []charts.Series{{Name: "综合得分", Bar: true, Values: []float64{92.5, 88}, Decimals: 2}},
		MarkValues: []float64{90}, MarkLabels: []string{"优秀 90"},
	}.Build("rank", "排名", "各单位综合得分")
	opt := option(t, render(t, c), "chart-rank-data")
	y := opt["yAxis"].(map[string]any)
	if y["type"] != "category" || y["inverse"] != true {
		t.Errorf("yAxis %v: want the categories, first on top", y)
	}
	mark := opt["series"].([]any)[0].(map[string]any)["markLine"].(map[string]any)["data"].([]any)[0].(map[string]any)
	if mark["xAxis"] != float64(90) || mark["name"] != "优秀 90" {
		t.Errorf("mark %v", mark)
	}
}

func TestHeatmapScaleAndTable(t *testing.T) {
	h := charts.Heatmap{X: []string{"8时", "9时"}, Y: []string{"周一", "周二"}, Name: "评价数",
		XName: "时段", YName: "星期", Cells: [][]float64{{3, 10}, {charts.Missing, 5}}}.Build("hw", "时段分布", "s")
	opt := option(t, render(t, h), "chart-hw-data")
	vm := opt["visualMap"].(map[string]any)
	if vm["min"] != float64(3) || vm["max"] != float64(10) {
		t.Errorf("visualMap %v: want the cells' range 3..10", vm)
	}
	if data := opt["series"].([]any)[0].(map[string]any)["data"].([]any); len(data) != 3 {
		t.Errorf("heatmap cells %v: the missing cell must be left out", data)
	}
	if got := strings.Join(h.Table.Rows[1], ","); got != "周二,—,5" {
		t.Errorf("table row %q", got)
	}
}

func TestEmptyChartShowsItsSentence(t *testing.T) {
	page := render(t, charts.Chart{ID: "e", Title: "趋势", Empty: "所选期间没有评价"})
	if !strings.Contains(page, "所选期间没有评价") || strings.Contains(page, "<script") {
		t.Errorf("empty chart:\n%s", page)
	}
}

func TestNumber(t *testing.T) {
	for _, c := range []struct {
		v    float64
		d    int
		want string
	}{{4.5, 2, "4.5"}, {4, 2, "4"}, {0.126, 2, "0.13"}, {math.NaN(), 1, "—"}, {1200, 0, "1200"}} {
		if got := charts.Number(c.v, c.d); got != c.want {
			t.Errorf("Number(%v, %d) = %q, want %q", c.v, c.d, got, c.want)
		}
	}
}

func TestTableLinksItsRows(t *testing.T) {
	c := charts.Cartesian{Categories: []string{"省人社厅", "省商务厅"}, Horizontal: true,
		Series: []charts.Series{{Name: "平均分", Bar: true, Values: []float64{92.5, 88}, Decimals: 1}}}.
		Build("rank", "排名", "平均分排名").WithLinks([]string{"/console/units/1", ""})
	page := render(t, c)
	for _, want := range []string{`<details class="chart-table" open>`, `<th scope="row"><a href="/console/units/1">省人社厅</a></th>`, `<th scope="row">省商务厅</th>`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s:\n%s", want, page)
		}
	}
}
