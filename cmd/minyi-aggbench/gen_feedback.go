package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/db"
	"minyi/internal/ratings"
)

// The console's other lists at province scale, generated from the ratings
// once they are in: groups of QR ratings the daily cap held (two a day),
// the office's review of the feedback items rated before the review
// cut-off (layout.reviewedBefore; invalid verdicts, and valid ones merged
// into one rectification case per unit and month, with the case's
// timeline and call-backs), units' appeals against 差评, and suspicious-
// pattern flags (one a day). Each step is one statement with the time
// zone @tz, the review cut-off @cutoff, the first day @first and today
// @today (local dates); they are sent with the simple protocol, which
// allows parameters in CREATE TABLE AS.
var feedbackSteps = []struct{ name, sql string }{
	{"held ratings (daily cap), two groups a day", `
	WITH pairs AS (
		SELECT d::date AS day, (SELECT min(id) FROM units) + floor(power(random(), 2) * (SELECT count(*) FROM units WHERE name ~ '^单位[0-9]+$'))::bigint AS unit_id,
			random() AS r
		FROM generate_series(@first::date, @today::date - 1, interval '1 day') AS d CROSS JOIN generate_series(1, 2)
	), picked AS (
		-- Each pair reads its own unit's day down (unit_id, rated_at): as a
		-- plain join over five years the planner sorted the ratings and
		-- spilled more than 13 GB to temporary files.
		SELECT r.id, r.rated_at, p.unit_id, p.day, p.r, r.k
		FROM pairs p CROSS JOIN LATERAL (
			SELECT r.id, r.rated_at, row_number() OVER (ORDER BY r.rated_at) AS k FROM ratings r
			WHERE r.unit_id = p.unit_id AND r.channel = 'qr' AND NOT r.excluded
				AND r.rated_at >= (p.day::timestamp AT TIME ZONE @tz) AND r.rated_at < ((p.day + 1)::timestamp AT TIME ZONE @tz)) AS r
	), up AS (
		UPDATE ratings r SET
			held = p.day >= @today::date - 14,
			excluded = p.day >= @today::date - 14 OR p.r < 0.3,
			exclude_reason = CASE WHEN p.day >= @today::date - 14 THEN '` + ratings.HeldReasonAddress + `'
				WHEN p.r < 0.3 THEN '超出每日上限，核查后不计入：同一地址集中评价' END,
			excluded_at = CASE WHEN p.day >= @today::date - 14 OR p.r < 0.3 THEN r.rated_at END
		FROM picked p WHERE p.k > 20 AND r.id = p.id AND r.rated_at = p.rated_at
		RETURNING r.id, r.rated_at, p.unit_id, p.day, r.level, r.held, r.excluded
	)
	INSERT INTO rating_holds (rating_id, rated_at, unit_id, day, source, label, daily_cap, level, held, excluded)
	SELECT id, rated_at, unit_id, day, decode(md5(unit_id::text || day::text), 'hex'),
		'203.0.113.' || (1 + abs(hashtext(unit_id::text || day::text)) % 250), 20, level, held, excluded FROM up`},

	{"review verdicts: invalid", `
	INSERT INTO feedback_reviews (source_kind, source_id, unit_id, verdict, reason, note, decided_at, rated_at)
	SELECT 'rating', r.id::text, r.unit_id, 'invalid',
		CASE WHEN r.exclude_reason = '核查无效：误评' THEN 'mistaken' ELSE 'malicious' END, '', r.rated_at + interval '3 days',
		r.rated_at
	FROM ratings r
	WHERE (r.level <= 2 OR r.comment <> '') AND r.rated_at < @cutoff
		AND (r.exclude_reason LIKE '核查无效：%' OR r.exclude_reason LIKE '申诉成立：%')`},

	{"review verdicts: valid items", `
	CREATE TEMP TABLE valid_items ON COMMIT DROP AS
	SELECT r.id, r.rated_at, r.unit_id, r.level, r.reasons, r.comment, r.phone_mask IS NOT NULL AS phone,
		date_trunc('month', r.rated_at AT TIME ZONE @tz)::date AS month
	FROM ratings r
	WHERE (r.level <= 2 OR r.comment <> '') AND r.rated_at < @cutoff AND NOT r.excluded AND NOT r.held
		AND ` + feedbackHash("r.id") + ` >= ` + strconv.Itoa(hashInvalidBelow) + `
		AND ` + feedbackHash("r.id") + ` < ` + strconv.Itoa(hashValidBelow)},

	{"rectification cases, one per unit and month", `
	CREATE TEMP TABLE case_map ON COMMIT DROP AS
	WITH g AS (
		SELECT unit_id, month, (array_agg(id::text ORDER BY rated_at))[1] AS first_id, count(*) AS n,
			bool_or(phone) AS real_name, max(rated_at) + interval '2 days' AS sent_at,
			mode() WITHIN GROUP (ORDER BY coalesce(reasons[1], '留言反映的问题')) AS reason, random() AS r
		FROM valid_items GROUP BY unit_id, month
	), s AS (
		SELECT g.*, (g.sent_at AT TIME ZONE @tz)::date AS sent_on, now() - g.sent_at AS age,
			CASE WHEN now() - g.sent_at > interval '90 days' THEN CASE WHEN g.r < 0.95 THEN 'closed' ELSE 'done_reported' END
				WHEN now() - g.sent_at > interval '30 days' THEN CASE WHEN g.r < 0.5 THEN 'closed' WHEN g.r < 0.8 THEN 'done_reported' ELSE 'answered' END
				ELSE CASE WHEN g.r < 0.3 THEN 'sent' WHEN g.r < 0.85 THEN 'answered' ELSE 'returned' END END AS status
		FROM g
	), ins AS (
		INSERT INTO rectification_cases (unit_id, source_kind, source_id, problem, status, real_name, created_at,
			source_group, sent_on, answer_due, callback_due, answered_at, explanation, responsible, measures, outcome,
			fix_due, done_at, done_note, closed_at, return_reason, version, updated_at)
		SELECT unit_id, 'rating', first_id, to_char(month, 'YYYY年MM月') || '群众反映“' || reason || '”等问题（' || n || '条）',
			status, real_name, sent_at, 'feedback', sent_on, sent_on + 21, CASE WHEN real_name THEN sent_on + 1 END,
			CASE WHEN status <> 'sent' THEN sent_at + interval '5 days' END,
			CASE WHEN status <> 'sent' THEN '经核实，反映的问题属实，已约谈相关窗口负责人。' ELSE '' END,
			CASE WHEN status <> 'sent' THEN '办公室主任' ELSE '' END,
			CASE WHEN status <> 'sent' THEN '增开高峰时段窗口，完善一次性告知清单，加强窗口人员培训。' ELSE '' END,
			CASE WHEN status <> 'sent' THEN '群众等候时间明显缩短，同类问题不再发生。' ELSE '' END,
			CASE WHEN status <> 'sent' THEN sent_on + 30 END,
			CASE WHEN status IN ('done_reported', 'closed') THEN sent_at + interval '20 days' END,
			CASE WHEN status IN ('done_reported', 'closed') THEN '整改措施已落实，附整改前后对比材料。' ELSE '' END,
			CASE WHEN status = 'closed' THEN sent_at + interval '25 days' END,
			CASE WHEN status = 'returned' THEN '整改措施不具体，请补充时间安排。' ELSE '' END,
			CASE status WHEN 'sent' THEN 1 WHEN 'answered' THEN 3 WHEN 'returned' THEN 3 WHEN 'done_reported' THEN 4 ELSE 5 END,
			sent_at + interval '25 days'
		FROM s
		RETURNING id, source_id, status, real_name, created_at, answered_at, done_at, closed_at
	)
	SELECT ins.*, g.unit_id, g.month FROM ins JOIN g ON g.first_id = ins.source_id`},

	{"case sources and valid verdicts", `
	WITH src AS (
		INSERT INTO case_sources (case_id, source_kind, source_id)
		SELECT m.id, 'rating', v.id::text FROM valid_items v JOIN case_map m USING (unit_id, month)
		RETURNING case_id, source_id
	)
	INSERT INTO feedback_reviews (source_kind, source_id, unit_id, verdict, case_id, decided_at, rated_at)
	SELECT 'rating', src.source_id, m.unit_id, 'valid', m.id, m.created_at, v.rated_at
	FROM src JOIN case_map m ON m.id = src.case_id JOIN valid_items v ON v.id::text = src.source_id`},

	{"the reasons of the ratings cases were opened on", `
	UPDATE rectification_cases c SET source_reasons = v.reasons
	FROM case_map m JOIN valid_items v ON v.id::text = m.source_id
	WHERE c.id = m.id`},

	{"case timelines", `
	INSERT INTO case_updates (case_id, kind, body, created_at)
	SELECT id, 'answer', '情况说明：经核实，反映的问题属实。整改措施：增开高峰时段窗口。', answered_at FROM case_map WHERE answered_at IS NOT NULL
	UNION ALL
	SELECT id, 'progress', '已完成窗口人员培训，正在调整排班。', answered_at + interval '7 days' FROM case_map
		WHERE answered_at IS NOT NULL AND id % 2 = 0
	UNION ALL
	SELECT id, 'done', '整改措施已落实，附整改前后对比材料。', done_at FROM case_map WHERE done_at IS NOT NULL
	UNION ALL
	SELECT id, 'closed', '', closed_at FROM case_map WHERE closed_at IS NOT NULL
	UNION ALL
	SELECT id, 'returned', '整改措施不具体，请补充时间安排。', answered_at + interval '3 days' FROM case_map WHERE status = 'returned'`},

	{"call-backs of real-name cases", `
	INSERT INTO case_callbacks (case_id, caller_name, called_at, said, outcome, created_at)
	SELECT id, '回访专员', t, CASE WHEN k = 1 AND id % 5 = 0 THEN '' ELSE '群众表示问题已解决，对整改结果满意。' END,
		CASE WHEN k = 1 AND id % 5 = 0 THEN 'unreachable' WHEN id % 7 = 0 THEN 'unsatisfied' ELSE 'satisfied' END, t
	FROM case_map CROSS JOIN LATERAL generate_series(1, CASE WHEN id % 5 = 0 THEN 2 ELSE 1 END) AS k
		CROSS JOIN LATERAL (SELECT created_at + interval '1 day' * k AS t) AS c
	WHERE real_name AND status IN ('done_reported', 'closed')`},

	{"the cases' latest call-back", `
	UPDATE rectification_cases c SET last_called_at = m.at
	FROM (SELECT case_id, max(called_at) AS at FROM case_callbacks GROUP BY case_id) m
	WHERE c.id = m.case_id`},

	{"appeals against 差评", `
	INSERT INTO feedback_appeals (rating_id, unit_id, grounds, status, decision_reason, filed_at, decided_at)
	SELECT r.id, r.unit_id, '该评价人当天并未到窗口办理业务，疑似恶意评价。',
		CASE WHEN r.rated_at >= @cutoff THEN 'open' WHEN h = ` + strconv.Itoa(hashValidBelow) + ` THEN 'upheld' ELSE 'rejected' END,
		CASE WHEN r.rated_at >= @cutoff THEN '' WHEN h = ` + strconv.Itoa(hashValidBelow) + ` THEN '经调取监控核实为恶意评价' ELSE '经核实，评价人确在窗口办理业务，申诉不成立。' END,
		r.rated_at + interval '2 days', CASE WHEN r.rated_at < @cutoff THEN r.rated_at + interval '7 days' END
	FROM (SELECT r.*, ` + feedbackHash("r.id") + ` AS h FROM ratings r
		WHERE r.level <= 2 AND NOT r.held AND (NOT r.excluded OR r.exclude_reason LIKE '申诉成立：%')) AS r
	WHERE r.h >= ` + strconv.Itoa(hashValidBelow) + ` AND r.h < ` + strconv.Itoa(hashAppealBelow)},

	{"suspicious-pattern flags, one a day", `
	INSERT INTO feedback_flags (kind, unit_id, subject, window_start, window_end, rating_ids, detail, status, note,
		decided_at, created_at)
	SELECT p.kind, p.unit_id, decode(md5(p.kind || p.unit_id || p.day), 'hex'), p.ws, p.ws + interval '1 hour', ids.ids,
		jsonb_build_object('count', cardinality(ids.ids)),
		CASE WHEN p.day >= @today::date - 14 THEN 'open' ELSE 'dismissed' END,
		CASE WHEN p.day >= @today::date - 14 THEN '' ELSE '当天举办便民活动，评价集中属正常。' END,
		CASE WHEN p.day < @today::date - 14 THEN p.ws + interval '3 days' END, p.ws + interval '1 hour'
	FROM (
		SELECT d::date AS day, (ARRAY['burst_address', 'burst_device', 'top_run'])[1 + floor(random() * 3)::int] AS kind,
			(SELECT min(id) FROM units) + floor(power(random(), 2) * (SELECT count(*) FROM units WHERE name ~ '^单位[0-9]+$'))::bigint AS unit_id,
			(d::date + time '10:00') AT TIME ZONE @tz AS ws
		FROM generate_series(@first::date, @today::date - 1, interval '1 day') AS d
	) AS p
	CROSS JOIN LATERAL (SELECT array_agg(r.id) AS ids FROM (SELECT id FROM ratings WHERE unit_id = p.unit_id
		AND rated_at >= p.ws AND rated_at < p.ws + interval '1 hour' ORDER BY rated_at LIMIT 30) AS r) AS ids
	WHERE ids.ids IS NOT NULL`},
}

// auditPerDay is how many audit entries the generator writes a day: the
// office's and the units' changes of a large deployment, about 1.8 million
// over five years, so the audit log's filters and paging are timed at a
// meaningful size.
const auditPerDay = 1000

// auditSQL writes auditPerDay entries for each day of @first..@today − 1.
var auditSQL = `
	INSERT INTO audit_log (at, actor_id, actor, action, entity, entity_id, before, after)
	SELECT (d::date + time '08:30') AT TIME ZONE @tz + make_interval(secs => (g * 29) % 36000),
		a.uid, CASE WHEN a.uid IS NULL THEN 'system' ELSE 'u' || a.uid END, k.action, k.entity, u.id::text,
		CASE WHEN k.before THEN jsonb_build_object('name', '单位' || u.id, 'status', 'submitted', 'note', '') END,
		jsonb_build_object('name', '单位' || u.id, 'status', 'approved', 'note', '第 ' || g || ' 次修改')
	FROM generate_series(@first::date, @today::date - 1, interval '1 day') AS d
	CROSS JOIN generate_series(1, ` + strconv.Itoa(auditPerDay) + `) AS g
	CROSS JOIN LATERAL (SELECT (SELECT min(id) FROM units) + (g * 7919 + extract(doy FROM d)::int) % (SELECT count(*) FROM units) AS id) AS u
	CROSS JOIN LATERAL (SELECT CASE WHEN g % 10 = 0 THEN NULL ELSE 1 + (g * 104729) % ((SELECT count(*) FROM units) + 1) END AS uid) AS a
	CROSS JOIN LATERAL (SELECT (ARRAY['unit.update', 'assessment.entry', 'target_report.save', 'case.answer', 'rating.exclude',
			'feedback.valid', 'target_sheet.save', 'case.progress'])[1 + g % 8] AS action,
		(ARRAY['unit', 'assessment_entry', 'target_sheet', 'rectification_case', 'rating',
			'feedback_rating', 'target_sheet', 'rectification_case'])[1 + g % 8] AS entity,
		g % 8 IN (0, 6) AS before) AS k`

func init() {
	feedbackSteps = append(feedbackSteps, struct{ name, sql string }{"audit log", auditSQL})
}

// generateFeedback runs feedbackSteps in one transaction.
func generateFeedback(ctx context.Context, pool *pgxpool.Pool, o options, lay layout, first, today time.Time, start time.Time, out io.Writer) error {
	return db.Tx(ctx, pool, func(tx pgx.Tx) error {
		for _, s := range feedbackSteps {
			tag, err := tx.Exec(ctx, s.sql, pgx.QueryExecModeSimpleProtocol, pgx.NamedArgs{
				"tz": o.tz, "cutoff": lay.reviewedBefore, "first": first, "today": today})
			if err != nil {
				return fmt.Errorf("generating %s: %w", s.name, err)
			}
			fmt.Fprintf(out, "   %-50s %9d rows (%s)\n", s.name, tag.RowsAffected(), time.Since(start).Round(time.Second))
		}
		return nil
	})
}
