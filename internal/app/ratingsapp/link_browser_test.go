package ratingsapp_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/browser"
)

// framingHost serves the page of an online platform (政务服务网) that
// embeds the signed link in an iframe; its origin is another port of the
// same host, so Chromium keeps the frame in the page's process and the
// test can reach into it, while CSP frame-ancestors still compares the
// whole origin.
func framingHost(t *testing.T) (*httptest.Server, *string) {
	t.Helper()
	src := new(string)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>某省政务服务网 · 办件评价</title>
<style>body{margin:0;font-family:sans-serif;background:#eef2f7}header{background:#0b5cad;color:#fff;padding:14px 20px;font-size:18px}
main{max-width:960px;margin:0 auto;padding:12px}iframe{display:block;width:100%%;height:760px;border:0;background:#fff;border-radius:6px}</style>
</head><body><header>某省政务服务网 · 我的办件 · 评价</header><main><p>您的办件已办结，请对本次服务进行评价：</p>
<iframe id="rating" src="%s" title="服务评价"></iframe></main></body></html>`, *src)
	}))
	t.Cleanup(srv.Close)
	return srv, src
}

// TestBrowserSignedLinkInIframe: a 政务服务网 page embeds the signed link
// from an allowed origin; the citizen rates through the frame and the
// rating is bound to the case with the app's pf. Screenshots at 1440 and
// 375 px of the framing page, the rating page opened alone in a phone's
// webview and the thanks page in the frame (MINYI_SHOTS).
func TestBrowserSignedLinkInIframe(t *testing.T) {
	host, src := framingHost(t)
	w := newLinkWorld(t, "2", host.URL)
	for i, width := range []int64{1440, 375} {
		px := apptest.Itoa(width)
		caseNo := "SL202612040000" + apptest.Itoa(int64(i+1))
		*src = w.App.URL + w.link(caseNo, "3")
		ctx := browser.New(t, browser.Options{Width: width, Height: 900})
		browsertest.Do(t, ctx, "framing page", chromedp.Navigate(host.URL), chromedp.WaitVisible(chromedp.ID("rating")))
		frame := iframeNode(t, ctx)
		browsertest.Do(t, ctx, "rating form in the frame", chromedp.WaitVisible(chromedp.ID("case-no"), chromedp.FromNode(frame)))
		if got, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("case-no"), chromedp.FromNode(frame))); err != nil || got != caseNo {
			t.Fatalf("%s px: case shown %q (%v)", px, got, err)
		}
		browsertest.NoSideways(t, ctx, px+" px framing page")
		browsertest.Shot(t, ctx, "link-framed-"+px)
		browsertest.Do(t, ctx, "rate in the frame", chromedp.Click(browsertest.LevelRadio("2"), chromedp.FromNode(frame)),
			chromedp.Click(browsertest.ReasonBox("服务态度差"), chromedp.FromNode(frame)),
			chromedp.Click(chromedp.ID("submit"), chromedp.FromNode(frame)))
		waitRating(t, w, caseNo)
		// The frame may still be navigating to the thanks when the rating
		// is stored: a poll in the page it leaves ends with its context
		// destroyed or already gone, so poll again in the frame's new page.
		var ref string
		var err error
		for try := 0; try < 5; try++ {
			ref, err = chromedp.Run(ctx, chromedp.Poll[string](`(document.getElementById('reference') || {}).textContent`,
				chromedp.WithPollingInFrame(iframeNode(t, ctx)), chromedp.WithPollingTimeout(15*time.Second)))
			if err == nil || !frameLeft(err) {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if err != nil || ref == "" {
			t.Fatalf("%s px: thanks in the frame: %q %v", px, ref, err)
		}
		browsertest.Shot(t, ctx, "link-framed-done-"+px)
	}
	// The page alone, as an app's webview opens it.
	ctx := browser.New(t, browser.Options{Width: 375, Height: 667})
	browsertest.Do(t, ctx, "webview", chromedp.Navigate(w.App.URL+w.link("SL2026120400009", "1")), chromedp.WaitVisible(chromedp.ID("submit")))
	browsertest.NoSideways(t, ctx, "375 px webview")
	browsertest.Shot(t, ctx, "link-webview-375")
	var pf int
	var stage string
	if err := w.App.Pool.QueryRow(context.Background(), `SELECT pf, stage FROM ratings WHERE case_no = 'SL2026120400001'`).Scan(&pf, &stage); err != nil ||
		pf != 2 || stage != "3" {
		t.Fatalf("framed rating stored pf %d stage %q (%v)", pf, stage, err)
	}
}

// frameLeft tells whether a poll failed because the frame's page was
// replaced under it: Chromium reports the old execution context as
// destroyed while the poll runs, or as unknown when the poll starts in it.
func frameLeft(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "context was destroyed") || strings.Contains(msg, "Cannot find context with specified id")
}

// iframeNode is the framing page's iframe, as the browser has it now.
func iframeNode(t *testing.T, ctx context.Context) *chromedp.Node {
	t.Helper()
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS("iframe")))
	if err != nil || len(nodes) == 0 {
		t.Fatalf("iframe: %v", err)
	}
	return nodes[0]
}

// waitRating waits for the case's rating to be stored.
func waitRating(t *testing.T, w *linkWorld, caseNo string) {
	t.Helper()
	for range 100 {
		if w.App.Count(t, `SELECT count(*) FROM ratings WHERE case_no = $1`, caseNo) == 1 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no rating stored for %s", caseNo)
}
