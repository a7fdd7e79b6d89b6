package ratingsapp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// termPost sends ratings with the token and checks the counts add up.
func termPost(t *testing.T, w *fixtures.APIWorld, token string, items ...map[string]any) fixtures.TermReply {
	t.Helper()
	var out fixtures.TermReply
	apptest.APIJSON(t, w.Anon, "POST", "/api/v1/terminal/ratings", map[string]any{"ratings": items}, "Authorization", "Bearer "+token).
		Decode(t, http.StatusOK, &out)
	if len(out.Results) != len(items) || out.Accepted+out.Duplicates+out.Rejected != len(items) {
		t.Fatalf("%d items gave %d results, counts %d+%d+%d", len(items), len(out.Results), out.Accepted, out.Duplicates, out.Rejected)
	}
	for i, r := range out.Results {
		if want, _ := items[i]["id"].(string); r.ID != want {
			t.Errorf("result %d is for %q, want %q (results out of order)", i, r.ID, want)
		}
	}
	return out
}

func TestTerminalAuthentication(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	id, token := w.CreateTerminal(t, w.A.ID, map[string]any{"name": "1号评价器"})
	body := `{"ratings":[{"id":"r-1","level":5}]}`
	for _, auth := range []string{"", "Bearer", "Bearer ", "Bearer    ", "Basic " + token, token, "Bearer garbage",
		"Bearer mt_garbage", "Bearer " + token + "x", "Bearer " + strings.TrimPrefix(token, "mt_")} {
		t.Run(fmt.Sprintf("%q", auth), func(t *testing.T) {
			apptest.WantAPIError(t, apptest.APIDo(t, w.Anon, "POST", "/api/v1/terminal/ratings", "application/json", body, "Authorization", auth), 401, "unauthorized")
		})
	}
	// A session cookie is no terminal token.
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "POST", "/api/v1/terminal/ratings", "application/json", body), 401, "unauthorized")
	apptest.APIDo(t, w.Office, "DELETE", "/api/v1/terminals/"+apptest.Itoa(id), "", "").Decode(t, http.StatusOK, nil)
	apptest.WantAPIError(t, apptest.APIDo(t, w.Anon, "POST", "/api/v1/terminal/ratings", "application/json", body, "Authorization", "Bearer "+token), 401, "unauthorized")
	if n := fixtures.StoredRatings(t, w, w.A.ID); n != 0 {
		t.Errorf("%d ratings stored without a valid token", n)
	}
}

func TestTerminalBadBodies(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	_, token := w.CreateTerminal(t, w.A.ID, map[string]any{"name": "1号评价器"})
	many := func(n int) string {
		items := make([]string, n)
		for i := range items {
			items[i] = fmt.Sprintf(`{"id":"n-%d","level":5}`, i)
		}
		return `{"ratings":[` + strings.Join(items, ",") + `]}`
	}
	tests := []apptest.APIBodyCase{
		{Name: "malformed JSON", ContentType: "application/json", Body: `{"ratings":[`},
		{Name: "wrong content type", ContentType: "text/plain", Body: `{"ratings":[{"id":"a","level":5}]}`},
		{Name: "no content type", ContentType: "", Body: `{"ratings":[{"id":"a","level":5}]}`},
		{Name: "empty body", ContentType: "application/json", Body: ``},
		{Name: "two values", ContentType: "application/json", Body: `{"ratings":[{"id":"a","level":5}]} {}`},
		{Name: "top-level array", ContentType: "application/json", Body: `[{"id":"a","level":5}]`},
		{Name: "no ratings", ContentType: "application/json", Body: `{}`, Fields: []string{"ratings"}},
		{Name: "null ratings", ContentType: "application/json", Body: `{"ratings":null}`, Fields: []string{"ratings"}},
		{Name: "zero ratings", ContentType: "application/json", Body: `{"ratings":[]}`, Fields: []string{"ratings"}},
		{Name: "501 ratings", ContentType: "application/json", Body: many(501), Fields: []string{"ratings"}},
		{Name: "ratings a string", ContentType: "application/json", Body: `{"ratings":"x"}`, Fields: []string{"ratings"}},
		{Name: "level a string", ContentType: "application/json", Body: `{"ratings":[{"id":"a","level":5},{"id":"b","level":"5"}]}`, Fields: []string{"ratings.level"}},
		{Name: "id a number", ContentType: "application/json", Body: `{"ratings":[{"id":7,"level":5}]}`, Fields: []string{"ratings.id"}},
		{Name: "level a fraction", ContentType: "application/json", Body: `{"ratings":[{"id":"a","level":4.5}]}`, Fields: []string{"ratings.level"}},
		{Name: "reasons a string", ContentType: "application/json", Body: `{"ratings":[{"id":"a","level":1,"reasons":"慢"}]}`, Fields: []string{"ratings.reasons"}},
	}
	for _, tt := range tests {
		t.Run(tt.Name, func(t *testing.T) {
			r := apptest.APIDo(t, w.Anon, "POST", "/api/v1/terminal/ratings", tt.ContentType, tt.Body, "Authorization", "Bearer "+token)
			apptest.WantAPIError(t, r, 422, "invalid", tt.Fields...)
		})
	}
	if n := fixtures.StoredRatings(t, w, w.A.ID); n != 0 {
		t.Fatalf("refused batches stored %d ratings", n)
	}
	var out fixtures.TermReply
	apptest.APIDo(t, w.Anon, "POST", "/api/v1/terminal/ratings", "application/json", many(500), "Authorization", "Bearer "+token).
		Decode(t, http.StatusOK, &out)
	if out.Accepted != 500 || fixtures.StoredRatings(t, w, w.A.ID) != 500 {
		t.Errorf("a batch of 500: accepted %d, stored %d", out.Accepted, fixtures.StoredRatings(t, w, w.A.ID))
	}
	var one fixtures.TermReply
	apptest.APIDo(t, w.Anon, "POST", "/api/v1/terminal/ratings", "application/json; charset=utf-8", many(1)[:len(many(1))-3]+`,"x":1}]}`,
		"Authorization", "Bearer "+token).Decode(t, http.StatusOK, &one)
	if one.Duplicates != 1 {
		t.Errorf("a known id with an unknown extra field: %+v", one)
	}
}

func TestTerminalMixedBatch(t *testing.T) {
	clock := apptest.NewClock(time.Date(2026, 3, 15, 10, 0, 0, 0, apptest.Shanghai))
	w := fixtures.NewAPIWorld(t, apptest.Options{Now: clock.Now, Env: map[string]string{"TERMINAL_MAX_AGE": "48h", "LEVEL_POINTS": "100,90,70,40,0"}})
	_, token := w.CreateTerminal(t, w.A.ID, map[string]any{"name": "1号评价器"})
	_, tokenB := w.CreateTerminal(t, w.B.ID, map[string]any{"name": "B评价器"})
	now := clock.Now()
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	batch := []map[string]any{
		{"id": "ok-1", "level": 5},
		{"id": "bad-level", "level": 0},
		{"id": "ok-2", "level": 4, "case_no": "BJ-1", "window": "3", "staff_no": "A017"},
		{"id": "case-again", "level": 1, "case_no": "BJ-1", "comment": "同一办件"},
		{"id": "", "level": 5},
		{"id": "future", "level": 5, "rated_at": at(10 * time.Minute)},
		{"id": "slightly-ahead", "level": 3, "rated_at": at(4 * time.Minute)},
		{"id": "too-old", "level": 5, "rated_at": at(-49 * time.Hour)},
		{"id": "old-enough", "level": 2, "rated_at": at(-47 * time.Hour), "reasons": []string{"等候时间长"}},
		{"id": "bad-time", "level": 5, "rated_at": "2026-03-15 09:00"},
		{"id": "long-case", "level": 5, "case_no": strings.Repeat("9", 65)},
		{"id": "many-wrong", "level": 9, "window": strings.Repeat("w", 33), "comment": strings.Repeat("长", 501)},
	}
	out := termPost(t, w, token, batch...)
	want := "ok-1:created bad-level:rejected:invalid:level ok-2:created case-again:rejected:case_conflict:case_no " +
		":rejected:invalid:id future:rejected:invalid:rated_at slightly-ahead:created too-old:rejected:invalid:rated_at " +
		"old-enough:created bad-time:rejected:invalid:rated_at long-case:rejected:invalid:case_no"
	if got := out.Summary(); !strings.HasPrefix(got, want) {
		t.Errorf("results\n%s\nwant\n%s", got, want)
	}
	last := out.Results[len(out.Results)-1]
	if last.Status != "rejected" || len(last.Fields) != 3 || last.Fields["level"] == "" || last.Fields["window"] == "" || last.Fields["comment"] == "" {
		t.Errorf("many-wrong: %+v, want level, window and comment named", last)
	}
	if out.Accepted != 4 || out.Rejected != 8 || out.Duplicates != 0 {
		t.Errorf("counts %d/%d/%d, want 4 accepted, 8 rejected", out.Accepted, out.Duplicates, out.Rejected)
	}
	if n := fixtures.StoredRatings(t, w, w.A.ID); n != 4 {
		t.Fatalf("%d ratings stored, want the 4 valid ones", n)
	}

	// The terminal replays the whole batch: what was stored is a duplicate,
	// what was refused is refused again, and nothing is stored twice.
	again := termPost(t, w, token, batch...)
	wantAgain := "ok-1:duplicate bad-level:rejected:invalid:level ok-2:duplicate case-again:rejected:case_conflict:case_no"
	if got := again.Summary(); !strings.HasPrefix(got, wantAgain) {
		t.Errorf("replay\n%s\nwant prefix\n%s", got, wantAgain)
	}
	if again.Accepted != 0 || again.Duplicates != 4 || again.Rejected != 8 || fixtures.StoredRatings(t, w, w.A.ID) != 4 {
		t.Errorf("replay counts %d/%d/%d, %d stored", again.Accepted, again.Duplicates, again.Rejected, fixtures.StoredRatings(t, w, w.A.ID))
	}
	if got := termPost(t, w, token, batch[3]).Summary(); got != "case-again:rejected:case_conflict:case_no" {
		t.Errorf("case conflict sent alone: %s", got)
	}
	// The same case number at another unit is another case.
	if got := termPost(t, w, tokenB, map[string]any{"id": "ok-1", "level": 5, "case_no": "BJ-1"}).Summary(); got != "ok-1:created" {
		t.Errorf("same case number and id at unit B: %s", got)
	}

	_, _, items := fixtures.Feed(t, w.Office, "/api/v1/units/"+apptest.Itoa(w.A.ID)+"/ratings")
	byID := map[string]fixtures.Rating{}
	for _, r := range items {
		byID[*r.ClientID] = r
	}
	if r := byID["ok-1"]; !r.RatedAt.Equal(now) || r.Points != 100 {
		t.Errorf("ok-1 without rated_at: %v, %v points; want the server time and 100", r.RatedAt, r.Points)
	}
	if r := byID["ok-2"]; r.Points != 90 || r.CaseNo == nil || *r.CaseNo != "BJ-1" || *r.Window != "3" || *r.StaffNo != "A017" {
		t.Errorf("ok-2 stored as %+v", r)
	}
	if r := byID["old-enough"]; !r.RatedAt.Equal(now.Add(-47*time.Hour)) || r.Points != 40 || len(r.Reasons) != 1 {
		t.Errorf("old-enough stored as %+v, want the device time", r)
	}
	if r := byID["slightly-ahead"]; !r.RatedAt.Equal(now.Add(4*time.Minute)) || r.Points != 70 {
		t.Errorf("slightly-ahead stored as %+v", r)
	}
}

func TestTerminalRatingsBelongToTheTerminal(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	var point struct{ ID int64 }
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/units/"+apptest.Itoa(w.A.ID)+"/points", map[string]string{"name": "1号窗口", "kind": "window"}).
		Decode(t, http.StatusCreated, &point)
	termID, token := w.CreateTerminal(t, w.A.ID, map[string]any{"name": "1号窗口评价器", "point_id": point.ID})
	// Fields naming another unit are not part of the contract and are ignored.
	termPost(t, w, token, map[string]any{"id": "r-1", "level": 5, "unit_id": w.B.ID, "channel": "qr"})
	var unitID, pointID, terminalID int64
	var channel string
	err := w.App.Pool.QueryRow(context.Background(), `SELECT unit_id, point_id, terminal_id, channel FROM ratings`).
		Scan(&unitID, &pointID, &terminalID, &channel)
	if err != nil || unitID != w.A.ID || pointID != point.ID || terminalID != termID || channel != "terminal" {
		t.Errorf("stored unit %d point %d terminal %d channel %s (%v)", unitID, pointID, terminalID, channel, err)
	}
}

func TestTerminalRevokedWithinCacheTTL(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{Env: map[string]string{"TERMINAL_CACHE_TTL": "1m"}})
	id, token := w.CreateTerminal(t, w.A.ID, map[string]any{"name": "1号评价器"})
	if got := termPost(t, w, token, map[string]any{"id": "r-1", "level": 5}).Summary(); got != "r-1:created" {
		t.Fatalf("first post: %s", got)
	}
	apptest.APIDo(t, w.Office, "DELETE", "/api/v1/terminals/"+apptest.Itoa(id), "", "").Decode(t, http.StatusOK, nil)
	body := `{"ratings":[{"id":"r-2","level":5}]}`
	apptest.WantAPIError(t, apptest.APIDo(t, w.Anon, "POST", "/api/v1/terminal/ratings", "application/json", body, "Authorization", "Bearer "+token), 401, "unauthorized")

	// Revoked by another instance (straight in Postgres): this instance's
	// cache still knows the token, but the write re-checks it.
	id2, token2 := w.CreateTerminal(t, w.A.ID, map[string]any{"name": "2号评价器"})
	if got := termPost(t, w, token2, map[string]any{"id": "s-1", "level": 5}).Summary(); got != "s-1:created" {
		t.Fatalf("first post of terminal 2: %s", got)
	}
	if _, err := w.App.Pool.Exec(context.Background(), `UPDATE terminals SET revoked_at = now() WHERE id = $1`, id2); err != nil {
		t.Fatal(err)
	}
	r := apptest.APIDo(t, w.Anon, "POST", "/api/v1/terminal/ratings", "application/json", `{"ratings":[{"id":"s-2","level":5},{"id":"s-1","level":5}]}`,
		"Authorization", "Bearer "+token2)
	apptest.WantAPIError(t, r, 401, "unauthorized")
	if n := fixtures.StoredRatings(t, w, w.A.ID); n != 2 {
		t.Errorf("%d ratings stored, want only the 2 sent before the revocations", n)
	}
}

func TestTerminalReplyShape(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	_, token := w.CreateTerminal(t, w.A.ID, map[string]any{"name": "1号评价器"})
	r := apptest.APIJSON(t, w.Anon, "POST", "/api/v1/terminal/ratings", map[string]any{"ratings": []map[string]any{{"id": "a", "level": 5}, {"id": "b", "level": 7}}},
		"Authorization", "Bearer "+token)
	var raw map[string]json.RawMessage
	r.Decode(t, http.StatusOK, &raw)
	for _, k := range []string{"accepted", "duplicates", "rejected", "results"} {
		if raw[k] == nil {
			t.Errorf("reply %s lacks %q", r.Body, k)
		}
	}
	var results []map[string]any
	json.Unmarshal(raw["results"], &results) //nolint:errcheck
	if len(results) != 2 || results[0]["error"] != nil || results[1]["error"] != "invalid" {
		t.Errorf("results %s: want no error on the created one and error invalid on the rejected one", raw["results"])
	}
}
