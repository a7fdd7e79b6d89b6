package casesapp

import (
	"context"
	"net/url"
	"strings"
	"time"

	"minyi/internal/export"
	"minyi/internal/feedback"
	"minyi/internal/users"
)

// caseExportBatch is how many cases an export reads at a time.
const caseExportBatch = 500

// caseColumns are the columns of the cases export: one row a case, its
// timeline in the last column (one update a line) for the CSV's sake.
var caseColumns = []export.Column{
	{Head: "案件编号", Kind: export.Number, Width: 10},
	{Head: "单位", Width: 22},
	{Head: "来源", Width: 12},
	{Head: "问题", Width: 40},
	{Head: "状态", Width: 10},
	{Head: "立案时间", Kind: export.DateTime},
	{Head: "交办日期", Kind: export.Date},
	{Head: "答复期限", Kind: export.Date},
	{Head: "答复时间", Kind: export.DateTime},
	{Head: "情况说明", Width: 30},
	{Head: "责任人", Width: 12},
	{Head: "整改措施", Width: 30},
	{Head: "整改期限", Kind: export.Date},
	{Head: "报告完成时间", Kind: export.DateTime},
	{Head: "办结时间", Kind: export.DateTime},
	{Head: "时间线", Width: 60},
}

// timelineColumns are the columns of the sheet 时间线: one row an update.
var timelineColumns = []export.Column{
	{Head: "案件编号", Kind: export.Number, Width: 10},
	{Head: "单位", Width: 22},
	{Head: "时间", Kind: export.DateTime},
	{Head: "环节", Width: 12},
	{Head: "内容", Width: 60},
	{Head: "操作人", Width: 14},
}

// CasesExport is the export of the rectification cases (整改案件) with
// their timelines: the list's filter and access rule (a unit its own
// cases, another unit's refused).
func (s *Handlers) CasesExport(ctx context.Context, u users.User, q url.Values) (export.Spec, error) {
	f, err := s.caseFilter(u, q)
	if err != nil {
		return export.Spec{}, err
	}
	conds, err := s.caseConds(ctx, f)
	if err != nil {
		return export.Spec{}, err
	}
	loc := s.Config.Location
	// each calls fn for every batch of cases with their timelines.
	each := func(ctx context.Context, fn func(feedback.Case, []feedback.CaseUpdate) error) error {
		var after *feedback.CaseCursor
		for {
			list, last, err := feedback.CaseBatch(ctx, s.Pool, f, after, caseExportBatch)
			if err != nil || len(list) == 0 {
				return err
			}
			ids := make([]int64, len(list))
			for i, c := range list {
				ids[i] = c.ID
			}
			entries, err := feedback.CaseTimelines(ctx, s.Pool, ids)
			if err != nil {
				return err
			}
			byCase := map[int64][]feedback.CaseUpdate{}
			for _, e := range entries {
				byCase[e.CaseID] = append(byCase[e.CaseID], e.CaseUpdate)
			}
			for _, c := range list {
				if err := fn(c, byCase[c.ID]); err != nil {
					return err
				}
			}
			if len(list) < caseExportBatch {
				return nil
			}
			after = last
		}
	}
	return export.Spec{
		Title:    "整改案件",
		Filter:   conds,
		Estimate: func(ctx context.Context) (int, error) { return feedback.CaseSize(ctx, s.Pool, f) },
		Main: export.Sheet{Name: "整改案件", Columns: caseColumns, Rows: func(ctx context.Context, emit export.Emit) error {
			return each(ctx, func(c feedback.Case, ups []feedback.CaseUpdate) error {
				return emit(caseCells(c, timelineText(ups, loc), loc))
			})
		}},
		Extra: []export.Sheet{{Name: "时间线", Columns: timelineColumns, Rows: func(ctx context.Context, emit export.Emit) error {
			return each(ctx, func(c feedback.Case, ups []feedback.CaseUpdate) error {
				for _, up := range ups {
					if err := emit([]any{c.ID, c.UnitName, up.CreatedAt, up.KindLabel(), up.Body, export.Optional(up.CreatedBy)}); err != nil {
						return err
					}
				}
				return nil
			})
		}}},
	}, nil
}

// caseCells is one case as a row of caseColumns.
func caseCells(c feedback.Case, timeline string, loc *time.Location) []any {
	return []any{c.ID, c.UnitName, c.SourceLabel(), c.Problem, c.StatusLabel(), c.CreatedAt, day(c.SentOn, loc),
		day(c.AnswerDue, loc), when(c.AnsweredAt), c.Explanation, c.Responsible, c.Measures, day(c.FixDue, loc),
		when(c.DoneAt), when(c.ClosedAt), timeline}
}

// timelineText is a timeline one update a line: 2026-01-31 09:30 单位答复：…
func timelineText(ups []feedback.CaseUpdate, loc *time.Location) string {
	lines := make([]string, len(ups))
	for i, up := range ups {
		lines[i] = up.CreatedAt.In(loc).Format("2006-01-02 15:04") + " " + up.KindLabel() + "：" + up.Body
	}
	return strings.Join(lines, "\n")
}

// day is a stored date (2026-01-31) as a time for a date cell, nil when
// unset.
func day(s *string, loc *time.Location) any {
	if s == nil {
		return nil
	}
	t, err := time.ParseInLocation(time.DateOnly, *s, loc)
	if err != nil {
		return *s
	}
	return t
}

// when is an optional time for a cell, nil when unset.
func when(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

// caseConds is the cases' filter in words.
func (s *Handlers) caseConds(ctx context.Context, f feedback.CaseFilter) ([]export.Cond, error) {
	c, err := export.UnitConds(ctx, s.Pool, f.UnitID)
	if err != nil {
		return nil, err
	}
	if f.Status != "" {
		c = append(c, export.Cond{Label: "状态", Value: feedback.CaseStatusLabel(f.Status)})
	}
	if f.Overdue != "" {
		c = append(c, export.Cond{Label: "逾期", Value: map[string]string{feedback.OverdueAny: "逾期（答复或整改）",
			feedback.OverdueAnswer: "答复逾期", feedback.OverdueFix: "整改逾期"}[f.Overdue] +
			"（截至 " + f.Today.Format(time.DateOnly) + "）"})
	}
	return c, nil
}
