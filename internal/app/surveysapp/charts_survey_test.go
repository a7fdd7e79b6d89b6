package surveysapp

import (
	"strings"
	"testing"

	"minyi/internal/surveys"
)

// Four deputies: one submits on 11-02, two on 11-04; the survey opened on
// 11-01 and is open until today, 11-05. Agency respondents (no invitations)
// have no rate.
func TestResponseRateIsCumulative(t *testing.T) {
	progress := []surveys.GroupProgress{{Key: "npc", Name: "人大代表", Total: 4, Submitted: 3}, {Key: "users", Name: "服务对象"}}
	days := []surveys.DaySubmissions{{Group: "npc", Day: "2026-11-02", Count: 1}, {Group: "npc", Day: "2026-11-04", Count: 2}}
	c := responseRateChart(progress, days, "2026-11-01", "2026-11-05")
	if got := c.Table.Text(); got != "2026-11-01,0;2026-11-02,25;2026-11-03,25;2026-11-04,75;2026-11-05,75" {
		t.Errorf("rates %s", got)
	}
	if got := strings.Join(c.Table.Head, ","); got != "日期,人大代表（4人）" {
		t.Errorf("head %s", got)
	}
	if e := responseRateChart(progress, nil, "", ""); e.Empty == "" {
		t.Error("no submissions draws a chart")
	}
}

func TestAspectsHeatmapCells(t *testing.T) {
	aspects := []surveys.Question{{Key: "q2", Text: "办事效率"}, {Key: "q3", Text: "服务态度"}}
	means := []surveys.AspectMean{{UnitID: 1, UnitName: "甲局", Aspect: "q2", Mean: 4.5, Count: 2},
		{UnitID: 1, UnitName: "甲局", Aspect: "q3", Mean: 3, Count: 2}, {UnitID: 2, UnitName: "乙局", Aspect: "q3", Mean: 4.25, Count: 4}}
	c := aspectsHeatmap(aspects, means, "经济发展类")
	if got := c.Table.Text(); got != "甲局,4.5,3;乙局,—,4.25" {
		t.Errorf("cells %s", got)
	}
	if vm := c.Option["visualMap"].(map[string]any); vm["min"] != 1 || vm["max"] != 5 {
		t.Errorf("scale %v..%v, want 1..5", vm["min"], vm["max"])
	}
	if e := aspectsHeatmap(nil, means, ""); e.Empty != "本问卷没有分项评价题。" {
		t.Errorf("no aspects: %q", e.Empty)
	}
}
