package audit_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/testutil"
)

// write records n entries, each in its own transaction, as actor.
func write(t *testing.T, pool *pgxpool.Pool, actor audit.Actor, n int) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		err := db.Tx(ctx, pool, func(tx pgx.Tx) error {
			return audit.Record(ctx, tx, actor, "unit.update", "unit", "7",
				map[string]any{"name": "甲", "n": i}, map[string]any{"name": "乙", "n": i + 1})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func verify(t *testing.T, pool *pgxpool.Pool, given ...audit.Checkpoint) audit.Verification {
	t.Helper()
	v, err := audit.Verify(context.Background(), pool, given)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// exec runs SQL as someone with the database owner's rights would, behind
// the product's back: the append-only triggers switched off first.
func exec(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	ctx := context.Background()
	for _, s := range []string{
		`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`,
		`ALTER TABLE audit_chain DISABLE TRIGGER audit_chain_append_only`,
		`ALTER TABLE audit_checkpoints DISABLE TRIGGER audit_checkpoints_append_only`,
	} {
		if _, err := pool.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pool.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// Many writers on many connections, some with two entries in one
// transaction and some rolled back: the chain holds every committed entry
// once, in one order, and verifies.
func TestChainVerifiesUnderConcurrentWriters(t *testing.T) {
	pool := testutil.DB(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
					actor := audit.Actor{ID: int64(w + 1), Name: "writer"}
					if err := audit.Record(ctx, tx, actor, "unit.update", "unit", "1", nil, map[string]any{"i": i}); err != nil {
						return err
					}
					if i%4 == 0 {
						if err := audit.Record(ctx, tx, actor, "point.create", "point", "2", nil, map[string]any{"w": w}); err != nil {
							return err
						}
					}
					if i%5 == 0 {
						return errRollback
					}
					return nil
				})
				if err != nil && err != errRollback {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var entries int64
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log`).Scan(&entries); err != nil {
		t.Fatal(err)
	}
	// Per writer: 16 transactions commit (i%5 != 0); of those, i in
	// {4, 8, 12, 16} write two entries.
	if entries != 8*(16+4) {
		t.Fatalf("%d entries, want %d", entries, 8*20)
	}
	v := verify(t, pool)
	if !v.OK || v.Checked != entries || v.HeadSeq != entries {
		t.Fatalf("verification %+v, want ok over %d links", v, entries)
	}
}

type rollback struct{}

func (rollback) Error() string { return "rollback" }

var errRollback error = rollback{}

// The product cannot change or remove an entry: the triggers refuse.
func TestAuditLogIsAppendOnly(t *testing.T) {
	pool := testutil.DB(t)
	write(t, pool, audit.System, 2)
	loc := time.FixedZone("CST", 8*3600)
	if ok, err := audit.MakeCheckpoint(context.Background(), pool, time.Now(), loc); err != nil || !ok {
		t.Fatalf("checkpoint: %v %v", ok, err)
	}
	for _, sql := range []string{
		`UPDATE audit_log SET actor = 'someone' WHERE id = (SELECT min(id) FROM audit_log)`,
		`DELETE FROM audit_log`,
		`TRUNCATE audit_log`,
		`UPDATE audit_chain SET hash = hash`,
		`DELETE FROM audit_chain`,
		`DELETE FROM audit_checkpoints`,
	} {
		_, err := pool.Exec(context.Background(), sql)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: got %v, want it refused as append-only", sql, err)
		}
	}
}

// Each way of changing the record behind the product's back is caught,
// naming the first entry that does not verify.
func TestVerifyCatchesTampering(t *testing.T) {
	ctx := context.Background()
	setup := func(t *testing.T) (*pgxpool.Pool, []int64) {
		pool := testutil.DB(t)
		write(t, pool, audit.Actor{ID: 3, Name: "张三"}, 6)
		rows, _ := pool.Query(ctx, `SELECT entry_id FROM audit_chain ORDER BY seq`)
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil || len(ids) != 6 {
			t.Fatalf("chain %v, %v", ids, err)
		}
		if v := verify(t, pool); !v.OK {
			t.Fatalf("untouched log: %+v", v)
		}
		return pool, ids
	}
	cases := []struct {
		name      string
		tamper    func(t *testing.T, pool *pgxpool.Pool, ids []int64)
		wantEntry int // index into ids, -1: none named
		wantSeq   int64
		want      string
	}{
		{"an entry edited", func(t *testing.T, pool *pgxpool.Pool, ids []int64) {
			exec(t, pool, `UPDATE audit_log SET after = '{"name": "丙"}' WHERE id = $1`, ids[2])
		}, 2, 3, "与链不符"},
		{"an entry's time moved", func(t *testing.T, pool *pgxpool.Pool, ids []int64) {
			exec(t, pool, `UPDATE audit_log SET at = at - interval '1 day' WHERE id = $1`, ids[1])
		}, 1, 2, "与链不符"},
		{"an entry deleted", func(t *testing.T, pool *pgxpool.Pool, ids []int64) {
			exec(t, pool, `DELETE FROM audit_log WHERE id = $1`, ids[3])
		}, 3, 4, "已被删除"},
		{"an entry and its link deleted", func(t *testing.T, pool *pgxpool.Pool, ids []int64) {
			exec(t, pool, `WITH d AS (DELETE FROM audit_log WHERE id = $1) DELETE FROM audit_chain WHERE entry_id = $1`, ids[3])
		}, -1, 4, "缺失"},
		{"the last entry and its link deleted", func(t *testing.T, pool *pgxpool.Pool, ids []int64) {
			exec(t, pool, `WITH d AS (DELETE FROM audit_log WHERE id = $1) DELETE FROM audit_chain WHERE entry_id = $1`, ids[5])
		}, -1, 6, "链头"},
		{"two entries swapped", func(t *testing.T, pool *pgxpool.Pool, ids []int64) {
			exec(t, pool, `UPDATE audit_chain SET entry_id = -1 WHERE entry_id = $1`, ids[1])
			exec(t, pool, `UPDATE audit_chain SET entry_id = $1 WHERE entry_id = $2`, ids[1], ids[4])
			exec(t, pool, `UPDATE audit_chain SET entry_id = $1 WHERE entry_id = -1`, ids[4])
		}, 4, 2, "与链不符"},
		{"an entry inserted with the chain switched off", func(t *testing.T, pool *pgxpool.Pool, ids []int64) {
			exec(t, pool, `ALTER TABLE audit_log DISABLE TRIGGER audit_log_chain`)
			exec(t, pool, `INSERT INTO audit_log (at, actor, action, entity, entity_id)
				SELECT at - interval '1 hour', 'system', 'rating.exclude', 'rating', 'x' FROM audit_log WHERE id = $1`, ids[2])
		}, -1, 0, "不在链中"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pool, ids := setup(t)
			c.tamper(t, pool, ids)
			v := verify(t, pool)
			if v.OK || !strings.Contains(v.Problem, c.want) {
				t.Fatalf("verification %+v, want a problem with %q", v, c.want)
			}
			if c.wantEntry >= 0 && (v.BadEntry == nil || *v.BadEntry != ids[c.wantEntry]) {
				t.Errorf("named entry %v, want %d (%s)", v.BadEntry, ids[c.wantEntry], v.Problem)
			}
			if c.wantSeq > 0 && (v.BadSeq == nil || *v.BadSeq != c.wantSeq) {
				t.Errorf("named link %v, want %d (%s)", v.BadSeq, c.wantSeq, v.Problem)
			}
		})
	}
}

// rewrite recomputes the chain from link 2 on, as someone who changed
// entry id and knows the chain's rule would, so that the chain is
// consistent in itself.
func rewrite(t *testing.T, pool *pgxpool.Pool, id int64) {
	exec(t, pool, `UPDATE audit_log SET actor = '李四' WHERE id = $1`, id)
	exec(t, pool, `DO $$
	DECLARE r record; h bytea;
	BEGIN
		SELECT hash INTO h FROM audit_chain WHERE seq = 1;
		FOR r IN SELECT c.seq, l FROM audit_chain c JOIN audit_log l ON l.id = c.entry_id WHERE c.seq > 1 ORDER BY c.seq LOOP
			h := sha256(h || minyi_audit_entry_bytes(r.l));
			UPDATE audit_chain SET hash = h WHERE seq = r.seq;
		END LOOP;
		UPDATE audit_chain_head SET hash = h;
	END $$`)
}

// A chain rewritten to hide an edit verifies in itself, but not against a
// checkpoint: the stored daily one, or one an auditor kept outside the
// system after the stored ones were removed too.
func TestCheckpointsCatchARewrittenChain(t *testing.T) {
	ctx := context.Background()
	pool := testutil.DB(t)
	loc := time.FixedZone("CST", 8*3600)
	day1 := time.Date(2026, 12, 1, 10, 0, 0, 0, loc)
	write(t, pool, audit.System, 4)
	if ok, err := audit.MakeCheckpoint(ctx, pool, day1, loc); err != nil || !ok {
		t.Fatalf("checkpoint: %v %v", ok, err)
	}
	if ok, _ := audit.MakeCheckpoint(ctx, pool, day1.Add(time.Hour), loc); ok {
		t.Fatal("a second checkpoint on the same day")
	}
	kept, err := audit.Head(ctx, pool, day1)
	if err != nil || kept.Seq != 4 {
		t.Fatalf("head %+v %v", kept, err)
	}
	parsed, err := audit.ParseCheckpoint(kept.String())
	if err != nil || parsed.Seq != kept.Seq || parsed.Hash != kept.Hash {
		t.Fatalf("checkpoint %q read back as %+v, %v", kept.String(), parsed, err)
	}
	write(t, pool, audit.System, 2)
	if ok, err := audit.MakeCheckpoint(ctx, pool, day1.Add(24*time.Hour), loc); err != nil || !ok {
		t.Fatalf("next day's checkpoint: %v %v", ok, err)
	}
	if v := verify(t, pool, kept); !v.OK || v.Checked != 6 {
		t.Fatalf("untouched log with checkpoints: %+v", v)
	}

	var second int64
	if err := pool.QueryRow(ctx, `SELECT entry_id FROM audit_chain WHERE seq = 2`).Scan(&second); err != nil {
		t.Fatal(err)
	}
	rewrite(t, pool, second)
	v := verify(t, pool)
	if v.OK || !strings.Contains(v.Problem, "检查点") || v.BadSeq == nil || *v.BadSeq != 4 {
		t.Fatalf("rewritten chain against stored checkpoints: %+v", v)
	}
	exec(t, pool, `DELETE FROM audit_checkpoints`)
	if v := verify(t, pool); !v.OK {
		t.Fatalf("a consistent rewrite without checkpoints cannot be told: %+v", v)
	}
	v = verify(t, pool, kept)
	if v.OK || !strings.Contains(v.Problem, "检查点") {
		t.Fatalf("rewritten chain against the auditor's checkpoint: %+v", v)
	}
	if _, err := audit.ParseCheckpoint("4:zz"); err == nil {
		t.Error("a malformed checkpoint was accepted")
	}
}

// The maintenance makes one checkpoint and one verification a day, and the
// newest verification is what the overview shows.
func TestDailyUpkeep(t *testing.T) {
	ctx := context.Background()
	pool := testutil.DB(t)
	loc := time.FixedZone("CST", 8*3600)
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, loc)
	if v, err := audit.LastVerification(ctx, pool); err != nil || v != nil {
		t.Fatalf("before any: %+v %v", v, err)
	}
	write(t, pool, audit.System, 3)
	for _, at := range []time.Time{now, now.Add(2 * time.Hour)} {
		if err := audit.DailyUpkeep(ctx, pool, at, loc); err != nil {
			t.Fatal(err)
		}
	}
	var checkpoints, verifications int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM audit_checkpoints), (SELECT count(*) FROM audit_verifications)`).
		Scan(&checkpoints, &verifications); err != nil {
		t.Fatal(err)
	}
	if checkpoints != 1 || verifications != 1 {
		t.Fatalf("%d checkpoints and %d verifications in one day, want 1 and 1", checkpoints, verifications)
	}
	exec(t, pool, `DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)`)
	if err := audit.DailyUpkeep(ctx, pool, now.Add(24*time.Hour), loc); err != nil {
		t.Fatal(err)
	}
	last, err := audit.LastVerification(ctx, pool)
	if err != nil || last == nil || last.OK || !last.StartedAt.Equal(now.Add(24*time.Hour)) || last.BadEntry == nil {
		t.Fatalf("newest verification %+v %v, want the next day's, failed, naming the entry", last, err)
	}
}

// A transaction that writes many entries links them all with one update of
// the chain's head (one update per entry made linking quadratic at
// commit), and the chain verifies with entries of other transactions
// before and after it.
func TestManyEntriesInOneTransactionLinkAtOnce(t *testing.T) {
	pool := testutil.DB(t)
	ctx := context.Background()
	write(t, pool, audit.Actor{ID: 1, Name: "before"}, 3)
	const n = 500
	var before, updates int64
	// The counter also holds the connection's earlier transactions until
	// its statistics are flushed: the difference is this one's.
	const counted = `SELECT pg_stat_get_xact_tuples_updated('audit_chain_head'::regclass)`
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, counted).Scan(&before); err != nil {
			return err
		}
		for i := range n {
			if err := audit.Record(ctx, tx, audit.Actor{ID: 2, Name: "bulk"}, "unit.update", "unit", "9", nil, map[string]any{"i": i}); err != nil {
				return err
			}
		}
		// The links run now instead of at the commit, so that this
		// transaction's own statistics can count the head's updates.
		if _, err := tx.Exec(ctx, `SET CONSTRAINTS audit_log_chain IMMEDIATE`); err != nil {
			return err
		}
		return tx.QueryRow(ctx, counted).Scan(&updates)
	})
	updates -= before
	if err != nil {
		t.Fatal(err)
	}
	if updates != 1 {
		t.Errorf("the head was updated %d times for %d entries, want once", updates, n)
	}
	write(t, pool, audit.Actor{ID: 1, Name: "after"}, 2)
	if v := verify(t, pool); !v.OK || v.Checked != n+5 || v.HeadSeq != n+5 {
		t.Fatalf("verification %+v, want ok over %d links", v, n+5)
	}
	var misplaced int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_chain c JOIN audit_log a ON a.id = c.entry_id
		WHERE a.actor = 'bulk' AND c.seq NOT BETWEEN 4 AND 3 + $1`, n).Scan(&misplaced); err != nil || misplaced != 0 {
		t.Errorf("%d of the transaction's entries linked outside its run of the chain (%v)", misplaced, err)
	}
}
