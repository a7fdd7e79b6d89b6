package searchapp_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
)

// A keyword without a start date searches the last twelve months of
// ratings, and every reader says so: the API (from, from_default), the
// feed page, the search page and its API; a start date typed reaches
// further back, and a search without a keyword is not limited.
func TestKeywordSearchesTheLastTwelveMonthsUnlessDated(t *testing.T) {
	w := newSearchWorld(t)
	old := time.Now().AddDate(-2, 0, 0)
	if _, err := w.App.Pool.Exec(context.Background(), `INSERT INTO ratings (id, rated_at, channel, unit_id, level, points, reasons, comment)
		VALUES (gen_random_uuid(), $1, 'qr', $2, 2, 30, '{其他}', '两年前的态度问题')`, old, w.A.ID); err != nil {
		t.Fatal(err)
	}
	q := url.Values{"q": {"态度"}}.Encode()
	var feed struct {
		Total       int       `json:"total"`
		From        time.Time `json:"from"`
		FromDefault bool      `json:"from_default"`
	}
	apptest.APIDo(t, w.Office, "GET", "/api/v1/ratings?"+q, "", "").Decode(t, http.StatusOK, &feed)
	want := time.Now().In(apptest.Shanghai).AddDate(0, -12, 0)
	if feed.Total != 3 || !feed.FromDefault || feed.From.In(apptest.Shanghai).Format(time.DateOnly) != want.Format(time.DateOnly) {
		t.Errorf("keyword without from: %+v, want 3 ratings from %s", feed, want.Format(time.DateOnly))
	}
	from := old.AddDate(0, 0, -1).In(apptest.Shanghai).Format(time.DateOnly)
	wantComments(t, w.Office, q+"&from="+from, "工作人员态度很好", "态度一般，等了很久", "服务态度差", "两年前的态度问题")
	// No keyword: every rating, the old one too.
	if n := len(comments(t, w.Office, "/api/v1/ratings?limit=100")); n != len(searchTexts)+2 {
		t.Errorf("feed without keyword: %d ratings, want %d", n, len(searchTexts)+2)
	}
	p := apptest.Get(t, w.Office, "/console/ratings?"+q)
	if p.Status != http.StatusOK || !p.Has("只查 "+want.Format(time.DateOnly)+" 以来（近12个月）") || p.Has("两年前") {
		t.Errorf("feed page: status %d\n%.2000s", p.Status, apptest.PageText(p.Body))
	}
	if p := apptest.Get(t, w.Office, "/console/ratings?"+q+"&from="+from); !p.Has("两年前") || p.Has("近12个月") {
		t.Errorf("feed page with from: status %d", p.Status)
	}
	if p := apptest.Get(t, w.Office, "/console/search?"+q); p.Status != http.StatusOK || !p.Has("评价留言（近12个月）") || p.Has("两年前") {
		t.Errorf("search page: status %d", p.Status)
	}
	if p := apptest.Get(t, w.Office, "/console/search?q="+url.QueryEscape("两年前")); !p.Has("近12个月没有含有该关键词的评价留言") {
		t.Errorf("search page for an old message: status %d\n%.2000s", p.Status, apptest.PageText(p.Body))
	}
}
