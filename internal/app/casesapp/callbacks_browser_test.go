package casesapp_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/testutil/browser"
)

// TestBrowserCallbackStates: the call-back list opens on 待回访; a case
// called once moves to 已回访 with the time of its call, and 全部 shows
// both, on a phone and a desktop without sideways scrolling. MINYI_SHOTS
// names a folder to keep screenshots in.
func TestBrowserCallbackStates(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	called := fixtures.QRCase(t, w, "13800001111")
	waiting := fixtures.QRCase(t, w, "13800002222")
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/cases/"+apptest.Itoa(called.ID)+"/callbacks",
		map[string]string{"outcome": "satisfied", "said": "群众表示已解决"}).Decode(t, http.StatusCreated, nil)
	// The case keeps the reasons of the 差评 it was opened on (the reports
	// count them).
	var reasons []string
	if err := w.App.Pool.QueryRow(context.Background(), `SELECT source_reasons FROM rectification_cases WHERE id = $1`,
		waiting.ID).Scan(&reasons); err != nil || strings.Join(reasons, ",") != "等候时间长" {
		t.Fatalf("source_reasons %v %v", reasons, err)
	}

	rows := func(ctx context.Context) string {
		return browsertest.Eval[string](t, ctx, `[...document.querySelectorAll("#callbacks tbody tr")].map(r => r.id).join(",")`)
	}
	for _, width := range []int64{375, 1440} {
		ctx := browser.New(t, browser.Options{Width: width, Height: 900})
		browsertest.SignIn(t, ctx, w.App.URL, "office1", "office-pass-1")
		browsertest.Do(t, ctx, "the list", chromedp.Navigate(w.App.URL+"/console/callbacks"), chromedp.WaitVisible(`#callback-states`))
		if got, cur := rows(ctx), browsertest.Text(t, ctx, `#callback-states [aria-current]`); got != "case-"+apptest.Itoa(waiting.ID) || cur != "待回访" {
			t.Errorf("%d px: 待回访 rows %q, tab %q", width, got, cur)
		}
		browsertest.NoSidewaysScroll(t, ctx)
		browsertest.Shot(t, ctx, "callbacks-pending-"+apptest.Itoa(width))

		browsertest.Do(t, ctx, "已回访", chromedp.Click(`#callback-states a[href*="state=called"]`),
			chromedp.WaitVisible(`#callback-states a.on[href*="state=called"]`))
		if got := rows(ctx); got != "case-"+apptest.Itoa(called.ID) {
			t.Errorf("%d px: 已回访 rows %q", width, got)
		}
		if last := browsertest.Text(t, ctx, `#callbacks tbody tr td:nth-child(7)`); !strings.HasPrefix(last, "20") {
			t.Errorf("%d px: 最近回访 %q, want the call's time", width, last)
		}
		browsertest.Shot(t, ctx, "callbacks-called-"+apptest.Itoa(width))

		browsertest.Do(t, ctx, "全部", chromedp.Click(`#callback-states a[href*="state=all"]`),
			chromedp.WaitVisible(`#callback-states a.on[href*="state=all"]`))
		if got := rows(ctx); got != "case-"+apptest.Itoa(waiting.ID)+",case-"+apptest.Itoa(called.ID) {
			t.Errorf("%d px: 全部 rows %q, want the newest first", width, got)
		}
		if total := browsertest.Text(t, ctx, `#total`); total != "2" {
			t.Errorf("%d px: 共 %s 件, want 2", width, total)
		}
		browsertest.NoSidewaysScroll(t, ctx)
	}
}
