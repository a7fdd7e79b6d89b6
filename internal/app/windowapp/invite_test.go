package windowapp_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"minyi/internal/channels/channelstest"
	"minyi/internal/ratings"
	"minyi/internal/testutil/apptest"
	"minyi/internal/windowreq"
)

var linkRE = regexp.MustCompile(`/w/[A-Za-z0-9_-]+`)

// An expired request with the applicant's phone gets, once the office
// switched the invitations on, one SMS with a one-time link; the applicant
// rates through it, and the rating is bound to the case like the
// terminal's. The link then shows the thanks, and expires after three days.
func TestExpiredRequestInvitesBySMS(t *testing.T) {
	gw := channelstest.NewReceiver(t, 200, `{"code":0}`)
	clock := apptest.NewClock(time.Date(2026, 3, 16, 10, 0, 0, 0, apptest.Shanghai))
	w := newWindowWorld(t, apptest.Options{Now: clock.Now, Env: map[string]string{"WINDOW_REQUEST_TTL": "2m",
		"SMS_GATEWAY_URL": gw.URL + "/send", "SMS_GATEWAY_BODY": `{"to":{{json .Phone}},"text":{{json .Text}}}`,
		"SMS_GATEWAY_OK": `"code":0`, "SMS_SIGNATURE": "某市绩效办", "SMS_QUIET_HOURS": "21:00-08:00"}})
	app, ctx := w.App, context.Background()
	body := requestBody("inv-1", "BJ-9001", w.termID)
	body["phone"] = "13812345678"
	var req requestReply
	createRequest(t, app, w.bizToken, body).Decode(t, http.StatusCreated, &req)
	var noPhone requestReply
	createRequest(t, app, w.bizToken, requestBody("inv-2", "BJ-9002", w.termID)).Decode(t, http.StatusCreated, &noPhone)
	clock.Set(clock.Now().Add(3 * time.Minute))

	// Off by default: nothing is sent.
	if n, err := windowreq.InviteExpired(ctx, app.Pool, app.SMS, app.Keys, app.URL, clock.Now()); err != nil || n != 0 {
		t.Fatalf("invited %d (%v) with the invitations off", n, err)
	}
	apptest.APIJSON(t, w.Office, "PUT", "/api/v1/citizen-sms-settings",
		map[string]bool{"case_followup": true, "callback_notice": true, "window_invite": true}).Decode(t, http.StatusOK, nil)
	// The hourly maintenance expires and invites.
	if ran, err := app.Server.MaintainOnce(ctx, time.Hour); err != nil || !ran {
		t.Fatalf("maintenance ran %v: %v", ran, err)
	}
	if n := app.Count(t, `SELECT count(*) FROM citizen_sms WHERE kind = 'window_invite'`); n != 1 {
		t.Fatalf("%d invitations recorded, want 1", n)
	}
	if n, err := windowreq.InviteExpired(ctx, app.Pool, app.SMS, app.Keys, app.URL, clock.Now()); err != nil || n != 0 {
		t.Fatalf("a second round invited %d (%v)", n, err)
	}
	apptest.StartSMSWorker(t, app, clock.Now)
	var text string
	for deadline := time.Now().Add(20 * time.Second); text == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		for _, r := range gw.Got() {
			var m struct{ To, Text string }
			if err := json.Unmarshal([]byte(r.Body), &m); err == nil && m.To == "13812345678" {
				text = m.Text
			}
		}
	}
	link := linkRE.FindString(text)
	if link == "" || !strings.Contains(text, "市政务服务中心") {
		t.Fatalf("SMS text %q: no link or unit", text)
	}

	// The page names the item and stage; a 差评 without a reason comes back.
	page := get(t, app, link)
	if page.status != http.StatusOK || !strings.Contains(page.body, "企业设立登记") || !strings.Contains(page.body, "受理") ||
		!strings.Contains(page.body, `action="`+link+`"`) {
		t.Fatalf("invitation page %d: %.300s", page.status, page.body)
	}
	// The business system said the applicant type: the page does not ask it
	// again, and an answer posted anyway (here one the form never offers)
	// is ignored.
	if strings.Contains(page.body, "您是以什么身份办事的") {
		t.Error("the invitation asks the applicant type its request already names")
	}
	if got := post(t, app, link, url.Values{"level": {"1"}, "token": {"x1"}}); got.status != http.StatusUnprocessableEntity {
		t.Fatalf("差评 without a reason: %d", got.status)
	}
	if got := post(t, app, link, url.Values{"level": {"4"}, "comment": {"窗口人员很耐心"}, "token": {"x1"},
		"applicant_type": {"9"}}); got.status != http.StatusSeeOther {
		t.Fatalf("rating: %d %.300s", got.status, got.body)
	}
	if got := post(t, app, link, url.Values{"level": {"1"}, "reasons": {"其他"}, "token": {"x2"}}); got.status != http.StatusOK ||
		!strings.Contains(got.body, "评价已提交") {
		t.Fatalf("second post: %d %.300s", got.status, got.body)
	}
	var state requestReply
	apptest.APIDo(t, app.Client(), "GET", "/api/v1/business/requests/"+req.Request.ID, "", "", bearer(w.bizToken)...).
		Decode(t, http.StatusOK, &state)
	if state.Request.State != windowreq.Rated || state.Request.RatingID == nil {
		t.Fatalf("state after the invitation's rating %+v", state.Request)
	}
	// The thanks name the case and stage, the rating's 评价编号 and, as the
	// applicant left a message, its tracking page.
	ref := ratings.Reference(uuid.MustParse(*state.Request.RatingID), apptest.Shanghai)
	if got := get(t, app, link); got.status != http.StatusOK || !strings.Contains(got.body, `<strong id="reference">`+ref+`</strong>`) ||
		!strings.Contains(got.body, "办件编号 BJ-9001 · 受理环节") || !strings.Contains(got.body, `href="/t/`+ref+`"`) {
		t.Fatalf("thanks page %d, want reference %s: %.600s", got.status, ref, got.body)
	}
	var caseNo, item, stage, staff string
	var level, pf, applicant int
	if err := app.Pool.QueryRow(ctx, `SELECT case_no, item_code, stage, staff_no, level, pf, applicant_type FROM ratings
		WHERE id = $1`, *state.Request.RatingID).Scan(&caseNo, &item, &stage, &staff, &level, &pf, &applicant); err != nil {
		t.Fatal(err)
	}
	if caseNo != "BJ-9001" || item != "SX-1" || stage != "2" || staff != "GH-017" || level != 4 || pf != 2 || applicant != 1 {
		t.Fatalf("stored %s %s %s %s level %d pf %d applicant %d", caseNo, item, stage, staff, level, pf, applicant)
	}
	if n := app.Count(t, `SELECT count(*) FROM ratings`); n != 1 {
		t.Fatalf("%d ratings, want 1", n)
	}
	// Unknown links are 404; an unused link expires after three days.
	if got := get(t, app, "/w/nope"); got.status != http.StatusNotFound {
		t.Fatalf("unknown link: %d", got.status)
	}
	if _, err := app.Pool.Exec(ctx, `UPDATE window_requests SET rating_id = NULL, state = 'expired' WHERE id = $1`,
		req.Request.ID); err != nil {
		t.Fatal(err)
	}
	clock.Set(clock.Now().Add(windowreq.InviteValid))
	if got := get(t, app, link); got.status != http.StatusGone {
		t.Fatalf("link after three days: %d", got.status)
	}
}

type page struct {
	status int
	body   string
}

func get(t *testing.T, app *apptest.App, path string) page {
	t.Helper()
	r := apptest.APIDo(t, noRedirects(app), "GET", path, "", "")
	return page{r.Status, string(r.Body)}
}

func post(t *testing.T, app *apptest.App, path string, form url.Values) page {
	t.Helper()
	c := noRedirects(app)
	res, err := c.C.PostForm(app.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode == http.StatusSeeOther {
		return page{res.StatusCode, res.Header.Get("Location")}
	}
	return page{res.StatusCode, string(b)}
}

// noRedirects is a client of the app that shows redirects as they are.
func noRedirects(app *apptest.App) *apptest.Client {
	c := app.Client()
	c.C.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}
