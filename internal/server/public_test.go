package server_test

import (
	"bytes"
	"context"
	"image/png"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"minyi/internal/testutil/apptest"
	"minyi/web"
)

// pubFixture is a running server with a signed-in office client and one unit
// whose QR page citizens rate.
type pubFixture struct {
	app    *apptest.App
	office *apptest.Client
	unitID int64
	code   string
}

func newPubFixture(t *testing.T, opt apptest.Options) *pubFixture {
	t.Helper()
	app := apptest.New(t, opt)
	app.AddUser(t, "office1", "office-pass-1", "office", nil)
	f := &pubFixture{app: app, office: app.Client()}
	f.office.SignIn(t, "office1", "office-pass-1")
	f.unitID, f.code = f.addUnit(t, "市行政审批局")
	return f
}

// addUnit creates a unit through the API and returns its id and QR code.
func (f *pubFixture) addUnit(t *testing.T, name string) (int64, string) {
	t.Helper()
	var u struct {
		ID int64
		QR struct{ Code, URL string }
	}
	res := f.office.JSON(t, "POST", "/api/v1/units", map[string]string{"name": name, "category": "社会服务类"}, &u)
	if res.StatusCode != http.StatusCreated || u.QR.Code == "" {
		t.Fatalf("create unit %s: status %d, %+v", name, res.StatusCode, u)
	}
	return u.ID, u.QR.Code
}

// pubRating is a rating as the API lists it.
type pubRating struct {
	Channel     string
	Level       int
	Reasons     []string
	Comment     string
	Phone       string
	RateChecked bool `json:"rate_checked"`
}

// ratings lists the unit's ratings through the API as the given client.
func (f *pubFixture) ratings(t *testing.T, c *apptest.Client, unitID int64, query string) (int, []pubRating) {
	t.Helper()
	var out struct {
		Total int
		Items []pubRating
	}
	res := c.JSON(t, "GET", "/api/v1/units/"+itoa(unitID)+"/ratings?"+query, nil, &out)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("list ratings: status %d", res.StatusCode)
	}
	return out.Total, out.Items
}

// stored counts the unit's ratings straight from Postgres.
func (f *pubFixture) stored(t *testing.T, unitID int64) int {
	t.Helper()
	var n int
	if err := f.app.Pool.QueryRow(context.Background(), `SELECT count(*) FROM ratings WHERE unit_id = $1`, unitID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// pubDevice is a citizen's phone: a cookie jar of its own, a user agent of
// its own (so the browser fingerprint differs too) and optional headers.
type pubDevice struct {
	c       *apptest.Client
	ua      string
	headers map[string]string
}

func (f *pubFixture) device(name string) *pubDevice {
	return &pubDevice{c: f.app.Client(), ua: "Mozilla/5.0 (Linux; Android 13; " + name + ") MicroMessenger/8.0.47",
		headers: map[string]string{}}
}

func (d *pubDevice) do(t *testing.T, method, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, d.c.App.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("User-Agent", d.ua)
	for k, v := range d.headers {
		req.Header.Set(k, v)
	}
	res, err := d.c.C.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// rate posts the form to /q/{code}.
func (d *pubDevice) rate(t *testing.T, code string, form url.Values) (*http.Response, string) {
	t.Helper()
	return d.do(t, "POST", "/q/"+code, form)
}

// form builds the rating form; pairs are extra field/value pairs.
func ratingForm(level string, pairs ...string) url.Values {
	v := url.Values{}
	if level != "" {
		v.Set("level", level)
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Add(pairs[i], pairs[i+1])
	}
	return v
}

func wantThanks(t *testing.T, res *http.Response, body string) {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "/thanks") {
		t.Fatalf("want 303 to the thanks page, got %d %q: %.300s", res.StatusCode, res.Header.Get("Location"), body)
	}
}

func wantPublicPage(t *testing.T, res *http.Response, body string, status int, texts ...string) {
	t.Helper()
	if res.StatusCode != status {
		t.Fatalf("status %d, want %d: %.400s", res.StatusCode, status, body)
	}
	for _, s := range texts {
		if !strings.Contains(body, s) {
			t.Errorf("page (status %d) lacks %q: %.600s", status, s, body)
		}
	}
}

// externalRef finds a src, href, action or CSS url() that leaves the site:
// an absolute http(s) URL or a protocol-relative one.
var externalRef = regexp.MustCompile(`(?i)((src|href|action|srcset)\s*=\s*["']?\s*|url\(\s*["']?\s*|@import\s+["']?)(https?:)?//`)

func TestPublicPageIsLightAndSelfContained(t *testing.T) {
	f := newPubFixture(t, apptest.Options{})
	res, body := f.device("weight").do(t, "GET", "/q/"+f.code, nil)
	wantPublicPage(t, res, body, http.StatusOK, "市行政审批局", "非常满意", "不满意的原因")
	if n := len(body); n >= 30*1024 {
		t.Errorf("rating page is %d bytes with its inline CSS and JS, want under 30 KB", n)
	}
	if m := externalRef.FindString(body); m != "" {
		t.Errorf("rating page references an external URL: %q", m)
	}
	if strings.Contains(body, "http://") || strings.Contains(body, "https://") {
		t.Errorf("rating page contains an absolute URL")
	}
	// No template or static file may pull anything from a CDN.
	for name, fsys := range map[string]fs.FS{"templates": web.Templates, "static": web.Static} {
		err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(fsys, path)
			if err != nil {
				return err
			}
			if m := externalRef.Find(b); m != nil {
				t.Errorf("%s/%s references an external URL: %q", name, path, m)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestPublicFormValidation(t *testing.T) {
	f := newPubFixture(t, apptest.Options{})
	long := strings.Repeat("办", 501)
	cases := []struct {
		name   string
		form   url.Values
		status int
		texts  []string
	}{
		{"level missing keeps the rest", ratingForm("", "comment", "窗口人员很耐心", "phone", "13800001111"),
			422, []string{"请选择满意程度", "窗口人员很耐心", `value="13800001111"`}},
		{"level 1 needs reasons or a comment", ratingForm("1"), 422, []string{"请选择不满意的原因"}},
		{"reasons only for levels 1 and 2", ratingForm("4", "reasons", "等候时间长"), 422, []string{"才需选择原因"}},
		{"reason must be from the list", ratingForm("2", "reasons", "态度恶劣到极点"), 422, []string{"请从列表中选择原因"}},
		{"comment of 501 characters", ratingForm("3", "comment", long), 422, []string{"留言不能超过500字"}},
		{"bad phone", ratingForm("5", "phone", "12345"), 422, []string{"请填写正确的手机号码或固定电话", `value="12345"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, body := f.device(tc.name).rate(t, f.code, tc.form)
			wantPublicPage(t, res, body, tc.status, tc.texts...)
		})
	}
	if n := f.stored(t, f.unitID); n != 0 {
		t.Fatalf("invalid forms stored %d ratings", n)
	}

	t.Run("comment of 500 Chinese characters is fine", func(t *testing.T) {
		res, body := f.device("500").rate(t, f.code, ratingForm("1", "comment", strings.Repeat("办", 500)))
		wantThanks(t, res, body)
		_, items := f.ratings(t, f.office, f.unitID, "")
		if len(items) != 1 || len([]rune(items[0].Comment)) != 500 || items[0].Level != 1 {
			t.Fatalf("stored %+v", items)
		}
	})
	t.Run("unknown code", func(t *testing.T) {
		res, body := f.device("unknown").rate(t, "no-such-code", ratingForm("5"))
		wantPublicPage(t, res, body, http.StatusNotFound, "二维码无效")
	})
}

func TestPublicOncePerDay(t *testing.T) {
	f := newPubFixture(t, apptest.Options{})
	phone := []string{"phone", "139 0000 2222"}
	a := f.device("A")
	res, body := a.rate(t, f.code, ratingForm("2", "reasons", "等候时间长", phone[0], phone[1]))
	wantThanks(t, res, body)

	t.Run("same device again", func(t *testing.T) {
		res, body := a.rate(t, f.code, ratingForm("5"))
		wantPublicPage(t, res, body, http.StatusConflict, "您今天已经评价过该单位")
		res, body = a.do(t, "GET", "/q/"+f.code, nil)
		wantPublicPage(t, res, body, http.StatusOK, "您今天已经评价过该单位")
	})
	t.Run("other device, same phone", func(t *testing.T) {
		res, body := f.device("B").rate(t, f.code, ratingForm("4", "phone", "+8613900002222"))
		wantPublicPage(t, res, body, http.StatusConflict, "您今天已经评价过该单位")
	})
	if n := f.stored(t, f.unitID); n != 1 {
		t.Fatalf("stored %d ratings for the unit, want 1", n)
	}
	t.Run("other device, no phone", func(t *testing.T) {
		res, body := f.device("C").rate(t, f.code, ratingForm("4"))
		wantThanks(t, res, body)
	})
	t.Run("same device, other unit", func(t *testing.T) {
		id2, code2 := f.addUnit(t, "市公安局出入境管理支队")
		res, body := a.rate(t, code2, ratingForm("5"))
		wantThanks(t, res, body)
		if n := f.stored(t, id2); n != 1 {
			t.Fatalf("other unit stored %d ratings, want 1", n)
		}
	})
	t.Run("same form token twice", func(t *testing.T) {
		d := f.device("D")
		_, page := d.do(t, "GET", "/q/"+f.code, nil)
		m := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no form token on the page: %.300s", page)
		}
		before := f.stored(t, f.unitID)
		res, body := d.rate(t, f.code, ratingForm("3", "token", m[1]))
		wantThanks(t, res, body)
		// The same form sent again, even from a phone the daily rule does
		// not know, is the same rating.
		res, body = f.device("E").rate(t, f.code, ratingForm("3", "token", m[1]))
		if res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusConflict {
			t.Fatalf("resubmitted form: status %d: %.300s", res.StatusCode, body)
		}
		if n := f.stored(t, f.unitID); n != before+1 {
			t.Fatalf("resubmitting one form stored %d ratings, want 1", n-before)
		}
	})
	t.Run("durable in Postgres without Redis", func(t *testing.T) {
		ctx := context.Background()
		iter := f.app.Redis.Scan(ctx, 0, f.app.Prefix+"*", 1000).Iterator()
		deleted := 0
		for iter.Next(ctx) {
			if err := f.app.Redis.Del(ctx, iter.Val()).Err(); err != nil {
				t.Fatal(err)
			}
			deleted++
		}
		if err := iter.Err(); err != nil {
			t.Fatal(err)
		}
		if deleted == 0 {
			t.Fatal("no Redis keys under the app's prefix to delete; the test proves nothing")
		}
		before := f.stored(t, f.unitID)
		res, body := a.rate(t, f.code, ratingForm("1", "comment", "再评一次"))
		wantPublicPage(t, res, body, http.StatusConflict, "您今天已经评价过该单位")
		res, body = f.device("F").rate(t, f.code, ratingForm("4", phone[0], phone[1]))
		wantPublicPage(t, res, body, http.StatusConflict, "您今天已经评价过该单位")
		if n := f.stored(t, f.unitID); n != before {
			t.Fatalf("stored %d more ratings after Redis forgot", n-before)
		}
	})
}

// decodeQR reads the text of a QR code PNG.
func decodeQR(t *testing.T, data []byte) string {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	// The PNG is a generated, unrotated code with its quiet zone, so the
	// pure-barcode path applies; gozxing's general detector misreads about
	// one generated code in 300, which made this test flaky.
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil {
		t.Fatalf("decoding the QR code: %v", err)
	}
	return res.GetText()
}

func TestQRCodePNG(t *testing.T) {
	f := newPubFixture(t, apptest.Options{})
	var point struct {
		ID int64
		QR struct{ Code, URL string }
	}
	res := f.office.JSON(t, "POST", "/api/v1/units/"+itoa(f.unitID)+"/points", map[string]string{"name": "政务服务大厅", "kind": "hall"}, &point)
	if res.StatusCode != http.StatusCreated || point.QR.Code == "" || point.QR.Code == f.code {
		t.Fatalf("create service point: status %d, %+v", res.StatusCode, point)
	}
	d := f.device("qr")
	for _, tc := range []struct{ name, code, rotate string }{
		{"unit", f.code, "/api/v1/units/" + itoa(f.unitID) + "/qr/rotate"},
		{"service point", point.QR.Code, "/api/v1/points/" + itoa(point.ID) + "/qr/rotate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, size := range []string{"", "?size=256"} {
				res, body := d.do(t, "GET", "/q/"+tc.code+"/qr.png"+size, nil)
				if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" {
					t.Fatalf("qr.png%s: status %d, type %q", size, res.StatusCode, res.Header.Get("Content-Type"))
				}
				if got, want := decodeQR(t, []byte(body)), f.app.URL+"/q/"+tc.code; got != want {
					t.Fatalf("QR code says %q, want %q", got, want)
				}
			}
			for _, size := range []string{"bad", "12", "99999"} {
				res, body := d.do(t, "GET", "/q/"+tc.code+"/qr.png?size="+size, nil)
				wantPublicPage(t, res, body, http.StatusUnprocessableEntity)
			}
			var rotated struct{ QR struct{ Code string } }
			if res := f.office.JSON(t, "POST", tc.rotate, map[string]any{}, &rotated); res.StatusCode != http.StatusOK || rotated.QR.Code == tc.code {
				t.Fatalf("rotate: status %d, %+v", res.StatusCode, rotated)
			}
			res, body := d.do(t, "GET", "/q/"+tc.code+"/qr.png", nil)
			wantPublicPage(t, res, body, http.StatusGone, "二维码已更换")
			res, body = d.rate(t, tc.code, ratingForm("5"))
			wantPublicPage(t, res, body, http.StatusGone, "二维码已更换")
			res, body = d.do(t, "GET", "/q/"+rotated.QR.Code+"/qr.png", nil)
			if res.StatusCode != http.StatusOK || decodeQR(t, []byte(body)) != f.app.URL+"/q/"+rotated.QR.Code {
				t.Fatalf("new code's PNG: status %d", res.StatusCode)
			}
		})
	}
	res, body := d.do(t, "GET", "/q/no-such-code/qr.png", nil)
	wantPublicPage(t, res, body, http.StatusNotFound, "二维码无效")
}
