package reportsapp

import (
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/internal/charts"
	"minyi/internal/httpx"
	"minyi/internal/reports"
)

// reportPage is the report of one period, every figure formatted.
type reportPage struct {
	httpx.BasePage
	Office, Heading, Range, Generated, PrintDate string
	// Running says the period is not over: figures are up to today, and
	// 环比 and 同比 compare the same number of days.
	Running             bool
	PrevLabel, YoYLabel string
	Rating, Cases       []metric
	Daily, Shares       charts.Chart
	Reasons             charts.Chart
	ReasonRows          []reasonRow
	// ProblemCases counts the period's cases, Unreasoned those without a
	// reason (empty when none).
	ProblemCases, Unreasoned string
	Categories               []categoryView
	MinRanked                int
	UnitCount, RatedUnits    int
	Back                     string
	PrevLink, NextLink       string
}

// metric is a headline figure with its change against the previous period
// and the same period a year before.
type metric struct {
	Label, Value, Note string
	Mom, Yoy           change
}

// change is a difference in words (↑ 2.1%, ↓ 0.3 分) and whether it is
// good news (class up-good / up-bad / flat).
type change struct{ Text, Class string }

// direction of a figure: whether more is better.
const (
	moreIsBetter = 1
	neutral      = 0
	lessIsBetter = -1
)

// diff describes cur against base: counts as a relative change in percent,
// means in points and rates in percentage points (how a change of each is
// usually read).
func diff(cur, base float64, kind string, better int) change {
	if math.IsNaN(cur) || math.IsNaN(base) {
		return change{Text: "—", Class: "flat"}
	}
	var d float64
	var text string
	switch kind {
	case "count":
		if base == 0 {
			return change{Text: "—", Class: "flat"}
		}
		d = (cur - base) / base * 100
		text = fixed(math.Abs(d), 1) + "%"
	case "points":
		d = cur - base
		text = fixed(math.Abs(d), 2) + " 分"
	default: // "rate"
		d = cur - base
		text = fixed(math.Abs(d), 1) + " 个百分点"
	}
	if math.Abs(d) < 0.005 {
		return change{Text: "持平", Class: "flat"}
	}
	arrow, up := "↑ ", d > 0
	if !up {
		arrow = "↓ "
	}
	class := "flat"
	if better != neutral {
		if up == (better == moreIsBetter) {
			class = "good"
		} else {
			class = "bad"
		}
	}
	return change{Text: arrow + text, Class: class}
}

// fixed formats v with decimals digits.
func fixed(v float64, decimals int) string { return strconv.FormatFloat(v, 'f', decimals, 64) }

// count formats a count with thousands separators.
func count[T int | int64](n T) string { return httpx.GroupDigits(int(n)) }

// mean formats mean points, "—" without ratings.
func mean(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	return fixed(v, 2)
}

// percent formats a rate, "—" without a base.
func percent(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	return fixed(v, 1) + "%"
}

// dateText is a date in words: 2026年11月30日.
func dateText(t time.Time) string { return t.Format("2006年1月2日") }

// headline builds the two rows of headline figures.
func headline(r reports.Report) (rating, cases []metric) {
	cur, prev, ya := r.Total, r.Prev, r.YearAgo
	m := func(label, value, note string, c, p, y float64, kind string, better int) metric {
		return metric{Label: label, Value: value, Note: note, Mom: diff(c, p, kind, better), Yoy: diff(c, y, kind, better)}
	}
	f := func(n int64) float64 { return float64(n) }
	i := func(n int) float64 { return float64(n) }
	rating = []metric{
		m("评价数", count(cur.Ratings()), "条", f(cur.Ratings()), f(prev.Ratings()), f(ya.Ratings()), "count", neutral),
		m("平均分", mean(cur.Mean), "分", cur.Mean, prev.Mean, ya.Mean, "points", moreIsBetter),
		m("满意率", percent(cur.Satisfied()), "", cur.Satisfied(), prev.Satisfied(), ya.Satisfied(), "rate", moreIsBetter),
		m("差评数", count(cur.Bad()), "条", f(cur.Bad()), f(prev.Bad()), f(ya.Bad()), "count", lessIsBetter),
		m("差评整改率", percent(cur.Cases.RectifiedRate()), "", cur.Cases.RectifiedRate(), prev.Cases.RectifiedRate(),
			ya.Cases.RectifiedRate(), "rate", moreIsBetter),
	}
	cc, pc, yc := cur.Cases, prev.Cases, ya.Cases
	cases = []metric{
		m("新立整改案件", count(cc.Opened), "件", i(cc.Opened), i(pc.Opened), i(yc.Opened), "count", neutral),
		m("已答复", count(cc.Answered), "件", i(cc.Answered), i(pc.Answered), i(yc.Answered), "count", neutral),
		m("按期答复率", percent(cc.OnTimeRate()), "", cc.OnTimeRate(), pc.OnTimeRate(), yc.OnTimeRate(), "rate", moreIsBetter),
		m("期末逾期未答复", count(cc.Overdue), "件", i(cc.Overdue), i(pc.Overdue), i(yc.Overdue), "count", lessIsBetter),
	}
	return rating, cases
}

// unitView is a unit's row of the table: its name and link, and its six
// figures as the row's cells (figureCells).
type unitView struct {
	Name, Link string
	Abolished  bool
	Cells      template.HTML
}

// figureCells is the cells of a unit's figures, each escaped. A report
// lists every unit of a province (1,000 rows), and with an action per
// figure html/template took 10 ms of CPU a request, 80 % of the page's;
// with the six cells as one action it takes 5.4.
func figureCells(figures ...string) template.HTML {
	var b strings.Builder
	for _, f := range figures {
		b.WriteString(`<td class="num">`)
		b.WriteString(template.HTMLEscapeString(f))
		b.WriteString(`</td>`)
	}
	return template.HTML(b.String())
}

// categoryView is a category's ranking chart and its rows of the table.
type categoryView struct {
	Name    string
	Units   []unitView
	Ranking charts.Chart
}

// view formats the report for its page.
func (s *Handlers) view(c *gin.Context, r reports.Report, now time.Time) reportPage {
	p := r.Period
	d := reportPage{BasePage: s.Base(c, p.Label()+p.Title(), "reports"), Office: r.Office,
		Heading: p.Label() + "民意评价" + p.Title(), Running: r.Span.Running, MinRanked: reports.MinRanked,
		Range:     dateText(r.Span.From) + " 至 " + dateText(r.Span.To),
		Generated: now.In(s.Config.Location).Format("2006年1月2日 15:04"), PrintDate: dateText(reports.Day(now, s.Config.Location)),
		PrevLabel: p.Prev().Label(), YoYLabel: p.YearAgo().Label(), Back: "/console/reports",
		PrevLink: "/console/reports/" + p.Prev().String()}
	if !r.Span.Running {
		d.NextLink = "/console/reports/" + p.Next().String()
	}
	d.Rating, d.Cases = headline(r)
	d.Daily, d.Shares = dailyChart(r), sharesChart(r)
	d.Reasons, d.ReasonRows = reasonsChart(r)
	d.ProblemCases = count(r.Problems.Cases)
	if r.Problems.Unreasoned > 0 {
		d.Unreasoned = count(r.Problems.Unreasoned)
	}
	for i, cat := range r.Categories() {
		cv := categoryView{Name: cat.Name, Ranking: rankingChart(i, cat)}
		for _, u := range cat.Units {
			f := u.Figures
			d.UnitCount++
			if f.Ratings() > 0 {
				d.RatedUnits++
			}
			cv.Units = append(cv.Units, unitView{Name: u.Unit.Name, Link: "/console/units/" + strconv.FormatInt(u.Unit.ID, 10),
				Abolished: u.Unit.AbolishedOn != nil, Cells: figureCells(count(f.Ratings()), mean(f.Mean), percent(f.Satisfied()),
					count(f.Bad()), count(f.Cases.Opened), count(f.Cases.Overdue))})
		}
		d.Categories = append(d.Categories, cv)
	}
	return d
}
