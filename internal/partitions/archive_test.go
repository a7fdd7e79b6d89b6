package partitions

import (
	"bytes"
	"maps"
	"os"
	"strings"
	"testing"
)

func TestListShowsCountsSizesAndWhy(t *testing.T) {
	f := newFixture(t)
	f.rate(f.unit, f.old, 5, 5, 4, 3, 2, 1)
	f.rate(f.unit, f.old.Add(-1), 2, 5, 5, 4)
	f.rate(f.unit2, f.kept, 9, 3)
	f.openCycle(f.old.Add(-1))
	f.rollUp()

	list, err := List(f.ctx, f.pool, f.policy(retention))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Partition{}
	for _, p := range list {
		byName[p.Name] = p
		if p.Bytes <= 0 || p.Size == "" {
			t.Errorf("%s: size %d %q, want the size of its table and indexes", p.Name, p.Bytes, p.Size)
		}
	}
	if last := list[len(list)-1]; last.Name != DefaultPartition || !strings.Contains(strings.Join(last.Reasons, ";"), "never archived") {
		t.Errorf("last row %s %v, want the default partition, never archived", last.Name, last.Reasons)
	}
	for i := 1; i < len(list)-1; i++ {
		if !list[i-1].Month.Before(*list[i].Month) {
			t.Errorf("months out of order: %s before %s", list[i-1].Name, list[i].Name)
		}
	}
	want := []struct {
		month   Month
		ratings int64
		reason  string // "" means archivable
	}{
		{f.old.Add(-1), 3, "inside the assessment cycle 专项考核 " + f.old.Add(-1).String()},
		{f.old, 5, ""},
		{f.old.Add(1), 0, "within the retention period (RATINGS_RETENTION_MONTHS=3): may be archived from " + f.current.Add(1).String()},
		{f.kept, 1, "within the retention period (RATINGS_RETENTION_MONTHS=3): may be archived from " + f.current.Add(2).String()},
		{f.current, 0, "the current month"},
		{f.current.Add(1), 0, "a future month"},
	}
	for _, w := range want {
		p, ok := byName[w.month.Partition()]
		if !ok {
			t.Errorf("%s not listed", w.month.Partition())
			continue
		}
		if p.Ratings != w.ratings {
			t.Errorf("%s: %d ratings, want %d", p.Name, p.Ratings, w.ratings)
		}
		if got := strings.Join(p.Reasons, "; "); (w.reason == "") != p.Archivable() || !strings.Contains(got, w.reason) {
			t.Errorf("%s: reasons %q, want %q", p.Name, got, w.reason)
		}
	}

	list, err = List(f.ctx, f.pool, f.policy(0))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range list {
		if p.Archivable() {
			t.Errorf("%s archivable with RATINGS_RETENTION_MONTHS=0", p.Name)
		}
		if p.Name == f.old.Partition() && !strings.Contains(p.Reasons[0], "RATINGS_RETENTION_MONTHS is 0") {
			t.Errorf("%s: %v, want the retention setting named", p.Name, p.Reasons)
		}
	}
}

func TestArchiveDropsTheMonthKeepsScoresAndRestoresExactly(t *testing.T) {
	f := newFixture(t)
	f.rate(f.unit, f.old, 1, 5, 4, 4, 3)
	f.rate(f.unit, f.old, 28, 2, 1)
	f.rate(f.unit2, f.old, 15, 5, 5, 5, 5)
	held := f.rate(f.unit2, f.old, 16, 1)[0]
	f.heldRecord(held)
	odd := f.oddRating(f.old)
	f.rate(f.unit, f.old.Add(1), 1, 5, 5)
	f.rate(f.unit, f.old.Add(-1), 30, 3)
	cy := f.closedCycle(f.old)
	f.rollUp()

	total := f.count(`SELECT count(*) FROM ratings`)
	n := f.monthCount(f.old)
	sum := f.rowsChecksum(f.old)
	daily, report := f.daily(f.old), f.report(cy.ID)
	if n != 12 || !maps.Equal(daily, f.direct(f.old)) {
		t.Fatalf("fixture: %d ratings in %s, aggregate %v vs direct %v", n, f.old, daily, f.direct(f.old))
	}

	path := f.archivePath(f.old)
	res, err := Archive(f.ctx, f.pool, f.policy(retention), f.old, path, "tester")
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Record; res.Already || r.Ratings != n || r.Cases != 1 || r.Holds != 1 || r.File != path || r.ArchivedBy != "tester" {
		t.Errorf("archive record %+v (already %v), want %d ratings, 1 case number, 1 hold, file %s", r, res.Already, n, path)
	}
	if f.hasTable(f.old.Partition()) {
		t.Errorf("%s still exists", f.old.Partition())
	}
	if got := f.count(`SELECT count(*) FROM ratings`); got != total-n {
		t.Errorf("%d ratings after archiving, want %d - %d", got, total, n)
	}
	if f.count(`SELECT count(*) FROM rating_cases WHERE rating_id = $1`, odd) != 0 ||
		f.count(`SELECT count(*) FROM rating_holds WHERE rating_id = $1`, held) != 0 {
		t.Error("the month's rating_cases or rating_holds rows are still there")
	}
	if f.count(`SELECT count(*) FROM audit_log WHERE action = 'ratings.archive' AND entity_id = $1`, f.old.String()) != 1 {
		t.Error("no audit entry for the archive")
	}
	if got := f.daily(f.old); !maps.Equal(got, daily) {
		t.Errorf("daily counts after archiving %v, before %v", got, daily)
	}
	if direct := f.direct(f.old); maps.Equal(direct, daily) {
		t.Errorf("the ratings still count %v: the month was not removed", direct)
	}
	if got := f.report(cy.ID); got != report {
		t.Errorf("the closed cycle's scores changed:\nbefore %s\nafter  %s", report, got)
	}

	file := fileBytes(t, path)
	again, err := Archive(f.ctx, f.pool, f.policy(retention), f.old, f.archivePath(f.old), "tester")
	if err != nil || !again.Already || again.Record.ID != res.Record.ID {
		t.Errorf("second archive: %+v, %v; want the first archive reported", again, err)
	}
	if !bytes.Equal(fileBytes(t, path), file) {
		t.Error("the second archive rewrote the file")
	}
	if list, _ := Archives(f.ctx, f.pool); len(list) != 1 || list[0].Month != f.old {
		t.Errorf("archives in force %+v, want %s", list, f.old)
	}

	back, err := Restore(f.ctx, f.pool, shanghai, path, "tester")
	if err != nil {
		t.Fatal(err)
	}
	if back.Already || back.Ratings != n || back.Cases != 1 || back.Holds != 1 || back.Unrolled || back.CasesSkipped != 0 {
		t.Errorf("restore %+v, want %d ratings, 1 case number, 1 hold, the aggregate matching", back, n)
	}
	if got := f.rowsChecksum(f.old); got != sum {
		t.Errorf("rows after restore %s, before archive %s", got, sum)
	}
	if f.count(`SELECT count(*) FROM pg_inherits WHERE inhrelid = $1::regclass AND inhparent = 'ratings'::regclass`, f.old.Partition()) != 1 {
		t.Error("the restored month is not a partition of ratings")
	}
	// The same indexes as its neighbour's, each attached to the index of ratings.
	const attachedIndexes = `SELECT count(*) FROM pg_index i JOIN pg_inherits h ON h.inhrelid = i.indexrelid WHERE i.indrelid = $1::regclass`
	const indexes = `SELECT count(*) FROM pg_index WHERE indrelid = $1::regclass`
	if n, want := f.count(attachedIndexes, f.old.Partition()), f.count(indexes, f.old.Add(1).Partition()); n != want ||
		f.count(indexes, f.old.Partition()) != want {
		t.Errorf("the restored partition has %d of %d indexes attached to ratings'", n, want)
	}
	if f.count(`SELECT count(*) FROM rating_archives WHERE restored_at IS NOT NULL AND restored_by = 'tester'`) != 1 ||
		f.count(`SELECT count(*) FROM audit_log WHERE action = 'ratings.restore'`) != 1 {
		t.Error("the archive is not marked restored, or the restore is not audited")
	}
	if got := f.daily(f.old); !maps.Equal(got, daily) || !maps.Equal(f.direct(f.old), daily) {
		t.Errorf("after restore: aggregate %v, direct %v, want %v", got, f.direct(f.old), daily)
	}
	if twice, err := Restore(f.ctx, f.pool, shanghai, path, "tester"); err != nil || !twice.Already {
		t.Errorf("second restore: %+v, %v; want it reported as done", twice, err)
	}
	if got := f.rowsChecksum(f.old); got != sum {
		t.Error("the second restore changed the rows")
	}

	// A restored month can be archived again.
	res2, err := Archive(f.ctx, f.pool, f.policy(retention), f.old, path, "tester")
	if err != nil || res2.Already || res2.Record.Ratings != n {
		t.Errorf("archiving the restored month: %+v, %v", res2, err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Error(err)
	}
}
