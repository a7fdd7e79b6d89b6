package server_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// zeros is an endless body of a byte, read lazily so a test can declare or
// stream a body far larger than it keeps in memory.
type zeros byte

func (z zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(z)
	}
	return len(p), nil
}

// rawPost sends body to path with the content type; length is the declared
// Content-Length, or -1 to send it chunked. A declared body over 64 KiB is
// sent with "Expect: 100-continue", as curl does, so a server that refuses
// it by its length answers before the client writes it.
func rawPost(t *testing.T, c *apptest.Client, path, ctype string, body io.Reader, length int64) apptest.Page {
	t.Helper()
	req, err := http.NewRequest("POST", c.App.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = length
	req.Header.Set("Content-Type", ctype)
	if length > 64<<10 {
		req.Header.Set("Expect", "100-continue")
	}
	res, err := c.C.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return apptest.Page{Status: res.StatusCode, Location: res.Header.Get("Location"), Body: string(b)}
}

// multipartRating is a rating form sent as multipart with a padding file
// part of n bytes, the shape of the 400 MB body the attack test sent.
func multipartRating(n int) (io.Reader, string, int64) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("level", "5")         //nolint:errcheck
	mw.WriteField("token", "padded-01") //nolint:errcheck
	fw, _ := mw.CreateFormFile("pad", "pad.bin")
	fw.Write(bytes.Repeat([]byte("a"), n)) //nolint:errcheck
	mw.Close()
	return &b, mw.FormDataContentType(), int64(b.Len())
}

// TestPublicFormBodyLimits: the citizens' forms and the sign-in form take a
// url-encoded body of a few KB. A larger one is refused with 413 before it
// is read (declared) or as soon as it passes the cap (chunked), a
// multipart one with 415, and nothing is stored.
func TestPublicFormBodyLimits(t *testing.T) {
	f := fixtures.NewPubFixture(t, apptest.Options{})
	d := f.Device("Body")
	form := "level=5&token=tok-body-0001&comment="

	// Declared far over the cap: answered without reading it.
	p := rawPost(t, d.C, "/q/"+f.Code, "application/x-www-form-urlencoded",
		io.MultiReader(strings.NewReader(form), io.LimitReader(zeros('a'), 64<<20)), int64(len(form))+64<<20)
	if p.Status != http.StatusRequestEntityTooLarge || !strings.Contains(p.Body, "提交内容过大") ||
		!strings.Contains(p.Body, `href="/q/`+f.Code+`"`) {
		t.Fatalf("64 MB rating form: %d %.300s", p.Status, p.Body)
	}
	// Sent chunked: cut at the cap (16 KiB).
	p = rawPost(t, d.C, "/q/"+f.Code, "application/x-www-form-urlencoded",
		io.MultiReader(strings.NewReader(form), io.LimitReader(zeros('a'), 256<<10)), -1)
	if p.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("256 KiB chunked rating form: %d %.300s", p.Status, p.Body)
	}
	// Multipart, as the attack test sent 400 MB: refused before reading.
	body, ctype, n := multipartRating(8 << 20)
	p = rawPost(t, d.C, "/q/"+f.Code, ctype, body, n)
	if p.Status != http.StatusUnsupportedMediaType || !strings.Contains(p.Body, "不支持这种提交方式") {
		t.Fatalf("multipart rating: %d %.300s", p.Status, p.Body)
	}
	if got := f.Stored(t, f.UnitID); got != 0 {
		t.Fatalf("%d ratings stored from refused bodies", got)
	}

	// A comment of the full 500 characters still fits.
	res, b := d.Rate(t, f.Code, fixtures.RatingForm("2", "reasons", "等候时间长", "comment", strings.Repeat("排", 500), "token", "tok-body-0002"))
	fixtures.WantThanks(t, res, b)

	// The sign-in form and an invitation link's form have caps too.
	p = rawPost(t, f.App.Client(), "/login", "application/x-www-form-urlencoded", io.LimitReader(zeros('a'), 4<<20), 4<<20)
	if p.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("4 MB sign-in form: %d", p.Status)
	}
	p = rawPost(t, f.App.Client(), "/login", "multipart/form-data; boundary=x", strings.NewReader("--x--\r\n"), 7)
	if p.Status != http.StatusUnsupportedMediaType {
		t.Fatalf("multipart sign-in: %d", p.Status)
	}
	p = rawPost(t, f.App.Client(), "/s/"+strings.Repeat("A", 32)+"/submit", "application/x-www-form-urlencoded",
		io.LimitReader(zeros('a'), 8<<20), 8<<20)
	if p.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("8 MB invitation form: %d", p.Status)
	}
}

// TestConsoleFormBodyLimit: a console form post is capped too (1 MiB; the
// upload routes have their own caps), before the session check reads it.
func TestConsoleFormBodyLimit(t *testing.T) {
	f := fixtures.NewPubFixture(t, apptest.Options{})
	token := apptest.CSRF(t, f.Office, "/console")
	big := url.Values{"_csrf": {token}, "name": {"市公安局"}, "category": {"执法监督类"}, "pad": {strings.Repeat("a", 2<<20)}}
	p := rawPost(t, f.Office, "/console/units", "application/x-www-form-urlencoded", strings.NewReader(big.Encode()), -1)
	if p.Status != http.StatusRequestEntityTooLarge || !strings.Contains(p.Body, "提交内容过大") {
		t.Fatalf("2 MB chunked console form: %d %.300s", p.Status, p.Body)
	}
	body, ctype, n := multipartRating(48 << 20)
	p = rawPost(t, f.Office, "/console/units", ctype, body, n)
	if p.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("48 MB multipart console form: %d %.300s", p.Status, p.Body)
	}
	var count int
	if err := f.App.Pool.QueryRow(t.Context(), `SELECT count(*) FROM units WHERE name = '市公安局'`).Scan(&count); err != nil || count != 0 {
		t.Fatalf("units created from refused bodies: %d %v", count, err)
	}
}

// TestAPIBodiesOverTheLimit: a JSON body over its endpoint's limit is 413
// too_large, whichever endpoint, and changes nothing.
func TestAPIBodiesOverTheLimit(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	cy := w.CreateCycle(t, "2026年度", 2026, nil)
	_, token := w.CreateTerminal(t, w.A.ID, map[string]any{"name": "1号评价器"})
	long := `{"name":"` + strings.Repeat("长", 6000) + `","category":"社会服务类"}`
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/api/v1/units", long},
		{"PATCH", "/api/v1/units/" + apptest.Itoa(w.A.ID), long},
		{"POST", "/api/v1/units/" + apptest.Itoa(w.A.ID) + "/points", long},
		{"POST", "/api/v1/units/" + apptest.Itoa(w.A.ID) + "/terminals", long},
		{"POST", "/api/v1/cycles", `{"name":"` + strings.Repeat("长", 30000) + `"}`},
		{"PUT", "/api/v1/cycles/" + apptest.Itoa(cy.ID) + "/config", `{"note":"` + strings.Repeat("长", 400000) + `"}`},
		{"POST", "/api/v1/session", `{"username":"` + strings.Repeat("a", 5000) + `"}`},
	} {
		apptest.WantAPIError(t, apptest.APIDo(t, w.Office, c.method, c.path, "application/json", c.body), http.StatusRequestEntityTooLarge, "too_large")
	}
	batch := `{"ratings":[` + strings.Repeat(`{"id":"x","level":5,"comment":"`+strings.Repeat("a", 400)+`"},`, 6000) + `{"id":"y","level":5}]}`
	apptest.WantAPIError(t, apptest.APIDo(t, w.Anon, "POST", "/api/v1/terminal/ratings", "application/json", batch, "Authorization", "Bearer "+token),
		http.StatusRequestEntityTooLarge, "too_large")
	if n := fixtures.StoredRatings(t, w, w.A.ID); n != 0 {
		t.Fatalf("%d ratings stored", n)
	}
	var units struct{ Total int }
	apptest.APIJSON(t, w.Office, "GET", "/api/v1/units", nil).Decode(t, http.StatusOK, &units)
	if units.Total != 2 {
		t.Fatalf("%d units after refused bodies, want 2", units.Total)
	}
}
