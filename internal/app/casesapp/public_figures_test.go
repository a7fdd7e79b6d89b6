package casesapp

import (
	"testing"

	"minyi/internal/feedback"
	"minyi/internal/figures"
)

func TestPublicCaseCharts(t *testing.T) {
	unit := figures.Counts{Ratings: 200, Satisfied: 170, Bad: 30, BadFixed: 3, Answered: 4, OnTime: 3}
	all := figures.Counts{Ratings: 2000, Satisfied: 1990, Bad: 10, BadFixed: 10}
	c := unitRatesChart(unit, all)
	if got := c.Table.Text(); got != "满意率,85,99.5;差评整改率,10,100;按期答复率,75,—" {
		t.Errorf("rates %q", got)
	}
	bars := releasedCasesChart([]feedback.PublicUnit{{ID: 1, Name: "甲局", Cases: 1}, {ID: 2, Name: "乙局", Cases: 3}})
	if got := bars.Table.Rows; got[0][0] != "乙局" || got[0][1] != "3" || got[1][0] != "甲局" {
		t.Errorf("released %v: most first", got)
	}
	if releasedCasesChart(nil).Empty == "" {
		t.Error("no released cases draws a chart")
	}
}
