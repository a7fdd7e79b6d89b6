package server_test

import (
	"net/http"
	"testing"

	"minyi/internal/testutil/apptest"
)

func TestTerminalReplayIsIdempotent(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	app.AddUser(t, "office1", "office-pass-1", "office", nil)
	c := app.Client()
	c.SignIn(t, "office1", "office-pass-1")
	var unit struct{ ID int64 }
	if res := c.JSON(t, "POST", "/api/v1/units", map[string]string{"name": "市政务服务中心", "category": "社会服务类"}, &unit); res.StatusCode != http.StatusCreated {
		t.Fatalf("create unit: %d", res.StatusCode)
	}
	var term struct{ Token string }
	c.JSON(t, "POST", "/api/v1/units/"+apptest.Itoa(unit.ID)+"/terminals", map[string]string{"name": "1号窗口"}, &term)
	batch := map[string]any{"ratings": []map[string]any{{"id": "r-1", "level": 5}, {"id": "r-2", "level": 2, "case_no": "BJ1"}}}
	for i, want := range []int{2, 0} {
		var out struct{ Accepted, Duplicates, Rejected int }
		res := app.Client().JSON(t, "POST", "/api/v1/terminal/ratings", batch, &out, "Authorization", "Bearer "+term.Token)
		if res.StatusCode != http.StatusOK || out.Accepted != want || out.Accepted+out.Duplicates != 2 {
			t.Fatalf("send %d: status %d, %+v", i, res.StatusCode, out)
		}
	}
	var list struct{ Total int }
	c.JSON(t, "GET", "/api/v1/units/"+apptest.Itoa(unit.ID)+"/ratings", nil, &list)
	if list.Total != 2 {
		t.Fatalf("stored %d ratings, want 2", list.Total)
	}
}
