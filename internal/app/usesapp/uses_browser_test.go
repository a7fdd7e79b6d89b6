package usesapp_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/testutil/browser"
)

// TestBrowserUses: the office saves the bonus table on the 结果运用 page (a
// bad amount refused beside its field, the form kept), sees the amounts,
// opens a unit's rectification case in one step (a second press shows the
// same case) and exports the table.
func TestBrowserUses(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	c26 := w.CreateCycle(t, "2026年度", 2026, nil)
	publishFinal(t, w, c26.ID, map[int64]string{w.A.ID: "pass", w.B.ID: "fail"}, nil)
	ctx := browser.New(t, browser.Options{Width: 1280, Height: 900, Timeout: 4 * time.Minute})
	page := w.App.URL + "/console/cycles/" + apptest.Itoa(c26.ID) + "/uses"

	browsertest.SignIn(t, ctx, w.App.URL, "office1", "office-pass-1")
	browsertest.Do(t, ctx, "open the page", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.ID("table-form")))
	browsertest.Do(t, ctx, "refused table", chromedp.SendKeys(chromedp.ID("grade-pass"), "8000.123"),
		chromedp.Submit(chromedp.ID("table-form")), chromedp.WaitVisible(chromedp.CSS("#table-form .err")))
	if s := browsertest.Text(t, ctx, "#table-form .err"); !strings.Contains(s, "合格的金额须为金额（元），最多两位小数") {
		t.Fatalf("refusal: %q", s)
	}
	if v := browsertest.Eval[string](t, ctx, `document.getElementById('grade-pass').value`); v != "8000.123" {
		t.Fatalf("form not kept: %q", v)
	}
	browsertest.Eval[bool](t, ctx, `(document.getElementById('grade-pass').value = '8000.5', true)`)
	browsertest.Do(t, ctx, "save the table", chromedp.Submit(chromedp.ID("table-form")), chromedp.WaitVisible(chromedp.CSS(".alert-ok")))
	if s := browsertest.Text(t, ctx, `#amount-list tr[data-unit="`+apptest.Itoa(w.A.ID)+`"] .bonus-total`); s != "8,000.50" {
		t.Fatalf("amount: %q", s)
	}

	row := `#proposed-list tr[data-unit="` + apptest.Itoa(w.B.ID) + `"]`
	browsertest.Do(t, ctx, "open a case", chromedp.Click(chromedp.CSS(row+` form[action$="/case"] button`)), chromedp.WaitVisible(chromedp.CSS(row+" a.tag-ok")))
	if s := browsertest.Text(t, ctx, row); !strings.Contains(s, "已立案整改") {
		t.Fatalf("row after the case: %q", s)
	}

	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async function () {
		var r = await fetch('/api/v1/cycles/`+apptest.Itoa(c26.ID)+`/uses/xlsx');
		var b = await r.arrayBuffer();
		return r.status + ' ' + r.headers.get('Content-Type') + ' ' + (b.byteLength > 1000);
	})()`, func(p *runtime.EvaluateParams) { yes := true; p.AwaitPromise = &yes }))
	if err != nil || got != "200 application/vnd.openxmlformats-officedocument.spreadsheetml.sheet true" {
		t.Fatalf("export: %q %v", got, err)
	}
}

// TestBrowserFactors: a refused factors form shows its message beside the
// unit's row with the typed values kept; a suggestion is confirmed with one
// click and then no longer shown.
func TestBrowserFactors(t *testing.T) {
	w, cycleID, _ := suggestWorld(t)
	ctx := browser.New(t, browser.Options{Width: 1280, Height: 900, Timeout: 4 * time.Minute})
	page := w.App.URL + "/console/cycles/" + apptest.Itoa(cycleID) + "/uses"
	row := `#amount-list tr[data-unit="` + apptest.Itoa(w.A.ID) + `"]`
	browsertest.SignIn(t, ctx, w.App.URL, "office1", "office-pass-1")
	browsertest.Do(t, ctx, "open the page", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(row+" .factors-suggest")))
	if s := browsertest.Text(t, ctx, row+" .factors-suggest"); !strings.Contains(s, "行政问责 1 次") || strings.Contains(s, "未完成") || !strings.Contains(s, "已确认行政问责扣分 1 次") {
		t.Fatalf("suggestion %q", s)
	}
	browsertest.Eval[bool](t, ctx, `(document.querySelector('`+row+` input[name=failed_tasks]').value = '101', true)`)
	browsertest.Do(t, ctx, "refused factors", chromedp.Click(chromedp.CSS(row+` .factors-form button`)),
		chromedp.WaitVisible(chromedp.CSS(row+" .factors-errors")))
	if s := browsertest.Text(t, ctx, row+" .factors-errors"); !strings.Contains(s, "未完成重大任务数须为0到100之间的整数") {
		t.Fatalf("refusal beside the row: %q", s)
	}
	if v := browsertest.Eval[string](t, ctx, `document.querySelector('`+row+` input[name=failed_tasks]').value`); v != "101" {
		t.Errorf("typed value not kept: %q", v)
	}
	if browsertest.Eval[bool](t, ctx, `!!document.getElementById('error')`) {
		t.Error("the refusal is shown at the top instead of the row")
	}
	browsertest.Do(t, ctx, "confirm the suggestion", chromedp.Click(chromedp.CSS(row+` .accept-form button`)), chromedp.WaitVisible(chromedp.CSS(".alert-ok")))
	if v := browsertest.Eval[string](t, ctx, `document.querySelector('`+row+` input[name=accountability]').value`); v != "1" {
		t.Errorf("accountability after confirming: %q", v)
	}
	if browsertest.Eval[bool](t, ctx, `!!document.querySelector('`+row+` .factors-suggest')`) {
		t.Error("the confirmed suggestion is still shown")
	}
}
