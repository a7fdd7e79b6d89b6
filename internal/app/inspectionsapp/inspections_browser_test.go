package inspectionsapp_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minyi/internal/feedback"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/browser"
)

// follow clicks the link or button the selector finds and waits for the
// page it leads to to load, failing the test unless it answers 200.
func follow(t *testing.T, ctx context.Context, what, sel string) {
	followTo(t, ctx, what, sel, http.StatusOK)
}

// followTo is follow for a page answering status. The element is first
// scrolled to the middle of the window: scrolled only into view, it may
// sit under the sticky top bar, and the click would land on the bar's
// links (the earlier version of this test timed out on the case page so:
// it had clicked 整改案件 in the bar).
func followTo(t *testing.T, ctx context.Context, what, sel string, status int64) {
	t.Helper()
	browsertest.Eval[bool](t, ctx, `(document.querySelector(`+strconv.Quote(sel)+`).scrollIntoView({block: "center"}), true)`)
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if res.Status != status {
		t.Fatalf("%s: status %d, want %d", what, res.Status, status)
	}
}

// visiblePicks are the labels of the picker's items on show.
func visiblePicks(t *testing.T, ctx context.Context) string {
	t.Helper()
	return browsertest.Eval[string](t, ctx, `Array.from(document.querySelectorAll("#scheme-picker .pick"))
		.filter(function (p) { return p.offsetParent !== null; }).map(function (p) { return p.textContent.trim(); }).join(",")`)
}

// TestBrowserRecordInspectionAndOpenCase: the office records a spot check
// (a missing title is refused beside the field with the form and the
// ticked indicators kept), narrows the indicator picker by typing and
// ticks an indicator of the group's scheme, adds a finding on it and turns
// the finding into a rectification case; a second press keeps the one
// case; the case page it links to shows the case, sent to the unit.
func TestBrowserRecordInspectionAndOpenCase(t *testing.T) {
	ctx := browser.New(t, browser.Options{Width: 1280, Height: 900, Timeout: 3 * time.Minute})
	w := newWorld(t)
	base := w.app.URL
	browsertest.SignIn(t, ctx, base, "office1", "office1-pass-1")
	browsertest.Do(t, ctx, "open the new-inspection form",
		chromedp.Navigate(base+"/console/cycles/"+apptest.Itoa(w.cycle)+"/inspections"),
		chromedp.WaitVisible(chromedp.ID("new-inspection")))
	follow(t, ctx, "open the form", "#new-inspection")
	browsertest.Do(t, ctx, "the picker", chromedp.WaitVisible(chromedp.ID("scheme-picker")))
	if got := visiblePicks(t, ctx); got != "民生实事,营商环境,日常管理,依法行政,群众满意度" {
		t.Fatalf("picker: %q", got)
	}
	heads := browsertest.Text(t, ctx, "#scheme-picker")
	for _, h := range []string{"通用方案", "重点工作", "党政方案", "履职尽责"} {
		if !strings.Contains(heads, h) {
			t.Fatalf("picker lacks %s: %q", h, heads)
		}
	}
	browsertest.Do(t, ctx, "narrow the picker", chromedp.SendKeys(chromedp.ID("picker-q"), "依法"))
	if got := visiblePicks(t, ctx); got != "依法行政" {
		t.Fatalf("narrowed picker: %q", got)
	}
	browsertest.Do(t, ctx, "tick it and submit without a title",
		chromedp.Click(chromedp.CSS(`input[name=scheme_items][value="`+w.grp+`"]`)),
		chromedp.SetValue(chromedp.ID("kind"), "spot_check"), chromedp.SetValue(chromedp.ID("held_on"), "2026-04-08"),
		chromedp.SendKeys(chromedp.ID("people"), "绩效办张三、李四"),
		chromedp.SetValue(chromedp.ID("units"), apptest.Itoa(w.m)))
	followTo(t, ctx, "submit without a title", "#inspection-submit", http.StatusUnprocessableEntity)
	if msg := browsertest.Text(t, ctx, ".has-err .err"); msg != "请填写检查名称（不超过200字）" {
		t.Fatalf("title refusal: %q", msg)
	}
	if kept := browsertest.Eval[bool](t, ctx, `document.getElementById("people").value === "绩效办张三、李四" &&
		document.querySelector('input[name=scheme_items][value="`+w.grp+`"]').checked`); !kept || w.count(t, "inspections") != 0 {
		t.Fatalf("form not kept (%v) or stored", kept)
	}
	browsertest.Do(t, ctx, "title", chromedp.SendKeys(chromedp.ID("title"), "第一季度重点工作抽查"))
	follow(t, ctx, "record the inspection", "#inspection-submit")
	if got := browsertest.Text(t, ctx, "#scheme-items"); !strings.Contains(got, "履职尽责 › 依法行政") {
		t.Fatalf("indicators on the page: %q", got)
	}
	browsertest.Do(t, ctx, "fill a finding",
		chromedp.SetValue(chromedp.ID("finding-unit"), apptest.Itoa(w.m)),
		chromedp.SetValue(chromedp.ID("finding-indicator"), w.grp),
		chromedp.SetValue(chromedp.ID("finding-severity"), "serious"),
		chromedp.SendKeys(chromedp.ID("finding-body"), "救助台账未按月更新"))
	follow(t, ctx, "add the finding", "#finding-form button")
	if got := browsertest.Text(t, ctx, "#finding-table td[data-label=指标]"); got != "依法行政" {
		t.Fatalf("finding's indicator: %q", got)
	}
	follow(t, ctx, "turn it into a case", "#finding-table .case-form button")
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
	if p.Status == http.StatusSeeOther {
		p = apptest.Get(t, w.office, p.Location)
	}
	if !apptest.HasText(p, "该问题已转为整改案件，未重复立案。") || w.count(t, "rectification_cases") != 1 {
		t.Fatalf("second press: %d cases, page %q", w.count(t, "rectification_cases"), apptest.PageText(p.Body))
	}
	caseID := w.app.Count(t, `SELECT id::int FROM rectification_cases`)
	follow(t, ctx, "open the case", "#finding-table .case-link")
	browsertest.Do(t, ctx, "the case page", chromedp.WaitVisible(chromedp.ID("case-status")))
	if path := browsertest.Eval[string](t, ctx, `location.pathname`); path != "/console/cases/"+apptest.Itoa(int64(caseID)) {
		t.Fatalf("followed to %s", path)
	}
	if st := browsertest.Text(t, ctx, "#case-status"); st != (feedback.Case{Status: feedback.CaseSent}).StatusLabel() {
		t.Fatalf("case status: %q", st)
	}
	body := browsertest.Text(t, ctx, "main")
	for _, s := range []string{"救助台账未按月更新", "【依法行政】", "绩效办检查发现问题", "市民政局"} {
		if !strings.Contains(body, s) {
			t.Fatalf("case page lacks %s: %q", s, body)
		}
	}
	follow(t, ctx, "back to the inspection", "#inspection-link")
	browsertest.Do(t, ctx, "the inspection again", chromedp.WaitVisible(chromedp.ID("finding-table")))
}

// TestBrowserUnitViewAndFiles: the office stops nothing by declining the
// removal prompt, removes a file on confirming and shares another; the
// inspected unit M then sees the inspection in its list, its own finding
// only, follows the case link to its case, and downloads only the shared
// file (the other answers 403).
func TestBrowserUnitViewAndFiles(t *testing.T) {
	ctx := browser.New(t, browser.Options{Width: 1280, Height: 900, Timeout: 3 * time.Minute})
	w := newWorld(t)
	i := w.create(t, w.spotCheck(""), http.StatusCreated)
	base := "/api/v1/inspections/" + apptest.Itoa(i.ID)
	keep, drop, private := w.uploadPNG(t, "检查通报.png"), w.uploadPNG(t, "草稿.png"), w.uploadPNG(t, "内部记录.png")
	want(t, w.office.JSON(t, "POST", base+"/files", map[string]any{"evidence_ids": []string{keep, drop, private}}, nil),
		http.StatusOK, "attach")
	want(t, w.office.JSON(t, "POST", "/api/v1/inspection-findings/"+apptest.Itoa(i.Findings[0].ID)+"/case", struct{}{}, nil),
		http.StatusCreated, "case")
	page := w.app.URL + "/console/inspections/" + apptest.Itoa(i.ID)

	browsertest.SignIn(t, ctx, w.app.URL, "office1", "office1-pass-1")
	browsertest.Do(t, ctx, "open the inspection", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.ID("file-list")))
	browsertest.Eval[bool](t, ctx, `(window.confirm = function () { return false; }, true)`)
	removeDrop := `form[action$="/files/` + drop + `/remove"] button`
	browsertest.Eval[bool](t, ctx, `(document.querySelector('`+removeDrop+`').scrollIntoView({block: "center"}), true)`)
	browsertest.Do(t, ctx, "decline the removal", chromedp.Click(chromedp.CSS(removeDrop)))
	if n := w.app.Count(t, `SELECT cardinality(evidence_ids) FROM inspections`); n != 3 {
		t.Fatalf("a declined removal removed: %d files left", n)
	}
	browsertest.Eval[bool](t, ctx, `(window.confirm = function () { return true; }, true)`)
	follow(t, ctx, "remove on confirming", removeDrop)
	if flash := browsertest.Text(t, ctx, ".alert-ok"); flash != "检查材料已删除。" || strings.Contains(browsertest.Text(t, ctx, "#files"), "草稿.png") {
		t.Fatalf("after removal: %q", browsertest.Text(t, ctx, "#files"))
	}
	follow(t, ctx, "share a file", `form[action$="/files/`+keep+`/share"] button`)
	if got := browsertest.Text(t, ctx, "#file-list li:first-child .file-shared"); got != "已提供给被检查单位" {
		t.Fatalf("shared tag: %q", got)
	}

	browsertest.Do(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.ID("username")))
	browsertest.SignIn(t, ctx, w.app.URL, "unit-m", "unit-m-pass-1")
	browsertest.Do(t, ctx, "the unit's list", chromedp.Navigate(w.app.URL+"/console/cycles/"+apptest.Itoa(w.cycle)+"/inspections"),
		chromedp.WaitVisible(chromedp.ID("inspections")))
	follow(t, ctx, "open the inspection", "#inspections a")
	browsertest.Do(t, ctx, "its page", chromedp.WaitVisible(chromedp.ID("finding-table")))
	if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll("#finding-form, #file-form, .case-form, .proposal-form, .share-form, .remove-form, #edit-items").length`); n != 0 {
		t.Fatalf("the unit sees %d office forms", n)
	}
	findings := browsertest.Text(t, ctx, "#finding-table")
	if !strings.Contains(findings, "救助台账未按月更新") || strings.Contains(findings, "佐证材料不全") || strings.Contains(findings, "市教育局") {
		t.Fatalf("the unit's findings: %q", findings)
	}
	if files := browsertest.Text(t, ctx, "#files"); !strings.Contains(files, "检查通报.png") || strings.Contains(files, "内部记录.png") {
		t.Fatalf("the unit's files: %q", files)
	}
	status := func(path string) int {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`fetch("`+path+`").then(function (r) { return r.status; })`,
			chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("fetch %s: %v", path, err)
		}
		return n
	}
	filePath := "/console/inspections/" + apptest.Itoa(i.ID) + "/files/"
	if s, p := status(filePath+keep), status(filePath+private); s != 200 || p != 403 {
		t.Fatalf("downloads: shared %d, not shared %d", s, p)
	}
	follow(t, ctx, "open its case", "#finding-table .case-link")
	browsertest.Do(t, ctx, "the case page", chromedp.WaitVisible(chromedp.ID("case-status")))
	if body := browsertest.Text(t, ctx, "main"); !strings.Contains(body, "救助台账未按月更新") || !strings.Contains(body, "答复") {
		t.Fatalf("the unit's case page: %q", body)
	}
}
