package feedback

import (
	"strconv"
	"strings"
	"time"

	"minyi/internal/ratings"
)

// The review queue at province scale (issue 12). The queue is every 差评
// and message of the period (a few per cent of the ratings: a million over
// 90 days of a province) and every survey opinion. Its pages are read by
// key, like the rating feed: each branch of the union walks its index
// (ratings_feedback and ratings_unit_feedback, whose last key, the level,
// serves "level 1" without a visit of other rows; survey_responses_opinion
// and survey_responses_unit_opinion; migrations 0014, 0022–0025) backwards
// from the cursor and stops after the page, and the
// review status is tested there, per item, against feedback_reviews'
// primary key — not after the union, where a filter would make Postgres
// read the whole period before it could stop. Totals are capped and
// budgeted (db.CountCapped).

// ratingItemColumns and responseItemColumns are one queue item each;
// itemColumns reads them with the unit and the review.
const (
	ratingItemColumns = `'rating' AS kind, r.id, r.unit_id, r.rated_at AS at, r.channel, r.level::int AS level,
	r.reasons, r.comment AS text, r.phone_enc IS NOT NULL AS real_name, r.excluded, r.held`
	responseItemColumns = `'response', sr.id, sr.unit_id, sr.submitted_on::timestamp AT TIME ZONE $1, 'survey',
	sr.level::int, '{}'::text[], sr.opinion, false, sr.excluded, false`
	itemColumns = `SELECT i.kind, i.id::text AS id, i.unit_id, u.name AS unit_name, i.at, i.channel, i.level,
	i.reasons, i.text, i.real_name, i.excluded, i.held, fr.verdict, fr.reason, coalesce(fr.note, '') AS note,
	fr.case_id, du.username AS decided_by, fr.decided_at, coalesce(fr.version, 0) AS version, coalesce(fr.auto, false) AS auto`
	itemJoins = ` JOIN units u ON u.id = i.unit_id
LEFT JOIN feedback_reviews fr ON fr.source_kind = i.kind AND fr.source_id = i.id::text
LEFT JOIN users du ON du.id = fr.decided_by`
)

// ratingItems selects the queue's ratings of the period $2..$3 with the
// extra conditions conds (" AND ...").
func ratingItems(cols, conds string) string {
	return `SELECT ` + cols + `
	FROM ratings r LEFT JOIN rating_holds h ON h.rating_id = r.id AND h.rated_at = r.rated_at
	WHERE r.rated_at >= $2 AND r.rated_at < $3 AND (r.level <= 2 OR r.comment <> '')` + conds
}

// decidedRatingItems is ratingItems for the ratings with a verdict, read
// from their reviews: the office decides the older items and leaves the
// newest pending, so a walk down the ratings would read every pending
// item before the first decided one. Each review finds its rating with
// one probe of its partition's primary key: the lateral subquery (kept
// apart by OFFSET 0) makes that the plan, where a join let Postgres hash
// every rating of the period (minutes over a province's year).
func decidedRatingItems(cols, conds string) string {
	return `SELECT ` + cols + `
	FROM feedback_reviews v CROSS JOIN LATERAL (SELECT * FROM ratings r0 WHERE r0.id = v.source_id::uuid
		AND r0.rated_at = v.rated_at AND r0.rated_at >= $2 AND r0.rated_at < $3 OFFSET 0) r
	LEFT JOIN rating_holds h ON h.rating_id = r.id AND h.rated_at = r.rated_at
	WHERE v.source_kind = 'rating' AND v.verdict IS NOT NULL AND v.rated_at >= $2 AND v.rated_at < $3
		AND (r.level <= 2 OR r.comment <> '')` + conds
}

// responseItems selects the survey opinions of the local days of $2..$3
// in time zone $1 with the extra conditions conds.
func responseItems(cols, conds string) string {
	return `SELECT ` + cols + `
	FROM survey_responses sr
	WHERE sr.opinion <> '' AND sr.submitted_on BETWEEN ($2::timestamptz AT TIME ZONE $1)::date
		AND ($3::timestamptz AT TIME ZONE $1)::date
		AND sr.submitted_on::timestamp AT TIME ZONE $1 >= $2 AND sr.submitted_on::timestamp AT TIME ZONE $1 < $3` + conds
}

// itemsSQL is the items of both kinds with the unit and the review; ratings
// is ratingItems or decidedRatingItems, rc and sc are the branches' extra
// conditions, rtail and stail what follows each branch (its order and
// limit).
func itemsSQL(ratings func(cols, conds string) string, rc, sc, rtail, stail string) string {
	return itemColumns + ` FROM ((` + ratings(ratingItemColumns, rc) + rtail + `)
	UNION ALL (` + responseItems(responseItemColumns, sc) + stail + `)) i` + itemJoins
}

// notHeldOut leaves out of the queue the ratings the daily cap held that
// are still excluded: awaiting their group's decision or not counted.
// Over all units it reads rating_holds through the branch's left join (h),
// which lets Postgres walk the queue's index and stop early. For one unit
// (oneUnit) rating_holds is probed only for an excluded rating (a few in
// a thousand; OFFSET 0 keeps the probe from being hashed) and the unused
// join is dropped by the planner: the join made Postgres hash the whole
// table before the unit's first item, which held back the total's count
// (db.CountCapped) until the hash was built. Over all units that form
// turned the count into bitmap scans that statement_timeout cannot cut
// before a month's bitmap is built (hundreds of milliseconds).
func notHeldOut(oneUnit bool) string {
	if oneUnit {
		return `NOT r.held AND (NOT r.excluded OR NOT EXISTS (SELECT FROM rating_holds h1
	WHERE h1.rating_id = r.id AND h1.rated_at = r.rated_at OFFSET 0))`
	}
	return `NOT r.held AND (NOT r.excluded OR h.rating_id IS NULL)`
}

// reviewed is the condition that the item (kind, its id) has a verdict.
func reviewed(kind, id string) string {
	return `EXISTS (SELECT FROM feedback_reviews v WHERE v.source_kind = '` + kind + `' AND v.source_id = ` +
		id + `::text AND v.verdict IS NOT NULL)`
}

// queueSQL is f's page (Limit+1 items, one more tells whether another page
// follows, in the order of the walk), or with page false the rows to count.
func queueSQL(loc *time.Location, f Filter, page bool) (string, []any) {
	args := []any{loc.String(), f.From, f.To}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	// Ratings the daily cap held are decided in their groups (HoldGroups),
	// so that thousands from one address are not thousands of items; a
	// group counted joins the queue, one kept out stays out of it.
	rc := []string{notHeldOut(f.UnitID != nil)}
	var sc []string
	// The ratings' walk: down a partial index of the ratings, or of the
	// reviews for the decided ones (the same time: the rating's).
	from, at, unit := ratingItems, "r.rated_at", "r.unit_id"
	if f.Status == "decided" {
		from, at, unit = decidedRatingItems, "v.rated_at", "v.unit_id"
	}
	if f.UnitID != nil {
		p := arg(*f.UnitID)
		rc, sc = append(rc, unit+" = "+p), append(sc, "sr.unit_id = "+p)
	}
	if f.Level != 0 {
		// Written into the statement so that the planner sees it.
		l := strconv.Itoa(f.Level)
		rc, sc = append(rc, "r.level = "+l), append(sc, "sr.level = "+l)
	}
	switch f.Tone { // written into the statement, as the level is
	case ToneComplaint:
		rc, sc = append(rc, "r.level <= 3"), append(sc, "sr.level <= 3")
	case TonePraise:
		rc, sc = append(rc, "r.level >= 4"), append(sc, "sr.level >= 4")
	}
	switch {
	case f.Source == KindResponse || f.Channel == ChannelSurvey:
		rc = append(rc, "false")
	case f.Source == KindRating:
		sc = append(sc, "false")
	}
	if f.Channel == ratings.ChannelQR || f.Channel == ratings.ChannelTerminal {
		rc, sc = append(rc, "r.channel = "+arg(f.Channel)), append(sc, "false")
	}
	if !f.Q.IsZero() {
		rc = append(rc, f.Q.RatingCond("r", f.UnitID, arg))
		if !f.probe { // the probe has no survey branch to take the arguments
			sc = append(sc, f.Q.Cond("sr.opinion", arg))
		}
	}
	if f.floor != nil {
		rc = append(rc, at+" >= "+arg(*f.floor))
	}
	switch f.Status {
	case "pending":
		rc, sc = append(rc, "NOT "+reviewed(KindRating, "r.id")), append(sc, "NOT "+reviewed(KindResponse, "sr.id"))
	case "decided":
		sc = append(sc, reviewed(KindResponse, "sr.id"))
	}
	and := func(c []string) string {
		if len(c) == 0 {
			return ""
		}
		return " AND " + strings.Join(c, " AND ")
	}
	if f.probe {
		// Floor's probe: the ratings of the window, up to the page's
		// rows (the cursor is the probe's top; see queueFloor).
		c := f.Older
		if c != nil {
			t, id := arg(c.RatedAt), arg(c.ID)
			rc = append(rc, at+" <= "+t+" AND ("+at+", r.id) < ("+t+", "+id+")")
		}
		// $1, the zone, is the survey branch's: typed here for Postgres.
		return `SELECT count(*) FROM (` + from("", and(rc)) + ` LIMIT ` + arg(f.Limit+f.Offset+1) + `) AS x
	WHERE $1::text IS NOT NULL`, args
	}
	if !page && f.tally {
		return `SELECT i.unit_id, count(*) FILTER (WHERE i.kind = 'rating')::bigint AS ratings,
		count(*) FILTER (WHERE i.kind = 'response')::bigint AS opinions, min(i.at) AS oldest
	FROM ((` + from(`'rating' AS kind, `+unit+` AS unit_id, `+at+` AS at`, and(rc)) + `) UNION ALL (` +
			responseItems(`'response', sr.unit_id, sr.submitted_on::timestamp AT TIME ZONE $1`, and(sc)) + `)) i
	GROUP BY i.unit_id`, args
	}
	if !page {
		return `SELECT FROM ((` + from("", and(rc)) + `) UNION ALL (` + responseItems("", and(sc)) + `)) i`, args
	}
	// The cursor: the row comparison walks the index from it; the plain
	// bound on the time (the day) lets partitions (index pages) be skipped.
	dir, cmp, bound := "DESC", "<", "<="
	c := f.Older
	if f.Newer != nil {
		dir, cmp, bound, c = "ASC", ">", ">=", f.Newer
	}
	if c != nil {
		t, id := arg(c.RatedAt), arg(c.ID)
		rc = append(rc, at+" "+bound+" "+t+" AND ("+at+", r.id) "+cmp+" ("+t+", "+id+")")
		sc = append(sc, "sr.submitted_on "+bound+" ("+t+"::timestamptz AT TIME ZONE $1)::date AND "+
			"(sr.submitted_on::timestamp AT TIME ZONE $1, sr.id) "+cmp+" ("+t+", "+id+")")
	}
	n := arg(f.Limit + f.Offset + 1)
	rtail := " ORDER BY " + at + " " + dir + ", r.id " + dir + " LIMIT " + n
	stail := " ORDER BY sr.submitted_on " + dir + ", sr.id " + dir + " LIMIT " + n
	sql := itemsSQL(from, and(rc), and(sc), rtail, stail) + " ORDER BY i.at " + dir + ", i.id " + dir +
		" LIMIT " + arg(f.Limit+1) + " OFFSET " + arg(f.Offset)
	return sql, args
}
