package overviewapp_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// test2027Text is TEST DATA, made up for this test: the State Council has
// not published 2027 yet (today is 2 December 2026), and the product never
// guesses it. Only New Year's Day matters to the deadlines tested here:
// 2027-01-01 (a Friday) off. workdaysapp's tests use the same list in the
// holiday-cn shape.
const test2027Text = "# 测试数据，并非真实通知\n2027-01-01 元旦 休\n2027-02-06~2027-02-12 春节 休\n2027-02-14 春节 班\n"

// TestOverviewCalendarWarning: from 1 October the office's overview warns
// that next year's calendar is missing and links to where it is entered;
// not before, not for units, and not once the year is entered (through the
// console's text form, which also recomputes a provisional case).
func TestOverviewCalendarWarning(t *testing.T) {
	clock := apptest.NewClock(time.Date(2026, 9, 30, 18, 0, 0, 0, apptest.Shanghai))
	w := fixtures.NewAPIWorld(t, apptest.Options{Now: clock.Now})
	office := apptest.SignedIn(t, w.App, "office1", "office-pass-1")
	unit := apptest.SignedIn(t, w.App, "unit-a", "unit-pass-1")
	const warning = `id="calendar-warning"`
	if p := apptest.Get(t, office, "/console"); p.Status != http.StatusOK || p.Has(warning) {
		t.Errorf("warning on 30 September: %d", p.Status)
	}
	clock.Set(time.Date(2026, 10, 1, 9, 0, 0, 0, apptest.Shanghai))
	p := apptest.Get(t, office, "/console")
	if !p.Has(warning) || !p.Has("2027年工作日历尚未录入") || !p.Has(`href="/console/workdays/new?year=2027"`) {
		t.Errorf("no warning on 1 October")
	}
	if apptest.Get(t, unit, "/console").Has(warning) {
		t.Errorf("a unit user sees the office's warning")
	}

	clock.Set(time.Date(2026, 12, 20, 10, 0, 0, 0, apptest.Shanghai))
	c := fixtures.QRCase(t, w, "13812345678")
	if !c.AnswerDueProvisional {
		t.Fatalf("case %+v", c)
	}
	if p := apptest.Get(t, office, "/console"); !p.Has(warning) || !p.Has("暂定期限 1 项") {
		t.Errorf("the warning does not count the provisional deadlines")
	}
	p = apptest.Post(t, office, "/console/workdays/2027", url.Values{"days": {test2027Text}, "note": {"测试数据"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("save 2027: %d %s", p.Status, p.Body)
	}
	if c = fixtures.GetCase(t, w, c.ID); c.AnswerDue != "2027-01-11" || c.AnswerDueProvisional {
		t.Errorf("case after 2027 (text form): %+v", c)
	}
	if p := apptest.Get(t, office, "/console/workdays/2027"); !p.Has(`id="recomputed"`) || !p.Has(`href="/console/cases/`+apptest.Itoa(c.ID)+`"`) {
		t.Errorf("the year's page does not list the recomputed deadline")
	}
	if apptest.Get(t, office, "/console").Has(warning) {
		t.Errorf("warning after 2027 was entered")
	}
}
