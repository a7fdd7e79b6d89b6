package a11y_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/a11y"
	"minyi/internal/testutil/browser"
)

const page = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>测试</title></head><body><main><h1>测试</h1>%s</main></body></html>`

// Check finds what axe finds, with the rule, its impact and the failing
// element; a clean page has no violation, and checking twice (axe
// already injected) works.
func TestCheckReportsViolations(t *testing.T) {
	bad := `<p style="color:#bbb;background:#fff">浅灰色的字</p><input name="q"><button></button>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := `<p>正文</p><label for="q">搜索</label><input id="q" name="q"><button>提交</button>`
		if r.URL.Path == "/bad" {
			body = bad
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(strings.Replace(page, "%s", body, 1)))
	}))
	t.Cleanup(srv.Close)
	ctx := browser.New(t, browser.Options{Width: 1024, Height: 768})

	if _, err := chromedp.Run(ctx, chromedp.Navigate(srv.URL+"/good")); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		vs, err := a11y.Check(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 0 {
			t.Errorf("a clean page has violations: %v", vs)
		}
	}

	if _, err := chromedp.Run(ctx, chromedp.Navigate(srv.URL+"/bad")); err != nil {
		t.Fatal(err)
	}
	vs, err := a11y.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]a11y.Violation{}
	for _, v := range a11y.Serious(vs) {
		got[v.ID] = v
	}
	for id, html := range map[string]string{"color-contrast": "<p", "label": `<input name="q">`, "button-name": "<button>"} {
		v, ok := got[id]
		if !ok {
			t.Errorf("no serious %s violation among %v", id, vs)
			continue
		}
		if len(v.Nodes) != 1 || !strings.HasPrefix(v.Nodes[0].HTML, html) || len(v.Nodes[0].Target) == 0 {
			t.Errorf("%s: nodes %+v, want one %s", id, v.Nodes, html)
		}
		if s := v.String(); !strings.Contains(s, id) || !strings.Contains(s, v.Help) || !strings.Contains(s, html) {
			t.Errorf("%s described as %q", id, s)
		}
	}
}
