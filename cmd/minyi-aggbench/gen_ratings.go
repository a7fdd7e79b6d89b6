package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// layout is what the rating statement needs to know of the generated
// units: each unit u (firstUnit ≤ u < firstUnit+units) has three service
// points (a hall, window 1, window 2: firstPoint + 3·(u−firstUnit) + k) and
// two terminals at the windows (firstTerminal + 2·(u−firstUnit) + k), a QR
// code of its own and one at its hall.
type layout struct {
	firstUnit, firstPoint, firstTerminal int64
	units                                int
	// outages are the spans during which Redis was down: ratings stored
	// then are not rate-checked (rate_checked false).
	outages [][2]time.Time
	// reviewedBefore: feedback items rated before it have had the
	// office's review (some are judged invalid, and excluded).
	reviewedBefore time.Time
}

// Texts of the generated messages, by what the level suggests; the
// reasons are the server's default RATING_REASONS.
var (
	negativeComments = []string{
		"排队等了一个多小时，窗口只开了两个。", "工作人员态度冷淡，问了几遍都不耐烦。", "材料要求前后说法不一致，跑了三趟。",
		"网上说能办，到了现场又说要先预约。", "系统一直卡，等了半天办不了。", "办事指南写得不清楚，不知道要带什么。",
		"中午窗口没人，等到下午才办。", "收费标准没有公示，不清楚为什么要交这笔钱。", "电话一直打不通，咨询不到。",
		"叫号系统乱，后来的人先办了。", "大厅空调坏了，很热。", "说好三个工作日办结，一周了还没消息。",
	}
	neutralComments = []string{
		"总体还行，就是等的时间有点长。", "希望能多开几个窗口。", "办事流程可以再简化一些。",
		"停车不太方便。", "工作人员挺好，就是系统太慢。",
	}
	positiveComments = []string{
		"工作人员很耐心，一次就办好了。", "效率很高，十分钟就办完了。", "服务态度好，点赞！",
		"帮我把材料都核对了一遍，很细心。", "不用跑腿，网上就办好了。", "窗口人员主动指导填表，谢谢。",
		"环境整洁，指引清楚。", "比以前方便多了。",
	}
	ratingReasons = []string{"办事效率低", "服务态度差", "多次跑动", "办事指南不清", "等候时间长", "收费不规范", "环境设施差", "其他"}
)

// generateSQL inserts, for each day $2[i], $3[i] ratings between 08:00 and
// 08:00 + $4[i] local time in the zone $1, of units $5 .. $5+$6-1 (the
// first units busier, as in a city), sorted by time. Levels are mostly
// satisfied (70 % 非常满意, 18 % 满意, 7 % 基本满意, 3 % 不满意, 2 %
// 非常不满意), with the points of the default LEVEL_POINTS. 70 % come from
// the unit's two terminals (at its two windows, with window and staff
// numbers), the rest through QR codes, 40 % of those the hall's. Levels
// 1–2 carry one or two reasons; messages come with 45 % of 非常不满意, 35 %
// of 不满意, 3 % of 基本满意 and 1.2 % of the others (about 3.4 % in all);
// 15 % of QR 差评 and 2 % of other QR ratings leave a phone number (only
// its mask is generated: phone_enc stays NULL, as no key is known here).
// Ratings during the outages $9 are not rate-checked. Excluded: 0.4 % as
// 疑似刷评, and of the feedback items (差评 or a message) rated before $10
// those the office judged invalid (6 %) and the 差评 whose unit's appeal
// was upheld (0.1 %); which ones is a function of the rating's id (see
// feedbackHash), so that the review generated afterwards finds them. The
// inner query draws each random value once (a subquery with volatile
// outputs is not flattened); OFFSET 0 keeps the outages parsed once.
var generateSQL = `
INSERT INTO ratings (id, rated_at, channel, unit_id, point_id, terminal_id, qr_code, level, points, reasons,
	comment, phone_mask, window_no, staff_no, rate_checked, excluded, exclude_reason, excluded_at)
SELECT x.id, x.at, x.channel, x.unit,
	CASE WHEN x.channel = 'terminal' THEN x.point0 + 1 + x.win WHEN x.via_point THEN x.point0 END,
	CASE WHEN x.channel = 'terminal' THEN $8::bigint + (x.unit - $5::bigint) * 2 + x.win END,
	CASE WHEN x.channel = 'qr' THEN CASE WHEN x.via_point THEN 'p' || lpad(x.point0::text, 15, '0')
		ELSE 'u' || lpad(x.unit::text, 15, '0') END END,
	x.level, (ARRAY[0, 30, 60, 80, 100])[x.level], x.reasons, x.comment,
	CASE WHEN x.channel = 'qr' AND x.r_phone < CASE WHEN x.level <= 2 THEN 0.15 ELSE 0.02 END
		THEN '1' || (ARRAY['38', '39', '58', '86', '37', '52', '88', '35'])[1 + floor(x.r_phone * 10000)::int % 8]
			|| '****' || lpad((floor(x.r_phone * 1e8)::bigint % 10000)::text, 4, '0') END,
	CASE WHEN x.channel = 'terminal' THEN (x.win + 1)::text END,
	CASE WHEN x.channel = 'terminal' THEN 'A' || lpad(((x.unit * 4 + x.win * 2 + floor(x.r_point * 2)::int) % 1000)::text, 3, '0') END,
	NOT (x.at <@ ANY (o.spans)),
	x.why IS NOT NULL, x.why, CASE WHEN x.why IS NOT NULL THEN x.at + interval '2 days' END
FROM (
	SELECT w.*, CASE
		WHEN w.queue AND w.at < $10 AND w.h < 40 THEN '核查无效：恶意评价'
		WHEN w.queue AND w.at < $10 AND w.h < ` + strconv.Itoa(hashInvalidBelow) + ` THEN '核查无效：误评'
		WHEN w.level <= 2 AND w.at < $10 AND w.h = ` + strconv.Itoa(hashValidBelow) + ` THEN '申诉成立：经调取监控核实为恶意评价'
		WHEN w.r_excluded < 0.004 THEN '疑似刷评' END AS why
	FROM (
		SELECT v.*, v.level <= 2 OR v.comment <> '' AS queue,
			CASE WHEN v.level <= 2 OR v.comment <> '' THEN ` + feedbackHash("v.id") + ` END AS h
		FROM (
			SELECT y.id, y.at, y.unit, y.level, y.channel, y.r_excluded, y.r_phone, y.r_point,
				$7::bigint + (y.unit - $5::bigint) * 3 AS point0, floor(y.r_win * 2)::int AS win, y.r_point < 0.4 AS via_point,
				CASE WHEN y.level > 2 THEN '{}'::text[]
					WHEN y.r_text < 0.3 THEN ARRAY[($14::text[])[1 + floor(y.r_reason * cardinality($14::text[]))::int],
						($14::text[])[1 + (floor(y.r_reason * cardinality($14::text[]))::int + 1) % cardinality($14::text[])]]
					ELSE ARRAY[($14::text[])[1 + floor(y.r_reason * cardinality($14::text[]))::int]] END AS reasons,
				CASE WHEN y.r_comment >= CASE y.level WHEN 1 THEN 0.45 WHEN 2 THEN 0.35 WHEN 3 THEN 0.03 ELSE 0.012 END THEN ''
					WHEN y.level <= 2 THEN ($11::text[])[1 + floor(y.r_text * cardinality($11::text[]))::int]
					WHEN y.level = 3 THEN ($12::text[])[1 + floor(y.r_text * cardinality($12::text[]))::int]
					ELSE ($13::text[])[1 + floor(y.r_text * cardinality($13::text[]))::int] END AS comment
			FROM (
				SELECT gen_random_uuid() AS id, (d.day::timestamp + interval '8 hours' + random() * d.span) AT TIME ZONE $1 AS at,
					$5::bigint + floor(power(random(), 1.6) * $6)::bigint AS unit,
					CASE WHEN g.r < 0.70 THEN 5 WHEN g.r < 0.88 THEN 4 WHEN g.r < 0.95 THEN 3 WHEN g.r < 0.98 THEN 2 ELSE 1 END AS level,
					CASE WHEN random() < 0.7 THEN 'terminal' ELSE 'qr' END AS channel,
					random() AS r_excluded, random() AS r_comment, random() AS r_text, random() AS r_reason,
					random() AS r_phone, random() AS r_point, random() AS r_win
				FROM unnest($2::date[], $3::int[], $4::interval[]) AS d(day, n, span)
				CROSS JOIN LATERAL (SELECT random() AS r FROM generate_series(1, d.n)) AS g
			) AS y
		) AS v
	) AS w
) AS x
CROSS JOIN (SELECT $9::text::tstzrange[] AS spans OFFSET 0) AS o
ORDER BY x.at`

// feedbackHash is a number 0..999 drawn from a rating id (a random UUID):
// the generator decides with it which feedback items the office judged
// invalid (< 60) or valid (60..199) and which 差评 the unit appealed
// (200..204), once in the rating statement and again when it generates the
// review, the cases and the appeals.
func feedbackHash(id string) string {
	return "(('x' || substr(" + id + "::text, 1, 7))::bit(28)::int % 1000)"
}

// Shares of the feedback items by feedbackHash.
const (
	hashInvalidBelow = 60  // judged invalid: excluded
	hashValidBelow   = 200 // judged valid: merged into a case per unit and month
	hashAppealBelow  = 205 // appealed by the unit; 200 upheld (excluded)
)

// outageRanges writes the outages as a tstzrange[] literal.
func outageRanges(spans [][2]time.Time) string {
	parts := make([]string, 0, len(spans))
	for _, s := range spans {
		parts = append(parts, fmt.Sprintf(`"[%s,%s)"`, s[0].UTC().Format(time.RFC3339), s[1].UTC().Format(time.RFC3339)))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// fillChunk runs generateSQL for one chunk of days.
func fillChunk(ctx context.Context, pool *pgxpool.Pool, o options, c chunk, lay layout) error {
	_, err := pool.Exec(ctx, generateSQL, o.tz, c.days, c.counts, c.spans, lay.firstUnit, lay.units,
		lay.firstPoint, lay.firstTerminal, outageRanges(lay.outages), lay.reviewedBefore,
		negativeComments, neutralComments, positiveComments, ratingReasons)
	return err
}

// unitsSQL makes the units with their QR codes, service points (a hall and
// two windows, the hall with a QR code of its own) and two terminals at
// the windows, all numbered in order so that layout can address them.
var unitsSQL = []string{
	`INSERT INTO units (name, short_code, category)
	SELECT '单位' || g, 'U' || g, (ARRAY['社会服务类', '经济发展类', '党政综合类', '执法监督类'])[1 + g % 4]
	FROM generate_series(1, $1::int) AS g ORDER BY g`,
	`INSERT INTO service_points (unit_id, name, kind)
	SELECT u.id, (ARRAY['政务服务大厅', '1号窗口', '2号窗口'])[k], CASE WHEN k = 1 THEN 'hall' ELSE 'window' END
	FROM units u CROSS JOIN generate_series(1, 3) AS k ORDER BY u.id, k`,
	`INSERT INTO terminals (unit_id, point_id, name, token_hash, token_hint)
	SELECT p.unit_id, p.id, p.name || '评价器', sha256(convert_to('bench-terminal-' || p.id, 'UTF8')), 'mt_bench…'
	FROM service_points p WHERE p.kind = 'window' ORDER BY p.unit_id, p.id`,
	`INSERT INTO qr_codes (code, unit_id) SELECT 'u' || lpad(id::text, 15, '0'), id FROM units`,
	`INSERT INTO qr_codes (code, unit_id, point_id)
	SELECT 'p' || lpad(id::text, 15, '0'), unit_id, id FROM service_points WHERE kind = 'hall'`,
}

// readLayout finds the generated units, points and terminals, and checks
// that they are numbered as layout assumes.
func readLayout(ctx context.Context, pool *pgxpool.Pool, units int) (layout, error) {
	lay := layout{units: units}
	var nu, np, nt, maxU, maxP, maxT int64
	err := pool.QueryRow(ctx, `SELECT
		(SELECT min(id) FROM units WHERE name ~ '^单位[0-9]+$'), (SELECT max(id) FROM units WHERE name ~ '^单位[0-9]+$'),
		(SELECT count(*) FROM units WHERE name ~ '^单位[0-9]+$'),
		(SELECT min(id) FROM service_points), (SELECT max(id) FROM service_points WHERE unit_id <= (SELECT max(id) FROM units WHERE name ~ '^单位[0-9]+$')),
		(SELECT count(*) FROM service_points WHERE unit_id <= (SELECT max(id) FROM units WHERE name ~ '^单位[0-9]+$')),
		(SELECT min(id) FROM terminals), (SELECT max(id) FROM terminals WHERE name LIKE '%窗口评价器'),
		(SELECT count(*) FROM terminals WHERE name LIKE '%窗口评价器')`).
		Scan(&lay.firstUnit, &maxU, &nu, &lay.firstPoint, &maxP, &np, &lay.firstTerminal, &maxT, &nt)
	if err != nil {
		return lay, fmt.Errorf("reading the generated units: %w", err)
	}
	if nu != int64(units) || maxU-lay.firstUnit+1 != nu || np != 3*nu || maxP-lay.firstPoint+1 != np ||
		nt != 2*nu || maxT-lay.firstTerminal+1 != nt {
		return lay, fmt.Errorf("the generated units, points and terminals are not numbered in order (%d units, %d points, %d terminals): generate again", nu, np, nt)
	}
	return lay, nil
}
