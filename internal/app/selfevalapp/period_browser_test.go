package selfevalapp_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"minyi/internal/selfeval"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/browser"
)

// In a real browser: M gives its half-year scores with the report, a
// score above the indicator's points refused beside it with what M typed
// kept; the office reads both scores next to the report, F (the budget
// indicator's assessor) only the budget one.
func TestBrowserHalfYearScores(t *testing.T) {
	browserScoresFlow(t, 1440, 900, nil)
}

func browserScoresFlow(t *testing.T, width, height int64, shot func(ctx context.Context, name string)) {
	w := newWorld(t)
	hp := w.newPeriod(t, "半年自评", "2026-06-30", "2026-07-15", false)
	w.at("2026-07-10")
	ctx := browser.New(t, browser.Options{Width: width, Height: height})
	base := w.app.URL
	report := base + "/console/self-eval-periods/" + apptest.Itoa(hp.ID) + "/units/" + apptest.Itoa(w.m)
	b, s := apptest.Itoa(w.budgetInd), apptest.Itoa(w.safetyInd)

	browsertest.SignIn(t, ctx, base, "unit-m", "unit-m-pass-1")
	browsertest.Do(t, ctx, "form", chromedp.Navigate(report), chromedp.WaitVisible(chromedp.ID("score-form")),
		chromedp.SetValue(chromedp.ID("body"), "上半年各项目标按进度推进。"),
		chromedp.SetValue(chromedp.ID("claimed_"+b), "12"), chromedp.SetValue(chromedp.ID("note_"+b), "执行率52%"),
		chromedp.SetValue(chromedp.ID("claimed_"+s), "18"),
		chromedp.Submit(chromedp.CSS("#report-form button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#score-"+b+" .err")))
	if msg := browsertest.Text(t, ctx, "#score-"+b+" .err"); !strings.Contains(msg, "“预算执行”的自评得分须在0到10分之间") {
		t.Fatalf("beside the budget score: %q", msg)
	}
	if v := browsertest.Eval[string](t, ctx, `document.getElementById("claimed_`+s+`").value + "|" + document.getElementById("note_`+b+`").value + "|" + document.getElementById("body").value`); v != "18|执行率52%|上半年各项目标按进度推进。" {
		t.Fatalf("typed values lost: %q", v)
	}
	if n := w.app.Count(t, `SELECT count(*) FROM self_eval_reports`); n != 0 {
		t.Fatalf("%d reports after the refusal", n)
	}
	if shot != nil {
		shot(ctx, "unit_scores_refused")
	}
	browsertest.Do(t, ctx, "submit", chromedp.SetValue(chromedp.ID("claimed_"+b), "6.5"),
		chromedp.Submit(chromedp.CSS("#report-form button[type=submit]")), chromedp.WaitVisible(chromedp.ID("files")))
	if v := browsertest.Text(t, ctx, "#ind-"+b+" .period-score"); !strings.Contains(v, "6.5 分") || !strings.Contains(v, "执行率52%") {
		t.Fatalf("budget after submit: %q", v)
	}
	if shot != nil {
		shot(ctx, "unit_scores")
	}
	// reads signs in as the user and opens M's report.
	reads := func(user string) {
		browsertest.Do(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("username")))
		browsertest.SignIn(t, ctx, base, user, user+"-pass-1")
		browsertest.Do(t, ctx, user+" reads", chromedp.Navigate(report), chromedp.WaitVisible(chromedp.ID("report-body")))
	}
	reads("office1")
	if v := browsertest.Text(t, ctx, "#indicators"); !strings.Contains(v, "6.5 分") || !strings.Contains(v, "18.0 分") {
		t.Fatalf("office reads: %q", v)
	}
	if shot != nil {
		shot(ctx, "office_scores")
	}
	reads("unit-f")
	if v := browsertest.Text(t, ctx, "#indicators"); !strings.Contains(v, "6.5 分") || strings.Contains(v, "安全生产") {
		t.Fatalf("F reads: %q", v)
	}
}

// In a real browser: the office changes a period on its page (a due date
// before the covered date refused beside the field, kept as typed), then
// deletes it after confirming (a refused confirmation deletes nothing).
// A period with a report shows no delete button, and posting the delete
// anyway is refused in Chinese on the page.
func TestBrowserOfficeEditsAndDeletesPeriod(t *testing.T) {
	browserPeriodFlow(t, 1440, 900, nil)
}

func browserPeriodFlow(t *testing.T, width, height int64, shot func(ctx context.Context, name string)) {
	w := newWorld(t)
	half, q3 := w.newPeriod(t, "半年自评", "2026-06-30", "2026-07-15", false), w.newPeriod(t, "三季度自评", "2026-09-30", "2026-10-15", false)
	apptest.APIJSON(t, w.cm, "PUT", reportPath(half.ID, w.m), map[string]any{"body": "报告"}).Decode(t, http.StatusOK, nil)
	ctx := browser.New(t, browser.Options{Width: width, Height: height})
	base := w.app.URL
	page := base + "/console/self-eval-periods/" + apptest.Itoa(q3.ID)

	browsertest.SignIn(t, ctx, base, "office1", "office1-pass-1")
	browsertest.Do(t, ctx, "open", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.ID("edit-link")),
		chromedp.Click(chromedp.ID("edit-link")), chromedp.WaitVisible(chromedp.ID("period-form")),
		chromedp.SetValue(chromedp.ID("pdue"), "2026-09-01"), chromedp.Submit(chromedp.CSS("#period-form button")),
		chromedp.WaitVisible(chromedp.CSS("#period-form .err")))
	if msg := browsertest.Text(t, ctx, "#period-form .err"); msg != "报送截止日期不能早于自评截至日期" {
		t.Fatalf("beside the due date: %q", msg)
	}
	if v := browsertest.Eval[string](t, ctx, `document.getElementById("pdue").value`); v != "2026-09-01" {
		t.Fatalf("typed due date lost: %q", v)
	}
	if shot != nil {
		shot(ctx, "period_edit_refused")
	}
	browsertest.Do(t, ctx, "save", chromedp.SetValue(chromedp.ID("pname"), "前三季度自评"), chromedp.SetValue(chromedp.ID("pdue"), "2026-10-20"),
		chromedp.Submit(chromedp.CSS("#period-form button")), chromedp.WaitVisible(chromedp.CSS(".alert-ok")))
	if h := browsertest.Text(t, ctx, "main h1"); !strings.Contains(h, "前三季度自评") {
		t.Fatalf("heading after the change: %q", h)
	}
	del := chromedp.CSS("#delete-period button")
	browsertest.Do(t, ctx, "refuse the confirmation", chromedp.Evaluate[chromedp.Void](`window.confirm = () => false`), chromedp.Click(del))
	if n := w.app.Count(t, `SELECT count(*) FROM self_eval_periods WHERE id = $1`, q3.ID); n != 1 {
		t.Fatal("deleted though the office said no")
	}
	if shot != nil {
		shot(ctx, "period_page")
	}
	browsertest.Do(t, ctx, "delete", chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`), chromedp.Click(del),
		chromedp.WaitVisible(chromedp.ID("period-table")))
	if msg := browsertest.Text(t, ctx, ".alert-ok"); !strings.Contains(msg, "自评期次已删除") {
		t.Errorf("flash %q", msg)
	}
	if rows := browsertest.Text(t, ctx, "#period-table"); strings.Contains(rows, "三季度") || !strings.Contains(rows, "半年自评") {
		t.Errorf("periods after the delete: %q", rows)
	}

	// The half-year has M's report: no delete button, and a delete
	// posted anyway is refused on the page.
	browsertest.Do(t, ctx, "half", chromedp.Navigate(base+"/console/self-eval-periods/"+apptest.Itoa(half.ID)),
		chromedp.WaitVisible(chromedp.ID("edit-link")))
	if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll("#delete-period").length`); n != 0 {
		t.Errorf("%d delete buttons on a period with a report", n)
	}
	p := apptest.Post(t, w.office, "/console/self-eval-periods/"+apptest.Itoa(half.ID)+"/delete", url.Values{})
	if p.Status != http.StatusConflict || !apptest.HasText(p, selfeval.MsgHasReports) {
		t.Errorf("posted delete: %d %s", p.Status, apptest.PageText(p.Body))
	}
	if n := w.app.Count(t, `SELECT count(*) FROM self_eval_periods WHERE id = $1`, half.ID); n != 1 {
		t.Error("the period with a report is gone")
	}
}
