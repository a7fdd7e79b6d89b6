package surveysapp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

func TestConsoleSurveyFromFormToClose(t *testing.T) {
	w := fixtures.NewSurveyWorld(t, apptest.Options{})
	c := w.Office
	if p := apptest.Get(t, c, "/console/surveys"); p.Status != http.StatusOK || !p.Has("还没有问卷") {
		t.Fatalf("empty list: %d", p.Status)
	}
	p := apptest.Get(t, c, "/console/surveys/new")
	if p.Status != http.StatusOK || !p.Has("2026年度") || !p.Has(`name="group_npc_deputies"`) || !p.Has(`value="efficiency" checked`) {
		t.Fatalf("new survey form: %d\n%s", p.Status, p.Body)
	}
	form := url.Values{"cycle_id": {apptest.Itoa(w.Cycle.ID)}, "title": {""}, "anonymous": {"1"}, "allow_opinion": {"1"},
		"aspects": {"efficiency", "openness"}, "custom": {"营商环境\n"}, "group_npc_deputies": {"all"},
		"group_experts": {"list"}, "closes_at": {"2099-12-31T18:00"}}
	p = apptest.Post(t, c, "/console/surveys", form)
	if p.Status != http.StatusUnprocessableEntity || !p.Has("请填写问卷标题") || !p.Has("营商环境") || !p.Has(`value="openness" checked`) {
		t.Fatalf("form without a title: %d\n%s", p.Status, p.Body)
	}
	form.Set("title", "2026年度满意度测评（代表委员）")
	p = apptest.Post(t, c, "/console/surveys", form)
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "tab=respondents") {
		t.Fatalf("create: %d %q\n%s", p.Status, p.Location, p.Body)
	}
	surveyURL := strings.SplitN(p.Location, "?", 2)[0]
	p = apptest.Get(t, c, surveyURL)
	if !p.Has("2026年度满意度测评（代表委员）") || !p.Has("办事效率、政务公开、营商环境") || !p.Has("专家学者（按名单评价）") ||
		!p.Has("2099-12-31 18:00") || !p.Has("开始问卷") {
		t.Fatalf("survey page:\n%s", p.Body)
	}
	// Edit while a draft.
	form.Set("title", "改名后的问卷")
	form.Set("group_experts", "")
	if p := apptest.Post(t, c, surveyURL, form); p.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", p.Status, p.Body)
	}
	if p := apptest.Get(t, c, surveyURL+"/edit"); !p.Has(`value="改名后的问卷"`) || !p.Has(`<option value="" selected>不参与</option>`) {
		t.Fatalf("edit form does not show the change:\n%s", p.Body)
	}

	// Respondents: one by hand, a file with good and bad rows.
	p = apptest.Post(t, c, surveyURL+"/respondents", url.Values{"name": {"张代表"}, "group": {"npc_deputies"}, "phone": {"13912345678"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("add respondent: %d\n%s", p.Status, p.Body)
	}
	p = apptest.Post(t, c, surveyURL+"/respondents", url.Values{"name": {""}, "group": {"npc_deputies"}, "phone": {"abc"}})
	if p.Status != http.StatusUnprocessableEntity || !p.Has("请填写姓名") || !p.Has("请填写正确的手机号码") {
		t.Fatalf("bad respondent: %d", p.Status)
	}
	book := excelize.NewFile()
	for i, row := range [][]any{{"姓名", "群体", "工作单位", "手机"}, {"李委员", "人大代表", "市二中", "13700001111"}, {"王某", "记者", "", ""}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		_ = book.SetSheetRow("Sheet1", cell, &row)
	}
	buf, _ := book.WriteToBuffer()
	p = apptest.PostFile(t, c, surveyURL+"/respondents/import", "名单.xlsx", buf.Bytes())
	if p.Status != http.StatusOK || !p.Has("新增 <b>1</b> 人") || !p.Has("第 3 行") || !p.Has("受访群体“记者”未参与本问卷") {
		t.Fatalf("import: %d\n%s", p.Status, p.Body)
	}
	p = apptest.PostFile(t, c, surveyURL+"/respondents/import", "名单.csv", []byte("名字,群体\n张三,人大代表\n"))
	if p.Status != http.StatusUnprocessableEntity || !p.Has("表头有误") {
		t.Fatalf("import with a wrong header: %d\n%s", p.Status, p.Body)
	}
	p = apptest.Get(t, c, surveyURL+"?tab=respondents&status=unsubmitted")
	if p.Status != http.StatusOK || !p.Has("张代表") || !p.Has("李委员") || !p.Has("13912345678") || !p.Has(w.App.URL+"/s/") {
		t.Fatalf("respondents tab:\n%s", p.Body)
	}

	// Letters, exports and the QR code.
	p = apptest.Get(t, c, surveyURL+"/letters?group=npc_deputies")
	if p.Status != http.StatusOK || strings.Count(p.Body, `class="letter"`) != 2 || !p.Has("data:image/png;base64,") || !p.Has("尊敬的 <b>李委员</b>") {
		t.Fatalf("letters: %d\n%s", p.Status, p.Body)
	}
	p = apptest.Get(t, c, surveyURL+"/links.csv")
	if p.Status != http.StatusOK || !strings.HasPrefix(p.Body, "\uFEFF姓名,群体,工作单位,手机,邀请链接,状态") ||
		!p.Has("139****5678") || p.Has("13912345678") || strings.Count(p.Body, w.App.URL+"/s/") != 2 {
		t.Fatalf("links.csv: %d\n%s", p.Status, p.Body)
	}
	p = apptest.Get(t, c, surveyURL+"/links.xlsx?q=李")
	x, err := excelize.OpenReader(strings.NewReader(p.Body))
	if err != nil {
		t.Fatalf("links.xlsx: %v", err)
	}
	rows, _ := x.GetRows("邀请链接")
	if len(rows) != 2 || rows[1][0] != "李委员" || rows[1][5] != "未作答" || !strings.HasPrefix(rows[1][4], w.App.URL+"/s/") {
		t.Fatalf("links.xlsx rows %v", rows)
	}
	if p := apptest.Get(t, c, surveyURL+"/template.csv"); p.Status != http.StatusOK || !p.Has("人大代表") {
		t.Errorf("template: %d", p.Status)
	}

	// Open, then close only with the confirmation.
	if p := apptest.Post(t, c, surveyURL+"/open", nil); p.Status != http.StatusSeeOther {
		t.Fatalf("open: %d", p.Status)
	}
	if p := apptest.Get(t, c, surveyURL+"/edit"); p.Status != http.StatusSeeOther {
		t.Errorf("edit form of an open survey: %d", p.Status)
	}
	if p := apptest.Post(t, c, surveyURL+"/close", nil); p.Status != http.StatusUnprocessableEntity || !p.Has("请勾选确认后再结束问卷") {
		t.Fatalf("close without confirming: %d", p.Status)
	}
	if p := apptest.Post(t, c, surveyURL+"/close", url.Values{"confirm": {"1"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("close: %d", p.Status)
	}
	if p := apptest.Get(t, c, surveyURL); !p.Has("已冻结") || p.Has(`action="`+surveyURL+`/closes_at"`) {
		t.Errorf("closed survey page:\n%s", p.Body)
	}
	if p := apptest.Post(t, c, surveyURL+"/respondents", url.Values{"name": {"迟到者"}, "group": {"npc_deputies"}}); p.Status != http.StatusConflict {
		t.Errorf("adding to a closed survey: %d", p.Status)
	}
}

func TestConsoleSurveysAreOfficeOnly(t *testing.T) {
	w := fixtures.NewSurveyWorld(t, apptest.Options{})
	s := w.CreateSurvey(t, map[string]any{"anonymous": false, "groups": []map[string]any{{"key": "npc_deputies"}}})
	w.OpenSurvey(t, s.ID)
	r := w.AddRespondent(t, s.ID, map[string]any{"name": "实名乙", "group": "npc_deputies"})
	path := w.InvitePath(t, r)
	for _, u := range []int64{w.A.ID, w.B.ID} {
		answerUnit(t, w, path, u, map[string]int{"overall": 2, "efficiency": 3}).Decode(t, http.StatusOK, nil)
	}
	apptest.APIJSON(t, w.Anon, "POST", path+"/submit", map[string]any{}).Decode(t, http.StatusOK, nil)

	unit := w.UnitUser
	for _, p := range []string{"/console/surveys", "/console/surveys/" + apptest.Itoa(s.ID), "/console/surveys/" + apptest.Itoa(s.ID) + "?tab=respondents",
		"/console/surveys/" + apptest.Itoa(s.ID) + "/letters", "/console/surveys/" + apptest.Itoa(s.ID) + "/links.csv"} {
		if pg := apptest.Get(t, unit, p); pg.Status != http.StatusForbidden || pg.Has("实名乙") {
			t.Errorf("unit user GET %s: %d", p, pg.Status)
		}
	}
	// The responses page, as the score explanation links to it.
	link := "/console/responses?cycle_id=" + apptest.Itoa(w.Cycle.ID) + "&unit_id=" + apptest.Itoa(w.A.ID) + "&group=npc_deputies"
	p := apptest.Get(t, w.Office, link)
	if p.Status != http.StatusOK || !p.Has("实名乙") || !p.Has("办事效率：基本满意") || strings.Count(p.Body, `<td data-label="日期"`) != 1 {
		t.Fatalf("office responses:\n%s", p.Body)
	}
	p = apptest.Get(t, unit, link)
	if p.Status != http.StatusOK || p.Has("实名乙") || p.Has("<th>受访人</th>") || strings.Count(p.Body, `<td data-label="日期"`) != 1 {
		t.Fatalf("unit responses: %d\n%s", p.Status, p.Body)
	}
	if p := apptest.Get(t, unit, "/console/responses?unit_id="+apptest.Itoa(w.B.ID)); p.Status != http.StatusForbidden {
		t.Errorf("unit user on another unit's responses: %d", p.Status)
	}
	if p := apptest.Get(t, w.Office, "/console/responses?level=9"); p.Status != http.StatusUnprocessableEntity || !p.Has("评价等级无效") {
		t.Errorf("bad filter: %d", p.Status)
	}
}
