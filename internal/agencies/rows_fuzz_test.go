package agencies_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"minyi/internal/agencies"
	"minyi/internal/safetext"
	"minyi/internal/sheet"
	"minyi/internal/surveys"
	"minyi/internal/units"
)

// rowSeed is one row as an agency sends it: a JSON object of a batch, and
// the cells of a file row under fileHeader.
type rowSeed struct {
	json string
	file []string
}

var fileHeader = []string{"答卷编号", "单位", "受访群体", "总体满意度", "办事效率", "意见建议", "日期"}

// rowSeeds are the fuzz target's seed corpus, also stored in Postgres by
// TestAgencyRowSeedsStore: good rows, bad rows, and the hostile text of
// issue 9 (NUL, control characters, bytes that are not UTF-8, long values).
var rowSeeds = []rowSeed{
	{`{"response_id":"S1","unit":"TAX","group":"人大代表","level":5,"aspects":{"efficiency":4},"opinion":"很好","date":"2025-11-01"}`,
		[]string{"S1", "TAX", "人大代表", "5", "4", "很好", "2025-11-01"}},
	{`{"response_id":"S2","unit":"市政务服务中心","group":"experts","level":"不满意"}`,
		[]string{"S2", "市政务服务中心", "experts", "不满意", "", "", ""}},
	{`{"response_id":"S3","unit":"TAX","group":"人大代表","level":5,"opinion":"好\u0000"}`,
		[]string{"S3", "TAX", "人大代表", "5", "", "好\x00", ""}},
	{`{"response_id":"S4\u0007","unit":"TAX\u001b[31m","group":"人大代表","level":5}`,
		[]string{"S4\x07", "TAX\x1b[31m", "人大代表", "5", "", "", ""}},
	{`{"response_id":"S5","unit":"TAX","group":"人大代表","level":5,"aspects":{"eff\u0000":5,"efficiency":"\u007f"}}`,
		[]string{"S5", "TAX", "人大代表", "5", "\x7f", "", ""}},
	{`{"response_id":"S6","unit":"TAX","group":"人大代表","level":5,"bad\u0000key":1}`,
		[]string{"S6\xff", "TAX", "\xe4\xb8", "5", "", "", ""}},
	{`{"response_id":"` + strings.Repeat("长", 101) + `","unit":"` + strings.Repeat("局", 5000) + `","group":"人大代表","level":"` + strings.Repeat("9", 3000) + `"}`,
		[]string{"S7", "TAX", "人大代表", "5", "", strings.Repeat("长", 1001), "2025-13-45"}},
	{`{"response_id":"S8","unit_id":"99999999999999999999","group":"人大代表","level":-1,"date":"2025/11/2"}`,
		[]string{"S8", "tax", "专家学者", "1", "5", "", "2025年11月2日"}},
	{`[1,2]`, []string{"", "", "", "", "", "", ""}},
}

// fuzzCatalog is the catalog of newWorld without a database: units TAX
// (市税务局) and 市政务服务中心, NPC deputies and experts taking part,
// overall, efficiency and attitude questions, opinions allowed.
func fuzzCatalog() *agencies.Catalog {
	tax := "TAX"
	var qs []surveys.Question
	if err := json.Unmarshal([]byte(questions), &qs); err != nil {
		panic(err)
	}
	return &agencies.Catalog{
		Survey: surveys.Survey{ID: 1, AllowOpinion: true, Status: surveys.StatusOpen, Questions: qs,
			Groups: []surveys.Group{{Key: "npc_deputies", Name: "人大代表", AllUnits: true}, {Key: "experts", Name: "专家学者", AllUnits: true}}},
		Units: []units.Unit{{ID: 1, Name: "市税务局", ShortCode: &tax}, {ID: 2, Name: "市政务服务中心"}},
	}
}

// seedRows reads a seed the ways an upload does: its JSON object as a
// one-row batch, its cells as a one-row file.
func seedRows(t testing.TB, cat *agencies.Catalog, jsonRow []byte, cells []string) []agencies.RowInput {
	rows, err := agencies.RowsFromJSON([]json.RawMessage{jsonRow})
	if err != nil {
		t.Fatalf("RowsFromJSON: %v", err)
	}
	table := &sheet.Table{Format: sheet.FormatCSV, Header: fileHeader, Rows: []sheet.Row{{Line: 2, Cells: cells}}}
	fileRows, err := agencies.RowsFromTable(table, cat.Survey)
	if err != nil {
		t.Fatalf("RowsFromTable: %v", err)
	}
	return append(rows, fileRows...)
}

// FuzzAgencyRows checks the agency row mapping on arbitrary rows, from a
// JSON batch and from a file: it never panics; a row it accepts has
// readable texts within their lengths and values from the catalog; every
// text of a row's report is readable (the report is stored as jsonb, which
// refuses NUL) and its messages stay short.
func FuzzAgencyRows(f *testing.F) {
	for _, s := range rowSeeds {
		f.Add([]byte(s.json), s.file[0], s.file[1], s.file[2], s.file[3], s.file[4], s.file[5], s.file[6])
	}
	cat := fuzzCatalog()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2025, 11, 20, 10, 0, 0, 0, loc)
	f.Fuzz(func(t *testing.T, raw []byte, id, unit, group, level, aspect, opinion, date string) {
		if !json.Valid(raw) {
			raw, _ = json.Marshal(string(raw))
		}
		for _, in := range seedRows(t, cat, raw, []string{id, unit, group, level, aspect, opinion, date}) {
			r, errs := agencies.CheckRow(cat, in, now, loc)
			if len(errs) == 0 {
				checkAccepted(t, r)
			}
			for _, e := range errs {
				if !safetext.All(e.Field, e.Column, e.Message, e.ResponseID) || e.Message == "" || utf8.RuneCountInString(e.Message) > 300 {
					t.Fatalf("report entry %+v", e)
				}
			}
		}
	})
}

// checkAccepted fails unless r is a response the database takes as it is.
func checkAccepted(t *testing.T, r agencies.Response) {
	t.Helper()
	if !safetext.All(r.ResponseID, r.Opinion) || r.ResponseID == "" || utf8.RuneCountInString(r.ResponseID) > agencies.MaxResponseID ||
		utf8.RuneCountInString(r.Opinion) > agencies.MaxOpinion {
		t.Fatalf("accepted texts %q %q", r.ResponseID, r.Opinion)
	}
	if r.UnitID != 1 && r.UnitID != 2 || r.GroupKey != "npc_deputies" && r.GroupKey != "experts" || r.Level < 1 || r.Level > 5 {
		t.Fatalf("accepted values %+v", r)
	}
	for k, v := range r.Aspects {
		if k != "efficiency" && k != "attitude" || v < 1 || v > 5 {
			t.Fatalf("accepted aspect %s=%d", k, v)
		}
	}
	if _, err := time.Parse("2006-01-02", r.Date); err != nil {
		t.Fatalf("accepted date %q", r.Date)
	}
}

// TestAgencyRowSeedsStore stores the fuzz seeds in Postgres: whatever the
// row checks accept, the database stores, and a row they refuse never
// fails the upload.
func TestAgencyRowSeedsStore(t *testing.T) {
	w := newWorld(t)
	cat, err := agencies.LoadCatalog(w.ctx, w.pool, w.survey)
	if err != nil {
		t.Fatal(err)
	}
	var rows []agencies.RowInput
	accepted := 0
	for _, s := range rowSeeds {
		for _, in := range seedRows(t, cat, []byte(s.json), s.file) {
			in.Row = len(rows) + 1
			if r, errs := agencies.CheckRow(cat, in, w.now, w.loc); len(errs) == 0 && r.ResponseID != "" {
				in.ResponseID += "-" + string(rune('a'+len(rows))) // unique per row, so none is a duplicate
				accepted++
			}
			rows = append(rows, in)
		}
	}
	up, err := w.upload(t, w.ag, rows)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	if accepted == 0 || up.RowsStored != accepted || up.RowsInvalid != len(rows)-accepted {
		t.Errorf("stored %d, invalid %d of %d rows; %d accepted", up.RowsStored, up.RowsInvalid, len(rows), accepted)
	}
	if n := w.count(t, `SELECT count(*) FROM survey_responses WHERE agency_id = $1`, w.ag.ID); n != accepted {
		t.Errorf("%d responses in the database, want %d", n, accepted)
	}
}
