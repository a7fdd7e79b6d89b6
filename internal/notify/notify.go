// Package notify records notifications (issue 14): who must hear about an
// event, in the same transaction as the event (a transactional outbox),
// each reader's inbox with its read state, and the river job that delivers
// it. Events give the values of their kind's placeholders; the texts come
// from the catalogue (catalogue.go) or the office's edit of it
// (templates_store.go). A notification is addressed to one account, to a unit (every active
// account of it) or to the office (every active office account).
package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
)

// Recipient kinds.
const (
	ToUserKind   = "user"
	ToUnitKind   = "unit"
	ToOfficeKind = "office"
)

// Recipient is whom a notification is for.
type Recipient struct {
	Kind   string
	UserID int64
	UnitID int64
}

// ToUser addresses one account.
func ToUser(id int64) Recipient { return Recipient{Kind: ToUserKind, UserID: id} }

// ToUnit addresses every active account of a unit.
func ToUnit(id int64) Recipient { return Recipient{Kind: ToUnitKind, UnitID: id} }

// ToOffice addresses every active office account.
func ToOffice() Recipient { return Recipient{Kind: ToOfficeKind} }

// Notice is one notification an event sends. Key makes it idempotent: the
// same key is recorded once (e.g. kind, object id and deadline). Values
// fill the placeholders of the kind's texts (every placeholder the
// catalogue lists for it, free text already clipped by the event); Link is
// the console path of the object (a local path starting with "/").
type Notice struct {
	Kind   string
	Key    string
	To     Recipient
	Values Values
	Link   string
}

// Limits of the texts, in characters.
const (
	maxTitle = 100
	maxBody  = 1000
)

// check refuses a notice no reader could use and returns its kind's
// catalogue entry: notices come from code, so a bad one is a programming
// error, never the user's. A kind missing from the catalogue, a
// placeholder without its value or a value the kind has no placeholder
// for are refused, so the office's texts can use every placeholder listed.
func (n Notice) check() (Template, error) {
	t, ok := Lookup(n.Kind)
	switch {
	case n.Kind == "" || n.Key == "":
		return t, fmt.Errorf("notify: notice without kind or key")
	case !ok:
		return t, fmt.Errorf("notify: notice %s: kind %q is not in the catalogue", n.Key, n.Kind)
	case t.SMS:
		return t, fmt.Errorf("notify: notice %s: kind %q is an SMS to citizens (internal/citizensms)", n.Key, n.Kind)
	}
	for _, p := range t.Placeholders {
		if _, ok := n.Values[p.Name]; !ok {
			return t, fmt.Errorf("notify: notice %s without a value for {%s}", n.Key, p.Name)
		}
	}
	if len(n.Values) != len(t.Placeholders) {
		return t, fmt.Errorf("notify: notice %s has values its kind %s has no placeholder for", n.Key, n.Kind)
	}
	return t, n.checkAddress()
}

// checkAddress refuses a notice without a local link or its recipient.
func (n Notice) checkAddress() error {
	switch {
	case !strings.HasPrefix(n.Link, "/") || strings.HasPrefix(n.Link, "//"):
		return fmt.Errorf("notify: notice %s: link %q is not a local path", n.Key, n.Link)
	case n.To.Kind == ToUserKind && n.To.UserID == 0, n.To.Kind == ToUnitKind && n.To.UnitID == 0:
		return fmt.Errorf("notify: notice %s without its recipient", n.Key)
	case n.To.Kind != ToUserKind && n.To.Kind != ToUnitKind && n.To.Kind != ToOfficeKind:
		return fmt.Errorf("notify: notice %s: unknown recipient %q", n.Key, n.To.Kind)
	}
	return nil
}

// Date writes an ISO date (YYYY-MM-DD) as a notification says it,
// 2026年12月22日, marked （暂定） when provisional (counted through a year
// without a working-day calendar); another text is kept as it is.
func Date(iso string, provisional bool) string {
	out := iso
	if d, err := time.Parse(time.DateOnly, iso); err == nil {
		out = d.Format("2006年1月2日")
	}
	if provisional {
		out += "（暂定）"
	}
	return out
}

// Clip shortens s to at most n characters, ending with "…" when cut, and
// joins its lines, for a title made from free text.
func Clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// Send records the notice in tx, the transaction of the event that causes
// it: the notification with its texts (the office's for the kind when
// saved, else the catalogue's default, filled with n.Values), one inbox
// row per reader and the delivery job. A
// notice whose key was recorded before is not recorded again; Send then
// returns 0 and false. It returns an error for a malformed notice (a
// programming error) or a database failure, and the event's transaction
// should then roll back.
func Send(ctx context.Context, tx pgx.Tx, n Notice, now time.Time) (int64, bool, error) {
	t, err := n.check()
	if err != nil {
		return 0, false, err
	}
	text, err := render(ctx, tx, t, n)
	if err != nil {
		return 0, false, err
	}
	var userID, unitID *int64
	switch n.To.Kind {
	case ToUserKind:
		userID = &n.To.UserID
	case ToUnitKind:
		unitID = &n.To.UnitID
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO notifications (kind, event_key, recipient, user_id, unit_id, title, body, link, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (event_key) DO NOTHING RETURNING id`,
		n.Kind, n.Key, n.To.Kind, userID, unitID, text.Title, text.Body, n.Link, now).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, db.Err(err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO notification_inbox (user_id, notification_id, created_at)
		SELECT u.id, $1, $2 FROM users u
		WHERE u.disabled_at IS NULL AND CASE $3::text
			WHEN 'user' THEN u.id = $4
			WHEN 'unit' THEN u.role = 'unit' AND u.unit_id = $5
			ELSE u.role = 'office' END`, id, now, n.To.Kind, userID, unitID); err != nil {
		return 0, false, db.Err(err)
	}
	if err := enqueue(ctx, tx, id); err != nil {
		return 0, false, err
	}
	return id, true, nil
}

// SendAll records each notice in tx as Send does and returns how many were
// new (the others were recorded before).
func SendAll(ctx context.Context, tx pgx.Tx, notices []Notice, now time.Time) (int, error) {
	n := 0
	for _, notice := range notices {
		_, ok, err := Send(ctx, tx, notice, now)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}
