package surveysapp_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/testutil/browser"
)

// shotDir is where a test's screenshots go: $MINYI_SHOTS when set (to look
// at them), otherwise a directory removed after the test.
func shotDir(t *testing.T, sub string) string {
	t.Helper()
	dir := os.Getenv("MINYI_SHOTS")
	if dir == "" {
		return t.TempDir()
	}
	dir += "/" + sub
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// shoot saves the whole page as name.png and what the screen shows as
// name-screen.png in dir.
func shoot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	screenshot(t, ctx, dir, name)
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(dir+"/"+name+"-screen.png", png, 0o600); err != nil {
		t.Fatal(err)
	}
}

// watchErrors collects the page's script exceptions and logged errors (a
// script or style refused by the content security policy among them) and
// reports them when the test ends.
func watchErrors(t *testing.T, ctx context.Context) {
	t.Helper()
	var mu sync.Mutex
	var list []string
	err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError && !strings.HasSuffix(ev.Entry.URL, "/favicon.ico") {
				list = append(list, ev.Entry.Text)
			}
		case *runtime.EventExceptionThrown:
			list = append(list, "exception: "+ev.ExceptionDetails.Text)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, m := range list {
			t.Errorf("browser: %s", m)
		}
	})
}

// fourUnits is an open survey of four units (names long and short) with
// one deputy invited; it returns the world and the deputy's /s/{token}.
func fourUnits(t *testing.T) (*fixtures.SurveyWorld, string) {
	t.Helper()
	w := fixtures.NewSurveyWorld(t, apptest.Options{})
	w.CreateUnit(t, "市公安局", "执法监督类")
	w.CreateUnit(t, "市人力资源和社会保障局", "社会服务类")
	s := w.CreateSurvey(t, map[string]any{"questions": []map[string]string{{"key": "efficiency"}, {"key": "attitude"}},
		"groups": []map[string]any{{"key": "npc_deputies"}}})
	r := w.AddRespondent(t, s.ID, map[string]any{"name": "张代表", "group": "npc_deputies"})
	w.OpenSurvey(t, s.ID)
	return w, w.InvitePath(t, r)
}

// pageUnits lists the units of the page in order.
func pageUnits(t *testing.T, ctx context.Context) []int64 {
	t.Helper()
	return browsertest.Eval[[]int64](t, ctx, `[...document.querySelectorAll('[data-unit]')].map(s => +s.dataset.unit)`)
}

// onScreen lists the units drawn on the page.
func onScreen(t *testing.T, ctx context.Context) []int64 {
	t.Helper()
	return browsertest.Eval[[]int64](t, ctx, `[...document.querySelectorAll('[data-unit]')].filter(s => s.offsetParent !== null).map(s => +s.dataset.unit)`)
}

// showing waits until the unit (or the overview, id 0) is the screen.
func showing(id int64) chromedp.Action[chromedp.Void] {
	sel := "#review"
	if id != 0 {
		sel = "#u" + apptest.Itoa(id)
	}
	return chromedp.Poll[chromedp.Void](`document.querySelector('` + sel + `').classList.contains('on') && document.querySelector('` + sel + `').offsetParent !== null`)
}

// next clicks the unit's 下一个 (核对提交 on the last unit).
func next(id int64) chromedp.Action[chromedp.Void] {
	return chromedp.Click(chromedp.CSS(`#u` + apptest.Itoa(id) + ` [data-next]`))
}

// progress is the progress bar's words and aria-valuenow / aria-valuemax.
func progress(t *testing.T, ctx context.Context) string {
	t.Helper()
	return browsertest.Eval[string](t, ctx, `document.getElementById('pos').textContent + ' ' + document.getElementById('bar').getAttribute('aria-valuenow') + '/' + document.getElementById('bar').getAttribute('aria-valuemax') + ' ' + document.getElementById('done').textContent`)
}

// stored lists the stored responses by unit as level:aspects:opinion.
func stored(t *testing.T, app *apptest.App) map[int64]string {
	t.Helper()
	rows, err := app.Pool.Query(t.Context(), `SELECT unit_id, level::text || ':' || aspects::text || ':' || opinion FROM survey_responses`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var s string
		if err := rows.Scan(&id, &s); err != nil {
			t.Fatal(err)
		}
		out[id] = s
	}
	return out
}

func TestBrowserSurveyOneUnitPerScreen(t *testing.T) {
	for _, size := range []struct{ w, h int64 }{{375, 667}, {1440, 900}} {
		t.Run(fmt.Sprint(size.w), func(t *testing.T) { surveySteps(t, size.w, size.h) })
	}
}

func surveySteps(t *testing.T, width, height int64) {
	ctx := browser.New(t, browser.Options{Width: width, Height: height})
	watchErrors(t, ctx)
	w, path := fourUnits(t)
	shots := shotDir(t, fmt.Sprint(width))

	browsertest.Do(t, ctx, "open the invitation", chromedp.Navigate(w.App.URL+path), chromedp.WaitVisible(chromedp.CSS(".sv-unit.on")))
	units := pageUnits(t, ctx)
	if len(units) != 4 {
		t.Fatalf("units on the page: %v", units)
	}
	u1, u2, u3, u4 := units[0], units[1], units[2], units[3]
	if got := onScreen(t, ctx); len(got) != 1 || got[0] != u1 {
		t.Fatalf("on screen at first: %v, want only %d", got, u1)
	}
	if p := progress(t, ctx); p != "第 1 / 4 个单位 1/4 0" {
		t.Errorf("progress at first %q", p)
	}
	if browsertest.Eval[bool](t, ctx, `document.getElementById('submit').offsetParent !== null || document.querySelector('.sv-save').offsetParent !== null`) {
		t.Error("the submit or the no-script save buttons show on a unit's screen")
	}
	shoot(t, ctx, shots, "1-first-unit")

	// 下一个 with the required question unanswered: the error beside it,
	// focus on it, and no move.
	browsertest.Do(t, ctx, "next without an answer", next(u1))
	name := browsertest.Text(t, ctx, "#u"+apptest.Itoa(u1)+" h2 span")
	err := `#u` + apptest.Itoa(u1) + ` fieldset[data-required] p.err[role=alert]`
	if s := browsertest.Text(t, ctx, err); s != "请评价“"+name+"”的总体满意度" {
		t.Errorf("error beside the question %q", s)
	}
	if f := browsertest.Eval[string](t, ctx, `document.activeElement.name`); f != "u"+apptest.Itoa(u1)+".overall" {
		t.Errorf("focus is on %q, want the unanswered question", f)
	}
	if got := onScreen(t, ctx); len(got) != 1 || got[0] != u1 {
		t.Errorf("moved on with the required answer missing: %v", got)
	}
	if p := progress(t, ctx); p != "第 1 / 4 个单位 1/4 0" {
		t.Errorf("progress after the refused move %q", p)
	}
	shoot(t, ctx, shots, "2-error")

	browsertest.Do(t, ctx, "answer the first unit and move on",
		chromedp.Click(choice(u1, "overall", "5")), chromedp.Click(choice(u1, "efficiency", "4")), savedState(u1), next(u1), showing(u2))
	if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll('#u`+apptest.Itoa(u1)+` .err').length`); n != 0 {
		t.Errorf("%d errors left on the answered unit", n)
	}
	if p := progress(t, ctx); p != "第 2 / 4 个单位 2/4 1" {
		t.Errorf("progress on the second unit %q", p)
	}
	if k := browsertest.Eval[int](t, ctx, `Object.keys(localStorage).filter(k => k.startsWith('minyi-sv:')).length`); k != 0 {
		t.Errorf("%d answers still kept on the phone after the server saved them", k)
	}
	var drafts int
	if err := w.App.Pool.QueryRow(t.Context(), `SELECT count(*) FROM survey_drafts WHERE unit_id = $1 AND answers->>'overall' = '5'`, u1).Scan(&drafts); err != nil || drafts != 1 {
		t.Errorf("the first unit's draft: %d (%v)", drafts, err)
	}

	// The browser's back button returns to the first unit, answers kept.
	browsertest.Do(t, ctx, "back", chromedp.Evaluate[chromedp.Void](`history.back()`), showing(u1))
	if !browsertest.Eval[bool](t, ctx, `document.querySelector('input[name="u`+apptest.Itoa(u1)+`.overall"][value="5"]').checked`) {
		t.Error("the answer is gone after the back button")
	}
	browsertest.Do(t, ctx, "forward", chromedp.Evaluate[chromedp.Void](`history.forward()`), showing(u2))

	opinion := "窗口少，排队久。"
	browsertest.Do(t, ctx, "answer the second unit",
		chromedp.Click(choice(u2, "overall", "3")), chromedp.Click(choice(u2, "attitude", "2")),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="u`+apptest.Itoa(u2)+`.opinion"]`), opinion), savedState(u2), next(u2), showing(u3))

	// The overview through 全部单位: the two units left are 未完成, and
	// 提交问卷 says so rather than asking.
	browsertest.Do(t, ctx, "open the overview", chromedp.Click(chromedp.ID("to-review")), showing(0))
	badges := browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll('#review [data-review]')].map(a => a.dataset.review + ':' + a.querySelector('.sv-badge').textContent)`)
	want := []string{apptest.Itoa(u1) + ":已完成", apptest.Itoa(u2) + ":已完成", apptest.Itoa(u3) + ":未完成", apptest.Itoa(u4) + ":未完成"}
	if strings.Join(badges, " ") != strings.Join(want, " ") {
		t.Errorf("overview %v, want %v", badges, want)
	}
	if p := progress(t, ctx); p != "核对答卷 4/4 2" {
		t.Errorf("progress on the overview %q", p)
	}
	browsertest.Do(t, ctx, "submit with units left", chromedp.Click(chromedp.ID("submit")), chromedp.WaitVisible(chromedp.ID("review-msg")))
	if s := browsertest.Text(t, ctx, "#review-msg"); !strings.Contains(s, "还有 2 个单位未完成") {
		t.Errorf("overview message %q", s)
	}
	if browsertest.Eval[bool](t, ctx, `!document.getElementById('confirm').hidden`) {
		t.Error("the confirm step opened with units left")
	}
	shoot(t, ctx, shots, "3-overview")

	// Tap a unit to go back to it, finish, and the last 下一个 leads to the overview.
	browsertest.Do(t, ctx, "finish the units",
		chromedp.Click(chromedp.CSS(`#review [data-review="`+apptest.Itoa(u3)+`"]`)), showing(u3),
		chromedp.Click(choice(u3, "overall", "4")), next(u3), showing(u4),
		chromedp.Click(choice(u4, "overall", "2")), next(u4), showing(0))
	if s := browsertest.Eval[string](t, ctx, `document.querySelector('#u`+apptest.Itoa(u4)+` [data-next]').textContent`); s != "核对提交" {
		t.Errorf("the last unit's button says %q", s)
	}
	if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll('#review .todo').length`); n != 0 {
		t.Errorf("%d units still 未完成 on the overview", n)
	}

	// The confirm step: cancelling it submits nothing.
	browsertest.Do(t, ctx, "ask to submit", chromedp.Click(chromedp.ID("submit")), chromedp.WaitVisible(chromedp.ID("confirm-yes")))
	if s := browsertest.Text(t, ctx, "#confirm-q"); s != "提交后不能修改，确定提交吗？" {
		t.Errorf("confirm step says %q", s)
	}
	shoot(t, ctx, shots, "4-confirm")
	browsertest.Do(t, ctx, "cancel", chromedp.Click(chromedp.ID("confirm-no")), chromedp.WaitNotVisible(chromedp.ID("confirm-yes")))
	var status string
	if err := w.App.Pool.QueryRow(t.Context(), `SELECT status FROM survey_respondents`).Scan(&status); err != nil || status == "submitted" {
		t.Fatalf("after cancelling the respondent is %q (%v)", status, err)
	}
	if got := stored(t, w.App); len(got) != 0 {
		t.Fatalf("cancelling stored %v", got)
	}

	browsertest.Do(t, ctx, "ask again", chromedp.Click(chromedp.ID("submit")), chromedp.WaitVisible(chromedp.ID("confirm-yes")))
	res, rerr := chromedp.RunResponse(ctx, chromedp.Click(chromedp.ID("confirm-yes")))
	if rerr != nil || res.Status != http.StatusOK {
		t.Fatalf("confirming: %v %v", res, rerr)
	}
	if s := browsertest.Text(t, ctx, "#result"); s != "问卷已提交，感谢您的参与！" {
		t.Fatalf("after confirming the page says %q", s)
	}
	shoot(t, ctx, shots, "5-thanks")
	got := stored(t, w.App)
	for id, want := range map[int64]string{u1: `5:{"efficiency": 4}:`, u2: `3:{"attitude": 2}:` + opinion, u3: `4:{}:`, u4: `2:{}:`} {
		if got[id] != want {
			t.Errorf("stored for unit %d: %q, want %q", id, got[id], want)
		}
	}
}

func TestBrowserSurveyRefusedReturnsToTheUnit(t *testing.T) {
	ctx := browser.New(t, browser.Options{Width: 375, Height: 667})
	v := fixtures.NewInvitee(t, apptest.Options{}, true)
	v.OpenSurvey(t, v.Survey.ID)
	browsertest.Do(t, ctx, "open the invitation", chromedp.Navigate(v.App.URL+v.Path), chromedp.WaitVisible(chromedp.CSS(".sv-unit.on")))
	units := pageUnits(t, ctx)
	a, b := units[0], units[1]
	opinion := "希望延长周末办理时间。"
	// The second unit's level is one the server refuses, as a page of an
	// older survey might send.
	browsertest.Do(t, ctx, "answer both units",
		chromedp.Click(choice(a, "overall", "5")),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="u`+apptest.Itoa(a)+`.opinion"]`), opinion), next(a), showing(b),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('input[name="u`+apptest.Itoa(b)+`.overall"][value="3"]').value = '9'`),
		chromedp.Click(choice(b, "overall", "9")), next(b), showing(0),
		chromedp.Click(chromedp.ID("submit")), chromedp.WaitVisible(chromedp.ID("confirm-yes")))
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.ID("confirm-yes")))
	if err != nil || res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("refused submission: %v %v", res, err)
	}
	browsertest.Do(t, ctx, "the refused unit", showing(b))
	if s := browsertest.Text(t, ctx, "#message"); !strings.Contains(s, "1–5") {
		t.Errorf("message %q", s)
	}
	if s := browsertest.Text(t, ctx, "#u"+apptest.Itoa(b)+" fieldset[data-required] .err"); !strings.Contains(s, "请选择") {
		t.Errorf("error beside the question %q", s)
	}
	if !browsertest.Eval[bool](t, ctx, `document.querySelector('input[name="u`+apptest.Itoa(a)+`.overall"][value="5"]').checked`) ||
		browsertest.Eval[string](t, ctx, `document.querySelector('textarea[name="u`+apptest.Itoa(a)+`.opinion"]').value`) != opinion {
		t.Error("the first unit's answers are lost after the refusal")
	}
	shoot(t, ctx, shotDir(t, "refused"), "1-refused")
	if n := v.Responses(t); n != 0 {
		t.Fatalf("%d responses after the refusal", n)
	}
	browsertest.Do(t, ctx, "answer again and submit",
		chromedp.Click(choice(b, "overall", "4")), next(b), showing(0),
		chromedp.Click(chromedp.ID("submit")), chromedp.WaitVisible(chromedp.ID("confirm-yes")))
	if res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.ID("confirm-yes"))); err != nil || res.Status != http.StatusOK {
		t.Fatalf("second submission: %v %v", res, err)
	}
	got := stored(t, v.App)
	if got[a] != `5:{}:`+opinion || got[b] != `4:{}:` {
		t.Errorf("stored %v", got)
	}
}
