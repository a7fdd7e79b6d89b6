package casesapp

import (
	"context"
	"net/url"
	"strings"
	"time"

	"minyi/internal/export"
	"minyi/internal/feedback"
	"minyi/internal/httpx"
	"minyi/internal/ratings"
	"minyi/internal/users"
)

// feedbackColumns are the columns of the review queue's export (民意核查):
// each item with its review.
var feedbackColumns = []export.Column{
	{Head: "评价时间", Kind: export.DateTime},
	{Head: "来源", Width: 8},
	{Head: "单位", Width: 24},
	{Head: "渠道", Width: 10},
	{Head: "评价等级", Width: 10},
	{Head: "原因", Width: 24},
	{Head: "留言或意见", Width: 48},
	{Head: "留有电话", Width: 8},
	{Head: "计分状态", Width: 10},
	{Head: "核查结论", Width: 12},
	{Head: "无效理由", Width: 16},
	{Head: "核查说明", Width: 30},
	{Head: "整改案件编号", Kind: export.Number, Width: 12},
	{Head: "核查人", Width: 12},
	{Head: "核查时间", Kind: export.DateTime},
	{Head: "编号", Width: 38},
}

// FeedbackExport is the export of the review queue (民意核查), the
// office's list: the queue's filter as the API reads it (status "" or all
// for every item, pending, decided; tone complaint, praise, "" or all for
// both), over the filter's period (90 days when none is given).
func (s *Handlers) FeedbackExport(ctx context.Context, _ users.User, q url.Values) (export.Spec, error) {
	status := q.Get("status")
	if status == "all" {
		status = ""
	}
	f, err := s.queueFilter(q, status)
	if err != nil {
		return export.Spec{}, err
	}
	conds, err := s.queueConds(ctx, f)
	if err != nil {
		return export.Spec{}, err
	}
	loc := s.Config.Location
	next := func(ctx context.Context, after *ratings.Cursor, limit int) ([]feedback.Item, *ratings.Cursor, error) {
		return feedback.QueueBatch(ctx, s.Pool, loc, f, after, limit)
	}
	return export.Spec{
		Title:    "民意核查",
		Filter:   conds,
		Estimate: func(ctx context.Context) (int, error) { return feedback.QueueSize(ctx, s.Pool, loc, f) },
		Main: export.Sheet{Name: "民意核查", Columns: feedbackColumns, Rows: func(ctx context.Context, emit export.Emit) error {
			return export.Batches(ctx, feedback.MaxQueueBatch, next, func(it feedback.Item) []any { return itemCells(it, loc) }, emit)
		}},
	}, nil
}

// itemCells is one queue item as a row of feedbackColumns. A survey
// opinion has a day, not a time: its cell is the day.
func itemCells(it feedback.Item, loc *time.Location) []any {
	var at any = it.At
	source, channel := "日常评价", ratings.ChannelLabel(it.Channel)
	if it.Kind == feedback.KindResponse {
		d := it.At.In(loc)
		at, source, channel = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc), "年度问卷意见", "年度问卷"
	}
	state := "计分"
	switch {
	case it.Excluded:
		state = "已剔除"
	case it.Held:
		state = "暂不计分"
	}
	var decidedAt any
	if it.DecidedAt != nil {
		decidedAt = *it.DecidedAt
	}
	var caseID any
	if it.CaseID != nil {
		caseID = *it.CaseID
	}
	return []any{at, source, it.UnitName, channel, it.LevelLabel(), strings.Join(it.Reasons, "、"), it.Text,
		httpx.YesNo(it.RealName), state, it.VerdictText(), it.ReasonText(), it.Note, caseID, export.Optional(it.DecidedBy), decidedAt, it.ID}
}

// queueConds is the queue's filter in words, with its period.
func (s *Handlers) queueConds(ctx context.Context, f feedback.Filter) ([]export.Cond, error) {
	c, err := export.UnitConds(ctx, s.Pool, f.UnitID)
	if err != nil {
		return nil, err
	}
	loc := s.Config.Location
	c = append(c, export.Cond{Label: "期间", Value: f.From.In(loc).Format("2006-01-02") + " 至 " +
		f.To.Add(-time.Nanosecond).In(loc).Format("2006-01-02")})
	switch f.Source {
	case feedback.KindRating:
		c = append(c, export.Cond{Label: "来源", Value: "日常评价"})
	case feedback.KindResponse:
		c = append(c, export.Cond{Label: "来源", Value: "年度问卷意见"})
	}
	switch f.Channel {
	case "":
	case feedback.ChannelSurvey:
		c = append(c, export.Cond{Label: "渠道", Value: "年度问卷"})
	default:
		c = append(c, export.Cond{Label: "渠道", Value: ratings.ChannelLabel(f.Channel)})
	}
	if f.Level != 0 {
		c = append(c, export.Cond{Label: "评价等级", Value: ratings.LevelLabel(f.Level)})
	}
	switch f.Tone {
	case feedback.ToneComplaint:
		c = append(c, export.Cond{Label: "反馈类型", Value: "需要处理（基本满意及以下）"})
	case feedback.TonePraise:
		c = append(c, export.Cond{Label: "反馈类型", Value: "表扬类（满意及以上）"})
	}
	switch f.Status {
	case "pending":
		c = append(c, export.Cond{Label: "核查状态", Value: "待核查"})
	case "decided":
		c = append(c, export.Cond{Label: "核查状态", Value: "已核查"})
	}
	if !f.Q.IsZero() {
		c = append(c, export.Cond{Label: "关键词", Value: f.Q.Raw})
	}
	return c, nil
}
