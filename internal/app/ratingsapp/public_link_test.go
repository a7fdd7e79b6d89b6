package ratingsapp_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"minyi/internal/links"
	"minyi/internal/ratings"
	"minyi/internal/testutil/apptest"
)

// stored is what a linked rating stored of the record.
type stored struct {
	Channel, CaseNo, Item, Stage string
	PF                           int
}

func storedRatings(t *testing.T, w *linkWorld) []stored {
	t.Helper()
	rows, err := w.App.Pool.Query(context.Background(), `SELECT channel, case_no, item_code, stage, `+ratings.PFSQL("r")+`
		FROM ratings r WHERE unit_id = $1 ORDER BY rated_at`, w.A.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []stored
	for rows.Next() {
		var s stored
		if err := rows.Scan(&s.Channel, &s.CaseNo, &s.Item, &s.Stage, &s.PF); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func rateForm(level, token string) url.Values {
	return url.Values{"level": {level}, "token": {token}}
}

func TestSignedLinkRatesTheCaseOncePerStage(t *testing.T) {
	w := newLinkWorld(t, "2", "https://app.example.gov.cn\nhttps://*.zwfw.example.gov.cn")
	link := w.link("SL2026120400001", "3")

	res, body := open(t, w.Anon, "GET", link, nil)
	if res.Status != http.StatusOK || !strings.Contains(body, "SL2026120400001") || !strings.Contains(body, "企业设立登记") ||
		!strings.Contains(body, "办结") {
		t.Fatalf("link page: %d %.500s", res.Status, body)
	}
	// Only this route may be framed, and only by the integration's origins.
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors https://app.example.gov.cn https://*.zwfw.example.gov.cn;") ||
		strings.Contains(csp, "'none'; base-uri") || res.Header.Get("X-Frame-Options") != "" || res.Header.Get("Set-Cookie") != "" {
		t.Fatalf("link page headers: CSP %q, X-Frame-Options %q, cookies %v", csp, res.Header.Get("X-Frame-Options"), res.Header.Get("Set-Cookie"))
	}
	for _, path := range []string{"/q/" + w.A.QR.Code, "/login", "/console/rating-links"} {
		res, _ := open(t, w.Anon, "GET", path, nil)
		if !strings.Contains(res.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") || res.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s may be framed: %q %q", path, res.Header.Get("Content-Security-Policy"), res.Header.Get("X-Frame-Options"))
		}
	}

	res, body = open(t, w.Anon, "POST", link, rateForm("5", "tok-link-0001"))
	if res.Status != http.StatusOK || !strings.Contains(body, "评价已提交") || !strings.Contains(body, `id="reference"`) ||
		res.Header.Get("X-Frame-Options") != "" {
		t.Fatalf("rating: %d %.500s", res.Status, body)
	}
	ref := between(body, `id="reference">`, "<")
	// A replay of the same form (its client id) is idempotent.
	res, body = open(t, w.Anon, "POST", link, rateForm("5", "tok-link-0001"))
	if res.Status != http.StatusOK || between(body, `id="reference">`, "<") != ref {
		t.Fatalf("replay: %d %.500s", res.Status, body)
	}
	// A second rating of the case at the same stage is answered in words.
	res, body = open(t, w.Anon, "POST", link, rateForm("3", "tok-link-0002"))
	if res.Status != http.StatusConflict || !apptest.HasText(apptest.Page{Body: body}, "该办件的“办结”环节已经评价过") {
		t.Fatalf("second rating of the stage: %d %.500s", res.Status, body)
	}
	// Another stage of the same case takes its own rating, as does the
	// same stage of another case.
	for i, l := range []string{w.link("SL2026120400001", "1"), w.link("SL2026120400002", "3")} {
		res, body = open(t, w.Anon, "POST", l, rateForm("4", "tok-link-001"+apptest.Itoa(int64(i))))
		if res.Status != http.StatusOK || !strings.Contains(body, "评价已提交") {
			t.Fatalf("link %d: %d %.300s", i, res.Status, body)
		}
	}
	got := storedRatings(t, w)
	if len(got) != 3 {
		t.Fatalf("stored %+v", got)
	}
	for i, want := range []stored{{"qr", "SL2026120400001", "SX-1", "3", 2}, {"qr", "SL2026120400001", "SX-1", "1", 2},
		{"qr", "SL2026120400002", "SX-1", "3", 2}} {
		if got[i] != want {
			t.Errorf("rating %d: %+v, want %+v", i, got[i], want)
		}
	}
	// The feed names the online channel by its stored pf.
	p := apptest.Get(t, w.Console, "/console/ratings?unit="+apptest.Itoa(w.A.ID))
	if !apptest.HasText(p, "线上评价") || !apptest.HasText(p, "移动端") {
		t.Errorf("feed does not name the online channel: %.300s", apptest.PageText(p.Body))
	}
}

func TestSignedLinkPCChannelAndShortCode(t *testing.T) {
	w := newLinkWorld(t, "1", "")
	if _, err := w.App.Pool.Exec(context.Background(), `UPDATE units SET short_code = 'SJGJ' WHERE id = $1`, w.A.ID); err != nil {
		t.Fatal(err)
	}
	link := w.signed(links.Link{Unit: "SJGJ", Case: "WS-1", Expires: time.Now().Add(time.Hour), KeyID: w.KeyID}, w.Secret)
	res, body := open(t, w.Anon, "GET", link, nil)
	// Without origins the page is not framed at all.
	if res.Status != http.StatusOK || res.Header.Get("X-Frame-Options") != "DENY" ||
		!strings.Contains(res.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Fatalf("link without origins: %d %v %.300s", res.Status, res.Header, body)
	}
	if res, body = open(t, w.Anon, "POST", link, rateForm("2", "tok-pc-0001")); res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("不满意 without a reason: %d %.300s", res.Status, body)
	}
	form := rateForm("2", "tok-pc-0001")
	form.Set("reasons", "服务态度差")
	form.Set("applicant_type", "1") // 办事身份: 个人
	if res, body = open(t, w.Anon, "POST", link, form); res.Status != http.StatusOK {
		t.Fatalf("rating: %d %.300s", res.Status, body)
	}
	var pf, applicant int
	var stage *string
	if err := w.App.Pool.QueryRow(context.Background(), `SELECT pf, stage, applicant_type FROM ratings WHERE case_no = 'WS-1'`).
		Scan(&pf, &stage, &applicant); err != nil || pf != ratings.PFPC || stage != nil || applicant != ratings.ApplicantPerson {
		t.Fatalf("stored pf %d stage %v applicant %d (%v)", pf, stage, applicant, err)
	}
}

func TestSignedLinkRefusals(t *testing.T) {
	w := newLinkWorld(t, "2", "https://app.example.gov.cn")
	oldKid, oldSecret := w.KeyID, w.Secret
	newKid, newSecret := w.newKey(t) // rotation: both keys live
	unit := apptest.Itoa(w.A.ID)
	sign := func(l links.Link, secret string) string { return w.signed(l, secret) }
	base := links.Link{Unit: unit, Case: "SL-9", Item: "SX-1", Stage: "3", Expires: time.Now().Add(time.Hour), KeyID: oldKid}
	with := func(edit func(*links.Link)) links.Link { l := base; edit(&l); return l }

	for _, l := range []string{sign(base, oldSecret), sign(with(func(l *links.Link) { l.KeyID = newKid }), newSecret)} {
		if res, body := open(t, w.Anon, "GET", l, nil); res.Status != http.StatusOK {
			t.Fatalf("live key: %d %.300s", res.Status, body)
		}
	}
	tampered := strings.Replace(sign(base, oldSecret), "case=SL-9", "case=SL-8", 1)
	for _, tc := range []struct {
		name, path string
		status     int
		text       string
	}{
		{"expired", sign(with(func(l *links.Link) { l.Expires = time.Now().Add(-time.Minute) }), oldSecret), http.StatusGone, "评价链接已过期"},
		{"tampered case", tampered, http.StatusForbidden, "签名校验失败"},
		{"signed with the other key's secret", sign(base, newSecret), http.StatusForbidden, "签名校验失败"},
		{"unknown key", sign(with(func(l *links.Link) { l.KeyID = "lkunknown0" }), oldSecret), http.StatusForbidden, "密钥无效或已停用"},
		{"unknown item", sign(with(func(l *links.Link) { l.Item = "NOPE" }), oldSecret), http.StatusNotFound, "评价事项无效"},
		{"unknown stage", sign(with(func(l *links.Link) { l.Stage = "9" }), oldSecret), http.StatusNotFound, "评价事项无效"},
		{"unknown unit", sign(with(func(l *links.Link) { l.Unit = "999999" }), oldSecret), http.StatusNotFound, "评价单位不存在"},
		{"no signature", "/l?unit=" + unit + "&case=SL-9", http.StatusBadRequest, "评价链接不完整或有误"},
	} {
		for _, method := range []string{"GET", "POST"} {
			res, body := open(t, w.Anon, method, tc.path, rateForm("5", "tok-refused-01"))
			if res.Status != tc.status || !apptest.HasText(apptest.Page{Body: body}, tc.text) {
				t.Errorf("%s %s: %d %.300s", method, tc.name, res.Status, apptest.PageText(body))
			}
		}
	}

	// Revoking the old key refuses its links; the new key goes on.
	p := apptest.Post(t, w.Console, w.Integration+"/keys/"+oldKid+"/revoke", url.Values{})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d %.300s", p.Status, p.Body)
	}
	if res, _ := open(t, w.Anon, "POST", sign(base, oldSecret), rateForm("5", "tok-revoked-1")); res.Status != http.StatusForbidden {
		t.Errorf("revoked key: %d", res.Status)
	}
	// A disabled integration takes nothing, with the page framed for it.
	p = apptest.Post(t, w.Console, w.Integration, url.Values{"name": {"省政务服务网"}, "pf": {"2"},
		"origins": {"https://app.example.gov.cn"}, "enabled": {"0"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("disable: %d %.300s", p.Status, p.Body)
	}
	res, body := open(t, w.Anon, "POST", sign(with(func(l *links.Link) { l.KeyID = newKid }), newSecret), rateForm("5", "tok-off-1"))
	if res.Status != http.StatusForbidden || !strings.Contains(body, "评价渠道已停用") || res.Header.Get("X-Frame-Options") != "" {
		t.Errorf("disabled integration: %d %.300s", res.Status, body)
	}
	if got := storedRatings(t, w); len(got) != 0 {
		t.Fatalf("refused links stored %+v", got)
	}
}

// between is the text of s after start up to end.
func between(s, start, end string) string {
	_, after, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(after, end)
	return v
}
