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

// The office's charts (统计图表, /console/charts): every unit's ratings over
// the last 30, 90 or 365 days. Each chart reads an aggregate of a few
// thousand rows at most: the office's rows per day (ratings.OfficeChart),
// the units' counts of the period (ratings.DailyLevelCounts), the open
// cases (feedback.OverdueCounts).

// rankMinRatings is how many ratings a unit needs in the period to be
// ranked: a mean of three ratings says little.
const rankMinRatings = 10

// rankShown is how many units each end of a ranking shows.
const rankShown = 10

type officeChartsData struct {
	httpx.BasePage
	Ranges   []chartRange
	Period   string
	Headline headline
	Charts   []charts.Chart
	RankMin  int
}

// headline is the period's figures above the charts.
type headline struct {
	Count, Mean, BadRate string
}

// ChartsPage shows the office's charts (office and leaders); a unit's user
// is sent to the unit's own charts.
func (s *Handlers) ChartsPage(c *gin.Context) {
	u := httpx.CurrentUser(c)
	if !u.SeesAll() {
		if u.UnitID == nil {
			s.ErrorPage(c, http.StatusForbidden, "无权访问", "该账号没有可查看的单位。")
			return
		}
		c.Redirect(http.StatusSeeOther, unitChartsPath(*u.UnitID)+chartsQuery(c))
		return
	}
	days, ranges := pickRange(c.Query("days"), "/console/charts")
	loc := s.Config.Location
	now := s.Now()
	last := localDay(now, loc)
	first := last.AddDate(0, 0, 1-days)
	from, to := first.Format(time.DateOnly), last.Format(time.DateOnly)
	var fig ratings.OfficeFigures
	var perUnit map[int64]ratings.LevelCounts
	var list []units.Unit
	var overdue map[int64]feedback.OverdueCount
	var backlog feedback.Backlog
	err := db.Parallel(s.Pool,
		func(q db.DBTX) (err error) { fig, err = ratings.OfficeChart(c, q, loc, from, to); return err },
		func(q db.DBTX) (err error) {
			perUnit, err = ratings.DailyLevelCounts(c, q, from, to, loc, nil)
			return err
		},
		func(q db.DBTX) (err error) { list, err = units.ListUnits(c, q, nil); return err },
		func(q db.DBTX) (err error) {
			overdue, err = feedback.OverdueCounts(c, q, feedback.OverduePeriod{}, now.In(loc))
			return err
		},
		func(q db.DBTX) (err error) { backlog, err = feedback.ReadBacklog(c, q); return err },
	)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	lp := s.Config.LevelPoints
	names := map[int64]string{}
	for _, un := range list {
		names[un.ID] = un.Name
	}
	var total ratings.LevelCounts
	for _, c := range fig.Days {
		for i := range c {
			total[i] += c[i]
		}
	}
	d := officeChartsData{BasePage: s.Base(c, "统计图表", "overview"), Ranges: ranges, RankMin: rankMinRatings,
		Period:   units.DateText(from) + "至" + units.DateText(to),
		Headline: headline{Count: httpx.GroupDigits(int(total.Total())), Mean: charts.Number(meanOf(total, lp), 2), BadRate: charts.Number(badRate(total), 1)}}
	unitSlug := strconv.Itoa(days) + "天"
	d.Charts = []charts.Chart{
		dailyChart(fig.Days, first, last, lp),
		func() charts.Chart {
			unit, buckets := bucketDays(fig.Days, first, last)
			return levelShareChart("levels", "各评价等级占比", unit, buckets)
		}(),
	}
	ranks := rankUnits(perUnit, names, lp)
	d.Charts = append(d.Charts,
		rankingChart("rank-mean", "单位平均分排名（前"+strconv.Itoa(rankShown)+"名与后"+strconv.Itoa(rankShown)+"名）",
			"近"+unitSlug+"各单位平均分排名", "单位", "平均分", 2, charts.Axis{Name: "分"}, ranks.byMean, rankShown,
			func(c ratings.LevelCounts) float64 { return meanOf(c, lp) }),
		rankingChart("rank-bad", "单位差评率排名（差评率最高与最低各"+strconv.Itoa(rankShown)+"个）",
			"近"+unitSlug+"各单位差评率排名", "单位", "差评率", 1, charts.Axis{Name: "%", Suffix: "%"}, ranks.byBad, rankShown, badRate),
		reasonsChart("reasons", "差评原因（前10项）", fig.Reasons, 10),
		hoursChart(fig.Hours),
		backlogChart(backlog, names, loc),
		overdueChart(overdue, names),
	)
	s.Render(c, http.StatusOK, "console/charts.html", d)
}

// chartsQuery keeps the chosen period when a page sends the user on.
func chartsQuery(c *gin.Context) string {
	if v := c.Query("days"); v != "" {
		return "?days=" + strconv.Itoa(max(0, min(365, atoi(v))))
	}
	return ""
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// unitChartsPath is the address of a unit's charts.
func unitChartsPath(id int64) string {
	return "/console/units/" + strconv.FormatInt(id, 10) + "/charts"
}

// dailyChart draws the ratings per day as bars and their mean as a line.
func dailyChart(days map[string]ratings.LevelCounts, first, last time.Time, lp []float64) charts.Chart {
	c := charts.Cartesian{CategoryName: "日期", Left: charts.Axis{Name: "条", Integer: true},
		Right: &charts.Axis{Name: "分", Min: charts.Float(0), Max: charts.Float(lp[0])}}
	counts := charts.Series{Name: "评价数", Bar: true}
	means := charts.Series{Name: "平均分", Right: true, Decimals: 2, Colour: charts.Palette[1]}
	var some bool
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		n := days[d.Format(time.DateOnly)]
		c.Categories = append(c.Categories, d.Format("01-02"))
		counts.Values = append(counts.Values, float64(n.Total()))
		means.Values = append(means.Values, meanOf(n, lp))
		some = some || n.Total() > 0
	}
	c.Series = []charts.Series{counts, means}
	c.Zoom = len(c.Categories) > 92
	ch := c.Build("daily", "每日评价数与平均分", "每日评价数（柱）和平均分（线）")
	ch.Height, ch.Wide = 300, true
	if !some {
		ch.Empty = "所选期间没有评价"
	}
	return ch
}

// unitRanks are the units with enough ratings, by mean (highest first)
// and by 差评 rate (highest first).
type unitRanks struct{ byMean, byBad []ranked }

func rankUnits(perUnit map[int64]ratings.LevelCounts, names map[int64]string, lp []float64) unitRanks {
	var list []ranked
	for id, c := range perUnit {
		if c.Total() >= rankMinRatings {
			list = append(list, ranked{Name: names[id], Link: "/console/units/" + strconv.FormatInt(id, 10), Counts: c})
		}
	}
	byName := func(a, b ranked) int { return cmp.Compare(a.Name, b.Name) }
	mean := slices.Clone(list)
	slices.SortFunc(mean, func(a, b ranked) int {
		return cmp.Or(cmp.Compare(meanOf(b.Counts, lp), meanOf(a.Counts, lp)), byName(a, b))
	})
	bad := slices.Clone(list)
	slices.SortFunc(bad, func(a, b ranked) int {
		return cmp.Or(cmp.Compare(badRate(b.Counts), badRate(a.Counts)), byName(a, b))
	})
	return unitRanks{byMean: mean, byBad: bad}
}

// reasonsChart draws the n reasons given most often with a 差评 (levels 1
// and 2).
func reasonsChart(id, title string, reasons []ratings.KeyCounts, n int) charts.Chart {
	type reason struct {
		name string
		bad  int64
	}
	var list []reason
	for _, r := range reasons {
		if b := r.Counts[0] + r.Counts[1]; b > 0 {
			list = append(list, reason{r.Key, b})
		}
	}
	slices.SortStableFunc(list, func(a, b reason) int { return cmp.Compare(b.bad, a.bad) })
	c := charts.Cartesian{CategoryName: "原因", Horizontal: true, Left: charts.Axis{Name: "条", Integer: true}}
	s := charts.Series{Name: "差评数", Bar: true, Colour: charts.LevelColours[0]}
	for _, r := range list[:min(n, len(list))] {
		c.Categories = append(c.Categories, r.name)
		s.Values = append(s.Values, float64(r.bad))
	}
	c.Series = []charts.Series{s}
	ch := c.Build(id, title, title+"，按差评次数排列")
	ch.Height = max(200, 28*len(c.Categories)+40)
	if len(list) == 0 {
		ch.Empty = "所选期间没有填写原因的差评"
	}
	return ch
}

// weekdays names the rows of the hour × weekday heat map.
var weekdays = []string{"周一", "周二", "周三", "周四", "周五", "周六", "周日"}

// hoursChart draws the terminal ratings per weekday and hour, from the
// first hour with any to the last.
func hoursChart(h [7][24]int64) charts.Chart {
	lo, hi := 24, -1
	for _, row := range h {
		for hour, n := range row {
			if n > 0 {
				lo, hi = min(lo, hour), max(hi, hour)
			}
		}
	}
	hm := charts.Heatmap{Y: weekdays, Name: "评价数", XName: "时段", YName: "星期"}
	for hour := lo; hour <= hi; hour++ {
		hm.X = append(hm.X, strconv.Itoa(hour)+"时")
	}
	for _, row := range h {
		cells := make([]float64, 0, len(hm.X))
		for hour := lo; hour <= hi; hour++ {
			cells = append(cells, float64(row[hour]))
		}
		hm.Cells = append(hm.Cells, cells)
	}
	ch := hm.Build("hours", "服务大厅评价时段分布（评价器）", "各星期、各时段评价器收到的评价数")
	ch.Height, ch.Wide = 320, true
	if hi < 0 {
		ch.Empty = "所选期间评价器没有收到评价"
	}
	return ch
}

// overdueShown is how many units the overdue chart shows.
const overdueShown = 15

// overdueChart draws the units with the most overdue cases today.
func overdueChart(overdue map[int64]feedback.OverdueCount, names map[int64]string) charts.Chart {
	type row struct {
		id int64
		oc feedback.OverdueCount
	}
	var list []row
	for id, oc := range overdue {
		list = append(list, row{id, oc})
	}
	slices.SortFunc(list, func(a, b row) int {
		return cmp.Or(cmp.Compare(b.oc.Answers+b.oc.Fixes, a.oc.Answers+a.oc.Fixes), cmp.Compare(names[a.id], names[b.id]))
	})
	c := charts.Cartesian{CategoryName: "单位", Horizontal: true, Left: charts.Axis{Name: "件", Integer: true}}
	answers := charts.Series{Name: "答复逾期", Bar: true, Stack: "overdue", Colour: charts.LevelColours[1]}
	fixes := charts.Series{Name: "整改逾期", Bar: true, Stack: "overdue", Colour: charts.LevelColours[0]}
	var links []string
	for _, r := range list[:min(overdueShown, len(list))] {
		c.Categories = append(c.Categories, names[r.id])
		answers.Values = append(answers.Values, float64(r.oc.Answers))
		fixes.Values = append(fixes.Values, float64(r.oc.Fixes))
		links = append(links, "/console/cases?overdue=any&unit_id="+strconv.FormatInt(r.id, 10))
	}
	c.Series = []charts.Series{answers, fixes}
	ch := c.Build("overdue", "逾期整改案件最多的单位", "各单位今天逾期的答复和整改件数").WithLinks(links)
	ch.Height = max(200, 28*len(c.Categories)+60)
	if len(list) == 0 {
		ch.Empty = "目前没有逾期的整改案件"
	}
	return ch
}
