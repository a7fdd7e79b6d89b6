package windowapp_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/jackc/pgx/v5"

	"minyi/internal/audit"
	"minyi/internal/bizsys"
	"minyi/internal/db"
	"minyi/internal/testutil/apptest"
)

// What the business API refuses, each with the one JSON error shape.
func TestWindowRequestRefusals(t *testing.T) {
	w := newWindowWorld(t, apptest.Options{})
	app := w.App
	mk := func(change func(map[string]any)) apptest.APIReply {
		b := requestBody("r-1", "BJ-1", w.termID)
		change(b)
		return createRequest(t, app, w.bizToken, b)
	}
	// Unknown terminal, unknown window, a terminal of a unit not the system's.
	apptest.WantAPIError(t, mk(func(b map[string]any) { b["terminal_id"] = 999999 }), http.StatusNotFound, "not_found")
	apptest.WantAPIError(t, mk(func(b map[string]any) { delete(b, "terminal_id"); b["point_id"] = 999999 }),
		http.StatusNotFound, "not_found")
	apptest.WantAPIError(t, mk(func(b map[string]any) { b["terminal_id"] = w.termBID; b["item_code"] = "SX-B" }),
		http.StatusForbidden, "forbidden")
	// Bad fields: an item not in the unit's catalogue, an unknown stage,
	// no case number, both or neither target, a bad phone, a bad applicant.
	apptest.WantAPIError(t, mk(func(b map[string]any) { b["item_code"] = "SX-B" }), http.StatusUnprocessableEntity, "invalid", "item_code")
	apptest.WantAPIError(t, mk(func(b map[string]any) { b["stage"] = "9" }), http.StatusUnprocessableEntity, "invalid", "stage")
	apptest.WantAPIError(t, mk(func(b map[string]any) {
		b["case_no"], b["point_id"], b["phone"], b["applicant_type"], b["client_request_id"] = " ", w.pointID, "12345", 7, "坏"
	}), http.StatusUnprocessableEntity, "invalid", "case_no", "terminal_id", "phone", "applicant_type", "client_request_id")
	if n := app.Count(t, `SELECT count(*) FROM window_requests`); n != 0 {
		t.Fatalf("%d requests stored after refusals, want 0", n)
	}
	// Tokens: none, unknown, revoked, of a disabled system.
	apptest.WantAPIError(t, apptest.APIJSON(t, app.Client(), "POST", "/api/v1/business/requests", requestBody("x", "x", w.termID)),
		http.StatusUnauthorized, "unauthorized")
	apptest.WantAPIError(t, createRequest(t, app, "mb_nope", requestBody("x", "x", w.termID)), http.StatusUnauthorized, "unauthorized")
	_, other := addSystem(t, app, "另一系统", w.A.ID)
	ctx := context.Background()
	var ok requestReply
	createRequest(t, app, other, requestBody("o-1", "BJ-O", w.termID)).Decode(t, http.StatusCreated, &ok)
	// Another system cannot read it; its own can.
	apptest.WantAPIError(t, apptest.APIDo(t, app.Client(), "GET", "/api/v1/business/requests/"+ok.Request.ID, "", "",
		bearer(w.bizToken)...), http.StatusNotFound, "not_found")
	// The same client request id of another system is another request.
	var mine requestReply
	createRequest(t, app, w.bizToken, requestBody("o-1", "BJ-M", w.termID)).Decode(t, http.StatusCreated, &mine)
	if mine.Request.ID == ok.Request.ID {
		t.Fatal("two systems' requests with one client id were merged")
	}
	err := db.Tx(ctx, app.Pool, func(tx pgx.Tx) error {
		toks, err := bizsys.ListTokens(ctx, tx, []int64{w.sysID})
		if err != nil {
			return err
		}
		_, err = bizsys.RevokeToken(ctx, tx, audit.System, w.sysID, toks[0].ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	apptest.WantAPIError(t, createRequest(t, app, w.bizToken, requestBody("x", "x", w.termID)), http.StatusUnauthorized, "unauthorized")
	var otherID int64
	if err := app.Pool.QueryRow(ctx, `SELECT id FROM business_systems WHERE name = '另一系统'`).Scan(&otherID); err != nil {
		t.Fatal(err)
	}
	err = db.Tx(ctx, app.Pool, func(tx pgx.Tx) error {
		_, err := bizsys.SetDisabled(ctx, tx, audit.System, otherID, true)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	apptest.WantAPIError(t, createRequest(t, app, other, requestBody("x", "x", w.termID)), http.StatusUnauthorized, "unauthorized")
	// The terminal's side: a wait out of range, a malformed id, another
	// unit's terminal, a bad level.
	apptest.WantAPIError(t, next(t, app, w.term, "60"), http.StatusUnprocessableEntity, "invalid", "wait")
	apptest.WantAPIError(t, rate(t, app, w.term, "nope", map[string]any{"level": 5}), http.StatusNotFound, "not_found")
	apptest.WantAPIError(t, rate(t, app, w.termB, ok.Request.ID, map[string]any{"level": 5}), http.StatusNotFound, "not_found")
	apptest.WantAPIError(t, rate(t, app, w.term, ok.Request.ID, map[string]any{"level": 9}), http.StatusUnprocessableEntity, "invalid", "level")
	if n := app.Count(t, `SELECT count(*) FROM window_requests WHERE state = 'rated'`); n != 0 {
		t.Fatalf("%d requests rated after refusals, want 0", n)
	}
}
