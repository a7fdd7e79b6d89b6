package resultsapp

import (
	"strings"
	"testing"

	"minyi/internal/results"
)

func line(id int64, name string, rank int, composite float64, grade string) *results.Line {
	l := &results.Line{Unit: results.Unit{ID: id, Name: name}, Grade: grade}
	if rank > 0 {
		l.Rank, l.Composite = &rank, &composite
	}
	return l
}

// Five units of one category: 优秀 92.5, 良好 88, 合格 75, 不合格 60 and
// one incomplete; a second category with one 优秀.
func TestResultChartsOnAKnownCategory(t *testing.T) {
	cats := []results.Category{
		{Name: "经济发展类", Lines: []*results.Line{line(1, "甲局", 1, 92.5, "excellent"), line(2, "乙局", 2, 88, "good"),
			line(3, "丙局", 3, 75, "pass"), line(4, "丁局", 4, 60, "fail"), line(5, "戊局", 0, 0, "")}},
		{Name: "社会服务类", Lines: []*results.Line{line(6, "己局", 1, 90, "excellent")}},
	}
	prev := results.Previous{Name: "2025年度", Year: 2025, Composites: map[int64]float64{1: 90, 3: 80.25}, Via: map[int64]string{3: "旧丙局"}}
	grades, per := resultCharts(cats, 70, 2, &prev)
	if got := grades.Table.Text(); got != "经济发展类,1,1,1,1,1;社会服务类,1,0,0,0,0" {
		t.Errorf("grades %s", got)
	}
	if got := strings.Join(grades.Table.Head, ","); got != "类别,优秀,良好,合格,不合格,未评定" {
		t.Errorf("grades head %s", got)
	}
	d := per[0].Distribution
	if got := d.Table.Text(); got != "1. 甲局,92.5,—,—,—;2. 乙局,—,88,—,—;3. 丙局,—,—,75,—;4. 丁局,—,—,—,60" {
		t.Errorf("distribution %s", got)
	}
	marks := d.Option["series"].([]any)[0].(map[string]any)["markLine"].(map[string]any)["data"].([]any)
	var got []string
	for _, m := range marks {
		got = append(got, m.(map[string]any)["name"].(string))
	}
	if strings.Join(got, ",") != "优秀最低 92.5,良好最低 88,合格线 70" {
		t.Errorf("marks %v", got)
	}
	cmp := per[0].Compare
	if cmp == nil {
		t.Fatal("no comparison")
	}
	if got := cmp.Table.Text(); got != "甲局,92.5,90;乙局,88,—;丙局（上年为旧丙局）,75,80.25;丁局,60,—" {
		t.Errorf("comparison %s", got)
	}
	if _, per := resultCharts(cats, 70, 2, nil); per[0].Compare != nil {
		t.Error("a comparison without a previous cycle")
	}
	pub := publicScoreChart(1, cats[1])
	if got := pub.Table.Text(); got != "1. 己局,90" {
		t.Errorf("public %s", got)
	}
}
