package citizensmsapp_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"minyi/internal/citizensms"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// TestInstrumentInviteesBySMSAndLetters invites a leaders' evaluation's
// invitees: those with a mobile get their own /e/ link by SMS once however
// often the office presses (each round audited, each message tied to its
// invitee and shown on the invitee list); the others get a printed letter.
func TestInstrumentInviteesBySMSAndLetters(t *testing.T) {
	g := newGateway(t)
	clock := apptest.NewClock(time.Date(2026, 3, 16, 10, 0, 0, 0, apptest.Shanghai))
	w := fixtures.NewAPIWorld(t, apptest.Options{Now: clock.Now, Env: g.env})
	cy := w.CreateCycle(t, "2026年度", 2026, nil)
	var inst, peer struct {
		ID int64 `json:"id"`
	}
	base := "/api/v1/cycles/" + apptest.Itoa(cy.ID) + "/instruments"
	apptest.APIJSON(t, w.Office, "POST", base, map[string]any{"key": "leaders", "name": "市领导评价", "purpose": "leaders",
		"anonymous": true}).Decode(t, http.StatusCreated, &inst)
	apptest.APIJSON(t, w.Office, "POST", base, map[string]any{"key": "peer", "name": "部门互评", "purpose": "peer"}).
		Decode(t, http.StatusCreated, &peer)
	ipath := "/api/v1/instruments/" + apptest.Itoa(inst.ID)
	for _, v := range []map[string]any{{"name": "市领导甲", "phone": "+86 138 1234 5678"}, {"name": "市领导乙", "phone": "0791-86123456"},
		{"name": "市领导丙"}} {
		v["group"] = "市领导"
		apptest.APIJSON(t, w.Office, "POST", ipath+"/invitees", v).Decode(t, http.StatusCreated, nil)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", ipath+"/invitees", map[string]any{"name": "市领导丁", "phone": "12345"}),
		http.StatusUnprocessableEntity, "invalid", "phone")
	if n := w.App.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'instrument.invite' AND after::text LIKE '%12345678%'`); n != 0 {
		t.Error("the audit log keeps a full number")
	}

	// Not open yet, or answered by units: 409, nothing recorded.
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", ipath+"/sms/invite", nil), http.StatusConflict, "conflict")
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/instruments/"+apptest.Itoa(peer.ID)+"/open", nil).Decode(t, http.StatusOK, nil)
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/instruments/"+apptest.Itoa(peer.ID)+"/sms/invite", nil),
		http.StatusConflict, "conflict")
	apptest.APIJSON(t, w.Office, "POST", ipath+"/open", nil).Decode(t, http.StatusOK, nil)
	startWorker(t, w.App, clock.Now)

	round := func(sent, skipped int) {
		t.Helper()
		var r citizensms.SurveyResult
		apptest.APIJSON(t, w.Office, "POST", ipath+"/sms/invite", nil).Decode(t, http.StatusOK, &r)
		if r.Sent != sent || r.Skipped != skipped {
			t.Fatalf("round: %+v, want %d sent and %d skipped", r, sent, skipped)
		}
	}
	round(1, 0)
	round(0, 1) // pressed again: nobody twice
	// From the page too.
	if p := apptest.Post(t, w.Office, "/console/instruments/"+apptest.Itoa(inst.ID)+"/sms/invite", nil); p.Status != http.StatusSeeOther {
		t.Fatalf("page round: %d", p.Status)
	}
	waitFor(t, "the invitation", func() bool { return len(list(t, w, "?state=sent&kind=instrument_invite").Items) == 1 })
	msgs := g.messages(t)
	if len(msgs) != 1 || msgs[0].To != "13812345678" ||
		!strings.HasPrefix(msgs[0].Text, "【某市绩效办】诚邀您参加“市领导评价”，请点击评价："+w.App.URL+"/e/") {
		t.Fatalf("messages %+v", msgs)
	}
	link := linkRE.FindString(msgs[0].Text)
	if p := apptest.Get(t, w.Anon, strings.TrimPrefix(link, w.App.URL)); p.Status != http.StatusOK || !apptest.HasText(p, "市领导甲") {
		t.Errorf("the SMS link opens %d", p.Status)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM citizen_sms m JOIN evaluation_instrument_invitees v ON v.id = m.invitee_id
		WHERE v.name = '市领导甲'`); n != 1 {
		t.Errorf("%d messages tied to the invitee", n)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'citizen_sms.instrument_invite'`); n != 3 {
		t.Errorf("%d rounds audited, want 3", n)
	}
	p := apptest.Get(t, w.Office, "/console/instruments/"+apptest.Itoa(inst.ID))
	if !apptest.HasText(p, "138****5678") || !apptest.HasText(p, "已发送") || !p.Has(`id="sms-invite"`) {
		t.Errorf("invitee list: %s", apptest.PageText(p.Body))
	}

	// Letters: those without a mobile (the landline and no number), or all.
	letters := "/console/instruments/" + apptest.Itoa(inst.ID) + "/letters"
	p = apptest.Get(t, w.Office, letters+"?nomobile=1")
	if p.Status != http.StatusOK || strings.Count(p.Body, `class="letter"`) != 2 || apptest.HasText(p, "市领导甲") ||
		!apptest.HasText(p, "市领导乙") || !apptest.HasText(p, "市领导丙") || !p.Has("data:image/png;base64,") {
		t.Errorf("letters without a mobile: %d", p.Status)
	}
	if p = apptest.Get(t, w.Office, letters); strings.Count(p.Body, `class="letter"`) != 3 || apptest.HasText(p, "5678") {
		t.Errorf("all letters")
	}
	if p = apptest.Get(t, w.UnitUser, letters); p.Status != http.StatusForbidden {
		t.Errorf("letters as a unit: %d", p.Status)
	}
}
