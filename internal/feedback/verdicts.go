package feedback

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/ratings"
)

// Reasons an item is judged invalid.
const (
	ReasonMistaken    = "mistaken"
	ReasonMalicious   = "malicious"
	ReasonNotThisUnit = "not_this_unit"
)

// InvalidReasons lists the reasons with their Chinese names, in order.
var InvalidReasons = []struct{ Key, Label string }{
	{ReasonMistaken, "误评"},
	{ReasonMalicious, "恶意评价"},
	{ReasonNotThisUnit, "非本单位事项"},
}

// ReasonLabel returns the Chinese name of an invalid reason.
func ReasonLabel(key string) string {
	for _, r := range InvalidReasons {
		if r.Key == key {
			return r.Label
		}
	}
	return key
}

// MsgDecided is the conflict message when another verdict won.
const MsgDecided = "该反馈已由其他工作人员核查（或刚被重新打开），本次核查未保存，请刷新页面查看最新结果"

// Ref names a feedback item with the version the deciding user saw (0 for
// an item never decided).
type Ref struct {
	Kind    string `json:"kind"`
	ID      string `json:"id"`
	Version int    `json:"version"`
}

// ValidInput is a "valid" verdict: the items (several when duplicates are
// merged, all of one unit) open one case with the problem text.
type ValidInput struct {
	Items   []Ref  `json:"items"`
	Problem string `json:"problem"`
}

// InvalidInput is an "invalid" verdict on one item.
type InvalidInput struct {
	Kind    string `json:"kind"`
	ID      string `json:"id"`
	Version int    `json:"version"`
	Reason  string `json:"reason"`
	Note    string `json:"note"`
}

// Validate checks the input.
func (in *InvalidInput) Validate() error {
	e := apperr.Fields{}
	in.Note = strings.TrimSpace(in.Note)
	if ReasonLabel(in.Reason) == in.Reason {
		e.Add("reason", "请选择无效原因")
	}
	if utf8.RuneCountInString(in.Note) > 150 {
		e.Add("note", "说明不能超过150字")
	}
	return e.Err()
}

// Validate checks the input.
func (in *ValidInput) Validate() error {
	e := apperr.Fields{}
	in.Problem = strings.TrimSpace(in.Problem)
	if len(in.Items) == 0 {
		e.Add("items", "请选择要立案的反馈")
	}
	if len(in.Items) > 50 {
		e.Add("items", "一次最多合并50条反馈")
	}
	seen := map[string]bool{}
	for _, it := range in.Items {
		k := it.Kind + ":" + it.ID
		if seen[k] {
			e.Add("items", "同一条反馈不能重复选择")
		}
		seen[k] = true
	}
	if n := utf8.RuneCountInString(in.Problem); n > 2000 {
		e.Add("problem", "问题描述不能超过2000字")
	}
	return e.Err()
}

// decide records the verdict of one item unless another verdict won: the
// row is inserted, or updated only while it is reopened and at the version
// the user saw. It returns conflict (MsgDecided) otherwise.
func decide(ctx context.Context, tx pgx.Tx, actor audit.Actor, it Item, seen int, verdict string, reason *string, note string, caseID *int64, now time.Time) error {
	if it.Version != seen || !it.Pending() {
		return apperr.New(apperr.Conflict, MsgDecided)
	}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	// A rating's time lets the decided items be listed from their reviews
	// (queue_sql.go).
	var ratedAt *time.Time
	if it.Kind == KindRating {
		ratedAt = &it.At
	}
	var version int
	err := tx.QueryRow(ctx, `INSERT INTO feedback_reviews AS fr
			(source_kind, source_id, unit_id, verdict, reason, note, case_id, decided_by, decided_at, version, rated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $11)
		ON CONFLICT (source_kind, source_id) DO UPDATE SET verdict = EXCLUDED.verdict, reason = EXCLUDED.reason,
			note = EXCLUDED.note, case_id = EXCLUDED.case_id, decided_by = EXCLUDED.decided_by,
			decided_at = EXCLUDED.decided_at, version = fr.version + 1, rated_at = EXCLUDED.rated_at
		WHERE fr.verdict IS NULL AND fr.version = $10
		RETURNING version`,
		it.Kind, it.ID, it.UnitID, verdict, reason, note, caseID, by, now, seen, ratedAt).Scan(&version)
	if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
		return apperr.New(apperr.Conflict, MsgDecided)
	}
	if err != nil {
		return err
	}
	after := map[string]any{"verdict": verdict, "reason": reason, "note": note, "case_id": caseID, "version": version}
	return audit.Record(ctx, tx, actor, "feedback."+verdict, "feedback_"+it.Kind, it.ID, nil, after)
}

// MarkValid records "valid" for the items and opens one rectification case
// for their unit with all of them as sources. The problem defaults to the
// items' texts. The case is sent today: answer_due is the source group's
// period (case_settings) in working days after it, callback_due the
// call-back period for real-name feedback, and cycle_id the cycle whose
// period holds today when exactly one does. It returns invalid for items
// of different units, not_found for an unknown item and conflict when any
// item was decided meanwhile (nothing is stored: the caller's transaction
// rolls back). A deadline through a year without a calendar is counted
// provisionally (see workdays.Due), never refused.
func MarkValid(ctx context.Context, tx pgx.Tx, loc *time.Location, actor audit.Actor, in ValidInput, now time.Time) (Case, error) {
	if err := in.Validate(); err != nil {
		return Case{}, err
	}
	items := make([]Item, 0, len(in.Items))
	texts := []string{}
	realName := false
	for _, ref := range in.Items {
		it, err := FindItem(ctx, tx, loc, ref.Kind, ref.ID)
		if err != nil {
			return Case{}, err
		}
		if len(items) > 0 && it.UnitID != items[0].UnitID {
			return Case{}, apperr.InvalidField("items", "只能合并同一单位的反馈")
		}
		items = append(items, it)
		texts = append(texts, it.ProblemText())
		realName = realName || it.RealName
	}
	problem := in.Problem
	if problem == "" {
		problem = strings.Join(texts, "\n")
		if r := []rune(problem); len(r) > 2000 {
			problem = string(r[:2000])
		}
	}
	first := items[0]
	group := GroupFeedback
	if first.Kind == KindResponse {
		group = GroupSurvey
	}
	dates, err := sendDates(ctx, tx, loc, group, realName, now)
	if err != nil {
		return Case{}, err
	}
	// The reports count the reasons of the ratings cases are opened on
	// (migration 0085): a copy, as a rating's reasons never change.
	var reasons []string
	if first.Kind == KindRating {
		reasons = append([]string{}, first.Reasons...)
	}
	id, err := insertCase(ctx, tx, actor, first.UnitID, first.Kind, first.ID, group, problem, realName, reasons, dates, now)
	if err != nil {
		return Case{}, err
	}
	for i, it := range items {
		if err := decide(ctx, tx, actor, it, in.Items[i].Version, "valid", nil, "", &id, now); err != nil {
			return Case{}, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO case_sources (case_id, source_kind, source_id) VALUES ($1, $2, $3)`,
			id, it.Kind, it.ID); err != nil {
			return Case{}, db.Err(err)
		}
	}
	c, err := FindCase(ctx, tx, id)
	if err != nil {
		return Case{}, err
	}
	return c, audit.Record(ctx, tx, actor, "case.open", "rectification_case", c.IDString(), nil, c)
}

// MarkInvalid records "invalid" for one item and excludes it from scoring
// with the reason (a rating through ratings.Exclude; a survey response by
// its excluded flag). An item already excluded stays excluded; one held by
// the daily cap stays excluded with the verdict's reason. It returns
// invalid, not_found and conflict (MsgDecided).
func MarkInvalid(ctx context.Context, tx pgx.Tx, loc *time.Location, actor audit.Actor, in InvalidInput, now time.Time) (Item, error) {
	if err := in.Validate(); err != nil {
		return Item{}, err
	}
	it, err := FindItem(ctx, tx, loc, in.Kind, in.ID)
	if err != nil {
		return Item{}, err
	}
	if err := decide(ctx, tx, actor, it, in.Version, "invalid", &in.Reason, in.Note, nil, now); err != nil {
		return Item{}, err
	}
	text := "核查无效：" + ReasonLabel(in.Reason)
	if in.Note != "" {
		text += "（" + in.Note + "）"
	}
	switch {
	case !it.Excluded:
		if err := exclude(ctx, tx, actor, it, text); err != nil {
			return Item{}, err
		}
	case it.Held:
		// Held by the daily cap: the verdict is the office's decision not
		// to count it.
		if err := ratings.SettleHeld(ctx, tx, actor, uuid.MustParse(it.ID), text); err != nil {
			return Item{}, err
		}
	}
	return FindItem(ctx, tx, loc, it.Kind, it.ID)
}

// exclude takes an item out of scoring with reason.
func exclude(ctx context.Context, tx pgx.Tx, actor audit.Actor, it Item, reason string) error {
	if it.Kind == KindRating {
		_, err := ratings.Exclude(ctx, tx, actor, uuid.MustParse(it.ID), reason)
		return err
	}
	return setResponseExcluded(ctx, tx, actor, it.ID, &reason)
}

// restore puts an item back into scoring.
func restore(ctx context.Context, tx pgx.Tx, actor audit.Actor, it Item) error {
	if it.Kind == KindRating {
		_, err := ratings.Restore(ctx, tx, actor, uuid.MustParse(it.ID))
		return err
	}
	return setResponseExcluded(ctx, tx, actor, it.ID, nil)
}

func setResponseExcluded(ctx context.Context, tx pgx.Tx, actor audit.Actor, id string, reason *string) error {
	var by *int64
	if actor.ID != 0 && reason != nil {
		by = &actor.ID
	}
	tag, err := tx.Exec(ctx, `UPDATE survey_responses SET excluded = $2, exclude_reason = $3, excluded_by = $4
		WHERE id = $1 AND excluded <> $2`, id, reason != nil, reason, by)
	if err != nil {
		return db.Err(err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.New(apperr.Conflict, "该问卷意见的计分状态已改变，请刷新页面")
	}
	action := "survey_response.restore"
	if reason != nil {
		action = "survey_response.exclude"
	}
	return audit.Record(ctx, tx, actor, action, "survey_response", id, nil, map[string]any{"excluded": reason != nil, "exclude_reason": reason})
}

// Reopen makes a decided item pending again, at the version the user saw.
// An invalid item goes back into scoring; a valid item that opened a case
// cannot be reopened (the case is with the unit). It returns not_found,
// conflict when the item is pending, changed meanwhile or has a case.
func Reopen(ctx context.Context, tx pgx.Tx, loc *time.Location, actor audit.Actor, kind, id string, seen int) (Item, error) {
	it, err := FindItem(ctx, tx, loc, kind, id)
	if err != nil {
		return Item{}, err
	}
	if it.Pending() {
		return Item{}, apperr.New(apperr.Conflict, "该反馈尚未核查，无需重新打开")
	}
	if it.CaseID != nil {
		return Item{}, apperr.New(apperr.Conflict, "该反馈已立案交办单位，不能重新打开")
	}
	tag, err := tx.Exec(ctx, `UPDATE feedback_reviews SET verdict = NULL, reason = NULL, note = '', case_id = NULL,
			decided_by = NULL, decided_at = NULL, auto = false, version = version + 1
		WHERE source_kind = $1 AND source_id = $2 AND version = $3 AND verdict IS NOT NULL`, kind, id, seen)
	if err != nil {
		return Item{}, db.Err(err)
	}
	if tag.RowsAffected() == 0 {
		return Item{}, apperr.New(apperr.Conflict, MsgDecided)
	}
	if it.Excluded && *it.Verdict == "invalid" {
		if err := restore(ctx, tx, actor, it); err != nil {
			return Item{}, err
		}
	}
	before := map[string]any{"verdict": it.Verdict, "reason": it.Reason, "note": it.Note, "version": it.Version}
	if err := audit.Record(ctx, tx, actor, "feedback.reopen", "feedback_"+kind, id, before, map[string]any{"verdict": nil, "version": seen + 1}); err != nil {
		return Item{}, err
	}
	return FindItem(ctx, tx, loc, kind, id)
}
