package workdaysapp_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// workdayYearReply is a year as the API returns it.
type workdayYearReply struct {
	Year     int    `json:"year"`
	Source   string `json:"source"`
	Note     string `json:"note"`
	Holidays int    `json:"holidays"`
	Workdays int    `json:"workdays"`
	Days     []struct {
		Date string `json:"date"`
		Kind string `json:"kind"`
		Name string `json:"name"`
	} `json:"days"`
}

// newWorkdayWorld is the API world on 21 November 2026, before the State
// Council has announced 2027.
func newWorkdayWorld(t *testing.T) *fixtures.APIWorld {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, loc)
	return fixtures.NewAPIWorld(t, apptest.Options{Now: func() time.Time { return now }})
}

func TestAPIWorkdays(t *testing.T) {
	w := newWorkdayWorld(t)

	// Units read the calendar: the seeded years 2017–2026, newest first.
	var list struct {
		Items []workdayYearReply `json:"items"`
	}
	apptest.APIJSON(t, w.UnitUser, "GET", "/api/v1/workdays", nil).Decode(t, http.StatusOK, &list)
	if len(list.Items) != 10 || list.Items[0].Year != 2026 || list.Items[0].Source != "seed" ||
		list.Items[0].Holidays != 33 || list.Items[0].Workdays != 6 || list.Items[9].Year != 2017 {
		t.Errorf("years %+v", list.Items)
	}
	var y2024 workdayYearReply
	apptest.APIJSON(t, w.UnitUser, "GET", "/api/v1/workdays/2024", nil).Decode(t, http.StatusOK, &y2024)
	found := false
	for _, d := range y2024.Days {
		found = found || d.Date == "2024-02-04" && d.Kind == "workday" && d.Name == "春节"
	}
	if !found || y2024.Holidays != 30 || y2024.Workdays != 8 {
		t.Errorf("2024: %d holidays, %d workdays, 2024-02-04 make-up day %v", y2024.Holidays, y2024.Workdays, found)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "GET", "/api/v1/workdays/2027", nil), http.StatusNotFound, "not_found")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "GET", "/api/v1/workdays/abc", nil), http.StatusNotFound, "not_found")

	// Deadlines.
	var due struct {
		Start, Due  string
		Days        int
		DueWeekday  string `json:"due_weekday"`
		Provisional bool
		AbsentYears []int `json:"absent_years"`
	}
	apptest.APIJSON(t, w.UnitUser, "GET", "/api/v1/workdays/deadline?start=2024-09-30&days=1", nil).Decode(t, http.StatusOK, &due)
	if due.Due != "2024-10-08" || due.DueWeekday != "星期二" || due.Days != 1 || due.Start != "2024-09-30" || due.Provisional ||
		due.AbsentYears == nil || len(due.AbsentYears) != 0 {
		t.Errorf("deadline %+v", due)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "GET", "/api/v1/workdays/deadline?start=2024-02-30&days=-1", nil),
		http.StatusUnprocessableEntity, "invalid", "start", "days")
	// Into 2027, not entered yet: provisional, weekends only.
	apptest.APIJSON(t, w.UnitUser, "GET", "/api/v1/workdays/deadline?start=2026-12-20&days=15", nil).Decode(t, http.StatusOK, &due)
	if due.Due != "2027-01-08" || !due.Provisional || len(due.AbsentYears) != 1 || due.AbsentYears[0] != 2027 {
		t.Errorf("deadline into 2027 %+v", due)
	}

	// Only the office edits.
	body := map[string]any{"note": "国办发明电〔2026〕号", "days": []map[string]string{
		{"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
		{"date": "2027-02-07", "kind": "workday", "name": "春节"},
	}}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "PUT", "/api/v1/workdays/2027", body), http.StatusForbidden, "forbidden")
	bad := map[string]any{"days": []map[string]string{
		{"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
		{"date": "2027-02-08", "kind": "workday", "name": "春节"},
		{"date": "2028-01-01", "kind": "holiday", "name": "元旦"},
		{"date": "2027-01-01", "kind": "workday", "name": ""},
	}}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "PUT", "/api/v1/workdays/2027", bad), http.StatusUnprocessableEntity, "invalid",
		"days[1].date", "days[2].date", "days[3].date", "days[3].name")

	var saved workdayYearReply
	apptest.APIJSON(t, w.Office, "PUT", "/api/v1/workdays/2027", body).Decode(t, http.StatusCreated, &saved)
	if saved.Year != 2027 || saved.Source != "office" || saved.Holidays != 1 || saved.Workdays != 1 || len(saved.Days) != 2 {
		t.Errorf("saved %+v", saved)
	}
	apptest.APIJSON(t, w.Office, "PUT", "/api/v1/workdays/2027", body).Decode(t, http.StatusOK, &saved) // a retry
	apptest.APIJSON(t, w.UnitUser, "GET", "/api/v1/workdays/deadline?start=2026-12-20&days=15", nil).Decode(t, http.StatusOK, &due)
	if due.Due != "2027-01-11" || due.Provisional { // 21–25, 28–31 Dec (9), 1 Jan off, 4–8 Jan (14), 11 Jan (15)
		t.Errorf("deadline across the year end: %s", due.Due)
	}

	// A correction of a seeded year makes it the office's.
	var y2026 workdayYearReply
	apptest.APIJSON(t, w.Office, "GET", "/api/v1/workdays/2026", nil).Decode(t, http.StatusOK, &y2026)
	y2026.Days = append(y2026.Days, y2026.Days[0])
	y2026.Days[len(y2026.Days)-1].Date, y2026.Days[len(y2026.Days)-1].Name = "2026-12-31", "元旦"
	apptest.APIJSON(t, w.Office, "PUT", "/api/v1/workdays/2026", map[string]any{"note": "更正", "days": y2026.Days}).Decode(t, http.StatusOK, &saved)
	if saved.Source != "office" || saved.Holidays != 34 || saved.Note != "更正" {
		t.Errorf("corrected 2026 %+v", saved)
	}

	// Each change is audited once; the retry wrote nothing.
	var actions []string
	rows, err := w.App.Pool.Query(context.Background(),
		`SELECT action || ' ' || entity_id || ' ' || actor FROM audit_log WHERE entity = 'workday_year' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		actions = append(actions, s)
	}
	if len(actions) != 2 || actions[0] != "workdays.create 2027 office1" || actions[1] != "workdays.update 2026 office1" {
		t.Errorf("audit %v", actions)
	}
}
