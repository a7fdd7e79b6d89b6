package upwardapp

import (
	"context"
	"net/url"
	"strings"
	"time"

	"minyi/internal/apperr"
	"minyi/internal/export"
	"minyi/internal/upward"
	"minyi/internal/users"
)

// exportBatch is how many records an export reads at a time.
const exportBatch = 5000

// The export's columns: the national record's fields, each headed by its
// Chinese name with the field name a platform's import template uses.
// The file is .xlsx or CSV, not JSON lines: the national interface is JSON
// only over HTTP, and the platforms that take files import spreadsheets.
var columns = []export.Column{
	{Head: "记录编号（recordId）", Width: 40},
	{Head: "办件编号（projectNo）", Width: 20},
	{Head: "评价次序（assessNumber）", Kind: export.Number},
	{Head: "评价渠道（pf）", Kind: export.Number},
	{Head: "满意度（satisfaction）", Kind: export.Number},
	{Head: "评价原因代码（evalDetail）", Width: 16},
	{Head: "文字评价（writingEvaluation）", Width: 40},
	{Head: "评价时间（assessTime）", Width: 20},
	{Head: "事项编码（taskCode）", Width: 16},
	{Head: "事项名称（taskName）", Width: 20},
	{Head: "部门统一社会信用代码（deptCode）", Width: 20},
	{Head: "部门名称（deptName）", Width: 24},
	{Head: "行政区划代码（areaCode）", Width: 14},
	{Head: "办事人类型（userProp）"},
	{Head: "数据来源（dataSource）"},
	{Head: "评价内容版本（evaVersion）"},
	{Head: "整改情况（rectification）", Width: 40},
	{Head: "答复（answer）", Width: 40},
	{Head: "整改办结时间（rectifyTime）", Width: 20},
}

// cells is one record as a row of columns; a number Minyi does not hold
// is an empty cell.
func cells(r upward.Record) []any {
	var number any
	if r.AssessNumber != 0 {
		number = r.AssessNumber
	}
	return []any{r.RecordID, r.ProjectNo, number, r.Pf, r.Satisfaction, strings.Join(r.EvalDetail, ","),
		r.WritingEvaluation, r.AssessTime, r.TaskCode, r.TaskName, r.DeptCode, r.DeptName, r.AreaCode, r.UserProp,
		r.DataSource, r.EvaVersion, r.Rectification, r.Answer, r.RectifyTime}
}

// UpwardExport is the export of the records of a period (from, to: local
// dates, both included) of one source (source: rating, the default, or
// rectification, whose period is the cases' closing): the same records
// the platform receives. Office only.
func (s *Handlers) UpwardExport(ctx context.Context, u users.User, q url.Values) (export.Spec, error) {
	if u.Role != users.RoleOffice {
		return export.Spec{}, apperr.New(apperr.Forbidden, "只有绩效办可以导出上报数据")
	}
	p, conds, err := s.period(q)
	if err != nil {
		return export.Spec{}, err
	}
	next := func(ctx context.Context, after *upward.Cursor, limit int) ([]upward.Record, *upward.Cursor, error) {
		return upward.ReadPeriod(ctx, s.Pool, p, s.Config.Location, s.Config.UpwardSource, after, limit)
	}
	title := "上报数据（" + upward.SourceNames[p.Source] + "）"
	return export.Spec{
		Title:    title,
		Filter:   conds,
		Estimate: func(ctx context.Context) (int, error) { return upward.PeriodSize(ctx, s.Pool, p) },
		Main: export.Sheet{Name: upward.SourceNames[p.Source], Columns: columns,
			Rows: func(ctx context.Context, emit export.Emit) error {
				return export.Batches(ctx, exportBatch, next, cells, emit)
			}},
	}, nil
}

// period reads the export's source and dates, both required.
func (s *Handlers) period(q url.Values) (upward.Period, []export.Cond, error) {
	p := upward.Period{Source: q.Get("source")}
	if p.Source == "" {
		p.Source = upward.SourceRating
	}
	bad := apperr.Fields{}
	if _, ok := upward.SourceNames[p.Source]; !ok {
		bad.Add("source", "请选择评价记录或差评整改结果")
	}
	day := func(field, label string) time.Time {
		v := q.Get(field)
		d, err := time.ParseInLocation(time.DateOnly, v, s.Config.Location)
		if err != nil {
			bad.Add(field, "请选择"+label)
		}
		return d
	}
	p.From = day("from", "开始日期")
	to := day("to", "结束日期")
	p.To = to.AddDate(0, 0, 1)
	if err := bad.Err(); err != nil {
		return p, nil, err
	}
	if !p.From.Before(p.To) {
		return p, nil, apperr.InvalidField("to", "结束日期不能早于开始日期")
	}
	if p.To.Sub(p.From) > 366*24*time.Hour {
		return p, nil, apperr.InvalidField("to", "一次最多导出一年")
	}
	return p, []export.Cond{{Label: "内容", Value: upward.SourceNames[p.Source]},
		{Label: "开始日期", Value: q.Get("from")}, {Label: "结束日期", Value: q.Get("to")}}, nil
}
