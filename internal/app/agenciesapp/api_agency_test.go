package agenciesapp_test

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

func goodRow(id string) map[string]any {
	return map[string]any{"response_id": id, "unit": "ZWZX", "group": "npc_deputies", "level": 5,
		"aspects": map[string]any{"efficiency": 4}, "opinion": "办事快", "date": "2025-11-18"}
}

func withField(r map[string]any, k string, v any) map[string]any {
	r[k] = v
	return r
}

func TestAgencyAPIWhoAmI(t *testing.T) {
	w := fixtures.NewAgencyWorld(t)
	var who struct {
		Agency struct{ ID int64 }
		Survey struct {
			ID        int64
			Title     string
			Accepting bool
		}
		Questions []struct{ Key, Text, Kind string }
		Groups    []struct{ Key, Name string }
		Units     []struct {
			ID        int64   `json:"id"`
			ShortCode *string `json:"short_code"`
			Name      string  `json:"name"`
		}
		FileColumns []struct {
			Field   string
			Headers []string
		} `json:"file_columns"`
	}
	apptest.APIDo(t, w.AgencyCl, "GET", "/api/v1/agency", "", "", "Authorization", "Bearer "+w.Token).Decode(t, http.StatusOK, &who)
	if who.Agency.ID != w.Agency || who.Survey.ID != w.Survey || !who.Survey.Accepting || len(who.Questions) != 2 ||
		len(who.Groups) != 2 || who.Groups[0].Name != "人大代表" || len(who.Units) != 2 || len(who.FileColumns) != 7 {
		t.Errorf("who am I: %+v", who)
	}
	for _, u := range who.Units {
		if u.ID == w.A.ID && (u.ShortCode == nil || *u.ShortCode != "ZWZX") {
			t.Errorf("unit %+v", u)
		}
	}
	// The template is an .xlsx the upload takes back.
	r := apptest.APIDo(t, w.AgencyCl, "GET", "/api/v1/agency/template.xlsx", "", "", "Authorization", "Bearer "+w.Token)
	if r.Status != http.StatusOK || !strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("template: %d %s", r.Status, r.Header)
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	f.SetSheetRow("答卷", "A2", &[]any{"T1", "ZWZX", "人大代表", "满意", 5})
	buf, _ := f.WriteToBuffer()
	var up agencyUploadReply
	w.PostFile(t, w.Token, "模板.xlsx", buf.Bytes()).Decode(t, http.StatusOK, &up)
	if up.RowsStored != 1 {
		t.Errorf("template upload %+v", up)
	}
}

func TestAgencyAPIBatch(t *testing.T) {
	w := fixtures.NewAgencyWorld(t)
	rows := []map[string]any{
		goodRow("R1"),
		withField(goodRow("R2"), "level", 0),
		withField(goodRow("R3"), "level", 6),
		withField(goodRow("R4"), "level", "abc"),
		withField(goodRow("R5"), "unit", "不存在的单位"),
		withField(goodRow("R6"), "group", "service_users"),
		withField(withField(goodRow("R7"), "unit", nil), "unit_id", w.B.ID),
		withField(goodRow("R8"), "level", "基本满意"),
		withField(goodRow("R9"), "aspects", map[string]any{"nope": 5}),
	}
	var up agencyUploadReply
	postBatch(t, w, w.Token, rows...).Decode(t, http.StatusOK, &up)
	if up.Format != "json" || up.RowsTotal != 9 || up.RowsStored != 3 || up.RowsInvalid != 6 || up.RowsDuplicate != 0 {
		t.Errorf("counts %+v", up)
	}
	for _, c := range []struct {
		row          int
		field, words string
	}{
		{2, "level", "总体满意度“0”无效"}, {3, "level", "“6”无效"}, {4, "level", "“abc”无效"},
		{5, "unit", "单位“不存在的单位”不存在"}, {6, "group", "未参与本问卷"}, {9, "aspects.nope", "没有评价项"},
	} {
		if msg := up.errorAt(c.row, c.field); !strings.Contains(msg, c.words) {
			t.Errorf("row %d %s: %q, want %q", c.row, c.field, msg, c.words)
		}
	}
	// The same batch again stores nothing and reports duplicates.
	var again agencyUploadReply
	postBatch(t, w, w.Token, rows...).Decode(t, http.StatusOK, &again)
	if again.RowsStored != 0 || again.RowsDuplicate != 3 || again.RowsInvalid != 6 || again.ID == up.ID {
		t.Errorf("replay %+v", again)
	}
	// A stored id with other content is refused and the stored row kept.
	var changed agencyUploadReply
	postBatch(t, w, w.Token, withField(goodRow("R1"), "level", 1)).Decode(t, http.StatusOK, &changed)
	if changed.RowsInvalid != 1 || !strings.Contains(changed.errorAt(1, "response_id"), "该答卷编号已上传，内容不同") {
		t.Errorf("changed %+v", changed)
	}
	if n := w.App.Count(t, `SELECT level FROM survey_responses WHERE agency_response_id = 'R1'`); n != 5 {
		t.Errorf("stored level %d", n)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM survey_responses WHERE source = 'agency' AND respondent_id IS NULL AND survey_id = $1`, w.Survey); n != 3 {
		t.Errorf("%d responses stored", n)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM survey_responses WHERE submitted_on = '2025-11-18'`); n != 3 {
		t.Errorf("%d responses dated as the rows say", n)
	}
	// Bad batches as a whole.
	auth := []string{"Authorization", "Bearer " + w.Token}
	apptest.WantAPIError(t, apptest.APIDo(t, w.AgencyCl, "POST", "/api/v1/agency/responses", "application/json", `{"responses":[]}`, auth...), 422, "invalid", "responses")
	apptest.WantAPIError(t, apptest.APIDo(t, w.AgencyCl, "POST", "/api/v1/agency/responses", "application/json", `{"responses":`, auth...), 422, "invalid")
	apptest.WantAPIError(t, apptest.APIDo(t, w.AgencyCl, "POST", "/api/v1/agency/responses", "text/plain", `{}`, auth...), 422, "invalid")
	big := make([]map[string]any, 5001)
	for i := range big {
		big[i] = map[string]any{"response_id": "x"}
	}
	apptest.WantAPIError(t, postBatch(t, w, w.Token, big...), 422, "invalid", "responses")
}

// TestAgencyAPIIsolation checks that an agency sees only its own uploads
// and progress, and that an agency token opens nothing else.
func TestAgencyAPIIsolation(t *testing.T) {
	w := fixtures.NewAgencyWorld(t)
	other := w.CreateAgency(t, w.Survey, "乙调查公司")
	otherToken := w.IssueToken(t, other)
	var up agencyUploadReply
	postBatch(t, w, w.Token, goodRow("R1"), goodRow("R2")).Decode(t, http.StatusOK, &up)
	var upOther agencyUploadReply
	postBatch(t, w, otherToken, goodRow("R1")).Decode(t, http.StatusOK, &upOther)
	if upOther.RowsStored != 1 {
		t.Errorf("another agency's own R1: %+v", upOther)
	}
	apptest.WantAPIError(t, apptest.APIDo(t, w.AgencyCl, "GET", "/api/v1/agency/uploads/"+apptest.Itoa(up.ID), "", "", "Authorization", "Bearer "+otherToken), 404, "not_found")
	var list struct {
		Total int
		Items []agencyUploadReply
	}
	apptest.APIDo(t, w.AgencyCl, "GET", "/api/v1/agency/uploads", "", "", "Authorization", "Bearer "+otherToken).Decode(t, http.StatusOK, &list)
	if list.Total != 1 || list.Items[0].ID != upOther.ID {
		t.Errorf("other agency's uploads %+v", list)
	}
	var mine agencyUploadReply
	apptest.APIDo(t, w.AgencyCl, "GET", "/api/v1/agency/uploads/"+apptest.Itoa(up.ID), "", "", "Authorization", "Bearer "+w.Token).Decode(t, http.StatusOK, &mine)
	if mine.RowsStored != 2 {
		t.Errorf("own upload %+v", mine)
	}
	var p struct{ Total struct{ Received int } }
	apptest.APIDo(t, w.AgencyCl, "GET", "/api/v1/agency/progress", "", "", "Authorization", "Bearer "+otherToken).Decode(t, http.StatusOK, &p)
	if p.Total.Received != 1 {
		t.Errorf("other agency's progress counts %d", p.Total.Received)
	}
	// An agency token is no staff session, and staff routes stay closed.
	for _, path := range []string{"/api/v1/agencies/" + apptest.Itoa(w.Agency), "/api/v1/units", "/api/v1/surveys/" + apptest.Itoa(w.Survey) + "/agencies"} {
		apptest.WantAPIError(t, apptest.APIDo(t, w.AgencyCl, "GET", path, "", "", "Authorization", "Bearer "+w.Token), 401, "unauthorized")
	}
	// Unit users may not manage agencies.
	apptest.WantAPIError(t, apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/agencies/"+apptest.Itoa(w.Agency), "", ""), 403, "forbidden")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", "/api/v1/surveys/"+apptest.Itoa(w.Survey)+"/agencies", map[string]string{"name": "x"}), 403, "forbidden")
}

func TestAgencyAPIAuth(t *testing.T) {
	w := fixtures.NewAgencyWorld(t)
	for _, h := range [][]string{nil, {"Authorization", "Bearer"}, {"Authorization", "Basic abc"}, {"Authorization", "Bearer ma_wrong"}} {
		apptest.WantAPIError(t, apptest.APIDo(t, w.AgencyCl, "GET", "/api/v1/agency", "", "", h...), 401, "unauthorized")
	}
	// A revoked token is refused at once.
	var ag struct {
		Tokens []struct{ ID int64 }
	}
	apptest.APIDo(t, w.Office, "GET", "/api/v1/agencies/"+apptest.Itoa(w.Agency), "", "").Decode(t, http.StatusOK, &ag)
	apptest.APIDo(t, w.Office, "DELETE", "/api/v1/agencies/"+apptest.Itoa(w.Agency)+"/tokens/"+apptest.Itoa(ag.Tokens[0].ID), "", "").Decode(t, http.StatusOK, nil)
	apptest.WantAPIError(t, postBatch(t, w, w.Token, goodRow("R1")), 401, "unauthorized")
	// A disabled agency's fresh token is refused too.
	token := w.IssueToken(t, w.Agency)
	apptest.APIJSON(t, w.Office, "PATCH", "/api/v1/agencies/"+apptest.Itoa(w.Agency), map[string]any{"disabled": true}).Decode(t, http.StatusOK, nil)
	r := postBatch(t, w, token, goodRow("R1"))
	apptest.WantAPIError(t, r, 401, "unauthorized")
	if !strings.Contains(string(r.Body), "已停用") {
		t.Errorf("disabled agency: %s", r.Body)
	}
	apptest.APIJSON(t, w.Office, "PATCH", "/api/v1/agencies/"+apptest.Itoa(w.Agency), map[string]any{"disabled": false}).Decode(t, http.StatusOK, nil)
	postBatch(t, w, token, goodRow("R1")).Decode(t, http.StatusOK, nil)
	if n := w.App.Count(t, `SELECT count(*) FROM survey_responses`); n != 1 {
		t.Errorf("%d responses", n)
	}
}

func TestAgencyAPISurveyNotOpen(t *testing.T) {
	w := fixtures.NewAgencyWorld(t)
	csv := []byte("答卷编号,单位,受访群体,总体满意度\nR1,ZWZX,人大代表,5\n")
	for _, c := range []struct {
		sql, code, words string
	}{
		{`UPDATE surveys SET status = 'draft' WHERE id = $1`, "survey_not_open", "尚未开始"},
		{`UPDATE surveys SET status = 'open', closes_at = '2025-11-20 01:00Z' WHERE id = $1`, "survey_closed", "问卷调查已结束，不再接受提交"},
		{`UPDATE surveys SET status = 'closed', closes_at = NULL, closed_at = now() WHERE id = $1`, "survey_closed", "问卷调查已结束，不再接受提交"},
	} {
		execSQL(t, w, c.sql, w.Survey)
		for _, r := range []apptest.APIReply{postBatch(t, w, w.Token, goodRow("R1")), w.PostFile(t, w.Token, "a.csv", csv)} {
			apptest.WantAPIError(t, r, 409, c.code)
			if !strings.Contains(string(r.Body), c.words) {
				t.Errorf("%s: %s", c.code, r.Body)
			}
		}
	}
	if n := w.App.Count(t, `SELECT count(*) FROM survey_responses`) + w.App.Count(t, `SELECT count(*) FROM survey_uploads`); n != 0 {
		t.Errorf("%d rows stored for a survey not taking answers", n)
	}
	var who struct{ Survey struct{ Accepting bool } }
	apptest.APIDo(t, w.AgencyCl, "GET", "/api/v1/agency", "", "", "Authorization", "Bearer "+w.Token).Decode(t, http.StatusOK, &who)
	if who.Survey.Accepting {
		t.Error("a closed survey is said to accept uploads")
	}
}

// TestAgencyAPIConcurrentUpload sends the same file several times at once:
// its responses are stored and counted once.
func TestAgencyAPIConcurrentUpload(t *testing.T) {
	w := fixtures.NewAgencyWorld(t)
	var b strings.Builder
	b.WriteString("答卷编号,单位,受访群体,总体满意度\n")
	for i := range 300 {
		b.WriteString("C" + apptest.Itoa(int64(i)) + ",市税务局,专家学者,4\n")
	}
	const n = 4
	ups := make([]agencyUploadReply, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { w.PostFile(t, w.Token, "same.csv", []byte(b.String())).Decode(t, http.StatusOK, &ups[i]) })
	}
	wg.Wait()
	stored, dups := 0, 0
	for _, u := range ups {
		stored += u.RowsStored
		dups += u.RowsDuplicate
	}
	if stored != 300 || dups != 300*(n-1) {
		t.Errorf("stored %d duplicates %d", stored, dups)
	}
	if c := w.App.Count(t, `SELECT count(*) FROM survey_responses`); c != 300 {
		t.Errorf("%d responses in the database", c)
	}
	var p struct{ Total struct{ Received int } }
	apptest.APIDo(t, w.AgencyCl, "GET", "/api/v1/agency/progress", "", "", "Authorization", "Bearer "+w.Token).Decode(t, http.StatusOK, &p)
	if p.Total.Received != 300 {
		t.Errorf("progress counts %d", p.Total.Received)
	}
}

func TestAgencyAPIFiles(t *testing.T) {
	w := fixtures.NewAgencyWorld(t)
	csv := "答卷编号,单位,群体,总体满意度,办事效率,意见建议,日期\n" +
		"F1,ZWZX,人大代表,非常满意,4,\"快,好\",2025-11-01\n" +
		"F2,市税务局,专家学者,7,,,\n"
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String(strings.Replace(csv, "F", "G", -1))
	good := xlsxFile(t, [][]any{
		{"问卷编号", "unit", "group", "level", "efficiency"},
		{"X1", "市税务局", "experts", 3, "满意"},
		{"X2", "ZWZX", "人大代表", "不满意", ""},
	}, nil)
	for _, c := range []struct {
		name, file string
		data       []byte
		format     string
		stored     int
	}{
		{"utf-8 csv with BOM", "a.csv", append([]byte("\xEF\xBB\xBF"), csv...), "csv", 1},
		{"gbk csv", "b.csv", []byte(gbk), "csv", 1},
		{"xlsx", "c.xlsx", good, "xlsx", 2},
	} {
		var up agencyUploadReply
		w.PostFile(t, w.Token, c.file, c.data).Decode(t, http.StatusOK, &up)
		if up.Format != c.format || up.Filename != c.file || up.RowsStored != c.stored {
			t.Errorf("%s: %+v", c.name, up)
		}
		if c.format == "csv" {
			if msg := up.errorAt(3, "level"); !strings.Contains(msg, "“7”无效") || up.Report.Errors[0].Column != "总体满意度" {
				t.Errorf("%s: row 3 %q %+v", c.name, msg, up.Report.Errors)
			}
		}
	}
	if n := w.App.Count(t, `SELECT count(*) FROM survey_responses`); n != 4 {
		t.Fatalf("%d responses", n)
	}

	merged := xlsxFile(t, [][]any{{"答卷编号", "单位", "受访群体", "总体满意度"}, {"M1", "ZWZX", "人大代表", 5}, {"M2", "", "", 4}},
		func(f *excelize.File) { f.MergeCell("Sheet1", "B2", "C3") })
	for _, c := range []struct {
		name, words string
		data        []byte
	}{
		{"truncated xlsx", "文件已损坏或不完整", good[:len(good)/2]},
		{"merged cells", "表格含合并单元格（B2:C3）", merged},
		{"wrong field count", "第 3 行有 3 列，表头有 4 列", []byte("答卷编号,单位,受访群体,总体满意度\nR,ZWZX,人大代表,5\nS,ZWZX,5\n")},
		{"empty", "文件为空", nil},
		{"pdf", "不支持该文件格式", []byte("%PDF-1.4\n\x00\x01")},
	} {
		r := w.PostFile(t, w.Token, "x.xlsx", c.data)
		apptest.WantAPIError(t, r, 422, "invalid", "file")
		if !strings.Contains(string(r.Body), c.words) {
			t.Errorf("%s: %s", c.name, r.Body)
		}
	}
	// A header that is not the template's needs a mapping (issue 18); a
	// column added to the template is ignored with a warning.
	if r := w.PostFile(t, w.Token, "x.csv", []byte("答卷编号,单位,总体满意度\nR,ZWZX,5\n")); r.Status != 422 ||
		!strings.Contains(string(r.Body), `"code":"mapping_required"`) || !strings.Contains(string(r.Body), "未找到“受访群体”对应的列") {
		t.Errorf("wrong header: %d %s", r.Status, r.Body)
	}
	var extra struct {
		RowsStored int `json:"rows_stored"`
		Report     struct {
			Warnings []string `json:"warnings"`
		} `json:"report"`
	}
	w.PostFile(t, w.Token, "extra.csv", []byte("答卷编号,单位,受访群体,总体满意度,电话\nEXTRA1,ZWZX,人大代表,5,1\n")).Decode(t, 200, &extra)
	if extra.RowsStored != 1 || len(extra.Report.Warnings) != 1 || !strings.Contains(extra.Report.Warnings[0], "第 E 列“电话”不是模板中的列，已忽略") {
		t.Errorf("unknown column: %+v", extra)
	}
	execSQL(t, w, `DELETE FROM survey_responses WHERE agency_response_id = 'EXTRA1'`)
	execSQL(t, w, `DELETE FROM survey_uploads WHERE filename = 'extra.csv'`)
	apptest.WantAPIError(t, apptest.APIDo(t, w.AgencyCl, "POST", "/api/v1/agency/responses/file", "application/json", `{}`, "Authorization", "Bearer "+w.Token),
		422, "invalid", "file")
	body, ctype := apptest.MultipartBody(t, "big.csv", make([]byte, 10<<20+1), nil)
	apptest.WantAPIError(t, apptest.APIDo(t, w.AgencyCl, "POST", "/api/v1/agency/responses/file", ctype, body, "Authorization", "Bearer "+w.Token),
		422, "invalid", "file")
	if n := w.App.Count(t, `SELECT count(*) FROM survey_responses`); n != 4 {
		t.Errorf("%d responses after refused files", n)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM survey_uploads`); n != 3 {
		t.Errorf("%d uploads recorded, want only the 3 accepted files", n)
	}
}
