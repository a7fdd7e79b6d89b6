package auditapp_test

import (
	"testing"

	"minyi/internal/testutil/apptest"
)

// The API takes the page's filters, answers the labels and the change
// field by field, and pages by cursor.
func TestAPIAuditFilters(t *testing.T) {
	w := newAuditWorld(t)
	type item struct {
		Action      string
		ActionLabel string `json:"action_label"`
		EntityLabel string `json:"entity_label"`
		Changes     []struct{ Field, Before, After string }
	}
	type reply struct {
		Total      int
		TotalExact bool   `json:"total_exact"`
		NextCursor string `json:"next_cursor"`
		Items      []item
	}
	get := func(q string) reply {
		var out reply
		apptest.APIDo(t, w.Office, "GET", "/api/v1/audit?"+q, "", "").Decode(t, 200, &out)
		return out
	}
	upd := get("action=unit.update")
	if upd.Total != 1 || !upd.TotalExact || len(upd.Items) != 1 || upd.Items[0].ActionLabel != "修改单位" ||
		upd.Items[0].EntityLabel != "单位" || len(upd.Items[0].Changes) == 0 ||
		upd.Items[0].Changes[0].Field != "名称" || upd.Items[0].Changes[0].After != "市行政审批局" {
		t.Errorf("action=unit.update: %+v", upd)
	}
	for q, want := range map[string]int{"role=unit": 1, "person=zhangsan": 1, "unit_id=" + w.UnitA: 1,
		"role=leader": 0, "entity=terminal": 1, "from=2000-01-01&to=2000-01-02": 0} {
		if got := get(q); got.Total != want || len(got.Items) != want {
			t.Errorf("%s: total %d, %d items, want %d", q, got.Total, len(got.Items), want)
		}
	}
	first := get("limit=2")
	if len(first.Items) != 2 || first.NextCursor == "" {
		t.Fatalf("limit=2: %+v", first)
	}
	rest := get("limit=100&cursor=" + first.NextCursor)
	if len(rest.Items) != first.Total-2 || rest.NextCursor != "" {
		t.Errorf("after the cursor: %d items, want %d", len(rest.Items), first.Total-2)
	}
	for q, field := range map[string]string{"action=nope": "action", "role=boss": "role", "from=2026-02-30": "from",
		"unit_id=-1": "unit_id", "cursor=x": "cursor", "cursor=" + first.NextCursor + "&offset=1": "cursor"} {
		apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "GET", "/api/v1/audit?"+q, "", ""), 422, "invalid", field)
	}
}
