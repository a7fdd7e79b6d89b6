package items_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/xuri/excelize/v2"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/items"
	"minyi/internal/testutil"
)

// unit adds a unit and returns its id.
func unit(t *testing.T, pool *pgxpool.Pool, name, credit string) int64 {
	t.Helper()
	var id int64
	if err := pool.QueryRow(context.Background(), `INSERT INTO units (name, category, credit_code)
		VALUES ($1, '经济发展类', nullif($2, '')) RETURNING id`, name, credit).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func importFile(t *testing.T, pool *pgxpool.Pool, unitID *int64, name string, data []byte) (items.ImportReport, error) {
	t.Helper()
	var rep items.ImportReport
	err := db.Tx(context.Background(), pool, func(tx pgx.Tx) (err error) {
		rep, err = items.ImportItems(context.Background(), tx, audit.System, unitID, name, data)
		return err
	})
	return rep, err
}

func xlsx(t *testing.T, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := f.SetCellStr("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestImportItemsReportsRowByRowAndIsIdempotent(t *testing.T) {
	pool := testutil.DB(t)
	a := unit(t, pool, "市市场监督管理局", "91340100MA2N0A1B2C")
	unit(t, pool, "市公安局", "")
	file := xlsx(t, [][]string{
		{"事项编码", "事项名称", "单位", "统一社会信用代码", "办理方式"},
		{"SX-001", "企业设立登记", "市市场监督管理局", "", "线下办理"},
		{"SX-002", "食品经营许可", "", "91340100MA2N0A1B2C", "网上办理"},
		{"SX-003", "户籍迁移", "市公安局", "", ""},
		{"SX-004", "无名单位事项", "不存在局", "", ""},
		{"坏 编码", "编码有空格", "市公安局", "", ""},
		{"SX-001", "重复的行", "市市场监督管理局", "", ""},
		{"SX-005", "", "市公安局", "", ""},
	})
	rep, err := importFile(t, pool, nil, "事项目录.xlsx", file)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Format != "xlsx" || rep.Rows != 7 || rep.Added != 3 || rep.Invalid != 4 || len(rep.Errors) != 4 {
		t.Fatalf("report %+v", rep)
	}
	want := map[int]string{5: "单位“不存在局”不存在", 6: "事项编码须为", 7: "与第 2 行的事项编码重复", 8: "请填写事项名称"}
	for _, e := range rep.Errors {
		if w, ok := want[e.Row]; !ok || !bytes.Contains([]byte(e.Message), []byte(w)) {
			t.Errorf("row %d: %q (column %s), want %q", e.Row, e.Message, e.Column, w)
		}
	}
	list, total, err := items.ListItems(context.Background(), pool, items.Filter{UnitID: &a}, 50, 0)
	if err != nil || total != 2 || !list[1].Online || list[0].Online {
		t.Fatalf("unit a's items %+v %d %v", list, total, err)
	}

	// The same file again changes nothing; a changed name updates.
	rep, err = importFile(t, pool, nil, "事项目录.xlsx", file)
	if err != nil || rep.Added != 0 || rep.Updated != 0 || rep.Unchanged != 3 {
		t.Fatalf("second import %+v %v", rep, err)
	}
	csv := []byte("\ufeff事项编码,事项名称\r\nSX-001,企业设立登记（含分支机构）\r\nSX-009,股权出质登记\r\n")
	rep, err = importFile(t, pool, &a, "事项.csv", csv)
	if err != nil || rep.Format != "csv" || rep.Added != 1 || rep.Updated != 1 || rep.Invalid != 0 {
		t.Fatalf("csv import %+v %v", rep, err)
	}
	list, _, _ = items.ListItems(context.Background(), pool, items.Filter{UnitID: &a, Words: "分支"}, 50, 0)
	if len(list) != 1 || list[0].Code != "SX-001" || list[0].Online {
		t.Fatalf("search %+v", list)
	}

	// A unit's own import refuses rows of other units; a file without a
	// unit column needs a unit.
	rep, err = importFile(t, pool, &a, "x.csv", []byte("事项编码,事项名称,单位\nSX-100,户籍,市公安局\n"))
	if err != nil || rep.Invalid != 1 || rep.Errors[0].Message != "只能导入本单位的事项" {
		t.Fatalf("other unit's row %+v %v", rep, err)
	}
	_, err = importFile(t, pool, nil, "x.csv", []byte("事项编码,事项名称\nSX-100,户籍\n"))
	if !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("no unit column: %v", err)
	}
}

func TestItemsRetireAndLookup(t *testing.T) {
	pool := testutil.DB(t)
	ctx := context.Background()
	a := unit(t, pool, "市人社局", "")
	var it items.Item
	err := db.Tx(ctx, pool, func(tx pgx.Tx) (err error) {
		it, err = items.CreateItem(ctx, tx, audit.System, items.Input{UnitID: a, Code: "RS-1", Name: "社保登记"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Tx(ctx, pool, func(tx pgx.Tx) error {
		_, err := items.CreateItem(ctx, tx, audit.System, items.Input{UnitID: a, Code: "RS-1", Name: "又一个"})
		return err
	})
	if e := apperr.From(err); e.Code != apperr.Invalid || e.Fields["code"] == "" {
		t.Fatalf("duplicate code: %v", err)
	}
	before := time.Now().Add(-time.Hour)
	err = db.Tx(ctx, pool, func(tx pgx.Tx) error {
		_, err := items.SetItemRetired(ctx, tx, audit.System, it.ID, true)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	k, err := items.Lookup(ctx, pool, a, []string{"RS-1", "RS-2", ""}, []string{"3", "nope", ""})
	if err != nil {
		t.Fatal(err)
	}
	if p := k.Problem("RS-1", "3", before); p != nil {
		t.Errorf("a rating made before the retirement is accepted, got %v", p)
	}
	if p := k.Problem("RS-1", "", time.Now()); p["item_code"] == "" {
		t.Errorf("a rating after the retirement is refused, got %v", p)
	}
	if p := k.Problem("RS-2", "nope", time.Now()); p["item_code"] == "" || p["stage"] == "" {
		t.Errorf("unknown codes are refused, got %v", p)
	}
	if p := k.Problem("", "", time.Now()); p != nil {
		t.Errorf("no dimensions, no problem: %v", p)
	}
}

func TestStagesSaveAndRetire(t *testing.T) {
	pool := testutil.DB(t)
	ctx := context.Background()
	err := db.Tx(ctx, pool, func(tx pgx.Tx) error {
		if _, err := items.SaveStage(ctx, tx, audit.System, items.StageInput{Code: "review", Name: "审查", Position: 4}); err != nil {
			return err
		}
		if _, err := items.SaveStage(ctx, tx, audit.System, items.StageInput{Code: "x2", Name: "接件", Position: 5}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("a second 接件: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Tx(ctx, pool, func(tx pgx.Tx) error { return items.SetStageRetired(ctx, tx, audit.System, "1", true) })
	if err != nil {
		t.Fatal(err)
	}
	list, err := items.ListStages(ctx, pool)
	if err != nil || len(list) != 4 || list[0].Code != "2" || list[2].Code != "review" || list[3].RetiredAt == nil {
		t.Fatalf("stages %+v %v", list, err)
	}
}
