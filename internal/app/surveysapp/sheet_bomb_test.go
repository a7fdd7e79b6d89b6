package surveysapp_test

import (
	"net/http"
	"testing"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

func TestRespondentImportRefusesSheetBombs(t *testing.T) {
	w := fixtures.NewSurveyWorld(t, apptest.Options{})
	s := w.CreateSurvey(t, map[string]any{"groups": []map[string]any{{"key": "npc_deputies"}}})
	path := "/console/surveys/" + apptest.Itoa(s.ID) + "/respondents/import"
	for _, b := range fixtures.SheetBombs(t, "姓名", "群体") {
		if p := apptest.PostFile(t, w.Office, path, "名单.xlsx", b.Data); p.Status != http.StatusUnprocessableEntity || !p.Has(b.Words) {
			t.Errorf("%s: %d %s", b.Name, p.Status, apptest.PageText(p.Body))
		}
	}
}
