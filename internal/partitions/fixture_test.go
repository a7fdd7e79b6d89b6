package partitions

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/audit"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/ratings"
	"minyi/internal/scores"
	"minyi/internal/scores/scorestest"
	"minyi/internal/testutil"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// retention is the RATINGS_RETENTION_MONTHS of the tests: the smallest
// allowed, so the daily rollup of the tests covers only a few months.
const retention = 3

// fixture is a test database with two units and the partitions of the
// months around old, the newest month retention allows archiving, and of
// kept, a month within the retention period.
type fixture struct {
	t            *testing.T
	ctx          context.Context
	pool         *pgxpool.Pool
	data         *scorestest.Data
	now          time.Time
	current, old Month
	kept         Month
	unit, unit2  int64
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	pool := testutil.DB(t)
	now := time.Now()
	f := &fixture{t: t, ctx: context.Background(), pool: pool, data: scorestest.New(t, pool, shanghai), now: now,
		current: MonthOf(now, shanghai)}
	f.old, f.kept = f.current.Add(-retention-1), f.current.Add(-retention+1)
	f.exec(`SELECT minyi_ensure_rating_partitions($1::date, 3, 'Asia/Shanghai')`, f.old.Add(-1).First())
	f.exec(`SELECT minyi_ensure_rating_partitions($1::date, 1, 'Asia/Shanghai')`, f.kept.First())
	f.unit = f.data.Unit("市税务局", scorestest.CategoryA)
	f.unit2 = f.data.Unit("市民政局", scorestest.CategoryA)
	return f
}

func (f *fixture) policy(months int) Policy {
	return Policy{RetentionMonths: months, Location: shanghai, Now: f.now}
}

func (f *fixture) exec(sql string, args ...any) {
	f.t.Helper()
	if _, err := f.pool.Exec(f.ctx, sql, args...); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

func (f *fixture) count(sql string, args ...any) int64 {
	f.t.Helper()
	var n int64
	if err := f.pool.QueryRow(f.ctx, sql, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// rate stores QR ratings through the writer on a day of month m.
func (f *fixture) rate(unit int64, m Month, day int, levels ...int) []uuid.UUID {
	f.t.Helper()
	return f.data.Ratings(unit, fmt.Sprintf("%s-%02d 10:%02d", m, day, day), levels...)
}

// oddRating stores, with SQL, a terminal rating of month m on which every
// kind of value must survive the round trip: a comment with a comma,
// quotes and a line break, a reason with a comma, bytes, an empty string
// beside NULLs, and a case number with its rating_cases row.
func (f *fixture) oddRating(m Month) uuid.UUID {
	f.t.Helper()
	id := uuid.New()
	at := time.Date(m.Year, m.Month, 3, 9, 15, 30, 123456000, shanghai)
	f.exec(`INSERT INTO ratings (id, rated_at, channel, unit_id, level, points, reasons, comment, phone_enc,
		phone_mask, case_no, window_no, staff_no, client_hash)
		VALUES ($1, $2, 'terminal', $3, 2, 30, $4, $5, '\x00ff10'::bytea, '138****1234', 'CASE-2019-001', NULL, '', '\xabcd'::bytea)`,
		id, at, f.unit, []string{"办事效率低", "其他, 含逗号"}, "多行\n\"引号\", 逗号，以及 \\N 与 NULL")
	f.exec(`INSERT INTO rating_cases (unit_id, case_no, rating_id) VALUES ($1, 'CASE-2019-001', $2)`, f.unit, id)
	return id
}

// heldRecord marks a rating of month m as one the daily cap held and the
// office decided not to count, with its rating_holds row.
func (f *fixture) heldRecord(id uuid.UUID) {
	f.t.Helper()
	f.exec(`UPDATE ratings SET excluded = true, exclude_reason = '不计入' WHERE id = $1`, id)
	f.exec(`INSERT INTO rating_holds (rating_id, rated_at, unit_id, day, source, label, daily_cap, level, held, excluded)
		SELECT id, rated_at, unit_id, (rated_at AT TIME ZONE 'Asia/Shanghai')::date, '\x01'::bytea, '203.0.113.7', 20,
			level, false, true
		FROM ratings WHERE id = $1`, id)
}

// rollUp brings the daily aggregate up to date.
func (f *fixture) rollUp() {
	f.t.Helper()
	if _, err := ratings.RollUp(f.ctx, f.pool, f.now, shanghai); err != nil {
		f.t.Fatal(err)
	}
}

// closedCycle creates a cycle over the year of m with final results
// published.
func (f *fixture) closedCycle(m Month) cycles.Cycle {
	f.t.Helper()
	cy := f.data.Cycle(fmt.Sprintf("%d年度", m.Year), m.Year, scorestest.Config())
	f.exec(`INSERT INTO assessment_publications (cycle_id, stage, published_at, settings_version, scheme_version)
		VALUES ($1, 'final', now(), 1, 1)`, cy.ID)
	return cy
}

// openCycle creates a cycle over month m alone, its results not final.
func (f *fixture) openCycle(m Month) {
	f.t.Helper()
	last := m.Add(1).First().AddDate(0, 0, -1)
	err := db.Tx(f.ctx, f.pool, func(tx pgx.Tx) error {
		in := cycles.CycleInput{Name: "专项考核 " + m.String(), Year: m.Year,
			PeriodStart: m.First().Format(time.DateOnly), PeriodEnd: last.Format(time.DateOnly)}
		_, err := cycles.CreateCycle(f.ctx, tx, audit.System, in, scorestest.Config())
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

// rowsChecksum is a checksum of month m's ratings and of their
// rating_cases and rating_holds rows, every column included.
func (f *fixture) rowsChecksum(m Month) string {
	f.t.Helper()
	lo, hi := m.Bounds(shanghai)
	var a, b, c string
	err := f.pool.QueryRow(f.ctx, `SELECT
		coalesce(md5(string_agg(r::text, ',' ORDER BY r.id)), ''),
		coalesce((SELECT md5(string_agg(c::text, ',' ORDER BY c.case_no)) FROM rating_cases c
			WHERE c.rating_id IN (SELECT id FROM ratings WHERE rated_at >= $1 AND rated_at < $2)), ''),
		coalesce((SELECT md5(string_agg(h::text, ',' ORDER BY h.rating_id)) FROM rating_holds h
			WHERE h.rated_at >= $1 AND h.rated_at < $2), '')
		FROM ratings r WHERE r.rated_at >= $1 AND r.rated_at < $2`, lo, hi).Scan(&a, &b, &c)
	if err != nil {
		f.t.Fatal(err)
	}
	return a + "/" + b + "/" + c
}

// monthCount is the number of month m's ratings.
func (f *fixture) monthCount(m Month) int64 {
	lo, hi := m.Bounds(shanghai)
	return f.count(`SELECT count(*) FROM ratings WHERE rated_at >= $1 AND rated_at < $2`, lo, hi)
}

// hasTable reports whether the table exists.
func (f *fixture) hasTable(name string) bool {
	return f.count(`SELECT count(*) FROM pg_class WHERE relname = $1`, name) == 1
}

// daily reads the daily level counts of the units over the year of m,
// through the aggregate, as the scores read them.
func (f *fixture) daily(m Month) map[int64]ratings.LevelCounts {
	f.t.Helper()
	y := fmt.Sprint(m.Year)
	got, err := ratings.DailyLevelCounts(f.ctx, f.pool, y+"-01-01", y+"-12-31", shanghai, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return got
}

// direct counts the same straight from the ratings.
func (f *fixture) direct(m Month) map[int64]ratings.LevelCounts {
	f.t.Helper()
	y := fmt.Sprint(m.Year)
	got, err := ratings.DirectLevelCounts(f.ctx, f.pool, y+"-01-01", y+"-12-31", shanghai, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return got
}

// report is the cycle's score report, without the time it was made.
func (f *fixture) report(cycleID int64) string {
	f.t.Helper()
	rep, err := scores.Compute(f.ctx, f.pool, shanghai, f.now, scores.Query{CycleID: cycleID})
	if err != nil {
		f.t.Fatal(err)
	}
	b, err := json.Marshal(rep.Categories)
	if err != nil {
		f.t.Fatal(err)
	}
	return string(b)
}

// archivePath is a file for month m's archive in a fresh directory.
func (f *fixture) archivePath(m Month) string {
	return filepath.Join(f.t.TempDir(), m.Partition()+".tar")
}

func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
