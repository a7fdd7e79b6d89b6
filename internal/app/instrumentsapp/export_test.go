package instrumentsapp_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"minyi/internal/testutil/apptest"
)

// download fetches path as c and returns the status and the body.
func download(t *testing.T, c *apptest.Client, path string) (int, []byte) {
	t.Helper()
	p := apptest.Get(t, c, path)
	return p.Status, []byte(p.Body)
}

// An instrument's answers export one row an answer with the rater, for
// all rated units or one; an anonymous instrument's only each group's
// count and mean, never a rater; units may not export them.
func TestAnswersExport(t *testing.T) {
	w := newPeerWorld(t)
	peer := "/api/v1/instruments/" + apptest.Itoa(w.Peer.ID)
	var saved struct{ Saved int }
	apptest.APIJSON(t, w.UnitUser, "PUT", peer+"/answers", map[string]any{"answers": []map[string]any{
		{"unit_id": w.B.ID, "grade": "excellent"}, {"unit_id": w.C.ID, "grade": "fair"}}}).Decode(t, http.StatusOK, &saved)
	apptest.APIJSON(t, w.UserB, "PUT", peer+"/answers", map[string]any{"answers": []map[string]any{
		{"unit_id": w.C.ID, "grade": "good"}}}).Decode(t, http.StatusOK, &saved)

	page := "/console/instruments/" + apptest.Itoa(w.Peer.ID)
	status, body := download(t, w.Office, page+"/answers/export.xlsx")
	if status != http.StatusOK {
		t.Fatalf("export: %d %s", status, body)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("评价明细")
	if len(rows) != 4 || strings.Join(rows[0], ",") != "评价时间,被评单位,评价人,评价人类别,等次,分值" {
		t.Fatalf("rows %q", rows)
	}
	var c int
	for _, r := range rows[1:] {
		if r[1] == "市交通运输局" {
			c++
			if r[2] != "市政务服务中心" && r[2] != "市税务局" || r[4] != "一般" && r[4] != "良好" {
				t.Errorf("an answer for C: %q", r)
			}
		}
	}
	if raw, _ := f.GetCellValue("评价明细", "F2", excelize.Options{RawCellValue: true}); raw != "100" {
		t.Errorf("the first answer's points %q, want the number 100", raw)
	}
	if c != 2 {
		t.Errorf("%d answers for C, want 2", c)
	}
	// One rated unit, as CSV through the API.
	status, body = download(t, w.Office, peer+"/answers/export.csv?unit_id="+apptest.Itoa(w.C.ID))
	if text := string(body); status != http.StatusOK || strings.Count(text, "市交通运输局") != 3 || strings.Contains(text, "优秀") {
		t.Errorf("C's answers: %d\n%s", status, text) // twice in rows, once in the filter
	}
	// Units may not.
	if status, _ := download(t, w.UnitUser, page+"/answers/export.xlsx"); status != http.StatusForbidden {
		t.Errorf("a unit's export: %d, want 403", status)
	}
	// Anonymous: groups only.
	if _, err := w.App.Pool.Exec(context.Background(), `UPDATE evaluation_instruments SET anonymous = true WHERE id = $1`, w.Peer.ID); err != nil {
		t.Fatal(err)
	}
	status, body = download(t, w.Office, page+"/answers/export.csv")
	text := string(body)
	if status != http.StatusOK || !strings.Contains(text, "被评单位,评价人类别,份数,平均分") || !strings.Contains(text, "市交通运输局,经济发展类,1,85") ||
		!strings.Contains(text, "市交通运输局,社会服务类,1,70") || strings.Contains(text, "评价人,") {
		t.Errorf("anonymous export: %d\n%s", status, text)
	}
	// The instrument's page offers the export.
	status, body = download(t, w.Office, page)
	if status != http.StatusOK || !bytes.Contains(body, []byte("/answers/export.xlsx")) {
		t.Errorf("instrument page: %d, no export", status)
	}
}
