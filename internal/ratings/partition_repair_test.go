package ratings_test

import (
	"context"
	"testing"
	"time"

	"minyi/internal/ratings"
	"minyi/internal/testutil"
)

// A rating for a month that had no partition lands in ratings_default;
// maintenance then used to fail every hour ("updated partition constraint
// for default partition would be violated"). Now it makes the month's
// partition, moves the rows into it and goes on.
func TestMaintainRepairsRowsStrandedInTheDefaultPartition(t *testing.T) {
	pool := testutil.DB(t)
	ctx := context.Background()
	a := makeUnit(t, pool, "市政务服务中心", 1)
	// Far ahead of any partition the template made: two ratings of
	// 2031-03 and one of 2031-04 land in the default partition.
	var batch []ratings.NewRating
	for i, at := range []time.Time{
		time.Date(2031, 3, 1, 0, 10, 0, 0, shanghai), time.Date(2031, 3, 31, 23, 50, 0, 0, shanghai),
		time.Date(2031, 4, 2, 9, 0, 0, 0, shanghai),
	} {
		r := a.terminalRating(0, "stranded-"+string(rune('a'+i)), "")
		r.RatedAt = at
		batch = append(batch, r)
	}
	if _, err := newWriter(t, pool).Write(ctx, batch); err != nil {
		t.Fatal(err)
	}
	where := func() map[string]int {
		rows, err := pool.Query(ctx, `SELECT tableoid::regclass::text, count(*) FROM ratings WHERE unit_id = $1 GROUP BY 1`, a.unit.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]int{}
		for rows.Next() {
			var name string
			var n int
			if err := rows.Scan(&name, &n); err != nil {
				t.Fatal(err)
			}
			out[name] = n
		}
		return out
	}
	if got := where(); got["ratings_default"] != 3 {
		t.Fatalf("ratings stored in %v, want 3 in ratings_default", got)
	}
	// The hourly maintenance in 2031-03: it must make 2031-03 (and the
	// months around) although the default partition holds rows of them.
	now := time.Date(2031, 3, 15, 12, 0, 0, 0, shanghai)
	for range 2 {
		if err := ratings.Maintain(ctx, pool, now, shanghai, 48*time.Hour); err != nil {
			t.Fatalf("maintenance with rows in ratings_default: %v", err)
		}
	}
	got := where()
	if got["ratings_203103"] != 2 || got["ratings_203104"] != 1 || got["ratings_default"] != 0 {
		t.Errorf("after maintenance ratings are in %v, want 2 in ratings_203103 and 1 in ratings_203104", got)
	}
	var ids int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM ratings WHERE id = ANY($1)`,
		[]any{batch[0].ID, batch[1].ID, batch[2].ID}).Scan(&ids); err != nil || ids != 3 {
		t.Errorf("%d of the moved ratings found by id (%v)", ids, err)
	}
	// The repaired partition is a real one: its primary key refuses a
	// duplicate, and new ratings of the month go straight into it.
	dup := batch[0]
	if _, err := pool.Exec(ctx, `INSERT INTO ratings (id, rated_at, channel, unit_id, level, points)
		VALUES ($1, $2, 'qr', $3, 1, 100)`, dup.ID, dup.RatedAt, a.unit.ID); err == nil {
		t.Error("a duplicate id was accepted in the repaired partition")
	}
	r := a.terminalRating(0, "after-repair", "")
	r.RatedAt = time.Date(2031, 3, 20, 10, 0, 0, 0, shanghai)
	if _, err := newWriter(t, pool).Write(ctx, []ratings.NewRating{r}); err != nil {
		t.Fatal(err)
	}
	if got := where(); got["ratings_203103"] != 3 || got["ratings_default"] != 0 {
		t.Errorf("a new rating of the repaired month went to %v", got)
	}
}
