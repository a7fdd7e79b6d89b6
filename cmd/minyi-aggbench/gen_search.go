package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// The search indexes of the ratings (migrations 0074 and 0091): the gram
// index of the messages and the phone masks. The migration creates them on the empty
// table; generating fifty million ratings into them would keep a GIN
// index up to date row by row, so they are dropped before the ratings are
// generated and built once afterwards, as a deployment's migration builds
// them over its existing ratings. Their statements are the migration's.
var searchIndexes = []struct{ name, create string }{
	{"ratings_comment_unit_grams", `CREATE INDEX IF NOT EXISTS ratings_comment_unit_grams ON ratings USING gin (minyi_rating_grams(unit_id, comment))
		WHERE comment <> ''`},
	{"ratings_phone_mask", `CREATE INDEX IF NOT EXISTS ratings_phone_mask ON ratings (phone_mask, rated_at) WHERE phone_mask IS NOT NULL`},
}

// dropSearchIndexes drops the ratings' search indexes before generation.
func dropSearchIndexes(ctx context.Context, pool *pgxpool.Pool) error {
	for _, ix := range searchIndexes {
		if _, err := pool.Exec(ctx, `DROP INDEX IF EXISTS `+ix.name); err != nil {
			return err
		}
	}
	return nil
}

// buildSearchIndexes builds the ratings' search indexes over the generated
// ratings and says how long each took.
func buildSearchIndexes(ctx context.Context, pool *pgxpool.Pool, out io.Writer) error {
	for _, ix := range searchIndexes {
		t := time.Now()
		if _, err := pool.Exec(ctx, ix.create); err != nil {
			return fmt.Errorf("%s: %w", ix.name, err)
		}
		fmt.Fprintf(out, "   %s built in %s\n", ix.name, time.Since(t).Round(100*time.Millisecond))
	}
	return nil
}
