package agenciesapp_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// wjxHeader is the header of a 问卷星 text export of the world's survey.
const wjxHeader = "序号,提交答卷时间,所用时间,来源,来源详情,来自IP,1、您的身份是？,2、您评价的单位是？," +
	"3、您对该单位的总体满意度如何？,4、您对该单位办事效率的评价,5、您对该单位有什么意见或建议？\n"

// wjxFile is a 问卷星-shaped CSV as delivered, with its rows.
func wjxFile(rows ...string) []byte {
	return []byte("\ufeff" + wjxHeader + strings.Join(rows, "\n") + "\n")
}

var (
	wjxRow1 = "1,2025/11/18 10:21:33,125秒,手机提交,直接访问,222.85.1.2(贵州-贵阳),人大代表,市税务局,非常满意,(跳过),(空)"
	wjxRow2 = `2,2025/11/18 11:02:07,98秒,微信,N/A,117.136.8.4(贵州-遵义),专家学者,ZWZX,基本满意,满意,"窗口人员少，排队时间长"`
	wjxRow3 = "3,2025/11/19 9:15:00,301秒,链接,直接访问,117.136.8.5(贵州-遵义),人大代表,ZWZX,不满意,非常不满意,(空)"
	wjxRow4 = "4,2025/11/19 9:20:00,30秒,链接,直接访问,117.136.8.6(贵州-遵义),专家学者,市税务局,满意,-3,N/A"
)

var selectedRE = regexp.MustCompile(`name="(field_\d+)"[^>]*>\s*(?:<option value="[^"]*">[^<]*</option>)*<option value="([^"]*)" selected>`)

// mappingForm reads the pre-filled form of the mapping step.
func mappingForm(t *testing.T, body string) url.Values {
	t.Helper()
	form := url.Values{}
	for _, m := range selectedRE.FindAllStringSubmatch(body, -1) {
		form.Set(m[1], m[2])
	}
	form.Set("numbers", "first_best")
	form.Set("no_answer", "(空)\n(跳过)\nN/A\n-3")
	return form
}

func TestConsoleUploadMappingStep(t *testing.T) {
	w := fixtures.NewAgencyWorld(t)
	c := apptest.SignedIn(t, w.App, "office1", "office-pass-1")
	agencyPage := "/console/agencies/" + apptest.Itoa(w.Agency)

	// A 问卷星 export as delivered goes to the mapping step, the file kept.
	p := apptest.PostFile(t, c, agencyPage+"/uploads", "问卷星导出.csv", wjxFile(wjxRow1, wjxRow2, wjxRow3))
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "/mappings/") {
		t.Fatalf("upload: %d %q %s", p.Status, p.Location, p.Body)
	}
	stepPath := p.Location
	if n := w.App.Count(t, `SELECT count(*) FROM survey_agency_pending_files`); n != 1 {
		t.Fatalf("%d pending files", n)
	}
	p = apptest.Get(t, c, stepPath)
	if p.Status != http.StatusOK || !p.Has("设置字段对应") || !p.Has("1、您的身份是？") || !p.Has("窗口人员少") || !p.Has("保存并导入") {
		t.Fatalf("mapping page %d", p.Status)
	}
	form := mappingForm(t, p.Body)
	want := map[string]string{"field_0": "response_id", "field_1": "date", "field_2": "ignore", "field_6": "group",
		"field_7": "unit", "field_8": "level", "field_9": "aspect:efficiency", "field_10": "opinion"}
	for k, v := range want {
		if form.Get(k) != v {
			t.Errorf("pre-filled %s = %q, want %q", k, form.Get(k), v)
		}
	}

	// A wrong mapping shows the step again with the reason.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("field_7", "ignore")
	if p = apptest.Post(t, c, stepPath, bad); p.Status != http.StatusUnprocessableEntity || !p.Has("须指定“单位”对应的列") {
		t.Fatalf("bad mapping: %d", p.Status)
	}

	// Submitting saves the mapping and imports the file.
	p = apptest.Post(t, c, stepPath, form)
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "/uploads/") {
		t.Fatalf("submit: %d %s", p.Status, p.Body)
	}
	p = apptest.Get(t, c, p.Location)
	if !p.Has(`id="rows-stored">3<`) || !p.Has("字段对应设置已保存") {
		t.Errorf("report after the step: %s", p.Body)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM survey_responses WHERE agency_id = $1`, w.Agency); n != 3 {
		t.Errorf("%d responses stored", n)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM survey_responses WHERE opinion <> '' AND opinion <> '窗口人员少，排队时间长'`); n != 0 {
		t.Errorf("%d responses with a no-answer text as opinion", n)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM survey_responses WHERE agency_response_id = '1' AND level = 5 AND aspects = '{}'
		AND submitted_on = '2025-11-18'`); n != 1 {
		t.Error("row 1 not stored as 非常满意 without aspects on 2025-11-18")
	}
	if n := w.App.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'agency.mapping' AND actor = 'office1'`); n != 1 {
		t.Errorf("%d audit entries of the saved mapping", n)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM survey_agency_pending_files`); n != 0 {
		t.Errorf("%d pending files left", n)
	}
	if p = apptest.Get(t, c, stepPath); p.Status != http.StatusNotFound {
		t.Errorf("step after import: %d", p.Status)
	}

	// A second file of the same shape reuses the mapping, no step; rows
	// already stored are duplicates.
	p = apptest.PostFile(t, c, agencyPage+"/uploads", "第二批.csv", wjxFile(wjxRow2, wjxRow3, wjxRow4))
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "/uploads/") {
		t.Fatalf("second upload: %d %q", p.Status, p.Location)
	}
	p = apptest.Get(t, c, p.Location)
	if !p.Has(`id="rows-stored">1<`) || !p.Has(`id="rows-duplicate">2<`) {
		t.Errorf("second report: %s", p.Body)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM survey_responses WHERE agency_response_id = '4' AND opinion = '' AND aspects = '{}'`); n != 1 {
		t.Error("row 4: -3 and N/A not read as no answer")
	}
	if n := w.App.Count(t, `SELECT count(*) FROM survey_responses WHERE agency_id = $1`, w.Agency); n != 4 {
		t.Errorf("%d responses after the second upload", n)
	}
}

func TestAPIUploadMapping(t *testing.T) {
	w := fixtures.NewAgencyWorld(t)
	auth := []string{"Authorization", "Bearer " + w.Token}
	upload := func(rows ...string) apptest.APIReply {
		body, ctype := apptest.MultipartBody(t, "wjx.csv", wjxFile(rows...), nil)
		return apptest.APIDo(t, w.AgencyCl, "POST", "/api/v1/agency/responses/file", ctype, body, auth...)
	}

	// Without a mapping: 422 naming the problem, with a guessed mapping.
	r := upload(wjxRow1, wjxRow2)
	var need struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
		Guessed json.RawMessage `json:"guessed_mapping"`
	}
	r.Decode(t, http.StatusUnprocessableEntity, &need)
	if need.Error.Code != "mapping_required" || !strings.Contains(need.Error.Message, "字段对应") || !strings.Contains(string(need.Guessed), `"aspect":"efficiency"`) {
		t.Fatalf("422 body %s", r.Body)
	}
	apptest.APIDo(t, w.AgencyCl, "GET", "/api/v1/agency/mapping", "", "", auth...).Decode(t, http.StatusNotFound, nil)

	// A bad mapping is refused; the guess, saved once, is used.
	apptest.APIJSON(t, w.AgencyCl, "PUT", "/api/v1/agency/mapping", map[string]any{"columns": []any{}}, auth...).
		Decode(t, http.StatusUnprocessableEntity, nil)
	apptest.APIDo(t, w.AgencyCl, "PUT", "/api/v1/agency/mapping", "application/json", string(need.Guessed), auth...).Decode(t, http.StatusOK, nil)
	var saved struct {
		Mapping struct {
			Columns []struct{ Field string } `json:"columns"`
		} `json:"mapping"`
	}
	apptest.APIJSON(t, w.Office, "GET", "/api/v1/agencies/"+apptest.Itoa(w.Agency)+"/mapping", nil).Decode(t, http.StatusOK, &saved)
	if len(saved.Mapping.Columns) != 11 {
		t.Errorf("office sees %d columns", len(saved.Mapping.Columns))
	}
	var up agencyUploadReply
	upload(wjxRow1, wjxRow2).Decode(t, http.StatusOK, &up)
	if up.RowsStored != 2 || up.RowsInvalid != 0 {
		t.Fatalf("upload with the mapping: %s", r.Body)
	}
	upload(wjxRow1, wjxRow2).Decode(t, http.StatusOK, &up)
	if up.RowsStored != 0 || up.RowsDuplicate != 2 {
		t.Errorf("re-upload: %+v", up)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM survey_responses WHERE opinion IN ('(空)', '(跳过)')`); n != 0 {
		t.Errorf("%d no-answer texts stored as opinions", n)
	}

	// A file the saved mapping does not fit: 422 again.
	body, ctype := apptest.MultipartBody(t, "other.csv", []byte("编号,机构,群体,总评\n1,ZWZX,人大代表,5\n"), nil)
	r = apptest.APIDo(t, w.AgencyCl, "POST", "/api/v1/agency/responses/file", ctype, body, auth...)
	r.Decode(t, http.StatusUnprocessableEntity, &need)
	if need.Error.Code != "mapping_required" || !strings.Contains(need.Error.Message, "不适用") {
		t.Errorf("misfit 422 %s", r.Body)
	}
}
