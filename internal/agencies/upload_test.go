package agencies_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"minyi/internal/agencies"
	"minyi/internal/apperr"
)

// errorsOf maps "row field" to the message for each problem of the report.
func errorsOf(up agencies.Upload) map[string]string {
	out := map[string]string{}
	for _, e := range up.Report.Errors {
		out[fmt.Sprintf("%d %s", e.Row, e.Field)] = e.Message
	}
	return out
}

func TestStoreUploadRowByRow(t *testing.T) {
	w := newWorld(t)
	bad := func(n int, id string, edit func(*agencies.RowInput)) agencies.RowInput {
		r := row(n, id)
		edit(&r)
		return r
	}
	rows := []agencies.RowInput{
		row(1, "R1"),
		bad(2, "R2", func(r *agencies.RowInput) { r.Level = "0" }),
		bad(3, "R3", func(r *agencies.RowInput) { r.Level = "6" }),
		bad(4, "R4", func(r *agencies.RowInput) { r.Level = "abc" }),
		bad(5, "R5", func(r *agencies.RowInput) { r.Unit = "不存在的局" }),
		bad(6, "R6", func(r *agencies.RowInput) { r.Group = "服务对象" }), // a group of the cycle not taking part
		bad(7, "R7", func(r *agencies.RowInput) { r.Aspects = map[string]string{"speed": "5", "服务态度": "9"} }),
		bad(8, "", func(r *agencies.RowInput) { r.Opinion = strings.Repeat("长", 1001) }),
		bad(9, "R9", func(r *agencies.RowInput) { r.Date = "2025-12-01" }),
		bad(10, "R10", func(r *agencies.RowInput) { r.Date = "11/01/2025" }),
		bad(11, strings.Repeat("x", 101), func(r *agencies.RowInput) {}),
		bad(12, "R12", func(r *agencies.RowInput) {
			r.Unit, r.Group, r.Level, r.Date = "市政务服务中心", "experts", "不满意", "2025/11/2"
		}),
		bad(13, "R13", func(r *agencies.RowInput) { r.UnitID = fmt.Sprint(w.b.ID); r.Unit = "" }),
		bad(14, "R14", func(r *agencies.RowInput) { r.UnitID = fmt.Sprint(w.b.ID) }), // unit names another unit
		bad(15, "R15", func(r *agencies.RowInput) { r.Unit = "tax"; r.Level = "" }),
	}
	up, err := w.upload(t, w.ag, rows)
	if err != nil {
		t.Fatal(err)
	}
	if up.RowsTotal != 15 || up.RowsStored != 3 || up.RowsDuplicate != 0 || up.RowsInvalid != 12 {
		t.Errorf("counts total %d stored %d dup %d invalid %d", up.RowsTotal, up.RowsStored, up.RowsDuplicate, up.RowsInvalid)
	}
	want := map[string]string{
		"2 level":            "总体满意度“0”无效",
		"3 level":            "总体满意度“6”无效",
		"4 level":            "总体满意度“abc”无效",
		"5 unit":             "单位“不存在的局”不存在",
		"6 group":            "受访群体“服务对象”未参与本问卷，可填：人大代表、专家学者",
		"7 aspects.speed":    "本问卷没有评价项“speed”",
		"7 aspects.attitude": "“服务态度”“9”无效",
		"8 response_id":      "请填写答卷编号",
		"8 opinion":          "意见建议不能超过1000字",
		"9 date":             "晚于今天",
		"10 date":            "格式不正确",
		"11 response_id":     "不能超过100个字符",
		"14 unit":            "不是同一个单位",
		"15 level":           "请填写总体满意度",
	}
	got := errorsOf(up)
	for k, v := range want {
		if !strings.Contains(got[k], v) {
			t.Errorf("error %s = %q, want it to contain %q", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("errors %v", got)
	}
	var stored []struct {
		ID, Group, Date, Opinion string
		Unit                     int64
		Level                    int
		Aspects                  map[string]int
	}
	rs, _ := w.pool.Query(w.ctx, `SELECT agency_response_id, group_key, to_char(submitted_on, 'YYYY-MM-DD'), opinion, unit_id, level, aspects
		FROM survey_responses WHERE agency_id = $1 AND source = 'agency' AND respondent_id IS NULL ORDER BY agency_response_id`, w.ag.ID)
	for rs.Next() {
		var s struct {
			ID, Group, Date, Opinion string
			Unit                     int64
			Level                    int
			Aspects                  map[string]int
		}
		if err := rs.Scan(&s.ID, &s.Group, &s.Date, &s.Opinion, &s.Unit, &s.Level, &s.Aspects); err != nil {
			t.Fatal(err)
		}
		stored = append(stored, s)
	}
	if len(stored) != 3 || stored[0].ID != "R1" || stored[0].Unit != w.a.ID || stored[0].Group != "npc_deputies" ||
		stored[0].Level != 5 || stored[0].Aspects["efficiency"] != 4 || stored[0].Date != "2025-11-01" ||
		stored[1].ID != "R12" || stored[1].Unit != w.b.ID || stored[1].Group != "experts" || stored[1].Level != 2 ||
		stored[1].Date != "2025-11-02" || stored[2].ID != "R13" || stored[2].Unit != w.b.ID {
		t.Errorf("stored %+v", stored)
	}
	// The report is kept with the upload.
	again, err := agencies.FindUpload(w.ctx, w.pool, w.ag.ID, up.ID)
	if err != nil || len(again.Report.Errors) != len(up.Report.Errors) || again.RowsInvalid != 12 {
		t.Errorf("stored upload %+v, %v", again, err)
	}
	if _, err := agencies.FindUpload(w.ctx, w.pool, w.ag2.ID, up.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("another agency's upload: %v", err)
	}
}

func TestStoreUploadIdempotent(t *testing.T) {
	w := newWorld(t)
	noDate := row(3, "R3")
	noDate.Date = ""
	rows := []agencies.RowInput{row(1, "R1"), row(2, "R2"), noDate}
	if up, err := w.upload(t, w.ag, rows); err != nil || up.RowsStored != 3 {
		t.Fatalf("first upload %+v, %v", up, err)
	}
	// The same batch again, a day later: all duplicates, nothing stored.
	up, err := w.uploadAt(t, w.ag, rows, w.now.Add(24*time.Hour))
	if err != nil || up.RowsStored != 0 || up.RowsDuplicate != 3 || up.RowsInvalid != 0 || len(up.Report.Duplicates) != 3 {
		t.Fatalf("replay %+v, %v", up, err)
	}
	// Changed content under a stored id is invalid and changes nothing;
	// a new row in the same batch is stored.
	changed := row(1, "R1")
	changed.Level = "1"
	up, err = w.upload(t, w.ag, []agencies.RowInput{changed, row(2, "R4")})
	if err != nil || up.RowsStored != 1 || up.RowsInvalid != 1 {
		t.Fatalf("changed %+v, %v", up, err)
	}
	if msg := errorsOf(up)["1 response_id"]; !strings.Contains(msg, "该答卷编号已上传，内容不同") {
		t.Errorf("changed row reported %q", msg)
	}
	if n := w.count(t, `SELECT level FROM survey_responses WHERE agency_response_id = 'R1'`); n != 5 {
		t.Errorf("stored level changed to %d", n)
	}
	// The same id twice in one batch: the same content is a duplicate,
	// another content an error.
	other := row(3, "R5")
	other.Level = "3"
	up, err = w.upload(t, w.ag, []agencies.RowInput{row(1, "R5"), row(2, "R5"), other})
	if err != nil || up.RowsStored != 1 || up.RowsDuplicate != 1 || up.RowsInvalid != 1 {
		t.Fatalf("in-batch repeat %+v, %v", up, err)
	}
	if msg := errorsOf(up)["3 response_id"]; !strings.Contains(msg, "第 1 行相同") {
		t.Errorf("in-batch change reported %q", msg)
	}
	// Another agency may use the same ids: they are its own.
	if up, err := w.upload(t, w.ag2, rows); err != nil || up.RowsStored != 3 {
		t.Errorf("other agency %+v, %v", up, err)
	}
	if n := w.count(t, `SELECT count(*) FROM survey_responses`); n != 8 {
		t.Errorf("%d responses stored, want 8", n)
	}
}

// TestStoreUploadConcurrent uploads the same batch several times at once:
// every response is stored once and counted once.
func TestStoreUploadConcurrent(t *testing.T) {
	w := newWorld(t)
	var rows []agencies.RowInput
	for i := 1; i <= 200; i++ {
		rows = append(rows, row(i, fmt.Sprintf("R%03d", i)))
	}
	const n = 4
	var wg sync.WaitGroup
	ups := make([]agencies.Upload, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { ups[i], errs[i] = w.upload(t, w.ag, rows) })
	}
	wg.Wait()
	stored, dups := 0, 0
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		stored += ups[i].RowsStored
		dups += ups[i].RowsDuplicate
	}
	if stored != 200 || dups != 200*(n-1) {
		t.Errorf("stored %d duplicates %d, want 200 and %d", stored, dups, 200*(n-1))
	}
	if c := w.count(t, `SELECT count(*) FROM survey_responses WHERE agency_id = $1`, w.ag.ID); c != 200 {
		t.Errorf("%d rows in the database", c)
	}
}

func TestStoreUploadRefusedWhenSurveyNotOpen(t *testing.T) {
	w := newWorld(t)
	cases := []struct {
		name, sql string
		code      string
	}{
		{"draft", `UPDATE surveys SET status = 'draft' WHERE id = $1`, apperr.SurveyNotOpen},
		{"closed", `UPDATE surveys SET status = 'closed', closed_at = now() WHERE id = $1`, apperr.SurveyClosed},
		{"past its closing time", `UPDATE surveys SET status = 'open', closes_at = '2025-11-20 09:00+08' WHERE id = $1`, apperr.SurveyClosed},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := w.pool.Exec(w.ctx, tt.sql, w.survey); err != nil {
				t.Fatal(err)
			}
			_, err := w.upload(t, w.ag, []agencies.RowInput{row(1, "R1")})
			if !apperr.Is(err, tt.code) || apperr.Status(tt.code) != 409 {
				t.Errorf("upload: %v, want %s (409)", err, tt.code)
			}
		})
	}
	if n := w.count(t, `SELECT count(*) FROM survey_responses`) + w.count(t, `SELECT count(*) FROM survey_uploads`); n != 0 {
		t.Errorf("%d rows stored", n)
	}
}

func TestRowsFromJSON(t *testing.T) {
	raw := []json.RawMessage{
		json.RawMessage(`{"response_id":"R1","unit":"TAX","group":"npc_deputies","level":5,"aspects":{"efficiency":"4"},"date":null}`),
		json.RawMessage(`{"response_id":12345,"unit_id":7,"group":"人大代表","level":"满意"}`),
		json.RawMessage(`{"response_id":"R3","level":true,"aspects":[1],"extra":1}`),
		json.RawMessage(`"not an object"`),
		json.RawMessage(`{"response_id":"R5","level":4.5,"aspects":{"efficiency":{}}}`),
	}
	rows, err := agencies.RowsFromJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	r := rows[0]
	if r.Row != 1 || r.ResponseID != "R1" || r.Level != "5" || r.Aspects["efficiency"] != "4" || r.Date != "" || len(r.Errors) != 0 {
		t.Errorf("row 1 %+v", r)
	}
	if r := rows[1]; r.ResponseID != "12345" || r.UnitID != "7" || r.Level != "满意" || len(r.Errors) != 0 {
		t.Errorf("row 2 %+v", r)
	}
	fields := func(r agencies.RowInput) string {
		var out []string
		for _, e := range r.Errors {
			out = append(out, e.Field)
		}
		return strings.Join(out, ",")
	}
	if got := fields(rows[2]); got != "aspects,extra,level" {
		t.Errorf("row 3 errors %s", got)
	}
	if got := fields(rows[3]); got != "_" {
		t.Errorf("row 4 errors %s", got)
	}
	if got := fields(rows[4]); got != "aspects.efficiency" || rows[4].Level != "4.5" {
		t.Errorf("row 5 errors %s, level %q", got, rows[4].Level)
	}
	if _, err := agencies.RowsFromJSON(nil); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("empty batch: %v", err)
	}
	if _, err := agencies.RowsFromJSON(make([]json.RawMessage, agencies.MaxRows+1)); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("batch too long: %v", err)
	}
}

func TestUploadsListedPerAgency(t *testing.T) {
	w := newWorld(t)
	for i := 0; i < 3; i++ {
		if _, err := w.upload(t, w.ag, []agencies.RowInput{row(1, fmt.Sprint("R", i))}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.upload(t, w.ag2, []agencies.RowInput{row(1, "X")}); err != nil {
		t.Fatal(err)
	}
	list, total, err := agencies.ListUploads(w.ctx, w.pool, w.ag.ID, 2, 0)
	if err != nil || total != 3 || len(list) != 2 || list[0].ID < list[1].ID {
		t.Errorf("list %+v total %d, %v", list, total, err)
	}
	if _, total, _ := agencies.ListUploads(w.ctx, w.pool, w.ag.ID, 2, 10); total != 3 {
		t.Errorf("total past the end %d", total)
	}
}

// TestAbolishedUnitNotOffered: a unit abolished before the end of the
// survey's cycle is neither offered to agencies nor accepted in a row,
// by short code or by id, with a message that says why.
func TestAbolishedUnitNotOffered(t *testing.T) {
	w := newWorld(t)
	if _, err := w.pool.Exec(w.ctx, `UPDATE units SET abolished_on = '2025-10-01', abolished_at = now() WHERE id = $1`, w.a.ID); err != nil {
		t.Fatal(err)
	}
	cat, err := agencies.LoadCatalog(w.ctx, w.pool, w.survey)
	if err != nil {
		t.Fatal(err)
	}
	if listed := cat.Listed(); len(listed) != 1 || listed[0].ID != w.b.ID {
		t.Fatalf("listed %+v, want only %s", listed, w.b.Name)
	}
	byID := row(2, "R2")
	byID.Unit, byID.UnitID = "", strconv.FormatInt(w.a.ID, 10)
	up, err := w.upload(t, w.ag, []agencies.RowInput{row(1, "R1"), byID})
	if err != nil || up.RowsStored != 0 || up.RowsInvalid != 2 {
		t.Fatalf("upload %+v, %v", up, err)
	}
	for _, k := range []string{"1 unit", "2 unit"} {
		if msg := errorsOf(up)[k]; !strings.Contains(msg, "已于2025-10-01撤销，不参加本年度考核") {
			t.Errorf("row %s reported %q", k, msg)
		}
	}
	// Abolished after the cycle's end, it is still the cycle's unit.
	if _, err := w.pool.Exec(w.ctx, `UPDATE units SET abolished_on = '2026-01-05' WHERE id = $1`, w.a.ID); err != nil {
		t.Fatal(err)
	}
	if up, err := w.upload(t, w.ag, []agencies.RowInput{row(1, "R1")}); err != nil || up.RowsStored != 1 {
		t.Fatalf("unit abolished after the cycle: %+v, %v", up, err)
	}
}
