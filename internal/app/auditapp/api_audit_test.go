package auditapp_test

import (
	"encoding/json"
	"strings"
	"testing"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// TestAPIAuditLog checks that each change is logged with who made it and
// the state before and after.
func TestAPIAuditLog(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	a := apptest.Itoa(w.A.ID)
	apptest.APIJSON(t, w.Office, "PATCH", "/api/v1/units/"+a, map[string]string{"name": "市行政审批局", "category": "社会服务类"}).Decode(t, 200, nil)
	var rotated struct{ QR struct{ Code string } }
	apptest.APIDo(t, w.Office, "POST", "/api/v1/units/"+a+"/qr/rotate", "application/json", "{}").Decode(t, 200, &rotated)
	termID, token := w.CreateTerminal(t, w.A.ID, map[string]any{"name": "1号评价器"})
	apptest.APIDo(t, w.Office, "DELETE", "/api/v1/terminals/"+apptest.Itoa(termID), "", "").Decode(t, 200, nil)

	type entry struct {
		Action, Actor, Entity string
		EntityID              string `json:"entity_id"`
		Before, After         map[string]any
	}
	audit := func(query string) []entry {
		var out struct {
			Total int
			Items []entry
		}
		apptest.APIDo(t, w.Office, "GET", "/api/v1/audit?"+query, "", "").Decode(t, 200, &out)
		if !strings.Contains(query, "limit") && out.Total != len(out.Items) {
			t.Errorf("audit total %d, %d items", out.Total, len(out.Items))
		}
		return out.Items
	}
	unitLog := audit("entity=unit&entity_id=" + a)
	if len(unitLog) != 3 {
		t.Fatalf("unit %s has %d audit entries, want create, update, rotate", a, len(unitLog))
	}
	rot, upd, create := unitLog[0], unitLog[1], unitLog[2]
	if create.Action != "unit.create" || create.Actor != "office1" || create.Before != nil || create.After["name"] != "市政务服务中心" {
		t.Errorf("create entry %+v", create)
	}
	if upd.Action != "unit.update" || upd.Before["name"] != "市政务服务中心" || upd.After["name"] != "市行政审批局" {
		t.Errorf("update entry %+v", upd)
	}
	if rot.Action != "qr.rotate" || rot.Before["qr_code"] != w.A.QR.Code || rot.After["qr_code"] != rotated.QR.Code {
		t.Errorf("rotate entry %+v, want %s → %s", rot, w.A.QR.Code, rotated.QR.Code)
	}
	termLog := audit("entity=terminal&entity_id=" + apptest.Itoa(termID))
	if len(termLog) != 2 || termLog[1].Action != "terminal.create" || termLog[0].Action != "terminal.revoke" {
		t.Fatalf("terminal audit %+v", termLog)
	}
	if termLog[1].Before != nil || termLog[1].After["name"] != "1号评价器" || termLog[1].Actor != "office1" {
		t.Errorf("terminal create entry %+v", termLog[1])
	}
	if termLog[0].Before["revoked_at"] != nil || termLog[0].After["revoked_at"] == nil {
		t.Errorf("revoke entry before %v after %v", termLog[0].Before, termLog[0].After)
	}
	all, _ := json.Marshal(audit("limit=200"))
	if strings.Contains(string(all), token) || strings.Contains(string(all), "$2a$") {
		t.Error("the audit log holds a terminal token or a password hash")
	}
	if got := audit("entity=unit&limit=1"); len(got) != 1 {
		t.Errorf("limit=1 gave %d entries", len(got))
	}
	if got := audit("entity=unit&limit=1&offset=1"); len(got) != 1 || got[0].Action != upd.Action {
		t.Errorf("limit=1&offset=1 gave %+v, want the second newest entry", got)
	}
	// Past the default page of 50, the limit asked for is honoured.
	for i := range 60 {
		w.CreateUnit(t, "单位"+apptest.Itoa(int64(i)), "社会服务类")
	}
	if got := audit("entity=unit&limit=300"); len(got) != 64 {
		t.Errorf("limit=300 gave %d entries, want all 64", len(got))
	}
	for _, q := range []string{"limit=0", "limit=501", "limit=x", "offset=-1", "offset=x"} {
		field := strings.SplitN(q, "=", 2)[0]
		apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "GET", "/api/v1/audit?"+q, "", ""), 422, "invalid", field)
	}
}
