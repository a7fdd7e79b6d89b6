package instrumentsapp

import (
	"context"
	"net/url"
	"strconv"

	"minyi/internal/apperr"
	"minyi/internal/export"
	"minyi/internal/instruments"
	"minyi/internal/units"
	"minyi/internal/users"
)

// AnswersExport is the export of an instrument's answers (评价明细), the
// office's: instrument_id (from the route's path) and unit_id
// (one rated unit, or all). Each answer with its rater, group, grade and
// points; where the instrument is anonymous, as on its pages, only each
// group's count and mean per unit, never who answered.
func (s *Handlers) AnswersExport(ctx context.Context, _ users.User, q url.Values) (export.Spec, error) {
	id, err := strconv.ParseInt(q.Get("instrument_id"), 10, 64)
	if err != nil || id <= 0 {
		return export.Spec{}, apperr.New(apperr.NotFound, "评价项目不存在")
	}
	in, err := instruments.Find(ctx, s.Pool, id)
	if err != nil {
		return export.Spec{}, err
	}
	var unitID int64
	conds := []export.Cond{{Label: "评价项目", Value: in.Name}}
	if v := q.Get("unit_id"); v != "" {
		if unitID, err = strconv.ParseInt(v, 10, 64); err != nil || unitID <= 0 {
			return export.Spec{}, apperr.InvalidField("unit_id", "unit_id 须为正整数")
		}
		u, err := units.FindUnit(ctx, s.Pool, unitID)
		if err != nil {
			return export.Spec{}, err
		}
		conds = append(conds, export.Cond{Label: "被评单位", Value: u.Name})
	}
	spec := export.Spec{Title: in.Name + "评价明细", Filter: conds}
	if in.Anonymous {
		conds = append(conds, export.Cond{Label: "说明", Value: "匿名评价，只列各类别的份数和平均分"})
		spec.Filter = conds
		spec.Estimate = func(context.Context) (int, error) { return 0, nil } // a group a unit: always small
		spec.Main = export.Sheet{Name: "评价明细", Columns: []export.Column{{Head: "被评单位", Width: 24},
			{Head: "评价人类别", Width: 16}, {Head: "份数", Kind: export.Number, Width: 8},
			{Head: "平均分", Kind: export.Number, Width: 8}},
			Rows: func(ctx context.Context, emit export.Emit) error {
				groups, err := instruments.AnswerGroups(ctx, s.Pool, in, unitID)
				if err != nil {
					return err
				}
				for _, g := range groups {
					var mean any
					if g.Mean != nil {
						mean = *g.Mean
					}
					if err := emit([]any{g.UnitName, g.Group, g.Answers, mean}); err != nil {
						return err
					}
				}
				return nil
			}}
		return spec, nil
	}
	cols := []export.Column{{Head: "评价时间", Kind: export.DateTime}, {Head: "被评单位", Width: 24},
		{Head: "评价人", Width: 20}, {Head: "评价人类别", Width: 16}}
	if in.Scale == instruments.ScaleGrades {
		cols = append(cols, export.Column{Head: "等次", Width: 8})
	}
	cols = append(cols, export.Column{Head: "分值", Kind: export.Number, Width: 8})
	next := func(ctx context.Context, after *int64, limit int) ([]instruments.ExportLine, *int64, error) {
		var a int64
		if after != nil {
			a = *after
		}
		return instruments.AnswerBatch(ctx, s.Pool, in, unitID, a, limit)
	}
	row := func(l instruments.ExportLine) []any {
		out := []any{l.AnsweredAt, l.UnitName, l.Rater, l.Group}
		if in.Scale == instruments.ScaleGrades {
			out = append(out, l.GradeLabel())
		}
		return append(out, l.Value)
	}
	spec.Estimate = func(ctx context.Context) (int, error) { return instruments.AnswerCount(ctx, s.Pool, in, unitID) }
	spec.Main = export.Sheet{Name: "评价明细", Columns: cols, Rows: func(ctx context.Context, emit export.Emit) error {
		return export.Batches(ctx, instruments.MaxAnswerBatch, next, row, emit)
	}}
	return spec, nil
}
