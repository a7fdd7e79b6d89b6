package ratingsapp_test

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"minyi/internal/testutil/apptest"
)

var (
	olderRE = regexp.MustCompile(`href="([^"]+)" rel="next">较早<`)
	newerRE = regexp.MustCompile(`href="([^"]+)" rel="prev">较新<`)
	rowRE   = regexp.MustCompile(`action="/console/ratings/[0-9a-f-]+/exclude`)
)

// feedApp starts a server with an office account (office1) and one unit,
// whose id it returns.
func feedApp(t *testing.T) (*apptest.App, int64) {
	t.Helper()
	app := apptest.New(t, apptest.Options{})
	app.AddUser(t, "office1", "office-pass-1", "office", nil)
	var unit int64
	if err := app.Pool.QueryRow(context.Background(), `INSERT INTO units (name, short_code, category)
		VALUES ('市政务服务中心', 'ZWFW', '社会服务类') RETURNING id`).Scan(&unit); err != nil {
		t.Fatal(err)
	}
	return app, unit
}

// The rating feed pages by cursor: 50 a page, "较早" to the older ratings
// and "较新" back, with the filter kept on every link and the total shown.
func TestConsoleFeedPagesOlderAndNewer(t *testing.T) {
	app, unit := feedApp(t)
	ctx := context.Background()
	// 60 terminal ratings a minute apart and 5 QR ratings, which the
	// channel filter leaves out.
	_, err := app.Pool.Exec(ctx, `INSERT INTO ratings (id, rated_at, channel, unit_id, level, points)
		SELECT gen_random_uuid(), now() - g * interval '1 minute', CASE WHEN g <= 60 THEN 'terminal' ELSE 'qr' END, $1, 5, 100
		FROM generate_series(1, 65) AS g`, unit)
	if err != nil {
		t.Fatal(err)
	}
	c := apptest.SignedIn(t, app, "office1", "office-pass-1")
	first := apptest.Get(t, c, "/console/ratings?channel=terminal")
	if first.Status != http.StatusOK || !first.Has(`共 <strong id="total">60</strong> 条`) ||
		len(rowRE.FindAllString(first.Body, -1)) != 50 || newerRE.MatchString(first.Body) {
		t.Fatalf("first page: %d, total shown %v, %d rows, newer link %v", first.Status,
			first.Has(`id="total">60<`), len(rowRE.FindAllString(first.Body, -1)), newerRE.MatchString(first.Body))
	}
	m := olderRE.FindStringSubmatch(first.Body)
	if m == nil {
		t.Fatal("first page without a link to older ratings")
	}
	older := html.UnescapeString(m[1])
	if !strings.Contains(older, "channel=terminal") || !strings.Contains(older, "older=") {
		t.Fatalf("older link %q loses the filter or the cursor", older)
	}
	second := apptest.Get(t, c, older)
	if second.Status != http.StatusOK || len(rowRE.FindAllString(second.Body, -1)) != 10 || olderRE.MatchString(second.Body) ||
		!second.Has(`id="total">60<`) || !second.Has(">最新<") {
		t.Fatalf("second page: %d, %d rows, older link %v", second.Status, len(rowRE.FindAllString(second.Body, -1)),
			olderRE.MatchString(second.Body))
	}
	// The exclusion forms of the second page come back to it.
	if !strings.Contains(second.Body, `/exclude?channel=terminal&amp;older=`) {
		t.Fatal("the rows' forms do not return to the page they are on")
	}
	m = newerRE.FindStringSubmatch(second.Body)
	if m == nil {
		t.Fatal("second page without a link back to newer ratings")
	}
	back := apptest.Get(t, c, html.UnescapeString(m[1]))
	if back.Status != http.StatusOK || len(rowRE.FindAllString(back.Body, -1)) != 50 || newerRE.MatchString(back.Body) {
		t.Fatalf("back: %d, %d rows, newer link %v", back.Status, len(rowRE.FindAllString(back.Body, -1)), newerRE.MatchString(back.Body))
	}
	if p := apptest.Get(t, c, "/console/ratings?older=not-a-cursor"); p.Status != http.StatusUnprocessableEntity || !p.Has("翻页位置无效") {
		t.Fatalf("bad cursor: %d", p.Status)
	}
}

// The API pages the same ratings by next_cursor.
func TestAPIRatingsPageByCursor(t *testing.T) {
	app, unit := feedApp(t)
	ctx := context.Background()
	if _, err := app.Pool.Exec(ctx, `INSERT INTO ratings (id, rated_at, channel, unit_id, level, points)
		SELECT gen_random_uuid(), now() - g * interval '1 minute', 'terminal', $1, 1 + g % 5, 100
		FROM generate_series(1, 7) AS g`, unit); err != nil {
		t.Fatal(err)
	}
	c := app.Client()
	c.SignIn(t, "office1", "office-pass-1")
	type reply struct {
		Total      int    `json:"total"`
		TotalExact bool   `json:"total_exact"`
		NextCursor string `json:"next_cursor"`
		Items      []struct {
			ID string `json:"id"`
		} `json:"items"`
		Error struct{ Code string } `json:"error"`
	}
	var seen []string
	path := "/api/v1/ratings?limit=3"
	for pages := 0; ; pages++ {
		var r reply
		if res := c.JSON(t, "GET", path, nil, &r); res.StatusCode != http.StatusOK || r.Total != 7 || !r.TotalExact {
			t.Fatalf("GET %s: %d %+v", path, res.StatusCode, r)
		}
		for _, it := range r.Items {
			seen = append(seen, it.ID)
		}
		if r.NextCursor == "" {
			break
		}
		if pages > 3 {
			t.Fatal("the cursor never ends")
		}
		path = "/api/v1/ratings?limit=3&cursor=" + r.NextCursor
	}
	distinct := map[string]bool{}
	for _, id := range seen {
		distinct[id] = true
	}
	if len(seen) != 7 || len(distinct) != 7 {
		t.Fatalf("walked %d ratings (%d distinct), want all 7 once", len(seen), len(distinct))
	}
	var bad reply
	if res := c.JSON(t, "GET", "/api/v1/ratings?cursor=zzz", nil, &bad); res.StatusCode != http.StatusUnprocessableEntity || bad.Error.Code != "invalid" {
		t.Fatalf("bad cursor: %d %+v", res.StatusCode, bad)
	}
	if res := c.JSON(t, "GET", "/api/v1/ratings?offset=10001", nil, &bad); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("offset past 10,000: %d", res.StatusCode)
	}
}
