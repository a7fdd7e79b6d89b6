package assessmentapp_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minyi/internal/demo"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/browser"
)

// The scoring grid is usable from 1280 to 1920 px wide (issue 13): the
// unit's name is readable (the column was squeezed to 42 px, a character a
// line), every row's save button is on screen, and after scrolling the
// grid sideways and down the unit column and the header are still there.
func TestBrowserScoringGridKeepsUnitsAndSaveInView(t *testing.T) {
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, apptest.Shanghai)
	app := apptest.New(t, apptest.Options{Now: func() time.Time { return at }})
	if _, err := demo.Seed(context.Background(), app.Pool, app.Config, app.Keys, at); err != nil {
		t.Fatal(err)
	}
	for _, width := range []int64{1280, 1920} {
		ctx := browser.New(t, browser.Options{Width: width, Height: 900})
		browsertest.SignIn(t, ctx, app.URL, "office", "office-demo-2026")
		browsertest.Do(t, ctx, "open the grid", chromedp.Navigate(app.URL+"/console/cycles/1/assessment/score"),
			chromedp.WaitVisible(chromedp.ID("score-table")))
		if w := browsertest.Eval[float64](t, ctx, `document.querySelector("#score-table tbody td").getBoundingClientRect().width`); w < 150 {
			t.Errorf("%d px: the unit column is %.0f px wide", width, w)
		}
		right := browsertest.Eval[float64](t, ctx, `document.querySelector("#score-table tbody .row-save .btn").getBoundingClientRect().right`)
		if right > float64(width) {
			t.Errorf("%d px: the save button ends at %.0f px, off the screen", width, right)
		}
		// Scroll the grid to its far right and down: the unit column and
		// the header stay where they were within the grid.
		moved := browsertest.Eval[[]float64](t, ctx, `(function(){
			var wrap = document.querySelector(".grid-wrap"), unit = document.querySelector("#score-table tbody td"),
				head = document.querySelector("#score-table thead th:nth-child(2)");
			var u0 = unit.getBoundingClientRect().left, h0 = head.getBoundingClientRect().top;
			wrap.scrollLeft = wrap.scrollWidth; wrap.scrollTop = 200;
			return [unit.getBoundingClientRect().left - u0, head.getBoundingClientRect().top - h0, wrap.scrollLeft];
		})()`)
		if moved[0] != 0 || moved[1] != 0 {
			t.Errorf("%d px: scrolling moved the unit column by %.0f px and the header by %.0f px (scrolled %.0f px)",
				width, moved[0], moved[1], moved[2])
		}
	}
}
