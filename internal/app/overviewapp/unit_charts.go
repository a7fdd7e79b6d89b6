package overviewapp

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/internal/charts"
	"minyi/internal/db"
	"minyi/internal/feedback"
	"minyi/internal/httpx"
	"minyi/internal/ratings"
	"minyi/internal/units"
)

// A unit's charts (/console/units/:id/charts), for the office, leaders and
// the unit's own users: its monthly trend against its category's over 12
// months, and over the chosen period its service points and terminals
// compared, its 差评 reasons, and its cases answered on time. Each reads
// the unit's rows of an aggregate (or its cases): some hundreds of rows.

// trendMonths is how many months the trend shows, the current one last.
const trendMonths = 12

type unitChartsData struct {
	httpx.BasePage
	Unit     units.Unit
	UnitLink string
	Ranges   []chartRange
	Period   string
	Headline headline
	Charts   []charts.Chart
}

// UnitChartsPage shows a unit's charts to those who may see the unit.
func (s *Handlers) UnitChartsPage(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err == nil {
		err = httpx.CanSeeUnit(httpx.CurrentUser(c), id)
	}
	var un units.Unit
	if err == nil {
		un, err = units.FindUnit(c, s.Pool, id)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	days, ranges := pickRange(c.Query("days"), unitChartsPath(id))
	loc, now, lp := s.Config.Location, s.Now(), s.Config.LevelPoints
	last := localDay(now, loc)
	first := last.AddDate(0, 0, 1-days)
	from, to := first.Format(time.DateOnly), last.Format(time.DateOnly)
	firstMonth := time.Date(last.Year(), last.Month()-trendMonths+1, 1, 0, 0, 0, 0, time.UTC)
	var fig ratings.UnitFigures
	var period map[int64]ratings.LevelCounts
	var months map[string]map[int64]ratings.LevelCounts
	var points []units.ServicePoint
	var terminals []units.Terminal
	var cases []feedback.AnswerTimeliness
	err = db.Parallel(s.Pool,
		func(q db.DBTX) (err error) { fig, err = ratings.UnitChart(c, q, loc, id, from, to); return err },
		func(q db.DBTX) (err error) {
			period, err = ratings.DailyLevelCounts(c, q, from, to, loc, []int64{id})
			return err
		},
		func(q db.DBTX) error {
			peers, err := units.CategoryUnitIDs(c, q, un.Category)
			if err == nil {
				months, err = ratings.MonthlyLevelCounts(c, q, loc, firstMonth.Format(time.DateOnly), to, peers)
			}
			return err
		},
		func(q db.DBTX) (err error) { points, err = units.ListPoints(c, q, id); return err },
		func(q db.DBTX) (err error) { terminals, err = units.ListTerminals(c, q, id); return err },
		func(q db.DBTX) (err error) {
			since := time.Date(firstMonth.Year(), firstMonth.Month(), 1, 0, 0, 0, 0, loc)
			cases, err = feedback.CaseTimeliness(c, q, id, since, now, loc)
			return err
		},
	)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	total := period[id]
	d := unitChartsData{BasePage: s.Base(c, un.Name+" · 统计图表", "units"), Unit: un, UnitLink: "/console/units/" + strconv.FormatInt(id, 10),
		Ranges: ranges, Period: units.DateText(from) + "至" + units.DateText(to),
		Headline: headline{Count: httpx.GroupDigits(int(total.Total())), Mean: charts.Number(meanOf(total, lp), 2), BadRate: charts.Number(badRate(total), 1)}}
	pointNames := map[string]string{}
	for _, p := range points {
		pointNames[strconv.FormatInt(p.ID, 10)] = p.Name
	}
	terminalNames := map[string]string{}
	for _, t := range terminals {
		terminalNames[strconv.FormatInt(t.ID, 10)] = t.Name
	}
	d.Charts = []charts.Chart{
		trendChart(id, un.Category, months, firstMonth, trendMonths, lp),
		compareChart("points", "各服务点评价比较", "服务点", fig.Points, pointNames, lp, "所选期间服务点没有收到评价"),
		compareChart("terminals", "各窗口评价器评价比较", "评价器", fig.Terminals, terminalNames, lp, "所选期间评价器没有收到评价"),
		reasonsChart("reasons", "差评原因", fig.Reasons, 10),
		timelinessChart(cases, firstMonth, trendMonths),
	}
	s.Render(c, http.StatusOK, "console/unit_charts.html", d)
}

// trendChart draws the unit's mean per month against the mean of every
// rating of its category's units, with its number of ratings.
func trendChart(id int64, category string, months map[string]map[int64]ratings.LevelCounts, first time.Time, n int, lp []float64) charts.Chart {
	c := charts.Cartesian{CategoryName: "月份", Left: charts.Axis{Name: "分", Min: charts.Float(0), Max: charts.Float(lp[0])},
		Right: &charts.Axis{Name: "条", Integer: true}}
	own := charts.Series{Name: "本单位平均分", Decimals: 2, Colour: charts.Palette[0]}
	peers := charts.Series{Name: "同类单位（" + category + "）平均分", Decimals: 2, Colour: charts.Palette[6]}
	count := charts.Series{Name: "本单位评价数", Bar: true, Right: true, Colour: "#b7cdee"}
	var some bool
	for i := range n {
		m := first.AddDate(0, i, 0)
		var all ratings.LevelCounts
		for _, lc := range months[m.Format("2006-01")] {
			for k := range lc {
				all[k] += lc[k]
			}
		}
		mine := months[m.Format("2006-01")][id]
		c.Categories = append(c.Categories, m.Format("2006年1月"))
		own.Values = append(own.Values, meanOf(mine, lp))
		peers.Values = append(peers.Values, meanOf(all, lp))
		count.Values = append(count.Values, float64(mine.Total()))
		some = some || all.Total() > 0
	}
	c.Series = []charts.Series{own, peers, count}
	ch := c.Build("trend", "月度平均分走势（与同类单位比较）", "近"+strconv.Itoa(n)+"个月本单位与同类单位的平均分，以及本单位评价数")
	ch.Height, ch.Wide = 300, true
	if !some {
		ch.Empty = "近" + strconv.Itoa(n) + "个月没有评价"
	}
	return ch
}

// compareChart draws the mean and the 差评 rate of each service point or
// terminal (names by key; one removed since shows by its number).
func compareChart(id, title, what string, list []ratings.KeyCounts, names map[string]string, lp []float64, empty string) charts.Chart {
	rows := make([]ranked, 0, len(list))
	for _, k := range list {
		name := names[k.Key]
		if name == "" {
			name = what + " " + k.Key
		}
		rows = append(rows, ranked{Name: name, Counts: k.Counts})
	}
	slices.SortStableFunc(rows, func(a, b ranked) int { return cmp.Compare(meanOf(b.Counts, lp), meanOf(a.Counts, lp)) })
	c := charts.Cartesian{CategoryName: what, Horizontal: true, Left: charts.Axis{Name: "分", Min: charts.Float(0), Max: charts.Float(lp[0])},
		Right: &charts.Axis{Name: "%", Suffix: "%", Min: charts.Float(0), Max: charts.Float(100)}}
	mean := charts.Series{Name: "平均分", Bar: true, Decimals: 2}
	bad := charts.Series{Name: "差评率", Bar: true, Right: true, Decimals: 1, Colour: charts.LevelColours[0]}
	count := charts.Series{Name: "评价数", Decimals: 0}
	for _, r := range rows {
		c.Categories = append(c.Categories, r.Name)
		mean.Values = append(mean.Values, meanOf(r.Counts, lp))
		bad.Values = append(bad.Values, badRate(r.Counts))
		count.Values = append(count.Values, float64(r.Counts.Total()))
	}
	c.Series = []charts.Series{mean, bad}
	ch := c.Build(id, title, "各"+what+"的平均分和差评率")
	ch.Table.Head = append(ch.Table.Head, count.Name)
	for i := range ch.Table.Rows {
		ch.Table.Rows[i] = append(ch.Table.Rows[i], charts.Number(count.Values[i], 0))
	}
	ch.Height = max(200, 48*len(rows)+70)
	if len(rows) == 0 {
		ch.Empty = empty
	}
	return ch
}

// timelinessChart draws the unit's cases per month they were sent by how
// their answer went.
func timelinessChart(list []feedback.AnswerTimeliness, first time.Time, n int) charts.Chart {
	byMonth := map[string]feedback.AnswerTimeliness{}
	for _, a := range list {
		byMonth[a.Month] = a
	}
	c := charts.Cartesian{CategoryName: "交办月份", Left: charts.Axis{Name: "件", Integer: true}}
	series := []charts.Series{
		{Name: "按期答复", Bar: true, Stack: "cases", Colour: charts.LevelColours[4]},
		{Name: "逾期答复", Bar: true, Stack: "cases", Colour: charts.LevelColours[2]},
		{Name: "逾期未答复", Bar: true, Stack: "cases", Colour: charts.LevelColours[0]},
		{Name: "未到期", Bar: true, Stack: "cases", Colour: "#b7cdee"},
	}
	var answered, onTime int
	for i := range n {
		m := first.AddDate(0, i, 0)
		a := byMonth[m.Format("2006-01")]
		c.Categories = append(c.Categories, m.Format("2006年1月"))
		for k, v := range []int{a.OnTime, a.Late, a.Overdue, a.Pending} {
			series[k].Values = append(series[k].Values, float64(v))
		}
		answered += a.OnTime + a.Late + a.Overdue
		onTime += a.OnTime
	}
	c.Series = series
	title := "整改案件按期答复情况"
	if answered > 0 {
		title += "（按期答复率 " + charts.Number(100*float64(onTime)/float64(answered), 1) + "%）"
	}
	ch := c.Build("cases", title, "近"+strconv.Itoa(n)+"个月每月交办的整改案件按答复情况分列")
	if len(list) == 0 {
		ch.Empty = "近" + strconv.Itoa(n) + "个月没有交办的整改案件"
	}
	return ch
}
