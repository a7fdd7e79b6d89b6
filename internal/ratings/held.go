package ratings

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// The daily cap on counted QR ratings (issue 9).
//
// The once-a-day rule keys on what a client controls (its cookie, its user
// agent, its phone number), so one address sending a new user agent each
// time could have every rating counted. A QR rating therefore also counts
// against a daily cap of its source: its address (an IPv6 /64 is one
// address), or the hall network the office registered that the address
// lies in, which has a cap of its own. Per unit and local day, ratings
// number 1 to cap of a source count; later ones are stored but held: they
// are stored excluded, so everything that counts NOT excluded (the daily
// aggregate, the score, the statistics) leaves them out, marked held and
// listed in rating_holds with their group (unit, day, source), until the
// office counts the group (DecideHoldGroup restores them, marking their
// minutes dirty as Restore does, so the aggregate stays exact) or decides
// it does not count.
//
// The writer keeps the counters in rating_cap_counts in the statement that
// stores the ratings: it counts the stored ratings of each (unit, day,
// source) in the batch, adds them to the counter with an upsert whose
// RETURNING gives the new total, and holds the ratings whose position in
// the day (the total before the batch plus their position in the batch)
// lies beyond the cap. The upsert locks the counter row until commit, so a
// concurrent batch from another flusher or instance adds to the committed
// total and neither overshoots; only ratings that are stored count, so a
// re-sent form (a duplicate client id) or a refused one adds nothing, and a
// statement that fails leaves the counter as it was. Postgres keeps it all,
// so the cap holds when Redis is down.

// DailyCap is the cap a QR rating counts against. A zero Limit means none.
type DailyCap struct {
	// Source keys the counter: a keyed hash of the address, or "net:" and
	// the id of a registered network.
	Source []byte
	// Limit is how many of the source's ratings the unit counts a day.
	Limit int
	// Label is what the office is shown of the source: the address, the
	// IPv6 /64 or the network's range. It is stored only with held ratings.
	Label string
	// NetworkID is the registered network's id, or 0.
	NetworkID int64
}

// Reasons a held rating shows until the office decides.
const (
	HeldReasonAddress = "超出同一地址每日上限，待核查"
	HeldReasonNetwork = "超出登记网络每日上限，待核查"
)

// The daily caps of a batch arrive as ten parameters (see capArgs): the
// groups of the batch, one per unit, day and source, sorted, with their
// number of ratings ($p to $p+3), and per capped rating its id, its
// group's position in that list, its position within its group in batch
// order, its cap, label and network ($p+4 to $p+9).
const capGroups = `unnest($%[1]d::bigint[], $%[2]d::date[], $%[3]d::bytea[], $%[4]d::int[]) WITH ORDINALITY
		AS g(unit_id, day, source, n, ord)`

const capRatings = `unnest($%[5]d::uuid[], $%[6]d::int[], $%[7]d::int[], $%[8]d::int[], $%[9]d::text[], $%[10]d::bigint[])
		AS c(id, grp, k, cap, label, network)`

// capHolds records the ratings in held, which src holds with their time
// and level, in rating_holds (held and excluded, as insertRatings stores
// them).
const capHolds = `, holds AS (
	INSERT INTO rating_holds (rating_id, rated_at, unit_id, day, source, label, network_id, daily_cap, level, held, excluded)
	SELECT h.id, l.rated_at, h.unit_id, h.day, h.source, h.label, h.network_id, h.cap, l.level, true, true
	FROM held h JOIN %[11]s l ON l.id = h.id
)`

// fastCapCTE counts a batch the fast statement stores whole against the
// daily caps: the groups' counts, worked out by capArgs, are added to their
// counters, and a rating is held when the count before the batch plus its
// position in its group exceeds its cap. It defines held, the ratings
// beyond their cap, and records them in rating_holds; src is live.
func fastCapCTE(src string, p int) string {
	return fmt.Sprintf(`, capn AS (
	INSERT INTO rating_cap_counts AS x (unit_id, day, source, n)
	SELECT g.unit_id, g.day, g.source, g.n FROM `+capGroups+`
	ON CONFLICT (unit_id, day, source) DO UPDATE SET n = x.n + EXCLUDED.n
	RETURNING x.unit_id, x.day, x.source, x.n
), capg AS (
	SELECT g.ord, g.unit_id, g.day, g.source, t.n - g.n AS before FROM `+capGroups+`
	JOIN capn t ON t.unit_id = g.unit_id AND t.day = g.day AND t.source = g.source
), held AS (
	SELECT c.id, g.unit_id, g.day, g.source, c.cap, c.label, nullif(c.network, 0) AS network_id
	FROM `+capRatings+` JOIN capg g ON g.ord = c.grp
	WHERE g.before + c.k > c.cap
)`+capHolds, p, p+1, p+2, p+3, p+4, p+5, p+6, p+7, p+8, p+9, src)
}

// capCTE is fastCapCTE for insertSQL, which stores only the ratings in src
// (ok) that claimed all their keys: it counts those, so that a duplicate or
// a refused rating counts nothing.
func capCTE(src string, p int) string {
	return fmt.Sprintf(`, capin AS (
	SELECT c.id, g.unit_id, g.day, g.source, c.cap, c.label, nullif(c.network, 0) AS network_id,
		row_number() OVER (PARTITION BY c.grp ORDER BY s.ord) AS k, count(*) OVER (PARTITION BY c.grp) AS n
	FROM `+capRatings+` JOIN `+capGroups+` ON g.ord = c.grp JOIN %[11]s s ON s.id = c.id
), capn AS (
	INSERT INTO rating_cap_counts AS x (unit_id, day, source, n)
	SELECT unit_id, day, source, max(n) FROM capin GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
	ON CONFLICT (unit_id, day, source) DO UPDATE SET n = x.n + EXCLUDED.n
	RETURNING x.unit_id, x.day, x.source, x.n
), held AS (
	SELECT i.id, i.unit_id, i.day, i.source, i.cap, i.label, i.network_id
	FROM capin i JOIN capn t ON t.unit_id = i.unit_id AND t.day = i.day AND t.source = i.source
	WHERE t.n - i.n + i.k > i.cap
)`+capHolds, p, p+1, p+2, p+3, p+4, p+5, p+6, p+7, p+8, p+9, src)
}

// insertRatings inserts the ratings of src; with caps it stores those in
// held (see capCTE) excluded and held, with the reason.
func insertRatings(src string, caps bool) string {
	const cols = `id, rated_at, channel, unit_id, point_id, terminal_id, qr_code, level, points, reasons,
		comment, phone_enc, phone_mask, client_id, case_no, window_no, staff_no, client_hash, rate_checked,
		item_code, stage, pf, reason_codes, eva_version, applicant_type`
	// dims are the dimensions' values of src's row l (see inputCTE).
	const dims = `l.item_code, l.stage, l.pf, nullif(string_to_array(l.reason_codes, E'\x1f'), '{}'), l.eva_version,
		l.applicant_type`
	if !caps {
		return `INSERT INTO ratings (` + cols + `)
	SELECT l.id, l.rated_at, l.channel, l.unit_id, l.point_id, l.terminal_id, l.qr_code, l.level, l.points,
		string_to_array(l.reasons, E'\x1f'), l.comment, l.phone_enc, l.phone_mask, l.client_id, l.case_no, l.window_no,
		l.staff_no, l.client_hash, l.rate_checked, ` + dims + `
	FROM ` + src + ` l`
	}
	return `INSERT INTO ratings (` + cols + `, held, excluded, exclude_reason, excluded_at)
	SELECT l.id, l.rated_at, l.channel, l.unit_id, l.point_id, l.terminal_id, l.qr_code, l.level, l.points,
		string_to_array(l.reasons, E'\x1f'), l.comment, l.phone_enc, l.phone_mask, l.client_id, l.case_no, l.window_no,
		l.staff_no, l.client_hash, l.rate_checked, ` + dims + `, h.id IS NOT NULL, h.id IS NOT NULL,
		CASE WHEN h.id IS NULL THEN NULL WHEN h.network_id IS NULL THEN '` + HeldReasonAddress + `'
			ELSE '` + HeldReasonNetwork + `' END,
		CASE WHEN h.id IS NOT NULL THEN now() END
	FROM ` + src + ` l LEFT JOIN held h ON h.id = l.id`
}

// capArgs lays out the daily caps of the ratings that have one as the ten
// parameters the cap statements read: the batch's groups (unit, day,
// source), sorted so that concurrent batches lock their counters in one
// order, with how many ratings each has, then per capped rating its group,
// its position within the group in batch order (from 1), its cap, label
// and network.
func capArgs(items []NewRating) []any {
	type key struct {
		unit   int64
		day    time.Time
		source string
	}
	counts := map[key]int32{}
	var keys []key
	for i := range items {
		if it := &items[i]; it.Cap.Limit > 0 {
			k := key{it.UnitID, it.Day, string(it.Cap.Source)}
			if counts[k] == 0 {
				keys = append(keys, k)
			}
			counts[k]++
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.unit, b.unit), a.day.Compare(b.day), strings.Compare(a.source, b.source))
	})
	var (
		gUnit   = make([]int64, len(keys))
		gDay    = make([]time.Time, len(keys))
		gSource = make(pgtype.FlatArray[[]byte], len(keys))
		gN      = make([]int32, len(keys))
		ord     = make(map[key]int32, len(keys))
		seen    = make(map[key]int32, len(keys))
		ids     [][16]byte
		groups  []int32
		ks      []int32
		limits  []int32
		labels  []string
		nets    []int64
	)
	for i, k := range keys {
		gUnit[i], gDay[i], gSource[i], gN[i], ord[k] = k.unit, k.day, []byte(k.source), counts[k], int32(i+1)
	}
	for i := range items {
		it := &items[i]
		if it.Cap.Limit <= 0 {
			continue
		}
		k := key{it.UnitID, it.Day, string(it.Cap.Source)}
		seen[k]++
		ids, groups, ks = append(ids, it.ID), append(groups, ord[k]), append(ks, seen[k])
		limits, labels, nets = append(limits, int32(it.Cap.Limit)), append(labels, it.Cap.Label), append(nets, it.Cap.NetworkID)
	}
	return []any{gUnit, gDay, gSource, gN, ids, groups, ks, limits, labels, nets}
}
