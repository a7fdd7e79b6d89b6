package sheet

import (
	"strings"
)

// Column is a column a caller expects: the field it fills and the header
// texts it accepts, Chinese and English (e.g. "姓名", "name").
type Column struct {
	Field    string
	Names    []string
	Required bool
}

// Mapped is a table's header matched to the expected columns.
type Mapped struct {
	index  map[string]int // field → cell index
	header []string
}

// Map matches the header to the columns: trimmed, case-insensitive, a
// trailing "*" or "（必填）"/"（选填）" ignored. It refuses, in one Chinese
// message naming each problem, a missing required column, a header it does
// not know, a column given twice, and data in a column without a header.
// The error is an apperr invalid error on the field "file".
func (t *Table) Map(cols []Column) (*Mapped, error) {
	byName := map[string]int{} // normalized header text → index into cols
	for i, c := range cols {
		for _, n := range c.Names {
			byName[normalizeHeader(n)] = i
		}
	}
	m := &Mapped{index: map[string]int{}, header: t.Header}
	var unknown, unnamed []string
	seen := map[int][]string{} // index into cols → the column letters naming it
	for i, h := range t.Header {
		if strings.TrimSpace(h) == "" {
			if t.ColumnHasData(i) {
				unnamed = append(unnamed, ColumnName(i))
			}
			continue
		}
		ci, ok := byName[normalizeHeader(h)]
		if !ok {
			unknown = append(unknown, "“"+strings.TrimSpace(h)+"”")
			continue
		}
		seen[ci] = append(seen[ci], ColumnName(i))
		if len(seen[ci]) == 1 {
			m.index[cols[ci].Field] = i
		}
	}
	for i := len(t.Header); i < t.Width(); i++ {
		if t.ColumnHasData(i) {
			unnamed = append(unnamed, ColumnName(i))
		}
	}
	var problems []string
	for i, c := range cols {
		switch {
		case c.Required && len(seen[i]) == 0:
			problems = append(problems, "缺少必填列“"+c.Names[0]+"”（表头可写："+strings.Join(quoted(c.Names), "或")+"）")
		case len(seen[i]) > 1:
			problems = append(problems, "列“"+c.Names[0]+"”重复出现（第 "+strings.Join(seen[i], "、")+" 列）")
		}
	}
	if len(unknown) > 0 {
		problems = append(problems, "无法识别的列 "+strings.Join(unknown, "、"))
	}
	if len(unnamed) > 0 {
		problems = append(problems, "第 "+strings.Join(unnamed, "、")+" 列有数据但没有表头")
	}
	if len(problems) > 0 {
		return nil, fail("表头有误：" + strings.Join(problems, "；") + "。请按模板的表头修改后重新上传")
	}
	return m, nil
}

func quoted(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "“" + n + "”"
	}
	return out
}

// width is the number of cells of the widest row or the header.
// Width is the number of columns: the header's, or a longer row's.
func (t *Table) Width() int {
	w := len(t.Header)
	for _, r := range t.Rows {
		w = max(w, len(r.Cells))
	}
	return w
}

// ColumnHasData reports whether column i holds a non-blank cell.
func (t *Table) ColumnHasData(i int) bool {
	for _, r := range t.Rows {
		if i < len(r.Cells) && strings.TrimSpace(r.Cells[i]) != "" {
			return true
		}
	}
	return false
}

// Get returns the row's trimmed cell of the field, or "" when the column
// is absent or the row is short.
func (m *Mapped) Get(r Row, field string) string {
	i, ok := m.index[field]
	if !ok || i >= len(r.Cells) {
		return ""
	}
	return strings.TrimSpace(r.Cells[i])
}

// Has reports whether the table has the field's column.
func (m *Mapped) Has(field string) bool {
	_, ok := m.index[field]
	return ok
}

// Header returns the field's header as the file writes it (trimmed), for
// messages; "" when the table has no such column.
func (m *Mapped) Header(field string) string {
	i, ok := m.index[field]
	if !ok {
		return ""
	}
	return strings.TrimSpace(m.header[i])
}
