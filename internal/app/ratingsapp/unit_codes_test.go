package ratingsapp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// unitCredit is a valid unified social credit code (units.TestCreditCheckChar
// checks its check character).
const unitCredit = "91350100M000100Y43"

func TestAPIUnitCodes(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	path := "/api/v1/units/" + apptest.Itoa(w.A.ID)
	var got map[string]any
	apptest.APIDo(t, w.Office, "GET", path, "", "").Decode(t, http.StatusOK, &got)
	if v, ok := got["credit_code"]; !ok || v != nil {
		t.Errorf("unset credit_code = %v (present %v), want null", v, ok)
	}
	if v, ok := got["area_code"]; !ok || v != nil {
		t.Errorf("unset area_code = %v (present %v), want null", v, ok)
	}
	apptest.APIJSON(t, w.Office, "PATCH", path, map[string]string{"credit_code": " 91350100m000100y43", "area_code": "350100"}).Decode(t, http.StatusOK, &got)
	if got["credit_code"] != unitCredit || got["area_code"] != "350100" {
		t.Errorf("patched codes %v %v", got["credit_code"], got["area_code"])
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "PATCH", "/api/v1/units/"+apptest.Itoa(w.B.ID), map[string]string{"credit_code": unitCredit}),
		422, "invalid", "credit_code")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/units",
		map[string]string{"name": "市审计局", "category": "社会服务类", "credit_code": "91350100M000100Y44", "area_code": "3501"}),
		422, "invalid", "credit_code", "area_code")
	apptest.APIJSON(t, w.Office, "PATCH", path, map[string]string{"credit_code": ""}).Decode(t, http.StatusOK, &got)
	if got["credit_code"] != nil || got["area_code"] != "350100" {
		t.Errorf(`PATCH {"credit_code":""} gave %v %v, want only the credit code cleared`, got["credit_code"], got["area_code"])
	}
}

func TestConsoleUnitCodes(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	app.AddUser(t, "office1", "office-pass-1", "office", nil)
	c := apptest.SignedIn(t, app, "office1", "office-pass-1")
	p := apptest.Post(t, c, "/console/units", url.Values{"name": {"市政务服务中心"}, "category": {"社会服务类"},
		"credit_code": {"91350100M000100Y44"}, "area_code": {"35a100"}})
	if p.Status != http.StatusUnprocessableEntity || !p.Has("统一社会信用代码校验位不正确") || !p.Has("区划代码须为6位或12位数字") {
		t.Fatalf("bad codes: %d\n%s", p.Status, p.Body)
	}
	created := apptest.Post(t, c, "/console/units", url.Values{"name": {"市政务服务中心"}, "category": {"社会服务类"},
		"credit_code": {strings.ToLower(unitCredit)}, "area_code": {"350100000000"}})
	if created.Status != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", created.Status, created.Body)
	}
	unit := apptest.Get(t, c, created.Location)
	if !unit.Has(`value="`+unitCredit+`"`) || !unit.Has(`value="350100000000"`) {
		t.Fatalf("unit page lacks the codes:\n%s", unit.Body)
	}
	dup := apptest.Post(t, c, "/console/units", url.Values{"name": {"市税务局"}, "category": {"社会服务类"}, "credit_code": {unitCredit}})
	if dup.Status != http.StatusUnprocessableEntity || !dup.Has("已被其他单位使用") {
		t.Fatalf("duplicate credit code: %d", dup.Status)
	}
	id, _, _ := strings.Cut(strings.TrimPrefix(created.Location, "/console/units/"), "?")
	if p := apptest.Post(t, c, "/console/units/"+id, url.Values{"name": {"市政务服务中心"}, "category": {"社会服务类"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("clear codes: %d", p.Status)
	}
	if unit := apptest.Get(t, c, "/console/units/"+id); unit.Has(unitCredit) || unit.Has("350100000000") {
		t.Fatal("cleared codes still shown")
	}
}
