package notify

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
)

// Item is a notification as one reader sees it.
type Item struct {
	ID        int64      `json:"id" db:"id"`
	Kind      string     `json:"kind" db:"kind"`
	Title     string     `json:"title" db:"title"`
	Body      string     `json:"body" db:"body"`
	Link      string     `json:"link" db:"link"`
	CreatedAt time.Time  `json:"created_at" db:"created_at"`
	ReadAt    *time.Time `json:"read_at" db:"read_at"`
}

// Read reports whether the reader has read it.
func (it Item) Read() bool { return it.ReadAt != nil }

// UnreadCap is where unread counting stops: the bell shows "99+" past it,
// so the count on every page reads at most this many index entries.
const UnreadCap = 100

// UnreadCount returns how many notifications the user has not read, up to
// UnreadCap.
func UnreadCount(ctx context.Context, q db.DBTX, userID int64) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM notification_inbox
		WHERE user_id = $1 AND read_at IS NULL LIMIT $2) x`, userID, UnreadCap).Scan(&n)
	return n, db.Err(err)
}

// Page is a page of a reader's notifications, newest first, with how many
// there are in all and how many are unread (up to UnreadCap).
type Page struct {
	Items  []Item `json:"items"`
	Total  int    `json:"total"`
	Unread int    `json:"unread"`
}

// List returns the user's notifications newest first, limit from offset.
func List(ctx context.Context, q db.DBTX, userID int64, limit, offset int) (Page, error) {
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	var p Page
	if err := q.QueryRow(ctx, `SELECT count(*) FROM notification_inbox WHERE user_id = $1`, userID).Scan(&p.Total); err != nil {
		return p, db.Err(err)
	}
	unread, err := UnreadCount(ctx, q, userID)
	if err != nil {
		return p, err
	}
	p.Unread = unread
	rows, _ := q.Query(ctx, `SELECT n.id, n.kind, n.title, n.body, n.link, i.created_at, i.read_at
		FROM (SELECT notification_id, created_at, read_at FROM notification_inbox WHERE user_id = $1
			ORDER BY created_at DESC, notification_id DESC LIMIT $2 OFFSET $3) i
		JOIN notifications n ON n.id = i.notification_id
		ORDER BY i.created_at DESC, i.notification_id DESC`, userID, limit, offset)
	p.Items, err = pgx.CollectRows(rows, pgx.RowToStructByName[Item])
	if p.Items == nil {
		p.Items = []Item{}
	}
	return p, db.Err(err)
}

// MarkRead marks the user's notifications of ids read (ids of others, or
// unknown, are ignored) and returns how many changed.
func MarkRead(ctx context.Context, q db.DBTX, userID int64, ids []int64, now time.Time) (int, error) {
	tag, err := q.Exec(ctx, `UPDATE notification_inbox SET read_at = $3
		WHERE user_id = $1 AND notification_id = ANY($2) AND read_at IS NULL`, userID, ids, now)
	return int(tag.RowsAffected()), db.Err(err)
}

// MarkAllRead marks every unread notification of the user read and returns
// how many changed.
func MarkAllRead(ctx context.Context, q db.DBTX, userID int64, now time.Time) (int, error) {
	tag, err := q.Exec(ctx, `UPDATE notification_inbox SET read_at = $2
		WHERE user_id = $1 AND read_at IS NULL`, userID, now)
	return int(tag.RowsAffected()), db.Err(err)
}

// Open marks one of the user's notifications read and returns it; a
// notification of someone else is not_found.
func Open(ctx context.Context, q db.DBTX, userID, id int64, now time.Time) (Item, error) {
	rows, _ := q.Query(ctx, `WITH r AS (UPDATE notification_inbox SET read_at = coalesce(read_at, $3)
			WHERE user_id = $1 AND notification_id = $2 RETURNING notification_id, created_at, read_at)
		SELECT n.id, n.kind, n.title, n.body, n.link, r.created_at, r.read_at
		FROM r JOIN notifications n ON n.id = r.notification_id`, userID, id, now)
	it, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Item])
	if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
		err = apperr.New(apperr.NotFound, "通知不存在")
	}
	return it, err
}
