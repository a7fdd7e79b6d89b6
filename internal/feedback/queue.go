// Package feedback is the office's review of feedback (民意核查): the queue
// of 差评, messages and survey opinions, verdicts (valid opens a
// rectification case, invalid excludes the item from scoring), merging of
// duplicates, units' appeals (申诉) against single ratings and the scan for
// suspicious patterns.
package feedback

import (
	"context"
	"strconv"
	"strings"
	"time"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/ratings"
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
type Filter struct {
	UnitID   *int64
	Source   string // "", KindRating, KindResponse
	Level    int
	Channel  string // "", qr, terminal, survey
	From, To time.Time
	Status   string // "", "pending", "decided"
	Limit    int
	Offset   int
}

// Validate checks the filter's values.
func (f Filter) Validate() error {
	e := apperr.Fields{}
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
	}
	return e.Err()
}

// itemSQL selects queue items of both kinds; {r} and {s} are replaced by
// the conditions on ratings and survey responses. $1 is the time zone, $2
// and $3 the period.
const itemSQL = `SELECT i.kind, i.id, i.unit_id, u.name AS unit_name, i.at, i.channel, i.level, i.reasons,
	i.text, i.real_name, i.excluded, i.held, fr.verdict, fr.reason, coalesce(fr.note, '') AS note, fr.case_id,
	du.username AS decided_by, fr.decided_at, coalesce(fr.version, 0) AS version
FROM (
	SELECT 'rating' AS kind, r.id::text AS id, r.unit_id, r.rated_at AS at, r.channel, r.level::int AS level,
		r.reasons, r.comment AS text, r.phone_enc IS NOT NULL AS real_name, r.excluded, r.held
	FROM ratings r LEFT JOIN rating_holds h ON h.rating_id = r.id AND h.rated_at = r.rated_at
	WHERE r.rated_at >= $2 AND r.rated_at < $3 AND (r.level <= 2 OR r.comment <> '') {r}
	UNION ALL
	SELECT 'response', sr.id::text, sr.unit_id, sr.submitted_on::timestamp AT TIME ZONE $1, 'survey', sr.level::int,
		'{}'::text[], sr.opinion, false, sr.excluded, false
	FROM survey_responses sr
	WHERE sr.opinion <> '' AND sr.submitted_on BETWEEN ($2::timestamptz AT TIME ZONE $1)::date
		AND ($3::timestamptz AT TIME ZONE $1)::date
		AND sr.submitted_on::timestamp AT TIME ZONE $1 >= $2 AND sr.submitted_on::timestamp AT TIME ZONE $1 < $3 {s}
) i
JOIN units u ON u.id = i.unit_id
LEFT JOIN feedback_reviews fr ON fr.source_kind = i.kind AND fr.source_id = i.id
LEFT JOIN users du ON du.id = fr.decided_by`

// notHeldOut leaves out of the queue the ratings the daily cap held that
// are still excluded: awaiting their group's decision or not counted. It
// reads rating_holds through itemSQL's left join (h), which Postgres
// hashes once: a subquery per rating (EXISTS) made the query serial and
// five times slower over 50 million ratings (docs/benchmarks.md).
const notHeldOut = `NOT r.held AND (NOT r.excluded OR h.rating_id IS NULL)`

// Queue returns the items matching f, newest first, and how many match.
func Queue(ctx context.Context, q db.DBTX, loc *time.Location, f Filter) ([]Item, int, error) {
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	args := []any{loc.String(), f.From, f.To}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	// Ratings the daily cap held are decided in their groups (HoldGroups),
	// so that thousands from one address are not thousands of items; a
	// group counted joins the queue, one kept out stays out of it.
	rc := []string{notHeldOut}
	var sc, outer []string
	if f.UnitID != nil {
		p := arg(*f.UnitID)
		rc, sc = append(rc, "r.unit_id = "+p), append(sc, "sr.unit_id = "+p)
	}
	if f.Level != 0 {
		p := arg(f.Level)
		rc, sc = append(rc, "r.level = "+p), append(sc, "sr.level = "+p)
	}
	switch {
	case f.Source == KindResponse || f.Channel == ChannelSurvey:
		rc = append(rc, "false")
	case f.Source == KindRating:
		sc = append(sc, "false")
	}
	if f.Channel == ratings.ChannelQR || f.Channel == ratings.ChannelTerminal {
		rc, sc = append(rc, "r.channel = "+arg(f.Channel)), append(sc, "false")
	}
	switch f.Status {
	case "pending":
		outer = append(outer, "fr.verdict IS NULL")
	case "decided":
		outer = append(outer, "fr.verdict IS NOT NULL")
	}
	and := func(c []string) string {
		if len(c) == 0 {
			return ""
		}
		return " AND " + strings.Join(c, " AND ")
	}
	sql := strings.NewReplacer("{r}", and(rc), "{s}", and(sc)).Replace(itemSQL)
	if len(outer) > 0 {
		sql += " WHERE " + strings.Join(outer, " AND ")
	}
	var total int
	if err := q.QueryRow(ctx, "SELECT count(*) FROM ("+sql+") c", args...).Scan(&total); err != nil {
		return nil, 0, db.Err(err)
	}
	sql += " ORDER BY i.at DESC, i.id DESC LIMIT " + arg(f.Limit) + " OFFSET " + arg(f.Offset)
	list, err := collect[Item](ctx, q, sql, args...)
	return list, total, err
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
	sql := itemSQL
	if kind == KindRating {
		sql = strings.NewReplacer("{r}", cond, "{s}", " AND false").Replace(sql)
	} else {
		sql = strings.NewReplacer("{r}", " AND false", "{s}", cond).Replace(sql)
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
