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
	// A batch is a page of the list (the cursor is its offset), with its
	// cases' phones and calls read for the whole page at once.
	next := func(ctx context.Context, after *int, limit int) ([]callbackRow, *int, error) {
		page := f
		page.Limit = limit
		if after != nil {
			page.Offset = *after
		}
		list, _, err := callbacks.ListCallbackCases(ctx, s.Pool, page)
		if err != nil {
			return nil, nil, err
		}
		ids := make([]int64, len(list))
		for i, k := range list {
			ids[i] = k.ID
		}
		phones, err := callbacks.PhonesOf(ctx, s.Pool, s.Keys, ids, full)
		if err != nil {
			return nil, nil, err
		}
		calls, err := callbacks.CallsOf(ctx, s.Pool, ids)
		if err != nil {
			return nil, nil, err
		}
		out := make([]callbackRow, len(list))
		for i, k := range list {
			out[i] = callbackRow{Case: k, phones: phones[k.ID], calls: calls[k.ID]}
		}
		end := page.Offset + len(list)
		return out, &end, nil
	}
	row := func(r callbackRow) []any {
		nums := make([]string, len(r.phones))
		for i, p := range r.phones {
			nums[i] = p.Number
		}
		lines := make([]string, len(r.calls))
		for i, cl := range r.calls {
			lines[i] = cl.CalledAt.In(loc).Format("2006-01-02 15:04") + " " + cl.CallerName + " " +
				cl.OutcomeLabel() + "：" + cl.Said
		}
		return []any{r.ID, r.UnitName, r.Problem, r.StatusLabel(), day(r.CallbackDue, loc), httpx.YesNo(r.Overdue),
			r.Calls, strings.Join(nums, "\n"), strings.Join(lines, "\n"), r.Measures}
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
			return export.Batches(ctx, callbackBatch, next, row, emit)
		}},
	}, nil
}

// callbackBatch is how many cases the export reads at a time.
const callbackBatch = 500

// callbackRow is one case of the export with its phones and calls.
type callbackRow struct {
	callbacks.Case
	phones []callbacks.Phone
	calls  []callbacks.Call
}
