package agencies_test

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"minyi/internal/agencies"
	"minyi/internal/apperr"
	"minyi/internal/sheet"
)

var mappingNow = time.Date(2026, 11, 20, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

// readTestdata reads a file of testdata through sheet.Read, as an upload is read.
func readTestdata(t *testing.T, name string) *sheet.Table {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := sheet.Read(context.Background(), data, agencies.MaxRows)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return tb
}

// checkMapped applies the mapping and runs the upload's row checks on each
// row, failing on any row error; it returns the responses and warnings.
func checkMapped(t *testing.T, tb *sheet.Table, m agencies.Mapping) ([]agencies.Response, []agencies.RowInput, []string) {
	t.Helper()
	cat := fuzzCatalog()
	rows, warnings, err := agencies.ApplyMapping(tb, m, cat.Survey)
	if err != nil {
		t.Fatalf("ApplyMapping: %v", err)
	}
	var out []agencies.Response
	for _, in := range rows {
		r, errs := agencies.CheckRow(cat, in, mappingNow, mappingNow.Location())
		if len(errs) > 0 {
			t.Fatalf("row %d (%+v): %+v", in.Row, in, errs)
		}
		out = append(out, r)
	}
	return out, rows, warnings
}

// want is the expected content of a response.
type want struct {
	id, group, opinion, date string
	unit                     int64
	level                    int
	aspects                  map[string]int
}

func assertResponses(t *testing.T, got []agencies.Response, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		t.Fatalf("%d responses, want %d", len(got), len(wants))
	}
	for i, w := range wants {
		r := got[i]
		if r.ResponseID != w.id || r.UnitID != w.unit || r.GroupKey != w.group || r.Level != w.level ||
			r.Opinion != w.opinion || r.Date != w.date || !r.DateGiven || !reflect.DeepEqual(r.Aspects, w.aspects) {
			t.Errorf("response %d = %+v, want %+v", i, r, w)
		}
	}
}

// fieldsOf lists the guessed field of each column, "aspect:key" for an aspect.
func fieldsOf(m agencies.Mapping) []string {
	var out []string
	for _, c := range m.Columns {
		f := c.Field
		if c.Aspect != "" {
			f += ":" + c.Aspect
		}
		out = append(out, f)
	}
	return out
}

func TestMappingWenjuanxingText(t *testing.T) {
	tb := readTestdata(t, "wenjuanxing_text.csv")
	m, warnings := agencies.GuessMappingWithWarnings(tb.Header, fuzzCatalog().Survey)
	if len(warnings) != 0 {
		t.Errorf("warnings %q", warnings)
	}
	wantFields := []string{"response_id", "date", "ignore", "ignore", "ignore", "ignore", "group", "unit", "level",
		"aspect:efficiency", "aspect:attitude", "opinion"}
	if got := fieldsOf(m); !slices.Equal(got, wantFields) {
		t.Fatalf("fields %q", got)
	}
	if m.Levels.Numbers != agencies.NumbersFirstBest {
		t.Errorf("numbers %q", m.Levels.Numbers)
	}
	noOpinion := fuzzCatalog().Survey
	noOpinion.AllowOpinion = false
	m2, warnings := agencies.GuessMappingWithWarnings(tb.Header, noOpinion)
	if m2.Columns[11].Field != agencies.MapIgnore || len(warnings) != 1 || !strings.Contains(warnings[0], "第 L 列") {
		t.Errorf("survey without opinions: %q %q", fieldsOf(m2), warnings)
	}
	got, rows, _ := checkMapped(t, tb, m)
	assertResponses(t, got, []want{
		{id: "1", unit: 1, group: "npc_deputies", level: 5, aspects: map[string]int{"efficiency": 4}, date: "2026-11-18"},
		{id: "2", unit: 2, group: "experts", level: 3, aspects: map[string]int{"attitude": 4}, opinion: "窗口人员少，排队时间长", date: "2026-11-18"},
		{id: "3", unit: 2, group: "npc_deputies", level: 2, aspects: map[string]int{"efficiency": 1, "attitude": 2}, date: "2026-11-19"},
	})
	if _, ok := rows[0].Aspects["attitude"]; ok || rows[0].Opinion != "" || rows[0].Row != 2 {
		t.Errorf("(跳过)/(空) kept: %+v", rows[0])
	}
	if rows[0].Columns["level"] != "3、您对该单位的总体满意度如何？" || rows[0].Columns["aspects.attitude"] != "5、您对该单位服务态度的评价" {
		t.Errorf("columns %v", rows[0].Columns)
	}
}

func TestMappingWenjuanxingNumbersGBK(t *testing.T) {
	raw, _ := os.ReadFile("testdata/wenjuanxing_number_gbk.csv")
	if utf8.Valid(raw) {
		t.Fatal("testdata file is not GBK")
	}
	tb := readTestdata(t, "wenjuanxing_number_gbk.csv")
	m := agencies.GuessMapping(tb.Header, fuzzCatalog().Survey)
	if got := fieldsOf(m); got[6] != "group" || got[7] != "unit" || got[8] != "level" || got[11] != "opinion" {
		t.Fatalf("fields %q", got)
	}
	// The group and unit questions were exported as option numbers.
	m.Columns[6].Values = map[string]string{"1": "人大代表", "2": "专家学者"}
	m.Columns[7].Values = map[string]string{"1": "市税务局", "2": "市政务服务中心"}
	got, rows, _ := checkMapped(t, tb, m)
	assertResponses(t, got, []want{
		{id: "1", unit: 1, group: "npc_deputies", level: 5, aspects: map[string]int{"efficiency": 4}, date: "2026-11-18"},
		{id: "2", unit: 2, group: "experts", level: 1, aspects: map[string]int{"attitude": 2}, opinion: "办事要跑两趟，希望一次办好", date: "2026-11-18"},
	})
	if rows[0].Opinion != "" || len(rows[0].Aspects) != 1 {
		t.Errorf("-3/(空) kept: %+v", rows[0])
	}

	// Numbers read as levels when the questionnaire listed 非常不满意 first.
	m.Levels.Numbers = agencies.NumbersAreLevels
	got, _, _ = checkMapped(t, tb, m)
	if got[0].Level != 1 || got[0].Aspects["efficiency"] != 2 || got[1].Level != 5 || got[1].Aspects["attitude"] != 4 {
		t.Errorf("levels as numbers: %+v", got)
	}
}

func TestMappingTencent(t *testing.T) {
	tb := readTestdata(t, "tencent.csv")
	m, warnings := agencies.GuessMappingWithWarnings(tb.Header, fuzzCatalog().Survey)
	if len(warnings) != 0 {
		t.Errorf("warnings %q", warnings)
	}
	wantFields := []string{"response_id", "ignore", "date"}
	for range 9 {
		wantFields = append(wantFields, "ignore")
	}
	wantFields = append(wantFields, "group", "unit", "level", "aspect:efficiency", "aspect:attitude", "opinion")
	if got := fieldsOf(m); !slices.Equal(got, wantFields) {
		t.Fatalf("fields %q", got)
	}
	got, _, _ := checkMapped(t, tb, m)
	assertResponses(t, got, []want{
		{id: "1001", unit: 1, group: "experts", level: 4, aspects: map[string]int{"efficiency": 4, "attitude": 5}, date: "2026-11-18"},
		{id: "1002", unit: 2, group: "npc_deputies", level: 1, aspects: map[string]int{}, opinion: "材料要求不清楚", date: "2026-11-18"},
	})
}

func TestMappingLimeSurvey(t *testing.T) {
	tb := readTestdata(t, "limesurvey.csv")
	m, warnings := agencies.GuessMappingWithWarnings(tb.Header, fuzzCatalog().Survey)
	// Codes Q1… cannot be placed: each is named, and the missing required fields.
	joined := strings.Join(warnings, "\n")
	for _, w := range []string{"第 G 列“Q1”", "第 H 列“Q2”", "第 J 列“Q4[SQ001]”", "第 K 列“Q4[SQ002]”", "第 L 列“Q5”",
		"未找到“受访群体”", "未找到“单位”"} {
		if !strings.Contains(joined, w) {
			t.Errorf("no warning %s in %q", w, warnings)
		}
	}
	if len(warnings) != 7 {
		t.Errorf("warnings %q", warnings)
	}
	if err := m.Validate(fuzzCatalog().Survey); !apperr.Is(err, apperr.Invalid) ||
		!strings.Contains(apperr.From(err).Fields[agencies.MappingField], "须指定“受访群体”对应的列") {
		t.Errorf("validate guessed: %v", err)
	}
	if m.Levels.CodePrefix != "A" || m.Levels.Numbers != agencies.NumbersFirstBest || fieldsOf(m)[8] != "level" {
		t.Fatalf("guess %+v", m)
	}
	m.Columns[6] = agencies.ColumnMapping{Header: "Q1", Field: agencies.MapGroup, Values: map[string]string{"A1": "人大代表", "A2": "专家学者"}}
	m.Columns[7] = agencies.ColumnMapping{Header: "Q2", Field: agencies.MapUnit}
	m.Columns[9] = agencies.ColumnMapping{Header: "Q4[SQ001]", Field: agencies.MapAspect, Aspect: "efficiency"}
	m.Columns[10] = agencies.ColumnMapping{Header: "q4[sq002]", Field: agencies.MapAspect, Aspect: "attitude"}
	m.Columns[11] = agencies.ColumnMapping{Header: "Q5", Field: agencies.MapOpinion}
	got, rows, warnings := checkMapped(t, tb, m)
	if len(warnings) != 0 {
		t.Errorf("apply warnings %q", warnings)
	}
	assertResponses(t, got, []want{
		{id: "7", unit: 1, group: "npc_deputies", level: 4, aspects: map[string]int{"efficiency": 5}, date: "2026-11-18"},
		{id: "8", unit: 2, group: "experts", level: 1, aspects: map[string]int{"attitude": 3}, opinion: "希望延长周末办理时间", date: "2026-11-17"},
	})
	if _, ok := rows[0].Aspects["attitude"]; ok || rows[0].Columns["aspects.attitude"] != "Q4[SQ002]" {
		t.Errorf("N/A kept or column wrong: %+v", rows[0])
	}
}

// TestMappingOwnTemplate: Minyi's own header is guessed as FileColumns maps
// it, and the rows are those of RowsFromTable.
func TestMappingOwnTemplate(t *testing.T) {
	cat := fuzzCatalog()
	tb := &sheet.Table{Format: sheet.FormatCSV, Header: fileHeader, Rows: []sheet.Row{
		{Line: 2, Cells: []string{"S1", "TAX", "人大代表", "5", "4", "很好", "2025-11-01"}},
		{Line: 3, Cells: []string{"S2", "市政务服务中心", "experts", "不满意", "基本满意", "", "2025/11/2"}},
	}}
	m, warnings := agencies.GuessMappingWithWarnings(tb.Header, cat.Survey)
	if len(warnings) != 0 || m.Levels.Numbers != agencies.NumbersAreLevels {
		t.Errorf("guess %+v %q", m, warnings)
	}
	got, _, err := agencies.ApplyMapping(tb, m, cat.Survey)
	if err != nil {
		t.Fatal(err)
	}
	old, _ := agencies.RowsFromTable(tb, cat.Survey)
	for i := range old {
		a, _ := agencies.CheckRow(cat, got[i], mappingNow, mappingNow.Location())
		b, _ := agencies.CheckRow(cat, old[i], mappingNow, mappingNow.Location())
		if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(got[i].Columns, old[i].Columns) {
			t.Errorf("row %d: mapped %+v (%v), template %+v (%v)", i, a, got[i].Columns, b, old[i].Columns)
		}
	}
}

func TestMappingJSONRoundTrip(t *testing.T) {
	tb := readTestdata(t, "wenjuanxing_text.csv")
	m := agencies.GuessMapping(tb.Header, fuzzCatalog().Survey)
	m.Columns[7].Values = map[string]string{"税务": "TAX"}
	m.Levels.Values = map[string]int{"比较满意": 4}
	m.Levels.NoAnswer = []string{"(空)", "无"}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var back agencies.Mapping
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, m) {
		t.Errorf("round trip:\n%+v\n%+v", back, m)
	}
	if !strings.Contains(string(data), `"field":"aspect","aspect":"efficiency"`) || !strings.Contains(string(data), `"numbers":"first_best"`) {
		t.Errorf("json %s", data)
	}
}

func TestApplyMappingErrors(t *testing.T) {
	cat := fuzzCatalog()
	tb := readTestdata(t, "tencent.csv")
	m := agencies.GuessMapping(tb.Header, cat.Survey)

	// A mapped column missing from the file is named; an extra column of the file is a warning.
	short := *tb
	short.Header = slices.Clone(tb.Header)
	short.Header[13] = "被评价的单位"
	_, warnings, err := agencies.ApplyMapping(&short, m, cat.Survey)
	if !apperr.Is(err, apperr.Invalid) || !strings.Contains(apperr.From(err).Fields[sheet.Field], "“2.被评价单位”") {
		t.Errorf("missing column: %v", err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "第 N 列“被评价的单位”") {
		t.Errorf("warnings %q", warnings)
	}

	// Two mapping columns finding one file column.
	twice := m
	twice.Columns = append(slices.Clone(m.Columns), agencies.ColumnMapping{Header: "IP", Position: 30, Field: agencies.MapIgnore})
	if _, _, err := agencies.ApplyMapping(tb, twice, cat.Survey); !apperr.Is(err, apperr.Invalid) ||
		!strings.Contains(apperr.From(err).Fields[sheet.Field], "列“IP”设置了多次") {
		t.Errorf("column twice: %v", err)
	}

	// An unreadable date is kept for the check to report on its row.
	bad := *tb
	bad.Rows = []sheet.Row{{Line: 2, Cells: slices.Clone(tb.Rows[0].Cells)}}
	bad.Rows[0].Cells[2] = "去年"
	rows, _, err := agencies.ApplyMapping(&bad, m, cat.Survey)
	if err != nil {
		t.Fatal(err)
	}
	_, errs := agencies.CheckRow(cat, rows[0], mappingNow, mappingNow.Location())
	if len(errs) != 1 || errs[0].Field != "date" || errs[0].Column != "结束答题时间" || !strings.Contains(errs[0].Message, "去年") {
		t.Errorf("date errors %+v", errs)
	}

	// Header only.
	bad.Rows = nil
	if _, _, err := agencies.ApplyMapping(&bad, m, cat.Survey); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("header only: %v", err)
	}
}

func TestMappingValidate(t *testing.T) {
	s := fuzzCatalog().Survey
	base := agencies.Mapping{Columns: []agencies.ColumnMapping{
		{Header: "序号", Field: agencies.MapResponseID}, {Header: "单位", Field: agencies.MapUnit},
		{Header: "身份", Field: agencies.MapGroup}, {Header: "总体", Field: agencies.MapLevel},
	}}
	if err := base.Validate(s); err != nil {
		t.Fatalf("valid mapping: %v", err)
	}
	with := func(cols ...agencies.ColumnMapping) agencies.Mapping {
		return agencies.Mapping{Columns: append(slices.Clone(base.Columns), cols...)}
	}
	for name, c := range map[string]struct {
		m    agencies.Mapping
		want string
	}{
		"no unit":        {agencies.Mapping{Columns: []agencies.ColumnMapping{base.Columns[0], base.Columns[2], base.Columns[3]}}, "须指定“单位”对应的列"},
		"two levels":     {with(agencies.ColumnMapping{Header: "总分", Field: agencies.MapLevel}), "“总体满意度”只能对应一列"},
		"unknown aspect": {with(agencies.ColumnMapping{Header: "廉洁", Field: agencies.MapAspect, Aspect: "integrity"}), "评价项“integrity”不在本问卷中"},
		"aspect twice": {with(agencies.ColumnMapping{Header: "a", Field: agencies.MapAspect, Aspect: "efficiency"},
			agencies.ColumnMapping{Header: "b", Field: agencies.MapAspect, Aspect: "efficiency"}), "评价项“办事效率”只能对应一列"},
		"bad field":     {with(agencies.ColumnMapping{Header: "x", Field: "phone"}), "用途“phone”无效"},
		"no header":     {with(agencies.ColumnMapping{Field: agencies.MapIgnore}), "既没有表头也没有列序号"},
		"same column":   {with(agencies.ColumnMapping{Header: "单位", Field: agencies.MapIgnore}), "列“单位”重复设置"},
		"bad level":     {agencies.Mapping{Columns: base.Columns, Levels: agencies.LevelMap{Values: map[string]int{"A6": 6}}}, "选项“A6”须对应1到5的满意度"},
		"bad numbering": {agencies.Mapping{Columns: base.Columns, Levels: agencies.LevelMap{Numbers: "down"}}, "数字选项的顺序“down”无效"},
	} {
		err := c.m.Validate(s)
		if !apperr.Is(err, apperr.Invalid) || !strings.Contains(apperr.From(err).Fields[agencies.MappingField], c.want) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestMappingLevelAndDate(t *testing.T) {
	lm := agencies.LevelMap{Numbers: agencies.NumbersFirstBest, CodePrefix: "A", Values: map[string]int{"比较满意": 4}}
	for in, want := range map[string]string{"非常满意": "5", "1": "5", "5": "1", "a2": "4", "A5": "1", "比较满意": "4",
		"6": "6", "A9": "A9", "(空)": "", "（跳过）": "", "n/a": "", "-3": "", " 跳过 ": "", "一般": "一般"} {
		if got := lm.Level(in); got != want {
			t.Errorf("Level(%q) = %q, want %q", in, got, want)
		}
	}
	custom := agencies.LevelMap{NoAnswer: []string{"不了解"}}
	if custom.Level("不了解") != "" || custom.Level("-3") != "-3" || custom.Level("4") != "4" {
		t.Error("custom no-answer list")
	}
	for in, want := range map[string]string{"2026/11/18 10:21:33": "2026-11-18", "2026-11-18 10:21": "2026-11-18",
		"2026/11/18": "2026-11-18", "2026-11-18T10:21:33": "2026-11-18", "2026年11月18日": "2026-11-18",
		"2026/1/8 9:05:00": "2026-01-08", "2026-11-18T10:21:33+08:00": "2026-11-18", "昨天": "昨天", "2026/13/01": "2026/13/01"} {
		if got := agencies.NormalizeDate(in); got != want {
			t.Errorf("NormalizeDate(%q) = %q, want %q", in, got, want)
		}
	}
}
