package itemsapp_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/testutil/browser"
)

// noSideways fails when the page scrolls sideways.
func noSideways(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	if over := browsertest.Eval[float64](t, ctx, `Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth`); over > 0 {
		t.Errorf("%s scrolls %.0f px sideways", what, over)
	}
}

// TestBrowserItemsPages: the office imports an item list through the page
// and reads the row-by-row report, the list, an item's page and the rating
// feed with items and stages; a unit's user sees its own items; a QR link
// naming an item shows it to the citizen. On a phone and a desktop, with
// no sideways scrolling. MINYI_SHOTS names a folder to keep screenshots in.
func TestBrowserItemsPages(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	ctx0 := context.Background()
	if _, err := w.App.Pool.Exec(ctx0, `UPDATE units SET credit_code = '91340100MA2N0A1B2C' WHERE id = $1`, w.B.ID); err != nil {
		t.Fatal(err)
	}
	_, token := w.CreateTerminal(t, w.A.ID, map[string]any{"name": "1号评价器"})
	file := filepath.Join(t.TempDir(), "事项清单.csv")
	csv := "事项编码,事项名称,单位,统一社会信用代码,办理方式\r\n" +
		"11340100MB0000000X4000000001,企业设立登记,市政务服务中心,,线下办理\r\n" +
		"11340100MB0000000X4000000002,社会保险参保登记,市政务服务中心,,网上办理\r\n" +
		"SX-B-01,建设工程规划许可,,91340100MA2N0A1B2C,\r\n" +
		"SX-X-01,不存在单位的事项,市不存在局,,\r\n" +
		"坏 编码,编码有空格,市政务服务中心,,\r\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, width := range []int64{1440, 375} {
		px := apptest.Itoa(width)
		ctx := browser.New(t, browser.Options{Width: width, Height: 900})
		browsertest.SignIn(t, ctx, w.App.URL, "office1", "office-pass-1")
		browsertest.Do(t, ctx, "empty list", chromedp.Navigate(w.App.URL+"/console/items?q=nothing"))
		noSideways(t, ctx, px+" px empty list")
		browsertest.Shot(t, ctx, "items-empty-"+px)
		browsertest.Do(t, ctx, "import", chromedp.Navigate(w.App.URL+"/console/items"),
			chromedp.SetUploadFiles(`#i-file`, []string{file}), chromedp.Submit(`#i-file`), chromedp.WaitVisible(`#import-report`))
		report := browsertest.Text(t, ctx, "#import-report")
		if width == 1440 && !strings.Contains(report, "新增 3 项") || width == 375 && !strings.Contains(report, "未变化 3 项") {
			t.Errorf("%d px: report %q", width, report)
		}
		if errs := browsertest.Text(t, ctx, "#import-errors"); !strings.Contains(errs, "第 5 行") || !strings.Contains(errs, "市不存在局") {
			t.Errorf("%d px: row errors %q", width, errs)
		}
		noSideways(t, ctx, px+" px import report")
		browsertest.Shot(t, ctx, "items-import-"+px)
	}
	var itemID int64
	if err := w.App.Pool.QueryRow(ctx0, `SELECT id FROM service_items WHERE code = '11340100MB0000000X4000000001'`).Scan(&itemID); err != nil {
		t.Fatal(err)
	}
	// Ratings with items and stages for the feed.
	apptest.APIJSON(t, w.Anon, "POST", "/api/v1/terminal/ratings", map[string]any{"ratings": []map[string]any{
		{"id": "s-1", "level": 5, "case_no": "BJ2026120400017", "stage": "1", "item_code": "11340100MB0000000X4000000001", "applicant_type": 2},
		{"id": "s-2", "level": 2, "case_no": "BJ2026120400017", "stage": "3", "item_code": "11340100MB0000000X4000000001",
			"reasons": []string{"服务态度差"}, "comment": "办结时等候太久"},
	}}, "Authorization", "Bearer "+token).Decode(t, 200, nil)
	for _, width := range []int64{1440, 375} {
		px := apptest.Itoa(width)
		ctx := browser.New(t, browser.Options{Width: width, Height: 900})
		browsertest.SignIn(t, ctx, w.App.URL, "office1", "office-pass-1")
		browsertest.Do(t, ctx, "units", chromedp.Navigate(w.App.URL+"/console/units"))
		noSideways(t, ctx, px+" px units")
		browsertest.Shot(t, ctx, "units-"+px)
		browsertest.Do(t, ctx, "list", chromedp.Navigate(w.App.URL+"/console/items"))
		noSideways(t, ctx, px+" px list")
		browsertest.Shot(t, ctx, "items-list-"+px)
		browsertest.Do(t, ctx, "item", chromedp.Navigate(w.App.URL+"/console/items/"+apptest.Itoa(itemID)))
		noSideways(t, ctx, px+" px item")
		browsertest.Shot(t, ctx, "item-"+px)
		browsertest.Do(t, ctx, "feed", chromedp.Navigate(w.App.URL+"/console/ratings"))
		if feed := browsertest.Text(t, ctx, "main"); !strings.Contains(feed, "事项 企业设立登记") || !strings.Contains(feed, "环节 办结") ||
			!strings.Contains(feed, "评价内容：服务态度") {
			t.Errorf("%d px: the feed lacks the item, stage or coded reason: %.600s", width, feed)
		}
		noSideways(t, ctx, px+" px feed")
		browsertest.Shot(t, ctx, "ratings-feed-"+px)

		uctx := browser.New(t, browser.Options{Width: width, Height: 900})
		browsertest.SignIn(t, uctx, w.App.URL, "unit-a", "unit-pass-1")
		browsertest.Do(t, uctx, "unit's list", chromedp.Navigate(w.App.URL+"/console/items"))
		if list := browsertest.Text(t, uctx, "#list"); strings.Contains(list, "建设工程规划许可") || !strings.Contains(list, "企业设立登记") {
			t.Errorf("%d px: the unit sees %q", width, list)
		}
		noSideways(t, uctx, px+" px unit's list")
		browsertest.Shot(t, uctx, "items-unit-"+px)

		pctx := browser.New(t, browser.Options{Width: width, Height: 900})
		browsertest.Do(t, pctx, "QR page", chromedp.Navigate(w.App.URL+"/q/"+w.A.QR.Code+"?item=11340100MB0000000X4000000002&stage=2"))
		if card := browsertest.Text(t, pctx, "#item-card"); !strings.Contains(card, "社会保险参保登记") || !strings.Contains(card, "受理") {
			t.Errorf("%d px: item card %q", width, card)
		}
		noSideways(t, pctx, px+" px QR page")
		browsertest.Shot(t, pctx, "qr-item-"+px)
	}
}
