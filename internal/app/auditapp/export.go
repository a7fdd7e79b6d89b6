package auditapp

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/export"
	"minyi/internal/users"
)

// exportBatch is how many entries an export reads at a time.
const exportBatch = 2000

// auditColumns are the columns of the exported log, the page's.
var auditColumns = []export.Column{
	{Head: "时间", Kind: export.DateTime},
	{Head: "操作人", Width: 14},
	{Head: "操作", Width: 22},
	{Head: "对象", Width: 16},
	{Head: "对象编号", Width: 10},
	{Head: "变更内容", Width: 80},
}

// AuditExport is the export of the audit log (审计日志) for the office:
// the page's filter, every entry it selects, newest first, the change
// one field a line.
func (s *Handlers) AuditExport(ctx context.Context, u users.User, q url.Values) (export.Spec, error) {
	if u.Role != users.RoleOffice {
		return export.Spec{}, apperr.New(apperr.Forbidden, "只有绩效办可以查看审计日志")
	}
	aq := readValues(q)
	f, err := s.filter(ctx, aq)
	if err != nil {
		return export.Spec{}, err
	}
	conds, err := s.auditConds(ctx, aq)
	if err != nil {
		return export.Spec{}, err
	}
	next := func(ctx context.Context, after *audit.Cursor, limit int) ([]audit.Entry, *audit.Cursor, error) {
		g := f
		g.Older, g.Limit = after, limit
		list, _, err := audit.List(ctx, s.Pool, g)
		if err != nil || len(list) == 0 {
			return nil, nil, err
		}
		last := list[len(list)-1]
		return list, &audit.Cursor{At: last.At, ID: last.ID}, nil
	}
	return export.Spec{
		Title:    "审计日志",
		Filter:   conds,
		Estimate: func(ctx context.Context) (int, error) { return audit.ExportSize(ctx, s.Pool, f) },
		Main: export.Sheet{Name: "审计日志", Columns: auditColumns, Rows: func(ctx context.Context, emit export.Emit) error {
			return export.Batches(ctx, exportBatch, next, s.auditCells, emit)
		}},
	}, nil
}

// auditCells is one entry as a row of auditColumns.
func (s *Handlers) auditCells(e audit.Entry) []any {
	r := s.rowOf(e)
	lines := make([]string, 0, len(r.Changes))
	for _, ch := range r.Changes {
		lines = append(lines, changeText(ch))
	}
	return []any{r.At, r.Actor, r.ActionLabel, r.EntityLabel, e.EntityID, strings.Join(lines, "\n")}
}

// auditConds is the filter in words.
func (s *Handlers) auditConds(ctx context.Context, q auditQuery) ([]export.Cond, error) {
	var c []export.Cond
	add := func(label, v string) {
		if v != "" {
			c = append(c, export.Cond{Label: label, Value: v})
		}
	}
	add("操作人", q.Person)
	if q.Role != "" {
		add("角色", users.RoleNames[q.Role])
	}
	if q.UnitID != "" {
		id, _ := strconv.ParseInt(q.UnitID, 10, 64)
		uc, err := export.UnitConds(ctx, s.Pool, &id)
		if err != nil {
			return nil, err
		}
		c = append(c, uc...)
	}
	if q.Action != "" {
		l, _ := audit.ActionLabel(q.Action)
		add("操作", l)
	}
	if q.Entity != "" {
		add("对象", audit.EntityLabel(q.Entity))
	}
	add("对象编号", q.EntityID)
	add("起始日期", q.From)
	add("截止日期", q.To)
	return c, nil
}

// changeText is one field's change on one line: 名称：甲 → 乙.
func changeText(ch audit.Change) string {
	b, a := ch.Before, ch.After
	if b == "" {
		b = "（空）"
	}
	if a == "" {
		a = "（空）"
	}
	return ch.Field + "：" + b + " → " + a
}
