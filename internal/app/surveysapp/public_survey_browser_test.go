package surveysapp_test

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
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/testutil/browser"
)

// screenshot saves the whole page as name.png in dir (quality 100 makes a PNG).
func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o600); err != nil {
		t.Fatal(err)
	}
}

// choice is the visible label text of a level of a unit's question.
func choice(unitID int64, key, level string) chromedp.CSS {
	return chromedp.CSS(`input[name="u` + apptest.Itoa(unitID) + `.` + key + `"][value="` + level + `"] + span`)
}

// savedState waits until the unit's save state says 已保存.
func savedState(unitID int64) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](`document.querySelector('#u` + apptest.Itoa(unitID) + ` [data-state]').textContent === '已保存'`)
}

func TestBrowserAnswersSurveyByInvitation(t *testing.T) {
	ctx := browser.New(t, browser.Options{}) // first, so a skip costs nothing
	v := fixtures.NewInvitee(t, apptest.Options{}, true)
	v.OpenSurvey(t, v.Survey.ID)
	link := v.App.URL + v.Path
	shots := t.TempDir()

	browsertest.Do(t, ctx, "open the invitation", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(".sv-unit.on")))
	if w := browsertest.Eval[int](t, ctx, `window.innerWidth`); w > 480 {
		t.Fatalf("viewport is %d px wide, want a phone", w)
	}
	if h := browsertest.Text(t, ctx, "header h1"); h != v.Survey.Title {
		t.Errorf("header %q", h)
	}
	if s := browsertest.Text(t, ctx, ".sv-count"); !strings.Contains(s, "0") || !strings.Contains(s, "2") {
		t.Errorf("progress %q", s)
	}
	if browsertest.Eval[bool](t, ctx, `getComputedStyle(document.querySelector('.sv-save')).display !== 'none'`) {
		t.Error("the no-script save buttons show although the script runs")
	}
	screenshot(t, ctx, shots, "1-open")
	units := pageUnits(t, ctx)
	a, b := units[0], units[1]

	opinion := "希望延长周末办理时间。"
	browsertest.Do(t, ctx, "answer the first unit",
		chromedp.Click(choice(a, "overall", "5")), chromedp.Click(choice(a, "efficiency", "4")),
		savedState(a), chromedp.Poll[chromedp.Void](`document.getElementById('done').textContent === '1'`), next(a), showing(b))
	browsertest.Do(t, ctx, "answer the second unit",
		chromedp.Click(choice(b, "overall", "3")), chromedp.Click(choice(b, "attitude", "2")),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="u`+apptest.Itoa(b)+`.opinion"]`), opinion),
		savedState(b), chromedp.Poll[chromedp.Void](`document.getElementById('done').textContent === '2'`))
	if !browsertest.Eval[bool](t, ctx, `document.querySelector('#review [data-review="`+apptest.Itoa(b)+`"]').classList.contains('done')`) {
		t.Error("the overview does not mark the second unit done")
	}
	screenshot(t, ctx, shots, "2-answered")

	// A reload (or another phone) shows the saved answers, on the same unit.
	browsertest.Do(t, ctx, "reload", chromedp.Reload(), showing(b))
	for sel, want := range map[string]bool{
		`input[name="u` + apptest.Itoa(a) + `.overall"][value="5"]`:    true,
		`input[name="u` + apptest.Itoa(a) + `.efficiency"][value="4"]`: true,
		`input[name="u` + apptest.Itoa(b) + `.overall"][value="3"]`:    true,
		`input[name="u` + apptest.Itoa(b) + `.attitude"][value="2"]`:   true,
		`input[name="u` + apptest.Itoa(b) + `.overall"][value="4"]`:    false,
	} {
		if got := browsertest.Eval[bool](t, ctx, `document.querySelector('`+sel+`').checked`); got != want {
			t.Errorf("after reload %s checked = %v", sel, got)
		}
	}
	if got := browsertest.Eval[string](t, ctx, `document.querySelector('textarea[name="u`+apptest.Itoa(b)+`.opinion"]').value`); got != opinion {
		t.Errorf("opinion after reload %q", got)
	}
	if s := browsertest.Text(t, ctx, "#done"); s != "2" {
		t.Errorf("done after reload %q", s)
	}
	screenshot(t, ctx, shots, "3-reloaded")

	browsertest.Do(t, ctx, "ask to submit", next(b), showing(0), chromedp.Click(chromedp.ID("submit")), chromedp.WaitVisible(chromedp.ID("confirm-yes")))
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.ID("confirm-yes")))
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	if res.Status != http.StatusOK {
		t.Fatalf("after submitting: status %d", res.Status)
	}
	if s := browsertest.Text(t, ctx, "#result"); !strings.Contains(s, "问卷已提交") {
		t.Fatalf("after submitting the page says %q", s)
	}
	screenshot(t, ctx, shots, "4-submitted")
	var stored, named int
	if err := v.App.Pool.QueryRow(t.Context(), `SELECT count(*), count(respondent_id) FROM survey_responses`).Scan(&stored, &named); err != nil {
		t.Fatal(err)
	}
	if stored != 2 || named != 0 {
		t.Errorf("%d responses stored, %d naming the respondent; want 2 and 0", stored, named)
	}

	browsertest.Do(t, ctx, "open the link again", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("result")))
	if s := browsertest.Text(t, ctx, "#result"); s != "此邀请链接已使用，问卷已提交，感谢您的参与" {
		t.Fatalf("the used link says %q", s)
	}
	if browsertest.Eval[bool](t, ctx, `document.getElementById('survey') !== null`) {
		t.Error("the used link still shows the form")
	}
	screenshot(t, ctx, shots, "5-used")
}
