package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// exportSpecs time the exports (issue 17) as "export start": a start
// that streams at once (a small selection: one day of one unit, a month
// of one audit action) answers with the whole file, so its time is the
// export's; a start over EXPORT_INLINE_MAX_ROWS (a month of every unit's
// ratings) only records the job and enqueues it, and must answer fast
// (202 from the API, 303 to 我的导出 from the page). The jobs the timing
// starts are deleted after it, which stops them. 我的导出 and a stored
// file's download are timed over the job prepareExports makes.
func exportSpecs() []spec {
	var s []spec
	for _, f := range []string{"xlsx", "csv"} {
		s = append(s,
			spec{route: "/console/ratings/export." + f, path: "/console/ratings/export." + f + "?unit_id={unit}&from={today}&to={today}",
				filter: "export start · unit + day", who: both},
			spec{route: "/api/v1/ratings/export." + f, path: "/api/v1/ratings/export." + f + "?unit_id={unit}&from={today}&to={today}&level=5",
				filter: "export start · unit + day + level", who: both},
			spec{route: "/console/audit/export." + f, path: "/console/audit/export." + f + "?action=unit.update&from={month_from}&to={month_to}",
				filter: "export start · action + month", who: office},
			spec{route: "/api/v1/audit/export." + f, path: "/api/v1/audit/export." + f + "?action=unit.update&from={month_from}&to={month_to}",
				filter: "export start · action + month", who: office},
			// A unit's open cases with their timelines; the call-backs
			// list (at most 500 cases, each with its numbers and calls).
			spec{route: "/console/cases/export." + f, path: "/console/cases/export." + f + "?unit_id={unit}&status=sent",
				filter: "export start · unit + status", who: both},
			spec{route: "/api/v1/cases/export." + f, path: "/api/v1/cases/export." + f + "?overdue=any",
				filter: "export start · overdue", who: both},
			spec{route: "/console/callbacks/export." + f, path: "/console/callbacks/export." + f,
				filter: "export start", who: both},
			spec{route: "/api/v1/callbacks/export." + f, path: "/api/v1/callbacks/export." + f,
				filter: "export start", who: both},
			// A unit's pending 差评 of the queue's 90 days; a unit's survey
			// responses; an instrument's answers (all units, and one).
			spec{route: "/console/feedback/export." + f, path: "/console/feedback/export." + f + "?unit_id={unit}&status=pending&tone=complaint",
				filter: "export start · unit + pending", who: office},
			spec{route: "/api/v1/feedback/export." + f, path: "/api/v1/feedback/export." + f + "?unit_id={unit}&level=1",
				filter: "export start · unit + level 1", who: office},
			spec{route: "/console/responses/export." + f, path: "/console/responses/export." + f + "?unit_id={unit}",
				filter: "export start · unit", who: both},
			spec{route: "/api/v1/responses/export." + f, path: "/api/v1/responses/export." + f + "?unit_id={unit}&level=1",
				filter: "export start · unit + level", who: both},
			spec{route: "/console/instruments/:id/answers/export." + f, path: "/console/instruments/{instrument}/answers/export." + f,
				filter: "export start · all units", who: office},
			spec{route: "/api/v1/instruments/:id/answers/export." + f, path: "/api/v1/instruments/{instrument}/answers/export." + f + "?unit_id={unit}",
				filter: "export start · unit", who: office},
		)
	}
	return append(s,
		spec{route: "/console/audit/export", path: "/console/audit/export?action=unit.update&from={month_from}&to={month_to}",
			filter: "export start · action + month", who: office},
		// Background starts: a month of every unit's ratings.
		spec{route: "/api/v1/ratings/export.csv", path: "/api/v1/ratings/export.csv?from={month_from}&to={month_to}",
			filter: "export start · background · month", who: office, jobs: true},
		spec{route: "/console/ratings/export.xlsx", path: "/console/ratings/export.xlsx?from={month_from}&to={month_to}",
			filter: "export start · background · month", who: office, jobs: true},
		// The whole queue of 90 days, every item: a background start.
		spec{route: "/api/v1/feedback/export.csv", path: "/api/v1/feedback/export.csv?status=all&tone=all",
			filter: "export start · background · 90 days", who: office, jobs: true},
		// Upward reporting's records (issue 18): a month of rectification
		// results (the closed-cases index), and a day of every rating,
		// which the estimate sends to the background at a province's scale.
		spec{route: "/console/upward/export.csv", path: "/console/upward/export.csv?source=rectification&from={month_from}&to={month_to}",
			filter: "export start · rectifications · month", who: office},
		spec{route: "/console/upward/export.xlsx", path: "/console/upward/export.xlsx?from={today}&to={today}",
			filter: "export start · background · day", who: office, jobs: true},
		spec{route: "/console/exports", path: "/console/exports", who: both},
		spec{route: "/api/v1/exports", path: "/api/v1/exports", who: both},
		spec{route: "/api/v1/exports/:id", path: "/api/v1/exports/{export_job}", who: unitUser},
		spec{route: "/api/v1/exports/:id/download", path: "/api/v1/exports/{export_job}/download", who: unitUser},
		spec{route: "/console/exports/:id/download", path: "/console/exports/{export_job}/download", who: unitUser},
	)
}

// prepareExports stores a finished export of the unit user's, a small
// CSV, for the timing of 我的导出 and of a download (a background export
// of the generated database would take minutes).
func prepareExports(ctx context.Context, conn *pgx.Conn, unitID int64) error {
	var id int64
	err := conn.QueryRow(ctx, `SELECT j.id FROM export_jobs j JOIN users u ON u.id = j.user_id
		WHERE u.unit_id = @unit AND u.role = 'unit' AND j.state = 'done' ORDER BY j.id LIMIT 1`,
		pgx.NamedArgs{"unit": unitID}).Scan(&id)
	if err == nil || !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	body := []byte("\uFEFF导出内容,评价记录\r\n筛选条件,全部\r\n导出时间,2026-01-01 00:00:00\r\n\r\n评价时间,单位\r\n")
	_, err = conn.Exec(ctx, `WITH j AS (
			INSERT INTO export_jobs (user_id, kind, format, title, filter_text, state, rows_total, rows_done, file_size,
				started_at, finished_at, expires_at)
			SELECT u.id, 'ratings', 'csv', '评价记录', '全部', 'done', 0, 0, $2, now(), now(), now() + interval '10 years'
			FROM users u WHERE u.unit_id = $1 AND u.role = 'unit' ORDER BY u.id LIMIT 1
			RETURNING id)
		INSERT INTO export_chunks (job_id, seq, data) SELECT id, 0, $3 FROM j`, unitID, len(body), body)
	if err != nil {
		return fmt.Errorf("a stored export: %w", err)
	}
	return nil
}

// deleteStartedJobs deletes the export jobs started since since, which
// stops those still running (the export job stops when its row is gone).
func deleteStartedJobs(ctx context.Context, conn *pgx.Conn, since time.Time) error {
	_, err := conn.Exec(ctx, `DELETE FROM export_jobs WHERE created_at >= $1`, since)
	return err
}
