package feedback_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"minyi/internal/feedback"
	"minyi/internal/ratings"
)

// capped is a QR rating of the unit counting against source's daily cap
// of limit; the source is the client address too, for the burst scan.
func (x *world) capped(unit int64, level int, comment, source string, limit int) ratings.NewRating {
	y, m, d := x.now.In(shanghai).Date()
	return ratings.NewRating{UnitID: unit, Level: level, Comment: comment, ClientHash: []byte(source),
		Day: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), Cap: ratings.DailyCap{Source: []byte(source), Limit: limit, Label: source}}
}

func (x *world) holdGroups(f feedback.Filter) map[string]feedback.HoldGroup {
	x.t.Helper()
	out := map[string]feedback.HoldGroup{}
	for _, g := range listAll(x, f, feedback.HoldGroups) {
		out[g.Address] = g
	}
	return out
}

func TestHoldGroupsAndTheVerdictsThatSettleThem(t *testing.T) {
	x := newWorld(t, 2)
	unit := x.units[0]
	var batch []ratings.NewRating
	for range 4 {
		batch = append(batch, x.capped(unit, 5, "", "203.0.113.7", 2))
	}
	batch = append(batch, x.capped(unit, 4, "", "2001:db8:1:2::/64", 1), x.capped(unit, 1, "太慢", "2001:db8:1:2::/64", 1),
		x.capped(unit, 2, "排队久", "198.51.100.20", 1), x.capped(unit, 2, "没人管", "198.51.100.20", 1))
	for range feedback.BurstMin {
		batch = append(batch, x.capped(x.units[1], 5, "", "198.51.100.9", 6))
	}
	ids := x.rate(batch...)

	groups := x.holdGroups(feedback.Filter{Status: "pending"})
	g, g6 := groups["203.0.113.7"], groups["2001:db8:1:2::/64"]
	if len(groups) != 4 || g.Pending != 2 || g.DailyCap != 2 || g.UnitName != "单位1" || g.LastAt == nil ||
		g.LevelsText() != "非常满意 2" || g6.Pending != 1 || g6.LevelsText() != "非常不满意 1" {
		t.Fatalf("pending groups %+v", groups)
	}
	// A page carries the total; so does a page past the end.
	for _, p := range []struct{ offset, want int }{{1, 1}, {10, 0}} {
		f := feedback.Filter{Status: "pending", From: x.now.Add(-feedback.DefaultPeriod), To: x.now.Add(time.Hour), Limit: 1, Offset: p.offset}
		list, total, err := feedback.HoldGroups(x.ctx, x.pool, shanghai, f)
		if err != nil || len(list) != p.want || total != 4 {
			t.Fatalf("page at offset %d: %d groups of %d, %v; want %d of 4", p.offset, len(list), total, err, p.want)
		}
	}
	if got := x.holdGroups(feedback.Filter{Status: "pending", UnitID: &x.units[1]}); len(got) != 1 || got["198.51.100.9"].Pending != 4 {
		t.Fatalf("groups of unit 2: %+v", got)
	}
	for _, f := range []feedback.Filter{{Channel: "terminal"}, {Source: "response"}, {Status: "decided"}} {
		if got := x.holdGroups(f); len(got) != 0 {
			t.Fatalf("filter %+v lists %+v", f, got)
		}
	}

	// Held ratings are decided in their groups, not one by one in the
	// queue: thousands from one address would bury the rest. A group
	// counted joins the queue.
	inQueue := func(id uuid.UUID) bool {
		for _, it := range x.queue(feedback.Filter{}) {
			if it.ID == id.String() {
				return true
			}
		}
		return false
	}
	if !inQueue(ids[6]) || inQueue(ids[5]) || inQueue(ids[7]) {
		t.Fatalf("queue: the counted 差评 %v, the held ones %v %v; want only the counted one", inQueue(ids[6]), inQueue(ids[5]), inQueue(ids[7]))
	}
	x.tx(func(tx pgx.Tx) error {
		_, err := ratings.DecideHoldGroup(x.ctx, tx, office, ratings.HoldDecision{Key: groups["198.51.100.20"].Key, Count: true})
		return err
	})
	if !inQueue(ids[7]) {
		t.Fatal("a counted held 差评 is not in the queue")
	}
	// A held 差评 reached by its link and judged invalid is decided: it stays
	// out of the score, and of the queue.
	item, err := feedback.FindItem(x.ctx, x.pool, shanghai, "rating", ids[5].String())
	if err != nil || !item.Held || !item.Excluded {
		t.Fatalf("the held 差评: %+v, %v", item, err)
	}
	x.tx(func(tx pgx.Tx) error {
		_, err := feedback.MarkInvalid(x.ctx, tx, shanghai, office, feedback.InvalidInput{Kind: "rating", ID: item.ID,
			Reason: feedback.ReasonMalicious}, x.now)
		return err
	})
	r, err := ratings.Find(x.ctx, x.pool, ids[5])
	if inQueue(ids[5]) {
		t.Fatal("a held 差评 not counted is in the queue")
	}
	if err != nil || r.Held || !r.Excluded || r.ExcludeReason == nil || *r.ExcludeReason != "核查无效：恶意评价" {
		t.Fatalf("the held 差评 after the verdict: %+v, %v", r, err)
	}
	if got := x.holdGroups(feedback.Filter{Status: "decided"}); got["2001:db8:1:2::/64"].NotCounted != 1 {
		t.Fatalf("decided groups %+v", got)
	}

	// Confirming a burst flag decides its held ratings too.
	x.scan()
	var burst feedback.Flag
	for _, f := range x.flags()[feedback.FlagBurstAddress] {
		if f.UnitID != nil && *f.UnitID == x.units[1] {
			burst = f
		}
	}
	if burst.ID == 0 {
		t.Fatalf("no burst flag: %+v", x.flags())
	}
	x.tx(func(tx pgx.Tx) error {
		_, err := feedback.DecideFlag(x.ctx, tx, office, burst.ID, true, "", x.now)
		return err
	})
	g2 := x.holdGroups(feedback.Filter{UnitID: &x.units[1]})["198.51.100.9"]
	if g2.Pending != 0 || g2.NotCounted != 4 {
		t.Fatalf("the burst's group after confirming: %+v", g2)
	}
	var excluded int
	if err := x.pool.QueryRow(x.ctx, `SELECT count(*) FROM ratings WHERE unit_id = $1 AND excluded AND NOT held
		AND exclude_reason LIKE '可疑模式确认%'`, x.units[1]).Scan(&excluded); err != nil || excluded != feedback.BurstMin {
		t.Fatalf("%d of the burst's ratings carry the flag's reason (%v), want %d", excluded, err, feedback.BurstMin)
	}
	if fmt.Sprint(x.holdGroups(feedback.Filter{Status: "pending"})["203.0.113.7"].Pending) != "2" {
		t.Fatal("deciding other groups changed 203.0.113.7's")
	}
}
