package itemsapp_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"minyi/internal/items"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

type itemList struct {
	Total int          `json:"total"`
	Items []items.Item `json:"items"`
}

func TestItemsAPIImportAndList(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	file := "事项编码,事项名称,单位\r\nSX-1,企业设立登记,市政务服务中心\r\nSX-2,户籍迁移,市税务局\r\nSX-3,,市税务局\r\n"
	body := map[string]any{"filename": "事项.csv", "content": base64.StdEncoding.EncodeToString([]byte(file))}
	var rep items.ImportReport
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/items/import", body).Decode(t, http.StatusOK, &rep)
	if rep.Added != 2 || rep.Invalid != 1 || rep.Errors[0].Row != 4 || rep.Errors[0].Column != "事项名称" {
		t.Fatalf("report %+v", rep)
	}
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/items/import", body).Decode(t, http.StatusOK, &rep)
	if rep.Added != 0 || rep.Unchanged != 2 {
		t.Fatalf("second import %+v", rep)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/items/import", map[string]any{"content": "!!"}), 422, "invalid", "content")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", "/api/v1/items/import", body), 403, "forbidden")

	var all, own itemList
	apptest.APIDo(t, w.Office, "GET", "/api/v1/items?q=登记", "", "").Decode(t, http.StatusOK, &all)
	if all.Total != 1 || all.Items[0].Code != "SX-1" {
		t.Errorf("office search %+v", all)
	}
	apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/items?unit_id="+apptest.Itoa(w.B.ID), "", "").Decode(t, http.StatusOK, &own)
	if own.Total != 1 || own.Items[0].UnitID != w.A.ID {
		t.Errorf("a unit's user reads its own items only, got %+v", own)
	}
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "GET", "/api/v1/items?unit_id=x", "", ""), 422, "invalid", "unit_id")
}

func TestConsoleStagesAndItems(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	office := apptest.SignedIn(t, w.App, "office1", "office-pass-1")
	p := apptest.Post(t, office, "/console/stages", url.Values{"name": {"审查"}, "code": {"4"}, "position": {"4"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("save stage: %d %.300s", p.Status, p.Body)
	}
	p = apptest.Post(t, office, "/console/stages", url.Values{"name": {"接件"}, "code": {"5"}, "position": {"5"}})
	if p.Status != http.StatusUnprocessableEntity || !apptest.HasText(p, "已有同名的环节") {
		t.Errorf("a second 接件: %d", p.Status)
	}
	p = apptest.Post(t, office, "/console/stages/4/retire", nil)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("retire stage: %d", p.Status)
	}
	var stages struct{ Items []items.Stage }
	apptest.APIDo(t, w.Office, "GET", "/api/v1/rating-stages", "", "").Decode(t, http.StatusOK, &stages)
	if len(stages.Items) != 4 || stages.Items[3].Code != "4" || stages.Items[3].RetiredAt == nil {
		t.Errorf("stages %+v", stages.Items)
	}

	p = apptest.Post(t, office, "/console/items", url.Values{"unit_id": {apptest.Itoa(w.A.ID)}, "code": {"SX 1"}, "name": {""}})
	if p.Status != http.StatusUnprocessableEntity || !apptest.HasText(p, "事项编码须为") || !apptest.HasText(p, "请填写事项名称") {
		t.Errorf("bad item: %d", p.Status)
	}
	p = apptest.Post(t, office, "/console/items", url.Values{"unit_id": {apptest.Itoa(w.A.ID)}, "code": {"SX-1"}, "name": {"企业设立登记"}, "online": {"1"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("add item: %d %.300s", p.Status, p.Body)
	}
	var list itemList
	apptest.APIDo(t, w.Office, "GET", "/api/v1/items", "", "").Decode(t, http.StatusOK, &list)
	if list.Total != 1 || !list.Items[0].Online {
		t.Fatalf("items %+v", list)
	}
	id := apptest.Itoa(list.Items[0].ID)
	if p = apptest.Post(t, office, "/console/items/"+id, url.Values{"name": {"企业设立登记（含变更）"}}); p.Status != http.StatusSeeOther {
		t.Errorf("rename: %d", p.Status)
	}
	if p = apptest.Post(t, office, "/console/items/"+id+"/retire", nil); p.Status != http.StatusSeeOther {
		t.Errorf("retire: %d", p.Status)
	}
	page := apptest.Get(t, office, "/console/items/"+id)
	if !apptest.HasText(page, "企业设立登记（含变更）") || !apptest.HasText(page, "已停用") || strings.Contains(page.Body, "SX-1\" name") {
		t.Errorf("item page after rename and retire: %.500s", apptest.PageText(page.Body))
	}
	if list := apptest.Get(t, office, "/console/items"); apptest.HasText(list, "企业设立登记（含变更）") {
		t.Error("a retired item is listed without 含已停用")
	}
	if fixtures.CountAudit(t, w, "item.retire", "service_item") != 1 || fixtures.CountAudit(t, w, "stage.create", "rating_stage") != 1 {
		t.Error("audit entries missing")
	}
}
