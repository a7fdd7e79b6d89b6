package agenciesapp_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

var agencyTokenRE = regexp.MustCompile(`value="(ma_[A-Za-z0-9_-]+)"`)

func TestConsoleAgencies(t *testing.T) {
	w := fixtures.NewAgencyWorld(t)
	c := apptest.SignedIn(t, w.App, "office1", "office-pass-1")
	listPath := "/console/surveys/" + apptest.Itoa(w.Survey) + "/agencies"

	p := apptest.Get(t, c, listPath)
	if p.Status != http.StatusOK || !p.Has("甲调查公司") || !p.Has("新增机构") || !p.Has("2025年度满意度调查") {
		t.Fatalf("list page %d", p.Status)
	}
	if p = apptest.Post(t, c, listPath, url.Values{"name": {""}, "contact": {"x"}}); p.Status != http.StatusUnprocessableEntity || !p.Has("请填写机构名称") {
		t.Errorf("empty name: %d", p.Status)
	}
	if p = apptest.Post(t, c, listPath, url.Values{"name": {"甲调查公司"}}); p.Status != http.StatusUnprocessableEntity || !p.Has("已有名为") {
		t.Errorf("taken name: %d", p.Status)
	}
	p = apptest.Post(t, c, listPath, url.Values{"name": {"乙调查公司"}, "contact": {"李四 13800000000"}})
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/console/agencies/") || !strings.Contains(p.Location, "msg=agency_created") {
		t.Fatalf("create: %d %q", p.Status, p.Location)
	}
	agencyPage := strings.Split(p.Location, "?")[0]
	p = apptest.Get(t, c, p.Location)
	if p.Status != http.StatusOK || !p.Has("乙调查公司") || !p.Has("机构已创建") || !p.Has("签发新令牌") || !p.Has("还没有令牌") {
		t.Fatalf("agency page %d", p.Status)
	}

	// A token is shown once, and works.
	p = apptest.Post(t, c, agencyPage+"/tokens", nil)
	m := agencyTokenRE.FindStringSubmatch(p.Body)
	if p.Status != http.StatusCreated || m == nil {
		t.Fatalf("token page %d", p.Status)
	}
	token := m[1]
	if p = apptest.Get(t, c, agencyPage); strings.Contains(p.Body, token) || !p.Has(token[:7]+"…") {
		t.Error("the agency page shows the token again, or not its hint")
	}
	apptest.APIDo(t, w.AgencyCl, "GET", "/api/v1/agency/progress", "", "", "Authorization", "Bearer "+token).Decode(t, http.StatusOK, nil)

	// Quotas: a group for all units, then one unit; a bad target is explained.
	if p = apptest.Post(t, c, agencyPage+"/quotas", url.Values{"group_key": {"npc_deputies"}, "unit_id": {""}, "target": {"12"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("quota: %d %s", p.Status, p.Body)
	}
	if p = apptest.Post(t, c, agencyPage+"/quotas", url.Values{"group_key": {"npc_deputies"}, "unit_id": {apptest.Itoa(w.B.ID)}, "target": {"3"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("unit quota: %d", p.Status)
	}
	p = apptest.Post(t, c, agencyPage+"/quotas", url.Values{"group_key": {""}, "target": {"abc"}})
	if p.Status != http.StatusUnprocessableEntity || !p.Has("请选择受访群体") || !p.Has("目标样本量须为0到1000000之间的整数") {
		t.Errorf("bad quota: %d", p.Status)
	}
	p = apptest.Get(t, c, agencyPage+"?msg=agency_quota_set")
	if !p.Has("目标样本量已设置") || !p.Has(`id="progress"`) || !p.Has("<td class=\"right\">15</td>") {
		t.Errorf("progress table missing the targets (12 + 3)")
	}

	// Upload on the agency's behalf: a report follows.
	file := xlsxFile(t, [][]any{
		{"答卷编号", "单位", "受访群体", "总体满意度", "办事效率"},
		{"E1", "ZWZX", "人大代表", 5, 4},
		{"E2", "市税务局", "人大代表", "满意", ""},
		{"E3", "市税务局", "路人", 9, ""},
	}, nil)
	p = apptest.PostFile(t, c, agencyPage+"/uploads", "邮件附件.xlsx", file)
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "/uploads/") {
		t.Fatalf("upload: %d %q %s", p.Status, p.Location, p.Body)
	}
	p = apptest.Get(t, c, p.Location)
	for _, s := range []string{"上传报告", "邮件附件.xlsx", "office1 代传", `id="rows-stored">2<`, `id="rows-invalid">1<`,
		"受访群体“路人”未参与本问卷", "总体满意度“9”无效", "<td class=\"right\">4</td>"} {
		if !p.Has(s) {
			t.Errorf("report page lacks %q", s)
		}
	}
	if n := w.App.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'agency_upload.create' AND actor = 'office1'`); n != 1 {
		t.Errorf("%d audit entries for the upload", n)
	}
	// The same file again: duplicates only.
	p = apptest.Get(t, c, apptest.PostFile(t, c, agencyPage+"/uploads", "邮件附件.xlsx", file).Location)
	if !p.Has(`id="rows-stored">0<`) || !p.Has(`id="rows-duplicate">2<`) {
		t.Error("replayed file not reported as duplicates")
	}
	// Files that cannot be read are explained on the agency's page.
	merged := xlsxFile(t, [][]any{{"答卷编号", "单位", "受访群体", "总体满意度"}, {"M1", "ZWZX", "人大代表", 5}},
		func(f *excelize.File) { f.MergeCell("Sheet1", "A3", "B4") })
	p = apptest.PostFile(t, c, agencyPage+"/uploads", "m.xlsx", merged)
	if p.Status != http.StatusUnprocessableEntity || !p.Has("表格含合并单元格（A3:B4），请取消合并后重新上传") {
		t.Errorf("merged cells: %d", p.Status)
	}
	p = apptest.PostFile(t, c, agencyPage+"/uploads", "t.xlsx", file[:len(file)/2])
	if p.Status != http.StatusUnprocessableEntity || !p.Has("文件已损坏或不完整") {
		t.Errorf("truncated: %d", p.Status)
	}
	p = apptest.PostFile(t, c, agencyPage+"/uploads", "big.csv", make([]byte, 11<<20))
	if p.Status != http.StatusRequestEntityTooLarge || !p.Has("10 MB") {
		t.Errorf("too big: %d", p.Status)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM survey_responses`); n != 2 {
		t.Errorf("%d responses", n)
	}

	// The template downloads as a workbook the upload accepts.
	res, err := c.C.Get(c.App.URL + agencyPage + "/template.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	tmpl, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("template: %d %v", res.StatusCode, res.Header)
	}
	if f, err := excelize.OpenReader(strings.NewReader(string(tmpl))); err != nil || f.GetSheetName(0) != "答卷" {
		t.Errorf("template workbook: %v", err)
	}

	// Revoke the token, disable the agency.
	if p = apptest.Get(t, c, agencyPage); !p.Has("/revoke") {
		t.Fatal("no revoke form")
	}
	revoke := regexp.MustCompile(`action="(/console/agencies/\d+/tokens/\d+/revoke)"`).FindStringSubmatch(p.Body)[1]
	if p = apptest.Post(t, c, revoke, nil); p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "agency_token_revoked") {
		t.Errorf("revoke: %d %q", p.Status, p.Location)
	}
	apptest.WantAPIError(t, apptest.APIDo(t, w.AgencyCl, "GET", "/api/v1/agency", "", "", "Authorization", "Bearer "+token), 401, "unauthorized")
	if p = apptest.Post(t, c, agencyPage+"/disable", nil); p.Status != http.StatusSeeOther {
		t.Errorf("disable: %d", p.Status)
	}
	if p = apptest.Get(t, c, agencyPage); !p.Has("机构已停用") || !p.Has("启用机构") || p.Has("签发新令牌") {
		t.Error("disabled agency page")
	}
	if p = apptest.Post(t, c, agencyPage, url.Values{"name": {"乙调查公司（新）"}, "contact": {""}}); p.Status != http.StatusSeeOther {
		t.Errorf("rename: %d", p.Status)
	}

	// The survey closes: the upload form gives way to a notice, and a post is refused.
	execSQL(t, w, `UPDATE surveys SET status = 'closed', closed_at = now() WHERE id = $1`, w.Survey)
	if p = apptest.Get(t, c, agencyPage); p.Has(`enctype="multipart/form-data"`) || !p.Has("不能上传答卷") {
		t.Error("closed survey still offers the upload form")
	}
	p = apptest.PostFile(t, c, agencyPage+"/uploads", "late.xlsx", file)
	if p.Status != http.StatusConflict || !p.Has("问卷调查已结束，不再接受提交") {
		t.Errorf("closed survey upload: %d", p.Status)
	}

	// Unit users see none of it.
	u := apptest.SignedIn(t, w.App, "unit-a", "unit-pass-1")
	for _, path := range []string{listPath, agencyPage, agencyPage + "/template.xlsx"} {
		if p := apptest.Get(t, u, path); p.Status != http.StatusForbidden {
			t.Errorf("unit user on %s: %d", path, p.Status)
		}
	}
	if p := apptest.Get(t, c, "/console/agencies/999999"); p.Status != http.StatusNotFound {
		t.Errorf("unknown agency: %d", p.Status)
	}
}
