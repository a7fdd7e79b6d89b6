package cyclesapp_test

import (
	"context"
	"net/http"
	"testing"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// TestAPICycleMain: one main cycle per year. The first cycle of a year is
// main unless asked otherwise; a second one is not; asking for a second
// main cycle is refused in Chinese and changes nothing; the office may
// move the main cycle (audited).
func TestAPICycleMain(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	ctx := context.Background()
	first := w.CreateCycle(t, "2025年度", 2025, nil)
	second := w.CreateCycle(t, "2025年度专项考核", 2025, nil)
	if !first.Main || second.Main {
		t.Fatalf("main: first %v second %v", first.Main, second.Main)
	}
	body := fixtures.CycleBody("2025年度补充考核", 2025, "2025-01-01", "2025-12-31", nil)
	body["main"] = true
	r := apptest.APIJSON(t, w.Office, "POST", "/api/v1/cycles", body)
	apptest.WantAPIError(t, r, http.StatusUnprocessableEntity, "invalid", "main")
	var n int
	if err := w.App.Pool.QueryRow(ctx, `SELECT count(*) FROM assessment_cycles WHERE year = 2025`).Scan(&n); err != nil || n != 2 {
		t.Errorf("cycles of 2025: %d %v", n, err)
	}
	body = fixtures.CycleBody("2026年度专项", 2026, "2026-01-01", "2026-12-31", nil)
	body["main"] = false
	var extra fixtures.CycleReply
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/cycles", body).Decode(t, http.StatusCreated, &extra)
	if extra.Main {
		t.Error("a cycle asked not to be main is main")
	}

	set := func(id int64, main any) apptest.APIReply {
		return apptest.APIJSON(t, w.Office, "PUT", "/api/v1/cycles/"+apptest.Itoa(id)+"/main", map[string]any{"main": main})
	}
	apptest.WantAPIError(t, set(second.ID, true), http.StatusUnprocessableEntity, "invalid", "main")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "PUT", "/api/v1/cycles/"+apptest.Itoa(second.ID)+"/main", map[string]any{}),
		http.StatusUnprocessableEntity, "invalid", "main")
	apptest.WantAPIError(t, set(second.ID, "是"), http.StatusUnprocessableEntity, "invalid", "main")
	apptest.WantAPIError(t, set(999999, true), http.StatusNotFound, "not_found")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "PUT", "/api/v1/cycles/"+apptest.Itoa(first.ID)+"/main", map[string]any{"main": false}),
		http.StatusForbidden, "forbidden")

	var got fixtures.CycleReply
	set(first.ID, false).Decode(t, http.StatusOK, &got)
	if got.Main {
		t.Error("first still main")
	}
	set(second.ID, true).Decode(t, http.StatusOK, &got)
	if !got.Main {
		t.Error("second not main")
	}
	set(second.ID, true).Decode(t, http.StatusOK, &got) // the same again changes nothing
	if err := w.App.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'cycle.main'`).Scan(&n); err != nil || n != 2 {
		t.Errorf("audit rows %d %v", n, err)
	}
}
