package partitions

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/audit"
	"minyi/internal/db"
)

// archiveLock is the advisory lock archive and restore transactions hold,
// so two commands on the same database never interleave.
const archiveLock = 7_305_021

// RefusedError is returned when the policy does not allow archiving the
// month; Reasons say why.
type RefusedError struct {
	Month   Month
	Reasons []string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("month %s may not be archived: %s", e.Month, strings.Join(e.Reasons, "; "))
}

// Record is a row of rating_archives.
type Record struct {
	ID                    int64
	Month                 Month
	Ratings, Cases, Holds int64
	File, SHA256          string
	TimeZone              string
	ArchivedAt            time.Time
	ArchivedBy            string
	RestoredAt            *time.Time
	RestoredBy            *string
}

const recordColumns = `id, month, ratings, cases, holds, file, sha256, time_zone, archived_at, archived_by, restored_at, restored_by`

func scanRecord(row pgx.Row) (Record, error) {
	var r Record
	var month time.Time
	err := row.Scan(&r.ID, &month, &r.Ratings, &r.Cases, &r.Holds, &r.File, &r.SHA256, &r.TimeZone,
		&r.ArchivedAt, &r.ArchivedBy, &r.RestoredAt, &r.RestoredBy)
	r.Month = Month{month.Year(), month.Month()}
	return r, err
}

// inForce returns the month's archive in force, if any.
func inForce(ctx context.Context, q db.DBTX, m Month) (Record, bool, error) {
	r, err := scanRecord(q.QueryRow(ctx, `SELECT `+recordColumns+` FROM rating_archives
		WHERE month = $1 AND restored_at IS NULL`, m.First()))
	if errors.Is(err, pgx.ErrNoRows) {
		return Record{}, false, nil
	}
	if err != nil {
		return Record{}, false, fmt.Errorf("reading the archives of %s: %w", m, db.Err(err))
	}
	return r, true, nil
}

// Archived reports whether the month's ratings are archived (an archive
// in force): they are then not in the database.
func Archived(ctx context.Context, q db.DBTX, m Month) (bool, error) {
	_, ok, err := inForce(ctx, q, m)
	return ok, err
}

// Archives returns the archives in force, oldest month first.
func Archives(ctx context.Context, q db.DBTX) ([]Record, error) {
	rows, err := q.Query(ctx, `SELECT `+recordColumns+` FROM rating_archives WHERE restored_at IS NULL ORDER BY month`)
	if err != nil {
		return nil, db.Err(err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, db.Err(err)
		}
		out = append(out, r)
	}
	return out, db.Err(rows.Err())
}

// ArchiveResult says what Archive did.
type ArchiveResult struct {
	Record Record
	// Already is true when the month was archived before: nothing was
	// done and Record is that archive.
	Already bool
}

// Archive archives month m under the policy to the file path (replaced if
// it is an older archive of the same month; any other existing file is
// refused). It checks the policy, writes the month's ratings and their
// rating_cases and rating_holds rows to the file in one snapshot, reads
// the file back to verify it, then in one transaction detaches and drops
// the partition, deletes those rows and records the archive with an audit
// entry — unless a rating of the month changed since the snapshot, a cycle
// was reopened or something opened on its ratings meanwhile, in which case
// nothing is dropped. An interruption before that transaction commits
// leaves the month in place; running Archive again is safe, and for a
// month already archived it only reports that archive. by names who ran it.
func Archive(ctx context.Context, pool *pgxpool.Pool, p Policy, m Month, path, by string) (ArchiveResult, error) {
	if rec, ok, err := inForce(ctx, pool, m); err != nil || ok {
		return ArchiveResult{Record: rec, Already: ok}, err
	}
	part, err := findPartition(ctx, pool, m)
	if err != nil {
		return ArchiveResult{}, err
	}
	// Counting and checking a month's ratings scans its partition.
	if err := db.Unbounded(ctx, pool, func(tx pgx.Tx) error { return p.assess(ctx, tx, &part) }); err != nil {
		return ArchiveResult{}, err
	}
	if !part.Archivable() {
		return ArchiveResult{}, &RefusedError{Month: m, Reasons: part.Reasons}
	}
	if path, err = checkTarget(path, m); err != nil {
		return ArchiveResult{}, err
	}
	if err := installGuard(ctx, pool, m); err != nil {
		return ArchiveResult{}, err
	}
	ex, err := export(ctx, pool, p, m, part, path)
	if err != nil {
		return ArchiveResult{}, err
	}
	return drop(ctx, pool, p, m, part, ex, path, by)
}

// checkTarget returns the absolute path to write; an existing file there
// must be an archive of the same month (an earlier, interrupted run).
func checkTarget(path string, m Month) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(abs)
	if errors.Is(err, os.ErrNotExist) {
		return abs, nil
	}
	if err != nil {
		return "", err
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("%s exists and is not a file", abs)
	}
	if man, err := readManifest(abs); err != nil || man.Month != m.String() {
		return "", fmt.Errorf("%s exists and is not an archive of %s: choose another file", abs, m)
	}
	return abs, nil
}

// drop detaches and drops the exported partition in one transaction.
func drop(ctx context.Context, pool *pgxpool.Pool, p Policy, m Month, part Partition, ex exported, path, by string) (ArchiveResult, error) {
	var res ArchiveResult
	name := pgx.Identifier{m.Partition()}.Sanitize()
	err := db.Unbounded(ctx, pool, func(tx pgx.Tx) error { // rechecking and deleting a month's rows take a while
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, archiveLock); err != nil {
			return err
		}
		rec, ok, err := inForce(ctx, tx, m)
		if err != nil || ok {
			res = ArchiveResult{Record: rec, Already: ok}
			return err
		}
		// Before the partition is detached, so the ratings stay available
		// while the month's case numbers are deleted.
		tag, err := tx.Exec(ctx, table(`DELETE FROM rating_cases c USING {t} r
			WHERE c.unit_id = r.unit_id AND c.case_no = r.case_no AND c.rating_id = r.id`, m.Partition()))
		if err != nil {
			return fmt.Errorf("deleting the case numbers of %s: %w", m, err)
		}
		cases := tag.RowsAffected()
		if err := detach(ctx, tx, name); err != nil {
			return err
		}
		if err := checkUnchanged(ctx, tx, p, m, part, ex, cases); err != nil {
			return err
		}
		tag, err = tx.Exec(ctx, table(`DELETE FROM rating_holds h USING {t} r
			WHERE h.rating_id = r.id AND h.rated_at = r.rated_at`, m.Partition()))
		if err != nil {
			return fmt.Errorf("deleting the holds of %s: %w", m, err)
		}
		holds := tag.RowsAffected()
		if want := ex.manifest.member("rating_holds").Rows; holds != want {
			return fmt.Errorf("%s: %d held-rating records to delete, the file has %d; nothing was dropped", m, holds, want)
		}
		if _, err := tx.Exec(ctx, `DROP TABLE `+name); err != nil {
			return fmt.Errorf("dropping %s: %w", m.Partition(), err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM rating_archive_guards WHERE partition = $1`, m.Partition()); err != nil {
			return err
		}
		res.Record, err = scanRecord(tx.QueryRow(ctx, `INSERT INTO rating_archives
			(month, ratings, cases, holds, file, sha256, time_zone, archived_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			RETURNING `+recordColumns, m.First(), ex.manifest.member("ratings").Rows, cases, holds, path, ex.sha256, p.Location.String(), by))
		if err != nil {
			return fmt.Errorf("recording the archive of %s: %w", m, err)
		}
		return audit.Record(ctx, tx, audit.System, "ratings.archive", "rating_archive", m.String(), nil, auditEntry(res.Record))
	})
	return res, err
}

// checkUnchanged runs once the partition is detached, so nothing can
// change it any more: it refuses when a rating changed since the export
// (the guard counter moved), when the case numbers deleted are not those
// written, or when the month is no longer archivable (a cycle reopened,
// an appeal filed meanwhile).
func checkUnchanged(ctx context.Context, tx pgx.Tx, p Policy, m Month, part Partition, ex exported, cases int64) error {
	var changes int64
	if err := tx.QueryRow(ctx, `SELECT changes FROM rating_archive_guards WHERE partition = $1`, m.Partition()).Scan(&changes); err != nil {
		return fmt.Errorf("reading the guard of %s: %w", m.Partition(), err)
	}
	if changes != ex.guard {
		return fmt.Errorf("ratings of %s changed while the file was written; nothing was dropped: run the archive again", m)
	}
	if want := ex.manifest.member("rating_cases").Rows; cases != want {
		return fmt.Errorf("%s: %d case numbers to delete, the file has %d; nothing was dropped", m, cases, want)
	}
	reasons, err := cycleReasons(ctx, tx, m)
	if err != nil {
		return err
	}
	open, err := openReasons(ctx, tx, m.Partition(), *part.lo, *part.hi)
	if err != nil {
		return err
	}
	if reasons = append(reasons, open...); len(reasons) > 0 {
		return &RefusedError{Month: m, Reasons: reasons}
	}
	return nil
}

// detach detaches the partition. DETACH needs ratings to itself for a
// moment; waiting at most 3 s a try (withLockRetry) for queries under way
// keeps rating writes from queueing behind it for long.
func detach(ctx context.Context, tx pgx.Tx, name string) error {
	if err := withLockRetry(ctx, tx, `ALTER TABLE ratings DETACH PARTITION `+name); err != nil {
		return fmt.Errorf("detaching %s: %w", name, err)
	}
	return nil
}

// auditEntry is what the audit log keeps of an archive.
func auditEntry(r Record) map[string]any {
	return map[string]any{"month": r.Month.String(), "ratings": r.Ratings, "cases": r.Cases, "holds": r.Holds,
		"file": r.File, "sha256": r.SHA256, "time_zone": r.TimeZone, "by": r.ArchivedBy}
}
