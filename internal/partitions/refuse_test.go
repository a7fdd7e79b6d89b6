package partitions

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/ratings"
)

// refused archives month m and expects a refusal naming want, with no file
// written and the partition in place.
func (f *fixture) refused(m Month, want string) {
	f.t.Helper()
	path := f.archivePath(m)
	_, err := Archive(f.ctx, f.pool, f.policy(retention), m, path, "tester")
	var re *RefusedError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), want) {
		f.t.Errorf("archive %s: %v, want a refusal naming %q", m, err, want)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		f.t.Errorf("archive %s refused but wrote %s", m, path)
	}
	if !f.hasTable(m.Partition()) {
		f.t.Errorf("archive %s refused but dropped its partition", m)
	}
}

func TestArchiveRefusesMonthsThePolicyKeeps(t *testing.T) {
	f := newFixture(t)
	f.rate(f.unit, f.old.Add(-1), 4, 5, 4)
	f.rate(f.unit, f.kept, 4, 5)
	f.rate(f.unit, f.current, 1, 3)
	f.openCycle(f.old.Add(-1))
	f.rollUp()

	f.refused(f.old.Add(-1), "inside the assessment cycle")
	f.refused(f.kept, "within the retention period")
	f.refused(f.current, "the current month")
	f.refused(f.current.Add(1), "a future month")
	_, err := Archive(f.ctx, f.pool, f.policy(0), f.old, f.archivePath(f.old), "tester")
	if err == nil || !strings.Contains(err.Error(), "RATINGS_RETENTION_MONTHS is 0") {
		t.Errorf("archive with RATINGS_RETENTION_MONTHS=0: %v", err)
	}
	var np NoPartitionError
	if _, err := Archive(f.ctx, f.pool, f.policy(retention), f.old.Add(-30), f.archivePath(f.old), "tester"); !errors.As(err, &np) {
		t.Errorf("archive of a month without partition: %v", err)
	}

	// Publishing the cycle's final results closes it; reopening opens it again.
	f.exec(`INSERT INTO assessment_publications (cycle_id, stage, published_at, settings_version, scheme_version)
		SELECT id, 'final', now(), 1, 1 FROM assessment_cycles`)
	if reasons, err := f.policy(retention).Check(f.ctx, f.pool, f.old.Add(-1)); err != nil || len(reasons) > 0 {
		t.Errorf("month of a closed cycle: %v, %v; want it archivable", reasons, err)
	}
	f.exec(`UPDATE assessment_publications SET reopened_at = now(), reopen_reason = '更正'`)
	f.refused(f.old.Add(-1), "inside the assessment cycle")
}

func TestArchiveRefusesMonthsWithOpenBusiness(t *testing.T) {
	f := newFixture(t)
	ids := f.rate(f.unit, f.old, 6, 1, 2, 3, 5)
	f.rollUp()
	p := f.policy(retention)
	check := func(state string, want string) {
		t.Helper()
		reasons, err := p.Check(f.ctx, f.pool, f.old)
		got := strings.Join(reasons, "; ")
		if err != nil || (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("%s: reasons %q (%v), want %q", state, got, err, want)
		}
		if want != "" {
			f.refused(f.old, want)
		}
	}
	check("nothing open", "")

	// An exclusion after the rollup waits in rating_dirty for the next one.
	err := db.Tx(f.ctx, f.pool, func(tx pgx.Tx) error {
		_, err := ratings.Exclude(f.ctx, tx, audit.System, ids[0], "测试剔除")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	check("exclusion not rolled up", "1 change not yet counted by the daily aggregate")
	f.rollUp()
	check("exclusion rolled up", "")

	f.exec(`UPDATE ratings SET held = true, excluded = true WHERE id = $1`, ids[1])
	check("held rating", "1 rating held by the daily cap awaits")
	// Changed by hand without a mark, the aggregate no longer counts the
	// month's ratings: the comparison made while exporting catches it.
	f.exec(`UPDATE ratings SET held = false WHERE id = $1`, ids[1])
	f.refused(f.old, "the daily aggregate counts 1 unit-days and 1 unit-months differently from its ratings")
	f.exec(`UPDATE ratings SET excluded = false WHERE id = $1`, ids[1])

	f.exec(`INSERT INTO feedback_appeals (rating_id, unit_id, grounds) VALUES ($1, $2, '恶意差评')`, ids[1], f.unit)
	check("open appeal", "1 open appeal")
	f.exec(`UPDATE feedback_appeals SET status = 'rejected', decided_at = now()`)

	f.exec(`INSERT INTO feedback_flags (kind, unit_id, subject, window_start, window_end, rating_ids)
		VALUES ('burst_address', $1, '\x01', now(), now(), $2)`, f.unit, ids[:2])
	check("open flag", "1 open suspicious-pattern flag")
	f.exec(`UPDATE feedback_flags SET status = 'dismissed'`)

	var caseID int64
	if err := f.pool.QueryRow(f.ctx, `INSERT INTO rectification_cases (unit_id, source_kind, source_id, problem)
		VALUES ($1, 'rating', $2, '服务态度差') RETURNING id`, f.unit, ids[1].String()).Scan(&caseID); err != nil {
		t.Fatal(err)
	}
	f.exec(`INSERT INTO case_sources (case_id, source_kind, source_id) VALUES ($1, 'rating', $2)`, caseID, ids[1].String())
	check("case sent", "1 rectification case from its ratings is not closed")
	f.exec(`UPDATE rectification_cases SET status = 'closed', closed_at = now()`)

	f.exec(`INSERT INTO feedback_reviews (source_kind, source_id, unit_id, verdict, version) VALUES ('rating', $1, $2, NULL, 2)`,
		ids[2].String(), f.unit)
	check("reopened review", "1 reopened feedback review")
	f.exec(`UPDATE feedback_reviews SET verdict = 'valid'`)

	check("everything decided", "")
	if _, err := Archive(f.ctx, f.pool, p, f.old, f.archivePath(f.old), "tester"); err != nil {
		t.Errorf("archive once everything is decided: %v", err)
	}
}

// A rating that changes between the export and the drop stops the drop:
// the guard counter moved, so the file would not hold the dropped rows.
func TestArchiveDropsNothingWhenTheMonthChangesMeanwhile(t *testing.T) {
	f := newFixture(t)
	ids := f.rate(f.unit, f.old, 6, 1, 2, 3, 5)
	f.oddRating(f.old)
	f.rollUp()
	p := f.policy(retention)
	sum := f.rowsChecksum(f.old)
	part, err := findPartition(f.ctx, f.pool, f.old)
	if err != nil {
		t.Fatal(err)
	}
	path := f.archivePath(f.old)
	if err := installGuard(f.ctx, f.pool, f.old); err != nil {
		t.Fatal(err)
	}
	ex, err := export(f.ctx, f.pool, p, f.old, part, path)
	if err != nil {
		t.Fatal(err)
	}
	// The office decides on a rating meanwhile; the hold decision changes
	// no count and marks nothing dirty, so only the guard sees it.
	f.exec(`UPDATE ratings SET exclude_reason = '复核后说明' WHERE id = $1`, ids[0])
	sum2 := f.rowsChecksum(f.old)
	_, err = drop(f.ctx, f.pool, p, f.old, part, ex, path, "tester")
	if err == nil || !strings.Contains(err.Error(), "changed while the file was written") {
		t.Fatalf("drop after a change: %v, want it refused", err)
	}
	if !f.hasTable(f.old.Partition()) || f.rowsChecksum(f.old) != sum2 || sum2 == sum {
		t.Error("the refused drop changed the month")
	}
	if f.count(`SELECT count(*) FROM rating_archives`) != 0 {
		t.Error("the refused drop recorded an archive")
	}
	// Archiving again writes the month as it is now.
	if _, err := Archive(f.ctx, f.pool, p, f.old, path, "tester"); err != nil {
		t.Fatal(err)
	}
	if _, err := Restore(f.ctx, f.pool, shanghai, path, "tester"); err != nil {
		t.Fatal(err)
	}
	if got := f.rowsChecksum(f.old); got != sum2 {
		t.Errorf("restored rows %s, want the changed month %s", got, sum2)
	}
}
