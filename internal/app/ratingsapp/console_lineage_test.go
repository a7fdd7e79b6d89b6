package ratingsapp_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// TestConsoleUnitLineage: the office names a predecessor on the unit's
// page; a refused form comes back in Chinese with nothing changed; the
// predecessor shows the successor; a unit user reads the section without
// the form.
func TestConsoleUnitLineage(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	merged := w.CreateUnit(t, "市税务和政务服务局", "经济发展类")
	page := "/console/units/" + apptest.Itoa(merged.ID)
	p := apptest.Get(t, w.Office, page)
	if p.Status != http.StatusOK || !p.Has("单位沿革") || !p.Has("没有前身单位") || !p.Has(`id="predecessor-form"`) {
		t.Fatalf("unit page: %d", p.Status)
	}
	links := func() int {
		var n int
		if err := w.App.Pool.QueryRow(context.Background(), `SELECT count(*) FROM unit_predecessors`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, c := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"predecessor_id": {""}}, "请选择前身单位"},
		{url.Values{"predecessor_id": {"abc"}}, "请选择前身单位"},
		{url.Values{"predecessor_id": {apptest.Itoa(merged.ID)}}, "单位不能是自己的前身单位"},
		{url.Values{"predecessor_id": {apptest.Itoa(w.A.ID)}, "note": {strings.Repeat("合", 201)}}, "说明不能超过200字"},
	} {
		r := apptest.Post(t, w.Office, page+"/predecessors", c.form)
		if r.Status != http.StatusUnprocessableEntity || !r.Has(c.want) {
			t.Errorf("%v: %d, want 422 with %s", c.form, r.Status, c.want)
		}
	}
	if links() != 0 {
		t.Fatal("a refused form added a link")
	}
	r := apptest.Post(t, w.Office, page+"/predecessors", url.Values{"predecessor_id": {apptest.Itoa(w.A.ID)}, "note": {"2024年合并"}})
	if r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "msg=predecessor_added") {
		t.Fatalf("add: %d %q", r.Status, r.Location)
	}
	r = apptest.Post(t, w.Office, page+"/predecessors", url.Values{"predecessor_id": {apptest.Itoa(w.A.ID)}})
	if r.Status != http.StatusUnprocessableEntity || !r.Has("已是") {
		t.Errorf("twice: %d", r.Status)
	}
	p = apptest.Get(t, w.Office, page)
	if !p.Has("市政务服务中心") || !p.Has("2024年合并") || !p.Has("/predecessors/"+apptest.Itoa(w.A.ID)+"/delete") {
		t.Error("predecessor missing from the page")
	}
	// A's page names its successor; a cycle is refused there.
	a := "/console/units/" + apptest.Itoa(w.A.ID)
	if p := apptest.Get(t, w.UnitUser, a); !p.Has("后继单位") || !p.Has("市税务和政务服务局") || p.Has(`id="predecessor-form"`) {
		t.Errorf("unit user's view of the lineage: %d", p.Status)
	}
	r = apptest.Post(t, w.Office, a+"/predecessors", url.Values{"predecessor_id": {apptest.Itoa(merged.ID)}})
	if r.Status != http.StatusUnprocessableEntity || !r.Has("沿革不能循环") || links() != 1 {
		t.Errorf("cycle: %d, links %d", r.Status, links())
	}
	if r := apptest.Post(t, w.UnitUser, a+"/predecessors", url.Values{"predecessor_id": {apptest.Itoa(w.B.ID)}}); r.Status != http.StatusForbidden {
		t.Errorf("unit user adds: %d", r.Status)
	}
	r = apptest.Post(t, w.Office, page+"/predecessors/"+apptest.Itoa(w.A.ID)+"/delete", nil)
	if r.Status != http.StatusSeeOther || links() != 0 {
		t.Errorf("delete: %d, links %d", r.Status, links())
	}
}
