package upwardapp_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// world is a server with two units and a few ratings of unit A, one
// batch delivered and one given up.
type world struct {
	*fixtures.APIWorld
	ctx     context.Context
	ratings []string
	failed  int64
}

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{APIWorld: fixtures.NewAPIWorld(t, apptest.Options{}), ctx: context.Background()}
	pool := w.App.Pool
	if _, err := pool.Exec(w.ctx, `UPDATE units SET credit_code = '11341600MB1234567X', area_code = '341600' WHERE id = $1`,
		w.A.ID); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, shanghai)
	for i, r := range []struct {
		channel, comment, caseNo string
		level                    int
	}{{"qr", "很满意", "", 5}, {"terminal", "排队太久", "BZ001", 2}, {"qr", "", "", 4}} {
		var id string
		var cn *string
		if r.caseNo != "" {
			cn = &r.caseNo
		}
		if err := pool.QueryRow(w.ctx, `INSERT INTO ratings (id, rated_at, channel, unit_id, level, points, comment, case_no)
			VALUES (gen_random_uuid(), $1, $2, $3, $4, 60, $5, $6) RETURNING id::text`,
			at.Add(time.Duration(i)*time.Hour), r.channel, w.A.ID, r.level, r.comment, cn).Scan(&id); err != nil {
			t.Fatal(err)
		}
		w.ratings = append(w.ratings, id)
	}
	if _, err := pool.Exec(w.ctx, `WITH b AS (INSERT INTO upward_batches (source, rating_ids, rated_ats, records, first_at,
			last_at, state, attempts, created_at, updated_at, sent_at)
		VALUES ('rating', ARRAY[$1::uuid, $2::uuid], ARRAY[$3::timestamptz, $3::timestamptz], 2, now(), now(), 'sent', 1,
			now(), now(), now()) RETURNING records)
		UPDATE upward_totals SET batches = 1, records = (SELECT records FROM b) WHERE source = 'rating'`,
		w.ratings[0], w.ratings[1], at); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(w.ctx, `INSERT INTO upward_batches (source, rating_ids, rated_ats, records, first_at, last_at,
			state, attempts, last_error, created_at, updated_at)
		VALUES ('rating', ARRAY[$1::uuid], ARRAY[$2::timestamptz], 1, now(), now(), 'given_up', 8,
			'upward: HTTP 400: {"code":"E102","msg":"invalid deptCode"}', now(), now()) RETURNING id`,
		w.ratings[2], at.Add(2*time.Hour)).Scan(&w.failed); err != nil {
		t.Fatal(err)
	}
	return w
}

// englishCode finds a latin word of two letters or more in a page's text.
var englishCode = regexp.MustCompile(`[A-Za-z]{2,}`)

// tags are a page's HTML tags, taken out to leave its text.
var tags = regexp.MustCompile(`(?s)<script.*?</script>|<[^>]*>`)

// The office sees the counts, the failure in words with its resend
// button, and nothing in English; the resend queues the batch again.
func TestUpwardPageAndResend(t *testing.T) {
	w := newWorld(t)
	p := apptest.Get(t, w.Office, "/console/upward")
	if p.Status != http.StatusOK {
		t.Fatalf("page %d", p.Status)
	}
	text := html.UnescapeString(tags.ReplaceAllString(p.Body[strings.Index(p.Body, "<main"):], " "))
	for _, want := range []string{"数据上报", "已上报", "等待上报", "上报失败", "接收方拒绝了消息", "重新上报", "导出上报数据",
		"尚未配置省级平台的上报地址"} {
		if !strings.Contains(text, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, m := range englishCode.FindAllString(text, -1) {
		if m != "CSV" && m != "Excel" {
			t.Errorf("English on the page: %q in %q", m, text)
		}
	}
	if !strings.Contains(p.Body, `id="count-sent">2<`) || !strings.Contains(p.Body, `id="count-failed">1<`) {
		t.Errorf("counts wrong: %s", p.Body)
	}
	r := apptest.Post(t, w.Office, "/console/upward/batches/"+apptest.Itoa(w.failed)+"/resend", nil)
	if r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "upward_resent") {
		t.Fatalf("resend %d %q", r.Status, r.Location)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM upward_batches WHERE state = 'pending'`); n != 1 {
		t.Errorf("%d batches pending after the resend", n)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'upward_batch.resend'`); n != 1 {
		t.Errorf("%d audit entries", n)
	}
	if r := apptest.Post(t, w.Office, "/console/upward/batches/"+apptest.Itoa(w.failed)+"/resend", nil); r.Status != http.StatusConflict {
		t.Errorf("second resend %d", r.Status)
	}
	if p := apptest.Get(t, w.UnitUser, "/console/upward"); p.Status != http.StatusForbidden {
		t.Errorf("a unit account sees the page: %d", p.Status)
	}
}

// The export of a period holds the same records as the platform
// receives, in the national fields.
func TestUpwardExportCSV(t *testing.T) {
	w := newWorld(t)
	q := url.Values{"from": {"2026-11-20"}, "to": {"2026-11-20"}}
	p := apptest.Get(t, w.Office, "/console/upward/export.csv?"+q.Encode())
	if p.Status != http.StatusOK {
		t.Fatalf("export %d: %s", p.Status, p.Body)
	}
	for _, want := range []string{"办件编号（projectNo）", "评价时间（assessTime）", w.ratings[0], w.ratings[1] + ",BZ001,1,4,2,,排队太久,2026-11-20 11:00:00,,,11341600MB1234567X,市政务服务中心,341600",
		"2026-11-20 12:00:00"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("export lacks %q:\n%s", want, p.Body)
		}
	}
	// The 差评's case, closed on 25 November, is in that day's
	// rectification records.
	if _, err := w.App.Pool.Exec(w.ctx, `WITH c AS (
			INSERT INTO rectification_cases (unit_id, source_kind, source_id, problem, status, explanation, measures,
				done_note, closed_at)
			VALUES ($1, 'rating', $2, '排队太久', 'closed', '周一高峰', '增开窗口', '已增开', $3) RETURNING id),
		s AS (INSERT INTO case_sources (case_id, source_kind, source_id) SELECT id, 'rating', $2 FROM c)
		INSERT INTO feedback_reviews (source_kind, source_id, unit_id, verdict, case_id, rated_at)
		SELECT 'rating', $2, $1, 'valid', id, $4 FROM c`, w.A.ID, w.ratings[1],
		time.Date(2026, 11, 25, 9, 0, 0, 0, shanghai), time.Date(2026, 11, 20, 11, 0, 0, 0, shanghai)); err != nil {
		t.Fatal(err)
	}
	r := apptest.Get(t, w.Office, "/console/upward/export.csv?source=rectification&from=2026-11-25&to=2026-11-25")
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "排队太久,2026-11-20 11:00:00") ||
		!strings.Contains(r.Body, "\"增开窗口") ||
		!strings.Contains(r.Body, "已增开\",周一高峰,2026-11-25 09:00:00") {
		t.Errorf("rectification export %d:\n%s", r.Status, r.Body)
	}
	q.Set("to", "2026-11-19")
	if p := apptest.Get(t, w.Office, "/console/upward/export.csv?"+q.Encode()); p.Status != http.StatusBadRequest &&
		p.Status != http.StatusUnprocessableEntity {
		t.Errorf("a reversed period answered %d", p.Status)
	}
	if p := apptest.Get(t, w.UnitUser, "/console/upward/export.csv?from=2026-11-20&to=2026-11-20"); p.Status != http.StatusForbidden {
		t.Errorf("a unit account exports: %d", p.Status)
	}
}

// The API gives the page's counts and failures, and resends.
func TestUpwardAPI(t *testing.T) {
	w := newWorld(t)
	var st struct {
		Configured bool `json:"configured"`
		Counts     []struct {
			Source       string `json:"source"`
			Sent, Failed int64
		} `json:"counts"`
		Failures []struct {
			ID     int64  `json:"id"`
			Reason string `json:"reason"`
		} `json:"failures"`
	}
	apptest.APIDo(t, w.Office, "GET", "/api/v1/upward", "", "").Decode(t, http.StatusOK, &st)
	if st.Configured || len(st.Counts) != 2 || st.Counts[0].Sent != 2 || st.Counts[0].Failed != 1 ||
		len(st.Failures) != 1 || st.Failures[0].Reason != "接收方拒绝了消息，请检查地址和密钥配置" {
		t.Fatalf("status %+v", st)
	}
	r := apptest.APIJSON(t, w.Office, "POST", "/api/v1/upward/batches/"+apptest.Itoa(w.failed)+"/resend", map[string]any{})
	r.Decode(t, http.StatusOK, nil)
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/upward/batches/"+apptest.Itoa(w.failed)+"/resend", map[string]any{}),
		http.StatusConflict, "conflict")
	apptest.WantAPIError(t, apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/upward", "", ""), http.StatusForbidden, "forbidden")
}
