package casesapp_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/testutil/browser"
)

func browserSignOut(t *testing.T, ctx context.Context) {
	t.Helper()
	browsertest.Do(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("username")))
}

// TestBrowserCaseFromPhoneToPublicPage takes one 差评 left with a phone
// number on the citizen's phone through verification, the unit's answer
// and fix with a PDF, the office's close and release, to the public page.
func TestBrowserCaseFromPhoneToPublicPage(t *testing.T) {
	// It walks five pages through three roles; on a busy 2-core machine that
	// can take longer than the default two minutes.
	ctx := browser.New(t, browser.Options{Width: 1280, Height: 900, Timeout: 5 * time.Minute})
	f := fixtures.NewPubFixture(t, apptest.Options{})
	f.App.AddUser(t, "unit1", "unit-pass-1", "unit", &f.UnitID)
	phone := "13812345678"

	// The citizen rates on the phone page.
	browsertest.Do(t, ctx, "rate 非常不满意", chromedp.Navigate(f.App.URL+"/q/"+f.Code), chromedp.WaitVisible(chromedp.ID("submit")),
		chromedp.Click(browsertest.LevelRadio("1")), chromedp.WaitVisible(chromedp.ID("reasons-card")),
		chromedp.Click(browsertest.ReasonBox("等候时间长")), browsertest.OpenMessage(),
		chromedp.SendKeys(chromedp.CSS("textarea[name=comment]"), "排队两个小时没人管，请回电"+phone),
		chromedp.SendKeys(chromedp.CSS("input[name=phone]"), phone))
	browsertest.Submit(t, ctx)
	var feed struct {
		Items []struct{ ID string }
	}
	f.Office.JSON(t, "GET", "/api/v1/units/"+apptest.Itoa(f.UnitID)+"/ratings?level=1", nil, &feed)
	if len(feed.Items) != 1 {
		t.Fatalf("%d ratings stored", len(feed.Items))
	}

	// The office marks it valid in the queue.
	browsertest.SignIn(t, ctx, f.App.URL, "office1", "office-pass-1")
	browsertest.Do(t, ctx, "mark valid", chromedp.Navigate(f.App.URL+"/console/feedback/item/rating/"+feed.Items[0].ID),
		chromedp.WaitVisible(chromedp.ID("valid-form")), chromedp.Submit(chromedp.CSS("#valid-form button")),
		chromedp.WaitVisible(chromedp.ID("case")))
	var list struct {
		Cases []struct{ ID int64 }
	}
	f.Office.JSON(t, "GET", "/api/v1/cases", nil, &list)
	if len(list.Cases) != 1 {
		t.Fatalf("%d cases", len(list.Cases))
	}
	casePage := f.App.URL + "/console/cases/" + apptest.Itoa(list.Cases[0].ID)
	browserSignOut(t, ctx)

	// The unit answers with a plan and reports it done with a PDF.
	pdf := filepath.Join(t.TempDir(), "整改报告.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	browsertest.SignIn(t, ctx, f.App.URL, "unit1", "unit-pass-1")
	browsertest.Do(t, ctx, "answer", chromedp.Navigate(casePage), chromedp.WaitVisible(chromedp.ID("answer-form")),
		chromedp.SendKeys(chromedp.ID("explanation"), "高峰期窗口不足"),
		chromedp.SendKeys(chromedp.ID("responsible"), "李科长"),
		chromedp.SendKeys(chromedp.ID("measures"), "高峰期增开两个综合窗口"),
		chromedp.SendKeys(chromedp.ID("outcome"), "排队不超过二十分钟"),
		chromedp.SetValue(chromedp.ID("fix_due"), "2026-12-31"),
		chromedp.Submit(chromedp.CSS("#answer-form button")), chromedp.WaitVisible(chromedp.ID("done-form")))
	browsertest.Do(t, ctx, "report done", chromedp.SendKeys(chromedp.ID("done-body"), "已增开窗口并公示"),
		chromedp.SetUploadFiles(chromedp.ID("done-file"), []string{pdf}))
	// The case page had a timeline before the report too: wait for the
	// answer to the post itself, not for an element the old page holds.
	res, err := chromedp.RunResponse(ctx, chromedp.Submit(chromedp.CSS("#done-form button")))
	if err != nil {
		t.Fatalf("report done: %v", err)
	}
	if res.Status != http.StatusOK {
		t.Fatalf("report done: the page after it answered %d", res.Status)
	}
	browsertest.Do(t, ctx, "the case after the report", chromedp.WaitVisible(chromedp.ID("timeline")))
	if s := browsertest.Text(t, ctx, "#case-status"); s != "已报整改完成" {
		t.Fatalf("status after done: %q", s)
	}
	browserSignOut(t, ctx)

	// The office closes and releases it.
	browsertest.SignIn(t, ctx, f.App.URL, "office1", "office-pass-1")
	// The office's case page has the release form before the close too.
	browsertest.Do(t, ctx, "close", chromedp.Navigate(casePage), chromedp.WaitVisible(chromedp.ID("close-form")),
		browsertest.LeadsTo(chromedp.Submit(chromedp.CSS("#close-form button")), "#release-form"))
	browsertest.Do(t, ctx, "release", chromedp.Submit(chromedp.CSS("#release-form button")), chromedp.WaitVisible(chromedp.ID("released")))

	// The public page shows the closed case and no phone number.
	browsertest.Do(t, ctx, "public page", chromedp.Navigate(f.App.URL+"/cases/"+apptest.Itoa(f.UnitID)), chromedp.WaitVisible(chromedp.ID("cases")))
	body := browsertest.Text(t, ctx, "body")
	html := browsertest.Eval[string](t, ctx, `document.documentElement.outerHTML`)
	for _, want := range []string{"已办结", "高峰期增开两个综合窗口", "排队两个小时没人管", "2026-12-31"} {
		if !strings.Contains(body, want) {
			t.Errorf("public page lacks %q:\n%s", want, body)
		}
	}
	for _, bad := range []string{phone, "138****", "5678", "李科长", feed.Items[0].ID} {
		if strings.Contains(html, bad) {
			t.Errorf("public page shows %q", bad)
		}
	}
}
