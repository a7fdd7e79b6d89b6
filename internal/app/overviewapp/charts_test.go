package overviewapp_test

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

// chartWorld is a small known data set on 10 June 2026 (a Wednesday),
// with the default level points 100, 80, 60, 30, 0:
//
//   - 市政务服务中心 (A, 社会服务类): 10 ratings of its window's terminal on
//     Monday 8 June at 09:30 (eight 非常满意, two 非常不满意 for 态度差),
//     two at its hall's QR code on 9 June at 15:00 (不满意 for 等候时间长
//     and 态度差, and 满意), one 非常满意 there on 15 May; a case sent on 1 June
//     due on 5 June and not answered.
//   - 市税务局 (B, 经济发展类): ten 满意 on 9 June at 11:00.
//   - 市民政局 (C, 社会服务类): one 基本满意 on 20 May.
type chartWorld struct {
	*fixtures.APIWorld
	clock *apptest.Clock
	c     int64
}

func newChartWorld(t *testing.T) chartWorld {
	t.Helper()
	clock := apptest.NewClock(time.Date(2026, 6, 10, 10, 0, 0, 0, apptest.Shanghai))
	w := chartWorld{APIWorld: fixtures.NewAPIWorld(t, apptest.Options{Now: clock.Now}), clock: clock}
	ctx := context.Background()
	q := w.App.Pool
	var point, terminal int64
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(q.QueryRow(ctx, `INSERT INTO units (name, category) VALUES ('市民政局', '社会服务类') RETURNING id`).Scan(&w.c))
	must(q.QueryRow(ctx, `INSERT INTO service_points (unit_id, name, kind) VALUES ($1, '政务大厅', 'hall') RETURNING id`, w.A.ID).Scan(&point))
	must(q.QueryRow(ctx, `INSERT INTO terminals (unit_id, name, token_hash, token_hint) VALUES ($1, '1号窗口评价器', '\x01', 'ab')
		RETURNING id`, w.A.ID).Scan(&terminal))
	rate := func(at string, n int, channel string, unit int64, level int, reasons ...string) {
		t.Helper()
		var p, tm *int64
		if channel == "qr" {
			p = &point
		} else {
			tm = &terminal
		}
		if unit != w.A.ID {
			p, tm = nil, nil
		}
		_, err := q.Exec(ctx, `INSERT INTO ratings (id, rated_at, channel, unit_id, point_id, terminal_id, level, points, reasons)
			SELECT gen_random_uuid(), $1::timestamp AT TIME ZONE 'Asia/Shanghai', $2, $3, $4, $5, $6, 0, $7 FROM generate_series(1, $8)`,
			at, channel, unit, p, tm, level, append([]string{}, reasons...), n)
		must(err)
	}
	rate("2026-06-08 09:30", 8, "terminal", w.A.ID, 5)
	rate("2026-06-08 09:30", 2, "terminal", w.A.ID, 1, "态度差")
	rate("2026-06-09 15:00", 1, "qr", w.A.ID, 2, "等候时间长", "态度差")
	rate("2026-06-09 15:00", 1, "qr", w.A.ID, 4)
	rate("2026-05-15 10:00", 1, "qr", w.A.ID, 5)
	rate("2026-06-09 11:00", 10, "qr", w.B.ID, 4)
	rate("2026-05-20 10:00", 1, "qr", w.c, 3)
	_, err := q.Exec(ctx, `INSERT INTO rectification_cases (unit_id, source_kind, source_id, problem, status, real_name, sent_on, answer_due)
		VALUES ($1, 'response', 'x', '排队时间过长', 'sent', false, '2026-06-01', '2026-06-05')`, w.A.ID)
	must(err)
	return w
}

// rollUp brings the daily aggregate and the charts' parts up to the clock.
func (w chartWorld) rollUp(t *testing.T) {
	t.Helper()
	if _, err := ratings.RollUp(context.Background(), w.App.Pool, w.clock.Now(), apptest.Shanghai); err != nil {
		t.Fatal(err)
	}
}

var (
	figureRE = regexp.MustCompile(`(?s)<figure class="chart-box[^"]*">(.*?)</figure>`)
	rowRE    = regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
	cellRE   = regexp.MustCompile(`(?s)<t[hd][^>]*>(.*?)</t[hd]>`)
	tagRE    = regexp.MustCompile(`<[^>]+>`)
)

// chartTable returns the rows of the table of the chart id on the page
// (its head row first), each cell as its text; nil when the page has no
// such chart or it is empty.
func chartTable(p apptest.Page, id string) [][]string {
	for _, f := range figureRE.FindAllStringSubmatch(p.Body, -1) {
		if !strings.Contains(f[1], `id="chart-`+id+`"`) {
			continue
		}
		var out [][]string
		for _, r := range rowRE.FindAllStringSubmatch(f[1], -1) {
			var row []string
			for _, c := range cellRE.FindAllStringSubmatch(r[1], -1) {
				row = append(row, html.UnescapeString(tagRE.ReplaceAllString(c[1], "")))
			}
			out = append(out, row)
		}
		return out
	}
	return nil
}

// rowOf is the row of table whose first cell is first, joined by "|".
func rowOf(table [][]string, first string) string {
	for _, r := range table {
		if len(r) > 0 && r[0] == first {
			return strings.Join(r, "|")
		}
	}
	return ""
}

// checkRows checks a row of each chart's table: chart id → the row's
// first cell and the whole row.
func checkRows(t *testing.T, stage string, p apptest.Page, rows map[string][2]string) {
	t.Helper()
	for id, c := range rows {
		if got := rowOf(chartTable(p, id), c[0]); got != c[1] {
			t.Errorf("%s: chart %s row %q, want %q", stage, id, got, c[1])
		}
	}
}

// TestOfficeChartsNumbers: the office's charts of a small known data set
// show the right figures, read live before any rollup and from the
// aggregates after it.
func TestOfficeChartsNumbers(t *testing.T) {
	w := newChartWorld(t)
	for _, stage := range []string{"live", "rolled"} {
		if stage == "rolled" {
			w.rollUp(t)
			if w.App.Count(t, `SELECT count(*) FROM rating_office_daily`) == 0 {
				t.Fatal("the rollup stored no office rows")
			}
		}
		p := apptest.Get(t, w.Office, "/console/charts")
		if p.Status != http.StatusOK {
			t.Fatalf("%s: status %d", stage, p.Status)
		}
		for _, want := range []string{`id="total-count">24<`, `id="total-mean">77.92<`, `id="total-bad">12.5%<`,
			"2026年5月12日至2026年6月10日", `aria-current="page">近30天</a>`, `src="/static/echarts.min.js`} {
			if !p.Has(want) {
				t.Errorf("%s: the page lacks %s", stage, want)
			}
		}
		checkRows(t, stage, p, map[string][2]string{
			"daily":     {"06-08", "06-08|10|80"},
			"levels":    {"06-09", "06-09|0|91.7|0|8.3|0"},
			"rank-mean": {"1. 市税务局", "1. 市税务局|80|10"},
			"rank-bad":  {"1. 市政务服务中心", "1. 市政务服务中心|23.1|13"},
			"reasons":   {"态度差", "态度差|3"},
			"hours":     {"周一", "周一|10"},
			"overdue":   {"市政务服务中心", "市政务服务中心|1|0"},
		})
		if got := rowOf(chartTable(p, "reasons"), "等候时间长"); got != "等候时间长|1" {
			t.Errorf("%s: reasons row %q", stage, got)
		}
		if got := strings.Join(chartTable(p, "hours")[0], "|"); got != "星期 \\ 时段|9时" {
			t.Errorf("%s: heat map head %q", stage, got)
		}
		// 市民政局 has one rating: too few to be ranked; the ranks link to the units.
		if rowOf(chartTable(p, "rank-mean"), "3. 市民政局") != "" || !p.Has(`<a href="/console/units/`+apptest.Itoa(w.B.ID)+`">1. 市税务局</a>`) {
			t.Errorf("%s: the ranking is wrong", stage)
		}
	}
	// Another period; an unknown one shows 30 days.
	if p := apptest.Get(t, w.Office, "/console/charts?days=365"); !p.Has(`aria-current="page">近365天</a>`) ||
		rowOf(chartTable(p, "levels"), "2026年5月") != "2026年5月|50|0|50|0|0" {
		t.Errorf("365 days: %v", chartTable(p, "levels"))
	}
	if p := apptest.Get(t, w.Office, "/console/charts?days=7"); p.Status != http.StatusOK || !p.Has(`aria-current="page">近30天</a>`) {
		t.Errorf("days=7: %d", p.Status)
	}
	// A unit's user is sent to the unit's own charts.
	if p := apptest.Get(t, w.UnitUser, "/console/charts?days=90"); p.Status != http.StatusSeeOther {
		t.Errorf("unit user: %d", p.Status)
	}
}

// TestUnitChartsNumbers: a unit's charts show its trend against its
// category, its hall and terminal, its reasons and its case, to the office
// and to the unit's user, and not to another unit's.
func TestUnitChartsNumbers(t *testing.T) {
	w := newChartWorld(t)
	path := "/console/units/" + apptest.Itoa(w.A.ID) + "/charts"
	for _, stage := range []string{"live", "rolled"} {
		if stage == "rolled" {
			w.rollUp(t)
		}
		for _, c := range []*apptest.Client{w.Office, w.UnitUser} {
			p := apptest.Get(t, c, path)
			if p.Status != http.StatusOK || !p.Has(`id="total-count">13<`) || !p.Has(`id="total-mean">77.69<`) {
				t.Fatalf("%s: status %d, figures wrong", stage, p.Status)
			}
			checkRows(t, stage, p, map[string][2]string{
				"trend":     {"2026年5月", "2026年5月|100|80|1"},
				"points":    {"政务大厅", "政务大厅|70|33.3|3"},
				"terminals": {"1号窗口评价器", "1号窗口评价器|80|20|10"},
				"reasons":   {"态度差", "态度差|3"},
				"cases":     {"2026年6月", "2026年6月|0|0|1|0"},
			})
			if got := rowOf(chartTable(p, "trend"), "2026年6月"); got != "2026年6月|75.83|75.83|12" {
				t.Errorf("%s: June trend %q", stage, got)
			}
		}
	}
	other := apptest.Get(t, w.UnitUser, "/console/units/"+apptest.Itoa(w.B.ID)+"/charts")
	if other.Status != http.StatusForbidden {
		t.Errorf("another unit's charts: %d", other.Status)
	}
	if p := apptest.Get(t, w.Office, "/console/units/999999/charts"); p.Status != http.StatusNotFound {
		t.Errorf("a missing unit: %d", p.Status)
	}
	// The overview and the unit page link to the charts.
	if !apptest.Get(t, w.UnitUser, "/console").Has(`href="`+path+`"`) ||
		!apptest.Get(t, w.Office, "/console/units/"+apptest.Itoa(w.A.ID)).Has(`href="`+path+`"`) ||
		!apptest.Get(t, w.Office, "/console").Has(`href="/console/charts"`) {
		t.Error("a link to the charts is missing")
	}
}
