package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
)

// invitee is an open survey (NPC deputies rate both units, experts a list)
// with one deputy invited.
type invitee struct {
	*svWorld
	survey apiSurvey
	path   string // the deputy's /s/{token}
}

func newInvitee(t *testing.T, opt apptest.Options, anonymous bool) *invitee {
	t.Helper()
	w := newSurveyWorld(t, opt)
	s := w.createSurvey(t, map[string]any{"anonymous": anonymous, "questions": []map[string]string{{"key": "efficiency"}, {"key": "attitude"}},
		"groups": []map[string]any{{"key": "npc_deputies"}, {"key": "experts", "all_units": false}}})
	r := w.addRespondent(t, s.ID, map[string]any{"name": "张代表", "group": "npc_deputies"})
	return &invitee{svWorld: w, survey: s, path: w.invitePath(t, r)}
}

func (v *invitee) responses(t *testing.T) int {
	t.Helper()
	var n int
	if err := v.app.Pool.QueryRow(t.Context(), `SELECT count(*) FROM survey_responses`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestInvitationSavesAndSubmits(t *testing.T) {
	v := newInvitee(t, apptest.Options{}, true)
	if p := get(t, v.anon, v.path); p.Status != http.StatusForbidden || !p.has("问卷尚未开始") {
		t.Fatalf("draft survey: %d", p.Status)
	}
	v.openSurvey(t, v.survey.ID)
	p := get(t, v.anon, v.path)
	if p.Status != http.StatusOK || !p.has("尊敬的张代表") || !p.has("市政务服务中心") || !p.has("市税务局") || !p.has("办事效率") ||
		!p.has("匿名问卷") || !p.has(`name="u`+itoa(v.a.ID)+`.overall"`) {
		t.Fatalf("survey page: %d\n%s", p.Status, p.Body)
	}

	// The script's save: JSON back with the progress.
	var st struct {
		Complete    bool `json:"complete"`
		Done, Total int
	}
	v.answerUnit(t, v.path, v.a.ID, map[string]int{"overall": 5, "efficiency": 4}).decode(t, http.StatusOK, &st)
	if !st.Complete || st.Done != 1 || st.Total != 2 {
		t.Fatalf("save reply %+v", st)
	}
	// A level outside 1–5 and a unit not on the list are refused; the draft stays.
	wantAPIError(t, v.answerUnit(t, v.path, v.a.ID, map[string]int{"overall": 7}), http.StatusUnprocessableEntity, "invalid",
		"u"+itoa(v.a.ID)+".overall")
	wantAPIError(t, v.answerUnit(t, v.path, 99999, map[string]int{"overall": 3}), http.StatusUnprocessableEntity, "invalid", "unit_id")
	wantAPIError(t, apiDo(t, v.anon, "POST", v.path+"/units/"+itoa(v.a.ID), "application/json", `{"answers":{"overall":"好"}}`),
		http.StatusUnprocessableEntity, "invalid", "answers")
	if p := get(t, v.anon, v.path); !p.has(`value="5" checked`) {
		t.Fatal("the saved level is not shown after refused saves")
	}

	// Submitting with a unit unanswered names it; the drafts stay.
	r := apiJSON(t, v.anon, "POST", v.path+"/submit", map[string]any{})
	wantAPIError(t, r, http.StatusUnprocessableEntity, "invalid", "u"+itoa(v.b.ID)+".overall")
	if !strings.Contains(string(r.Body), "市税务局") {
		t.Errorf("missing-unit message %s", r.Body)
	}
	// A form posts what the page shows: the saved answers of unit A.
	pageA := url.Values{"u" + itoa(v.a.ID) + ".overall": {"5"}, "u" + itoa(v.a.ID) + ".efficiency": {"4"},
		"u" + itoa(v.a.ID) + ".opinion": {"继续努力"}}
	form := pageA
	if p := doPage(t, v.anon, "POST", v.path+"/submit", form); p.Status != http.StatusUnprocessableEntity ||
		!p.has("以下单位尚未评价总体满意度：市税务局") {
		t.Fatalf("form submit with a unit missing: %d\n%s", p.Status, p.Body)
	}

	// Without script: the unit's save button posts the whole form.
	form = url.Values{"u" + itoa(v.b.ID) + ".overall": {"2"}, "u" + itoa(v.b.ID) + ".attitude": {"1"},
		"u" + itoa(v.b.ID) + ".opinion": {"窗口少，排队久"}}
	for k, vals := range pageA {
		form[k] = vals
	}
	p = doPage(t, v.anon, "POST", v.path+"/units/"+itoa(v.b.ID), form)
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "saved="+itoa(v.b.ID)) {
		t.Fatalf("form save: %d %q", p.Status, p.Location)
	}
	if p := get(t, v.anon, p.Location); !p.has("“市税务局”的评价已保存") || !p.has("窗口少，排队久") || !p.has(`id="done">2<`) {
		t.Fatalf("after form save:\n%s", p.Body)
	}
	// A tampered level through the form comes back with the message and what was typed.
	bad := url.Values{"u" + itoa(v.b.ID) + ".overall": {"6"}, "u" + itoa(v.b.ID) + ".opinion": {"新的意见"}}
	if p := doPage(t, v.anon, "POST", v.path+"/units/"+itoa(v.b.ID), bad); p.Status != http.StatusUnprocessableEntity ||
		!p.has("请选择“非常满意”到“非常不满意”之间的等级") || !p.has("新的意见") {
		t.Fatalf("bad level by form: %d\n%s", p.Status, p.Body)
	}

	p = doPage(t, v.anon, "POST", v.path+"/submit", url.Values{})
	if p.Status != http.StatusSeeOther || p.Location != v.path+"?done=1" {
		t.Fatalf("submit: %d %q", p.Status, p.Location)
	}
	if p := get(t, v.anon, p.Location); !p.has("问卷已提交，感谢您的参与") {
		t.Fatalf("thanks page:\n%s", p.Body)
	}
	if p := get(t, v.anon, v.path); p.Status != http.StatusOK || !p.has("此邀请链接已使用，问卷已提交，感谢您的参与") || p.has(`name="u`) {
		t.Fatalf("used link: %d\n%s", p.Status, p.Body)
	}
	r = apiJSON(t, v.anon, "POST", v.path+"/submit", map[string]any{})
	wantAPIError(t, r, http.StatusConflict, "conflict")
	if !strings.Contains(string(r.Body), "此邀请链接已使用") {
		t.Errorf("second submit says %s", r.Body)
	}
	if p := doPage(t, v.anon, "POST", v.path+"/submit", url.Values{}); p.Status != http.StatusConflict || !p.has("此邀请链接已使用") {
		t.Errorf("second form submit: %d", p.Status)
	}
	wantAPIError(t, v.answerUnit(t, v.path, v.a.ID, map[string]int{"overall": 1}), http.StatusConflict, "conflict")
	if n := v.responses(t); n != 2 {
		t.Errorf("%d responses, want 2", n)
	}
	var levels string
	if err := v.app.Pool.QueryRow(t.Context(), `SELECT string_agg(level::text || ':' || aspects::text || ':' || opinion, '|' ORDER BY level)
		FROM survey_responses WHERE respondent_id IS NULL`).Scan(&levels); err != nil {
		t.Fatal(err)
	}
	if levels != `2:{"attitude": 1}:窗口少，排队久|5:{"efficiency": 4}:继续努力` {
		t.Errorf("stored %q", levels)
	}
}

func TestInvitationConcurrentSubmits(t *testing.T) {
	v := newInvitee(t, apptest.Options{}, true)
	v.openSurvey(t, v.survey.ID)
	for _, u := range []int64{v.a.ID, v.b.ID} {
		v.answerUnit(t, v.path, u, map[string]int{"overall": 4}).decode(t, http.StatusOK, nil)
	}
	const tabs = 5
	status := make([]int, tabs)
	var wg sync.WaitGroup
	for i := range tabs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := v.app.Client()
			req, _ := http.NewRequest("POST", v.app.URL+v.path+"/submit", strings.NewReader("{}"))
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
	if n := v.responses(t); n != 2 {
		t.Errorf("%d responses stored, want one set of 2", n)
	}
}

func TestInvitationClosedAndUnknown(t *testing.T) {
	clock := &apiClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	v := newInvitee(t, apptest.Options{Now: clock.Now}, false)
	apiJSON(t, v.office, "PUT", "/api/v1/surveys/"+itoa(v.survey.ID)+"/closes_at", map[string]any{"closes_at": "2026-12-01T12:00:00Z"}).
		decode(t, http.StatusOK, nil)
	v.openSurvey(t, v.survey.ID)
	v.answerUnit(t, v.path, v.a.ID, map[string]int{"overall": 3}).decode(t, http.StatusOK, nil)
	v.answerUnit(t, v.path, v.b.ID, map[string]int{"overall": 3}).decode(t, http.StatusOK, nil)

	clock.Set(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)) // the closing time
	if p := get(t, v.anon, v.path); p.Status != http.StatusGone || !p.has("问卷调查已结束，不再接受提交") {
		t.Fatalf("past closes_at: %d", p.Status)
	}
	r := apiJSON(t, v.anon, "POST", v.path+"/submit", map[string]any{})
	wantAPIError(t, r, http.StatusConflict, "survey_closed")
	if !strings.Contains(string(r.Body), "问卷调查已结束，不再接受提交") {
		t.Errorf("late submit says %s", r.Body)
	}
	if p := doPage(t, v.anon, "POST", v.path+"/submit", url.Values{}); p.Status != http.StatusConflict || !p.has("问卷调查已结束") {
		t.Errorf("late form submit: %d", p.Status)
	}
	wantAPIError(t, v.answerUnit(t, v.path, v.a.ID, map[string]int{"overall": 1}), http.StatusConflict, "survey_closed")
	apiJSON(t, v.office, "POST", "/api/v1/surveys/"+itoa(v.survey.ID)+"/close", map[string]any{}).decode(t, http.StatusOK, nil)
	if p := get(t, v.anon, v.path); p.Status != http.StatusGone {
		t.Errorf("closed survey page: %d", p.Status)
	}
	if n := v.responses(t); n != 0 {
		t.Errorf("%d responses after refusals", n)
	}

	for _, path := range []string{"/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "/s/short", "/s/" + strings.Repeat("x", 80)} {
		if p := get(t, v.anon, path); p.Status != http.StatusNotFound || !p.has("邀请链接无效") {
			t.Errorf("GET %s: %d", path, p.Status)
		}
	}
	wantAPIError(t, apiJSON(t, v.anon, "POST", "/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/submit", map[string]any{}), http.StatusNotFound, "not_found")
}

func TestInvitationRateLimits(t *testing.T) {
	v := newInvitee(t, apptest.Options{Env: map[string]string{"RATE_PUBLIC_PAGE": "3-M", "RATE_PUBLIC_CLIENT": "2-M"}}, true)
	v.openSurvey(t, v.survey.ID)
	for i := range 3 {
		if p := get(t, v.anon, v.path); p.Status != http.StatusOK {
			t.Fatalf("view %d: %d", i+1, p.Status)
		}
	}
	if p := get(t, v.anon, v.path); p.Status != http.StatusTooManyRequests || !p.has("访问过于频繁") {
		t.Errorf("fourth view: %d", p.Status)
	}
	r := v.answerUnit(t, v.path, v.a.ID, map[string]int{"overall": 5})
	wantAPIError(t, r, http.StatusTooManyRequests, "rate_limited")
	if r.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	// Guessing links is limited per address.
	codes := []int{}
	for range 3 {
		codes = append(codes, get(t, v.anon, "/s/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB").Status)
	}
	if codes[0] != http.StatusNotFound || codes[2] != http.StatusTooManyRequests {
		t.Errorf("unknown links: %v", codes)
	}
}
