// Package browser starts Debian's headless Chromium for browser tests with
// chromedp. The browser talks only to the test's own loopback server: every
// background service of Chromium that would reach the internet is off.
package browser

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// WeChatUA is the user agent of WeChat's in-app browser on an Android phone,
// the browser most citizens rate from.
const WeChatUA = "Mozilla/5.0 (Linux; Android 13; V2227A Build/TP1A.220624.014; wv) AppleWebKit/537.36 " +
	"(KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 " +
	"MMWEBID/2247 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64"

// Options describe the browser a test gets.
type Options struct {
	// UserAgent replaces the browser's user agent; default WeChatUA.
	UserAgent string
	// Width and Height are the viewport in CSS pixels; default 390×844, a phone.
	Width, Height int64
	// Timeout bounds the whole test's use of the browser; default 2 minutes.
	// It only stops a hung browser; no assertion depends on it.
	Timeout time.Duration
}

// Required reports whether a missing browser must fail the test rather than
// skip it: in CI (CI=true) and wherever MINYI_REQUIRE_BROWSER=1.
func Required() bool {
	return os.Getenv("MINYI_REQUIRE_BROWSER") == "1" || os.Getenv("CI") == "true"
}

// Path finds the browser: $CHROMIUM_PATH, then chromium, chromium-browser
// and google-chrome on PATH. It returns an error naming what it tried when
// none is found.
func Path() (string, error) {
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		if full, err := exec.LookPath(p); err == nil {
			return full, nil
		}
		return "", errors.New("CHROMIUM_PATH=" + p + " is not an executable")
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if full, err := exec.LookPath(name); err == nil {
			return full, nil
		}
	}
	return "", errors.New("no chromium, chromium-browser or google-chrome on PATH and CHROMIUM_PATH unset " +
		"(install Debian's chromium package: apt-get install chromium)")
}

// New starts a headless browser with a fresh profile and a phone-sized
// viewport, and returns a chromedp context for one tab; the browser is
// stopped when the test ends. Without a browser the test is skipped, or
// fails when Required.
func New(tb testing.TB, opt Options) context.Context {
	tb.Helper()
	path, err := Path()
	if err != nil {
		if Required() {
			tb.Fatalf("browser test needs Chromium: %v", err)
		}
		tb.Skipf("skipping browser test: %v (set MINYI_REQUIRE_BROWSER=1 to make this a failure)", err)
	}
	if opt.UserAgent == "" {
		opt.UserAgent = WeChatUA
	}
	if opt.Width == 0 || opt.Height == 0 {
		opt.Width, opt.Height = 390, 844
	}
	if opt.Timeout == 0 {
		opt.Timeout = 2 * time.Minute
	}
	profile := tb.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserAgent(opt.UserAgent),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("lang", "zh-CN"),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	tb.Cleanup(func() {
		_ = chromedp.Cancel(ctx)
		cancelCtx()
		cancelAlloc()
	})
	// The first action starts the browser; it must not run under a timeout,
	// which would stop the whole browser, so the timeout wraps later actions.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(opt.Width, opt.Height, chromedp.EmulateMobile,
		chromedp.EmulateScale(2))); err != nil {
		tb.Fatalf("starting %s: %v", path, err)
	}
	tctx, cancelT := context.WithTimeout(ctx, opt.Timeout)
	tb.Cleanup(cancelT)
	return tctx
}
