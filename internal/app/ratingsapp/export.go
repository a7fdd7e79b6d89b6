package ratingsapp

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"

	"minyi/internal/apperr"
	"minyi/internal/export"
	"minyi/internal/ratings"
	"minyi/internal/users"
)

// exportBatch is how many ratings an export reads at a time.
const exportBatch = 5000

// ratingColumns are the columns of the ratings export, the feed's.
var ratingColumns = []export.Column{
	{Head: "评价时间", Kind: export.DateTime},
	{Head: "单位", Width: 24},
	{Head: "服务点", Width: 20},
	{Head: "渠道", Width: 8},
	{Head: "评价等级", Width: 10},
	{Head: "分值", Kind: export.Number, Width: 8},
	{Head: "原因", Width: 24},
	{Head: "留言", Width: 40},
	{Head: "回访电话", Width: 14},
	{Head: "办件编号", Width: 18},
	{Head: "窗口"},
	{Head: "工号"},
	{Head: "状态", Width: 10},
	{Head: "剔除理由", Width: 24},
	{Head: "评价编号", Width: 38},
	// The national record's dimensions (issue 18).
	{Head: "事项编码", Width: 20},
	{Head: "事项名称", Width: 24},
	{Head: "办理环节", Width: 10},
	{Head: "渠道代码", Kind: export.Number, Width: 8},
	{Head: "评价内容", Width: 24},
	{Head: "评价内容版本", Width: 10},
	{Head: "申请人类型", Width: 10},
}

// RatingsExport is the export of the rating feed (评价记录): the feed's
// filter, its access rule (a unit account its own unit's ratings, and
// another unit's refused) and its phone rule (numbers only for the roles
// of CALLBACK_ROLES, the mask otherwise).
func (s *Handlers) RatingsExport(ctx context.Context, u users.User, q url.Values) (export.Spec, error) {
	f, bad := s.feedFilter(q)
	f.KeywordSpan(s.Now(), s.Config.Location)
	bad.Merge(f.Validate())
	if err := bad.Err(); err != nil {
		return export.Spec{}, err
	}
	if u.Role != users.RoleOffice {
		if f.UnitID != nil && (u.UnitID == nil || *f.UnitID != *u.UnitID) {
			return export.Spec{}, apperr.New(apperr.Forbidden, "无权查看该单位的评价")
		}
		f.UnitID = u.UnitID
	}
	conds, err := s.feedConds(ctx, f, q)
	if err != nil {
		return export.Spec{}, err
	}
	full := slices.Contains(s.Config.CallbackRoles, u.Role)
	next := func(ctx context.Context, after *ratings.Cursor, limit int) ([]ratings.Rating, *ratings.Cursor, error) {
		list, last, err := ratings.Batch(ctx, s.Pool, f, after, limit)
		ratings.ShowPhones(list, s.Keys, full)
		return list, last, err
	}
	return export.Spec{
		Title:    "评价记录",
		Filter:   conds,
		Estimate: func(ctx context.Context) (int, error) { return ratings.ExportSize(ctx, s.Pool, f) },
		Main: export.Sheet{Name: "评价记录", Columns: ratingColumns,
			Rows: func(ctx context.Context, emit export.Emit) error {
				return export.Batches(ctx, exportBatch, next, ratingCells, emit)
			}},
	}, nil
}

// ratingCells is one rating as a row of ratingColumns.
func ratingCells(r ratings.Rating) []any {
	state := "计分"
	switch {
	case r.Excluded:
		state = "已剔除"
	case r.Held:
		state = "暂不计分"
	}
	return []any{r.RatedAt, r.UnitName, export.Optional(r.PointName), ratings.ChannelLabel(r.Channel), r.LevelLabel, r.Points,
		strings.Join(r.Reasons, "、"), r.Comment, r.Phone, export.Optional(r.CaseNo), export.Optional(r.WindowNo), export.Optional(r.StaffNo), state,
		export.Optional(r.ExcludeReason), r.ID.String(),
		export.Optional(r.ItemCode), r.ItemName, stageText(r.RecordDims), r.PF, strings.Join(r.ReasonLabels(), "、"),
		export.Optional(r.EvaVersion), r.ApplicantName()}
}

// stageText is the rating's stage by name, or by its code when the stage
// is no longer known.
func stageText(d ratings.RecordDims) string {
	if d.StageName != "" || d.Stage == nil {
		return d.StageName
	}
	return *d.Stage
}

// feedConds is the feed's filter in words.
func (s *Handlers) feedConds(ctx context.Context, f ratings.Filter, q url.Values) ([]export.Cond, error) {
	c, err := export.UnitConds(ctx, s.Pool, f.UnitID)
	if err != nil {
		return nil, err
	}
	if f.Channel != "" {
		c = append(c, export.Cond{Label: "渠道", Value: ratings.ChannelLabel(f.Channel)})
	}
	if f.Level != 0 {
		c = append(c, export.Cond{Label: "评价等级", Value: ratings.LevelLabel(f.Level)})
	}
	if v := q.Get("from"); v != "" {
		c = append(c, export.Cond{Label: "开始日期", Value: v})
	} else if f.RecentSpan {
		c = append(c, export.Cond{Label: "开始日期", Value: f.From.In(s.Config.Location).Format(time.DateOnly) + "（按关键词搜索，默认近12个月）"})
	}
	if v := q.Get("to"); v != "" {
		c = append(c, export.Cond{Label: "结束日期", Value: v})
	}
	yes := func(label string, v *bool, on, off string) {
		if v != nil {
			c = append(c, export.Cond{Label: label, Value: map[bool]string{true: on, false: off}[*v]})
		}
	}
	yes("剔除状态", f.Excluded, "已剔除", "未剔除")
	yes("暂不计分", f.Held, "只看暂不计分", "不含暂不计分")
	yes("限流校验", f.RateChecked, "已经限流校验", "未经限流校验")
	if f.HasComment {
		c = append(c, export.Cond{Label: "留言", Value: "只看有留言"})
	}
	if !f.Q.IsZero() {
		c = append(c, export.Cond{Label: "留言关键词", Value: f.Q.Raw})
	}
	return c, nil
}
