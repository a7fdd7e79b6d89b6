package items

import (
	"context"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/safetext"
	"minyi/internal/sheet"
	"minyi/internal/units"
)

// MaxImportRows is the most data rows an item list may have.
const MaxImportRows = 20000

// MaxFileBytes bounds an uploaded item list (CSV or .xlsx).
const MaxFileBytes = 10 << 20

// ImportColumns are the columns of an item list: 事项编码 and 事项名称 are
// required; the unit is named by 单位 (its name or short code) or by its
// 统一社会信用代码, and may be left out when the import is for one unit;
// 办理方式 is 网上 / 线上 for an online service, anything else offline.
var ImportColumns = []sheet.Column{
	{Field: "code", Names: []string{"事项编码", "编码", "code"}, Required: true},
	{Field: "name", Names: []string{"事项名称", "名称", "name"}, Required: true},
	{Field: "unit", Names: []string{"单位", "单位名称", "实施主体", "unit"}},
	{Field: "credit_code", Names: []string{"统一社会信用代码", "信用代码", "credit_code"}},
	{Field: "mode", Names: []string{"办理方式", "服务方式", "mode"}},
}

// RowError is one problem of one row of an import.
type RowError struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

// ImportReport is what an import did, row by row.
type ImportReport struct {
	Filename  string     `json:"filename"`
	Format    string     `json:"format"`
	Rows      int        `json:"rows"`
	Added     int        `json:"added"`
	Updated   int        `json:"updated"`
	Unchanged int        `json:"unchanged"`
	Invalid   int        `json:"invalid"`
	Errors    []RowError `json:"errors"`
}

// ImportItems reads an item list (CSV or .xlsx) and stores every valid row
// in the calling transaction: a new code is added, a known code (same
// unit) takes the row's name and, when the file has the column, its
// 办理方式; a retired item stays retired. Importing the same file twice
// changes nothing the second time. unitID, when set, is the unit of rows
// that name none, and the only unit rows may name (a unit's own import).
// Invalid rows are reported and skipped. It returns invalid (field file)
// for a file that cannot be read, has a wrong header or no data rows, or
// names no unit while no unit is given; and unavailable when too many
// files are being read at once.
func ImportItems(ctx context.Context, tx pgx.Tx, actor audit.Actor, unitID *int64, filename string, data []byte) (ImportReport, error) {
	rep := ImportReport{Filename: sheet.Filename(filename), Errors: []RowError{}}
	t, err := sheet.Read(ctx, data, MaxImportRows)
	if err != nil {
		return rep, err
	}
	m, err := t.Map(ImportColumns)
	if err != nil {
		return rep, err
	}
	if len(t.Rows) == 0 {
		return rep, apperr.InvalidField(sheet.Field, "文件只有表头，没有事项数据")
	}
	if unitID == nil && !m.Has("unit") && !m.Has("credit_code") {
		return rep, apperr.InvalidField(sheet.Field, "文件缺少“单位”或“统一社会信用代码”列，请注明每个事项所属的单位，或先选择单位再导入")
	}
	rep.Format, rep.Rows = t.Format, len(t.Rows)
	idx, err := loadUnits(ctx, tx)
	if err != nil {
		return rep, err
	}
	seen := map[string]int{} // unit and code → the row that gave it first
	for _, row := range t.Rows {
		in, col, msg := rowInput(row, m, idx, unitID)
		if msg == "" {
			if err := in.Validate(); err != nil {
				for field, text := range apperr.From(err).Fields {
					col, msg = field, text
				}
			}
		}
		key := strconv.FormatInt(in.UnitID, 10) + "\x00" + in.Code
		if first, ok := seen[key]; ok && msg == "" {
			col, msg = "code", "与第 "+strconv.Itoa(first)+" 行的事项编码重复"
		}
		if msg != "" {
			rep.Invalid++
			rep.Errors = append(rep.Errors, RowError{Row: row.Line, Column: columnHeader(m, col), Message: msg})
			continue
		}
		seen[key] = row.Line
		outcome, err := upsertItem(ctx, tx, in, m.Has("mode"))
		if err != nil {
			return rep, err
		}
		switch outcome {
		case "added":
			rep.Added++
		case "updated":
			rep.Updated++
		default:
			rep.Unchanged++
		}
	}
	type summary struct {
		Filename  string `json:"filename"`
		Rows      int    `json:"rows"`
		Added     int    `json:"added"`
		Updated   int    `json:"updated"`
		Unchanged int    `json:"unchanged"`
		Invalid   int    `json:"invalid"`
	}
	entityID := "all"
	if unitID != nil {
		entityID = strconv.FormatInt(*unitID, 10)
	}
	return rep, audit.Record(ctx, tx, actor, "items.import", "service_item", entityID, nil,
		summary{rep.Filename, rep.Rows, rep.Added, rep.Updated, rep.Unchanged, rep.Invalid})
}

// rowInput reads one row; a problem comes back as the field it concerns
// and a message.
func rowInput(row sheet.Row, m *sheet.Mapped, idx unitIndex, unitID *int64) (Input, string, string) {
	for _, c := range ImportColumns {
		if !safetext.Valid(m.Get(row, c.Field)) {
			return Input{}, c.Field, safetext.Message
		}
	}
	mode := strings.TrimSpace(m.Get(row, "mode"))
	in := Input{Code: m.Get(row, "code"), Name: m.Get(row, "name"),
		Online: strings.Contains(mode, "网上") || strings.Contains(mode, "线上")}
	name, credit := strings.TrimSpace(m.Get(row, "unit")), units.NormalizeCreditCode(m.Get(row, "credit_code"))
	switch {
	case credit != "":
		id, ok := idx.byCredit[credit]
		if !ok {
			return in, "credit_code", "没有统一社会信用代码为“" + credit + "”的单位"
		}
		in.UnitID = id
		if n, ok := idx.byName[name]; name != "" && (!ok || n != id) {
			return in, "unit", "单位“" + name + "”与统一社会信用代码不符"
		}
	case name != "":
		id, ok := idx.byName[name]
		if !ok {
			return in, "unit", "单位“" + name + "”不存在，请填写单位全称或简码"
		}
		in.UnitID = id
	case unitID != nil:
		in.UnitID = *unitID
	default:
		return in, "unit", "请填写单位或统一社会信用代码"
	}
	if unitID != nil && in.UnitID != *unitID {
		return in, "unit", "只能导入本单位的事项"
	}
	return in, "", ""
}

// columnHeader is the field's header as the file writes it, or its
// template name when the file has no such column.
func columnHeader(m *sheet.Mapped, field string) string {
	if h := m.Header(field); h != "" {
		return h
	}
	for _, c := range ImportColumns {
		if c.Field == field {
			return c.Names[0]
		}
	}
	return ""
}

// upsertItem adds the item or updates a known one, saying which it did:
// added, updated or unchanged.
func upsertItem(ctx context.Context, tx pgx.Tx, in Input, withMode bool) (string, error) {
	var outcome string
	err := tx.QueryRow(ctx, `WITH old AS (
		SELECT name, online FROM service_items WHERE unit_id = $1 AND code = $2
	), up AS (
		INSERT INTO service_items AS s (unit_id, code, name, online) VALUES ($1, $2, $3, $4)
		ON CONFLICT (unit_id, code) DO UPDATE SET name = EXCLUDED.name,
			online = CASE WHEN $5 THEN EXCLUDED.online ELSE s.online END, updated_at = now()
		WHERE s.name <> EXCLUDED.name OR ($5 AND s.online <> EXCLUDED.online)
		RETURNING 1
	)
	SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM old) THEN 'added'
		WHEN EXISTS (SELECT 1 FROM up) THEN 'updated' ELSE 'unchanged' END`,
		in.UnitID, in.Code, in.Name, in.Online, withMode).Scan(&outcome)
	return outcome, db.Err(err)
}

// unitIndex finds units by name, short code and credit code.
type unitIndex struct {
	byName   map[string]int64
	byCredit map[string]int64
}

func loadUnits(ctx context.Context, q db.DBTX) (unitIndex, error) {
	idx := unitIndex{byName: map[string]int64{}, byCredit: map[string]int64{}}
	rows, _ := q.Query(ctx, `SELECT id, name, coalesce(short_code, ''), coalesce(credit_code, '') FROM units`)
	var id int64
	var name, short, credit string
	_, err := pgx.ForEachRow(rows, []any{&id, &name, &short, &credit}, func() error {
		idx.byName[name] = id
		if short != "" {
			idx.byName[short] = id
		}
		if credit != "" {
			idx.byCredit[credit] = id
		}
		return nil
	})
	return idx, db.Err(err)
}

// ImportTemplate is a CSV template of an item list with one example row.
func ImportTemplate(unitName string) string {
	if unitName == "" {
		unitName = "示例单位"
	}
	return "\ufeff事项编码,事项名称,单位,统一社会信用代码,办理方式\r\n" +
		"11340100MB0000000X4000000001,企业设立登记," + unitName + ",,线下办理\r\n"
}
