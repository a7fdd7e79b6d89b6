package selfevalapp_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/browser"
)

// In a real browser: M opens its period list, writes its half-year report
// with a file and submits it; the office finds it on the period's
// overview and opens it; F (an assessor of M) reads it.
func TestBrowserUnitSubmitsReport(t *testing.T) {
	browserReportFlow(t, 1440, 900, nil)
}

// browserReportFlow runs the flow in a window of the width; shot, when
// not nil, is called on each page the flow shows.
func browserReportFlow(t *testing.T, width, height int64, shot func(ctx context.Context, name string)) {
	w := newWorld(t)
	var hp apiPeriod
	apptest.APIJSON(t, w.office, "POST", w.periodsPath(), map[string]any{"name": "半年自评", "covers_to": "2026-06-30",
		"due_on": "2026-07-15"}).Decode(t, http.StatusOK, &hp)
	apptest.APIJSON(t, w.office, "POST", w.periodsPath(), map[string]any{"name": "年度自评", "covers_to": "2026-11-30",
		"due_on": "2026-12-10", "annual": true}).Decode(t, http.StatusOK, nil)
	w.attach(t, w.budgetInd, w.evidence(t, w.m, "预算执行报表.png"))
	w.at("2026-07-10")
	ctx := browser.New(t, browser.Options{Width: width, Height: height})
	base := w.app.URL
	png := filepath.Join(t.TempDir(), "半年工作总结.png")
	if err := os.WriteFile(png, append(append([]byte{}, apptest.TestPNG...), []byte("half")...), 0o600); err != nil {
		t.Fatal(err)
	}
	signOut := func() {
		browsertest.Do(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
			chromedp.WaitVisible(chromedp.ID("username")))
	}
	periods := base + "/console/cycles/" + apptest.Itoa(w.cycle) + "/self-eval-periods"

	browsertest.SignIn(t, ctx, base, "unit-m", "unit-m-pass-1")
	browsertest.Do(t, ctx, "periods", chromedp.Navigate(periods), chromedp.WaitVisible(chromedp.ID("period-table")))
	if s := browsertest.Text(t, ctx, "#p"+apptest.Itoa(hp.ID)); !strings.Contains(s, "即将到期") {
		t.Fatalf("M's half-year row: %s", s)
	}
	if shot != nil {
		shot(ctx, "unit_periods")
	}
	browsertest.Do(t, ctx, "open the form", chromedp.Click(chromedp.CSS("#p"+apptest.Itoa(hp.ID)+" td a[href*='/units/']")),
		chromedp.WaitVisible(chromedp.ID("report-form")))
	// An empty text is refused beside the field.
	browsertest.Do(t, ctx, "submit empty", chromedp.Submit(chromedp.CSS("#report-form button")),
		chromedp.WaitVisible(chromedp.CSS("#report-form .err")))
	if s := browsertest.Text(t, ctx, "#report-form .err"); !strings.Contains(s, "请填写自评报告正文") {
		t.Fatalf("empty text: %s", s)
	}
	browsertest.Do(t, ctx, "submit", chromedp.SetValue(chromedp.ID("body"), "一、目标完成情况：预算执行率达到52%。\n二、存在问题：项目支出进度偏慢。"),
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{png}),
		chromedp.Submit(chromedp.CSS("#report-form button")), chromedp.WaitVisible(chromedp.ID("files")))
	if s := browsertest.Text(t, ctx, "#report-status"); s != "已提交" {
		t.Fatalf("status after submit: %q", s)
	}
	if s := browsertest.Text(t, ctx, "#files"); !strings.Contains(s, "半年工作总结.png") {
		t.Fatalf("files: %s", s)
	}
	if s := browsertest.Text(t, ctx, "#indicators"); !strings.Contains(s, "预算执行报表.png") {
		t.Fatalf("indicators: %s", s)
	}
	if shot != nil {
		shot(ctx, "unit_report")
	}
	signOut()

	browsertest.SignIn(t, ctx, base, "office1", "office1-pass-1")
	browsertest.Do(t, ctx, "office periods", chromedp.Navigate(periods), chromedp.WaitVisible(chromedp.ID("new-period")))
	if shot != nil {
		shot(ctx, "office_periods")
	}
	browsertest.Do(t, ctx, "overview", chromedp.Navigate(base+"/console/self-eval-periods/"+apptest.Itoa(hp.ID)),
		chromedp.WaitVisible(chromedp.ID("unit-table")))
	if s := browsertest.Text(t, ctx, "#u"+apptest.Itoa(w.m)); !strings.Contains(s, "已提交") {
		t.Fatalf("M's row: %s", s)
	}
	if shot != nil {
		shot(ctx, "office_overview")
	}
	browsertest.Do(t, ctx, "office reads", chromedp.Click(chromedp.CSS("#u"+apptest.Itoa(w.m)+" a")), chromedp.WaitVisible(chromedp.ID("report-body")))
	if s := browsertest.Text(t, ctx, "#report-body"); !strings.Contains(s, "预算执行率达到52%") {
		t.Fatalf("office reads: %s", s)
	}
	signOut()

	browsertest.SignIn(t, ctx, base, "unit-f", "unit-f-pass-1")
	browsertest.Do(t, ctx, "F reads", chromedp.Navigate(base+"/console/self-eval-periods/"+apptest.Itoa(hp.ID)+"/units/"+apptest.Itoa(w.m)),
		chromedp.WaitVisible(chromedp.ID("report-body")))
	href := browsertest.Eval[string](t, ctx, `document.querySelector("#files a").getAttribute("href")`)
	status, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`fetch(`+"`"+href+"`"+`).then(r => r.status)`, chromedp.EvalAwaitPromise))
	if err != nil || status != 200 {
		t.Fatalf("F's download of %s: %v %v", href, status, err)
	}
	if shot != nil {
		shot(ctx, "assessor_report")
	}
}
