package feedback

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
	"minyi/internal/ratings"
)

// HoldGroup is what the daily cap held from one source for one unit on one
// local day (see ratings/held.go); the office decides a group at once,
// with ratings.DecideHoldGroup.
type HoldGroup struct {
	Key      string    `json:"key"`
	UnitID   int64     `json:"unit_id"`
	UnitName string    `json:"unit_name"`
	Day      time.Time `json:"-"`
	DayText  string    `json:"day"`
	// Address is the source as the office sees it: the address, the IPv6
	// /64 or the registered network's range. Never shown to units.
	Address     string  `json:"address"`
	NetworkID   *int64  `json:"network_id"`
	NetworkName *string `json:"network_name"`
	DailyCap    int     `json:"daily_cap"`
	// Pending ratings await the decision; Counted and NotCounted were
	// decided already (a group may grow after a decision).
	Pending    int `json:"pending"`
	Counted    int `json:"counted"`
	NotCounted int `json:"not_counted"`
	// Levels counts the pending ratings per level (index 0 is level 1).
	Levels ratings.LevelCounts `json:"levels"`
	// FirstAt and LastAt span the pending ratings; a decision passes LastAt
	// as its Until, so ratings held after the page was shown wait.
	FirstAt *time.Time `json:"first_at"`
	LastAt  *time.Time `json:"last_at"`
}

// LevelsText lists the pending ratings per level in Chinese, best first.
func (g HoldGroup) LevelsText() string {
	var parts []string
	for level := 5; level >= 1; level-- {
		if n := g.Levels[level-1]; n > 0 {
			parts = append(parts, ratings.LevelLabel(level)+" "+itoa(n))
		}
	}
	return strings.Join(parts, " · ")
}

// holdGroupsSQL pages the groups of held ratings of the local days $1..$2
// (of unit $3 when given) with status $4 — "pending" (a rating awaits a
// decision), "decided" or "" (both) — $5 and $6 being the limit and
// offset.
//
// At province scale the cap holds thousands of ratings a quarter. Each
// held rating's row in rating_holds keeps its level and whether it is
// still held or excluded (migration 0077), so the groups are counted from
// rating_holds alone, down its index of (day, unit, source) with those
// columns: reading the ratings as well made Postgres plan a walk over the
// period's partitions on every page (some 40 ms under load).
const holdGroupsSQL = `
WITH keys AS (
	SELECT h.unit_id, h.day, h.source, count(*) FILTER (WHERE h.held) AS pending
	FROM rating_holds h
	WHERE h.day BETWEEN $1 AND $2 AND ($3::bigint IS NULL OR h.unit_id = $3)
	GROUP BY 1, 2, 3
), page AS (
	SELECT k.*, count(*) OVER () AS total FROM keys k
	WHERE $4 = '' OR ($4 = 'pending') = (k.pending > 0)
	ORDER BY k.pending > 0 DESC, k.day DESC, k.pending DESC, k.unit_id, k.source LIMIT $5 OFFSET $6
)
SELECT g.unit_id, g.day, g.source, min(h.label) AS label, max(h.network_id) AS network_id,
	max(h.daily_cap) AS daily_cap,
	count(*) FILTER (WHERE h.held) AS pending,
	count(*) FILTER (WHERE NOT h.held AND NOT h.excluded) AS counted,
	count(*) FILTER (WHERE NOT h.held AND h.excluded) AS not_counted,
	count(*) FILTER (WHERE h.held AND h.level = 1) AS n1, count(*) FILTER (WHERE h.held AND h.level = 2) AS n2,
	count(*) FILTER (WHERE h.held AND h.level = 3) AS n3, count(*) FILTER (WHERE h.held AND h.level = 4) AS n4,
	count(*) FILTER (WHERE h.held AND h.level = 5) AS n5,
	min(h.rated_at) FILTER (WHERE h.held) AS first_at, max(h.rated_at) FILTER (WHERE h.held) AS last_at,
	min(g.total) AS total, min(g.pending) AS order_pending
FROM page g JOIN rating_holds h USING (unit_id, day, source)
GROUP BY g.unit_id, g.day, g.source`

// HoldGroups returns the groups of held ratings the filter selects — its
// unit, its period (the local days it touches) and its status — those
// awaiting a decision first, then newest day and largest first, and how
// many match. Held ratings are QR ratings, so a filter on terminals or
// survey opinions selects none; a group mixes levels, so Level is ignored.
func HoldGroups(ctx context.Context, q db.DBTX, loc *time.Location, f Filter) ([]HoldGroup, int, error) {
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	if f.Source == KindResponse || (f.Channel != "" && f.Channel != ratings.ChannelQR) {
		return []HoldGroup{}, 0, nil
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	day := func(t time.Time) time.Time {
		y, m, d := t.In(loc).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	args := []any{day(f.From), day(f.To.Add(-time.Nanosecond)), f.UnitID, f.Status, f.Limit, f.Offset}
	var list []HoldGroup
	var total int
	// Planned for the values at hand: a generic plan (chosen after five
	// runs of a prepared statement) cannot use the unit's index for
	// "$3 IS NULL OR unit_id = $3".
	err := db.WithLocal(ctx, q, `SET LOCAL plan_cache_mode = force_custom_plan`, func(q db.DBTX) (err error) {
		list, total, err = holdGroups(ctx, q, args, f.Offset)
		return err
	})
	if err != nil {
		return nil, 0, db.Err(err)
	}
	return list, total, nil
}

// holdGroups reads the page of groups the arguments of holdGroupsSQL
// select, and their total.
func holdGroups(ctx context.Context, q db.DBTX, args []any, offset int) ([]HoldGroup, int, error) {
	rows, _ := q.Query(ctx, `SELECT g.unit_id, g.day, g.source, g.label, g.network_id, g.daily_cap, g.pending, g.counted,
		g.not_counted, g.n1, g.n2, g.n3, g.n4, g.n5, g.first_at, g.last_at, u.name, n.name, g.total FROM (`+holdGroupsSQL+`) g
		JOIN units u ON u.id = g.unit_id LEFT JOIN rating_networks n ON n.id = g.network_id
		ORDER BY g.order_pending > 0 DESC, g.day DESC, g.order_pending DESC, g.unit_id, g.source`, args...)
	list := []HoldGroup{}
	var total int
	var g HoldGroup
	var source []byte
	_, err := pgx.ForEachRow(rows, []any{&g.UnitID, &g.Day, &source, &g.Address, &g.NetworkID, &g.DailyCap,
		&g.Pending, &g.Counted, &g.NotCounted, &g.Levels[0], &g.Levels[1], &g.Levels[2], &g.Levels[3], &g.Levels[4],
		&g.FirstAt, &g.LastAt, &g.UnitName, &g.NetworkName, &total}, func() error {
		g.Key, g.DayText = ratings.HoldKey(g.UnitID, g.Day, source), g.Day.Format(time.DateOnly)
		list = append(list, g)
		return nil
	})
	if err == nil && len(list) == 0 && offset > 0 {
		// A page past the end: count the groups on their own.
		args[4], args[5] = 1, 0
		err = q.QueryRow(ctx, `SELECT coalesce(min(total), 0) FROM (`+holdGroupsSQL+`) g`, args...).Scan(&total)
	}
	return list, total, err
}
