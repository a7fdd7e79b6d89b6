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
	"minyi/internal/testutil/apptest/fixtures"
)

// windowWorld is a unit A with a service item, a window with a terminal,
// a second terminal at no window, and a business system for A with a
// token; B is another unit with a terminal of its own.
type windowWorld struct {
	*fixtures.APIWorld
	sysID                    int64
	bizToken                 string
	pointID                  int64
	termID, term2ID, termBID int64
	term, term2, termB       string
}

func newWindowWorld(t *testing.T, opt apptest.Options) *windowWorld {
	t.Helper()
	w := &windowWorld{APIWorld: fixtures.NewAPIWorld(t, opt)}
	ctx := context.Background()
	if _, err := w.App.Pool.Exec(ctx, `INSERT INTO service_items (unit_id, code, name) VALUES
		($1, 'SX-1', '企业设立登记'), ($2, 'SX-B', '乙单位事项')`, w.A.ID, w.B.ID); err != nil {
		t.Fatal(err)
	}
	var point struct {
		ID int64 `json:"id"`
	}
	w.Office.JSON(t, "POST", "/api/v1/units/"+apptest.Itoa(w.A.ID)+"/points", map[string]string{"name": "3号窗口", "kind": "window"}, &point)
	w.pointID = point.ID
	w.termID, w.term = w.CreateTerminal(t, w.A.ID, map[string]any{"name": "3号窗口评价器", "point_id": point.ID})
	w.term2ID, w.term2 = w.CreateTerminal(t, w.A.ID, map[string]any{"name": "大厅评价器"})
	w.termBID, w.termB = w.CreateTerminal(t, w.B.ID, map[string]any{"name": "乙单位评价器"})
	w.sysID, w.bizToken = addSystem(t, w.App, "综合受理平台", w.A.ID)
	return w
}

// addSystem adds a business system for the units and issues it a token.
func addSystem(t *testing.T, app *apptest.App, name string, units ...int64) (int64, string) {
	t.Helper()
	var id int64
	var token string
	err := db.Tx(context.Background(), app.Pool, func(tx pgx.Tx) error {
		s, err := bizsys.Create(context.Background(), tx, audit.System, bizsys.Input{Name: name, UnitIDs: units})
		if err != nil {
			return err
		}
		id = s.ID
		_, token, err = bizsys.IssueToken(context.Background(), tx, audit.System, s.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id, token
}

// requestReply is the business API's answer.
type requestReply struct {
	Request struct {
		ID              string  `json:"id"`
		ClientRequestID string  `json:"client_request_id"`
		State           string  `json:"state"`
		RatingID        *string `json:"rating_id"`
		CaseNo          string  `json:"case_no"`
		PhoneMask       *string `json:"phone_mask"`
	} `json:"request"`
}

// terminalReply is the terminal API's answer about a request.
type terminalReply struct {
	Status  string `json:"status"`
	Request struct {
		ID        string  `json:"id"`
		State     string  `json:"state"`
		CaseNo    string  `json:"case_no"`
		ItemCode  string  `json:"item_code"`
		ItemName  string  `json:"item_name"`
		Stage     string  `json:"stage"`
		StageName string  `json:"stage_name"`
		StaffNo   string  `json:"staff_no"`
		RatingID  *string `json:"rating_id"`
	} `json:"request"`
}

func bearer(token string) []string { return []string{"Authorization", "Bearer " + token} }

// createRequest posts a request body as the system's token to app.
func createRequest(t *testing.T, app *apptest.App, token string, body map[string]any) apptest.APIReply {
	t.Helper()
	return apptest.APIJSON(t, app.Client(), "POST", "/api/v1/business/requests", body, bearer(token)...)
}

// requestBody is a valid request for the window's terminal.
func requestBody(clientID, caseNo string, termID int64) map[string]any {
	return map[string]any{"client_request_id": clientID, "case_no": caseNo, "item_code": "SX-1", "stage": "2",
		"terminal_id": termID, "window": "3", "staff_no": "GH-017", "applicant_type": 1}
}

// next asks for the terminal's next request, holding for wait seconds.
func next(t *testing.T, app *apptest.App, token, wait string) apptest.APIReply {
	t.Helper()
	return apptest.APIDo(t, app.Client(), "GET", "/api/v1/terminal/requests/next?wait="+wait, "", "", bearer(token)...)
}

// rate posts the terminal's rating of the request.
func rate(t *testing.T, app *apptest.App, token, id string, body map[string]any) apptest.APIReply {
	t.Helper()
	return apptest.APIJSON(t, app.Client(), "POST", "/api/v1/terminal/requests/"+id+"/rating", body, bearer(token)...)
}

func wantStatus(t *testing.T, r apptest.APIReply, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
}

var _ = http.StatusOK
