package overviewapp_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// TestOverviewPagesUnits: with 150 units the overview's table shows 100 a
// page with links between the pages, while the figures above it and the
// table's total row count the ratings of every unit on both pages.
func TestOverviewPagesUnits(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	// 148 more units, named to sort after the world's two in their category.
	if _, err := w.App.Pool.Exec(context.Background(), `INSERT INTO units (name, category)
		SELECT '测试单位' || lpad(g::text, 3, '0'), '社会服务类' FROM generate_series(1, 148) g`); err != nil {
		t.Fatal(err)
	}
	// A rating of the world's first unit, which is on the first page.
	if st := fixtures.PostQR(t, w.App, w.A.QR.Code, "Mozilla/5.0 (iPhone)", fixtures.RatingForm("5")); st != http.StatusSeeOther && st != http.StatusOK {
		t.Fatalf("rating: %d", st)
	}
	office := apptest.SignedIn(t, w.App, "office1", "office-pass-1")
	units := func(p apptest.Page) int { return strings.Count(p.Body, `<td><a href="/console/units/`) }
	first := apptest.Get(t, office, "/console")
	if first.Status != http.StatusOK || units(first) != 100 || !first.Has(`href="/console?page=2" rel="next"`) ||
		!first.Has("第 1 / 2 页 · 共 150 个") || !first.Has("全部单位合计") {
		t.Fatalf("page 1: %d, %d units", first.Status, units(first))
	}
	second := apptest.Get(t, office, "/console?page=2")
	if second.Status != http.StatusOK || units(second) != 50 || !second.Has(`href="/console" rel="prev"`) ||
		!second.Has("第 2 / 2 页") || second.Has(`/console/units/`+apptest.Itoa(w.A.ID)+`"`) {
		t.Fatalf("page 2: %d, %d units", second.Status, units(second))
	}
	// The total row of both pages counts the one rating, of a unit on page 1.
	total := `<th colspan="2">全部单位合计</th>
        <th class="num gl">1</th>`
	if !first.Has(total) || !second.Has(total) {
		t.Errorf("the total row does not count every unit's ratings on both pages")
	}
	// A page past the end shows the last one; a unit user has one unit and no pager.
	if p := apptest.Get(t, office, "/console?page=9"); units(p) != 50 || !p.Has("第 2 / 2 页") {
		t.Errorf("page 9: %d units", units(p))
	}
	unit := apptest.SignedIn(t, w.App, "unit-a", "unit-pass-1")
	if p := apptest.Get(t, unit, "/console"); units(p) != 1 || p.Has(`rel="next"`) || p.Has("全部单位合计") {
		t.Errorf("unit user: %d units", units(p))
	}
}
