package assessorsapp_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"minyi/internal/assessment"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/browser"
)

// In a real browser: M uploads a 佐证材料 file to its budget indicator, F
// (the budget leaf's assessor) finds it on M's page and downloads it, and
// the office applies Zhongshan's preset choosing the audit item's unit.
func TestBrowserEvidenceAndPresetProposers(t *testing.T) {
	browserEvidenceFlow(t, 1440, 900, nil)
}

// browserEvidenceFlow runs the flow in a window of the width; shot, when
// not nil, is called on each page the flow changes, after it is shown.
func browserEvidenceFlow(t *testing.T, width, height int64, shot func(ctx context.Context, name string)) {
	w := newWorld(t)
	ctx := browser.New(t, browser.Options{Width: width, Height: height})
	base := w.app.URL
	png := filepath.Join(t.TempDir(), "预算执行报表.png")
	if err := os.WriteFile(png, append(append([]byte{}, apptest.TestPNG...), []byte("budget")...), 0o600); err != nil {
		t.Fatal(err)
	}
	var sheet int64
	if err := w.app.Pool.QueryRow(t.Context(), `SELECT id FROM target_sheets WHERE unit_id = $1`, w.m).Scan(&sheet); err != nil {
		t.Fatal(err)
	}
	signOut := func() {
		browsertest.Do(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
			chromedp.WaitVisible(chromedp.ID("username")))
	}

	browsertest.SignIn(t, ctx, base, "unit-m", "unit-m-pass-1")
	browsertest.Do(t, ctx, "upload", chromedp.Navigate(base+"/console/targets/"+apptest.Itoa(sheet)),
		chromedp.WaitVisible(chromedp.ID("evidence-form")),
		chromedp.SetValue(chromedp.ID("evidence-indicator"), apptest.Itoa(w.budgetInd)),
		chromedp.SetUploadFiles(chromedp.ID("evidence-file"), []string{png}),
		chromedp.Submit(chromedp.CSS("#evidence-form button")), chromedp.WaitVisible(chromedp.CSS(`#evidence a[href^="/console/evidence/"]`)))
	if s := browsertest.Text(t, ctx, "#evidence"); !strings.Contains(s, "预算执行报表.png") {
		t.Fatalf("M's evidence: %s", s)
	}
	if shot != nil {
		browsertest.Do(t, ctx, "to the evidence", chromedp.ScrollIntoView(chromedp.ID("evidence")))
		shot(ctx, "target")
	}
	signOut()

	browsertest.SignIn(t, ctx, base, "unit-f", "unit-f-pass-1")
	unitPage := base + "/console/cycles/" + apptest.Itoa(w.cycle) + "/assessor/units/" + apptest.Itoa(w.m)
	browsertest.Do(t, ctx, "F reads M", chromedp.Navigate(unitPage), chromedp.WaitVisible(chromedp.CSS(`.files a`)))
	href := browsertest.Eval[string](t, ctx, `document.querySelector(".files a").getAttribute("href")`)
	if !strings.Contains(href, "/assessor/units/"+apptest.Itoa(w.m)+"/evidence/") {
		t.Fatalf("link %q", href)
	}
	status, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`fetch(`+"`"+href+"`"+`).then(r => r.status)`, chromedp.EvalAwaitPromise))
	if err != nil || status != 200 {
		t.Fatalf("F's download: %v %v", status, err)
	}
	if shot != nil {
		shot(ctx, "assessor_unit")
	}
	signOut()

	browsertest.SignIn(t, ctx, base, "office1", "office1-pass-1")
	// The page before the preset has #reasons too.
	browsertest.Do(t, ctx, "apply Zhongshan", chromedp.Navigate(base+"/console/cycles/"+apptest.Itoa(w.cycle)+"/deduction-proposals"),
		chromedp.WaitVisible(chromedp.ID("preset-form")),
		chromedp.SetValue(chromedp.ID("preset-select"), assessment.PresetZhongshan),
		chromedp.SetValue(chromedp.ID("proposer-zs_audit"), apptest.Itoa(w.x)),
		browsertest.LeadsTo(chromedp.Submit(chromedp.CSS("#preset-form button")), "#reasons"))
	if s := browsertest.Text(t, ctx, "#reasons"); !strings.Contains(s, "由审计局提出：市统计局") || !strings.Contains(s, "由安监局提出：市安监局") ||
		!strings.Contains(s, "由监察局提出，尚未指定单位") {
		t.Fatalf("reasons: %s", s)
	}
	if s := browsertest.Text(t, ctx, "#preset"); !strings.Contains(s, "其中行政问责各项合计最多 10.0 分") {
		t.Fatalf("preset: %s", s)
	}
	if shot != nil {
		shot(ctx, "proposals")
	}
}
