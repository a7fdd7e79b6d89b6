package partitions

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/audit"
	"minyi/internal/db"
)

// RestoreResult says what Restore did.
type RestoreResult struct {
	Month Month
	// SHA256 is the checksum of the whole file.
	SHA256  string
	Ratings int64
	// Cases and Holds are the rating_cases and rating_holds rows put back;
	// CasesSkipped counts case numbers a newer rating took meanwhile (it
	// keeps them), HoldsSkipped hold records already present.
	Cases, Holds, CasesSkipped, HoldsSkipped int64
	// Unrolled is true when the daily aggregate did not count the restored
	// ratings exactly, so the month's days were handed back to the rollup.
	Unrolled bool
	// Already is true when the month was restored from this file before:
	// nothing was done.
	Already bool
}

// Restore loads the archive file at path back into ratings, all in one
// transaction: it verifies the whole file first (every table's SHA-256 and
// row count), recreates the month's partition with the bounds it had (or
// fills its empty partition), loads the ratings and their rating_cases and
// rating_holds rows, checks the counts again, and marks the archive
// restored with an audit entry. It refuses a file that is not the month's
// archive in force and a month that already has ratings, unless those are
// this file's restored before (then it reports Already). by names who ran
// it; loc is TIME_ZONE, for checking the daily aggregate.
func Restore(ctx context.Context, pool *pgxpool.Pool, loc *time.Location, path, by string) (RestoreResult, error) {
	path, err := filepath.Abs(path)
	if err != nil {
		return RestoreResult{}, err
	}
	man, sum, err := readArchive(path, nil)
	if err != nil {
		return RestoreResult{}, err
	}
	m, _ := ParseMonth(man.Month) // validated by readArchive
	res := RestoreResult{Month: m, SHA256: sum}
	err = db.Unbounded(ctx, pool, func(tx pgx.Tx) error { // loading a month takes minutes
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, archiveLock); err != nil {
			return err
		}
		rec, archived, err := inForce(ctx, tx, m)
		if err != nil {
			return err
		}
		if archived && rec.SHA256 != sum {
			return fmt.Errorf("%s is not the archive of %s in force: its SHA-256 is %s, the archive made %s has %s (%s)",
				path, m, sum, rec.ArchivedAt.Format(time.RFC3339), rec.SHA256, rec.File)
		}
		created, err := prepareTarget(ctx, tx, m, man, sum, &res)
		if err != nil || res.Already {
			return err
		}
		l := loader{ctx: ctx, tx: tx, partition: m.Partition(), res: &res}
		if _, again, err := readArchive(path, l.load); err != nil {
			return err
		} else if again != sum {
			return fmt.Errorf("%s changed while it was restored; nothing was restored", path)
		}
		if days, units, err := aggregateDiff(ctx, tx, m.Partition(), m, loc); err != nil {
			return err
		} else if days > 0 || units > 0 {
			if err := unroll(ctx, tx, m); err != nil {
				return err
			}
			res.Unrolled = true
		}
		if archived {
			if _, err := tx.Exec(ctx, `UPDATE rating_archives SET restored_at = now(), restored_by = $2 WHERE id = $1`, rec.ID, by); err != nil {
				return err
			}
		}
		err = audit.Record(ctx, tx, audit.System, "ratings.restore", "rating_archive", m.String(), nil, map[string]any{
			"month": m.String(), "ratings": res.Ratings, "cases": res.Cases, "holds": res.Holds, "file": path,
			"sha256": sum, "unrolled": res.Unrolled, "by": by})
		if err != nil || !created {
			return err
		}
		// Last, as attaching holds ratings_default to itself until commit.
		return attach(ctx, tx, m, man.From, man.To)
	})
	return res, err
}

// prepareTarget makes the month's partition ready to load: a new table
// beside ratings (created true) when the month has no partition, or its
// partition when that is empty. A month that has ratings is refused,
// unless they are this archive restored before (res.Already).
func prepareTarget(ctx context.Context, tx pgx.Tx, m Month, man Manifest, sum string, res *RestoreResult) (bool, error) {
	var exists, attached bool
	err := tx.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL, EXISTS (SELECT 1 FROM pg_inherits
		WHERE inhrelid = to_regclass($1) AND inhparent = 'ratings'::regclass)`, m.Partition()).Scan(&exists, &attached)
	if err != nil {
		return false, err
	}
	if exists && !attached {
		return false, fmt.Errorf("a table %s exists that is not a partition of ratings: move it away first", m.Partition())
	}
	if exists {
		var n int64
		if err := tx.QueryRow(ctx, table(`SELECT count(*) FROM {t}`, m.Partition())).Scan(&n); err != nil {
			return false, err
		}
		if n == 0 {
			return false, nil
		}
		var restored bool
		err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM rating_archives
			WHERE month = $1 AND sha256 = $2 AND restored_at IS NOT NULL)`, m.First(), sum).Scan(&restored)
		if err != nil {
			return false, err
		}
		if restored && n == man.member("ratings").Rows {
			res.Ratings, res.Already = n, true
			return false, nil
		}
		return false, fmt.Errorf("month %s already has %d ratings in %s: restore refused", m, n, m.Partition())
	}
	var stray int64
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM ratings_default WHERE rated_at >= $1 AND rated_at < $2`,
		man.From, man.To).Scan(&stray); err != nil {
		return false, err
	}
	if stray > 0 {
		return false, fmt.Errorf("ratings_default holds %d ratings of %s: restore refused (see docs/operations.md)", stray, m)
	}
	_, err = tx.Exec(ctx, table(`CREATE TABLE {t} (LIKE ratings INCLUDING ALL)`, m.Partition()))
	return true, err
}

// loader loads each member of an archive in the restore's transaction.
type loader struct {
	ctx       context.Context
	tx        pgx.Tx
	partition string
	res       *RestoreResult
}

// load copies one table's CSV: ratings straight into the partition, the
// other tables through a temporary table into theirs, skipping rows whose
// key is taken.
func (l loader) load(mem Member, r io.Reader) (int64, error) {
	ctx := l.ctx
	pg := l.tx.Conn().PgConn()
	copySQL := func(target string) string {
		return `COPY ` + target + ` (` + quoted("", mem.Columns) + `) FROM STDIN WITH (FORMAT csv, HEADER MATCH)`
	}
	if mem.Table == "ratings" {
		tag, err := pg.CopyFrom(ctx, r, copySQL(pgx.Identifier{l.partition}.Sanitize()))
		if err != nil {
			return 0, fmt.Errorf("loading the ratings: %w", err)
		}
		l.res.Ratings = tag.RowsAffected()
		return tag.RowsAffected(), nil
	}
	tmp := pgx.Identifier{"archive_" + mem.Table}.Sanitize()
	target := pgx.Identifier{mem.Table}.Sanitize()
	if _, err := l.tx.Exec(ctx, `CREATE TEMP TABLE `+tmp+` (LIKE `+target+` INCLUDING DEFAULTS) ON COMMIT DROP`); err != nil {
		return 0, err
	}
	tag, err := pg.CopyFrom(ctx, r, copySQL(tmp))
	if err != nil {
		return 0, fmt.Errorf("loading %s: %w", mem.Table, err)
	}
	cols := quoted("", mem.Columns)
	ins, err := l.tx.Exec(ctx, `INSERT INTO `+target+` (`+cols+`) SELECT `+cols+` FROM `+tmp+` ON CONFLICT DO NOTHING`)
	if err != nil {
		return 0, fmt.Errorf("loading %s: %w", mem.Table, err)
	}
	n, put := tag.RowsAffected(), ins.RowsAffected()
	if mem.Table == "rating_holds" && !slices.Contains(mem.Columns, "level") {
		// An archive written before migration 0077: each row's level, held
		// and excluded come from its rating, loaded just before.
		if _, err := l.tx.Exec(ctx, `UPDATE rating_holds h SET level = r.level, held = r.held, excluded = r.excluded
			FROM `+tmp+` t JOIN `+pgx.Identifier{l.partition}.Sanitize()+` r ON r.id = t.rating_id AND r.rated_at = t.rated_at
			WHERE h.rating_id = t.rating_id AND h.level IS NULL`); err != nil {
			return 0, fmt.Errorf("loading %s: %w", mem.Table, err)
		}
	}
	switch mem.Table {
	case "rating_cases":
		l.res.Cases, l.res.CasesSkipped = put, n-put
	case "rating_holds":
		l.res.Holds, l.res.HoldsSkipped = put, n-put
	}
	return n, nil
}

// attach attaches the loaded table as the month's partition with the
// bounds it had. A CHECK constraint equal to the bounds, validated first
// on the new table alone, spares ATTACH its scan; ATTACH then holds
// ratings only in a mode rating reads and writes pass, and ratings_default
// for a moment, waiting at most 3 s a try.
func attach(ctx context.Context, tx pgx.Tx, m Month, from, to time.Time) error {
	name := pgx.Identifier{m.Partition()}.Sanitize()
	lo, hi := timestampLiteral(from), timestampLiteral(to)
	_, err := tx.Exec(ctx, `ALTER TABLE `+name+` ADD CONSTRAINT minyi_restore_bounds
		CHECK (rated_at IS NOT NULL AND rated_at >= `+lo+` AND rated_at < `+hi+`)`)
	if err != nil {
		return fmt.Errorf("the ratings of %s do not all lie between %s and %s: %w", m, from, to, err)
	}
	err = withLockRetry(ctx, tx, `ALTER TABLE ratings ATTACH PARTITION `+name+` FOR VALUES FROM (`+lo+`) TO (`+hi+`)`)
	if err != nil {
		return fmt.Errorf("attaching %s: %w", m.Partition(), err)
	}
	_, err = tx.Exec(ctx, `ALTER TABLE `+name+` DROP CONSTRAINT minyi_restore_bounds`)
	return err
}

// timestampLiteral quotes t as a timestamptz literal.
func timestampLiteral(t time.Time) string {
	return `'` + t.UTC().Format("2006-01-02 15:04:05.999999Z07:00") + `'::timestamptz`
}

// withLockRetry runs sql, a statement that needs a lock other statements
// queue behind, waiting at most 3 s a try and trying up to five times.
func withLockRetry(ctx context.Context, tx pgx.Tx, sql string) error {
	for attempt := 1; ; attempt++ {
		if _, err := tx.Exec(ctx, `SAVEPOINT lock_retry; SET LOCAL lock_timeout = '3s'`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, sql)
		if err == nil {
			_, err = tx.Exec(ctx, `SET LOCAL lock_timeout = 0; RELEASE SAVEPOINT lock_retry`)
			return err
		}
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "55P03" || attempt == 5 {
			return err
		}
		if _, err := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT lock_retry`); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}
