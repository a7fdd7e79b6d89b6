package targetsapp_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"minyi/internal/approvals"
	"minyi/internal/testutil/apptest"
)

// TestTargetSheetLeaderApproval: the cycle names a leader in charge who
// approves target sheets (002 § 15). The office's approval sends the sheet
// to the leader instead of publishing it; the leader's return sends it
// back to the unit with the comment; after the unit resubmits and the
// office approves again, the leader's approval publishes it.
func TestTargetSheetLeaderApproval(t *testing.T) {
	w := newTargetWorld(t)
	leader := w.App.AddUser(t, "vice-mayor", "vice-mayor-pass-1", "leader", nil)
	lc := w.App.Client()
	lc.SignIn(t, "vice-mayor", "vice-mayor-pass-1")
	apptest.APIJSON(t, w.Office, "PUT", "/api/v1/cycles/"+apptest.Itoa(w.cycle)+"/release",
		map[string]any{"target_approvers": []int64{leader.ID}}).Decode(t, http.StatusOK, nil)

	sh := w.approvedTarget(t) // the office approves
	if sh.Status != "leader_review" || sh.PublishedVersion != 0 {
		t.Fatalf("after the office's approval: %+v", sh)
	}
	unitPage := "/targets/" + apptest.Itoa(w.cycle) + "/" + apptest.Itoa(w.A.ID)
	if p := apptest.Get(t, w.Anon, unitPage); p.Status != http.StatusNotFound {
		t.Errorf("public before the leader's approval: %d", p.Status)
	}
	var waiting struct {
		Items []approvals.Request `json:"items"`
		Total int                 `json:"total"`
	}
	apptest.APIJSON(t, lc, "GET", "/api/v1/approvals", nil).Decode(t, http.StatusOK, &waiting)
	if waiting.Total != 1 || waiting.Items[0].Subject != approvals.SubjectTargetSheet || !strings.Contains(waiting.Items[0].Title, "市政务服务中心") {
		t.Fatalf("waiting %+v", waiting)
	}
	req := waiting.Items[0].ID
	decide := func(body map[string]any) apptest.APIReply {
		return apptest.APIJSON(t, lc, "POST", "/api/v1/approvals/"+apptest.Itoa(req)+"/decision", body)
	}
	apptest.WantAPIError(t, decide(map[string]any{"decision": "returned", "comment": ""}), 422, "invalid", "comment")
	decide(map[string]any{"decision": "returned", "comment": "营商环境目标值偏低"}).Decode(t, http.StatusOK, nil)

	base := "/api/v1/targets/" + apptest.Itoa(sh.ID)
	apptest.APIJSON(t, w.UnitUser, "GET", base, nil).Decode(t, http.StatusOK, &sh)
	if sh.Status != "returned" || !strings.Contains(sh.ReviewComment, "营商环境目标值偏低") || sh.PublishedVersion != 0 {
		t.Fatalf("after the leader's return: %+v", sh)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM notifications WHERE unit_id = $1 AND kind = 'target_sheet.returned'`, w.A.ID); n != 1 {
		t.Errorf("the unit's return notices: %d", n)
	}
	apptest.APIJSON(t, w.UnitUser, "POST", base+"/submit", map[string]any{"lock_version": sh.LockVersion}).Decode(t, http.StatusOK, &sh)
	// This time from the sheet's page: the office is told the sheet went to
	// the leaders, not that it was published.
	if p := apptest.Post(t, w.Office, "/console/targets/"+apptest.Itoa(sh.ID)+"/approve",
		url.Values{"lock_version": {apptest.Itoa(int64(sh.LockVersion))}}); p.Status != http.StatusSeeOther ||
		!strings.Contains(p.Location, "target_to_leaders") {
		t.Fatalf("the office's approval from the page: %d %s", p.Status, p.Location)
	}
	apptest.APIJSON(t, lc, "GET", "/api/v1/approvals", nil).Decode(t, http.StatusOK, &waiting)
	if waiting.Total != 1 || waiting.Items[0].ID == req {
		t.Fatalf("second request %+v", waiting)
	}
	req = waiting.Items[0].ID
	decide(map[string]any{"decision": "approved", "comment": "同意"}).Decode(t, http.StatusOK, nil)
	apptest.APIJSON(t, w.UnitUser, "GET", base, nil).Decode(t, http.StatusOK, &sh)
	if sh.Status != "approved" || sh.PublishedVersion != 1 {
		t.Fatalf("after the leader's approval: %+v", sh)
	}
	if p := apptest.Get(t, w.Anon, unitPage); p.Status != http.StatusOK || !p.Has("优化营商环境") {
		t.Errorf("public after the leader's approval: %d", p.Status)
	}
	// The sheet's page shows the timeline with the leader's comments.
	page := apptest.Get(t, w.UnitUser, "/console/targets/"+apptest.Itoa(sh.ID))
	if !apptest.HasText(page, "营商环境目标值偏低") || !apptest.HasText(page, "领导审定") {
		t.Error("the sheet's page lacks the approvals' timeline")
	}
	if n := w.App.Count(t, `SELECT count(*) FROM audit_log WHERE action IN ('target_sheet.leader_approve', 'target_sheet.leader_return')`); n != 2 {
		t.Errorf("audit rows %d", n)
	}
}

// TestPublicTargetCompletion: with 公开目标完成情况 on and the final
// results in force, the public page shows each indicator's newest
// progress, the self-evaluation and the final score of its scheme item;
// off (or before final results), only the targets.
func TestPublicTargetCompletion(t *testing.T) {
	w := newTargetWorld(t)
	ctx := context.Background()
	sh := w.approvedTarget(t)
	pool := w.App.Pool
	if _, err := pool.Exec(ctx, `UPDATE target_indicators SET scheme_key = 'work' WHERE id = $1`, sh.Indicators[0].ID); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO target_reports (indicator_id, period, sheet_id, progress, percent, updated_at) VALUES ($1, '2025-Q2', $2, '已完成审批事项清单梳理', 60, now())`,
		`INSERT INTO target_reports (indicator_id, period, sheet_id, progress, percent, updated_at) VALUES ($1, '2025-Q4', $2, '全部事项实现一网通办', 100, now())`,
		`INSERT INTO target_self_evaluations (indicator_id, sheet_id, claimed, note, updated_at) VALUES ($1, $2, 9.5, '基本完成', now())`,
	} {
		if _, err := pool.Exec(ctx, q, sh.Indicators[0].ID, sh.ID); err != nil {
			t.Fatal(err)
		}
	}
	page := "/targets/" + apptest.Itoa(w.cycle) + "/" + apptest.Itoa(w.A.ID)
	setCompletion := func(on bool) {
		apptest.APIJSON(t, w.Office, "PUT", "/api/v1/cycles/"+apptest.Itoa(w.cycle)+"/release",
			map[string]any{"publish_completion": on}).Decode(t, http.StatusOK, nil)
	}
	setCompletion(true)
	if p := apptest.Get(t, w.Anon, page); p.Has("最终得分") {
		t.Error("completion shown before the final results")
	}
	var pub int64
	if err := pool.QueryRow(ctx, `INSERT INTO assessment_publications (cycle_id, stage, published_at, settings_version, scheme_version)
		VALUES ($1, 'final', now(), 0, 1) RETURNING id`, w.cycle).Scan(&pub); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO assessment_results (publication_id, cycle_id, unit_id, category, grade, composite, rank, reason, breakdown)
		VALUES ($1, $2, $3, 'x', 'excellent', 90, 1, '', jsonb_build_object('unit', jsonb_build_object('id', $3::bigint, 'name', 'u'),
			'scheme', jsonb_build_object('nodes', jsonb_build_array(jsonb_build_object('key', 'work', 'max', 10, 'value', 8.75)))))`,
		pub, w.cycle, w.A.ID); err != nil {
		t.Fatal(err)
	}
	p := apptest.Get(t, w.Anon, page)
	for _, s := range []string{"完成进度：</b>100%，全部事项实现一网通办", "单位自评：</b>9.5分", "8.75分</span>（满分10分）", "不单独计分", "未报送"} {
		if !p.Has(s) {
			t.Errorf("completion lacks %q", s)
		}
	}
	setCompletion(false)
	if p := apptest.Get(t, w.Anon, page); p.Has("最终得分") || !p.Has("优化营商环境") {
		t.Error("completion shown while the cycle does not publish it")
	}
}
