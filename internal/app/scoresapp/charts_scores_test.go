package scoresapp

import (
	"strconv"
	"strings"
	"testing"

	"minyi/internal/charts"
	"minyi/internal/score"
	"minyi/internal/scores"
)

func ptr[T any](v T) *T { return &v }

// A category of three: 甲局 with both parts (daily 95 × 40 % = 38, annual
// 86.67 × 60 % = 52), 乙局 whose detail the viewer may not see (its score
// alone), 丙局 without a score (left out of the chart).
func TestRankingChartSplitsTheScore(t *testing.T) {
	cat := scores.Category{Name: "经济发展类", Units: []scores.UnitScore{
		{Unit: scores.Unit{ID: 1, Name: "甲局"}, Rank: ptr(1), Score: ptr(90.0), Result: &score.Result{
			Daily:  score.DailyPart{Count: 100, Mean: 95, Weight: 0.4, EffectiveWeight: 0.4, Counted: true},
			Annual: score.AnnualPart{Count: 30, Mean: 86.6667, Weight: 0.6, EffectiveWeight: 0.6, Counted: true}}},
		{Unit: scores.Unit{ID: 2, Name: "乙局"}, Rank: ptr(2), Score: ptr(80.5), DetailHidden: true},
		{Unit: scores.Unit{ID: 3, Name: "丙局"}, UnrankedReason: "无法计分"},
	}}
	c := rankingChart(0, cat)
	if c.Empty != "" {
		t.Fatalf("empty: %s", c.Empty)
	}
	if got := c.Table.Text(); got != "1. 甲局,38,52,—;2. 乙局,—,—,80.5" {
		t.Errorf("table %q", got)
	}
	if got := strings.Join(c.Table.Head, ","); got != "名次. 单位,日常评价部分,年度评价部分,公众评价得分（明细不公开）" {
		t.Errorf("head %q", got)
	}
	if empty := rankingChart(1, scores.Category{Name: "空"}); empty.Empty == "" {
		t.Error("a category without ranked units draws a chart")
	}
}

// A category longer than charts.RankMax is drawn as its first and last
// charts.RankEnds units, and says so.
func TestRankingChartOfALongCategory(t *testing.T) {
	cat := scores.Category{Name: "社会服务类"}
	for i := 1; i <= 170; i++ {
		cat.Units = append(cat.Units, scores.UnitScore{Unit: scores.Unit{ID: int64(i), Name: "单位" + strconv.Itoa(i)},
			Rank: ptr(i), Score: ptr(100 - float64(i)/10), DetailHidden: true})
	}
	c := rankingChart(0, cat)
	rows := strings.Split(c.Table.Text(), ";")
	if len(rows) != 2*charts.RankEnds || !strings.HasPrefix(rows[0], "1. 单位1,") ||
		!strings.HasPrefix(rows[charts.RankEnds-1], "15. 单位15,") || !strings.HasPrefix(rows[charts.RankEnds], "156. 单位156,") ||
		!strings.HasPrefix(rows[len(rows)-1], "170. 单位170,") {
		t.Errorf("rows %q", rows)
	}
	if c.Note != "共170个单位，图中为前15名和后15名，全部名次见下表。" || c.Height > 1000 {
		t.Errorf("note %q, height %d", c.Note, c.Height)
	}
	if c := rankingChart(0, scores.Category{Name: "甲类", Units: cat.Units[:40]}); c.Note != "" || len(c.Table.Rows) != 40 {
		t.Errorf("40 units: note %q, %d rows", c.Note, len(c.Table.Rows))
	}
}
