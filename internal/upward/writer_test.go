package upward_test

import (
	"net/http"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/upward"
)

// Through the real write path: a terminal that was offline replays a
// rating of ten days ago after today's went up; the rating writer stores
// it with today's created_at and it is delivered with its own time and
// case number.
func TestTerminalReplayThroughTheWriter(t *testing.T) {
	api := fixtures.NewAPIWorld(t, apptest.Options{})
	w := newWorldOn(t, api.App.Pool)
	w.unit = api.A.ID
	if _, err := w.pool.Exec(w.ctx, `UPDATE units SET credit_code = '11341600MB1234567X', area_code = '341600' WHERE id = $1`,
		w.unit); err != nil {
		t.Fatal(err)
	}
	_, token := api.CreateTerminal(t, api.A.ID, map[string]any{"name": "1号窗口评价器"})
	post := func(id string, level int, at time.Time, caseNo string) {
		t.Helper()
		r := map[string]any{"id": id, "level": level, "rated_at": at.Format(time.RFC3339)}
		if caseNo != "" {
			r["case_no"] = caseNo
		}
		res := api.Anon.JSON(t, "POST", "/api/v1/terminal/ratings", map[string]any{"ratings": []any{r}}, nil,
			"Authorization", "Bearer "+token)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("terminal post: %d", res.StatusCode)
		}
	}
	w.collect()
	post("T-1", 5, time.Now().Add(-time.Minute), "")
	w.collect()
	w.startWorker(false)
	w.waitFor("today's rating", func() bool { return len(w.recv.records()) == 1 })
	old := time.Now().Add(-10 * 24 * time.Hour).Truncate(time.Second)
	post("T-0", 2, old, "BZ-REPLAY-9")
	w.collectWhileWorking("the replayed rating")
	w.waitFor("the replayed rating", func() bool { return len(w.recv.records()) == 2 })
	got := w.recv.records()[1]
	if got.ProjectNo != "BZ-REPLAY-9" || got.Satisfaction != 2 || got.Pf != 4 ||
		got.AssessTime != old.In(shanghai).Format(upward.TimeLayout) || got.DeptName != "市政务服务中心" {
		t.Errorf("replayed record %+v", got)
	}
}
