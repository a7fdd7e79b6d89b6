package callbacks

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/safetext"
	"minyi/internal/secure"
)

// Link validity in days: default and bounds.
const (
	DefaultLinkDays = 30
	MaxLinkDays     = 90
)

// Followup is a citizen's 追评 of a case's fix. It is kept with the case
// and never counts as a daily rating.
type Followup struct {
	ID        int64     `json:"id" db:"id"`
	CaseID    int64     `json:"case_id" db:"case_id"`
	Level     int       `json:"level" db:"level"`
	Comment   string    `json:"comment" db:"comment"`
	CreatedAt time.Time `json:"created_at" db:"created_at"`
}

// Link is an issued one-time link; Token is set only when it is issued.
type Link struct {
	ID        int64      `json:"id" db:"id"`
	CaseID    int64      `json:"case_id" db:"case_id"`
	ExpiresAt time.Time  `json:"expires_at" db:"expires_at"`
	CreatedAt time.Time  `json:"created_at" db:"created_at"`
	UsedAt    *time.Time `json:"used_at" db:"used_at"`
	Token     string     `json:"token,omitempty" db:"-"`
}

// IssueLink creates a one-time link for the citizen to rate the fix of a
// closed case, valid for days days (0 = DefaultLinkDays). Only the token's
// hash is stored; the token is returned once. Audited.
func IssueLink(ctx context.Context, tx pgx.Tx, actor audit.Actor, caseID int64, days int, now time.Time) (Link, error) {
	if days == 0 {
		days = DefaultLinkDays
	}
	if days < 1 || days > MaxLinkDays {
		return Link{}, apperr.InvalidField("days", "有效天数须在1到"+strconv.Itoa(MaxLinkDays)+"天之间")
	}
	var status string
	if err := tx.QueryRow(ctx, `SELECT status FROM rectification_cases WHERE id = $1 FOR UPDATE`, caseID).Scan(&status); err != nil {
		return Link{}, notFound(db.Err(err))
	}
	if status != "closed" {
		return Link{}, apperr.New(apperr.Conflict, "案件办结后才能生成追评链接")
	}
	token := secure.Token(24)
	var l Link
	err := tx.QueryRow(ctx, `INSERT INTO case_followup_links (case_id, token_hash, expires_at, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id, case_id, expires_at, created_at, used_at`,
		caseID, secure.SHA256(token), now.AddDate(0, 0, days), actorID(actor), now).
		Scan(&l.ID, &l.CaseID, &l.ExpiresAt, &l.CreatedAt, &l.UsedAt)
	if err != nil {
		return Link{}, db.Err(err)
	}
	if err := audit.Record(ctx, tx, actor, "case.followup_link", "case", strconv.FormatInt(caseID, 10), nil, l); err != nil {
		return Link{}, err
	}
	l.Token = token
	return l, nil
}

// ListLinks returns the links issued for a case, newest first.
func ListLinks(ctx context.Context, q db.DBTX, caseID int64) ([]Link, error) {
	return collect[Link](ctx, q, `SELECT id, case_id, expires_at, created_at, used_at FROM case_followup_links
		WHERE case_id = $1 ORDER BY id DESC`, caseID)
}

// ListFollowups returns a case's 追评, oldest first.
func ListFollowups(ctx context.Context, q db.DBTX, caseID int64) ([]Followup, error) {
	return collect[Followup](ctx, q, `SELECT id, case_id, level, comment, created_at FROM case_followups
		WHERE case_id = $1 ORDER BY created_at, id`, caseID)
}

// Errors of a link that cannot take a 追评 (code conflict); compare with
// errors.Is.
var (
	ErrLinkUsed    = apperr.New(apperr.Conflict, "此链接已使用，感谢您的评价")
	ErrLinkExpired = apperr.New(apperr.Conflict, "此链接已过期，如需评价请联系办理单位")
)

// LinkCase is what the public page shows of a link's case: no personal data.
type LinkCase struct {
	LinkID    int64
	CaseID    int64
	UnitName  string
	Problem   string
	ExpiresAt time.Time
	UsedAt    *time.Time
	// What the unit answered and reported, shown to the citizen before
	// the rating: its explanation, measures, expected outcome and the
	// report that the fix is done.
	Explanation, Measures, Outcome, DoneNote string
}

// OpenLink finds the live link of token: not_found for an unknown token,
// ErrLinkUsed once used, ErrLinkExpired after its expiry. forUpdate locks the link's row.
func OpenLink(ctx context.Context, q db.DBTX, token string, now time.Time, forUpdate bool) (LinkCase, error) {
	var l LinkCase
	lock := ""
	if forUpdate {
		lock = " FOR UPDATE OF l"
	}
	err := q.QueryRow(ctx, `SELECT l.id, l.case_id, u.name, c.problem, l.expires_at, l.used_at,
			c.explanation, c.measures, c.outcome, c.done_note
		FROM case_followup_links l JOIN rectification_cases c ON c.id = l.case_id JOIN units u ON u.id = c.unit_id
		WHERE l.token_hash = $1`+lock, secure.SHA256(token)).Scan(&l.LinkID, &l.CaseID, &l.UnitName, &l.Problem, &l.ExpiresAt, &l.UsedAt,
		&l.Explanation, &l.Measures, &l.Outcome, &l.DoneNote)
	if err != nil {
		if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
			err = apperr.New(apperr.NotFound, "链接无效，请核对短信中的链接")
		}
		return l, err
	}
	if l.UsedAt != nil {
		return l, ErrLinkUsed
	}
	if !now.Before(l.ExpiresAt) {
		return l, ErrLinkExpired
	}
	return l, nil
}

// FollowupInput is the citizen's 追评.
type FollowupInput struct {
	Level   int    `json:"level"`
	Comment string `json:"comment"`
}

// Validate normalizes and checks the input.
func (in *FollowupInput) Validate() error {
	in.Comment = strings.TrimSpace(in.Comment)
	f := apperr.Fields{}
	if in.Level < 1 || in.Level > 5 {
		f.Add("level", "请选择满意程度（非常满意至非常不满意）")
	}
	switch {
	case !safetext.Valid(in.Comment):
		f.Add("comment", "意见"+safetext.Message)
	case utf8.RuneCountInString(in.Comment) > 500:
		f.Add("comment", "意见不能超过500字")
	}
	return f.Err()
}

// SubmitFollowup stores the 追评 of a link's case and uses the link up:
// of concurrent submits exactly one is stored, the others get link_used.
func SubmitFollowup(ctx context.Context, tx pgx.Tx, token string, in FollowupInput, now time.Time) (Followup, error) {
	if err := in.Validate(); err != nil {
		return Followup{}, err
	}
	l, err := OpenLink(ctx, tx, token, now, true)
	if err != nil {
		return Followup{}, err
	}
	if _, err := tx.Exec(ctx, `UPDATE case_followup_links SET used_at = $2 WHERE id = $1`, l.LinkID, now); err != nil {
		return Followup{}, db.Err(err)
	}
	var f Followup
	err = tx.QueryRow(ctx, `INSERT INTO case_followups (case_id, link_id, level, comment, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id, case_id, level, comment, created_at`, l.CaseID, l.LinkID, in.Level, in.Comment, now).
		Scan(&f.ID, &f.CaseID, &f.Level, &f.Comment, &f.CreatedAt)
	if err != nil {
		return Followup{}, db.Err(err)
	}
	return f, audit.Record(ctx, tx, audit.Actor{Name: "citizen"}, "case.followup", "case", strconv.FormatInt(l.CaseID, 10), nil, f)
}
