package workdays_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/testutil"
	"minyi/internal/workdays"
)

// holidayCN2019 is the start of the 2019 file of the holiday-cn data (the
// State Council's 2019 notice, already in the shipped calendar): it opens
// with three days of 2018.
const holidayCN2019 = `{
	"year": 2019,
	"papers": ["http://www.gov.cn/zhengce/content/2018-12/06/content_5346276.htm"],
	"days": [
		{"name": "元旦", "date": "2018-12-29", "isOffDay": false},
		{"name": "元旦", "date": "2018-12-30", "isOffDay": true},
		{"name": "元旦", "date": "2018-12-31", "isOffDay": true},
		{"name": "元旦", "date": "2019-01-01", "isOffDay": true},
		{"name": "春节", "date": "2019-02-02", "isOffDay": false},
		{"name": "春节", "date": "2019-02-04", "isOffDay": true}
	]
}`

func importJSON(t *testing.T, text string, year int) (workdays.Import, error) {
	t.Helper()
	j, err := workdays.ParseJSON([]byte(text))
	if err != nil {
		t.Fatalf("ParseJSON: %v", err)
	}
	return j.Import(year)
}

func TestImportHolidayCN(t *testing.T) {
	imp, err := importJSON(t, holidayCN2019, 2019)
	if err != nil {
		t.Fatal(err)
	}
	want := []workdays.Day{
		{Date: "2019-01-01", Kind: workdays.Holiday, Name: "元旦"},
		{Date: "2019-02-02", Kind: workdays.Workday, Name: "春节"},
		{Date: "2019-02-04", Kind: workdays.Holiday, Name: "春节"},
	}
	if len(imp.Input.Days) != len(want) || imp.Input.Year != 2019 {
		t.Fatalf("imported %+v", imp.Input)
	}
	for i, d := range want {
		if imp.Input.Days[i] != d || imp.Index[i] != i+3 {
			t.Errorf("day %d: %+v at %d, want %+v at %d", i, imp.Input.Days[i], imp.Index[i], d, i+3)
		}
	}
	if imp.Input.Note != "http://www.gov.cn/zhengce/content/2018-12/06/content_5346276.htm" {
		t.Errorf("note %q", imp.Input.Note)
	}
	if len(imp.Other) != 3 || imp.Other[0] != (workdays.Day{Date: "2018-12-29", Kind: workdays.Workday, Name: "元旦"}) {
		t.Errorf("other %+v", imp.Other)
	}
	note := imp.OtherNote()
	for _, s := range []string{"另有3天不属于2019年", "2018-12-29 元旦班", "2018-12-31 元旦休", "2018年的工作日历"} {
		if !strings.Contains(note, s) {
			t.Errorf("note %q lacks %q", note, s)
		}
	}
	if err := imp.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}

	// A rule broken by a day names the day's place in the file.
	bad := strings.Replace(holidayCN2019, `"2019-02-02", "isOffDay": false`, `"2019-02-01", "isOffDay": false`, 1)
	imp, err = importJSON(t, bad, 2019)
	if err != nil {
		t.Fatal(err)
	}
	if e := apperr.From(imp.Validate()); e.Fields["days[4].date"] == "" || len(imp.Problems()) != 1 ||
		!strings.HasPrefix(imp.Problems()[0].String(), "第5项：调休上班日须为周六或周日") {
		t.Errorf("a weekday make-up day: %v, %v", e.Fields, imp.Problems())
	}
	// The office's own note wins over the papers.
	j, _ := workdays.ParseJSON([]byte(holidayCN2019))
	j.Note = "国办发明电〔2018〕15号"
	if imp, _ := j.Import(2019); imp.Input.Note != "国办发明电〔2018〕15号" {
		t.Errorf("note %q", imp.Input.Note)
	}
}

func TestImportRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, text, field string
	}{
		{"another year", holidayCN2019, "year"},
		{"empty", `{"year": 2027, "papers": [], "days": []}`, "days"},
		{"no isOffDay", `{"year": 2027, "papers": [], "days": [{"name": "元旦", "date": "2027-01-01"}]}`, "days[0].isOffDay"},
		{"bad date", `{"year": 2027, "days": [{"name": "元旦", "date": "2027-13-01", "isOffDay": true}]}`, "days[0].date"},
		{"only other years", `{"year": 2027, "days": [{"name": "元旦", "date": "2026-12-31", "isOffDay": true}]}`, "days"},
	} {
		year := 2027
		if tc.name == "another year" {
			year = 2020
		}
		_, err := importJSON(t, tc.text, year)
		if e := apperr.From(err); e.Code != apperr.Invalid || e.Fields[tc.field] == "" {
			t.Errorf("%s: %v, want invalid %s", tc.name, err, tc.field)
		}
	}
	for _, text := range []string{"", "[]", `{"days": [}`, `{} {}`, `{"days": "x"}`, strings.Repeat(" ", 65<<10) + "{}"} {
		if _, err := workdays.ParseJSON([]byte(text)); apperr.From(err).Fields["days"] == "" {
			t.Errorf("ParseJSON(%.20q): %v", text, err)
		}
	}
}

// TestImportOwnForm: Minyi's own JSON form is taken as it is, and its
// days of another year stay refused by the year's rules.
func TestImportOwnForm(t *testing.T) {
	imp, err := importJSON(t, `{"note": "通知", "days": [{"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
		{"date": "2028-01-01", "kind": "holiday", "name": "元旦"}]}`, 2027)
	if err != nil || len(imp.Input.Days) != 2 || len(imp.Other) != 0 || imp.Input.Note != "通知" {
		t.Fatalf("own form: %+v, %v", imp, err)
	}
	if e := apperr.From(imp.Validate()); e.Fields["days[1].date"] == "" {
		t.Errorf("a day of 2028 in 2027: %v", e.Fields)
	}
}

// FuzzImportJSON feeds JSON years, in either form, through ParseJSON,
// Import and the rules. Properties: nothing panics; an import keeps every
// day of the year and only those, each in its place in the file, and sets
// the others apart; holiday-cn's isOffDay true is a holiday and false a
// make-up workday; what Validate accepts Postgres stores (SaveYear in a
// transaction then rolled back).
func FuzzImportJSON(f *testing.F) {
	f.Add([]byte(holidayCN2019), 2019)
	f.Add([]byte(`{"year": 2027, "papers": [], "days": []}`), 2027)
	f.Add([]byte(`{"note": "x", "days": [{"date": "2027-01-01", "kind": "holiday", "name": "元旦"}]}`), 2027)
	f.Add([]byte(`{"year": 2027, "days": [{"name": "元\u0000旦", "date": "2027-01-01", "isOffDay": true}]}`), 2027)
	f.Add([]byte(`{"year": 2027, "days": [{"name": "春节", "date": "2027-02-08", "isOffDay": false}]}`), 2027)
	f.Add([]byte(`{"year": 2027, "papers": ["`+strings.Repeat("长", 300)+`"], "days": [{"name": "元旦", "date": " 2027-01-01 ", "isOffDay": true}]}`), 2027)
	f.Add([]byte(`{"year": -1, "days": [{"date": "0000-01-01", "isOffDay": true}]}`), -1)
	pool := testutil.DB(f)
	ctx := context.Background()
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte, year int) {
		j, err := workdays.ParseJSON(data)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("ParseJSON: %v", err)
			}
			return
		}
		imp, err := j.Import(year)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) || len(apperr.From(err).Fields) == 0 {
				t.Fatalf("Import: %v", err)
			}
			return
		}
		if len(imp.Index) != len(imp.Input.Days) || imp.Input.Year != year {
			t.Fatalf("%d days, %d places, year %d", len(imp.Input.Days), len(imp.Index), imp.Input.Year)
		}
		if j.HolidayCN() {
			if len(imp.Input.Days)+len(imp.Other) != len(j.Days) {
				t.Fatalf("%d days + %d others of %d", len(imp.Input.Days), len(imp.Other), len(j.Days))
			}
			for i, d := range imp.Input.Days {
				src := j.Days[imp.Index[i]]
				if yearOf(d.Date) != year || (d.Kind == workdays.Holiday) != *src.IsOffDay || d.Name != src.Name ||
					(i > 0 && imp.Index[i] <= imp.Index[i-1]) {
					t.Fatalf("day %+v from %+v", d, src)
				}
			}
			for _, d := range imp.Other {
				if yearOf(d.Date) == year {
					t.Fatalf("a day of the year set apart: %+v", d)
				}
			}
		}
		imp.Input.Normalize()
		if imp.Validate() != nil {
			if len(imp.Problems()) == 0 {
				t.Fatal("Validate refuses the import but Problems reports nothing")
			}
			return
		}
		err = db.Tx(ctx, pool, func(tx pgx.Tx) error {
			if _, err := workdays.SaveYear(ctx, tx, audit.System, imp.Input, now); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			b, _ := json.Marshal(imp.Input)
			t.Fatalf("validated import not stored: %v (%s)", err, b)
		}
	})
}
