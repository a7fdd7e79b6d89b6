package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5"
)

// benchInstruments are the instruments prepareInstruments makes on the
// cycle: seven leaders rating every unit, and 部门互评, every unit rating
// every other (999,000 answers at 1,000 units), both open, so that the
// instrument pages are timed over a province's answers.
var benchInstruments = []struct{ key, name, purpose string }{
	{"leaders", "领导评价", "leaders"},
	{"peer", "部门互评", "peer"},
}

// benchLeaders is how many leaders rate every unit.
const benchLeaders = 7

// prepareInstruments makes, once, the cycle's leaders' and peer
// instruments through the API (the scheme's preset may have made the
// leaders' one in draft), opens them and adds the leaders as invitees,
// then writes their answers and totals in bulk: answering a million
// ballot lines through the API would take hours and time nothing a page
// reads.
func prepareInstruments(ctx context.Context, conn *pgx.Conn, officeAPI *client, cycle int64) error {
	for _, b := range benchInstruments {
		var id int64
		var status string
		err := conn.QueryRow(ctx, `SELECT id, status FROM evaluation_instruments WHERE cycle_id = $1 AND key = $2`,
			cycle, b.key).Scan(&id, &status)
		if errors.Is(err, pgx.ErrNoRows) {
			var in struct{ ID int64 }
			err = officeAPI.postJSON(fmt.Sprintf("/api/v1/cycles/%d/instruments", cycle), map[string]any{
				"key": b.key, "name": b.name, "purpose": b.purpose, "min_answers": 5}, http.StatusCreated, &in)
			id, status = in.ID, "draft"
		}
		if err != nil {
			return fmt.Errorf("the %s instrument: %w", b.name, err)
		}
		if status == "draft" {
			if err := officeAPI.postJSON(fmt.Sprintf("/api/v1/instruments/%d/open", id), map[string]any{}, http.StatusOK, nil); err != nil {
				return fmt.Errorf("opening %s: %w", b.name, err)
			}
		}
		if b.purpose == "leaders" {
			for i := count(ctx, conn, `SELECT count(*) FROM evaluation_instrument_invitees WHERE instrument_id = $1`, id); i < benchLeaders; i++ {
				err := officeAPI.postJSON(fmt.Sprintf("/api/v1/instruments/%d/invitees", id),
					map[string]any{"name": fmt.Sprintf("市领导%d", i+1), "group": "市领导"}, http.StatusCreated, nil)
				if err != nil {
					return fmt.Errorf("a leader of %s: %w", b.name, err)
				}
			}
		}
		if count(ctx, conn, `SELECT count(*) FROM evaluation_instrument_totals WHERE instrument_id = $1`, id) > 0 {
			continue
		}
		if err := fillAnswers(ctx, conn, id); err != nil {
			return fmt.Errorf("the answers of %s: %w", b.name, err)
		}
	}
	return nil
}

// fillAnswers writes the instrument's answers (graded mostly 优秀 and
// 良好, as offices see them) and the totals the results read, in one
// transaction.
func fillAnswers(ctx context.Context, conn *pgx.Conn, id int64) error {
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO evaluation_instrument_answers
			(instrument_id, rated_unit_id, rater_unit_id, invitee_id, grade, value, answered_at)
		SELECT i.id, a.rated, a.rater, a.invitee, (ARRAY['excellent', 'good', 'fair', 'poor'])[a.g], i.grade_points[a.g], now()
		FROM evaluation_instruments i, LATERAL (
			SELECT u.id AS rated, NULL::bigint AS rater, v.id AS invitee, 1 + floor(random() ^ 2 * 4)::int AS g
			FROM evaluation_instrument_invitees v CROSS JOIN units u
			WHERE v.instrument_id = i.id AND i.purpose <> 'peer'
			UNION ALL
			SELECT u.id, r.id, NULL, 1 + floor(random() ^ 2 * 4)::int
			FROM units u JOIN units r ON r.id <> u.id
			WHERE i.purpose = 'peer'
		) AS a
		WHERE i.id = $1`, id)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO evaluation_instrument_totals (instrument_id, unit_id, answers, total)
		SELECT instrument_id, rated_unit_id, count(*), sum(value) FROM evaluation_instrument_answers
		WHERE instrument_id = $1 GROUP BY instrument_id, rated_unit_id`, id)
		return err
	})
}
