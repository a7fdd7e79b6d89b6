package ratingsapp_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"minyi/internal/ratings"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/apptest/fixtures"
)

// On a phone and on a desktop, the citizen opens the optional section of
// the QR form and says they came for a company (企业或其他组织); the page
// has no sideways scroll. On the phone they rate, and the rating carries
// the applicant type (the desktop, from the same address, has rated today).
func TestBrowserQRFormTakesApplicantType(t *testing.T) {
	f := fixtures.NewPubFixture(t, apptest.Options{})
	var ctx context.Context
	for _, width := range []int64{1440, 375} {
		c, console := browsertest.Watched(t, width)
		ctx = c
		px := strconv.FormatInt(width, 10)
		browsertest.Do(t, ctx, "open the rating page at "+px, chromedp.Navigate(f.App.URL+"/q/"+f.Code),
			chromedp.WaitVisible(chromedp.ID("submit")), chromedp.Click(browsertest.LevelRadio("4")), browsertest.OpenMessage(),
			chromedp.WaitVisible(chromedp.ID("applicant")), chromedp.Click(chromedp.CSS(`input[name=applicant_type][value="2"]`)))
		if got := browsertest.Text(t, ctx, "#more summary"); got != "留言、电话或办事身份（选填）" {
			t.Errorf("the section's title reads %q", got)
		}
		browsertest.NoSidewaysScroll(t, ctx)
		browsertest.Shot(t, ctx, "rate-applicant-"+px)
		console.Check(t, "the rating page at "+px)
	}
	if status := browsertest.Submit(t, ctx); status != http.StatusOK {
		t.Fatalf("thanks page status %d", status)
	}
	var n int
	if err := f.App.Pool.QueryRow(context.Background(), `SELECT count(*) FROM ratings WHERE unit_id = $1 AND applicant_type = $2`,
		f.UnitID, ratings.ApplicantLegal).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d ratings stored as 法人 (%v), want 1", n, err)
	}
}
