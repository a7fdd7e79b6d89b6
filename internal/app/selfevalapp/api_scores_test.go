package selfevalapp_test

import (
	"net/http"
	"strings"
	"testing"

	"minyi/internal/selfeval"
	"minyi/internal/testutil/apptest"
)

type apiScores struct {
	Report *struct {
		Scores []struct {
			IndicatorID   int64   `json:"indicator_id"`
			IndicatorName string  `json:"indicator_name"`
			Points        float64 `json:"points"`
			Claimed       float64 `json:"claimed"`
			Note          string  `json:"note"`
		} `json:"scores"`
	} `json:"report"`
}

// newPeriod has the office create a period of the cycle.
func (w *world) newPeriod(t *testing.T, name, coversTo, dueOn string, annual bool) (p apiPeriod) {
	t.Helper()
	apptest.APIJSON(t, w.office, "POST", w.periodsPath(), map[string]any{"name": name, "covers_to": coversTo, "due_on": dueOn,
		"annual": annual}).Decode(t, http.StatusOK, &p)
	return p
}

// wantMessage checks a refusal's Chinese message (of the field when one
// is named).
func wantMessage(t *testing.T, r apptest.APIReply, field, words string) {
	t.Helper()
	var e apptest.APIError
	r.Decode(t, r.Status, &e)
	msg := e.Error.Message
	if field != "" {
		msg = e.Error.Fields[field]
	}
	if !strings.Contains(msg, words) {
		t.Errorf("message %q, want %q; body %s", msg, words, r.Body)
	}
}

// The unit gives its half-year scores with the report; the office sees
// them all, each assessor unit its own indicators' only, anyone else
// nothing; bad scores, the annual period and the lock are refused in
// Chinese with nothing changed.
func TestHalfYearScoresThroughTheAPI(t *testing.T) {
	w := newWorld(t)
	half, annual := w.newPeriod(t, "半年自评", "2026-06-30", "2026-07-15", false), w.newPeriod(t, "年度自评", "2026-11-30", "2026-12-10", true)
	put := func(p int64, scores ...map[string]any) apptest.APIReply {
		return apptest.APIJSON(t, w.cm, "PUT", reportPath(p, w.m), map[string]any{"body": "上半年报告", "scores": scores})
	}
	r := put(half.ID, map[string]any{"indicator_id": w.budgetInd, "claimed": 10.5})
	apptest.WantAPIError(t, r, http.StatusUnprocessableEntity, "invalid", "scores[0].claimed")
	wantMessage(t, r, "scores[0].claimed", "“预算执行”的自评得分须在0到10分之间")
	r = put(half.ID, map[string]any{"indicator_id": w.safetyInd, "claimed": 5, "note": strings.Repeat("进", 501)})
	apptest.WantAPIError(t, r, http.StatusUnprocessableEntity, "invalid", "scores[0].note")
	wantMessage(t, r, "scores[0].note", "不能超过500字")
	r = put(annual.ID, map[string]any{"indicator_id": w.budgetInd, "claimed": 8})
	apptest.WantAPIError(t, r, http.StatusUnprocessableEntity, "invalid", "scores")
	wantMessage(t, r, "scores", selfeval.MsgAnnualScores)
	if n := w.app.Count(t, `SELECT count(*) FROM self_eval_reports`); n != 0 {
		t.Fatalf("%d reports after refusals", n)
	}

	put(half.ID, map[string]any{"indicator_id": w.budgetInd, "claimed": 8, "note": "执行率八成"},
		map[string]any{"indicator_id": w.safetyInd, "claimed": 18}).Decode(t, http.StatusOK, nil)
	var got apiScores
	apptest.APIJSON(t, w.office, "GET", reportPath(half.ID, w.m), nil).Decode(t, http.StatusOK, &got)
	if got.Report == nil || len(got.Report.Scores) != 2 || got.Report.Scores[0].IndicatorName != "预算执行" ||
		got.Report.Scores[0].Claimed != 8 || got.Report.Scores[0].Note != "执行率八成" || got.Report.Scores[1].Points != 20 {
		t.Fatalf("office reads %+v", got.Report)
	}
	for _, c := range []struct {
		name  string
		reads *apptest.Client
		want  int64
	}{{"budget's assessor", w.cf, w.budgetInd}, {"safety's assessor", w.cs, w.safetyInd}} {
		var a apiScores
		apptest.APIJSON(t, c.reads, "GET", reportPath(half.ID, w.m), nil).Decode(t, http.StatusOK, &a)
		if a.Report == nil || len(a.Report.Scores) != 1 || a.Report.Scores[0].IndicatorID != c.want {
			t.Errorf("%s reads %+v", c.name, a.Report)
		}
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.cx, "GET", reportPath(half.ID, w.m), nil), http.StatusForbidden, "forbidden")

	// Locked: refused, the scores stay.
	if _, err := w.app.Pool.Exec(t.Context(), `INSERT INTO target_settings (cycle_id, self_eval_locked) VALUES ($1, true)`, w.cycle); err != nil {
		t.Fatal(err)
	}
	r = put(half.ID, map[string]any{"indicator_id": w.budgetInd, "claimed": 9})
	apptest.WantAPIError(t, r, http.StatusConflict, "conflict")
	wantMessage(t, r, "", selfeval.MsgLocked)
	if n := w.app.Count(t, `SELECT count(*) FROM self_eval_scores WHERE claimed = 8`); n != 1 {
		t.Error("the lock let a score change")
	}
}

// The office deletes a period no unit has reported for, only the office,
// once; a period with a report is refused in Chinese and stays, its
// annual flag fixed while its dates still change.
func TestDeletingAndEditingAPeriodThroughTheAPI(t *testing.T) {
	w := newWorld(t)
	half, spare := w.newPeriod(t, "半年自评", "2026-06-30", "2026-07-15", false), w.newPeriod(t, "三季度自评", "2026-09-30", "2026-10-15", false)
	path := func(id int64) string { return "/api/v1/self-eval-periods/" + apptest.Itoa(id) }
	apptest.WantAPIError(t, apptest.APIJSON(t, w.cm, "DELETE", path(spare.ID), nil), http.StatusForbidden, "forbidden")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.leader, "DELETE", path(spare.ID), nil), http.StatusForbidden, "forbidden")
	var gone apiPeriod
	apptest.APIJSON(t, w.office, "DELETE", path(spare.ID), nil).Decode(t, http.StatusOK, &gone)
	if gone.Name != "三季度自评" {
		t.Errorf("deleted %+v", gone)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.office, "DELETE", path(spare.ID), nil), http.StatusNotFound, "not_found")

	apptest.APIJSON(t, w.cm, "PUT", reportPath(half.ID, w.m), map[string]any{"body": "报告"}).Decode(t, http.StatusOK, nil)
	r := apptest.APIJSON(t, w.office, "DELETE", path(half.ID), nil)
	apptest.WantAPIError(t, r, http.StatusConflict, "conflict")
	wantMessage(t, r, "", selfeval.MsgHasReports)
	r = apptest.APIJSON(t, w.office, "PUT", path(half.ID), map[string]any{"name": "半年自评", "covers_to": "2026-06-30",
		"due_on": "2026-07-15", "annual": true})
	apptest.WantAPIError(t, r, http.StatusUnprocessableEntity, "invalid", "annual")
	r = apptest.APIJSON(t, w.office, "PUT", path(half.ID), map[string]any{"name": "半年自评", "covers_to": "2026-06-30",
		"due_on": "2026-06-01"})
	apptest.WantAPIError(t, r, http.StatusUnprocessableEntity, "invalid", "due_on")
	var moved apiPeriod
	apptest.APIJSON(t, w.office, "PUT", path(half.ID), map[string]any{"name": "上半年自评", "covers_to": "2026-06-30",
		"due_on": "2026-07-20"}).Decode(t, http.StatusOK, &moved)
	if moved.Name != "上半年自评" || moved.DueOn != "2026-07-20" || moved.Annual {
		t.Errorf("edited %+v", moved)
	}
	if n := w.app.Count(t, `SELECT count(*) FROM audit_log WHERE action IN ('self_eval_period.delete', 'self_eval_period.update')`); n != 2 {
		t.Errorf("%d audit entries, want a delete and an update", n)
	}
}
