package targetsapp_test

import (
	"net/http"
	"testing"

	"minyi/internal/testutil/apptest"
)

func TestPublicTargets(t *testing.T) {
	w := newTargetWorld(t)
	// B's sheet is drafted and submitted but never approved.
	var draft apiSheet
	apptest.APIJSON(t, w.unitB, "POST", "/api/v1/cycles/"+apptest.Itoa(w.cycle)+"/targets", map[string]any{}).Decode(t, http.StatusCreated, &draft)
	sh := w.approvedTarget(t)
	list := "/targets/" + apptest.Itoa(w.cycle)
	unitPage := list + "/" + apptest.Itoa(w.A.ID)

	// No sign-in needed; only published sheets are listed.
	p := apptest.Get(t, w.Anon, list)
	if p.Status != http.StatusOK || !p.Has("市政务服务中心") || p.Has("市税务局") || !p.Has("2025年度绩效目标公开") {
		t.Errorf("public list %d", p.Status)
	}
	for _, path := range []string{list + "/" + apptest.Itoa(w.B.ID), list + "/999999", "/targets/999999", unitPage + "?version=9", "/targets/x"} {
		if p := apptest.Get(t, w.Anon, path); p.Status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, p.Status)
		}
	}
	p = apptest.Get(t, w.Anon, unitPage)
	for _, s := range []string{"优化营商环境", "政务服务一网通办", "按时完成得满分", "2025-05-31", "市委督查室", "10.0分", "首次批准发布"} {
		if !p.Has(s) {
			t.Errorf("public sheet lacks %q", s)
		}
	}

	// An approved change shows on the page with before/after and reason.
	changed := indicatorJSON("优化营商环境", 15, "2025-06-30")
	changed["id"] = sh.Indicators[0].ID
	keep := indicatorJSON("政务服务一网通办", 20, "2025-12-31")
	keep["id"] = sh.Indicators[1].ID
	var cr struct {
		ID int64 `json:"id"`
	}
	apptest.APIJSON(t, w.UnitUser, "POST", "/api/v1/targets/"+apptest.Itoa(sh.ID)+"/change-requests", map[string]any{"lock_version": sh.LockVersion,
		"reason": "根据省考核方案调整", "indicators": []any{changed, keep}}).Decode(t, http.StatusCreated, &cr)
	// Pending: the public page still shows version 1.
	if p := apptest.Get(t, w.Anon, unitPage); p.Has("根据省考核方案调整") || !p.Has("10.0分") {
		t.Errorf("pending change is public")
	}
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/target-change-requests/"+apptest.Itoa(cr.ID)+"/approve", map[string]any{}).Decode(t, http.StatusOK, nil)
	p = apptest.Get(t, w.Anon, unitPage)
	for _, s := range []string{"15.0分", "第2版", "根据省考核方案调整", "<del>10</del> → <ins>15</ins>", "<del>2025-05-31</del> → <ins>2025-06-30</ins>"} {
		if !p.Has(s) {
			t.Errorf("changed sheet lacks %q", s)
		}
	}
	// The first version stays reproducible.
	if p := apptest.Get(t, w.Anon, unitPage+"?version=1"); p.Status != http.StatusOK || !p.Has("10.0分") || !p.Has("您正在查看历史版本") {
		t.Errorf("version 1: %d", p.Status)
	}
}
