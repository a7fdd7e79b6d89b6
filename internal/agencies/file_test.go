package agencies_test

import (
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"minyi/internal/agencies"
	"minyi/internal/apperr"
	"minyi/internal/sheet"
	"minyi/internal/surveys"
)

func TestFileUpload(t *testing.T) {
	w := newWorld(t)
	sv, err := surveys.FindSurvey(w.ctx, w.pool, w.survey)
	if err != nil {
		t.Fatal(err)
	}
	csv := "问卷编号,单位,群体,总体满意度,办事效率,attitude,意见建议,日期\n" +
		"Q1,TAX,人大代表,非常满意,满意,,\"好,很好\",2025-11-01\n" +
		"Q2,市政务服务中心,专家学者,2,3,1,,\n"
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String(csv)
	in, err := agencies.FileUpload(w.ctx, []byte(gbk), `C:\Users\张三\答卷.csv`, sv)
	if err != nil {
		t.Fatal(err)
	}
	if in.Format != agencies.FormatCSV || in.Filename != "答卷.csv" || len(in.Rows) != 2 {
		t.Fatalf("input %+v", in)
	}
	r := in.Rows[0]
	if r.Row != 2 || r.ResponseID != "Q1" || r.Level != "非常满意" || r.Aspects["efficiency"] != "满意" || r.Aspects["attitude"] != "" ||
		r.Opinion != "好,很好" || r.Columns["level"] != "总体满意度" || r.Columns["aspects.efficiency"] != "办事效率" {
		t.Errorf("row %+v", r)
	}
	up, err := w.upload(t, w.ag, in.Rows)
	if err != nil || up.RowsStored != 2 || up.RowsInvalid != 0 {
		t.Fatalf("upload %+v, %v", up, err)
	}

	// A bad cell is reported with the file's line and column header.
	bad := "答卷编号,单位,受访群体,总体满意度\nQ3,TAX,人大代表,7\n"
	in, _ = agencies.FileUpload(w.ctx, []byte(bad), "x.csv", sv)
	up, err = w.upload(t, w.ag, in.Rows)
	if err != nil || len(up.Report.Errors) != 1 {
		t.Fatalf("upload %+v, %v", up, err)
	}
	if e := up.Report.Errors[0]; e.Row != 2 || e.Field != "level" || e.Column != "总体满意度" || e.ResponseID != "Q3" {
		t.Errorf("error %+v", e)
	}

	for name, data := range map[string]string{
		"wrong header":   "答卷编号,单位,总体满意度,电话\nQ1,TAX,5,1\n",
		"header only":    "答卷编号,单位,受访群体,总体满意度\n",
		"unknown aspect": "答卷编号,单位,受访群体,总体满意度,廉洁自律\nQ1,TAX,人大代表,5,5\n",
	} {
		if _, err := agencies.FileUpload(w.ctx, []byte(data), "x.csv", sv); !apperr.Is(err, apperr.Invalid) || apperr.From(err).Fields[sheet.Field] == "" {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestTemplateRoundTrip fills in the downloadable template and uploads it.
func TestTemplateRoundTrip(t *testing.T) {
	w := newWorld(t)
	cat, err := agencies.LoadCatalog(w.ctx, w.pool, w.survey)
	if err != nil {
		t.Fatal(err)
	}
	data, err := agencies.TemplateXLSX(cat.Survey, cat.Units)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.GetSheetList(), ","); got != "答卷,单位列表,填写说明" {
		t.Errorf("sheets %s", got)
	}
	header, _ := f.GetRows("答卷")
	if strings.Join(header[0], ",") != "答卷编号,单位,受访群体,总体满意度,办事效率,服务态度,意见建议,日期" {
		t.Errorf("header %v", header[0])
	}
	f.SetSheetRow("答卷", "A2", &[]any{"T1", "市税务局", "专家学者", "满意", 5, "基本满意", "", "2025-11-03"})
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	in, err := agencies.FileUpload(w.ctx, buf.Bytes(), "模板.xlsx", cat.Survey)
	if err != nil {
		t.Fatal(err)
	}
	up, err := w.upload(t, w.ag, in.Rows)
	if err != nil || up.RowsStored != 1 || up.RowsInvalid != 0 {
		t.Fatalf("upload %+v, %v", up, err)
	}
	if n := w.count(t, `SELECT (aspects->>'attitude')::int FROM survey_responses WHERE agency_response_id = 'T1'`); n != 3 {
		t.Errorf("attitude %d", n)
	}
}
