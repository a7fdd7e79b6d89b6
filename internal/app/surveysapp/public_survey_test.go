package surveysapp_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

func TestInvitationSavesAndSubmits(t *testing.T) {
	v := fixtures.NewInvitee(t, apptest.Options{}, true)
	if p := apptest.Get(t, v.Anon, v.Path); p.Status != http.StatusForbidden || !p.Has("问卷尚未开始") {
		t.Fatalf("draft survey: %d", p.Status)
	}
	v.OpenSurvey(t, v.Survey.ID)
	p := apptest.Get(t, v.Anon, v.Path)
	if p.Status != http.StatusOK || !p.Has("尊敬的张代表") || !p.Has("市政务服务中心") || !p.Has("市税务局") || !p.Has("办事效率") ||
		!p.Has("匿名问卷") || !p.Has(`name="u`+apptest.Itoa(v.A.ID)+`.overall"`) {
		t.Fatalf("survey page: %d\n%s", p.Status, p.Body)
	}

	// The script's save: JSON back with the progress.
	var st struct {
		Complete    bool `json:"complete"`
		Done, Total int
	}
	answerUnit(t, v.SurveyWorld, v.Path, v.A.ID, map[string]int{"overall": 5, "efficiency": 4}).Decode(t, http.StatusOK, &st)
	if !st.Complete || st.Done != 1 || st.Total != 2 {
		t.Fatalf("save reply %+v", st)
	}
	// A level outside 1–5 and a unit not on the list are refused; the draft stays.
	apptest.WantAPIError(t, answerUnit(t, v.SurveyWorld, v.Path, v.A.ID, map[string]int{"overall": 7}), http.StatusUnprocessableEntity, "invalid",
		"u"+apptest.Itoa(v.A.ID)+".overall")
	apptest.WantAPIError(t, answerUnit(t, v.SurveyWorld, v.Path, 99999, map[string]int{"overall": 3}), http.StatusUnprocessableEntity, "invalid", "unit_id")
	apptest.WantAPIError(t, apptest.APIDo(t, v.Anon, "POST", v.Path+"/units/"+apptest.Itoa(v.A.ID), "application/json", `{"answers":{"overall":"好"}}`),
		http.StatusUnprocessableEntity, "invalid", "answers")
	if p := apptest.Get(t, v.Anon, v.Path); !p.Has(`value="5" checked`) {
		t.Fatal("the saved level is not shown after refused saves")
	}

	// Submitting with a unit unanswered names it; the drafts stay.
	r := apptest.APIJSON(t, v.Anon, "POST", v.Path+"/submit", map[string]any{})
	apptest.WantAPIError(t, r, http.StatusUnprocessableEntity, "invalid", "u"+apptest.Itoa(v.B.ID)+".overall")
	if !strings.Contains(string(r.Body), "市税务局") {
		t.Errorf("missing-unit message %s", r.Body)
	}
	// A form posts what the page shows: the saved answers of unit A.
	pageA := url.Values{"u" + apptest.Itoa(v.A.ID) + ".overall": {"5"}, "u" + apptest.Itoa(v.A.ID) + ".efficiency": {"4"},
		"u" + apptest.Itoa(v.A.ID) + ".opinion": {"继续努力"}}
	form := pageA
	if p := apptest.DoPage(t, v.Anon, "POST", v.Path+"/submit", form); p.Status != http.StatusUnprocessableEntity ||
		!p.Has("以下单位尚未评价总体满意度：市税务局") {
		t.Fatalf("form submit with a unit missing: %d\n%s", p.Status, p.Body)
	}

	// Without script: the unit's save button posts the whole form.
	form = url.Values{"u" + apptest.Itoa(v.B.ID) + ".overall": {"2"}, "u" + apptest.Itoa(v.B.ID) + ".attitude": {"1"},
		"u" + apptest.Itoa(v.B.ID) + ".opinion": {"窗口少，排队久"}}
	for k, vals := range pageA {
		form[k] = vals
	}
	p = apptest.DoPage(t, v.Anon, "POST", v.Path+"/units/"+apptest.Itoa(v.B.ID), form)
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "saved="+apptest.Itoa(v.B.ID)) {
		t.Fatalf("form save: %d %q", p.Status, p.Location)
	}
	if p := apptest.Get(t, v.Anon, p.Location); !p.Has("“市税务局”的评价已保存") || !p.Has("窗口少，排队久") || !p.Has(`id="done">2<`) {
		t.Fatalf("after form save:\n%s", p.Body)
	}
	// A tampered level through the form comes back with the message and what was typed.
	bad := url.Values{"u" + apptest.Itoa(v.B.ID) + ".overall": {"6"}, "u" + apptest.Itoa(v.B.ID) + ".opinion": {"新的意见"}}
	if p := apptest.DoPage(t, v.Anon, "POST", v.Path+"/units/"+apptest.Itoa(v.B.ID), bad); p.Status != http.StatusUnprocessableEntity ||
		!p.Has("请选择“非常满意”到“非常不满意”之间的等级") || !p.Has("新的意见") {
		t.Fatalf("bad level by form: %d\n%s", p.Status, p.Body)
	}

	p = apptest.DoPage(t, v.Anon, "POST", v.Path+"/submit", url.Values{})
	if p.Status != http.StatusSeeOther || p.Location != v.Path+"?done=1" {
		t.Fatalf("submit: %d %q", p.Status, p.Location)
	}
	if p := apptest.Get(t, v.Anon, p.Location); !p.Has("问卷已提交，感谢您的参与") {
		t.Fatalf("thanks page:\n%s", p.Body)
	}
	if p := apptest.Get(t, v.Anon, v.Path); p.Status != http.StatusOK || !p.Has("此邀请链接已使用，问卷已提交，感谢您的参与") || p.Has(`name="u`) {
		t.Fatalf("used link: %d\n%s", p.Status, p.Body)
	}
	r = apptest.APIJSON(t, v.Anon, "POST", v.Path+"/submit", map[string]any{})
	apptest.WantAPIError(t, r, http.StatusConflict, "conflict")
	if !strings.Contains(string(r.Body), "此邀请链接已使用") {
		t.Errorf("second submit says %s", r.Body)
	}
	if p := apptest.DoPage(t, v.Anon, "POST", v.Path+"/submit", url.Values{}); p.Status != http.StatusConflict || !p.Has("此邀请链接已使用") {
		t.Errorf("second form submit: %d", p.Status)
	}
	apptest.WantAPIError(t, answerUnit(t, v.SurveyWorld, v.Path, v.A.ID, map[string]int{"overall": 1}), http.StatusConflict, "conflict")
	if n := v.Responses(t); n != 2 {
		t.Errorf("%d responses, want 2", n)
	}
	var levels string
	if err := v.App.Pool.QueryRow(t.Context(), `SELECT string_agg(level::text || ':' || aspects::text || ':' || opinion, '|' ORDER BY level)
		FROM survey_responses WHERE respondent_id IS NULL`).Scan(&levels); err != nil {
		t.Fatal(err)
	}
	if levels != `2:{"attitude": 1}:窗口少，排队久|5:{"efficiency": 4}:继续努力` {
		t.Errorf("stored %q", levels)
	}
}

func TestInvitationConcurrentSubmits(t *testing.T) {
	v := fixtures.NewInvitee(t, apptest.Options{}, true)
	v.OpenSurvey(t, v.Survey.ID)
	for _, u := range []int64{v.A.ID, v.B.ID} {
		answerUnit(t, v.SurveyWorld, v.Path, u, map[string]int{"overall": 4}).Decode(t, http.StatusOK, nil)
	}
	const tabs = 5
	status := make([]int, tabs)
	var wg sync.WaitGroup
	for i := range tabs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := v.App.Client()
			req, _ := http.NewRequest("POST", v.App.URL+v.Path+"/submit", strings.NewReader("{}"))
			req.Header.Set("Content-Type", "application/json")
			res, err := c.C.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			status[i] = res.StatusCode
		}()
	}
	wg.Wait()
	ok := 0
	for _, s := range status {
		switch s {
		case http.StatusOK:
			ok++
		case http.StatusConflict:
		default:
			t.Errorf("a tab got %d", s)
		}
	}
	if ok != 1 {
		t.Errorf("%d tabs submitted, want exactly 1 (%v)", ok, status)
	}
	if n := v.Responses(t); n != 2 {
		t.Errorf("%d responses stored, want one set of 2", n)
	}
}

func TestInvitationClosedAndUnknown(t *testing.T) {
	clock := apptest.NewClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	v := fixtures.NewInvitee(t, apptest.Options{Now: clock.Now}, false)
	apptest.APIJSON(t, v.Office, "PUT", "/api/v1/surveys/"+apptest.Itoa(v.Survey.ID)+"/closes_at", map[string]any{"closes_at": "2026-12-01T12:00:00Z"}).
		Decode(t, http.StatusOK, nil)
	v.OpenSurvey(t, v.Survey.ID)
	answerUnit(t, v.SurveyWorld, v.Path, v.A.ID, map[string]int{"overall": 3}).Decode(t, http.StatusOK, nil)
	answerUnit(t, v.SurveyWorld, v.Path, v.B.ID, map[string]int{"overall": 3}).Decode(t, http.StatusOK, nil)

	clock.Set(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)) // the closing time
	if p := apptest.Get(t, v.Anon, v.Path); p.Status != http.StatusGone || !p.Has("问卷调查已结束，不再接受提交") {
		t.Fatalf("past closes_at: %d", p.Status)
	}
	r := apptest.APIJSON(t, v.Anon, "POST", v.Path+"/submit", map[string]any{})
	apptest.WantAPIError(t, r, http.StatusConflict, "survey_closed")
	if !strings.Contains(string(r.Body), "问卷调查已结束，不再接受提交") {
		t.Errorf("late submit says %s", r.Body)
	}
	if p := apptest.DoPage(t, v.Anon, "POST", v.Path+"/submit", url.Values{}); p.Status != http.StatusConflict || !p.Has("问卷调查已结束") {
		t.Errorf("late form submit: %d", p.Status)
	}
	apptest.WantAPIError(t, answerUnit(t, v.SurveyWorld, v.Path, v.A.ID, map[string]int{"overall": 1}), http.StatusConflict, "survey_closed")
	apptest.APIJSON(t, v.Office, "POST", "/api/v1/surveys/"+apptest.Itoa(v.Survey.ID)+"/close", map[string]any{}).Decode(t, http.StatusOK, nil)
	if p := apptest.Get(t, v.Anon, v.Path); p.Status != http.StatusGone {
		t.Errorf("closed survey page: %d", p.Status)
	}
	if n := v.Responses(t); n != 0 {
		t.Errorf("%d responses after refusals", n)
	}

	for _, path := range []string{"/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "/s/short", "/s/" + strings.Repeat("x", 80)} {
		if p := apptest.Get(t, v.Anon, path); p.Status != http.StatusNotFound || !p.Has("邀请链接无效") {
			t.Errorf("GET %s: %d", path, p.Status)
		}
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, v.Anon, "POST", "/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/submit", map[string]any{}), http.StatusNotFound, "not_found")
}

func TestInvitationRateLimits(t *testing.T) {
	v := fixtures.NewInvitee(t, apptest.Options{Env: map[string]string{"RATE_PUBLIC_PAGE": "3-M", "RATE_PUBLIC_CLIENT": "2-M"}}, true)
	v.OpenSurvey(t, v.Survey.ID)
	for i := range 3 {
		if p := apptest.Get(t, v.Anon, v.Path); p.Status != http.StatusOK {
			t.Fatalf("view %d: %d", i+1, p.Status)
		}
	}
	if p := apptest.Get(t, v.Anon, v.Path); p.Status != http.StatusTooManyRequests || !p.Has("访问过于频繁") {
		t.Errorf("fourth view: %d", p.Status)
	}
	r := answerUnit(t, v.SurveyWorld, v.Path, v.A.ID, map[string]int{"overall": 5})
	apptest.WantAPIError(t, r, http.StatusTooManyRequests, "rate_limited")
	if r.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	// Guessing links is limited per address.
	codes := []int{}
	for range 3 {
		codes = append(codes, apptest.Get(t, v.Anon, "/s/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB").Status)
	}
	if codes[0] != http.StatusNotFound || codes[2] != http.StatusTooManyRequests {
		t.Errorf("unknown links: %v", codes)
	}
}
