package server_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"minyi/internal/surveys"
	"minyi/internal/testutil/apptest"
)

// svWorld is an apiWorld with a 2026 cycle.
type svWorld struct {
	*apiWorld
	cycle apiCycleReply
}

func newSurveyWorld(t *testing.T, opt apptest.Options) *svWorld {
	t.Helper()
	w := newAPIWorld(t, opt)
	return &svWorld{apiWorld: w, cycle: w.createCycle(t, "2026年度", 2026, nil)}
}

// apiSurvey is a survey as the API returns it.
type apiSurvey struct {
	ID           int64              `json:"id"`
	CycleID      int64              `json:"cycle_id"`
	Title        string             `json:"title"`
	Anonymous    bool               `json:"anonymous"`
	AllowOpinion bool               `json:"allow_opinion"`
	Status       string             `json:"status"`
	Questions    []surveys.Question `json:"questions"`
	Groups       []surveys.Group    `json:"groups"`
}

// apiRespondent is a respondent as the API returns it.
type apiRespondent struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Group     string  `json:"group"`
	Status    string  `json:"status"`
	PhoneMask *string `json:"phone_mask"`
	UnitIDs   []int64 `json:"unit_ids"`
	Link      string  `json:"link"`
	QRPNG     string  `json:"qr_png"`
}

// createSurvey creates a survey of the world's cycle; body adds or
// replaces fields of a minimal one.
func (w *svWorld) createSurvey(t *testing.T, body map[string]any) apiSurvey {
	t.Helper()
	b := map[string]any{"cycle_id": w.cycle.ID, "title": "2026年度满意度测评",
		"questions": []map[string]string{{"key": "efficiency"}}}
	for k, v := range body {
		b[k] = v
	}
	var s apiSurvey
	apiJSON(t, w.office, "POST", "/api/v1/surveys", b).decode(t, http.StatusCreated, &s)
	return s
}

func (w *svWorld) openSurvey(t *testing.T, id int64) {
	t.Helper()
	apiJSON(t, w.office, "POST", "/api/v1/surveys/"+itoa(id)+"/open", map[string]any{}).decode(t, http.StatusOK, nil)
}

func (w *svWorld) addRespondent(t *testing.T, surveyID int64, body map[string]any) apiRespondent {
	t.Helper()
	var out struct {
		Added      bool          `json:"added"`
		Respondent apiRespondent `json:"respondent"`
	}
	apiJSON(t, w.office, "POST", "/api/v1/surveys/"+itoa(surveyID)+"/respondents", body).decode(t, http.StatusCreated, &out)
	if !out.Added || out.Respondent.Link == "" {
		t.Fatalf("added %+v", out)
	}
	return out.Respondent
}

// invitePath is the path of a respondent's invitation link on this server.
func (w *svWorld) invitePath(t *testing.T, r apiRespondent) string {
	t.Helper()
	if !strings.HasPrefix(r.Link, w.app.URL+"/s/") {
		t.Fatalf("link %q is not on %s", r.Link, w.app.URL)
	}
	return strings.TrimPrefix(r.Link, w.app.URL)
}

// answerUnit saves a unit's answers as the page's script does.
func (w *svWorld) answerUnit(t *testing.T, path string, unitID int64, answers map[string]int) apiReply {
	t.Helper()
	return apiJSON(t, w.anon, "POST", path+"/units/"+itoa(unitID), map[string]any{"answers": answers, "opinion": "继续努力"})
}

func TestAPISurveyLifecycle(t *testing.T) {
	w := newSurveyWorld(t, apptest.Options{})
	// Bad input names each field.
	r := apiJSON(t, w.office, "POST", "/api/v1/surveys", map[string]any{"cycle_id": w.cycle.ID, "title": "",
		"closes_at": "tomorrow", "questions": []map[string]string{{"key": "Bad"}}})
	wantAPIError(t, r, http.StatusUnprocessableEntity, "invalid", "closes_at")
	r = apiJSON(t, w.office, "POST", "/api/v1/surveys", map[string]any{"cycle_id": w.cycle.ID, "title": "",
		"questions": []map[string]string{{"key": "Bad", "text": "x"}}, "groups": []map[string]any{{"key": "nobody"}}})
	wantAPIError(t, r, http.StatusUnprocessableEntity, "invalid", "title", "questions[1].key", "groups[0].key")
	r = apiJSON(t, w.office, "POST", "/api/v1/surveys", map[string]any{"cycle_id": 999, "title": "x"})
	wantAPIError(t, r, http.StatusUnprocessableEntity, "invalid", "cycle_id")

	s := w.createSurvey(t, nil)
	if !s.Anonymous || !s.AllowOpinion || s.Status != "draft" || len(s.Groups) != 6 || !s.Groups[0].AllUnits ||
		s.Groups[1].Name != "人大代表" || len(s.Questions) != 2 || s.Questions[0].Key != "overall" || s.Questions[1].Text != "办事效率" {
		t.Fatalf("defaults: %+v", s)
	}
	// A unit's staff cannot reach surveys at all.
	for _, path := range []string{"/api/v1/surveys", "/api/v1/surveys/" + itoa(s.ID), "/api/v1/surveys/" + itoa(s.ID) + "/respondents",
		"/api/v1/surveys/" + itoa(s.ID) + "/progress"} {
		wantAPIError(t, apiDo(t, w.unitUser, "GET", path, "", ""), http.StatusForbidden, "forbidden")
	}
	var up apiSurvey
	apiJSON(t, w.office, "PUT", "/api/v1/surveys/"+itoa(s.ID), map[string]any{"title": "改后的标题", "anonymous": false,
		"groups": []map[string]any{{"key": "npc_deputies"}, {"key": "experts", "all_units": false}}}).decode(t, http.StatusOK, &up)
	if up.Title != "改后的标题" || up.Anonymous || len(up.Groups) != 2 || up.Groups[1].AllUnits || len(up.Questions) != 1 {
		t.Fatalf("updated %+v", up)
	}
	wantAPIError(t, apiJSON(t, w.office, "POST", "/api/v1/surveys/"+itoa(s.ID)+"/close", map[string]any{}), http.StatusConflict, "conflict")
	w.openSurvey(t, s.ID)
	w.openSurvey(t, s.ID) // a retry is harmless
	wantAPIError(t, apiJSON(t, w.office, "PUT", "/api/v1/surveys/"+itoa(s.ID), map[string]any{"title": "再改"}), http.StatusConflict, "conflict")
	var dl apiSurvey
	apiJSON(t, w.office, "PUT", "/api/v1/surveys/"+itoa(s.ID)+"/closes_at", map[string]any{"closes_at": "2099-12-31T18:00:00+08:00"}).
		decode(t, http.StatusOK, &dl)
	wantAPIError(t, apiJSON(t, w.office, "PUT", "/api/v1/surveys/"+itoa(s.ID)+"/closes_at", map[string]any{"closes_at": "2000-01-01T00:00:00Z"}),
		http.StatusUnprocessableEntity, "invalid", "closes_at")
	apiJSON(t, w.office, "POST", "/api/v1/surveys/"+itoa(s.ID)+"/close", map[string]any{}).decode(t, http.StatusOK, &dl)
	if dl.Status != "closed" {
		t.Fatalf("closed survey %+v", dl)
	}
	wantAPIError(t, apiJSON(t, w.office, "POST", "/api/v1/surveys/"+itoa(s.ID)+"/respondents", map[string]any{"name": "张三", "group": "npc_deputies"}),
		http.StatusConflict, "conflict")
	var list struct {
		Total int         `json:"total"`
		Items []apiSurvey `json:"items"`
	}
	apiDo(t, w.office, "GET", "/api/v1/surveys?cycle_id="+itoa(w.cycle.ID), "", "").decode(t, http.StatusOK, &list)
	if list.Total != 1 || list.Items[0].ID != s.ID {
		t.Fatalf("list %+v", list)
	}
	wantAPIError(t, apiDo(t, w.office, "GET", "/api/v1/surveys/999", "", ""), http.StatusNotFound, "not_found")
}

func TestAPIRespondentsAndImport(t *testing.T) {
	w := newSurveyWorld(t, apptest.Options{})
	s := w.createSurvey(t, map[string]any{"groups": []map[string]any{{"key": "npc_deputies"}, {"key": "experts", "all_units": false}}})
	body := map[string]any{"name": "张三", "group": "人大代表", "organisation": "市一中", "phone": "13800001111"}
	r := w.addRespondent(t, s.ID, body)
	if r.Group != "npc_deputies" || r.PhoneMask == nil || *r.PhoneMask != "138****1111" || r.Status != "invited" || r.QRPNG == "" {
		t.Fatalf("respondent %+v", r)
	}
	// Adding the same person again returns the one there.
	var again struct {
		Added      bool          `json:"added"`
		Respondent apiRespondent `json:"respondent"`
	}
	apiJSON(t, w.office, "POST", "/api/v1/surveys/"+itoa(s.ID)+"/respondents", body).decode(t, http.StatusOK, &again)
	if again.Added || again.Respondent.ID != r.ID || again.Respondent.Link != r.Link {
		t.Fatalf("second add %+v", again)
	}
	wantAPIError(t, apiJSON(t, w.office, "POST", "/api/v1/surveys/"+itoa(s.ID)+"/respondents", map[string]any{"name": "李四", "group": "experts"}),
		http.StatusUnprocessableEntity, "invalid", "unit_ids")

	csv := "姓名,群体,工作单位,手机,评价单位\n李四,专家学者,省社科院,,市税务局\n王五,记者,,,\n"
	var rep surveys.ImportReport
	imp := map[string]any{"filename": "名单.csv", "content": base64.StdEncoding.EncodeToString([]byte(csv))}
	apiJSON(t, w.office, "POST", "/api/v1/surveys/"+itoa(s.ID)+"/respondents/import", imp).decode(t, http.StatusOK, &rep)
	if rep.Added != 1 || rep.Invalid != 1 || len(rep.Errors) != 1 || rep.Errors[0].Row != 3 || rep.Errors[0].Field != "group" {
		t.Fatalf("import report %+v", rep)
	}
	apiJSON(t, w.office, "POST", "/api/v1/surveys/"+itoa(s.ID)+"/respondents/import", imp).decode(t, http.StatusOK, &rep)
	if rep.Added != 0 || rep.Duplicates != 1 {
		t.Fatalf("re-import %+v", rep)
	}
	wantAPIError(t, apiJSON(t, w.office, "POST", "/api/v1/surveys/"+itoa(s.ID)+"/respondents/import",
		map[string]any{"filename": "x.csv", "content": base64.StdEncoding.EncodeToString([]byte("名字,类别\n张三,x\n"))}),
		http.StatusUnprocessableEntity, "invalid", "file")
	wantAPIError(t, apiJSON(t, w.office, "POST", "/api/v1/surveys/"+itoa(s.ID)+"/respondents/import",
		map[string]any{"filename": "x.csv", "content": "%%%"}), http.StatusUnprocessableEntity, "invalid", "content")

	var list struct {
		Total int             `json:"total"`
		Items []apiRespondent `json:"items"`
	}
	apiDo(t, w.office, "GET", "/api/v1/surveys/"+itoa(s.ID)+"/respondents?group=experts", "", "").decode(t, http.StatusOK, &list)
	if list.Total != 1 || list.Items[0].Name != "李四" || len(list.Items[0].UnitIDs) != 1 || list.Items[0].UnitIDs[0] != w.b.ID {
		t.Fatalf("experts %+v", list)
	}
	wantAPIError(t, apiDo(t, w.office, "GET", "/api/v1/surveys/"+itoa(s.ID)+"/respondents?status=x", "", ""),
		http.StatusUnprocessableEntity, "invalid", "status")
	// Deleting: gone from the list, its link dead.
	apiDo(t, w.office, "DELETE", "/api/v1/surveys/"+itoa(s.ID)+"/respondents/"+itoa(list.Items[0].ID), "", "").decode(t, http.StatusOK, nil)
	wantAPIError(t, apiDo(t, w.office, "DELETE", "/api/v1/surveys/"+itoa(s.ID)+"/respondents/"+itoa(list.Items[0].ID), "", ""),
		http.StatusNotFound, "not_found")
	if p := get(t, w.anon, w.invitePath(t, list.Items[0])); p.Status != http.StatusNotFound || !p.has("邀请链接无效") {
		t.Errorf("deleted respondent's link: %d", p.Status)
	}
	var progress struct {
		Groups []surveys.GroupProgress `json:"groups"`
		Total  surveys.GroupProgress   `json:"total"`
	}
	apiDo(t, w.office, "GET", "/api/v1/surveys/"+itoa(s.ID)+"/progress", "", "").decode(t, http.StatusOK, &progress)
	if len(progress.Groups) != 2 || progress.Groups[0].Invited != 1 || progress.Total.Total != 1 {
		t.Fatalf("progress %+v", progress)
	}
}

func TestAPIResponsesHideRespondentsFromUnits(t *testing.T) {
	w := newSurveyWorld(t, apptest.Options{})
	s := w.createSurvey(t, map[string]any{"anonymous": false, "groups": []map[string]any{{"key": "npc_deputies"}}})
	w.openSurvey(t, s.ID)
	r := w.addRespondent(t, s.ID, map[string]any{"name": "实名甲", "group": "npc_deputies"})
	path := w.invitePath(t, r)
	for _, u := range []int64{w.a.ID, w.b.ID} {
		w.answerUnit(t, path, u, map[string]int{"overall": 4}).decode(t, http.StatusOK, nil)
	}
	apiJSON(t, w.anon, "POST", path+"/submit", map[string]any{}).decode(t, http.StatusOK, nil)

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
	q := "/api/v1/responses?cycle_id=" + itoa(w.cycle.ID) + "&group=npc_deputies"
	apiDo(t, w.office, "GET", q, "", "").decode(t, http.StatusOK, &list)
	if list.Total != 2 || list.Items[0].RespondentName == nil || *list.Items[0].RespondentName != "实名甲" {
		t.Fatalf("office sees %+v", list)
	}
	list.Items = nil
	apiDo(t, w.unitUser, "GET", q, "", "").decode(t, http.StatusOK, &list)
	if list.Total != 1 || list.Items[0].UnitID != w.a.ID || list.Items[0].RespondentName != nil || list.Items[0].RespondentID != nil {
		t.Fatalf("unit sees %+v", list)
	}
	raw := apiDo(t, w.unitUser, "GET", q, "", "")
	if strings.Contains(string(raw.Body), "实名甲") || strings.Contains(string(raw.Body), "respondent") {
		t.Errorf("a unit's reply names the respondent: %s", raw.Body)
	}
	wantAPIError(t, apiDo(t, w.unitUser, "GET", "/api/v1/responses?unit_id="+itoa(w.b.ID), "", ""), http.StatusForbidden, "forbidden")
	wantAPIError(t, apiDo(t, w.office, "GET", "/api/v1/responses?source=phone&level=9", "", ""),
		http.StatusUnprocessableEntity, "invalid", "source", "level")
	// A submitted respondent cannot be deleted.
	wantAPIError(t, apiDo(t, w.office, "DELETE", "/api/v1/surveys/"+itoa(s.ID)+"/respondents/"+itoa(r.ID), "", ""),
		http.StatusConflict, "conflict")
}
