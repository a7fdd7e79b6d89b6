package ratings

import (
	"context"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/safetext"
)

// HoldKey names a group of held ratings (the unit, local day and source
// they were held in, see held.go) in URLs: unit id, day and source in hex.
func HoldKey(unitID int64, day time.Time, source []byte) string {
	return strconv.FormatInt(unitID, 10) + "-" + day.Format("20060102") + "-" + hex.EncodeToString(source)
}

// parseHoldKey reads a HoldKey; ok is false when it is malformed.
func parseHoldKey(key string) (unitID int64, day time.Time, source []byte, ok bool) {
	parts := strings.SplitN(key, "-", 3)
	if len(parts) != 3 || len(parts[2]) == 0 || len(parts[2]) > 200 {
		return 0, time.Time{}, nil, false
	}
	unitID, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || unitID <= 0 {
		return 0, time.Time{}, nil, false
	}
	if day, err = time.Parse("20060102", parts[1]); err != nil {
		return 0, time.Time{}, nil, false
	}
	if source, err = hex.DecodeString(parts[2]); err != nil {
		return 0, time.Time{}, nil, false
	}
	return unitID, day, source, true
}

// HoldDecision is the office's decision on a group: count its ratings, or
// not, with a reason. Until, when set, limits it to the ratings held up to
// that time (the last one the office saw), so that ratings held after the
// page was shown wait for a decision of their own.
type HoldDecision struct {
	Key    string
	Count  bool
	Reason string
	Until  time.Time
}

// MaxHoldReason is the longest reason for not counting, in characters.
const MaxHoldReason = 200

// decideHoldSQL settles the group's held ratings ($1 unit, $2 day, $3
// source, up to $7 when not NULL): counted ($4) they go back into scoring,
// and their minutes are marked dirty in the same statement, as Restore
// does, so the daily aggregate stays exact (see daily_rollup.go); not
// counted they stay excluded with the office's reason $5 and actor $6.
// Their rows in rating_holds follow (migration 0077).
const decideHoldSQL = `
WITH g AS (
	SELECT rating_id, rated_at FROM rating_holds WHERE unit_id = $1 AND day = $2 AND source = $3
), up AS (
	UPDATE ratings r SET held = false, excluded = NOT $4, exclude_reason = $5, excluded_by = $6,
		excluded_at = CASE WHEN $4 THEN NULL ELSE now() END
	FROM g WHERE r.id = g.rating_id AND r.rated_at = g.rated_at AND r.held
		AND ($7::timestamptz IS NULL OR r.rated_at <= $7)
	RETURNING r.id, r.unit_id, r.rated_at
), hs AS (
	UPDATE rating_holds h SET held = false, excluded = NOT $4
	FROM up WHERE h.rating_id = up.id AND h.rated_at = up.rated_at
), dirty AS (
	INSERT INTO rating_dirty (unit_id, minute)
	SELECT DISTINCT unit_id, ` + dirtyMinute + ` FROM up WHERE $4 ORDER BY 1, 2
	` + dirtyUpsert + `
)
SELECT count(*) FROM up`

// DecideHoldGroup applies the decision to the group's held ratings and
// returns how many it settled. It returns not_found for a malformed key,
// invalid for a missing or bad reason when not counting, and conflict when
// no rating of the group awaits a decision (decided meanwhile).
func DecideHoldGroup(ctx context.Context, tx pgx.Tx, actor audit.Actor, d HoldDecision) (int, error) {
	unitID, day, source, ok := parseHoldKey(d.Key)
	if !ok {
		return 0, apperr.New(apperr.NotFound, "该组评价不存在")
	}
	var reason *string
	action := "rating_hold.count"
	if !d.Count {
		r := strings.TrimSpace(d.Reason)
		switch {
		case r == "" || utf8.RuneCountInString(r) > MaxHoldReason:
			return 0, apperr.InvalidField("reason", "请填写不计入的理由（200字以内）")
		case !safetext.Valid(r):
			return 0, apperr.InvalidField("reason", safetext.Message)
		}
		r = "超出每日上限，核查后不计入：" + r
		reason, action = &r, "rating_hold.not_count"
	}
	var by *int64
	if !d.Count && actor.ID != 0 {
		by = &actor.ID
	}
	var until *time.Time
	if !d.Until.IsZero() {
		until = &d.Until
	}
	var n int
	if err := tx.QueryRow(ctx, decideHoldSQL, unitID, day, source, d.Count, reason, by, until).Scan(&n); err != nil {
		return 0, db.Err(err)
	}
	if n == 0 {
		return 0, apperr.New(apperr.Conflict, "该组评价已处理，请刷新页面查看结果")
	}
	after := map[string]any{"count": d.Count, "ratings": n, "unit_id": unitID, "day": day.Format(time.DateOnly)}
	if reason != nil {
		after["reason"] = *reason
	}
	return n, audit.Record(ctx, tx, actor, action, "rating_hold", d.Key, map[string]any{"held": n}, after)
}

// SettleHeld ends the hold of one held rating that stays excluded, with
// the reason of the decision that excluded it (a verdict, a confirmed
// flag); the caller records that decision. A rating not held is left as
// it is.
func SettleHeld(ctx context.Context, tx pgx.Tx, actor audit.Actor, id uuid.UUID, reason string) error {
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	_, err := tx.Exec(ctx, `WITH up AS (
		UPDATE ratings SET held = false, exclude_reason = $2, excluded_by = $3, excluded_at = now()
		WHERE id = $1 AND held RETURNING id, rated_at
	)
	UPDATE rating_holds h SET held = false, excluded = true FROM up WHERE h.rating_id = up.id AND h.rated_at = up.rated_at`,
		id, reason, by)
	return db.Err(err)
}
