package surveysapp_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"minyi/internal/surveys"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// answerUnit saves a unit's answers as the page's script does.
func answerUnit(t *testing.T, w *fixtures.SurveyWorld, path string, unitID int64, answers map[string]int) apptest.APIReply {
	t.Helper()
	return apptest.APIJSON(t, w.Anon, "POST", path+"/units/"+apptest.Itoa(unitID), map[string]any{"answers": answers, "opinion": "继续努力"})
}

func TestAPISurveyLifecycle(t *testing.T) {
	w := fixtures.NewSurveyWorld(t, apptest.Options{})
	// Bad input names each field.
	r := apptest.APIJSON(t, w.Office, "POST", "/api/v1/surveys", map[string]any{"cycle_id": w.Cycle.ID, "title": "",
		"closes_at": "tomorrow", "questions": []map[string]string{{"key": "Bad"}}})
	apptest.WantAPIError(t, r, http.StatusUnprocessableEntity, "invalid", "closes_at")
	r = apptest.APIJSON(t, w.Office, "POST", "/api/v1/surveys", map[string]any{"cycle_id": w.Cycle.ID, "title": "",
		"questions": []map[string]string{{"key": "Bad", "text": "x"}}, "groups": []map[string]any{{"key": "nobody"}}})
	apptest.WantAPIError(t, r, http.StatusUnprocessableEntity, "invalid", "title", "questions[1].key", "groups[0].key")
	r = apptest.APIJSON(t, w.Office, "POST", "/api/v1/surveys", map[string]any{"cycle_id": 999, "title": "x"})
	apptest.WantAPIError(t, r, http.StatusUnprocessableEntity, "invalid", "cycle_id")

	s := w.CreateSurvey(t, nil)
	if !s.Anonymous || !s.AllowOpinion || s.Status != "draft" || len(s.Groups) != 6 || !s.Groups[0].AllUnits ||
		s.Groups[1].Name != "人大代表" || len(s.Questions) != 2 || s.Questions[0].Key != "overall" || s.Questions[1].Text != "办事效率" {
		t.Fatalf("defaults: %+v", s)
	}
	// A unit's staff cannot reach surveys at all.
	for _, path := range []string{"/api/v1/surveys", "/api/v1/surveys/" + apptest.Itoa(s.ID), "/api/v1/surveys/" + apptest.Itoa(s.ID) + "/respondents",
		"/api/v1/surveys/" + apptest.Itoa(s.ID) + "/progress"} {
		apptest.WantAPIError(t, apptest.APIDo(t, w.UnitUser, "GET", path, "", ""), http.StatusForbidden, "forbidden")
	}
	var up fixtures.Survey
	apptest.APIJSON(t, w.Office, "PUT", "/api/v1/surveys/"+apptest.Itoa(s.ID), map[string]any{"title": "改后的标题", "anonymous": false,
		"groups": []map[string]any{{"key": "npc_deputies"}, {"key": "experts", "all_units": false}}}).Decode(t, http.StatusOK, &up)
	if up.Title != "改后的标题" || up.Anonymous || len(up.Groups) != 2 || up.Groups[1].AllUnits || len(up.Questions) != 1 {
		t.Fatalf("updated %+v", up)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/surveys/"+apptest.Itoa(s.ID)+"/close", map[string]any{}), http.StatusConflict, "conflict")
	w.OpenSurvey(t, s.ID)
	w.OpenSurvey(t, s.ID) // a retry is harmless
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "PUT", "/api/v1/surveys/"+apptest.Itoa(s.ID), map[string]any{"title": "再改"}), http.StatusConflict, "conflict")
	var dl fixtures.Survey
	apptest.APIJSON(t, w.Office, "PUT", "/api/v1/surveys/"+apptest.Itoa(s.ID)+"/closes_at", map[string]any{"closes_at": "2099-12-31T18:00:00+08:00"}).
		Decode(t, http.StatusOK, &dl)
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "PUT", "/api/v1/surveys/"+apptest.Itoa(s.ID)+"/closes_at", map[string]any{"closes_at": "2000-01-01T00:00:00Z"}),
		http.StatusUnprocessableEntity, "invalid", "closes_at")
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/surveys/"+apptest.Itoa(s.ID)+"/close", map[string]any{}).Decode(t, http.StatusOK, &dl)
	if dl.Status != "closed" {
		t.Fatalf("closed survey %+v", dl)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/surveys/"+apptest.Itoa(s.ID)+"/respondents", map[string]any{"name": "张三", "group": "npc_deputies"}),
		http.StatusConflict, "conflict")
	var list struct {
		Total int               `json:"total"`
		Items []fixtures.Survey `json:"items"`
	}
	apptest.APIDo(t, w.Office, "GET", "/api/v1/surveys?cycle_id="+apptest.Itoa(w.Cycle.ID), "", "").Decode(t, http.StatusOK, &list)
	if list.Total != 1 || list.Items[0].ID != s.ID {
		t.Fatalf("list %+v", list)
	}
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "GET", "/api/v1/surveys/999", "", ""), http.StatusNotFound, "not_found")
}

func TestAPIRespondentsAndImport(t *testing.T) {
	w := fixtures.NewSurveyWorld(t, apptest.Options{})
	s := w.CreateSurvey(t, map[string]any{"groups": []map[string]any{{"key": "npc_deputies"}, {"key": "experts", "all_units": false}}})
	body := map[string]any{"name": "张三", "group": "人大代表", "organisation": "市一中", "phone": "13800001111"}
	r := w.AddRespondent(t, s.ID, body)
	if r.Group != "npc_deputies" || r.PhoneMask == nil || *r.PhoneMask != "138****1111" || r.Status != "invited" || r.QRPNG == "" {
		t.Fatalf("respondent %+v", r)
	}
	// Adding the same person again returns the one there.
	var again struct {
		Added      bool                `json:"added"`
		Respondent fixtures.Respondent `json:"respondent"`
	}
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/surveys/"+apptest.Itoa(s.ID)+"/respondents", body).Decode(t, http.StatusOK, &again)
	if again.Added || again.Respondent.ID != r.ID || again.Respondent.Link != r.Link {
		t.Fatalf("second add %+v", again)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/surveys/"+apptest.Itoa(s.ID)+"/respondents", map[string]any{"name": "李四", "group": "experts"}),
		http.StatusUnprocessableEntity, "invalid", "unit_ids")

	csv := "姓名,群体,工作单位,手机,评价单位\n李四,专家学者,省社科院,,市税务局\n王五,记者,,,\n"
	var rep surveys.ImportReport
	imp := map[string]any{"filename": "名单.csv", "content": base64.StdEncoding.EncodeToString([]byte(csv))}
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/surveys/"+apptest.Itoa(s.ID)+"/respondents/import", imp).Decode(t, http.StatusOK, &rep)
	if rep.Added != 1 || rep.Invalid != 1 || len(rep.Errors) != 1 || rep.Errors[0].Row != 3 || rep.Errors[0].Field != "group" {
		t.Fatalf("import report %+v", rep)
	}
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/surveys/"+apptest.Itoa(s.ID)+"/respondents/import", imp).Decode(t, http.StatusOK, &rep)
	if rep.Added != 0 || rep.Duplicates != 1 {
		t.Fatalf("re-import %+v", rep)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/surveys/"+apptest.Itoa(s.ID)+"/respondents/import",
		map[string]any{"filename": "x.csv", "content": base64.StdEncoding.EncodeToString([]byte("名字,类别\n张三,x\n"))}),
		http.StatusUnprocessableEntity, "invalid", "file")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/surveys/"+apptest.Itoa(s.ID)+"/respondents/import",
		map[string]any{"filename": "x.csv", "content": "%%%"}), http.StatusUnprocessableEntity, "invalid", "content")

	var list struct {
		Total int                   `json:"total"`
		Items []fixtures.Respondent `json:"items"`
	}
	apptest.APIDo(t, w.Office, "GET", "/api/v1/surveys/"+apptest.Itoa(s.ID)+"/respondents?group=experts", "", "").Decode(t, http.StatusOK, &list)
	if list.Total != 1 || list.Items[0].Name != "李四" || len(list.Items[0].UnitIDs) != 1 || list.Items[0].UnitIDs[0] != w.B.ID {
		t.Fatalf("experts %+v", list)
	}
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "GET", "/api/v1/surveys/"+apptest.Itoa(s.ID)+"/respondents?status=x", "", ""),
		http.StatusUnprocessableEntity, "invalid", "status")
	// Deleting: gone from the list, its link dead.
	apptest.APIDo(t, w.Office, "DELETE", "/api/v1/surveys/"+apptest.Itoa(s.ID)+"/respondents/"+apptest.Itoa(list.Items[0].ID), "", "").Decode(t, http.StatusOK, nil)
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "DELETE", "/api/v1/surveys/"+apptest.Itoa(s.ID)+"/respondents/"+apptest.Itoa(list.Items[0].ID), "", ""),
		http.StatusNotFound, "not_found")
	if p := apptest.Get(t, w.Anon, w.InvitePath(t, list.Items[0])); p.Status != http.StatusNotFound || !p.Has("邀请链接无效") {
		t.Errorf("deleted respondent's link: %d", p.Status)
	}
	var progress struct {
		Groups []surveys.GroupProgress `json:"groups"`
		Total  surveys.GroupProgress   `json:"total"`
	}
	apptest.APIDo(t, w.Office, "GET", "/api/v1/surveys/"+apptest.Itoa(s.ID)+"/progress", "", "").Decode(t, http.StatusOK, &progress)
	if len(progress.Groups) != 2 || progress.Groups[0].Invited != 1 || progress.Total.Total != 1 {
		t.Fatalf("progress %+v", progress)
	}
}

func TestAPIResponsesHideRespondentsFromUnits(t *testing.T) {
	w := fixtures.NewSurveyWorld(t, apptest.Options{})
	s := w.CreateSurvey(t, map[string]any{"anonymous": false, "groups": []map[string]any{{"key": "npc_deputies"}}})
	w.OpenSurvey(t, s.ID)
	r := w.AddRespondent(t, s.ID, map[string]any{"name": "实名甲", "group": "npc_deputies"})
	path := w.InvitePath(t, r)
	for _, u := range []int64{w.A.ID, w.B.ID} {
		answerUnit(t, w, path, u, map[string]int{"overall": 4}).Decode(t, http.StatusOK, nil)
	}
	apptest.APIJSON(t, w.Anon, "POST", path+"/submit", map[string]any{}).Decode(t, http.StatusOK, nil)

	type resp struct {
		UnitID           int64   `json:"unit_id"`
		Group            string  `json:"group"`
		Level            int     `json:"level"`
		RespondentName   *string `json:"respondent_name"`
		RespondentID     *int64  `json:"respondent_id"`
		AgencyResponseID *string `json:"agency_response_id"`
	}
	var list struct {
		Total int    `json:"total"`
		Items []resp `json:"items"`
	}
	q := "/api/v1/responses?cycle_id=" + apptest.Itoa(w.Cycle.ID) + "&group=npc_deputies"
	apptest.APIDo(t, w.Office, "GET", q, "", "").Decode(t, http.StatusOK, &list)
	if list.Total != 2 || list.Items[0].RespondentName == nil || *list.Items[0].RespondentName != "实名甲" {
		t.Fatalf("office sees %+v", list)
	}
	list.Items = nil
	apptest.APIDo(t, w.UnitUser, "GET", q, "", "").Decode(t, http.StatusOK, &list)
	if list.Total != 1 || list.Items[0].UnitID != w.A.ID || list.Items[0].RespondentName != nil || list.Items[0].RespondentID != nil {
		t.Fatalf("unit sees %+v", list)
	}
	raw := apptest.APIDo(t, w.UnitUser, "GET", q, "", "")
	if strings.Contains(string(raw.Body), "实名甲") || strings.Contains(string(raw.Body), "respondent") {
		t.Errorf("a unit's reply names the respondent: %s", raw.Body)
	}
	apptest.WantAPIError(t, apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/responses?unit_id="+apptest.Itoa(w.B.ID), "", ""), http.StatusForbidden, "forbidden")
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "GET", "/api/v1/responses?source=phone&level=9", "", ""),
		http.StatusUnprocessableEntity, "invalid", "source", "level")
	// A submitted respondent cannot be deleted.
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "DELETE", "/api/v1/surveys/"+apptest.Itoa(s.ID)+"/respondents/"+apptest.Itoa(r.ID), "", ""),
		http.StatusConflict, "conflict")
}
