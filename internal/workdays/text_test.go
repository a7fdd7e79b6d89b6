package workdays_test

import (
	"strings"
	"testing"

	"minyi/internal/apperr"
	"minyi/internal/workdays"
)

func TestParseTextAndFormat(t *testing.T) {
	text := "# 2027年\n2027-01-01 元旦 休\r\n\n2027-02-06~2027-02-08 春节 休\n2027-02-14，春节，班\n2027-10-01至2027-10-02 国庆节 放假\n"
	got, errs := workdays.ParseText(text)
	if len(errs) != 0 {
		t.Fatalf("errors %v", errs)
	}
	want := []string{"2027-01-01 holiday 元旦 2", "2027-02-06 holiday 春节 4", "2027-02-07 holiday 春节 4", "2027-02-08 holiday 春节 4",
		"2027-02-14 workday 春节 5", "2027-10-01 holiday 国庆节 6", "2027-10-02 holiday 国庆节 6"}
	if len(got.Days) != len(want) {
		t.Fatalf("days %v", got.Days)
	}
	for i, d := range got.Days {
		if s := d.Date + " " + d.Kind + " " + d.Name + " " + itoa(got.Lines[i]); s != want[i] {
			t.Errorf("day %d = %s, want %s", i, s, want[i])
		}
	}
	formatted := workdays.FormatText(got.Days)
	if formatted != "2027-01-01 元旦 休\n2027-02-06~2027-02-08 春节 休\n2027-02-14 春节 班\n2027-10-01~2027-10-02 国庆节 休\n" {
		t.Errorf("FormatText:\n%s", formatted)
	}
	again, errs := workdays.ParseText(formatted)
	if len(errs) != 0 || len(again.Days) != len(got.Days) {
		t.Errorf("formatted text does not read back: %v", errs)
	}

	_, errs = workdays.ParseText("2027-01-01 元旦\n2027-13-01 元旦 休\n2027-01-02 元旦 歇\n2027-02-09~2027-02-01 春节 休\n2027-01-01~2027-03-01 春节 休")
	wantErrs := []string{"第1行：格式应为“日期 节日名称 休/班”", "第2行：日期“2027-13-01”无效", "第3行：最后一项“歇”须为“休”（放假）或“班”（调休上班）",
		"第4行：日期范围的结束日期不能早于开始日期", "第5行：一个日期范围最多31天"}
	if len(errs) != len(wantErrs) {
		t.Fatalf("errors %v", errs)
	}
	for i, e := range errs {
		if !strings.HasPrefix(e.String(), wantErrs[i]) {
			t.Errorf("error %d = %s, want %s…", i, e, wantErrs[i])
		}
	}
}

func TestYearInputProblems(t *testing.T) {
	text := strings.Join([]string{
		"2027-01-01 元旦 休",
		"2027-02-08 春节 班", // 2: Monday
		"2026-12-31 元旦 休", // 3: outside the year
		"2027-01-01 元旦 班", // 4: both kinds (and Friday)
		"2027-05-01 劳动节劳动节劳动节劳动节劳动节劳动节劳动节 休", // 5: name too long
		"2027-05-02~2027-05-03 劳动节 休",
		"2027-05-03 劳动节 休", // 7: twice
	}, "\n")
	parsed, errs := workdays.ParseText(text)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	in := workdays.YearInput{Year: 2027, Days: parsed.Days}
	var got []string
	for _, e := range workdays.LineProblems(in, parsed.Lines) {
		got = append(got, e.String())
	}
	want := []string{
		"第2行：调休上班日须为周六或周日，2027-02-08 是星期一",
		"第3行：日期 2026-12-31 不在2027年内",
		"第4行：调休上班日须为周六或周日，2027-01-01 是星期五",
		"第4行：2027-01-01 不能既是放假日又是调休上班日",
		"第5行：节日名称不能超过20字",
		"第7行：日期 2027-05-03 重复录入",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	err := workdays.YearInput{Year: 1999, Days: []workdays.Day{{Date: "x", Kind: "off", Name: ""}}}.Validate()
	e := apperr.From(err)
	for _, f := range []string{"year", "days", "days[0].date", "days[0].kind", "days[0].name"} {
		if e.Fields[f] == "" {
			t.Errorf("no message for %s in %v", f, e.Fields)
		}
	}
	if e.Fields["days"] != "请至少录入一个放假日" {
		t.Errorf("days: %q", e.Fields["days"])
	}
	ok := workdays.YearInput{Year: 2027, Days: []workdays.Day{{Date: "2027-01-01", Kind: workdays.Holiday, Name: "元旦"},
		{Date: "2027-02-07", Kind: workdays.Workday, Name: "春节"}, {Date: "2027-01-02", Kind: workdays.Holiday, Name: "元旦"}}}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid input refused: %v", err)
	}
}
