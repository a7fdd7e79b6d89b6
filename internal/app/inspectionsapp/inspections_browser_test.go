package inspectionsapp_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/browser"
)

// TestBrowserRecordInspectionAndOpenCase: the office records a spot check
// (a missing title is refused beside the field with the form kept), adds
// a finding on an indicator of the inspected unit and turns it into a
// rectification case; a second press keeps the one case; the unit sees
// the inspection and its case.
func TestBrowserRecordInspectionAndOpenCase(t *testing.T) {
	ctx := browser.New(t, browser.Options{Width: 1280, Height: 900, Timeout: 3 * time.Minute})
	w := newWorld(t)
	base := w.app.URL
	browsertest.SignIn(t, ctx, base, "office1", "office1-pass-1")
	browsertest.Do(t, ctx, "open the new-inspection form",
		chromedp.Navigate(base+"/console/cycles/"+apptest.Itoa(w.cycle)+"/inspections"),
		chromedp.WaitVisible(chromedp.ID("new-inspection")), chromedp.Click(chromedp.ID("new-inspection")),
		chromedp.WaitVisible(chromedp.ID("inspection-form")))
	browsertest.Do(t, ctx, "submit without a title",
		chromedp.SetValue(chromedp.ID("kind"), "spot_check"), chromedp.SetValue(chromedp.ID("held_on"), "2026-04-08"),
		chromedp.SendKeys(chromedp.ID("people"), "绩效办张三、李四"),
		chromedp.SetValue(chromedp.ID("units"), apptest.Itoa(w.m)),
		chromedp.Submit(chromedp.CSS("#inspection-form button")), chromedp.WaitVisible(chromedp.CSS(".has-err .err")))
	if msg := browsertest.Text(t, ctx, ".has-err .err"); msg != "请填写检查名称（不超过200字）" {
		t.Fatalf("title refusal: %q", msg)
	}
	if people := browsertest.Eval[string](t, ctx, `document.getElementById("people").value`); people != "绩效办张三、李四" {
		t.Fatalf("form not kept: %q", people)
	}
	if n := w.count(t, "inspections"); n != 0 {
		t.Fatalf("a refused form stored %d inspections", n)
	}
	browsertest.Do(t, ctx, "record the inspection",
		chromedp.SendKeys(chromedp.ID("title"), "第一季度重点工作抽查"),
		chromedp.Submit(chromedp.CSS("#inspection-form button")), chromedp.WaitVisible(chromedp.ID("finding-form")))
	browsertest.Do(t, ctx, "add a finding",
		chromedp.SetValue(chromedp.ID("finding-unit"), apptest.Itoa(w.m)),
		chromedp.SetValue(chromedp.ID("finding-indicator"), apptest.Itoa(w.mInd)),
		chromedp.SetValue(chromedp.ID("finding-severity"), "serious"),
		chromedp.SendKeys(chromedp.ID("finding-body"), "救助台账未按月更新"),
		chromedp.Submit(chromedp.CSS("#finding-form button")), chromedp.WaitVisible(chromedp.CSS("#finding-table .case-form")))
	browsertest.Do(t, ctx, "turn it into a case",
		chromedp.Submit(chromedp.CSS("#finding-table .case-form button")), chromedp.WaitVisible(chromedp.CSS("#finding-table .case-link")))
	if flash := browsertest.Text(t, ctx, ".alert-ok"); flash != "已转为整改案件并交办被检查单位。" {
		t.Fatalf("flash: %q", flash)
	}
	if n := w.count(t, "rectification_cases"); n != 1 {
		t.Fatalf("%d cases", n)
	}
	// A second press (the form posted again, as a double click or a
	// back-button retry would) keeps the one case.
	fid := w.app.Count(t, `SELECT id::int FROM inspection_findings LIMIT 1`)
	p := apptest.Post(t, w.office, "/console/inspection-findings/"+apptest.Itoa(int64(fid))+"/case", nil)
	if p.Status == 303 {
		p = apptest.Get(t, w.office, p.Location)
	}
	if !apptest.HasText(p, "该问题已转为整改案件，未重复立案。") || w.count(t, "rectification_cases") != 1 {
		t.Fatalf("second press: %d cases, page %q", w.count(t, "rectification_cases"), apptest.PageText(p.Body))
	}
	browsertest.Do(t, ctx, "open the case", chromedp.Click(chromedp.CSS("#finding-table .case-link")),
		chromedp.WaitVisible(chromedp.CSS("h1")))
	if body := browsertest.Text(t, ctx, "main"); !strings.Contains(body, "救助台账未按月更新") || !strings.Contains(body, "绩效办检查发现问题") {
		t.Fatalf("case page: %q", body)
	}

	browsertest.Do(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.ID("username")))
	browsertest.SignIn(t, ctx, base, "unit-m", "unit-m-pass-1")
	browsertest.Do(t, ctx, "the unit's list", chromedp.Navigate(base+"/console/cycles/"+apptest.Itoa(w.cycle)+"/inspections"),
		chromedp.WaitVisible(chromedp.ID("inspections")), chromedp.Click(chromedp.CSS("#inspections a")),
		chromedp.WaitVisible(chromedp.ID("finding-table")))
	if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll("#finding-form, #file-form, .case-form, .proposal-form").length`); n != 0 {
		t.Fatalf("the unit sees %d office forms", n)
	}
	if !strings.Contains(browsertest.Text(t, ctx, "#finding-table"), "整改案件 #") {
		t.Fatal("the unit does not see its case")
	}
}
