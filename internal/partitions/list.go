package partitions

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
)

// DefaultPartition is the partition that catches ratings outside every
// month; it is never archived.
const DefaultPartition = "ratings_default"

// Partition is one partition of ratings as List shows it.
type Partition struct {
	Name string
	// Month is nil for ratings_default and any partition not named after
	// a month.
	Month   *Month
	Ratings int64
	// Bytes is pg_total_relation_size (table, indexes, TOAST); Size the
	// same, human readable.
	Bytes int64
	Size  string
	// Reasons say why the partition may not be archived now; none means
	// it may.
	Reasons []string

	lo, hi *time.Time
}

// Archivable reports whether the policy allows archiving the partition.
func (p Partition) Archivable() bool { return len(p.Reasons) == 0 }

// partitionsSQL lists the partitions of ratings with their bounds (NULL
// for the default partition) and sizes.
const partitionsSQL = `SELECT c.relname::text, m[1]::timestamptz, m[2]::timestamptz,
	pg_total_relation_size(c.oid), pg_size_pretty(pg_total_relation_size(c.oid))
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
LEFT JOIN LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid),
	'FROM \(''([^'']*)''\) TO \(''([^'']*)''\)') AS m ON true
WHERE i.inhparent = 'ratings'::regclass
ORDER BY c.relname`

// partitions reads the partitions of ratings without counting them.
func partitions(ctx context.Context, q db.DBTX) ([]Partition, error) {
	rows, _ := q.Query(ctx, partitionsSQL)
	var out []Partition
	var p Partition
	_, err := pgx.ForEachRow(rows, []any{&p.Name, &p.lo, &p.hi, &p.Bytes, &p.Size}, func() error {
		p.Month = nil
		if m, ok := monthOfPartition(p.Name); ok && p.lo != nil && p.hi != nil {
			p.Month = &m
		}
		out = append(out, p)
		p = Partition{}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing partitions: %w", db.Err(err))
	}
	return out, nil
}

// List returns every partition of ratings, oldest month first and the
// default partition last, with its exact row count (each partition is
// scanned), its size and what keeps it from being archived under the
// policy.
func List(ctx context.Context, q db.DBTX, p Policy) ([]Partition, error) {
	list, err := partitions(ctx, q)
	if err != nil {
		return nil, err
	}
	var months, others []Partition
	for _, part := range list {
		if err := p.assess(ctx, q, &part); err != nil {
			return nil, err
		}
		if part.Month != nil {
			months = append(months, part)
		} else {
			others = append(others, part)
		}
	}
	return append(months, others...), nil
}

// assess counts the partition's ratings and fills its reasons. The
// checks on its data are shown only for a month the calendar allows, as
// the current month always has days not rolled up yet.
func (p Policy) assess(ctx context.Context, q db.DBTX, part *Partition) error {
	if part.Month == nil {
		reason := "not a monthly partition"
		if part.Name == DefaultPartition {
			reason = "the default partition is never archived"
		}
		part.Reasons = []string{reason}
		return q.QueryRow(ctx, table(`SELECT count(*) FROM {t}`, part.Name)).Scan(&part.Ratings)
	}
	reasons, n, err := p.dataReasons(ctx, q, part.Name, *part.Month, *part.lo, *part.hi)
	if err != nil {
		return err
	}
	part.Ratings = n
	if cal := p.calendarReasons(*part.Month); cal != nil {
		part.Reasons = cal
		return nil
	}
	cycles, err := cycleReasons(ctx, q, *part.Month)
	part.Reasons = append(cycles, reasons...)
	return err
}

// Check says why the month may not be archived now, from the calendar,
// the open cycles and its partition's data; none means it may. It returns
// NoPartitionError for a month without a partition.
func (p Policy) Check(ctx context.Context, q db.DBTX, m Month) ([]string, error) {
	part, err := findPartition(ctx, q, m)
	if err != nil {
		return nil, err
	}
	if err := p.assess(ctx, q, &part); err != nil {
		return nil, err
	}
	return part.Reasons, nil
}

// NoPartitionError is returned for a month that has no partition.
type NoPartitionError struct{ Month Month }

func (e NoPartitionError) Error() string {
	return fmt.Sprintf("month %s has no partition %s", e.Month, e.Month.Partition())
}

// findPartition reads the partition of month m, or NoPartitionError.
func findPartition(ctx context.Context, q db.DBTX, m Month) (Partition, error) {
	list, err := partitions(ctx, q)
	if err != nil {
		return Partition{}, err
	}
	for _, part := range list {
		if part.Name == m.Partition() && part.Month != nil {
			return part, nil
		}
	}
	return Partition{}, NoPartitionError{m}
}
