package casesapp_test

import (
	"bytes"
	"net/http"
	"net/url"
	"testing"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// feedbackWorld is an APIWorld whose terminals sent, for unit A: a1 level
// 1 with a message, a2 level 5 without, a3 and a4 level 2 about the same
// queue, and for unit B: b1 level 1 with a message. ids maps client ids to
// rating ids.
type feedbackWorld struct {
	*fixtures.APIWorld
	ids map[string]string
}

func newFeedbackWorld(t *testing.T) *feedbackWorld {
	t.Helper()
	w := &feedbackWorld{APIWorld: fixtures.NewAPIWorld(t, apptest.Options{}), ids: map[string]string{}}
	_, tokenA := w.CreateTerminal(t, w.A.ID, map[string]any{"name": "A评价器"})
	_, tokenB := w.CreateTerminal(t, w.B.ID, map[string]any{"name": "B评价器"})
	send := func(token string, items ...map[string]any) {
		apptest.APIJSON(t, w.Anon, "POST", "/api/v1/terminal/ratings", map[string]any{"ratings": items}, "Authorization", "Bearer "+token).
			Decode(t, http.StatusOK, nil)
	}
	send(tokenA,
		map[string]any{"id": "a1", "level": 1, "reasons": []string{"态度差"}, "comment": "窗口人员态度生硬"},
		map[string]any{"id": "a2", "level": 5},
		map[string]any{"id": "a3", "level": 2, "comment": "排队一个小时"},
		map[string]any{"id": "a4", "level": 2, "comment": "排队太久了"})
	send(tokenB, map[string]any{"id": "b1", "level": 1, "comment": "不是本单位的事"})
	_, _, list := fixtures.Feed(t, w.Office, "/api/v1/ratings?limit=50")
	for _, r := range list {
		if r.ClientID != nil {
			w.ids[*r.ClientID] = r.ID
		}
	}
	if len(w.ids) != 5 {
		t.Fatalf("stored %d ratings, want 5", len(w.ids))
	}
	return w
}

type apiQueue struct {
	Total int `json:"total"`
	Items []struct {
		Kind    string  `json:"kind"`
		ID      string  `json:"id"`
		Text    string  `json:"text"`
		Verdict *string `json:"verdict"`
		Version int     `json:"version"`
		CaseID  *int64  `json:"case_id"`
	} `json:"items"`
}

func TestAPIFeedbackQueueAndVerdicts(t *testing.T) {
	w := newFeedbackWorld(t)
	apptest.WantAPIError(t, apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/feedback", "", ""), http.StatusForbidden, "forbidden")

	var q apiQueue
	apptest.APIDo(t, w.Office, "GET", "/api/v1/feedback", "", "").Decode(t, http.StatusOK, &q)
	if q.Total != 4 {
		t.Fatalf("queue total %d, want 4 (the 5-star without message left out)", q.Total)
	}
	apptest.APIDo(t, w.Office, "GET", "/api/v1/feedback?unit_id="+apptest.Itoa(w.A.ID)+"&status=pending", "", "").Decode(t, http.StatusOK, &q)
	if q.Total != 3 {
		t.Fatalf("unit A pending %d, want 3", q.Total)
	}
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "GET", "/api/v1/feedback?status=maybe&from=bad", "", ""), http.StatusUnprocessableEntity, "invalid", "from")

	// Duplicates merged into one case.
	var cs fixtures.Case
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/feedback/valid", map[string]any{
		"items":   []map[string]any{{"kind": "rating", "id": w.ids["a3"]}, {"kind": "rating", "id": w.ids["a4"]}},
		"problem": "办事大厅排队时间过长"}).Decode(t, http.StatusCreated, &cs)
	if cs.UnitID != w.A.ID || cs.Status != "sent" || len(cs.Sources) != 2 || cs.Problem != "办事大厅排队时间过长" {
		t.Errorf("case = %+v", cs)
	}
	// Invalid excludes; a second verdict conflicts; a bad reason is refused.
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/feedback/invalid", map[string]any{"kind": "rating", "id": w.ids["a1"], "reason": "dislike"}),
		http.StatusUnprocessableEntity, "invalid", "reason")
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/feedback/invalid", map[string]any{"kind": "rating", "id": w.ids["a1"], "reason": "malicious", "note": "竞争对手刷评"}).
		Decode(t, http.StatusOK, nil)
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/feedback/invalid", map[string]any{"kind": "rating", "id": w.ids["a1"], "reason": "mistaken"}),
		http.StatusConflict, "conflict")
	_, _, rs := fixtures.Feed(t, w.Office, "/api/v1/ratings?excluded=true")
	if len(rs) != 1 || rs[0].ID != w.ids["a1"] {
		t.Errorf("excluded ratings = %+v", rs)
	}
	// Reopen at the current version puts it back.
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/feedback/items/rating/"+w.ids["a1"]+"/reopen", map[string]any{"version": 0}).Decode(t, http.StatusConflict, nil)
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/feedback/items/rating/"+w.ids["a1"]+"/reopen", map[string]any{"version": 1}).Decode(t, http.StatusOK, nil)
	if _, _, rs := fixtures.Feed(t, w.Office, "/api/v1/ratings?excluded=true"); len(rs) != 0 {
		t.Error("reopened rating still excluded")
	}
	// A case of unit B is not visible to unit A.
	var csB fixtures.Case
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/feedback/valid", map[string]any{"items": []map[string]any{{"kind": "rating", "id": w.ids["b1"]}}}).
		Decode(t, http.StatusCreated, &csB)
	if csB.Problem != "不是本单位的事" {
		t.Errorf("prefilled problem %q", csB.Problem)
	}
	var list struct {
		Total int             `json:"total"`
		Cases []fixtures.Case `json:"cases"`
	}
	resp := apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/cases", "", "")
	resp.Decode(t, http.StatusOK, &list)
	if list.Total != 1 || list.Cases[0].ID != cs.ID {
		t.Errorf("unit A sees cases %+v", list)
	}
	// A list says how many items a case merges; only the case's own
	// answer sends them.
	if c := list.Cases[0]; c.SourceCount != 2 || c.Sources != nil || bytes.Contains(resp.Body, []byte(`"sources"`)) {
		t.Errorf("listed case = %+v, want source_count 2 and no sources: %s", c, resp.Body)
	}
	var one fixtures.Case
	apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/cases/"+apptest.Itoa(cs.ID), "", "").Decode(t, http.StatusOK, &one)
	if one.SourceCount != 2 || len(one.Sources) != 2 {
		t.Errorf("case = %+v, want its two items", one)
	}
	apptest.WantAPIError(t, apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/cases/"+apptest.Itoa(csB.ID), "", ""), http.StatusNotFound, "not_found")
	apptest.WantAPIError(t, apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/cases?unit_id="+apptest.Itoa(w.B.ID), "", ""), http.StatusForbidden, "forbidden")
	apptest.APIDo(t, w.Office, "GET", "/api/v1/cases", "", "").Decode(t, http.StatusOK, &list)
	if list.Total != 2 {
		t.Errorf("office sees %d cases, want 2", list.Total)
	}
}

func TestAPIFeedbackAppealsAndFlags(t *testing.T) {
	w := newFeedbackWorld(t)
	grounds := map[string]any{"grounds": "该评价人当天并未到窗口办事"}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/ratings/"+w.ids["a2"]+"/appeals", grounds), http.StatusForbidden, "forbidden")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", "/api/v1/ratings/"+w.ids["b1"]+"/appeals", grounds), http.StatusNotFound, "not_found")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", "/api/v1/ratings/"+w.ids["a2"]+"/appeals", grounds), http.StatusConflict, "conflict")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", "/api/v1/ratings/"+w.ids["a1"]+"/appeals", map[string]any{"grounds": " "}),
		http.StatusUnprocessableEntity, "invalid", "grounds")
	var a struct {
		ID             int64  `json:"id"`
		Status         string `json:"status"`
		DecisionReason string `json:"decision_reason"`
	}
	apptest.APIJSON(t, w.UnitUser, "POST", "/api/v1/ratings/"+w.ids["a1"]+"/appeals", grounds).Decode(t, http.StatusCreated, &a)
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", "/api/v1/ratings/"+w.ids["a1"]+"/appeals", grounds), http.StatusConflict, "conflict")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", "/api/v1/feedback/appeals/"+apptest.Itoa(a.ID)+"/uphold", map[string]any{"reason": "自己批准"}),
		http.StatusForbidden, "forbidden")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/feedback/appeals/"+apptest.Itoa(a.ID)+"/uphold", map[string]any{}),
		http.StatusUnprocessableEntity, "invalid", "reason")
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/feedback/appeals/"+apptest.Itoa(a.ID)+"/uphold", map[string]any{"reason": "经调取监控核实为恶意评价"}).
		Decode(t, http.StatusOK, nil)
	apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/feedback/appeals/"+apptest.Itoa(a.ID), "", "").Decode(t, http.StatusOK, &a)
	if a.Status != "upheld" || a.DecisionReason != "经调取监控核实为恶意评价" {
		t.Errorf("appeal as the unit sees it: %+v", a)
	}
	if _, _, rs := fixtures.Feed(t, w.Office, "/api/v1/ratings?excluded=true"); len(rs) != 1 || rs[0].ID != w.ids["a1"] {
		t.Errorf("upheld appeal did not exclude the rating: %+v", rs)
	}
	// Another unit's user does not see the appeal.
	w.App.AddUser(t, "unit-b", "unit-pass-2", "unit", &w.B.ID)
	ub := w.App.Client()
	ub.SignIn(t, "unit-b", "unit-pass-2")
	apptest.WantAPIError(t, apptest.APIDo(t, ub, "GET", "/api/v1/feedback/appeals/"+apptest.Itoa(a.ID), "", ""), http.StatusNotFound, "not_found")
	var al struct{ Total int }
	apptest.APIDo(t, ub, "GET", "/api/v1/feedback/appeals", "", "").Decode(t, http.StatusOK, &al)
	if al.Total != 0 {
		t.Errorf("unit B sees %d appeals", al.Total)
	}
	// Rejected: the rating stays.
	apptest.APIJSON(t, w.UnitUser, "POST", "/api/v1/ratings/"+w.ids["a3"]+"/appeals", grounds).Decode(t, http.StatusCreated, &a)
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/feedback/appeals/"+apptest.Itoa(a.ID)+"/reject", map[string]any{"reason": "证据不足"}).Decode(t, http.StatusOK, &a)
	if a.Status != "rejected" {
		t.Errorf("rejected appeal = %+v", a)
	}
	if _, _, rs := fixtures.Feed(t, w.Office, "/api/v1/ratings?excluded=true"); len(rs) != 1 {
		t.Errorf("rejected appeal changed exclusions: %d excluded", len(rs))
	}

	apptest.WantAPIError(t, apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/feedback/flags", "", ""), http.StatusForbidden, "forbidden")
	var scan struct{ Created int }
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/feedback/flags/scan", map[string]any{}).Decode(t, http.StatusOK, &scan)
	var fl struct{ Total int }
	apptest.APIDo(t, w.Office, "GET", "/api/v1/feedback/flags?status=open", "", "").Decode(t, http.StatusOK, &fl)
	if scan.Created != 0 || fl.Total != 0 {
		t.Errorf("ordinary ratings flagged: %d / %d", scan.Created, fl.Total)
	}

	// Ten phones behind one address rate unit B: flagged once, and
	// confirming excludes the ten ratings.
	for i := range 10 {
		if st := fixtures.PostQR(t, w.App, w.B.QR.Code, "phone-"+apptest.Itoa(int64(i)), url.Values{"level": {"5"}}); st != http.StatusSeeOther {
			t.Fatalf("QR rating %d: %d", i, st)
		}
	}
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/feedback/flags/scan", map[string]any{}).Decode(t, http.StatusOK, &scan)
	var flags struct {
		Flags []struct {
			ID        int64    `json:"id"`
			Kind      string   `json:"kind"`
			RatingIDs []string `json:"rating_ids"`
		} `json:"flags"`
	}
	apptest.APIDo(t, w.Office, "GET", "/api/v1/feedback/flags", "", "").Decode(t, http.StatusOK, &flags)
	if scan.Created != 1 || len(flags.Flags) != 1 || flags.Flags[0].Kind != "burst_address" || len(flags.Flags[0].RatingIDs) != 10 {
		t.Fatalf("burst scan: %d created, flags %+v", scan.Created, flags)
	}
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/feedback/flags/scan", map[string]any{}).Decode(t, http.StatusOK, &scan)
	if scan.Created != 0 {
		t.Errorf("second scan created %d", scan.Created)
	}
	id := apptest.Itoa(flags.Flags[0].ID)
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/feedback/flags/"+id+"/dismiss", map[string]any{}), http.StatusUnprocessableEntity, "invalid", "note")
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/feedback/flags/"+id+"/confirm", map[string]any{}).Decode(t, http.StatusOK, nil)
	if n, _, _ := fixtures.Feed(t, w.Office, "/api/v1/ratings?excluded=true&unit_id="+apptest.Itoa(w.B.ID)); n != 10 {
		t.Errorf("confirmed flag excluded %d ratings, want 10", n)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/feedback/flags/"+id+"/dismiss", map[string]any{"note": "晚了"}), http.StatusConflict, "conflict")
}
