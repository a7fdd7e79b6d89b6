package ratings

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/search"
)

// The rating feed at province scale (hundreds of millions of ratings) pages
// by key, not by position: a page asks for the ratings older (or newer)
// than a cursor, the last (first) rating it showed, in the feed's order
// rated_at DESC, id DESC. Each page reads its own rows down an index on
// rated_at, whatever its depth, where OFFSET n would read and drop n rows
// first. Totals are counted up to CountCap matches and reported as "at
// least CountCap" beyond, so a count never reads more than CountCap+1 index
// entries; the counts that feed a score (Count) stay exact. Migration 0022
// adds the indexes the filters use: rated_at for all units, partial indexes
// for the rare subsets (excluded, not rate-checked, 差评 and messages per
// unit), beside (unit_id, rated_at) for a unit.

// CountCap is how many matches a feed total counts before it stops and
// reports "more than CountCap".
const CountCap = db.CountCap

// MaxOffset is the deepest offset the API still answers; deeper pages are
// reached with a cursor.
const MaxOffset = 10000

// Cursor marks a rating's place in the feed.
type Cursor struct {
	RatedAt time.Time
	ID      uuid.UUID
}

// CursorOf returns r's place in the feed.
func CursorOf(r Rating) *Cursor { return &Cursor{RatedAt: r.RatedAt, ID: r.ID} }

// String encodes the cursor for a URL: opaque to clients.
func (c Cursor) String() string {
	raw := strconv.FormatInt(c.RatedAt.UnixMicro(), 10) + "." + c.ID.String()
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

var errCursor = errors.New("malformed cursor")

// ParseCursor decodes a cursor made by String.
func ParseCursor(s string) (*Cursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, errCursor
	}
	at, id, ok := strings.Cut(string(raw), ".")
	if !ok {
		return nil, errCursor
	}
	us, err := strconv.ParseInt(at, 10, 64)
	if err != nil {
		return nil, errCursor
	}
	u, err := uuid.Parse(id)
	if err != nil {
		return nil, errCursor
	}
	return &Cursor{RatedAt: time.UnixMicro(us).UTC(), ID: u}, nil
}

// Neighbours returns the cursors of the pages either side of a page whose
// first and last items (in the list's order) are first and last: more
// tells that the walk found another item beyond the page, back that the
// page was reached going newer-wards, deep that it was reached going
// older-wards (or by offset). nil means there is no page that way.
func Neighbours(first, last *Cursor, more, back, deep bool) (older, newer *Cursor) {
	switch {
	case back: // came back from older pages: older ones exist
		older = last
		if more {
			newer = first
		}
	case deep:
		newer = first
		if more {
			older = last
		}
	case more:
		older = last
	}
	return older, newer
}

// CursorParam is c as a URL parameter, "" for none.
func CursorParam(c *Cursor) string {
	if c == nil {
		return ""
	}
	return c.String()
}

// ParseCursors reads the paging parameters of a console list: older (the
// page after an item) and newer (the page before one), either may be "".
func ParseCursors(older, newer string) (o, n *Cursor, err error) {
	if older != "" {
		if o, err = ParseCursor(older); err != nil {
			return nil, nil, err
		}
	}
	if newer != "" {
		if n, err = ParseCursor(newer); err != nil {
			return nil, nil, err
		}
	}
	return o, n, nil
}

// Filter selects ratings. From is inclusive and To exclusive. A page holds
// Limit ratings older than Older, or newer than Newer (at most one of the
// two), or, for old API clients, after skipping Offset.
type Filter struct {
	UnitID      *int64
	Channel     string
	Level       int
	From, To    *time.Time
	Excluded    *bool
	Held        *bool
	RateChecked *bool
	HasComment  bool
	// Q narrows to the ratings whose message holds every term (see
	// internal/search); ID to one rating (a direct look-up's link).
	Q  search.Keyword
	ID *uuid.UUID
	// RecentSpan is set when From is the keyword's default span
	// (KeywordSpan), for the pages and the API to say so.
	RecentSpan bool
	// floor bounds a keyword's page from below (search.Floor).
	floor        *time.Time
	Limit        int
	Offset       int
	Older, Newer *Cursor
}

// KeywordSpan gives a keyword search without a start date the default
// span of the last search.RecentMonths months (search.RecentFrom), and
// sets RecentSpan. The feed, the API, the export and the search page call
// it alike, so that a keyword's hits are the same set everywhere.
func (f *Filter) KeywordSpan(now time.Time, loc *time.Location) {
	if f.Q.IsZero() || f.From != nil || f.ID != nil {
		return
	}
	from := search.RecentFrom(now, loc)
	if f.To != nil && !from.Before(*f.To) {
		return // an end date before the span: the dates typed decide
	}
	f.From, f.RecentSpan = &from, true
}

// Validate checks the filter's values.
func (f Filter) Validate() error {
	e := apperr.Fields{}
	if f.Channel != "" && f.Channel != ChannelQR && f.Channel != ChannelTerminal {
		e.Add("channel", "channel 须为 qr 或 terminal")
	}
	if f.Level != 0 && (f.Level < 1 || f.Level > 5) {
		e.Add("level", "level 须为 1 到 5")
	}
	if f.From != nil && f.To != nil && !f.From.Before(*f.To) {
		e.Add("to", "to 须晚于 from")
	}
	if f.Limit < 0 || f.Limit > 500 {
		e.Add("limit", "limit 须为 1 到 500")
	}
	if f.Offset < 0 || f.Offset > MaxOffset {
		e.Add("offset", "offset 须为 0 到 "+strconv.Itoa(MaxOffset)+"；更深的页请用 cursor")
	}
	if f.Older != nil && f.Newer != nil || f.Offset > 0 && (f.Older != nil || f.Newer != nil) {
		e.Add("cursor", "cursor 不能与 offset 同用")
	}
	return e.Err()
}

// Page is one page of the feed.
type Page struct {
	Items []Rating
	// Total counts the matches up to CountCap; TotalExact is false when
	// there are more (Total is then CountCap) or when Total is the
	// planner's estimate (TotalEstimated; see db.CountCapped).
	Total          int
	TotalExact     bool
	TotalEstimated bool
	// Older and Newer are the cursors of the next page each way, nil
	// when there is none.
	Older, Newer *Cursor
}

// List returns a page of the ratings matching f, newest first, and their
// capped total. On a pool the page and the total are read side by side.
func List(ctx context.Context, q db.DBTX, f Filter) (Page, error) {
	if err := f.Validate(); err != nil {
		return Page{}, err
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	var p Page
	var t db.Total
	var items []Rating
	err := db.Parallel(q,
		func(q db.DBTX) (err error) { t, err = feedTotal(ctx, q, f); return err },
		func(q db.DBTX) (err error) { items, err = page(ctx, q, f); return err },
	)
	if err != nil {
		return Page{}, err
	}
	p.Total, p.TotalExact, p.TotalEstimated = t.N, t.Exact, t.Estimated
	more := len(items) > f.Limit
	if !more && f.Older == nil && f.Newer == nil && f.Offset == 0 {
		// The first page holds every match: that is the total, whatever
		// the count said. A count cut short by its budget falls back to
		// the planner's estimate, which for a keyword is thousands even
		// when nothing matches (13,484 for a word in no message over five
		// years).
		p.Total, p.TotalExact, p.TotalEstimated = len(items), true, false
	}
	if more {
		items = items[:f.Limit]
	}
	if f.Newer != nil {
		for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
			items[i], items[j] = items[j], items[i]
		}
	}
	if err := NameDims(ctx, q, items); err != nil {
		return Page{}, err
	}
	p.Items = items
	if len(items) > 0 {
		p.Older, p.Newer = Neighbours(CursorOf(items[0]), CursorOf(items[len(items)-1]), more, f.Newer != nil,
			f.Older != nil || f.Offset > 0)
	}
	return p, nil
}

// page reads Limit+1 ratings of the page (one more tells whether another
// page follows), in the order of the index it walks.
func page(ctx context.Context, q db.DBTX, f Filter) ([]Rating, error) {
	if !f.Q.IsZero() && f.Newer == nil {
		var err error
		if f.floor, err = keywordFloor(ctx, q, f); err != nil {
			return nil, err
		}
	}
	where, args := f.where()
	order := ` ORDER BY r.rated_at DESC, r.id DESC`
	switch {
	case f.Newer != nil:
		order = ` ORDER BY r.rated_at, r.id`
	case !f.Q.IsZero() && f.floor == nil:
		// No window held the page (search.Floor): the keyword is rare, or
		// has no hit at all. Sorting its few hits is cheap, but with a
		// small LIMIT (the search page's five) the planner would rather
		// walk the rated_at index newest first and test every message on
		// the way, which for a keyword without a hit is every rating of
		// five years (15 s at 250 million). An order the index cannot give
		// keeps the gram index's bitmap and a sort of its hits.
		order = ` ORDER BY r.rated_at + interval '0 s' DESC, r.id DESC`
	}
	args = append(args, f.Limit+1, f.Offset)
	sql := `SELECT ` + ratingColumns + ratingJoins + where + order + ` LIMIT $` +
		strconv.Itoa(len(args)-1) + ` OFFSET $` + strconv.Itoa(len(args))
	var list []Rating
	read := func(q db.DBTX) error {
		rows, _ := q.Query(ctx, sql, args...)
		var err error
		list, err = pgx.CollectRows(rows, pgx.RowToStructByName[Rating])
		return err
	}
	var err error
	if f.Q.IsZero() {
		err = read(q)
	} else {
		// A keyword's page reads the gram index of every partition of its
		// window: no parallel workers, whose start (250 ms on a busy
		// 2-core machine) costs far more than the reads (search.NoWorkers).
		// Without a floor the page is every partition's gram index and a
		// sort whatever the word, so its plan is generic: made once per
		// connection instead of planning every partition of five years
		// for each search (25–55 ms, against a few to read a rare word).
		set := search.NoWorkers
		if f.floor == nil && f.Newer == nil && f.keywordOnly() {
			set += "; " + db.GenericPlan
		}
		err = db.WithLocal(ctx, q, set, read)
	}
	if err != nil {
		return nil, db.Err(err)
	}
	for i := range list {
		list[i].LevelLabel = LevelLabel(list[i].Level)
	}
	return list, nil
}

// keywordFloor is the lower bound of the time of a keyword's page read
// newest first (search.Floor), below the cursor, the filter's end or now.
func keywordFloor(ctx context.Context, q db.DBTX, f Filter) (*time.Time, error) {
	top := time.Now()
	if f.To != nil && f.To.Before(top) {
		top = *f.To
	}
	if f.Older != nil && f.Older.RatedAt.Before(top) {
		top = f.Older.RatedAt.Add(time.Microsecond)
	}
	n := f.Limit + f.Offset + 1
	return search.Floor(ctx, q, top, f.From, n, func(lo time.Time) (string, []any) {
		g := f
		g.floor = &lo
		where, args := g.where()
		args = append(args, n)
		return `SELECT count(*) FROM (SELECT FROM ratings r` + where + ` LIMIT $` + strconv.Itoa(len(args)) + `) AS x`, args
	})
}

// Count returns exactly how many ratings match f (for figures that feed
// a score); paging fields are ignored.
func Count(ctx context.Context, q db.DBTX, f Filter) (int, error) {
	if err := f.Validate(); err != nil {
		return 0, err
	}
	return count(ctx, q, f)
}

// CountCapped returns how many ratings match f up to CountCap, whether
// that is all of them, and whether n is the planner's estimate instead
// (db.CountCapped); paging fields are ignored.
func CountCapped(ctx context.Context, q db.DBTX, f Filter) (n int, exact, estimated bool, err error) {
	if err := f.Validate(); err != nil {
		return 0, false, false, err
	}
	t, err := feedTotal(ctx, q, f)
	return t.N, t.Exact, t.Estimated, err
}

// feedTotal counts f's matches up to CountCap+1 within the time the
// planner's estimate allows, or estimates them (db.CountCapped).
func feedTotal(ctx context.Context, q db.DBTX, f Filter) (db.Total, error) {
	f.Older, f.Newer, f.Offset = nil, nil, 0
	where, args := f.where()
	if f.keywordOnly() {
		// The gram indexes estimate every word alike, so the count's plan
		// is the same for any keyword (db.CountCappedGeneric).
		return db.CountCappedGeneric(ctx, q, `SELECT FROM ratings r`+where, args...)
	}
	return db.CountCapped(ctx, q, `SELECT FROM ratings r`+where, args...)
}

// CountUpTo counts f's matches up to limit; more says there are others.
// It is for filters a partial index of the ratings answers (excluded, not
// rate-checked, of one unit or all): it reads at most limit+1 index
// entries, under a generic plan, so no estimate and no planning over every
// monthly partition (that cost the overview 15–25 ms a count).
func CountUpTo(ctx context.Context, q db.DBTX, f Filter, limit int) (n int, more bool, err error) {
	if err := f.Validate(); err != nil {
		return 0, false, err
	}
	f.Older, f.Newer, f.Offset = nil, nil, 0
	where, args := f.where()
	err = db.WithGenericPlan(ctx, q, func(q db.DBTX) error {
		return q.QueryRow(ctx, `SELECT count(*) FROM (SELECT FROM ratings r`+where+` LIMIT `+strconv.Itoa(limit+1)+`) AS x`,
			args...).Scan(&n)
	})
	if err != nil {
		return 0, false, db.Err(err)
	}
	return min(n, limit), n > limit, nil
}
