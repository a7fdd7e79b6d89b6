package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// TestTerminalPoisonItem: one rating with a NUL byte or a control
// character in its text is rejected alone, naming its field; the rest of
// the batch is stored, so a device resending the batch is not stuck.
func TestTerminalPoisonItem(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	_, token := w.CreateTerminal(t, w.A.ID, map[string]any{"name": "1号评价器"})
	body := `{"ratings":[{"id":"p-1","level":5},{"id":"p-2","level":1,"comment":"bad\u0000byte"},` +
		`{"id":"p-3","level":4,"window":"A\u001b[31m"},{"id":"p-4","level":2,"reasons":["慢\u0007"]},` +
		`{"id":"p-5","level":3,"comment":"lone \ud800 surrogate and raw ` + "\xff" + ` byte"}]}`
	var out fixtures.TermReply
	apptest.APIDo(t, w.Anon, "POST", "/api/v1/terminal/ratings", "application/json", body, "Authorization", "Bearer "+token).
		Decode(t, http.StatusOK, &out)
	// JSON decoding turns invalid UTF-8 and lone surrogates into U+FFFD,
	// which is text; NUL and the other controls are refused.
	if got, want := out.Summary(), "p-1:created p-2:rejected:invalid:comment p-3:rejected:invalid:window p-4:rejected:invalid:reasons p-5:created"; got != want {
		t.Fatalf("batch: %s\nwant %s", got, want)
	}
	if n := fixtures.StoredRatings(t, w, w.A.ID); n != 2 {
		t.Fatalf("stored %d ratings, want 2", n)
	}
	// The device resends the same batch: the same answer, nothing more stored.
	apptest.APIDo(t, w.Anon, "POST", "/api/v1/terminal/ratings", "application/json", body, "Authorization", "Bearer "+token).
		Decode(t, http.StatusOK, &out)
	if out.Duplicates != 2 || out.Rejected != 3 || fixtures.StoredRatings(t, w, w.A.ID) != 2 {
		t.Fatalf("resent batch: %s, stored %d", out.Summary(), fixtures.StoredRatings(t, w, w.A.ID))
	}
}

// TestPublicFormBadText: a NUL byte or invalid UTF-8 in the comment gives
// the form back (422) with what was typed and the field marked, instead
// of the "系统繁忙" page; nothing is stored.
func TestPublicFormBadText(t *testing.T) {
	f := fixtures.NewPubFixture(t, apptest.Options{})
	for i, comment := range []string{"排队\x00两小时", "排队\xff两小时", "排队\x1b两小时"} {
		d := f.Device("Bad" + apptest.Itoa(int64(i)))
		res, body := d.Rate(t, f.Code, fixtures.RatingForm("2", "reasons", "等候时间长", "comment", comment, "phone", "13712345678",
			"token", "tok-bad-000"+apptest.Itoa(int64(i))))
		fixtures.WantPublicPage(t, res, body, http.StatusUnprocessableEntity, "请检查标红的内容", "含有无法识别的字符", `value="13712345678"`)
	}
	if n := f.Stored(t, f.UnitID); n != 0 {
		t.Fatalf("stored %d ratings with bad text", n)
	}
	// The same citizen fixes the comment and is thanked.
	res, body := f.Device("Bad0").Rate(t, f.Code, fixtures.RatingForm("2", "reasons", "等候时间长", "comment", "排队两小时", "token", "tok-bad-0009"))
	fixtures.WantThanks(t, res, body)
	// A code with a NUL is an unknown code, not an outage.
	if res, body := f.Device("Bad1").Do(t, "GET", "/q/%00abc", nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("GET /q/%%00abc: %d %.200s", res.StatusCode, body)
	}
	if res, body := f.Device("Bad1").Rate(t, "ab%00c", fixtures.RatingForm("5")); res.StatusCode != http.StatusNotFound {
		t.Fatalf("POST /q/ab%%00c: %d %.200s", res.StatusCode, body)
	}
}

// TestSurveyBadText: an opinion with a NUL byte is refused by field — the
// page's script gets 422 naming it, a plain form gets its page back with
// the answers kept — instead of "系统繁忙".
func TestSurveyBadText(t *testing.T) {
	v := fixtures.NewInvitee(t, apptest.Options{}, false)
	v.OpenSurvey(t, v.Survey.ID)
	r := apptest.APIJSON(t, v.Anon, "POST", v.Path+"/units/"+apptest.Itoa(v.A.ID), map[string]any{"answers": map[string]int{"overall": 4}, "opinion": "窗口\x00太少"})
	apptest.WantAPIError(t, r, http.StatusUnprocessableEntity, "invalid", "u"+apptest.Itoa(v.A.ID)+".opinion")
	form := url.Values{"u" + apptest.Itoa(v.A.ID) + ".overall": {"4"}, "u" + apptest.Itoa(v.A.ID) + ".opinion": {"窗口\xff太少"}}
	p := apptest.DoPage(t, v.Anon, "POST", v.Path+"/units/"+apptest.Itoa(v.A.ID), form)
	if p.Status != http.StatusUnprocessableEntity || !p.Has("含有无法识别的字符") || !p.Has(`value="4" checked`) {
		t.Fatalf("form with a bad opinion: %d %.600s", p.Status, p.Body)
	}
	if n := v.Responses(t); n != 0 {
		t.Fatalf("%d responses stored", n)
	}
}

// TestHostileQueryAndPathValues: ids beyond any row, beyond int64 and
// text with NUL bytes in query strings answer 404 or 422 — never 500.
func TestHostileQueryAndPathValues(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	cy := apptest.Itoa(w.CreateCycle(t, "2026年度", 2026, nil).ID)
	big := "2147483648"
	paths := []string{
		"/api/v1/cycles/" + cy + "/config/versions/" + big, "/api/v1/cycles/" + cy + "/scores?version=" + big,
		"/api/v1/cycles/" + cy + "/scheme?version=" + big, "/console/cycles/" + cy + "?version=" + big,
		"/console/cycles/" + cy + "/scheme?version=" + big, "/console/cycles/" + cy + "/scores?version=" + big,
		"/api/v1/targets/1/versions/" + big, "/targets/" + cy + "/1?version=" + big, "/api/v1/workdays/" + big,
		"/console/workdays/" + big, "/api/v1/workdays/deadline?from=2026-01-05&days=" + big,
		"/api/v1/ratings?limit=" + big + "&offset=" + big, "/console/ratings?page=" + big, "/console/audit?page=99999999999999999999",
		"/console/surveys?cycle_id=2147483648", "/console/surveys?cycle_id=9223372036854775807",
		"/console/surveys?cycle_id=99999999999999999999", "/console/surveys?cycle_id=-1",
		"/console/ratings?unit_id=2147483648", "/console/ratings?unit_id=99999999999999999999",
		"/console/targets?cycle_id=2147483648", "/console/feedback?unit_id=9223372036854775807",
		"/console/cases?unit_id=2147483648", "/console/responses?cycle_id=2147483648&survey_id=2147483648&unit_id=2147483648",
		"/console/audit?entity=unit&entity_id=2147483648", "/console/units/2147483648", "/console/units/99999999999999999999",
		"/console/cycles/2147483648", "/console/surveys/9223372036854775807", "/console/ratings?q=%00",
		"/api/v1/units/2147483648", "/api/v1/units/99999999999999999999", "/api/v1/ratings?unit_id=2147483648",
		"/api/v1/ratings?unit_id=99999999999999999999", "/api/v1/surveys?cycle_id=2147483648", "/api/v1/cases?cycle_id=2147483648",
		"/api/v1/feedback?unit_id=2147483648", "/api/v1/audit?entity_id=2147483648", "/api/v1/ratings?q=%00x",
		"/api/v1/cycles/2147483648/scores", "/api/v1/units/1/ratings?from=%00", "/results/2147483648", "/cases/2147483648",
		"/targets/2147483648/1",
	}
	for _, path := range paths {
		p := apptest.Get(t, w.Office, path)
		if p.Status >= 500 {
			t.Errorf("GET %s: %d %.200s", path, p.Status, p.Body)
		}
	}
	for _, path := range []string{"/api/v1/ratings?q=%00x", "/console/ratings?comment=a%00b"} {
		if p := apptest.Get(t, w.Office, path); p.Status != http.StatusUnprocessableEntity || !p.Has("无法识别的字符") {
			t.Errorf("GET %s: %d, want 422 naming the characters", path, p.Status)
		}
	}
}

// TestStaffBadText: a NUL in a console form field or an API body is
// refused with 422 (not stored, not a 500); a NUL in a sign-in name is a
// failed sign-in, not an outage.
func TestStaffBadText(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	p := apptest.Post(t, w.Office, "/console/units", url.Values{"name": {"市公安局\x00"}, "category": {"执法监督类"}})
	if p.Status != http.StatusUnprocessableEntity || !p.Has("无法识别的字符") {
		t.Fatalf("console form with a NUL: %d %.300s", p.Status, p.Body)
	}
	r := apptest.APIJSON(t, w.Office, "POST", "/api/v1/units", map[string]string{"name": "市公安局\x00", "category": "执法监督类"})
	apptest.WantAPIError(t, r, http.StatusUnprocessableEntity, "invalid", "name")
	var n int
	if err := w.App.Pool.QueryRow(t.Context(), `SELECT count(*) FROM units WHERE name LIKE '市公安局%'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("units stored: %d %v", n, err)
	}
	c := w.App.Client()
	if p := apptest.FormLogin(t, c, "office1\x00", "office-pass-1", ""); p.Status >= 500 || p.Status == http.StatusSeeOther {
		t.Fatalf("sign-in form with a NUL in the name: %d", p.Status)
	}
	r = apptest.APIJSON(t, c, "POST", "/api/v1/session", map[string]string{"username": "office1\x00", "password": "office-pass-1"})
	if r.Status >= 500 || r.Status == http.StatusOK {
		t.Fatalf("API sign-in with a NUL in the name: %d %s", r.Status, r.Body)
	}
	if !strings.Contains(string(r.Body), `"code"`) {
		t.Fatalf("API sign-in error is not the JSON error shape: %s", r.Body)
	}
}
