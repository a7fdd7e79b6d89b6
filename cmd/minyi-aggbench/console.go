package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
	"minyi/internal/feedback"
	"minyi/internal/ratings"
)

// errRollback ends the console step's transaction: what it added to hold
// ratings is undone, so the database stays as generated.
var errRollback = errors.New("rollback")

// heldPairs is how many units (at most) the console step gives a
// ballot-stuffing address on one random day of the last 30: the unit's QR
// ratings of that day beyond the 20th are held, as the daily cap holds them.
const heldPairs = 1000

// console times, with the real code, the console's lists that read the
// ratings: the review queue (差评 and messages of all units over 90 days,
// the page's first 50 and its count), its groups of held ratings, and the
// rating feed's 暂不计分 filter. Held ratings are made for the step in a
// transaction that is rolled back, so the generated data stays as it is.
func (b *runner) console(today time.Time) error {
	err := db.Tx(b.ctx, b.pool, func(tx pgx.Tx) error {
		held, groups, err := holdSome(b.ctx, tx, today, b.loc)
		if err != nil {
			return err
		}
		fmt.Fprintf(b.out, "   console at scale: %d ratings held in %d groups (a ballot-stuffing address at each of up to %d units, on one day of the last 30)\n",
			held, groups, heldPairs)
		from := time.Date(today.Year(), today.Month(), today.Day()-89, 0, 0, 0, 0, b.loc)
		to := time.Date(today.Year(), today.Month(), today.Day()+1, 0, 0, 0, 0, b.loc)
		qf := feedback.Filter{From: from, To: to, Status: "pending", Limit: 50}
		var n int
		var qt db.Total
		if err := b.time("review queue: pending 差评 and messages, all units, 90 days, first 50 and the count", func() (err error) {
			p, err := feedback.Queue(b.ctx, tx, b.loc, qf)
			qt = p.Total
			return err
		}); err != nil {
			return err
		}
		fmt.Fprintf(b.out, "   the queue holds %s pending items\n", totalText(qt))
		hf := qf
		hf.Limit = 20
		if err := b.time("review queue: groups of held ratings, all units, 90 days, first 20 and the count", func() (err error) {
			_, n, err = feedback.HoldGroups(b.ctx, tx, b.loc, hf)
			return err
		}); err != nil {
			return err
		}
		fmt.Fprintf(b.out, "   %d groups await a decision\n", n)
		yes := true
		rf := ratings.Filter{From: &from, To: &to, Held: &yes, Limit: 50}
		if err := b.time("rating feed: 暂不计分 (held), all units, 90 days, first 50 and the count", func() (err error) {
			p, err := ratings.List(b.ctx, tx, rf)
			n = p.Total
			return err
		}); err != nil {
			return err
		}
		fmt.Fprintf(b.out, "   the feed lists %d held ratings\n", n)
		return errRollback
	})
	if errors.Is(err, errRollback) {
		return nil
	}
	return err
}

// totalText is a capped total as the console shows it.
func totalText(t db.Total) string {
	switch {
	case t.Estimated:
		return fmt.Sprintf("about %d (estimated)", t.N)
	case !t.Exact:
		return fmt.Sprintf("more than %d", t.N)
	}
	return fmt.Sprint(t.N)
}

// time runs fn b.reps times and prints its median and maximum.
func (b *runner) time(label string, fn func() error) error {
	times := make([]time.Duration, 0, b.reps)
	for range b.reps {
		t0 := time.Now()
		if err := fn(); err != nil {
			return err
		}
		times = append(times, time.Since(t0))
	}
	b.row(label, b.reps, times)
	return nil
}

// holdSome holds, in tx, the QR ratings beyond the 20th of heldPairs random
// (unit, day) pairs of the last 30 days, as the writer holds a source's
// ratings beyond its daily cap, and returns how many ratings and groups.
func holdSome(ctx context.Context, tx pgx.Tx, today time.Time, loc *time.Location) (held, groups int, err error) {
	err = tx.QueryRow(ctx, `WITH pairs AS (
			SELECT u.id AS unit_id, ($1::date - 1 - (random() * 29)::int) AS day
			FROM units u ORDER BY random() LIMIT $2
		), picked AS (
			SELECT r.id, r.rated_at, p.unit_id, p.day,
				row_number() OVER (PARTITION BY p.unit_id, p.day ORDER BY r.rated_at) AS k
			FROM pairs p JOIN ratings r ON r.unit_id = p.unit_id AND r.channel = 'qr'
				AND r.rated_at >= (p.day::timestamp AT TIME ZONE $4)
				AND r.rated_at < ((p.day + 1)::timestamp AT TIME ZONE $4)
				AND NOT r.excluded
		), up AS (
			UPDATE ratings r SET held = true, excluded = true, exclude_reason = $3, excluded_at = now()
			FROM picked p WHERE p.k > 20 AND r.id = p.id AND r.rated_at = p.rated_at
			RETURNING r.id, r.rated_at, p.unit_id, p.day, r.level
		), ins AS (
			INSERT INTO rating_holds (rating_id, rated_at, unit_id, day, source, label, daily_cap, level, held, excluded)
			SELECT id, rated_at, unit_id, day, decode(md5(unit_id::text || day::text), 'hex'), '198.51.100.7', 20,
				level, true, true FROM up
			RETURNING unit_id, day
		)
		SELECT count(*), count(DISTINCT (unit_id, day)) FROM ins`, today, heldPairs, ratings.HeldReasonAddress, loc.String()).
		Scan(&held, &groups)
	return held, groups, err
}
