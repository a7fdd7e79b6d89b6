package server_test

import (
	"net/http"
	"net/url"
	"testing"

	"minyi/internal/testutil/apptest"
)

// feedbackWorld is an apiWorld whose terminals sent, for unit A: a1 level
// 1 with a message, a2 level 5 without, a3 and a4 level 2 about the same
// queue, and for unit B: b1 level 1 with a message. ids maps client ids to
// rating ids.
type feedbackWorld struct {
	*apiWorld
	ids map[string]string
}

func newFeedbackWorld(t *testing.T) *feedbackWorld {
	t.Helper()
	w := &feedbackWorld{apiWorld: newAPIWorld(t, apptest.Options{}), ids: map[string]string{}}
	_, tokenA := w.createTerminal(t, w.a.ID, map[string]any{"name": "A评价器"})
	_, tokenB := w.createTerminal(t, w.b.ID, map[string]any{"name": "B评价器"})
	send := func(token string, items ...map[string]any) {
		apiJSON(t, w.anon, "POST", "/api/v1/terminal/ratings", map[string]any{"ratings": items}, "Authorization", "Bearer "+token).
			decode(t, http.StatusOK, nil)
	}
	send(tokenA,
		map[string]any{"id": "a1", "level": 1, "reasons": []string{"态度差"}, "comment": "窗口人员态度生硬"},
		map[string]any{"id": "a2", "level": 5},
		map[string]any{"id": "a3", "level": 2, "comment": "排队一个小时"},
		map[string]any{"id": "a4", "level": 2, "comment": "排队太久了"})
	send(tokenB, map[string]any{"id": "b1", "level": 1, "comment": "不是本单位的事"})
	_, _, list := feed(t, w.office, "/api/v1/ratings?limit=50")
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

type apiCase struct {
	ID      int64  `json:"id"`
	UnitID  int64  `json:"unit_id"`
	Problem string `json:"problem"`
	Status  string `json:"status"`
	Sources []struct {
		Kind string `json:"source_kind"`
		ID   string `json:"source_id"`
	} `json:"sources"`
}

func TestAPIFeedbackQueueAndVerdicts(t *testing.T) {
	w := newFeedbackWorld(t)
	wantAPIError(t, apiDo(t, w.unitUser, "GET", "/api/v1/feedback", "", ""), http.StatusForbidden, "forbidden")

	var q apiQueue
	apiDo(t, w.office, "GET", "/api/v1/feedback", "", "").decode(t, http.StatusOK, &q)
	if q.Total != 4 {
		t.Fatalf("queue total %d, want 4 (the 5-star without message left out)", q.Total)
	}
	apiDo(t, w.office, "GET", "/api/v1/feedback?unit_id="+itoa(w.a.ID)+"&status=pending", "", "").decode(t, http.StatusOK, &q)
	if q.Total != 3 {
		t.Fatalf("unit A pending %d, want 3", q.Total)
	}
	wantAPIError(t, apiDo(t, w.office, "GET", "/api/v1/feedback?status=maybe&from=bad", "", ""), http.StatusUnprocessableEntity, "invalid", "from")

	// Duplicates merged into one case.
	var cs apiCase
	apiJSON(t, w.office, "POST", "/api/v1/feedback/valid", map[string]any{
		"items":   []map[string]any{{"kind": "rating", "id": w.ids["a3"]}, {"kind": "rating", "id": w.ids["a4"]}},
		"problem": "办事大厅排队时间过长"}).decode(t, http.StatusCreated, &cs)
	if cs.UnitID != w.a.ID || cs.Status != "sent" || len(cs.Sources) != 2 || cs.Problem != "办事大厅排队时间过长" {
		t.Errorf("case = %+v", cs)
	}
	// Invalid excludes; a second verdict conflicts; a bad reason is refused.
	wantAPIError(t, apiJSON(t, w.office, "POST", "/api/v1/feedback/invalid", map[string]any{"kind": "rating", "id": w.ids["a1"], "reason": "dislike"}),
		http.StatusUnprocessableEntity, "invalid", "reason")
	apiJSON(t, w.office, "POST", "/api/v1/feedback/invalid", map[string]any{"kind": "rating", "id": w.ids["a1"], "reason": "malicious", "note": "竞争对手刷评"}).
		decode(t, http.StatusOK, nil)
	wantAPIError(t, apiJSON(t, w.office, "POST", "/api/v1/feedback/invalid", map[string]any{"kind": "rating", "id": w.ids["a1"], "reason": "mistaken"}),
		http.StatusConflict, "conflict")
	_, _, rs := feed(t, w.office, "/api/v1/ratings?excluded=true")
	if len(rs) != 1 || rs[0].ID != w.ids["a1"] {
		t.Errorf("excluded ratings = %+v", rs)
	}
	// Reopen at the current version puts it back.
	apiJSON(t, w.office, "POST", "/api/v1/feedback/items/rating/"+w.ids["a1"]+"/reopen", map[string]any{"version": 0}).decode(t, http.StatusConflict, nil)
	apiJSON(t, w.office, "POST", "/api/v1/feedback/items/rating/"+w.ids["a1"]+"/reopen", map[string]any{"version": 1}).decode(t, http.StatusOK, nil)
	if _, _, rs := feed(t, w.office, "/api/v1/ratings?excluded=true"); len(rs) != 0 {
		t.Error("reopened rating still excluded")
	}
	// A case of unit B is not visible to unit A.
	var csB apiCase
	apiJSON(t, w.office, "POST", "/api/v1/feedback/valid", map[string]any{"items": []map[string]any{{"kind": "rating", "id": w.ids["b1"]}}}).
		decode(t, http.StatusCreated, &csB)
	if csB.Problem != "不是本单位的事" {
		t.Errorf("prefilled problem %q", csB.Problem)
	}
	var list struct {
		Total int       `json:"total"`
		Cases []apiCase `json:"cases"`
	}
	apiDo(t, w.unitUser, "GET", "/api/v1/cases", "", "").decode(t, http.StatusOK, &list)
	if list.Total != 1 || list.Cases[0].ID != cs.ID {
		t.Errorf("unit A sees cases %+v", list)
	}
	wantAPIError(t, apiDo(t, w.unitUser, "GET", "/api/v1/cases/"+itoa(csB.ID), "", ""), http.StatusNotFound, "not_found")
	wantAPIError(t, apiDo(t, w.unitUser, "GET", "/api/v1/cases?unit_id="+itoa(w.b.ID), "", ""), http.StatusForbidden, "forbidden")
	apiDo(t, w.office, "GET", "/api/v1/cases", "", "").decode(t, http.StatusOK, &list)
	if list.Total != 2 {
		t.Errorf("office sees %d cases, want 2", list.Total)
	}
}

func TestAPIFeedbackAppealsAndFlags(t *testing.T) {
	w := newFeedbackWorld(t)
	grounds := map[string]any{"grounds": "该评价人当天并未到窗口办事"}
	wantAPIError(t, apiJSON(t, w.office, "POST", "/api/v1/ratings/"+w.ids["a2"]+"/appeals", grounds), http.StatusForbidden, "forbidden")
	wantAPIError(t, apiJSON(t, w.unitUser, "POST", "/api/v1/ratings/"+w.ids["b1"]+"/appeals", grounds), http.StatusNotFound, "not_found")
	wantAPIError(t, apiJSON(t, w.unitUser, "POST", "/api/v1/ratings/"+w.ids["a2"]+"/appeals", grounds), http.StatusConflict, "conflict")
	wantAPIError(t, apiJSON(t, w.unitUser, "POST", "/api/v1/ratings/"+w.ids["a1"]+"/appeals", map[string]any{"grounds": " "}),
		http.StatusUnprocessableEntity, "invalid", "grounds")
	var a struct {
		ID             int64  `json:"id"`
		Status         string `json:"status"`
		DecisionReason string `json:"decision_reason"`
	}
	apiJSON(t, w.unitUser, "POST", "/api/v1/ratings/"+w.ids["a1"]+"/appeals", grounds).decode(t, http.StatusCreated, &a)
	wantAPIError(t, apiJSON(t, w.unitUser, "POST", "/api/v1/ratings/"+w.ids["a1"]+"/appeals", grounds), http.StatusConflict, "conflict")
	wantAPIError(t, apiJSON(t, w.unitUser, "POST", "/api/v1/feedback/appeals/"+itoa(a.ID)+"/uphold", map[string]any{"reason": "自己批准"}),
		http.StatusForbidden, "forbidden")
	wantAPIError(t, apiJSON(t, w.office, "POST", "/api/v1/feedback/appeals/"+itoa(a.ID)+"/uphold", map[string]any{}),
		http.StatusUnprocessableEntity, "invalid", "reason")
	apiJSON(t, w.office, "POST", "/api/v1/feedback/appeals/"+itoa(a.ID)+"/uphold", map[string]any{"reason": "经调取监控核实为恶意评价"}).
		decode(t, http.StatusOK, nil)
	apiDo(t, w.unitUser, "GET", "/api/v1/feedback/appeals/"+itoa(a.ID), "", "").decode(t, http.StatusOK, &a)
	if a.Status != "upheld" || a.DecisionReason != "经调取监控核实为恶意评价" {
		t.Errorf("appeal as the unit sees it: %+v", a)
	}
	if _, _, rs := feed(t, w.office, "/api/v1/ratings?excluded=true"); len(rs) != 1 || rs[0].ID != w.ids["a1"] {
		t.Errorf("upheld appeal did not exclude the rating: %+v", rs)
	}
	// Another unit's user does not see the appeal.
	w.app.AddUser(t, "unit-b", "unit-pass-2", "unit", &w.b.ID)
	ub := w.app.Client()
	ub.SignIn(t, "unit-b", "unit-pass-2")
	wantAPIError(t, apiDo(t, ub, "GET", "/api/v1/feedback/appeals/"+itoa(a.ID), "", ""), http.StatusNotFound, "not_found")
	var al struct{ Total int }
	apiDo(t, ub, "GET", "/api/v1/feedback/appeals", "", "").decode(t, http.StatusOK, &al)
	if al.Total != 0 {
		t.Errorf("unit B sees %d appeals", al.Total)
	}
	// Rejected: the rating stays.
	apiJSON(t, w.unitUser, "POST", "/api/v1/ratings/"+w.ids["a3"]+"/appeals", grounds).decode(t, http.StatusCreated, &a)
	apiJSON(t, w.office, "POST", "/api/v1/feedback/appeals/"+itoa(a.ID)+"/reject", map[string]any{"reason": "证据不足"}).decode(t, http.StatusOK, &a)
	if a.Status != "rejected" {
		t.Errorf("rejected appeal = %+v", a)
	}
	if _, _, rs := feed(t, w.office, "/api/v1/ratings?excluded=true"); len(rs) != 1 {
		t.Errorf("rejected appeal changed exclusions: %d excluded", len(rs))
	}

	wantAPIError(t, apiDo(t, w.unitUser, "GET", "/api/v1/feedback/flags", "", ""), http.StatusForbidden, "forbidden")
	var scan struct{ Created int }
	apiJSON(t, w.office, "POST", "/api/v1/feedback/flags/scan", map[string]any{}).decode(t, http.StatusOK, &scan)
	var fl struct{ Total int }
	apiDo(t, w.office, "GET", "/api/v1/feedback/flags?status=open", "", "").decode(t, http.StatusOK, &fl)
	if scan.Created != 0 || fl.Total != 0 {
		t.Errorf("ordinary ratings flagged: %d / %d", scan.Created, fl.Total)
	}

	// Ten phones behind one address rate unit B: flagged once, and
	// confirming excludes the ten ratings.
	for i := range 10 {
		if st := postQR(t, w.app, w.b.QR.Code, "phone-"+itoa(int64(i)), url.Values{"level": {"5"}}); st != http.StatusSeeOther {
			t.Fatalf("QR rating %d: %d", i, st)
		}
	}
	apiJSON(t, w.office, "POST", "/api/v1/feedback/flags/scan", map[string]any{}).decode(t, http.StatusOK, &scan)
	var flags struct {
		Flags []struct {
			ID        int64    `json:"id"`
			Kind      string   `json:"kind"`
			RatingIDs []string `json:"rating_ids"`
		} `json:"flags"`
	}
	apiDo(t, w.office, "GET", "/api/v1/feedback/flags", "", "").decode(t, http.StatusOK, &flags)
	if scan.Created != 1 || len(flags.Flags) != 1 || flags.Flags[0].Kind != "burst_address" || len(flags.Flags[0].RatingIDs) != 10 {
		t.Fatalf("burst scan: %d created, flags %+v", scan.Created, flags)
	}
	apiJSON(t, w.office, "POST", "/api/v1/feedback/flags/scan", map[string]any{}).decode(t, http.StatusOK, &scan)
	if scan.Created != 0 {
		t.Errorf("second scan created %d", scan.Created)
	}
	id := itoa(flags.Flags[0].ID)
	wantAPIError(t, apiJSON(t, w.office, "POST", "/api/v1/feedback/flags/"+id+"/dismiss", map[string]any{}), http.StatusUnprocessableEntity, "invalid", "note")
	apiJSON(t, w.office, "POST", "/api/v1/feedback/flags/"+id+"/confirm", map[string]any{}).decode(t, http.StatusOK, nil)
	if n, _, _ := feed(t, w.office, "/api/v1/ratings?excluded=true&unit_id="+itoa(w.b.ID)); n != 10 {
		t.Errorf("confirmed flag excluded %d ratings, want 10", n)
	}
	wantAPIError(t, apiJSON(t, w.office, "POST", "/api/v1/feedback/flags/"+id+"/dismiss", map[string]any{"note": "晚了"}), http.StatusConflict, "conflict")
}
