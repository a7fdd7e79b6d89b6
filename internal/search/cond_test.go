package search_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/search"
	"minyi/internal/testutil"
)

// TestCondMatchesTheText checks Cond and RatingCond against the texts
// themselves: a row matches exactly when its lower case holds every term,
// whatever the terms' length (one and two characters are settled by the
// grams alone, longer ones re-checked), through the gram indexes.
func TestCondMatchesTheText(t *testing.T) {
	pool := testutil.DB(t)
	ctx := context.Background()
	texts := []string{
		"排队很久", "排队 很久", "队很", "队很排队", "很久排队", "窗口态度差", "态度很好", "满意", "不满意。", "非常满意",
		"ABC办事", "abc", "a b c", "慢", "太慢了", "慢慢来", "it's fine", "its", "",
	}
	if _, err := pool.Exec(ctx, `CREATE TABLE texts (id int PRIMARY KEY, unit_id bigint NOT NULL, comment text NOT NULL);
		CREATE INDEX ON texts USING gin (minyi_grams(comment)) WHERE comment <> '';
		CREATE INDEX ON texts USING gin (minyi_rating_grams(unit_id, comment)) WHERE comment <> ''`); err != nil {
		t.Fatal(err)
	}
	for i, s := range texts {
		if _, err := pool.Exec(ctx, `INSERT INTO texts VALUES ($1, $2, $3)`, i, 1+i%2, s); err != nil {
			t.Fatal(err)
		}
	}
	unit := int64(2)
	for _, box := range []string{"满意", "满", "慢", "排队很", "排队 很久", "队很", "ab", "AB 办事", "abc", "b", "it's", "'", "态度 差", "火箭"} {
		k, err := search.Parse(box)
		if err != nil {
			t.Fatal(err)
		}
		var want, wantUnit []int
		for i, s := range texts {
			holds := s != ""
			for _, term := range k.Terms {
				holds = holds && strings.Contains(strings.ToLower(s), term)
			}
			if holds {
				want = append(want, i)
				if int64(1+i%2) == unit {
					wantUnit = append(wantUnit, i)
				}
			}
		}
		for _, c := range []struct {
			name string
			cond func(arg func(any) string) string
			want []int
		}{
			{"Cond", func(arg func(any) string) string { return k.Cond("x.comment", arg) }, want},
			{"RatingCond", func(arg func(any) string) string { return k.RatingCond("x", nil, arg) }, want},
			{"RatingCond of a unit", func(arg func(any) string) string { return k.RatingCond("x", &unit, arg) }, wantUnit},
		} {
			var args []any
			arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
			sql := `SELECT x.id FROM texts x WHERE ` + c.cond(arg) + ` ORDER BY x.id`
			// Through the gram index, then row by row.
			for _, plan := range []string{"SET LOCAL enable_seqscan = off", "SET LOCAL enable_bitmapscan = off; SET LOCAL enable_indexscan = off"} {
				got, err := ids(ctx, pool, plan, sql, args)
				if err != nil {
					t.Fatalf("%s %q: %v", c.name, box, err)
				}
				if !slices.Equal(got, c.want) {
					t.Errorf("%s %q (%s): rows %v, want %v", c.name, box, plan, got, c.want)
				}
			}
		}
	}
}

// ids runs sql in a transaction after set and returns its ids.
func ids(ctx context.Context, pool *pgxpool.Pool, set, sql string, args []any) ([]int, error) {
	var out []int
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, set); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, sql, args...)
		var err error
		out, err = pgx.CollectRows(rows, pgx.RowTo[int])
		return err
	})
	return out, err
}
