// Package feedback is the office's review of feedback (民意核查): the queue
// of 差评, messages and survey opinions, verdicts (valid opens a
// rectification case, invalid excludes the item from scoring), merging of
// duplicates, units' appeals (申诉) against single ratings and the scan for
// suspicious patterns.
package feedback

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/ratings"
	"minyi/internal/search"
)

// Source kinds of feedback items.
const (
	KindRating   = "rating"
	KindResponse = "response"
)

// ChannelSurvey is the channel of a survey opinion in the queue.
const ChannelSurvey = "survey"

// DefaultPeriod is how far back the queue looks when no dates are given.
const DefaultPeriod = 90 * 24 * time.Hour

// Item is one feedback item in the review queue.
type Item struct {
	Kind      string     `json:"kind" db:"kind"`
	ID        string     `json:"id" db:"id"`
	UnitID    int64      `json:"unit_id" db:"unit_id"`
	UnitName  string     `json:"unit_name" db:"unit_name"`
	At        time.Time  `json:"at" db:"at"`
	Channel   string     `json:"channel" db:"channel"`
	Level     int        `json:"level" db:"level"`
	Reasons   []string   `json:"reasons" db:"reasons"`
	Text      string     `json:"text" db:"text"`
	RealName  bool       `json:"real_name" db:"real_name"`
	Excluded  bool       `json:"excluded" db:"excluded"`
	Held      bool       `json:"held" db:"held"`
	Verdict   *string    `json:"verdict" db:"verdict"`
	Reason    *string    `json:"reason" db:"reason"`
	Note      string     `json:"note" db:"note"`
	CaseID    *int64     `json:"case_id" db:"case_id"`
	DecidedBy *string    `json:"decided_by" db:"decided_by"`
	DecidedAt *time.Time `json:"decided_at" db:"decided_at"`
	Version   int        `json:"version" db:"version"`
	// Auto says the office's rule for praise gave the verdict.
	Auto bool `json:"auto" db:"auto"`
}

// Pending reports whether the item has no verdict.
func (it Item) Pending() bool { return it.Verdict == nil }

// ReasonText is the Chinese name of an invalid item's reason, "" otherwise.
func (it Item) ReasonText() string {
	if it.Reason == nil {
		return ""
	}
	return ReasonLabel(*it.Reason)
}

// VerdictText is the Chinese name of the item's verdict.
func (it Item) VerdictText() string {
	switch {
	case it.Verdict == nil:
		return "待核查"
	case *it.Verdict == "valid":
		return "有效"
	case *it.Verdict == VerdictAcknowledged && it.Auto:
		return "已阅（自动）"
	case *it.Verdict == VerdictAcknowledged:
		return "已阅"
	}
	return "无效"
}

// LevelLabel is the Chinese name of the item's level.
func (it Item) LevelLabel() string { return ratings.LevelLabel(it.Level) }

// ProblemText is the item's problem as a case is prefilled with it: the
// reasons and the message or opinion.
func (it Item) ProblemText() string {
	parts := []string{}
	if len(it.Reasons) > 0 {
		parts = append(parts, strings.Join(it.Reasons, "、"))
	}
	if it.Text != "" {
		parts = append(parts, it.Text)
	}
	if len(parts) == 0 {
		return ratings.LevelLabel(it.Level)
	}
	return strings.Join(parts, "：")
}

// Filter selects queue items. From is inclusive, To exclusive; both are
// required so the rating query is limited to a few monthly partitions. A
// survey opinion is placed at the start of the local day it was submitted.
// A page holds Limit items older than Older, or newer than Newer (at most
// one of the two), or, for old API clients, after skipping Offset.
type Filter struct {
	UnitID *int64
	Source string // "", KindRating, KindResponse
	Level  int
	// Tone narrows to what needs a decision (ToneComplaint: 基本满意 and
	// below) or to praise (TonePraise: 满意 and above); "" is both.
	Tone     string
	Channel  string // "", qr, terminal, survey
	From, To time.Time
	Status   string // "", "pending", "decided"
	// Q narrows to the items whose message or opinion holds every term.
	Q search.Keyword
	// floor bounds the ratings of a keyword's page from below
	// (search.Floor); probe makes queueSQL the count of Floor's probe.
	floor *time.Time
	probe bool
	// tally makes queueSQL's rows to count the items per unit (backlog.go).
	tally  bool
	Limit  int
	Offset int
	Older  *ratings.Cursor
	Newer  *ratings.Cursor
}

// Tones of the queue's filter.
const (
	ToneComplaint = "complaint"
	TonePraise    = "praise"
)

// Validate checks the filter's values.
func (f Filter) Validate() error {
	e := apperr.Fields{}
	if f.Tone != "" && f.Tone != ToneComplaint && f.Tone != TonePraise {
		e.Add("tone", "tone 须为 complaint 或 praise")
	}
	if f.Source != "" && f.Source != KindRating && f.Source != KindResponse {
		e.Add("source", "source 须为 rating 或 response")
	}
	if f.Channel != "" && f.Channel != ratings.ChannelQR && f.Channel != ratings.ChannelTerminal && f.Channel != ChannelSurvey {
		e.Add("channel", "channel 须为 qr、terminal 或 survey")
	}
	if f.Level != 0 && (f.Level < 1 || f.Level > 5) {
		e.Add("level", "level 须为 1 到 5")
	}
	if f.Status != "" && f.Status != "pending" && f.Status != "decided" {
		e.Add("status", "status 须为 pending 或 decided")
	}
	if f.From.IsZero() || f.To.IsZero() || !f.From.Before(f.To) {
		e.Add("to", "to 须晚于 from")
	} else if f.To.Sub(f.From) > 400*24*time.Hour {
		e.Add("from", "查询区间不能超过400天")
	}
	if f.Limit < 0 || f.Limit > 500 {
		e.Add("limit", "limit 须为 1 到 500")
	}
	if f.Offset < 0 {
		e.Add("offset", "offset 不能为负数")
	} else if f.Offset > ratings.MaxOffset {
		e.Add("offset", "offset 不能超过 "+strconv.Itoa(ratings.MaxOffset)+"，更深的页请用 cursor")
	}
	if f.Older != nil && f.Newer != nil || f.Offset > 0 && (f.Older != nil || f.Newer != nil) {
		e.Add("cursor", "cursor 不能与 offset 同用")
	}
	return e.Err()
}

// QueuePage is one page of the queue.
type QueuePage struct {
	Items []Item
	// Total counts the matches up to db.CountCap, or estimates them.
	Total db.Total
	// Older and Newer are the cursors of the next page each way, nil
	// when there is none.
	Older, Newer *ratings.Cursor
}

// Cursor is the item's place in the queue.
func (it Item) Cursor() *ratings.Cursor {
	id, _ := uuid.Parse(it.ID)
	return &ratings.Cursor{RatedAt: it.At, ID: id}
}

// Queue returns a page of the items matching f, newest first, and their
// capped total (see queue_sql.go); on a pool the two are read side by side.
func Queue(ctx context.Context, q db.DBTX, loc *time.Location, f Filter) (QueuePage, error) {
	if err := f.Validate(); err != nil {
		return QueuePage{}, err
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	var p QueuePage
	var items []Item
	err := db.Parallel(q,
		func(q db.DBTX) (err error) {
			sql, args := queueSQL(loc, f, false)
			p.Total, err = db.CountCapped(ctx, q, sql, args...)
			return err
		},
		func(q db.DBTX) (err error) { items, err = queueItems(ctx, q, loc, f); return err })
	if err != nil {
		return QueuePage{}, err
	}
	more := len(items) > f.Limit
	if more {
		items = items[:f.Limit]
	}
	if f.Newer != nil {
		slices.Reverse(items)
	}
	p.Items = items
	if len(items) > 0 {
		p.Older, p.Newer = ratings.Neighbours(items[0].Cursor(), items[len(items)-1].Cursor(), more, f.Newer != nil,
			f.Older != nil || f.Offset > 0)
	}
	return p, nil
}

// queueItems reads f's page: up to Limit+1 items in the order of the walk
// (one more tells whether another page follows).
func queueItems(ctx context.Context, q db.DBTX, loc *time.Location, f Filter) (items []Item, err error) {
	pf := f
	if !f.Q.IsZero() && f.Newer == nil {
		if pf.floor, err = queueFloor(ctx, q, loc, f); err != nil {
			return nil, err
		}
	}
	sql, args := queueSQL(loc, pf, true)
	if f.Q.IsZero() {
		return collect[Item](ctx, q, sql, args...)
	}
	err = db.WithLocal(ctx, q, search.NoWorkers, func(q db.DBTX) (err error) {
		items, err = collect[Item](ctx, q, sql, args...)
		return err
	})
	return items, err
}

// queueFloor is the lower bound of the ratings' time of a keyword's page
// read newest first (search.Floor), below the cursor or the period's end.
func queueFloor(ctx context.Context, q db.DBTX, loc *time.Location, f Filter) (*time.Time, error) {
	top := f.To
	if f.Older != nil && f.Older.RatedAt.Before(top) {
		top = f.Older.RatedAt.Add(time.Microsecond)
	}
	return search.Floor(ctx, q, top, &f.From, f.Limit+f.Offset+1, func(lo time.Time) (string, []any) {
		g := f
		g.floor, g.probe = &lo, true
		return queueSQL(loc, g, false)
	})
}

// CountQueue returns the capped total of the items matching f (Limit and
// the cursors are ignored), as Queue counts it.
func CountQueue(ctx context.Context, q db.DBTX, loc *time.Location, f Filter) (db.Total, error) {
	f.Older, f.Newer, f.Offset, f.Limit = nil, nil, 0, 0
	if err := f.Validate(); err != nil {
		return db.Total{}, err
	}
	sql, args := queueSQL(loc, f, false)
	return db.CountCapped(ctx, q, sql, args...)
}

// FindItem returns one feedback item, or not_found when there is no such
// rating or response or it is not one the office reviews (a rating of
// level 3–5 without a message, a response without an opinion).
func FindItem(ctx context.Context, q db.DBTX, loc *time.Location, kind, id string) (Item, error) {
	const msg = "该反馈不存在或不在核查范围内"
	notFound := apperr.New(apperr.NotFound, msg)
	if (kind != KindRating && kind != KindResponse) || !validUUID(id) {
		return Item{}, notFound
	}
	var cond string
	var from, to time.Time
	if kind == KindRating {
		cond = " AND r.id = $4"
		// The rating's time locates its partition.
		if err := q.QueryRow(ctx, `SELECT rated_at FROM ratings WHERE id = $1`, id).Scan(&from); err != nil {
			if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
				return Item{}, notFound
			}
			return Item{}, err
		}
		to = from.Add(time.Microsecond)
	} else {
		cond = " AND sr.id = $4"
		from, to = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	var sql string
	if kind == KindRating {
		sql = itemsSQL(ratingItems, cond, " AND false", "", "")
	} else {
		sql = itemsSQL(ratingItems, " AND false", cond, "", "")
	}
	return findOne[Item](ctx, q, msg, sql, loc.String(), from, to, id)
}

func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if r != '-' {
				return false
			}
		case (r >= '0' && r <= '9') || (r >= 'a' && r <= 'f') || (r >= 'A' && r <= 'F'):
		default:
			return false
		}
	}
	return true
}
