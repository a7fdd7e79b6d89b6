package notify

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// The office's own texts (table notification_templates): a kind with a
// row is sent with its texts, one without with the catalogue's default.
// Nothing is cached in the process: several instances run, and Send reads
// the row by its primary key each time, so an edit applies at once
// everywhere.

// Current is a kind as it is sent now: its catalogue entry, the texts in
// force, and whether (and when) the office changed them.
type Current struct {
	Template
	Text
	ForLabel  string     `json:"for_label"`
	Edited    bool       `json:"edited"`
	UpdatedAt *time.Time `json:"updated_at"`
}

func current(t Template, saved *Text, at *time.Time) Current {
	c := Current{Template: t, Text: t.Default, ForLabel: AudienceLabel(t.For)}
	if saved != nil {
		c.Text, c.Edited, c.UpdatedAt = *saved, true, at
	}
	return c
}

// ListTemplates returns every kind of the catalogue, grouped by readers,
// with the texts in force.
func ListTemplates(ctx context.Context, q db.DBTX) ([]Current, error) {
	type row struct {
		Text
		At time.Time
	}
	saved := map[string]row{}
	rows, _ := q.Query(ctx, `SELECT kind, title, body, updated_at FROM notification_templates`)
	var kind string
	var r row
	if _, err := pgx.ForEachRow(rows, []any{&kind, &r.Title, &r.Body, &r.At}, func() error {
		saved[kind] = r
		return nil
	}); err != nil {
		return nil, db.Err(err)
	}
	var out []Current
	for _, t := range Catalogue() {
		if r, ok := saved[t.Kind]; ok {
			out = append(out, current(t, &r.Text, &r.At))
		} else {
			out = append(out, current(t, nil, nil))
		}
	}
	return out, nil
}

// errNoKind is the error of a kind the catalogue does not have.
var errNoKind = apperr.New(apperr.NotFound, "没有这类通知")

// GetTemplate returns kind with the texts in force; an unknown kind is
// not_found.
func GetTemplate(ctx context.Context, q db.DBTX, kind string) (Current, error) {
	t, ok := Lookup(kind)
	if !ok {
		return Current{}, errNoKind
	}
	saved, at, err := loadSaved(ctx, q, kind, "")
	if err != nil {
		return Current{}, err
	}
	return current(t, saved, at), nil
}

// loadSaved reads the office's texts of kind (nil when it has none);
// lock is "" or " FOR UPDATE".
func loadSaved(ctx context.Context, q db.DBTX, kind, lock string) (*Text, *time.Time, error) {
	var x Text
	var at time.Time
	err := q.QueryRow(ctx, `SELECT title, body, updated_at FROM notification_templates WHERE kind = $1`+lock, kind).
		Scan(&x.Title, &x.Body, &at)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, db.Err(err)
	}
	return &x, &at, nil
}

// auditText is what the audit log keeps of a kind's texts.
type auditText struct {
	Kind  string `json:"kind"`
	Title string `json:"title"`
	Body  string `json:"body"`
}

// SaveTemplate stores the office's texts for kind (validated as
// Template.Validate says), audited as notification_template.save. Texts
// equal to those in force (saved before, or the default while none is
// saved) change nothing and write no audit entry: clients retry. It
// returns not_found for an unknown kind and invalid for bad texts.
func SaveTemplate(ctx context.Context, tx pgx.Tx, actor audit.Actor, kind string, x Text, now time.Time) (Current, error) {
	t, ok := Lookup(kind)
	if !ok {
		return Current{}, errNoKind
	}
	x = x.normalize()
	if t.SMS {
		x.Title = ""
	}
	if err := t.Validate(x); err != nil {
		return Current{}, err
	}
	saved, at, err := loadSaved(ctx, tx, kind, " FOR UPDATE")
	if err != nil {
		return Current{}, err
	}
	before := current(t, saved, at)
	if before.Text == x {
		return before, nil
	}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	if _, err := tx.Exec(ctx, `INSERT INTO notification_templates (kind, title, body, updated_by, updated_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (kind) DO UPDATE SET title = $2, body = $3, updated_by = $4, updated_at = $5`,
		kind, x.Title, x.Body, by, now); err != nil {
		return Current{}, db.Err(err)
	}
	err = audit.Record(ctx, tx, actor, "notification_template.save", "notification_template", kind,
		auditText{kind, before.Title, before.Body}, auditText{kind, x.Title, x.Body})
	return current(t, &x, &now), err
}

// ResetTemplate deletes the office's texts for kind so the default is
// sent again (恢复默认), audited as notification_template.reset; a kind
// already on its default changes nothing. It returns not_found for an
// unknown kind.
func ResetTemplate(ctx context.Context, tx pgx.Tx, actor audit.Actor, kind string) (Current, error) {
	t, ok := Lookup(kind)
	if !ok {
		return Current{}, errNoKind
	}
	var x Text
	err := tx.QueryRow(ctx, `DELETE FROM notification_templates WHERE kind = $1 RETURNING title, body`, kind).
		Scan(&x.Title, &x.Body)
	if errors.Is(err, pgx.ErrNoRows) {
		return current(t, nil, nil), nil
	}
	if err != nil {
		return Current{}, db.Err(err)
	}
	err = audit.Record(ctx, tx, actor, "notification_template.reset", "notification_template", kind,
		auditText{kind, x.Title, x.Body}, auditText{kind, t.Default.Title, t.Default.Body})
	return current(t, nil, nil), err
}

// Preview renders texts of kind t with the example values, clipped as a
// notification is.
func (t Template) Preview(x Text) Text {
	r := RenderText(x, t.Examples())
	return Text{Title: Clip(r.Title, maxTitle), Body: Clip(r.Body, maxBody)}
}

// render returns the texts notice n is sent with: the office's for its
// kind when saved, else the default, filled with n's values and clipped.
// A saved text naming a placeholder the kind no longer has (a newer
// version dropped it) falls back to the default rather than send braces.
func render(ctx context.Context, tx pgx.Tx, t Template, n Notice) (Text, error) {
	saved, _, err := loadSaved(ctx, tx, n.Kind, "")
	if err != nil {
		return Text{}, err
	}
	r := RenderText(t.Default, n.Values)
	if saved != nil && t.Validate(*saved) == nil {
		// Empty values could leave an office's text blank; then the
		// default's wording is sent instead.
		if o := RenderText(*saved, n.Values); strings.TrimSpace(o.Title) != "" && strings.TrimSpace(o.Body) != "" {
			r = o
		}
	}
	return Text{Title: Clip(r.Title, maxTitle), Body: Clip(r.Body, maxBody)}, nil
}

// SMSText is the text in force of an SMS kind (internal/citizensms): the
// office's, or the default. A saved text that no longer validates falls
// back to the default, as Send does for notifications.
func SMSText(ctx context.Context, q db.DBTX, kind string) (string, error) {
	t, ok := Lookup(kind)
	if !ok || !t.SMS {
		return "", errNoKind
	}
	saved, _, err := loadSaved(ctx, q, kind, "")
	if err != nil || saved == nil || t.Validate(*saved) != nil {
		return t.Default.Body, err
	}
	return saved.Body, nil
}
