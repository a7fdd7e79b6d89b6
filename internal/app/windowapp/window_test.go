package windowapp_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
	"minyi/internal/windowreq"
)

// The triggered flow across two instances on one database and Redis: a
// terminal holds its poll on instance B, the business system creates the
// request on instance A, the poll answers at once; the terminal rates on
// B, the system reads the state on A. Retries of both sides are
// idempotent.
func TestWindowRequestAcrossTwoInstances(t *testing.T) {
	w := newWindowWorld(t, apptest.Options{})
	a := w.App
	b := apptest.New(t, apptest.Options{SameAs: a, Env: map[string]string{"RATE_TERMINAL": "10000-M"}})

	type polled struct {
		r  apptest.APIReply
		at time.Time
	}
	done := make(chan polled, 1)
	go func() {
		r := next(t, b, w.term, "20")
		done <- polled{r, time.Now()}
	}()
	// Wait until B's hub has subscribed (the poll is held), then create.
	ctx := context.Background()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, err := a.Redis.PubSubNumSub(ctx, windowreq.Channel(a.Prefix)).Result()
		if err != nil {
			t.Fatal(err)
		}
		if n[windowreq.Channel(a.Prefix)] > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("instance B never subscribed to the wake-ups")
		}
		time.Sleep(20 * time.Millisecond)
	}
	created := time.Now()
	body := requestBody("bj-1", "BJ-2026-0001", w.termID)
	body["phone"] = "13800138000"
	var req requestReply
	createRequest(t, a, w.bizToken, body).Decode(t, http.StatusCreated, &req)
	if req.Request.State != windowreq.Waiting || req.Request.PhoneMask == nil || *req.Request.PhoneMask == "13800138000" {
		t.Fatalf("created %+v, want waiting with a masked phone", req.Request)
	}

	var p polled
	select {
	case p = <-done:
	case <-time.After(25 * time.Second):
		t.Fatal("the held poll on B never answered")
	}
	if took := p.at.Sub(created); took > 3*time.Second {
		t.Fatalf("the poll answered %v after the request: not woken, timed out", took)
	}
	var got terminalReply
	p.r.Decode(t, http.StatusOK, &got)
	if got.Request.ID != req.Request.ID || got.Request.State != windowreq.Shown || got.Request.CaseNo != "BJ-2026-0001" ||
		got.Request.ItemName != "企业设立登记" || got.Request.StageName != "受理" || got.Request.StaffNo != "GH-017" {
		t.Fatalf("terminal got %+v", got.Request)
	}
	// The system sees it shown, from A.
	var state requestReply
	apptest.APIDo(t, a.Client(), "GET", "/api/v1/business/requests/"+req.Request.ID, "", "", bearer(w.bizToken)...).
		Decode(t, http.StatusOK, &state)
	if state.Request.State != windowreq.Shown {
		t.Fatalf("state %q, want shown", state.Request.State)
	}
	// A retry of the create answers the same request, 200, unchanged.
	var again requestReply
	createRequest(t, a, w.bizToken, body).Decode(t, http.StatusOK, &again)
	if again.Request.ID != req.Request.ID || again.Request.State != windowreq.Shown {
		t.Fatalf("retry answered %+v", again.Request)
	}

	// The terminal rates on B; a replay is a duplicate of the same rating.
	var rated, replay terminalReply
	rate(t, b, w.term, req.Request.ID, map[string]any{"level": 2, "reasons": []string{"等候时间长"}, "comment": "排队太久"}).
		Decode(t, http.StatusOK, &rated)
	rate(t, b, w.term, req.Request.ID, map[string]any{"level": 5}).Decode(t, http.StatusOK, &replay)
	if rated.Status != "created" || replay.Status != "duplicate" || rated.Request.RatingID == nil ||
		replay.Request.RatingID == nil || *rated.Request.RatingID != *replay.Request.RatingID {
		t.Fatalf("rating %+v, replay %+v", rated, replay)
	}
	apptest.APIDo(t, a.Client(), "GET", "/api/v1/business/requests/"+req.Request.ID, "", "", bearer(w.bizToken)...).
		Decode(t, http.StatusOK, &state)
	if state.Request.State != windowreq.Rated || state.Request.RatingID == nil || *state.Request.RatingID != *rated.Request.RatingID {
		t.Fatalf("state after rating %+v", state.Request)
	}
	// The rating is bound to the case, item, stage, window, staff and applicant.
	var caseNo, item, stage, window, staff string
	var level, applicant, pf int
	if err := a.Pool.QueryRow(ctx, `SELECT case_no, item_code, stage, window_no, staff_no, level, applicant_type, pf
		FROM ratings WHERE id = $1`, *rated.Request.RatingID).Scan(&caseNo, &item, &stage, &window, &staff, &level, &applicant, &pf); err != nil {
		t.Fatal(err)
	}
	if caseNo != "BJ-2026-0001" || item != "SX-1" || stage != "2" || window != "3" || staff != "GH-017" ||
		level != 2 || applicant != 1 || pf != 4 {
		t.Fatalf("stored rating %s %s %s %s %s level %d applicant %d pf %d", caseNo, item, stage, window, staff, level, applicant, pf)
	}
	if n := a.Count(t, `SELECT count(*) FROM ratings WHERE case_no = 'BJ-2026-0001'`); n != 1 {
		t.Fatalf("%d ratings of the case, want 1", n)
	}
	// One rating per (unit, 办件编号, stage): a request for a case rated at
	// that stage is refused at once; one created before the case was rated
	// is refused when the terminal posts its rating.
	apptest.WantAPIError(t, createRequest(t, a, w.bizToken, requestBody("bj-2", "BJ-2026-0001", w.termID)),
		http.StatusConflict, "conflict", "case_no")
	var early, late requestReply
	createRequest(t, a, w.bizToken, requestBody("bj-3", "BJ-2026-0003", w.termID)).Decode(t, http.StatusCreated, &early)
	createRequest(t, a, w.bizToken, requestBody("bj-4", "BJ-2026-0003", w.termID)).Decode(t, http.StatusCreated, &late)
	wantStatus(t, rate(t, b, w.term, early.Request.ID, map[string]any{"level": 5}), http.StatusOK)
	r := rate(t, b, w.term, late.Request.ID, map[string]any{"level": 5})
	apptest.WantAPIError(t, r, http.StatusConflict, "conflict", "case_no")
}

// A request for a window reaches the window's terminal (the poll on the
// other instance is woken by the window's key) and not a terminal at no
// window; a cheap poll answers at once.
func TestWindowRequestForAWindow(t *testing.T) {
	w := newWindowWorld(t, apptest.Options{})
	b := apptest.New(t, apptest.Options{SameAs: w.App, Env: map[string]string{"RATE_TERMINAL": "10000-M"}})
	wantStatus(t, next(t, b, w.term, "0"), http.StatusNoContent)
	body := requestBody("win-1", "BJ-7", 0)
	delete(body, "terminal_id")
	body["point_id"] = w.pointID
	var req requestReply
	createRequest(t, w.App, w.bizToken, body).Decode(t, http.StatusCreated, &req)
	wantStatus(t, next(t, b, w.term2, "0"), http.StatusNoContent)
	var got terminalReply
	next(t, b, w.term, "0").Decode(t, http.StatusOK, &got)
	if got.Request.ID != req.Request.ID {
		t.Fatalf("window terminal got %+v", got.Request)
	}
	// The terminal not at the window cannot rate it.
	apptest.WantAPIError(t, rate(t, b, w.term2, req.Request.ID, map[string]any{"level": 5}), http.StatusNotFound, "not_found")
}

// Unanswered requests expire after WINDOW_REQUEST_TTL: the state reads
// expired at once, the terminal no longer gets it nor may rate it, and the
// maintenance records it.
func TestWindowRequestExpiry(t *testing.T) {
	clock := apptest.NewClock(time.Date(2026, 3, 16, 9, 0, 0, 0, apptest.Shanghai))
	w := newWindowWorld(t, apptest.Options{Now: clock.Now, Env: map[string]string{"WINDOW_REQUEST_TTL": "2m"}})
	var req requestReply
	createRequest(t, w.App, w.bizToken, requestBody("exp-1", "BJ-8", w.termID)).Decode(t, http.StatusCreated, &req)
	clock.Set(clock.Now().Add(2*time.Minute + time.Second))
	var state requestReply
	apptest.APIDo(t, w.App.Client(), "GET", "/api/v1/business/requests/"+req.Request.ID, "", "", bearer(w.bizToken)...).
		Decode(t, http.StatusOK, &state)
	if state.Request.State != windowreq.Expired {
		t.Fatalf("state %q after the TTL, want expired", state.Request.State)
	}
	wantStatus(t, next(t, w.App, w.term, "0"), http.StatusNoContent)
	apptest.WantAPIError(t, rate(t, w.App, w.term, req.Request.ID, map[string]any{"level": 5}), http.StatusConflict, "conflict")
	n, err := windowreq.Expire(context.Background(), w.App.Pool, clock.Now())
	if err != nil || n != 1 {
		t.Fatalf("Expire marked %d (%v), want 1", n, err)
	}
	if got := w.App.Count(t, `SELECT count(*) FROM window_requests WHERE state = 'expired' AND expired_at IS NOT NULL`); got != 1 {
		t.Fatalf("%d requests stored expired, want 1", got)
	}
	if got := w.App.Count(t, `SELECT count(*) FROM ratings`); got != 0 {
		t.Fatalf("%d ratings after an expired request, want 0", got)
	}
	// Kept for windowreq.KeepRequests, then pruned; a request made later
	// stays.
	createRequest(t, w.App, w.bizToken, requestBody("exp-2", "BJ-9", w.termID)).Decode(t, http.StatusCreated, nil)
	if n, err := windowreq.Prune(context.Background(), w.App.Pool, clock.Now().Add(windowreq.KeepRequests-time.Hour)); err != nil || n != 0 {
		t.Fatalf("pruned %d (%v) before the keeping time, want 0", n, err)
	}
	if n, err := windowreq.Prune(context.Background(), w.App.Pool, clock.Now().Add(windowreq.KeepRequests)); err != nil || n != 1 {
		t.Fatalf("pruned %d (%v), want the expired request only", n, err)
	}
	if got := w.App.Count(t, `SELECT count(*) FROM window_requests`); got != 1 {
		t.Fatalf("%d requests left, want the open one", got)
	}
}
