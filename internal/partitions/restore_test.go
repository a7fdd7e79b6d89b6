package partitions

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// archived is a fixture whose month old is archived to path.
func archived(t *testing.T) (f *fixture, path, sum string) {
	t.Helper()
	f = newFixture(t)
	f.rate(f.unit, f.old, 2, 5, 4, 1)
	f.rate(f.unit2, f.old, 20, 3, 3)
	f.oddRating(f.old)
	f.rollUp()
	sum = f.rowsChecksum(f.old)
	path = f.archivePath(f.old)
	if _, err := Archive(f.ctx, f.pool, f.policy(retention), f.old, path, "tester"); err != nil {
		t.Fatal(err)
	}
	return f, path, sum
}

// unchanged checks that a refused restore left the month archived.
func (f *fixture) unchanged(state string) {
	f.t.Helper()
	if f.hasTable(f.old.Partition()) || f.monthCount(f.old) != 0 {
		f.t.Errorf("%s: the refused restore brought the month back", state)
	}
	if f.count(`SELECT count(*) FROM rating_archives WHERE restored_at IS NULL`) != 1 ||
		f.count(`SELECT count(*) FROM audit_log WHERE action = 'ratings.restore'`) != 0 {
		f.t.Errorf("%s: the refused restore changed the archive record", state)
	}
}

func TestRestoreRefusesDamagedFiles(t *testing.T) {
	f, path, sum := archived(t)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	damaged := map[string][]byte{
		"empty":     {},
		"truncated": good[:len(good)/2],
		"not a tar": []byte("id,rated_at\n1,2\n"),
	}
	// The zeros padding the manifest to a whole tar block: no checksum of
	// the tar covers them, only the file's SHA-256 recorded with the archive.
	padding := bytes.Index(good, []byte("\n}")) + 2
	for name, at := range map[string]int{"manifest": 600, "padding": padding, "middle": len(good) / 2, "end": len(good) - 1} {
		b := append([]byte(nil), good...)
		b[at] ^= 0x20
		damaged["byte flipped in the "+name] = b
	}
	for name, b := range damaged {
		bad := filepath.Join(t.TempDir(), "bad.tar")
		if err := os.WriteFile(bad, b, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Restore(f.ctx, f.pool, shanghai, bad, "tester")
		var ce *CorruptError
		if err == nil || (!errors.As(err, &ce) && !strings.Contains(err.Error(), "is not the archive of "+f.old.String()+" in force")) {
			t.Errorf("%s: restore %v, want it refused as damaged", name, err)
		}
		t.Logf("%s: %v", name, err)
		f.unchanged(name)
	}

	// The intact file restores.
	if _, err := Restore(f.ctx, f.pool, shanghai, path, "tester"); err != nil {
		t.Fatal(err)
	}
	if got := f.rowsChecksum(f.old); got != sum {
		t.Errorf("restored rows %s, want %s", got, sum)
	}
}

func TestRestoreRefusesAMonthThatHasRatings(t *testing.T) {
	f, path, _ := archived(t)
	f.exec(`SELECT minyi_ensure_rating_partitions($1::date, 1, 'Asia/Shanghai')`, f.old.First())
	f.rate(f.unit, f.old, 9, 5)
	_, err := Restore(f.ctx, f.pool, shanghai, path, "tester")
	if err == nil || !strings.Contains(err.Error(), "already has 1 ratings") {
		t.Errorf("restore over a month with a rating: %v", err)
	}
	if f.monthCount(f.old) != 1 || f.count(`SELECT count(*) FROM rating_archives WHERE restored_at IS NULL`) != 1 {
		t.Error("the refused restore changed the month")
	}
	// An empty partition is filled.
	lo, hi := f.old.Bounds(shanghai)
	f.exec(`DELETE FROM ratings WHERE rated_at >= $1 AND rated_at < $2`, lo, hi)
	if res, err := Restore(f.ctx, f.pool, shanghai, path, "tester"); err != nil || res.Ratings != 6 {
		t.Errorf("restore into the empty partition: %+v, %v", res, err)
	}
}

// A month rolled up again while archived (TIME_ZONE changed and back)
// has an aggregate that no longer counts its ratings: the restore hands
// its days back to the rollup, so the scores read the ratings again.
func TestRestoreHandsADifferingAggregateBackToTheRollup(t *testing.T) {
	f, path, _ := archived(t)
	f.exec(`UPDATE rating_daily_counts SET n5 = n5 + 7 WHERE day = $1`, f.old.First().AddDate(0, 0, 1))
	res, err := Restore(f.ctx, f.pool, shanghai, path, "tester")
	if err != nil || !res.Unrolled {
		t.Fatalf("restore: %+v, %v; want the month's days handed back to the rollup", res, err)
	}
	lo, hi := f.old.First(), f.old.Add(1).First()
	if n := f.count(`SELECT count(*) FROM rating_rollup_days WHERE day >= $1 AND day < $2`, lo, hi); n != 0 {
		t.Errorf("%d days of the month still count as rolled up", n)
	}
	if got, direct := f.daily(f.old), f.direct(f.old); !maps.Equal(got, direct) {
		t.Errorf("scores read %v, the ratings count %v", got, direct)
	}
	f.rollUp()
	if got, direct := f.daily(f.old), f.direct(f.old); !maps.Equal(got, direct) {
		t.Errorf("after the rollup the scores read %v, the ratings count %v", got, direct)
	}
	if n := f.count(`SELECT count(*) FROM rating_rollup_days WHERE day >= $1 AND day < $2`, lo, hi); n == 0 {
		t.Error("the rollup did not roll the month again")
	}
}

func TestRestoreRefusesAnotherArchiveOfTheMonth(t *testing.T) {
	f, path, _ := archived(t)
	man, _, err := readArchive(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A well-formed archive of the same month that is not the one in
	// force (its manifest dated differently).
	man.CreatedAt = man.CreatedAt.Add(-time.Hour)
	other := filepath.Join(t.TempDir(), "other.tar")
	spools := respool(t, path, man)
	if err := writeArchive(other, man, spools); err != nil {
		t.Fatal(err)
	}
	_, err = Restore(f.ctx, f.pool, shanghai, other, "tester")
	if err == nil || !strings.Contains(err.Error(), "is not the archive of "+f.old.String()+" in force") {
		t.Errorf("restore of another archive: %v", err)
	}
	f.unchanged("another archive")
}

// respool copies the members of the archive at path into spools, as
// writeArchive takes them.
func respool(t *testing.T, path string, man Manifest) []*spool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	var out []*spool
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Name == manifestName {
			continue
		}
		tmp, err := os.CreateTemp(t.TempDir(), "member")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(tmp, tr); err != nil {
			t.Fatal(err)
		}
		s := &spool{f: tmp}
		t.Cleanup(s.remove)
		out = append(out, s)
	}
	if len(out) != len(man.Tables) {
		t.Fatalf("%d members, manifest lists %d", len(out), len(man.Tables))
	}
	return out
}

// A case number reused by a newer rating while its month was archived
// stays with the newer rating; the restore says so.
func TestRestoreLeavesTakenCaseNumbers(t *testing.T) {
	f, path, _ := archived(t)
	newer := f.rate(f.unit, f.current, 1, 4)[0]
	f.exec(`INSERT INTO rating_cases (unit_id, case_no, rating_id) VALUES ($1, 'CASE-2019-001', $2)`, f.unit, newer)
	res, err := Restore(f.ctx, f.pool, shanghai, path, "tester")
	if err != nil || res.Cases != 0 || res.CasesSkipped != 1 || res.Ratings != 6 {
		t.Fatalf("restore: %+v, %v; want the ratings back and the case number skipped", res, err)
	}
	if f.count(`SELECT count(*) FROM rating_cases WHERE case_no = 'CASE-2019-001' AND rating_id = $1`, newer) != 1 {
		t.Error("the newer rating lost its case number")
	}
}

// An archive written before migration 0077 has no level, held or excluded
// in its rating_holds rows: the restore takes them from the ratings.
func TestRestoreOfAnOlderArchiveFillsTheHoldsState(t *testing.T) {
	f := newFixture(t)
	f.rate(f.unit, f.old, 3, 5, 4)
	held := f.rate(f.unit2, f.old, 16, 2)[0]
	f.heldRecord(held)
	f.rollUp()
	// The table as it was before 0077, while the month is archived.
	f.exec(`ALTER TABLE rating_holds DROP COLUMN level, DROP COLUMN held, DROP COLUMN excluded`)
	path := f.archivePath(f.old)
	if _, err := Archive(f.ctx, f.pool, f.policy(retention), f.old, path, "tester"); err != nil {
		t.Fatal(err)
	}
	f.exec(`ALTER TABLE rating_holds ADD COLUMN level smallint, ADD COLUMN held boolean, ADD COLUMN excluded boolean`)
	back, err := Restore(f.ctx, f.pool, shanghai, path, "tester")
	if err != nil || back.Holds != 1 {
		t.Fatalf("restore %+v, %v; want the hold back", back, err)
	}
	if n := f.count(`SELECT count(*) FROM rating_holds WHERE rating_id = $1 AND level = 2 AND NOT held AND excluded`, held); n != 1 {
		t.Error("the restored hold lacks its rating's level, held and excluded")
	}
}
