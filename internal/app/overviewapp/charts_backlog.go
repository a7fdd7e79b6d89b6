package overviewapp

import (
	"strconv"
	"time"

	"minyi/internal/charts"
	"minyi/internal/feedback"
)

// backlogShown is how many units the backlog chart shows.
const backlogShown = 15

// backlogChart draws the units with the most items waiting in the review
// queue (民意核查), from the hourly count (feedback.Backlog): daily ratings
// and survey opinions stacked, each bar linking to the unit's queue.
func backlogChart(b feedback.Backlog, names map[int64]string, loc *time.Location) charts.Chart {
	c := charts.Cartesian{CategoryName: "单位", Horizontal: true, Left: charts.Axis{Name: "条", Integer: true}}
	rs := charts.Series{Name: "日常评价", Bar: true, Stack: "backlog", Colour: charts.Palette[0]}
	os := charts.Series{Name: "年度问卷意见", Bar: true, Stack: "backlog", Colour: charts.Palette[5]}
	var links []string
	for _, u := range b.Units[:min(backlogShown, len(b.Units))] {
		c.Categories = append(c.Categories, names[u.UnitID])
		rs.Values = append(rs.Values, float64(u.Ratings))
		os.Values = append(os.Values, float64(u.Opinions))
		links = append(links, "/console/feedback?unit_id="+strconv.FormatInt(u.UnitID, 10))
	}
	c.Series = []charts.Series{rs, os}
	ch := c.Build("backlog", "待核查最多的单位", "各单位待核查的差评和意见（基本满意及以下）条数").WithLinks(links)
	if b.Counted {
		ch.Note = b.From.In(loc).Format("1月2日") + "至" + b.To.Add(-time.Nanosecond).In(loc).Format("1月2日") +
			"的差评和意见，统计于" + b.At.In(loc).Format("1月2日 15:04") + "，每小时更新。"
	}
	ch.Height = max(200, 28*len(c.Categories)+60)
	switch {
	case !b.Counted:
		ch.Empty = "尚未统计，系统每小时统计一次待核查数量"
	case len(b.Units) == 0:
		ch.Empty = "近90天没有待核查的差评和意见"
	}
	return ch
}
