package instrumentsapp_test

import (
	"net/http"
	"net/url"
	"testing"

	"minyi/internal/testutil/apptest"
)

// partnersWorld adds to peerWorld an open 部门互评 rating partners only.
func partnersWorld(t *testing.T) (*peerWorld, instrumentReply) {
	w := newPeerWorld(t)
	var p instrumentReply
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/cycles/"+apptest.Itoa(w.Cycle.ID)+"/instruments", map[string]any{
		"key": "peer_partners", "name": "协作单位互评", "purpose": "peer", "partners_only": true}).Decode(t, http.StatusCreated, &p)
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/instruments/"+apptest.Itoa(p.ID)+"/open", nil).Decode(t, http.StatusOK, &p)
	return w, p
}

func partnerIDs(t *testing.T, w *peerWorld, inst, rater int64) []int64 {
	t.Helper()
	rows, err := w.App.Pool.Query(t.Context(), `SELECT rated_unit_id FROM evaluation_instrument_partners
		WHERE instrument_id = $1 AND rater_unit_id = $2 ORDER BY rated_unit_id`, inst, rater)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

// TestPartnerPages: the office finds a rater unit on the paged,
// searchable list, ticks the units it works with a page at a time
// (partners on other pages stay), and is refused with a Chinese message,
// nothing changed, for the unit itself, an unknown unit and a closed
// instrument; the unit then rates only its partners.
func TestPartnerPages(t *testing.T) {
	w, inst := partnersWorld(t)
	ipath := "/console/instruments/" + apptest.Itoa(inst.ID)
	list := ipath + "/partners"
	edit := list + "/" + apptest.Itoa(w.A.ID)
	if p := apptest.Get(t, w.Office, ipath); !p.Has(`href="` + list + `"`) {
		t.Fatal("the instrument page does not link to the partners")
	}
	if p := apptest.Get(t, w.Office, "/console/instruments/"+apptest.Itoa(w.Peer.ID)); p.Has(`id="partners-link"`) {
		t.Error("a 部门互评 of every unit links to partners")
	}
	p := apptest.Get(t, w.Office, list)
	if p.Status != http.StatusOK || !apptest.HasText(p, "市政务服务中心") || !apptest.HasText(p, "市交通运输局") || !p.Has("未设置") {
		t.Fatalf("partners list: %d", p.Status)
	}
	if p = apptest.Get(t, w.Office, list+"?q=税务"); !apptest.HasText(p, "市税务局") || apptest.HasText(p, "市交通运输局") {
		t.Errorf("search by name")
	}
	if p = apptest.Get(t, w.Office, list+"?category="+url.QueryEscape("社会服务类")); !apptest.HasText(p, "市政务服务中心") || apptest.HasText(p, "市税务局") {
		t.Errorf("filter by category")
	}

	// A's candidates: B and C, never A itself.
	p = apptest.Get(t, w.Office, edit)
	if p.Status != http.StatusOK || !p.Has(`name="on" value="`+apptest.Itoa(w.B.ID)+`"`) ||
		!p.Has(`name="on" value="`+apptest.Itoa(w.C.ID)+`"`) || p.Has(`name="on" value="`+apptest.Itoa(w.A.ID)+`"`) {
		t.Fatalf("partner page: %d", p.Status)
	}
	save := func(shown, on []int64) apptest.Page {
		f := url.Values{}
		for _, id := range shown {
			f.Add("shown", apptest.Itoa(id))
		}
		for _, id := range on {
			f.Add("on", apptest.Itoa(id))
		}
		return apptest.Post(t, w.Office, edit, f)
	}
	if p = save([]int64{w.B.ID, w.C.ID}, []int64{w.B.ID}); p.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", p.Status, apptest.PageText(p.Body))
	}
	// A page showing only C leaves B alone.
	save([]int64{w.C.ID}, []int64{w.C.ID})
	if got := partnerIDs(t, w, inst.ID, w.A.ID); len(got) != 2 {
		t.Fatalf("partners %v", got)
	}
	save([]int64{w.C.ID}, nil)
	if got := partnerIDs(t, w, inst.ID, w.A.ID); len(got) != 1 || got[0] != w.B.ID {
		t.Fatalf("partners %v, want B", got)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'instrument.partners'`); n != 3 {
		t.Errorf("%d audit entries, want 3", n)
	}
	if p = apptest.Get(t, w.Office, edit+"?chosen=1"); !apptest.HasText(p, "市税务局") || apptest.HasText(p, "市交通运输局") {
		t.Error("chosen only")
	}

	// Refusals: nothing changes.
	for _, tt := range []struct {
		on   int64
		want string
	}{{w.A.ID, "协作单位不能包含本单位"}, {999999, "协作单位须为已登记的单位"}} {
		p = save([]int64{tt.on}, []int64{tt.on})
		if p.Status != http.StatusUnprocessableEntity || !apptest.HasText(p, tt.want) {
			t.Errorf("partner %d: %d", tt.on, p.Status)
		}
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "PUT", "/api/v1/instruments/"+apptest.Itoa(inst.ID)+"/partners/"+apptest.Itoa(w.A.ID),
		map[string]any{"units": []int64{w.A.ID}}), http.StatusUnprocessableEntity, "invalid", "units")
	if got := partnerIDs(t, w, inst.ID, w.A.ID); len(got) != 1 || got[0] != w.B.ID {
		t.Fatalf("partners after refusals %v", got)
	}

	// A rates only B.
	var ballot struct {
		Items []struct {
			UnitID int64 `json:"unit_id"`
		} `json:"items"`
	}
	apptest.APIJSON(t, w.UnitUser, "GET", "/api/v1/instruments/"+apptest.Itoa(inst.ID)+"/ballot", nil).Decode(t, http.StatusOK, &ballot)
	if len(ballot.Items) != 1 || ballot.Items[0].UnitID != w.B.ID {
		t.Errorf("ballot %+v", ballot)
	}
	// Units never see these pages.
	for _, path := range []string{list, edit} {
		if p := apptest.Get(t, w.UnitUser, path); p.Status != http.StatusForbidden {
			t.Errorf("%s as a unit: %d", path, p.Status)
		}
	}
	if p := apptest.Post(t, w.UnitUser, edit, url.Values{"shown": {apptest.Itoa(w.C.ID)}, "on": {apptest.Itoa(w.C.ID)}}); p.Status != http.StatusForbidden {
		t.Errorf("unit saves: %d", p.Status)
	}
	// An invitee instrument has no partners.
	if p := apptest.Get(t, w.Office, "/console/instruments/"+apptest.Itoa(w.Leaders.ID)+"/partners"); p.Status != http.StatusNotFound {
		t.Errorf("leaders' partners: %d", p.Status)
	}

	// Closed: shown, not edited; the page and the API refuse.
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/instruments/"+apptest.Itoa(inst.ID)+"/close", nil).Decode(t, http.StatusOK, nil)
	if p = apptest.Get(t, w.Office, edit); p.Has(`id="save-partners"`) || !apptest.HasText(p, "评价项目已结束") {
		t.Error("closed: the page still offers to save")
	}
	if p = save([]int64{w.C.ID}, []int64{w.C.ID}); p.Status != http.StatusConflict || !apptest.HasText(p, "评价项目已结束，不能再修改协作单位") {
		t.Errorf("closed save: %d", p.Status)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "PUT", "/api/v1/instruments/"+apptest.Itoa(inst.ID)+"/partners/"+apptest.Itoa(w.A.ID),
		map[string]any{"units": []int64{w.C.ID}}), http.StatusConflict, "conflict")
	if got := partnerIDs(t, w, inst.ID, w.A.ID); len(got) != 1 {
		t.Fatalf("partners after closing %v", got)
	}
}
