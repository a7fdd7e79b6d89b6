package scoresapp

import (
	"strings"
	"testing"

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
