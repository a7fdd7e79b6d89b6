package ratingsapp_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// TestAbolishedUnitTakesNoRatings: from the day a unit is abolished, its
// QR page and its service points' pages say so and link to its successor
// (or list them), a rating posted is not stored, and its terminal's
// ratings made that day are refused with a Chinese JSON error while one
// made before the day (an offline terminal's) is stored; ratings stored
// before stay.
func TestAbolishedUnitTakesNoRatings(t *testing.T) {
	f := fixtures.NewPubFixture(t, apptest.Options{Env: map[string]string{"RATE_TERMINAL": "1000-M",
		"RATE_PUBLIC_CLIENT": "1000-M", "RATE_PUBLIC_CODE": "1000-M", "RATE_PUBLIC_PAGE": "1000-M"}})
	ctx := context.Background()
	succID, succCode := f.AddUnit(t, "市政务服务管理局")
	var point struct {
		ID int64
		QR struct{ Code string }
	}
	f.Office.JSON(t, "POST", "/api/v1/units/"+apptest.Itoa(f.UnitID)+"/points", map[string]string{"name": "政务服务大厅", "kind": "hall"}, &point)
	token := f.Terminal(t, "1号窗口评价器")
	res, body := f.Device("before").Rate(t, f.Code, fixtures.RatingForm("5"))
	fixtures.WantThanks(t, res, body)
	stored := f.Stored(t, f.UnitID)

	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Now().In(loc)
	today := now.Format(time.DateOnly)
	if _, err := f.App.Pool.Exec(ctx, `UPDATE units SET created_at = now() - interval '400 days'`); err != nil {
		t.Fatal(err)
	}
	apptest.APIJSON(t, f.Office, "POST", "/api/v1/units/"+apptest.Itoa(f.UnitID)+"/abolish", map[string]any{
		"abolished_on": today, "note": "机构改革，并入市政务服务管理局", "successor_ids": []int64{succID}}).Decode(t, http.StatusOK, nil)

	d := f.Device("after")
	for _, code := range []string{f.Code, point.QR.Code} {
		res, body = d.Do(t, "GET", "/q/"+code, nil)
		fixtures.WantPublicPage(t, res, body, http.StatusGone, "该单位已撤销", "不再接收评价", "机构改革，并入市政务服务管理局",
			`href="/q/`+succCode+`"`, "评价市政务服务管理局")
		res, body = d.Rate(t, code, fixtures.RatingForm("1", "comment", "办事太慢"))
		fixtures.WantPublicPage(t, res, body, http.StatusGone, "该单位已撤销")
	}
	if n := f.Stored(t, f.UnitID); n != stored {
		t.Fatalf("ratings %d after abolition, want %d", n, stored)
	}
	// Its successor's page takes ratings as before.
	res, body = d.Rate(t, succCode, fixtures.RatingForm("5"))
	fixtures.WantThanks(t, res, body)

	// The terminal: a rating of today is refused, so the whole batch is.
	var reply map[string]any
	res = f.PostTerminal(t, token, "after-1", &reply)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("terminal after abolition: status %d %v", res.StatusCode, reply)
	}
	if e, _ := reply["error"].(map[string]any); e == nil || !strings.Contains(e["message"].(string), "撤销") {
		t.Errorf("terminal refusal %v", reply)
	}
	// One made yesterday (stored offline) is taken, today's is not.
	yesterday := now.AddDate(0, 0, -1).Format(time.RFC3339)
	batch := map[string]any{"ratings": []map[string]any{{"id": "old-1", "level": 4, "rated_at": yesterday}, {"id": "new-1", "level": 4}}}
	var out struct {
		Accepted, Rejected int
		Results            []struct{ ID, Status, Error string }
	}
	res = f.App.Client().JSON(t, "POST", "/api/v1/terminal/ratings", batch, &out, "Authorization", "Bearer "+token)
	if res.StatusCode != http.StatusOK || out.Accepted != 1 || out.Rejected != 1 || out.Results[1].Error != "unit_abolished" {
		t.Fatalf("mixed batch: %d %+v", res.StatusCode, out)
	}
	if n := f.Stored(t, f.UnitID); n != stored+1 {
		t.Errorf("ratings %d, want %d", n, stored+1)
	}
}
