package accountsapp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// The office names itself once on the accounts page; the credential
// letters and the survey invitations are then signed with that name and
// the date, with room for the seal. A name too long is refused in
// Chinese and the old one kept; a unit may not change it.
func TestLettersAreSignedByTheOffice(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	office := apptest.SignedIn(t, w.App, "office1", "office-pass-1")
	unit := apptest.SignedIn(t, w.App, "unit-a", "unit-pass-1")
	const name = "某某市人民政府绩效管理委员会办公室"
	p := apptest.Post(t, office, "/console/accounts/signature", url.Values{"office_name": {" " + name + " "}})
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "msg=signature-saved") {
		t.Fatalf("save: %d %s", p.Status, p.Location)
	}
	p = apptest.Post(t, office, "/console/accounts/signature", url.Values{"office_name": {strings.Repeat("长", 61)}})
	if p.Status != http.StatusUnprocessableEntity || !apptest.HasText(p, "单位名称不能超过60字") {
		t.Errorf("too long: %d", p.Status)
	}
	if p = apptest.Post(t, unit, "/console/accounts/signature", url.Values{"office_name": {"单位自改"}}); p.Status != http.StatusForbidden {
		t.Errorf("a unit changed the signature: %d", p.Status)
	}
	p = apptest.Post(t, office, "/console/accounts", url.Values{"username": {"zhang.san"}, "name": {"张三"}, "role": {"office"}})
	if p.Status != http.StatusOK {
		t.Fatalf("create: %d", p.Status)
	}
	if !apptest.HasText(p, name) || !p.Has(`class="letter-seal"`) || strings.Contains(p.Body, "绩效管理工作机构") {
		t.Errorf("the letter is not signed by the office")
	}
	if n := w.App.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'office_profile.save'`); n != 1 {
		t.Errorf("%d audit entries, want 1", n)
	}
}
