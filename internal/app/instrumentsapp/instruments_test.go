package instrumentsapp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

type instrumentReply struct {
	ID     int64  `json:"id"`
	Key    string `json:"key"`
	Status string `json:"status"`
}

type resultReply struct {
	UnitID  int64    `json:"unit_id"`
	Answers int      `json:"answers"`
	Mean    *float64 `json:"mean"`
	Short   bool     `json:"short"`
}

// peerWorld has units A (社会服务类, the unit user's), B and C (经济发展类)
// and a cycle with an open 部门互评 among all units, at least 2 answers.
type peerWorld struct {
	*fixtures.APIWorld
	C       fixtures.UnitReply
	UserB   *apptest.Client
	Cycle   fixtures.CycleReply
	Peer    instrumentReply
	Leaders instrumentReply
}

func newPeerWorld(t *testing.T) *peerWorld {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 12, 10, 10, 0, 0, 0, loc)
	w := &peerWorld{APIWorld: fixtures.NewAPIWorld(t, apptest.Options{Now: func() time.Time { return now }})}
	w.C = w.CreateUnit(t, "市交通运输局", "经济发展类")
	w.App.AddUser(t, "unit-b", "unit-pass-2", "unit", &w.B.ID)
	w.UserB = w.App.Client()
	w.UserB.SignIn(t, "unit-b", "unit-pass-2")
	w.Cycle = w.CreateCycle(t, "2026年度", 2026, nil)
	base := "/api/v1/cycles/" + apptest.Itoa(w.Cycle.ID) + "/instruments"
	apptest.APIJSON(t, w.Office, "POST", base, map[string]any{"key": "peer", "name": "部门互评", "purpose": "peer",
		"min_answers": 2}).Decode(t, http.StatusCreated, &w.Peer)
	apptest.APIJSON(t, w.Office, "POST", base, map[string]any{"key": "leaders", "name": "领导评价", "purpose": "leaders",
		"scale": "mark", "min_answers": 1, "anonymous": false}).Decode(t, http.StatusCreated, &w.Leaders)
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/instruments/"+apptest.Itoa(w.Peer.ID)+"/open", nil).Decode(t, http.StatusOK, &w.Peer)
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/instruments/"+apptest.Itoa(w.Leaders.ID)+"/open", nil).Decode(t, http.StatusOK, &w.Leaders)
	return w
}

func TestInstrumentsAPI(t *testing.T) {
	w := newPeerWorld(t)
	peer := "/api/v1/instruments/" + apptest.Itoa(w.Peer.ID)
	if w.Peer.Status != "open" {
		t.Fatalf("peer %+v", w.Peer)
	}
	// A key the cycle already has; a bad purpose.
	base := "/api/v1/cycles/" + apptest.Itoa(w.Cycle.ID) + "/instruments"
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", base, map[string]any{"key": "peer", "name": "另一个", "purpose": "peer"}),
		http.StatusUnprocessableEntity, "invalid", "key")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", base, map[string]any{"key": "x", "name": "某评价", "purpose": "votes"}),
		http.StatusUnprocessableEntity, "invalid", "purpose")
	// Units may not configure instruments nor read their results.
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", base, map[string]any{"key": "x", "name": "某评价", "purpose": "peer"}),
		http.StatusForbidden, "forbidden")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "GET", peer+"/results", nil), http.StatusForbidden, "forbidden")

	// The unit's ballot lists every other unit, never its own.
	var ballot struct {
		Items []struct {
			UnitID int64 `json:"unit_id"`
		} `json:"items"`
		Total int `json:"total"`
	}
	apptest.APIJSON(t, w.UnitUser, "GET", peer+"/ballot", nil).Decode(t, http.StatusOK, &ballot)
	if ballot.Total != 2 || len(ballot.Items) != 2 || ballot.Items[0].UnitID == w.A.ID || ballot.Items[1].UnitID == w.A.ID {
		t.Errorf("ballot %+v", ballot)
	}
	// Rating itself: 422 with a Chinese message, nothing stored.
	r := apptest.APIJSON(t, w.UnitUser, "PUT", peer+"/answers", map[string]any{"answers": []map[string]any{
		{"unit_id": w.B.ID, "grade": "excellent"}, {"unit_id": w.A.ID, "grade": "excellent"}}})
	apptest.WantAPIError(t, r, http.StatusUnprocessableEntity, "invalid", "answers."+apptest.Itoa(w.A.ID))
	if !strings.Contains(string(r.Body), "不能评价本单位") {
		t.Errorf("self rating: %s", string(r.Body))
	}
	if n := w.App.Count(t, `SELECT count(*) FROM evaluation_instrument_answers`); n != 0 {
		t.Errorf("%d answers stored after a refusal", n)
	}
	// An invitee instrument is not answered by unit accounts: 403.
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "PUT", "/api/v1/instruments/"+apptest.Itoa(w.Leaders.ID)+"/answers",
		map[string]any{"answers": []map[string]any{{"unit_id": w.B.ID, "mark": 90}}}), http.StatusForbidden, "forbidden")
	// The office has no unit to rate from: 403.
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "PUT", peer+"/answers",
		map[string]any{"answers": []map[string]any{{"unit_id": w.B.ID, "grade": "good"}}}), http.StatusForbidden, "forbidden")

	// A rates B 优秀 (100) and C 一般 (70); B rates C 良好 (85).
	var saved struct{ Saved int }
	apptest.APIJSON(t, w.UnitUser, "PUT", peer+"/answers", map[string]any{"answers": []map[string]any{
		{"unit_id": w.B.ID, "grade": "excellent"}, {"unit_id": w.C.ID, "grade": "fair"}}}).Decode(t, http.StatusOK, &saved)
	apptest.APIJSON(t, w.UserB, "PUT", peer+"/answers", map[string]any{"answers": []map[string]any{
		{"unit_id": w.C.ID, "grade": "good"}}}).Decode(t, http.StatusOK, &saved)
	var res struct {
		Items []resultReply `json:"items"`
		Total int           `json:"total"`
	}
	apptest.APIJSON(t, w.Office, "GET", peer+"/results?limit=10", nil).Decode(t, http.StatusOK, &res)
	got := map[int64]resultReply{}
	for _, it := range res.Items {
		got[it.UnitID] = it
	}
	// C: (70 + 85) ÷ 2 = 77.50, enough; B: 100 from one answer, short; A: none.
	if res.Total != 3 || got[w.C.ID].Mean == nil || *got[w.C.ID].Mean != 77.5 || got[w.C.ID].Short ||
		got[w.B.ID].Answers != 1 || !got[w.B.ID].Short || got[w.A.ID].Mean != nil {
		t.Errorf("results %+v", res)
	}
	var x struct {
		Answers []struct {
			Rater string  `json:"rater"`
			Value float64 `json:"value"`
		} `json:"answers"`
	}
	apptest.APIJSON(t, w.Office, "GET", peer+"/results/"+apptest.Itoa(w.C.ID)+"/answers", nil).Decode(t, http.StatusOK, &x)
	if len(x.Answers) != 2 || x.Answers[0].Rater != "市政务服务中心" || x.Answers[0].Value != 70 || x.Answers[1].Value != 85 {
		t.Errorf("answers %+v", x)
	}

	// Closed: an answer is refused (409), nothing changes.
	apptest.APIJSON(t, w.Office, "POST", peer+"/close", nil).Decode(t, http.StatusOK, &w.Peer)
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UserB, "PUT", peer+"/answers", map[string]any{"answers": []map[string]any{
		{"unit_id": w.A.ID, "grade": "poor"}}}), http.StatusConflict, "conflict")
	if n := w.App.Count(t, `SELECT count(*) FROM evaluation_instrument_answers`); n != 3 {
		t.Errorf("%d answers, want 3", n)
	}

	// Invitees: a link per leader, answering on the public page.
	var inv struct {
		Link string `json:"link"`
	}
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/instruments/"+apptest.Itoa(w.Leaders.ID)+"/invitees",
		map[string]any{"name": "市领导甲", "group": "市领导"}).Decode(t, http.StatusCreated, &inv)
	i := strings.Index(inv.Link, "/e/")
	if i < 0 {
		t.Fatalf("link %q", inv.Link)
	}
	path := inv.Link[i:]
	p := apptest.Get(t, w.Anon, path)
	if p.Status != http.StatusOK || !apptest.HasText(p, "市政务服务中心") || !apptest.HasText(p, "市领导甲") {
		t.Errorf("invitee page %d", p.Status)
	}
	p = apptest.DoPage(t, w.Anon, "POST", path, url.Values{"u." + apptest.Itoa(w.A.ID): {"150"}})
	if p.Status != http.StatusUnprocessableEntity || !apptest.HasText(p, "分数须在0到100之间") {
		t.Errorf("bad mark: %d %s", p.Status, apptest.PageText(p.Body))
	}
	p = apptest.DoPage(t, w.Anon, "POST", path, url.Values{"u." + apptest.Itoa(w.A.ID): {"92.5"}})
	if p.Status != http.StatusSeeOther {
		t.Errorf("save: %d %.300s", p.Status, apptest.PageText(p.Body))
	}
	apptest.APIJSON(t, w.Office, "GET", "/api/v1/instruments/"+apptest.Itoa(w.Leaders.ID)+"/results", nil).Decode(t, http.StatusOK, &res)
	for _, it := range res.Items {
		if it.UnitID == w.A.ID && (it.Mean == nil || *it.Mean != 92.5 || it.Answers != 1) {
			t.Errorf("leaders result %+v", it)
		}
	}
	if p := apptest.Get(t, w.Anon, "/e/nosuchtokennosuchtoken"); p.Status != http.StatusNotFound {
		t.Errorf("unknown link: %d", p.Status)
	}
}

func TestInstrumentPages(t *testing.T) {
	w := newPeerWorld(t)
	ipath := "/console/instruments/" + apptest.Itoa(w.Peer.ID)
	// The unit answers on its page; its own unit is not offered, and a
	// posted answer for it is refused with a Chinese error.
	p := apptest.Get(t, w.UnitUser, "/console/evaluations")
	if p.Status != http.StatusOK || !apptest.HasText(p, "部门互评") {
		t.Fatalf("evaluations page %d", p.Status)
	}
	epath := "/console/evaluations/" + apptest.Itoa(w.Peer.ID)
	p = apptest.Get(t, w.UnitUser, epath)
	if p.Status != http.StatusOK || !apptest.HasText(p, "市税务局") || strings.Contains(p.Body, `name="u.`+apptest.Itoa(w.A.ID)+`"`) {
		t.Errorf("ballot page %d", p.Status)
	}
	p = apptest.Post(t, w.UnitUser, epath, url.Values{"u." + apptest.Itoa(w.A.ID): {"good"}, "u." + apptest.Itoa(w.B.ID): {"good"}})
	if p.Status != http.StatusUnprocessableEntity || !apptest.HasText(p, "不能评价本单位") {
		t.Errorf("self rating page: %d", p.Status)
	}
	p = apptest.Post(t, w.UnitUser, epath, url.Values{"u." + apptest.Itoa(w.B.ID): {"good"}})
	if p.Status != http.StatusSeeOther {
		t.Errorf("save: %d", p.Status)
	}
	// The leaders' instrument is not the unit's to answer.
	if p := apptest.Get(t, w.UnitUser, "/console/evaluations/"+apptest.Itoa(w.Leaders.ID)); p.Status != http.StatusForbidden {
		t.Errorf("leaders ballot for a unit: %d", p.Status)
	}
	// Office pages; a unit may not see them.
	for _, path := range []string{"/console/cycles/" + apptest.Itoa(w.Cycle.ID) + "/instruments", ipath,
		ipath + "/units/" + apptest.Itoa(w.B.ID)} {
		if p := apptest.Get(t, w.Office, path); p.Status != http.StatusOK {
			t.Errorf("%s: %d", path, p.Status)
		}
		if p := apptest.Get(t, w.UnitUser, path); p.Status != http.StatusForbidden {
			t.Errorf("%s as a unit: %d", path, p.Status)
		}
	}
	p = apptest.Get(t, w.Office, ipath)
	if !apptest.HasText(p, "份数不足") || !apptest.HasText(p, "85.00") {
		t.Errorf("results on the page: %s", apptest.PageText(p.Body))
	}
	// Creating from the form: grade points out of order are refused with
	// the form kept; the key is chosen (the purpose, then numbered).
	cpath := "/console/cycles/" + apptest.Itoa(w.Cycle.ID) + "/instruments"
	form := url.Values{"name": {"基层评价"}, "purpose": {"grassroots"}, "scale": {"grades"},
		"p0": {"100"}, "p1": {"85"}, "p2": {"90"}, "p3": {"50"}, "min_answers": {"2"}, "raters": {"社会服务类"}}
	if p := apptest.Post(t, w.Office, cpath, form); p.Status != http.StatusUnprocessableEntity || !apptest.HasText(p, "分值须从优秀到较差依次降低") {
		t.Errorf("bad points: %d", p.Status)
	}
	form.Set("p2", "70")
	if p := apptest.Post(t, w.Office, cpath, form); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/console/instruments/") {
		t.Errorf("create: %d %q", p.Status, p.Location)
	}
	form.Set("name", "基层评价（第二轮）")
	apptest.Post(t, w.Office, cpath, form)
	if n := w.App.Count(t, `SELECT count(*) FROM evaluation_instruments WHERE key IN ('grassroots', 'grassroots_2')`); n != 2 {
		t.Errorf("keys chosen: %d", n)
	}
	// Close from the page, then the unit's save is refused.
	if p := apptest.Post(t, w.Office, ipath+"/close", nil); p.Status != http.StatusSeeOther {
		t.Errorf("close: %d", p.Status)
	}
	p = apptest.Post(t, w.UnitUser, epath, url.Values{"u." + apptest.Itoa(w.B.ID): {"poor"}})
	if p.Status != http.StatusUnprocessableEntity || !apptest.HasText(p, "评价项目已结束") {
		t.Errorf("after closing: %d", p.Status)
	}
}
