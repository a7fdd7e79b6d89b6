package ratingsapp_test

import (
	"bytes"
	"context"
	"image/png"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/web"
)

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
func listRatings(t *testing.T, f *fixtures.PubFixture, c *apptest.Client, unitID int64, query string) (int, []pubRating) {
	t.Helper()
	var out struct {
		Total int
		Items []pubRating
	}
	res := c.JSON(t, "GET", "/api/v1/units/"+apptest.Itoa(unitID)+"/ratings?"+query, nil, &out)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("list ratings: status %d", res.StatusCode)
	}
	return out.Total, out.Items
}

// externalRef finds a src, href, action or CSS url() that leaves the site:
// an absolute http(s) URL or a protocol-relative one.
var externalRef = regexp.MustCompile(`(?i)((src|href|action|srcset)\s*=\s*["']?\s*|url\(\s*["']?\s*|@import\s+["']?)(https?:)?//`)

func TestPublicPageIsLightAndSelfContained(t *testing.T) {
	f := fixtures.NewPubFixture(t, apptest.Options{})
	res, body := f.Device("weight").Do(t, "GET", "/q/"+f.Code, nil)
	fixtures.WantPublicPage(t, res, body, http.StatusOK, "市行政审批局", "非常满意", "不满意的原因")
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
	f := fixtures.NewPubFixture(t, apptest.Options{})
	long := strings.Repeat("办", 501)
	cases := []struct {
		name   string
		form   url.Values
		status int
		texts  []string
	}{
		{"level missing keeps the rest", fixtures.RatingForm("", "comment", "窗口人员很耐心", "phone", "13800001111"),
			422, []string{"请选择满意程度", "窗口人员很耐心", `value="13800001111"`}},
		{"level 1 needs reasons or a comment", fixtures.RatingForm("1"), 422, []string{"请选择不满意的原因"}},
		{"reasons only for levels 1 and 2", fixtures.RatingForm("4", "reasons", "等候时间长"), 422, []string{"才需选择原因"}},
		{"reason must be from the list", fixtures.RatingForm("2", "reasons", "态度恶劣到极点"), 422, []string{"请从列表中选择原因"}},
		{"comment of 501 characters", fixtures.RatingForm("3", "comment", long), 422, []string{"留言不能超过500字"}},
		{"bad phone", fixtures.RatingForm("5", "phone", "12345"), 422, []string{"请填写正确的手机号码或固定电话", `value="12345"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, body := f.Device(tc.name).Rate(t, f.Code, tc.form)
			fixtures.WantPublicPage(t, res, body, tc.status, tc.texts...)
		})
	}
	if n := f.Stored(t, f.UnitID); n != 0 {
		t.Fatalf("invalid forms stored %d ratings", n)
	}

	t.Run("comment of 500 Chinese characters is fine", func(t *testing.T) {
		res, body := f.Device("500").Rate(t, f.Code, fixtures.RatingForm("1", "comment", strings.Repeat("办", 500)))
		fixtures.WantThanks(t, res, body)
		_, items := listRatings(t, f, f.Office, f.UnitID, "")
		if len(items) != 1 || len([]rune(items[0].Comment)) != 500 || items[0].Level != 1 {
			t.Fatalf("stored %+v", items)
		}
	})
	t.Run("unknown code", func(t *testing.T) {
		res, body := f.Device("unknown").Rate(t, "no-such-code", fixtures.RatingForm("5"))
		fixtures.WantPublicPage(t, res, body, http.StatusNotFound, "二维码无效")
	})
}

func TestPublicOncePerDay(t *testing.T) {
	f := fixtures.NewPubFixture(t, apptest.Options{})
	phone := []string{"phone", "139 0000 2222"}
	a := f.Device("A")
	res, body := a.Rate(t, f.Code, fixtures.RatingForm("2", "reasons", "等候时间长", phone[0], phone[1]))
	fixtures.WantThanks(t, res, body)

	t.Run("same device again", func(t *testing.T) {
		res, body := a.Rate(t, f.Code, fixtures.RatingForm("5"))
		fixtures.WantPublicPage(t, res, body, http.StatusConflict, "您今天已经评价过该单位")
		res, body = a.Do(t, "GET", "/q/"+f.Code, nil)
		fixtures.WantPublicPage(t, res, body, http.StatusOK, "您今天已经评价过该单位")
	})
	t.Run("other device, same phone", func(t *testing.T) {
		res, body := f.Device("B").Rate(t, f.Code, fixtures.RatingForm("4", "phone", "+8613900002222"))
		fixtures.WantPublicPage(t, res, body, http.StatusConflict, "您今天已经评价过该单位")
	})
	if n := f.Stored(t, f.UnitID); n != 1 {
		t.Fatalf("stored %d ratings for the unit, want 1", n)
	}
	t.Run("other device, no phone", func(t *testing.T) {
		res, body := f.Device("C").Rate(t, f.Code, fixtures.RatingForm("4"))
		fixtures.WantThanks(t, res, body)
	})
	t.Run("same device, other unit", func(t *testing.T) {
		id2, code2 := f.AddUnit(t, "市公安局出入境管理支队")
		res, body := a.Rate(t, code2, fixtures.RatingForm("5"))
		fixtures.WantThanks(t, res, body)
		if n := f.Stored(t, id2); n != 1 {
			t.Fatalf("other unit stored %d ratings, want 1", n)
		}
	})
	t.Run("same form token twice", func(t *testing.T) {
		d := f.Device("D")
		_, page := d.Do(t, "GET", "/q/"+f.Code, nil)
		m := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no form token on the page: %.300s", page)
		}
		before := f.Stored(t, f.UnitID)
		res, body := d.Rate(t, f.Code, fixtures.RatingForm("3", "token", m[1]))
		fixtures.WantThanks(t, res, body)
		// The same form sent again, even from a phone the daily rule does
		// not know, is the same rating.
		res, body = f.Device("E").Rate(t, f.Code, fixtures.RatingForm("3", "token", m[1]))
		if res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusConflict {
			t.Fatalf("resubmitted form: status %d: %.300s", res.StatusCode, body)
		}
		if n := f.Stored(t, f.UnitID); n != before+1 {
			t.Fatalf("resubmitting one form stored %d ratings, want 1", n-before)
		}
	})
	t.Run("durable in Postgres without Redis", func(t *testing.T) {
		ctx := context.Background()
		iter := f.App.Redis.Scan(ctx, 0, f.App.Prefix+"*", 1000).Iterator()
		deleted := 0
		for iter.Next(ctx) {
			if err := f.App.Redis.Del(ctx, iter.Val()).Err(); err != nil {
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
		before := f.Stored(t, f.UnitID)
		res, body := a.Rate(t, f.Code, fixtures.RatingForm("1", "comment", "再评一次"))
		fixtures.WantPublicPage(t, res, body, http.StatusConflict, "您今天已经评价过该单位")
		res, body = f.Device("F").Rate(t, f.Code, fixtures.RatingForm("4", phone[0], phone[1]))
		fixtures.WantPublicPage(t, res, body, http.StatusConflict, "您今天已经评价过该单位")
		if n := f.Stored(t, f.UnitID); n != before {
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
	f := fixtures.NewPubFixture(t, apptest.Options{})
	var point struct {
		ID int64
		QR struct{ Code, URL string }
	}
	res := f.Office.JSON(t, "POST", "/api/v1/units/"+apptest.Itoa(f.UnitID)+"/points", map[string]string{"name": "政务服务大厅", "kind": "hall"}, &point)
	if res.StatusCode != http.StatusCreated || point.QR.Code == "" || point.QR.Code == f.Code {
		t.Fatalf("create service point: status %d, %+v", res.StatusCode, point)
	}
	d := f.Device("qr")
	for _, tc := range []struct{ name, code, rotate string }{
		{"unit", f.Code, "/api/v1/units/" + apptest.Itoa(f.UnitID) + "/qr/rotate"},
		{"service point", point.QR.Code, "/api/v1/points/" + apptest.Itoa(point.ID) + "/qr/rotate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, size := range []string{"", "?size=256"} {
				res, body := d.Do(t, "GET", "/q/"+tc.code+"/qr.png"+size, nil)
				if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" {
					t.Fatalf("qr.png%s: status %d, type %q", size, res.StatusCode, res.Header.Get("Content-Type"))
				}
				if got, want := decodeQR(t, []byte(body)), f.App.URL+"/q/"+tc.code; got != want {
					t.Fatalf("QR code says %q, want %q", got, want)
				}
			}
			for _, size := range []string{"bad", "12", "99999"} {
				res, body := d.Do(t, "GET", "/q/"+tc.code+"/qr.png?size="+size, nil)
				fixtures.WantPublicPage(t, res, body, http.StatusUnprocessableEntity)
			}
			var rotated struct{ QR struct{ Code string } }
			if res := f.Office.JSON(t, "POST", tc.rotate, map[string]any{}, &rotated); res.StatusCode != http.StatusOK || rotated.QR.Code == tc.code {
				t.Fatalf("rotate: status %d, %+v", res.StatusCode, rotated)
			}
			res, body := d.Do(t, "GET", "/q/"+tc.code+"/qr.png", nil)
			fixtures.WantPublicPage(t, res, body, http.StatusGone, "二维码已更换")
			res, body = d.Rate(t, tc.code, fixtures.RatingForm("5"))
			fixtures.WantPublicPage(t, res, body, http.StatusGone, "二维码已更换")
			res, body = d.Do(t, "GET", "/q/"+rotated.QR.Code+"/qr.png", nil)
			if res.StatusCode != http.StatusOK || decodeQR(t, []byte(body)) != f.App.URL+"/q/"+rotated.QR.Code {
				t.Fatalf("new code's PNG: status %d", res.StatusCode)
			}
		})
	}
	res, body := d.Do(t, "GET", "/q/no-such-code/qr.png", nil)
	fixtures.WantPublicPage(t, res, body, http.StatusNotFound, "二维码无效")
}
