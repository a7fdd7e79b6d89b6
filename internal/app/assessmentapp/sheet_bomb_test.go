package assessmentapp_test

import (
	"net/http"
	"testing"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

func TestScoreSheetRefusesSheetBombs(t *testing.T) {
	w := newAssessWorld(t)
	ua := apptest.SignedIn(t, w.app, "unit-a", "unit-pass-a")
	path := "/console/cycles/" + apptest.Itoa(w.cycle) + "/assessment/score/upload"
	for _, b := range fixtures.SheetBombs(t, "单位", "预算执行") {
		if p := apptest.PostMultipart(t, ua, path, map[string]string{}, "s.xlsx", b.Data); p.Status != http.StatusUnprocessableEntity || !p.Has(b.Words) {
			t.Errorf("%s: %d %s", b.Name, p.Status, apptest.PageText(p.Body))
		}
	}
}
