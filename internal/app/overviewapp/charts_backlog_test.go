package overviewapp_test

import (
	"context"
	"net/http"
	"testing"

	"minyi/internal/feedback"
	"minyi/internal/testutil/apptest"
)

// The office's chart of the review backlog shows the hourly count of the
// items waiting in 民意核查 per unit (the queue's own count), says when it
// was taken, and follows a decision at the next count.
func TestBacklogChart(t *testing.T) {
	w := newChartWorld(t)
	ctx := context.Background()
	p := apptest.Get(t, w.Office, "/console/charts")
	if !p.Has("尚未统计，系统每小时统计一次待核查数量") {
		t.Error("before the first count the chart does not say so")
	}
	refresh := func() {
		t.Helper()
		if err := feedback.RefreshBacklog(ctx, w.App.Pool, w.clock.Now(), apptest.Shanghai); err != nil {
			t.Fatal(err)
		}
	}
	refresh()
	p = apptest.Get(t, w.Office, "/console/charts")
	// A: two 非常不满意 and one 不满意 (C's 基本满意 has no message: not an item).
	checkRows(t, "counted", p, map[string][2]string{"backlog": {"市政务服务中心", "市政务服务中心|3|0"}})
	if len(chartTable(p, "backlog")) != 2 || !p.Has("统计于6月10日 10:00") || !p.Has(`href="/console/feedback?unit_id=`+apptest.Itoa(w.A.ID)+`"`) {
		t.Errorf("backlog chart: %v", chartTable(p, "backlog"))
	}
	// The queue's own total for the unit is the chart's.
	q := apptest.APIJSON(t, w.Office, "GET", "/api/v1/feedback?status=pending&tone=complaint&unit_id="+apptest.Itoa(w.A.ID), nil)
	var page struct {
		Total int `json:"total"`
		Items []struct {
			Kind    string `json:"kind"`
			ID      string `json:"id"`
			Version int    `json:"version"`
		} `json:"items"`
	}
	q.Decode(t, http.StatusOK, &page)
	if page.Total != 3 {
		t.Fatalf("the queue counts %d for A, the chart 3", page.Total)
	}
	it := page.Items[0]
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/feedback/invalid", map[string]any{"kind": it.Kind, "id": it.ID,
		"version": it.Version, "reason": "mistaken"}).Decode(t, http.StatusOK, nil)
	refresh()
	checkRows(t, "after a decision", apptest.Get(t, w.Office, "/console/charts"),
		map[string][2]string{"backlog": {"市政务服务中心", "市政务服务中心|2|0"}})
}
