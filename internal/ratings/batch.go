package ratings

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// insertSQL stores a batch in one statement: it claims each client id, then
// each case number (per stage), then each daily mark, and inserts the ratings that
// claimed all theirs. Claims are made in batch order, so within a batch the
// first rating for a case number wins. The ratings it inserts count
// against their daily caps ($34–$43, see held.go), which holds those
// beyond. It refreshes last_seen_at, at most once a minute, of the
// terminals listed in $32 that stored a rating, and marks for the daily
// aggregate the minutes of stored ratings dated before $33 (see
// daily_rollup.go). It returns every input's position and outcome.
// Optional values arrive as "" or 0 and become NULL here, so that every
// parameter is a plain array pgx encodes without reflection.
var insertSQL = `
WITH ` + inputCTE + `, live AS (
	SELECT i.* FROM input i LEFT JOIN terminals t ON t.id = i.terminal_id
	WHERE i.terminal_id IS NULL OR t.revoked_at IS NULL
), req AS (
	INSERT INTO rating_requests (origin, client_id, rating_id)
	SELECT origin, client_id, id FROM live WHERE client_id IS NOT NULL ORDER BY ord
	ON CONFLICT DO NOTHING RETURNING rating_id
), fresh AS (
	SELECT l.* FROM live l WHERE l.client_id IS NULL OR l.id IN (SELECT rating_id FROM req)
), cases AS (
	INSERT INTO rating_cases (unit_id, case_no, stage, rating_id)
	SELECT unit_id, case_no, coalesce(stage, ''), id FROM fresh WHERE case_no IS NOT NULL ORDER BY ord
	ON CONFLICT DO NOTHING RETURNING rating_id
), marks AS (
	INSERT INTO rating_daily_marks (rating_id, unit_id, day, mark)
	SELECT m.rating_id, m.unit_id, m.day, m.mark
	FROM unnest($28::uuid[], $29::bigint[], $30::date[], $31::bytea[]) WITH ORDINALITY AS m(rating_id, unit_id, day, mark, ord)
	WHERE m.rating_id IN (SELECT id FROM fresh) ORDER BY m.ord
	ON CONFLICT DO NOTHING RETURNING rating_id
), ok AS (
	SELECT f.* FROM fresh f
	WHERE (f.case_no IS NULL OR f.id IN (SELECT rating_id FROM cases))
	  AND f.nmarks = (SELECT count(*) FROM marks m WHERE m.rating_id = f.id)
)` + capCTE("ok", 34) + `, ins AS (
	` + insertRatings("ok", true) + ` RETURNING id, unit_id, rated_at
), dirty AS (
	INSERT INTO rating_dirty (unit_id, minute)
	SELECT DISTINCT unit_id, ` + dirtyMinute + ` FROM ins WHERE rated_at < $33 ORDER BY 1, 2
	` + dirtyUpsert + `
), touch AS (
	UPDATE terminals SET last_seen_at = now()
	WHERE id = ANY($32::bigint[]) AND id IN (SELECT terminal_id FROM ok WHERE terminal_id IS NOT NULL)
	  AND (last_seen_at IS NULL OR last_seen_at < now() - interval '1 minute')
	RETURNING id
)
SELECT i.ord, CASE
	WHEN i.id IN (SELECT id FROM ins) THEN 'created'
	WHEN i.id NOT IN (SELECT id FROM live) THEN 'revoked'
	WHEN i.id NOT IN (SELECT id FROM fresh) THEN 'duplicate'
	WHEN i.case_no IS NOT NULL AND i.id NOT IN (SELECT rating_id FROM cases) THEN 'case_conflict'
	ELSE 'daily_limit' END
FROM input i`

// fastSQL stores a batch the quick way: plain inserts, no conflict
// handling. It fails with a unique violation, storing nothing, as soon as
// any client id, case number or daily mark of the batch is taken, and the
// batch then goes through insertSQL instead. Ratings of revoked terminals
// claim nothing and are reported as revoked, as insertSQL does. Each part
// of a statement costs Postgres something even when it has nothing to do,
// so there is one statement for each combination of case numbers, daily
// marks, terminals to touch, late ratings and daily caps a batch has (see
// fastStatement). Ratings are late when dated before the writer's cutoff
// and need a dirty mark for the daily aggregate (see daily_rollup.go); a
// batch of today's ratings carries no such part.
var fastSQL [32]string

func init() {
	for k := range fastSQL {
		fastSQL[k] = buildFastSQL(k&1 != 0, k&2 != 0, k&4 != 0, k&8 != 0, k&16 != 0)
	}
}

// buildFastSQL writes the fast statement with or without its case-number,
// daily-mark, last-seen, dirty-mark and daily-cap parts. Parameters $1–$27
// are the ratings; the marks take the next four when present, the
// terminals to touch the next, the cutoff for late ratings the next, the
// daily caps the next ten.
func buildFastSQL(cases, marks, touch, late, caps bool) string {
	var b strings.Builder
	b.WriteString(`
WITH ` + inputCTE + `, live AS (
	SELECT i.* FROM input i LEFT JOIN terminals t ON t.id = i.terminal_id
	WHERE i.terminal_id IS NULL OR t.revoked_at IS NULL
), req AS (
	INSERT INTO rating_requests (origin, client_id, rating_id)
	SELECT origin, client_id, id FROM live WHERE client_id IS NOT NULL
)`)
	if cases {
		b.WriteString(`, cases AS (
	INSERT INTO rating_cases (unit_id, case_no, stage, rating_id)
	SELECT unit_id, case_no, coalesce(stage, ''), id FROM live WHERE case_no IS NOT NULL
)`)
	}
	next := ratingArgs + 1
	if marks {
		b.WriteString(`, marks AS (
	INSERT INTO rating_daily_marks (rating_id, unit_id, day, mark)
	SELECT m.rating_id, m.unit_id, m.day, m.mark
	FROM unnest($28::uuid[], $29::bigint[], $30::date[], $31::bytea[]) AS m(rating_id, unit_id, day, mark)
	WHERE m.rating_id IN (SELECT id FROM live)
)`)
		next = ratingArgs + 5
	}
	// The parameters after the ratings' come in the order marks, touch,
	// late, caps; the daily-cap part is written first because the insert
	// reads it.
	capAt := next
	if touch {
		capAt++
	}
	if late {
		capAt++
	}
	if caps {
		b.WriteString(fastCapCTE("live", capAt))
	}
	b.WriteString(`, ins AS (
	` + insertRatings("live", caps) + `
)`)
	if touch {
		fmt.Fprintf(&b, `, touch AS (
	UPDATE terminals SET last_seen_at = now()
	WHERE id = ANY($%d::bigint[]) AND id IN (SELECT terminal_id FROM live WHERE terminal_id IS NOT NULL)
	  AND (last_seen_at IS NULL OR last_seen_at < now() - interval '1 minute')
)`, next)
		next++
	}
	if late {
		fmt.Fprintf(&b, `, dirty AS (
	INSERT INTO rating_dirty (unit_id, minute)
	SELECT DISTINCT unit_id, `+dirtyMinute+` FROM live WHERE rated_at < $%d ORDER BY 1, 2
	`+dirtyUpsert+`
)`, next)
	}
	b.WriteString(`
SELECT i.ord, CASE WHEN i.id IN (SELECT id FROM live) THEN 'created' ELSE 'revoked' END
FROM input i`)
	return b.String()
}

// fastStatement picks the fast statement for the batch and its arguments
// out of batchArgs's.
func fastStatement(items []NewRating, args []any) (string, []any) {
	cases, marks, late, caps := false, false, false, false
	cutoff := args[ratingArgs+5].(time.Time)
	for i := range items {
		cases = cases || items[i].CaseNo != ""
		marks = marks || len(items[i].Marks) > 0
		late = late || items[i].RatedAt.Before(cutoff)
		caps = caps || items[i].Cap.Limit > 0
	}
	const a = ratingArgs
	touch := len(args[a+4].([]int64)) > 0
	k, use := 0, args[:a:a]
	if cases {
		k |= 1
	}
	if marks {
		k |= 2
		use = append(use, args[a:a+4]...)
	}
	if touch {
		k |= 4
		use = append(use, args[a+4])
	}
	if late {
		k |= 8
		use = append(use, args[a+5])
	}
	if caps {
		k |= 16
		use = append(use, args[a+6:a+16]...)
	}
	return fastSQL[k], use
}

// releaseSQL gives back the keys that refused ratings claimed, so that a
// retry of a refused rating is refused again for the same reason rather
// than reported as a duplicate.
const releaseSQL = `
WITH r AS (DELETE FROM rating_requests WHERE rating_id = ANY($1) AND (origin, client_id) IN
		(SELECT * FROM unnest($2::bigint[], $3::text[]))),
	c AS (DELETE FROM rating_cases WHERE rating_id = ANY($1) AND (unit_id, case_no) IN
		(SELECT * FROM unnest($4::bigint[], $5::text[])))
DELETE FROM rating_daily_marks WHERE rating_id = ANY($1) AND (unit_id, day) IN
		(SELECT * FROM unnest($6::bigint[], $7::date[]))`

// writeBatch stores the batch atomically and returns each rating's outcome
// in order. Usually that is a fast statement: one round trip,
// committed on its own. When any key of the batch is already taken (a
// re-sent id, a used case number or daily mark) that attempt stores nothing
// and the batch is written again by insertSQL, in a transaction that gives
// back the keys claimed by refused ratings before it commits.
//
// Two batches claiming the same keys in different orders (a terminal
// re-sending while its first attempt is still in flight, on another
// instance) can deadlock; Postgres then aborts one, which stored nothing,
// and it is written again.
func writeBatch(ctx context.Context, pool *pgxpool.Pool, items []NewRating, touch []int64, cutoff time.Time) ([]string, error) {
	args := batchArgs(items, touch, cutoff)
	sql, fastArgs := fastStatement(items, args)
	status, err := readOutcomes(pool.Query(ctx, sql, fastArgs...))(len(items))
	for attempt := 0; err != nil && attempt < 4; attempt++ {
		if code := pgCode(err); code != "23505" && code != "40P01" {
			return nil, err
		}
		status, err = writeBatchTx(ctx, pool, items, args)
	}
	return status, err
}

// pgCode returns the SQLSTATE of a Postgres error, or "".
func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// sameAsFirstCopy gives every later copy of a client id in the batch the
// outcome of its first copy. Without it, a re-sent rating refused for its
// case number or the daily limit, whose two copies group commit happened to
// merge, would report its second copy as a duplicate of nothing.
func sameAsFirstCopy(items []NewRating, status []string) {
	type key struct {
		origin int64
		client string
	}
	first := map[key]int{}
	for i, it := range items {
		if it.ClientID == "" {
			continue
		}
		k := key{it.Origin, it.ClientID}
		if j, ok := first[k]; ok {
			if status[i] == Duplicate && (status[j] == CaseConflict || status[j] == DailyLimit) {
				status[i] = status[j]
			}
			continue
		}
		first[k] = i
	}
}

// writeBatchTx runs insertSQL and the release of refused ratings' keys in
// one transaction. BEGIN travels with the statement in one round trip; a
// second one carries COMMIT, preceded by the release when needed.
func writeBatchTx(ctx context.Context, pool *pgxpool.Pool, items []NewRating, args []any) ([]string, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	// A connection given back inside a transaction is closed by the pool,
	// so an error anywhere below can never leak a half-done transaction.
	defer conn.Release()
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue(insertSQL, args...)
	br := conn.SendBatch(ctx, b)
	_, err = br.Exec()
	var status []string
	if err == nil {
		status, err = readOutcomes(br.Query())(len(items))
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		sameAsFirstCopy(items, status)
		err = release(ctx, conn.Conn(), items, status)
	}
	if err != nil {
		rollback(conn.Conn())
		return nil, err
	}
	tag, err := conn.Exec(ctx, "COMMIT")
	if err != nil {
		return nil, err
	}
	if tag.String() != "COMMIT" {
		return nil, pgx.ErrTxCommitRollback
	}
	return status, nil
}

// readOutcomes reads insertSQL's rows, (position, outcome), into outcomes
// in batch order, checking that each of the n ratings got exactly one.
func readOutcomes(rows pgx.Rows, err error) func(n int) ([]string, error) {
	return func(n int) ([]string, error) {
		if err != nil {
			return nil, err
		}
		status := make([]string, n)
		seen := 0
		var ord int64
		var st string
		_, err := pgx.ForEachRow(rows, []any{&ord, &st}, func() error {
			if ord < 1 || ord > int64(n) || status[ord-1] != "" {
				return errors.New("ratings: batch returned an unexpected position")
			}
			status[ord-1] = st
			seen++
			return nil
		})
		if err == nil && seen != n {
			err = errors.New("ratings: batch returned a different number of outcomes")
		}
		if err != nil {
			return nil, err
		}
		return status, nil
	}
}

// rollback ends a failed transaction; when that fails too, the connection
// is closed, which rolls back as well.
func rollback(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if conn.PgConn().TxStatus() == 'I' {
		return
	}
	if _, err := conn.Exec(ctx, "ROLLBACK"); err != nil {
		conn.Close(ctx) //nolint:errcheck
	}
}

// release frees the keys claimed by ratings refused for a case conflict or
// the daily limit.
func release(ctx context.Context, conn *pgx.Conn, items []NewRating, status []string) error {
	var ids []uuid.UUID
	var rOrigin, cUnit, mUnit []int64
	var rClient, cCase []string
	var mDay []time.Time
	for i, it := range items {
		if s := status[i]; s != CaseConflict && s != DailyLimit {
			continue
		}
		ids = append(ids, it.ID)
		if it.ClientID != "" {
			rOrigin, rClient = append(rOrigin, it.Origin), append(rClient, it.ClientID)
		}
		if it.CaseNo != "" {
			cUnit, cCase = append(cUnit, it.UnitID), append(cCase, it.CaseNo)
		}
		if len(it.Marks) > 0 {
			mUnit, mDay = append(mUnit, it.UnitID), append(mDay, it.Day)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	_, err := conn.Exec(ctx, releaseSQL, ids, rOrigin, rClient, cUnit, cCase, mUnit, mDay)
	return err
}
