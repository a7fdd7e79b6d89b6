package resultsapp_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"minyi/internal/assessment"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// TestAPIRankAdjustments covers moving a unit's place within its category
// (位次调整): bad input refused in Chinese with nothing changed, the same
// move again, a second move refused, the draft and the published rankings
// with the others shifted and the move marked, revoking, and the public
// page's mark.
func TestAPIRankAdjustments(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	var mu sync.Mutex
	now := time.Date(2026, 9, 28, 10, 0, 0, 0, loc)
	w := fixtures.NewAPIWorld(t, apptest.Options{Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
	ctx := context.Background()
	c2 := w.CreateUnit(t, "市公安局", "社会服务类")
	c3 := w.CreateUnit(t, "市人社局", "社会服务类")
	cy := w.CreateCycle(t, "2026年度", 2026, nil)
	cycle := "/api/v1/cycles/" + apptest.Itoa(cy.ID)
	tree := map[string]any{"key": "total", "name": "综合", "kind": "sum", "children": []map[string]any{
		{"key": "work", "name": "工作实绩", "kind": "manual", "max": 100, "assessor": map[string]any{"name": "市考评办"}}}}
	apptest.APIJSON(t, w.Office, "PUT", cycle+"/scheme", map[string]any{"tree": tree}).Decode(t, http.StatusCreated, nil)
	for unit, pts := range map[int64]float64{w.A.ID: 91, c2.ID: 88.5, c3.ID: 80, w.B.ID: 75} {
		if _, err := w.App.Pool.Exec(ctx, `INSERT INTO assessment_entries (cycle_id, unit_id, leaf_key, points)
			VALUES ($1, $2, 'work', $3)`, cy.ID, unit, pts); err != nil {
			t.Fatal(err)
		}
	}
	adj := cycle + "/assessment/rank-adjustments"
	bad := []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"unit_id": c3.ID, "to_rank": 1}, "reason"},
		{map[string]any{"unit_id": c3.ID, "to_rank": 1, "reason": "   "}, "reason"},
		{map[string]any{"unit_id": c3.ID, "to_rank": 0, "reason": "重大贡献"}, "to_rank"},
		{map[string]any{"unit_id": c3.ID, "to_rank": 4, "reason": "重大贡献"}, "to_rank"}, // 社会服务类 has 3 units
		{map[string]any{"unit_id": 999999, "to_rank": 1, "reason": "重大贡献"}, "unit_id"},
	}
	for _, tc := range bad {
		apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", adj, tc.body), http.StatusUnprocessableEntity, "invalid", tc.field)
	}
	rep := apptest.APIJSON(t, w.Office, "POST", adj, map[string]any{"unit_id": c3.ID, "to_rank": 4, "reason": "重大贡献"})
	if !strings.Contains(string(rep.Body), "调整后的位次须在第1名到第3名之间") {
		t.Fatalf("out of range: %s", rep.Body)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", adj, map[string]any{"unit_id": c3.ID, "to_rank": 1, "reason": "重大贡献"}), http.StatusForbidden, "forbidden")
	var list struct{ Items []assessment.RankAdjustment }
	apptest.APIJSON(t, w.Office, "GET", adj, nil).Decode(t, http.StatusOK, &list)
	if len(list.Items) != 0 || auditCount(t, w, "assessment.rank_adjust") != 0 {
		t.Fatalf("refused moves stored: %+v", list.Items)
	}

	// C3 (third by composite) is raised to first, twice: one record.
	in := map[string]any{"unit_id": c3.ID, "to_rank": 1, "reason": "全市营商环境改革作出重大贡献"}
	var ra, again assessment.RankAdjustment
	apptest.APIJSON(t, w.Office, "POST", adj, in).Decode(t, http.StatusCreated, &ra)
	apptest.APIJSON(t, w.Office, "POST", adj, in).Decode(t, http.StatusOK, &again)
	if again.ID != ra.ID || ra.ToRank != 1 || auditCount(t, w, "assessment.rank_adjust") != 1 {
		t.Fatalf("move %+v again %+v", ra, again)
	}
	rep = apptest.APIJSON(t, w.Office, "POST", adj, map[string]any{"unit_id": c3.ID, "to_rank": 2, "reason": "另议"})
	apptest.WantAPIError(t, rep, http.StatusConflict, "conflict")
	if !strings.Contains(string(rep.Body), "请先撤销") {
		t.Fatalf("second move: %s", rep.Body)
	}

	places := func(r resultsReply, published bool) string {
		cats := r.Published
		if !published {
			cats = r.Draft.Categories
		}
		var out []string
		for _, c := range cats {
			if c.Name != "社会服务类" {
				continue
			}
			for _, l := range c.Lines {
				s := l.Unit.Name + l.RankText()
				if l.RankAdjusted {
					s += "*"
				}
				out = append(out, s)
			}
		}
		return strings.Join(out, " ")
	}
	var r resultsReply
	apptest.APIJSON(t, w.Office, "GET", cycle+"/results", nil).Decode(t, http.StatusOK, &r)
	if got := places(r, false); got != "市人社局1* 市政务服务中心2 市公安局3" {
		t.Fatalf("draft ranking: %s", got)
	}
	l := r.Draft.Line(c3.ID)
	if *l.ScoreRank != 3 || l.RankReason != "全市营商环境改革作出重大贡献" || !strings.Contains(l.Reason, "位次由第3名调整为第1名") {
		t.Fatalf("moved line: %+v", l)
	}

	// Published, then revoked: the preliminary results keep the move, the
	// draft drops it.
	apptest.APIJSON(t, w.Office, "POST", cycle+"/results/preliminary", map[string]any{}).Decode(t, http.StatusCreated, nil)
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/rank-adjustments/"+apptest.Itoa(ra.ID)+"/revoke", map[string]any{}), http.StatusUnprocessableEntity, "invalid", "reason")
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/rank-adjustments/"+apptest.Itoa(ra.ID)+"/revoke", map[string]any{"reason": "经领导小组审议不予调整"}).Decode(t, http.StatusOK, &ra)
	if ra.RevokedAt == nil {
		t.Fatalf("revoked: %+v", ra)
	}
	r = resultsReply{} // a fresh reply: omitted fields must not keep older values
	apptest.APIJSON(t, w.Office, "GET", cycle+"/results", nil).Decode(t, http.StatusOK, &r)
	if got := places(r, true); got != "市人社局1* 市政务服务中心2 市公安局3" {
		t.Fatalf("published ranking: %s", got)
	}
	if got := places(r, false); got != "市政务服务中心1 市公安局2 市人社局3" {
		t.Fatalf("draft ranking after revoking: %s", got)
	}

	// Moved again and published final: the public page marks the place.
	apptest.APIJSON(t, w.Office, "POST", adj, map[string]any{"unit_id": c3.ID, "to_rank": 2, "reason": "重大贡献"}).Decode(t, http.StatusCreated, nil)
	mu.Lock()
	now = time.Date(2026, 10, 20, 10, 0, 0, 0, loc)
	mu.Unlock()
	apptest.APIJSON(t, w.Office, "POST", cycle+"/results/final", map[string]any{"provisional_reason": "测试"}).Decode(t, http.StatusCreated, nil)
	page := apptest.Get(t, w.App.Client(), "/results/"+apptest.Itoa(cy.ID))
	if page.Status != http.StatusOK || !strings.Contains(page.Body, "位次经调整") {
		t.Fatalf("public page lacks the mark: %d %s", page.Status, page.Body)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", adj, map[string]any{"unit_id": c2.ID, "to_rank": 1, "reason": "重大贡献"}), http.StatusConflict, "conflict")
}
