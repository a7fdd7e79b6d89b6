package workdaysapp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

func TestConsoleWorkdays(t *testing.T) {
	w := newWorkdayWorld(t)

	p := apptest.Get(t, w.Office, "/console/workdays")
	for _, s := range []string{`href="/console/workdays/2026">2026年</a>`, "系统内置", `<td class="num">33</td>`,
		`action="/console/workdays/new"`, `value="2027"`, `value="2026-11-21"`, `value="15"`} {
		if !p.Has(s) {
			t.Errorf("workdays page lacks %q", s)
		}
	}
	if !apptest.Get(t, w.Office, "/console/cycles").Has(`href="/console/workdays"`) {
		t.Errorf("the cycles page does not link to the calendar for the office")
	}

	// The calculator.
	p = apptest.Get(t, w.UnitUser, "/console/workdays?start=2024-09-30&days=1")
	if p.Status != http.StatusOK || !p.Has("期限为 <strong>2024-10-08（星期二）</strong>") {
		t.Errorf("calculator: %d", p.Status)
	}
	p = apptest.Get(t, w.UnitUser, "/console/workdays?start=2026-12-20&days=15")
	if !p.Has("期限为 <strong>2027-01-08（星期五）</strong>") || !p.Has(fixtures.ProvisionalTag) || !p.Has("2027年的工作日历尚未录入") ||
		p.Has(`id="calc-error"`) {
		t.Errorf("calculator into 2027 is not provisional")
	}
	p = apptest.Get(t, w.UnitUser, "/console/workdays?start=2026-02-30&days=x")
	if !p.Has("开始日期须为有效日期") || !p.Has("工作日天数须为0到1000之间的整数") || !p.Has(`value="x"`) {
		t.Errorf("calculator errors missing")
	}

	// A year's grid: Chinese months and weekdays, holidays and make-up days marked.
	p = apptest.Get(t, w.UnitUser, "/console/workdays/2024")
	for _, s := range []string{"一月", "十二月", "<th>一</th><th>二</th>", `class="wd-work" title="2024-02-04 星期日 春节调休上班">4<small>班</small>`,
		`class="wd-hol" title="2024-10-01 星期二 国庆节放假">1<small>休</small>`, `class="wd-rest" title="2024-10-13 星期日">13`,
		"2024-10-01 至 2024-10-07", "只读"} {
		if !p.Has(s) {
			t.Errorf("2024 page lacks %q", s)
		}
	}
	if p.Has(`name="days"`) || apptest.Get(t, w.UnitUser, "/console/workdays").Has(`action="/console/workdays/new"`) {
		t.Errorf("a unit user sees the office's forms")
	}
	if p := apptest.Get(t, w.UnitUser, "/console/workdays/2027"); p.Status != http.StatusNotFound || !p.Has("2027年的工作日历尚未录入") {
		t.Errorf("unit user, absent year: %d", p.Status)
	}
	if p := apptest.Get(t, w.UnitUser, "/console/workdays/new?year=2027"); p.Status != http.StatusForbidden {
		t.Errorf("unit user, new year form: %d", p.Status)
	}
	if p := apptest.Post(t, w.UnitUser, "/console/workdays/2027", url.Values{"days": {"2027-01-01 元旦 休"}}); p.Status != http.StatusForbidden {
		t.Errorf("unit user saving: %d", p.Status)
	}

	// The office enters 2027: the absent year leads to the form.
	if p := apptest.Get(t, w.Office, "/console/workdays/2027"); p.Status != http.StatusSeeOther || p.Location != "/console/workdays/new?year=2027" {
		t.Errorf("office, absent year: %d %q", p.Status, p.Location)
	}
	p = apptest.Get(t, w.Office, "/console/workdays/new?year=2027")
	if p.Status != http.StatusOK || !p.Has(`action="/console/workdays/2027#edit"`) || !p.Has("尚未录入") {
		t.Errorf("new year form: %d", p.Status)
	}
	if p := apptest.Get(t, w.Office, "/console/workdays/new?year=2026"); p.Location != "/console/workdays/2026" {
		t.Errorf("new form of a present year: %d %q", p.Status, p.Location)
	}
	if p := apptest.Get(t, w.Office, "/console/workdays/new?year=abc"); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("new form of a bad year: %d", p.Status)
	}

	bad := "2027-01-01 元旦 休\n2027-02-08 春节 班\n2027-02-06~2027-02-12 春节\n2028-01-01 元旦 休\n"
	p = apptest.Post(t, w.Office, "/console/workdays/2027", url.Values{"days": {bad}, "note": {"通知"}})
	if p.Status != http.StatusUnprocessableEntity || !p.Has("第3行：格式应为“日期 节日名称 休/班”") || !p.Has("2027-02-08 春节 班") {
		t.Errorf("syntax errors: %d", p.Status)
	}
	bad = "2027-01-01 元旦 休\n2027-02-08 春节 班\n2028-01-01 元旦 休\n"
	p = apptest.Post(t, w.Office, "/console/workdays/2027", url.Values{"days": {bad}})
	if p.Status != http.StatusUnprocessableEntity || !p.Has("第2行：调休上班日须为周六或周日，2027-02-08 是星期一") ||
		!p.Has("第3行：日期 2028-01-01 不在2027年内") {
		t.Errorf("rule errors: %d", p.Status)
	}
	if p := apptest.Get(t, w.Office, "/console/workdays/2027"); p.Status != http.StatusSeeOther {
		t.Errorf("a refused form stored the year")
	}
	good := "2027-01-01 元旦 休\n2027-02-06至2027-02-12 春节 休\n2027-02-14 春节 班\n"
	p = apptest.Post(t, w.Office, "/console/workdays/2027", url.Values{"days": {good}, "note": {"国办发明电〔2026〕号"}})
	if p.Status != http.StatusSeeOther || p.Location != "/console/workdays/2027?msg=workdays_created" {
		t.Fatalf("save: %d %q", p.Status, p.Location)
	}
	p = apptest.Get(t, w.Office, p.Location)
	for _, s := range []string{"该年工作日历已录入", "绩效办录入 · 放假 8 天 · 调休上班 1 天", "2027-02-06~2027-02-12 春节 休",
		`title="2027-02-14 星期日 春节调休上班"`} {
		if !p.Has(s) {
			t.Errorf("2027 page lacks %q", s)
		}
	}
	p = apptest.Post(t, w.Office, "/console/workdays/2027", url.Values{"days": {good}, "note": {"国办发明电〔2026〕号"}})
	if !strings.HasSuffix(p.Location, "msg=workdays_unchanged") {
		t.Errorf("same again: %q", p.Location)
	}
	p = apptest.Get(t, w.UnitUser, "/console/workdays?start=2026-12-20&days=15")
	if !p.Has("期限为 <strong>2027-01-11（星期一）</strong>") || p.Has(fixtures.ProvisionalTag) {
		t.Errorf("calculator after 2027 was entered")
	}
	p = apptest.Post(t, w.Office, "/console/workdays/2024", url.Values{"days": {"2024-01-01 元旦 休"}})
	if !strings.HasSuffix(p.Location, "msg=workdays_saved") || !apptest.Get(t, w.Office, "/console/workdays").Has("绩效办录入") {
		t.Errorf("correcting 2024: %q", p.Location)
	}
}
