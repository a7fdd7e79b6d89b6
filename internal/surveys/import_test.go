package surveys_test

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/surveys"
)

func (w *world) importFile(surveyID int64, name string, data []byte) (surveys.ImportReport, error) {
	var rep surveys.ImportReport
	err := w.try(func(tx pgx.Tx) (err error) {
		rep, err = surveys.ImportRespondents(w.ctx, tx, w.keys, audit.System, surveyID, name, data)
		return err
	})
	return rep, err
}

// xlsxOf builds a workbook from rows; merge names a range to merge.
func xlsxOf(t *testing.T, rows [][]string, merge ...string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		vals := make([]any, len(r))
		for j, v := range r {
			vals[j] = v
		}
		if err := f.SetSheetRow("Sheet1", cell, &vals); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i+1 < len(merge); i += 2 {
		if err := f.MergeCell("Sheet1", merge[i], merge[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestImportRespondents(t *testing.T) {
	w := newWorld(t)
	s := w.survey(t, true)
	csv := "\uFEFF姓名,群体,工作单位,手机,评价单位\r\n" +
		"张三,人大代表,市一中,13800001111,\r\n" + // row 2: fine
		"李四,experts,省社科院,,HRSS、市医保局\r\n" + // row 3: fine, units by code and name
		",人大代表,,,\r\n" + // row 4: no name
		"王五,记者,,12345,\r\n" + // row 5: unknown group, bad phone
		"赵六,专家学者,,,不存在局；COM\r\n" + // row 6: unknown unit
		"钱七,专家学者,,,\r\n" + // row 7: expert without units
		"孙八,人大代表,,,HRSS\r\n" + // row 8: all-units group with units
		"张三,人大代表,市一中,138 0000 1111,\r\n" // row 9: row 2 again
	rep, err := w.importFile(s.ID, "名单.csv", []byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 8 || rep.Added != 2 || rep.Duplicates != 1 || rep.Invalid != 5 || len(rep.DuplicateRows) != 1 || rep.DuplicateRows[0] != 9 {
		t.Fatalf("report %+v", rep)
	}
	want := map[int][]string{4: {"name"}, 5: {"group", "phone"}, 6: {"units"}, 7: {"units"}, 8: {"units"}}
	got := map[int][]string{}
	for _, e := range rep.Errors {
		got[e.Row] = append(got[e.Row], e.Field)
		if e.Message == "" || e.Column == "" {
			t.Errorf("row error without message or column: %+v", e)
		}
		if e.Row == 6 && !strings.Contains(e.Message, "不存在局") {
			t.Errorf("row 6 says %q", e.Message)
		}
	}
	for row, fields := range want {
		if strings.Join(got[row], ",") != strings.Join(fields, ",") {
			t.Errorf("row %d: fields %v, want %v", row, got[row], fields)
		}
	}
	list, _, err := surveys.ListRespondents(w.ctx, w.pool, s.ID, surveys.RespondentFilter{Group: "experts"})
	if err != nil || len(list) != 1 || len(list[0].UnitIDs) != 2 {
		t.Fatalf("experts %+v %v", list, err)
	}

	// The same file again, then as a workbook: nobody is added twice.
	rep, err = w.importFile(s.ID, "名单.csv", []byte(csv))
	if err != nil || rep.Added != 0 || rep.Duplicates != 3 {
		t.Fatalf("re-import %+v %v", rep, err)
	}
	book := xlsxOf(t, [][]string{{"姓名", "受访群体", "单位", "电话", "评价单位"},
		{"张三", "人大代表", "市一中", "13800001111", ""}, {"周九", "npc_deputies", "", "", ""}})
	rep, err = w.importFile(s.ID, "名单.xlsx", book)
	if err != nil || rep.Format != "xlsx" || rep.Added != 1 || rep.Duplicates != 1 {
		t.Fatalf("xlsx import %+v %v", rep, err)
	}
	if n := w.count(t, `SELECT count(*) FROM survey_respondents`); n != 3 {
		t.Errorf("%d respondents, want 3", n)
	}
	if n := w.count(t, `SELECT count(*) FROM audit_log WHERE action = 'survey.respondents_import'`); n != 3 {
		t.Errorf("%d import audit entries", n)
	}
}

func TestImportRefusesBadFiles(t *testing.T) {
	w := newWorld(t)
	s := w.survey(t, true)
	merged := xlsxOf(t, [][]string{{"姓名", "群体"}, {"张三", "人大代表"}, {"李四", ""}}, "B2", "B3")
	for name, data := range map[string][]byte{
		"wrong header": []byte("名字,类别\n张三,人大代表\n"),
		"merged cells": merged,
		"empty":        {},
		"header only":  []byte("姓名,群体\n"),
		"broken xlsx":  append([]byte("PK\x03\x04"), strings.Repeat("x", 100)...),
		"ragged csv":   []byte("姓名,群体\n张三,人大代表,多余,列\n"),
	} {
		_, err := w.importFile(s.ID, name, data)
		e := apperr.From(err)
		if e.Code != apperr.Invalid || e.Fields["file"] == "" {
			t.Errorf("%s: %v, want invalid on file", name, err)
		}
		if name == "merged cells" && !strings.Contains(e.Message, "合并单元格") {
			t.Errorf("merged cells: %q", e.Message)
		}
	}
	if n := w.count(t, `SELECT count(*) FROM survey_respondents`); n != 0 {
		t.Errorf("%d respondents stored from bad files", n)
	}
}
