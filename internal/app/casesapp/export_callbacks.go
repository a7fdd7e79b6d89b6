package casesapp

import (
	"context"
	"net/url"
	"strings"

	"minyi/internal/callbacks"
	"minyi/internal/export"
	"minyi/internal/httpx"
	"minyi/internal/users"
)

// callbackColumns are the columns of the call-backs export, the list's
// with each case's numbers and calls.
var callbackColumns = []export.Column{
	{Head: "案件编号", Kind: export.Number, Width: 10},
	{Head: "单位", Width: 22},
	{Head: "问题", Width: 40},
	{Head: "状态", Width: 10},
	{Head: "回访期限", Kind: export.Date},
	{Head: "是否逾期", Width: 8},
	{Head: "回访次数", Kind: export.Number, Width: 8},
	{Head: "回访电话", Width: 16},
	{Head: "回访记录", Width: 60},
	{Head: "整改措施", Width: 30},
}

// CallbacksExport is the export of the call-back list (回访): the cases
// the list shows the user (all for the office, a unit its own) in the
// list's state, the phone numbers in full only for the roles of
// CALLBACK_ROLES, masked otherwise, as on the call-back pages. Its filters
// are the list's: the state and the keyword box (q).
func (s *Handlers) CallbacksExport(ctx context.Context, u users.User, q url.Values) (export.Spec, error) {
	full := s.fullPhones(u)
	loc := s.Config.Location
	f, err := s.callbackFilter(q, u.UnitID)
	if err != nil {
		return export.Spec{}, err
	}
	conds := []export.Cond{{Label: "回访状态", Value: callbacks.StateLabel(f.State)}}
	if !u.SeesAll() {
		conds = append(conds, export.Cond{Label: "单位", Value: "本单位"})
	}
	if f.Q.Raw != "" {
		conds = append(conds, export.Cond{Label: "关键词", Value: f.Q.Raw})
	}
	// The cases are read a page of 500 at a time, in the list's order.
	each := func(ctx context.Context, do func(callbacks.Case) error) error {
		for page := f; ; page.Offset += page.Limit {
			page.Limit = 500
			list, _, err := callbacks.ListCallbackCases(ctx, s.Pool, page)
			if err != nil {
				return err
			}
			for _, k := range list {
				if err := do(k); err != nil {
					return err
				}
			}
			if len(list) < page.Limit {
				return nil
			}
		}
	}
	return export.Spec{
		Title:  "回访",
		Filter: conds,
		Estimate: func(ctx context.Context) (int, error) {
			one := f
			one.Limit = 1
			_, n, err := callbacks.ListCallbackCases(ctx, s.Pool, one)
			return n, err
		},
		Main: export.Sheet{Name: "回访", Columns: callbackColumns, Rows: func(ctx context.Context, emit export.Emit) error {
			return each(ctx, func(k callbacks.Case) error {
				phones, err := callbacks.Phones(ctx, s.Pool, s.Keys, k.ID, full)
				if err != nil {
					return err
				}
				calls, err := callbacks.ListCalls(ctx, s.Pool, k.ID)
				if err != nil {
					return err
				}
				nums := make([]string, len(phones))
				for i, p := range phones {
					nums[i] = p.Number
				}
				lines := make([]string, len(calls))
				for i, cl := range calls {
					lines[i] = cl.CalledAt.In(loc).Format("2006-01-02 15:04") + " " + cl.CallerName + " " +
						cl.OutcomeLabel() + "：" + cl.Said
				}
				return emit([]any{k.ID, k.UnitName, k.Problem, k.StatusLabel(), day(k.CallbackDue, loc), httpx.YesNo(k.Overdue),
					k.Calls, strings.Join(nums, "\n"), strings.Join(lines, "\n"), k.Measures})
			})
		}},
	}, nil
}
