package ratings

import (
	"fmt"
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

// capCTE counts the ratings of src (the set the statement inserts) against
// their daily caps, given in the six parameters from $p: rating ids, days,
// sources, caps, labels and network ids. It defines held, the ratings
// beyond their cap, and records them in rating_holds.
func capCTE(src string, p int) string {
	return fmt.Sprintf(`, capin AS (
	SELECT c.id, s.unit_id, c.day, c.source, c.cap, c.label, nullif(c.network, 0) AS network_id, s.rated_at,
		row_number() OVER (PARTITION BY s.unit_id, c.day, c.source ORDER BY s.ord) AS k,
		count(*) OVER (PARTITION BY s.unit_id, c.day, c.source) AS n
	FROM unnest($%d::uuid[], $%d::date[], $%d::bytea[], $%d::int[], $%d::text[], $%d::bigint[])
		AS c(id, day, source, cap, label, network)
	JOIN %s s ON s.id = c.id
), capn AS (
	INSERT INTO rating_cap_counts AS x (unit_id, day, source, n)
	SELECT unit_id, day, source, max(n) FROM capin GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
	ON CONFLICT (unit_id, day, source) DO UPDATE SET n = x.n + EXCLUDED.n
	RETURNING unit_id, day, source, n
), held AS (
	SELECT i.* FROM capin i JOIN capn t ON t.unit_id = i.unit_id AND t.day = i.day AND t.source = i.source
	WHERE t.n - i.n + i.k > i.cap
), holds AS (
	INSERT INTO rating_holds (rating_id, rated_at, unit_id, day, source, label, network_id, daily_cap)
	SELECT id, rated_at, unit_id, day, source, label, network_id, cap FROM held
)`, p, p+1, p+2, p+3, p+4, p+5, src)
}

// insertRatings inserts the ratings of src; with caps it stores those in
// held (see capCTE) excluded and held, with the reason.
func insertRatings(src string, caps bool) string {
	const cols = `id, rated_at, channel, unit_id, point_id, terminal_id, qr_code, level, points, reasons,
		comment, phone_enc, phone_mask, client_id, case_no, window_no, staff_no, client_hash, rate_checked`
	if !caps {
		return `INSERT INTO ratings (` + cols + `)
	SELECT id, rated_at, channel, unit_id, point_id, terminal_id, qr_code, level, points,
		string_to_array(reasons, E'\x1f'), comment, phone_enc, phone_mask, client_id, case_no, window_no, staff_no,
		client_hash, rate_checked
	FROM ` + src
	}
	return `INSERT INTO ratings (` + cols + `, held, excluded, exclude_reason, excluded_at)
	SELECT l.id, l.rated_at, l.channel, l.unit_id, l.point_id, l.terminal_id, l.qr_code, l.level, l.points,
		string_to_array(l.reasons, E'\x1f'), l.comment, l.phone_enc, l.phone_mask, l.client_id, l.case_no, l.window_no,
		l.staff_no, l.client_hash, l.rate_checked, h.id IS NOT NULL, h.id IS NOT NULL,
		CASE WHEN h.id IS NULL THEN NULL WHEN h.network_id IS NULL THEN '` + HeldReasonAddress + `'
			ELSE '` + HeldReasonNetwork + `' END,
		CASE WHEN h.id IS NOT NULL THEN now() END
	FROM ` + src + ` l LEFT JOIN held h ON h.id = l.id`
}

// capArgs lays out the daily caps of the ratings that have one as the six
// parameters capCTE reads.
func capArgs(items []NewRating) []any {
	var (
		ids     [][16]byte
		days    []time.Time
		sources pgtype.FlatArray[[]byte]
		limits  []int32
		labels  []string
		nets    []int64
	)
	for i := range items {
		it := &items[i]
		if it.Cap.Limit <= 0 {
			continue
		}
		ids, days, sources = append(ids, it.ID), append(days, it.Day), append(sources, it.Cap.Source)
		limits, labels, nets = append(limits, int32(it.Cap.Limit)), append(labels, it.Cap.Label), append(nets, it.Cap.NetworkID)
	}
	return []any{ids, days, sources, limits, labels, nets}
}
