package audit

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
)

// Cursor is a place in the log, newest first: an entry's time and id.
type Cursor struct {
	At time.Time
	ID int64
}

// String is the cursor as a page link carries it.
func (c Cursor) String() string {
	return strconv.FormatInt(c.At.UnixMicro(), 10) + "-" + strconv.FormatInt(c.ID, 10)
}

// ParseCursor reads a cursor String wrote.
func ParseCursor(s string) (*Cursor, error) {
	at, id, ok := strings.Cut(s, "-")
	if !ok {
		return nil, errors.New("audit: bad cursor")
	}
	us, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || n <= 0 {
		return nil, errors.New("audit: bad cursor")
	}
	return &Cursor{At: time.UnixMicro(us), ID: n}, nil
}

// Filter selects audit entries. Zero fields select everything.
type Filter struct {
	Entity   string
	EntityID string
	Action   string
	// ByActor limits the entries to those made by Actors (user ids);
	// with no Actors it selects nothing.
	ByActor bool
	Actors  []int64
	From    time.Time // at or after, when not zero
	To      time.Time // before, when not zero
	// Older selects entries older than the cursor, Newer newer ones (at
	// most one of the two, and neither with Offset).
	Older, Newer *Cursor
	Limit        int
	Offset       int
}

// MaxLimit is the most entries one call of List returns.
const MaxLimit = 10000

// where is the filter's condition on audit_log (without the cursors) and
// its arguments, numbered from $1.
func (f Filter) where() (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "$?", "$"+strconv.Itoa(len(args))))
	}
	if f.Entity != "" {
		add("entity = $?", f.Entity)
	}
	if f.EntityID != "" {
		add("entity_id = $?", f.EntityID)
	}
	if f.Action != "" {
		add("action = $?", f.Action)
	}
	if !f.From.IsZero() {
		add("at >= $?", f.From)
	}
	if !f.To.IsZero() {
		add("at < $?", f.To)
	}
	if len(conds) == 0 {
		return "true", args
	}
	return strings.Join(conds, " AND "), args
}

const entryColumns = `id, at, actor_id, actor, action, entity, entity_id, before, after`

// lateralActors is the most actors whose entries List reads one actor at
// a time. Past it (a role: a province's thousand unit accounts) one
// descent per actor costs more than the page is worth, and those accounts
// make most of the log, so List walks the time or action index instead,
// keeping the entries of any of the actors: with the ids as a parameter
// the planner sees how common they are (1–8 ms over 365,000 entries where
// a thousand descents took 400 ms).
const lateralActors = 32

// List returns entries newest first (oldest first within a Newer page is
// turned back to newest first), and whether more lie beyond them in the
// direction paged. A filter by a few actors reads each actor's newest
// entries along its index and merges them, so no filter sorts the whole
// log.
func List(ctx context.Context, q db.DBTX, f Filter) ([]Entry, bool, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, MaxLimit)
	if f.ByActor && len(f.Actors) == 0 {
		return nil, false, nil
	}
	cond, args := f.where()
	order, cmp := "DESC", "<"
	cur := f.Older
	if f.Newer != nil {
		order, cmp, cur = "ASC", ">", f.Newer
	}
	if cur != nil {
		args = append(args, cur.At, cur.ID)
		cond += " AND (at, id) " + cmp + " ($" + strconv.Itoa(len(args)-1) + ", $" + strconv.Itoa(len(args)) + ")"
	}
	take := strconv.Itoa(f.Offset + f.Limit + 1)
	inner := `SELECT ` + entryColumns + ` FROM audit_log WHERE ` + cond
	var sql string
	if f.ByActor && len(f.Actors) > lateralActors {
		args = append(args, f.Actors)
		sql = inner + ` AND actor_id = ANY($` + strconv.Itoa(len(args)) + `::bigint[])`
	} else if f.ByActor {
		args = append(args, f.Actors)
		sql = `SELECT e.* FROM unnest($` + strconv.Itoa(len(args)) + `::bigint[]) AS u(uid)
			CROSS JOIN LATERAL (` + inner + ` AND actor_id = u.uid ORDER BY at ` + order + `, id ` + order +
			` LIMIT ` + take + `) AS e`
	} else {
		sql = inner
	}
	sql += ` ORDER BY at ` + order + `, id ` + order + ` LIMIT ` + strconv.Itoa(f.Limit+1) +
		` OFFSET ` + strconv.Itoa(f.Offset)
	// Planned for its arguments each time: a generic plan, which pgx's
	// statement cache lets Postgres choose after five runs, guesses an
	// action's share of the log and may walk the time index past millions
	// of entries looking for a rare one.
	var list []Entry
	err := db.WithLocal(ctx, q, `SET LOCAL plan_cache_mode = force_custom_plan`, func(q db.DBTX) error {
		rows, err := q.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		list, err = pgx.CollectRows(rows, pgx.RowToStructByName[Entry])
		return err
	})
	if err != nil {
		return nil, false, db.Err(err)
	}
	more := len(list) > f.Limit
	if more {
		list = list[:f.Limit]
	}
	if f.Newer != nil {
		slices.Reverse(list)
	}
	return list, more, nil
}

// Count counts the entries f selects up to db.CountCap, or estimates them
// when counting would take too long (db.CountCapped).
func Count(ctx context.Context, q db.DBTX, f Filter) (db.Total, error) {
	if f.ByActor && len(f.Actors) == 0 {
		return db.Total{Exact: true}, nil
	}
	rows, args := f.selection()
	return db.CountCapped(ctx, q, rows, args...)
}

// selection is a SELECT of the entries f selects, for counting.
func (f Filter) selection() (string, []any) {
	cond, args := f.where()
	if f.ByActor {
		args = append(args, f.Actors)
		cond += " AND actor_id = ANY($" + strconv.Itoa(len(args)) + "::bigint[])"
	}
	return `SELECT 1 FROM audit_log WHERE ` + cond, args
}

// Actors are the ids of the accounts matching a person (part of a user
// name or real name), a role and a unit; empty strings and 0 match all.
func Actors(ctx context.Context, q db.DBTX, person, role string, unitID int64) ([]int64, error) {
	const sql = `SELECT id FROM users
		WHERE ($1 = '' OR username ILIKE '%' || $1 || '%' OR name ILIKE '%' || $1 || '%')
		  AND ($2 = '' OR role = $2) AND ($3 = 0 OR unit_id = $3)
		ORDER BY id`
	rows, err := q.Query(ctx, sql, likeEscape(person), role, unitID)
	if err != nil {
		return nil, db.Err(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	return ids, db.Err(err)
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ExportSize is about how many entries f selects (paging ignored), only
// to choose how an export runs (db.CountOrEstimate).
func ExportSize(ctx context.Context, q db.DBTX, f Filter) (int, error) {
	if f.ByActor && len(f.Actors) == 0 {
		return 0, nil
	}
	rows, args := f.selection()
	return db.CountOrEstimate(ctx, q, rows, args...)
}
