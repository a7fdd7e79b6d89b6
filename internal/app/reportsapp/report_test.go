package reportsapp_test

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"minyi/internal/ratings"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// reportWorld is a server on 10 June 2026 with two units and ratings in
// June 2026, early May 2026 and June 2025, and one rectification case.
type reportWorld struct {
	*fixtures.APIWorld
	clock *apptest.Clock
	bad   string // the id of a 差评 of unit A in June
}

func newReportWorld(t *testing.T) *reportWorld {
	t.Helper()
	clock := apptest.NewClock(time.Date(2026, 6, 10, 10, 0, 0, 0, apptest.Shanghai))
	w := &reportWorld{APIWorld: fixtures.NewAPIWorld(t, apptest.Options{Now: clock.Now}), clock: clock}
	rate := func(unit int64, at time.Time, level, n int, reasons ...string) {
		t.Helper()
		points := []int{0, 0, 30, 60, 80, 100}[level]
		for range n {
			if _, err := w.App.Pool.Exec(context.Background(), `INSERT INTO ratings (id, rated_at, channel, unit_id, level, points, reasons)
				VALUES (gen_random_uuid(), $1, 'qr', $2, $3, $4, coalesce($5, '{}'::text[]))`, at, unit, level, points, reasons); err != nil {
				t.Fatal(err)
			}
		}
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 9, 30, 0, 0, apptest.Shanghai) }
	rate(w.A.ID, day(2026, 6, 2), 5, 20)
	rate(w.A.ID, day(2026, 6, 3), 4, 6)
	rate(w.A.ID, day(2026, 6, 4), 1, 3, "等候时间长")
	rate(w.A.ID, day(2026, 6, 5), 2, 1, "服务态度差", "等候时间长")
	rate(w.B.ID, day(2026, 6, 9), 3, 5)
	rate(w.A.ID, day(2026, 5, 5), 5, 10)
	rate(w.A.ID, day(2026, 5, 20), 5, 50) // after 10 May: not in 环比 of a running month
	rate(w.A.ID, day(2025, 6, 6), 4, 10)
	// The past days are rolled into the daily aggregate, as the hourly
	// maintenance does; today stays live.
	if _, err := ratings.RollUp(context.Background(), w.App.Pool, clock.Now(), apptest.Shanghai); err != nil {
		t.Fatal(err)
	}
	if err := w.App.Pool.QueryRow(context.Background(), `SELECT id::text FROM ratings WHERE unit_id = $1 AND level = 2`, w.A.ID).Scan(&w.bad); err != nil {
		t.Fatal(err)
	}
	// A QR 差评 of today, made a case by the office.
	fixtures.QRCase(t, w.APIWorld, "13800001111")
	return w
}

// cells returns the text of the headline row of label: the value, 环比 and 同比.
func cells(t *testing.T, p apptest.Page, label string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<th scope="row">` + label + `</th>(.*?)</tr>`).FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no row %s in %s", label, apptest.PageText(p.Body))
	}
	text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(m[1], " ")
	return strings.Join(strings.Fields(html.UnescapeString(text)), " ")
}

func TestReportFiguresChangesAndRefusals(t *testing.T) {
	w := newReportWorld(t)
	p := apptest.Get(t, w.Office, "/console/reports/2026-06")
	if p.Status != http.StatusOK {
		t.Fatalf("report: %d %s", p.Status, p.Body)
	}
	// 36 ratings (35 + today's QR 差评): (20×100 + 6×80 + 5×60 + 1×30) / 36 points.
	want := map[string]string{
		"评价数":     "36 条 ↑ 260.0% ↑ 260.0%",
		"平均分":     "78.06 分 ↓ 21.94 分 ↓ 1.94 分",
		"满意率":     "86.1% ↓ 13.9 个百分点 ↓ 13.9 个百分点",
		"差评数":     "5 条 — —",
		"差评整改率":   "0.0% — —",
		"新立整改案件":  "1 件 — —",
		"按期答复率":   "— — —",
		"期末逾期未答复": "0 件 — —",
	}
	for label, w := range want {
		if got := cells(t, p, label); got != w {
			t.Errorf("%s: %q, want %q", label, got, w)
		}
	}
	// Each unit's row of the table: ratings, mean, satisfied, 差评, new
	// cases, overdue at the end.
	for u, want := range map[*fixtures.UnitReply]string{&w.A: "31 80.97 83.9% 5 1 0", &w.B: "5 60.00 100.0% 0 0 0"} {
		if got := cells(t, p, `<a href="/console/units/`+apptest.Itoa(u.ID)+`">`+u.Name+`</a>`); got != want {
			t.Errorf("%s's row: %q, want %q", u.Name, got, want)
		}
	}
	for _, s := range []string{"统计期间：2026年6月1日 至 2026年6月10日（本期尚未结束，数据截至今日）", "较2026年5月", "较2025年6月",
		"本期尚未结束，环比、同比与上期、上年同期相同天数的数据比较", "绩效管理工作机构",
		`<th scope="row">等候时间长</th><td class="num">1</td><td class="num">100.0%</td>`, "本期新立整改案件 1 件",
		`id="chart-daily"`, `id="chart-shares"`, `id="chart-reasons"`, `id="chart-rank-1"`, `src="/static/echarts.min.js`} {
		if !p.Has(s) && !apptest.HasText(p, s) {
			t.Errorf("the report lacks %s", s)
		}
	}
	// A late change (the office excludes a June 差评) shows at once.
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/ratings/"+w.bad+"/exclude", map[string]string{"reason": "核查为误评"}).Decode(t, http.StatusOK, nil)
	p = apptest.Get(t, w.Office, "/console/reports/2026-06")
	if got := cells(t, p, "差评数"); !strings.HasPrefix(got, "4 条") {
		t.Errorf("差评 after an exclusion: %q", got)
	}

	// Leaders read it too; units, odd and future periods are refused.
	w.App.AddUser(t, "leader1", "leader-pass-1", "leader", nil)
	leader := apptest.SignedIn(t, w.App, "leader1", "leader-pass-1")
	if p := apptest.Get(t, leader, "/console/reports/2026-Q2"); p.Status != http.StatusOK || !p.Has("2026年第二季度民意评价季报") {
		t.Errorf("leader's quarterly report: %d", p.Status)
	}
	if p := apptest.Get(t, w.UnitUser, "/console/reports/2026-06"); p.Status != http.StatusForbidden {
		t.Errorf("a unit user got %d", p.Status)
	}
	for _, bad := range []string{"2026-13", "2026-07", "2026-Q3", "x"} {
		if p := apptest.Get(t, w.Office, "/console/reports/"+bad); p.Status != http.StatusNotFound || !apptest.HasText(p, "报告期不存在") {
			t.Errorf("%s: %d", bad, p.Status)
		}
	}
	list := apptest.Get(t, w.Office, "/console/reports")
	for _, s := range []string{`href="/console/reports/2026-06"`, `href="/console/reports/2025-07"`, `href="/console/reports/2026-Q2"`,
		`href="/console/reports/2024-Q3"`, "本月进行中", "本季度进行中"} {
		if !list.Has(s) {
			t.Errorf("the list lacks %s", s)
		}
	}
	if list.Has(`href="/console/reports/2025-06"`) || list.Has(`href="/console/reports/2024-Q2"`) {
		t.Error("the list goes back further than 12 months and 8 quarters")
	}
}

// A finished period counts the cases overdue at its end, not today's.
func TestReportCasesOverdueAtPeriodEnd(t *testing.T) {
	w := newReportWorld(t)
	var due string
	if err := w.App.Pool.QueryRow(context.Background(), `SELECT answer_due::text FROM rectification_cases`).Scan(&due); err != nil {
		t.Fatal(err)
	}
	dueDay, _ := time.ParseInLocation(time.DateOnly, due, apptest.Shanghai)
	// Two months on, unanswered: overdue at the end of the month after its
	// deadline, not at the end of June (before it).
	w.clock.Set(dueDay.AddDate(0, 2, 0).Add(10 * time.Hour))
	june := apptest.Get(t, w.Office, "/console/reports/2026-06")
	if got := cells(t, june, "期末逾期未答复"); !strings.HasPrefix(got, "0 件") {
		t.Errorf("June's overdue: %q (deadline %s)", got, due)
	}
	if got := cells(t, june, "按期答复率"); !strings.HasPrefix(got, "0.0%") {
		t.Errorf("June's on-time rate once the deadline passed: %q", got)
	}
	after := dueDay.AddDate(0, 0, 1)
	period := after.Format("2006-01")
	if got := cells(t, apptest.Get(t, w.Office, "/console/reports/"+period), "期末逾期未答复"); !strings.HasPrefix(got, "1 件") {
		t.Errorf("%s's overdue: %q (deadline %s)", period, got, due)
	}
}
