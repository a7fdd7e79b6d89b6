package agenciesapp_test

import (
	"context"
	"testing"

	"github.com/xuri/excelize/v2"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// execSQL runs a statement, failing the test on error.
func execSQL(t *testing.T, w *fixtures.AgencyWorld, sql string, args ...any) {
	t.Helper()
	if _, err := w.App.Pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatal(err)
	}
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
func postBatch(t *testing.T, w *fixtures.AgencyWorld, token string, rows ...map[string]any) apptest.APIReply {
	t.Helper()
	return apptest.APIJSON(t, w.AgencyCl, "POST", "/api/v1/agency/responses", map[string]any{"responses": rows}, "Authorization", "Bearer "+token)
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
