package server_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"

	"minyi/internal/audit"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/testutil/apptest"
)

// agencyWorld is an apiWorld with an open survey (overall and efficiency
// questions; NPC deputies and experts taking part) and one agency of it
// with a token. Unit A has the short code ZWZX.
type agencyWorld struct {
	*apiWorld
	survey   int64
	agency   int64
	token    string
	clock    *apiClock
	agencyCl *apptest.Client
}

// agencyNow is the tests' clock: 2025-11-20 10:00 in Shanghai.
var agencyNow = time.Date(2025, 11, 20, 2, 0, 0, 0, time.UTC)

func newAgencyWorld(t *testing.T) *agencyWorld {
	t.Helper()
	clock := &apiClock{t: agencyNow}
	w := &agencyWorld{apiWorld: newAPIWorld(t, apptest.Options{Now: clock.Now}), clock: clock}
	apiJSON(t, w.office, "PATCH", "/api/v1/units/"+itoa(w.a.ID), map[string]string{"short_code": "ZWZX"}).decode(t, http.StatusOK, nil)
	w.survey = w.insertSurvey(t, "2025年度满意度调查", "open")
	w.agency = w.createAgency(t, w.survey, "甲调查公司")
	w.token = w.issueToken(t, w.agency)
	w.agencyCl = w.app.Client()
	return w
}

// insertSurvey adds a cycle and a survey of it with plain SQL (the surveys
// package is not needed here) and returns the survey's id.
func (w *agencyWorld) insertSurvey(t *testing.T, title, status string) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := db.Tx(ctx, w.app.Pool, func(tx pgx.Tx) error {
		cy, err := cycles.CreateCycle(ctx, tx, audit.System, cycles.CycleInput{Name: title + "考核", Year: 2025,
			PeriodStart: "2025-01-01", PeriodEnd: "2025-12-31"}, cycles.DefaultConfig([]float64{100, 80, 60, 30, 0}))
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO surveys (cycle_id, title, questions, status) VALUES ($1, $2, $3, $4) RETURNING id`,
			cy.ID, title, `[{"key":"overall","text":"总体满意度","kind":"overall"},{"key":"efficiency","text":"办事效率","kind":"aspect"}]`,
			status).Scan(&id); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO survey_groups (survey_id, group_key) VALUES ($1, 'npc_deputies'), ($1, 'experts')`, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (w *agencyWorld) createAgency(t *testing.T, survey int64, name string) int64 {
	t.Helper()
	var a struct{ ID int64 }
	apiJSON(t, w.office, "POST", "/api/v1/surveys/"+itoa(survey)+"/agencies", map[string]string{"name": name, "contact": "张三"}).
		decode(t, http.StatusCreated, &a)
	return a.ID
}

func (w *agencyWorld) issueToken(t *testing.T, agency int64) string {
	t.Helper()
	var out struct {
		Token string `json:"token"`
	}
	apiJSON(t, w.office, "POST", "/api/v1/agencies/"+itoa(agency)+"/tokens", map[string]any{}).decode(t, http.StatusCreated, &out)
	return out.Token
}

func (w *agencyWorld) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if _, err := w.app.Pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatal(err)
	}
}

func (w *agencyWorld) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := w.app.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// agencyUploadReply is an upload as the API returns it.
type agencyUploadReply struct {
	ID            int64  `json:"id"`
	Format        string `json:"format"`
	Filename      string `json:"filename"`
	RowsTotal     int    `json:"rows_total"`
	RowsStored    int    `json:"rows_stored"`
	RowsDuplicate int    `json:"rows_duplicate"`
	RowsInvalid   int    `json:"rows_invalid"`
	Report        struct {
		Errors []struct {
			Row        int    `json:"row"`
			ResponseID string `json:"response_id"`
			Field      string `json:"field"`
			Column     string `json:"column"`
			Message    string `json:"message"`
		} `json:"errors"`
		Duplicates []struct {
			Row        int    `json:"row"`
			ResponseID string `json:"response_id"`
		} `json:"duplicates"`
	} `json:"report"`
}

// errorAt returns the message of the report's problem at row and field.
func (u agencyUploadReply) errorAt(row int, field string) string {
	for _, e := range u.Report.Errors {
		if e.Row == row && e.Field == field {
			return e.Message
		}
	}
	return ""
}

// postBatch sends a JSON batch with the token.
func (w *agencyWorld) postBatch(t *testing.T, token string, rows ...map[string]any) apiReply {
	t.Helper()
	return apiJSON(t, w.agencyCl, "POST", "/api/v1/agency/responses", map[string]any{"responses": rows}, "Authorization", "Bearer "+token)
}

// multipartBody returns a form with the file in the field "file" and the
// other fields, and its Content-Type.
func multipartBody(t *testing.T, filename string, data []byte, fields map[string]string) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return buf.String(), mw.FormDataContentType()
}

// postFile uploads a file with the token.
func (w *agencyWorld) postFile(t *testing.T, token, filename string, data []byte) apiReply {
	t.Helper()
	body, ctype := multipartBody(t, filename, data, nil)
	return apiDo(t, w.agencyCl, "POST", "/api/v1/agency/responses/file", ctype, body, "Authorization", "Bearer "+token)
}

// xlsxFile builds a workbook with the rows from A1; edit may change it.
func xlsxFile(t *testing.T, rows [][]any, edit func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	if edit != nil {
		edit(f)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
