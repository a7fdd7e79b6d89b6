package partitions

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/db"
)

// guardTrigger is the row trigger that counts writes to a partition being
// archived (migrations/0021_rating_archives.sql).
const guardTrigger = "minyi_archive_guard"

// installGuard puts the guard trigger on the month's partition, with its
// counter. Creating the trigger waits for the writes under way on the
// partition, so every later write is counted.
func installGuard(ctx context.Context, pool *pgxpool.Pool, m Month) error {
	return db.Tx(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '30s'`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO rating_archive_guards (partition) VALUES ($1) ON CONFLICT DO NOTHING`,
			m.Partition()); err != nil {
			return fmt.Errorf("guard %s: %w", m.Partition(), err)
		}
		_, err := tx.Exec(ctx, `CREATE OR REPLACE TRIGGER `+guardTrigger+` AFTER INSERT OR UPDATE OR DELETE ON `+
			pgx.Identifier{m.Partition()}.Sanitize()+` FOR EACH ROW EXECUTE FUNCTION minyi_rating_archive_guard()`)
		if err != nil {
			return fmt.Errorf("guard %s: %w", m.Partition(), err)
		}
		return nil
	})
}

// exported is what export wrote and read.
type exported struct {
	manifest Manifest
	// sha256 is the checksum of the whole file.
	sha256 string
	// guard is the partition's write counter in the export's snapshot.
	guard int64
}

// memberSQL selects each table's rows of the month, {t} being the
// partition and {cols} the table's columns qualified by its alias.
var memberSQL = map[string]string{
	"ratings": `SELECT {cols} FROM {t} r`,
	"rating_cases": `SELECT {cols} FROM {t} r
		JOIN rating_cases c ON c.unit_id = r.unit_id AND c.case_no = r.case_no AND c.rating_id = r.id`,
	"rating_holds": `SELECT {cols} FROM rating_holds h JOIN {t} r ON r.id = h.rating_id AND r.rated_at = h.rated_at`,
}

// memberAlias is the alias memberSQL gives each table.
var memberAlias = map[string]string{"ratings": "r", "rating_cases": "c", "rating_holds": "h"}

// columns lists a table's columns in order.
func columns(ctx context.Context, q db.DBTX, table string) ([]string, error) {
	rows, _ := q.Query(ctx, `SELECT attname::text FROM pg_attribute
		WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, table)
	cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, db.Err(err))
	}
	return cols, nil
}

// quoted joins the columns as identifiers, each prefixed with alias and a
// dot when alias is not empty.
func quoted(alias string, cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = pgx.Identifier{c}.Sanitize()
		if alias != "" {
			out[i] = alias + "." + out[i]
		}
	}
	return strings.Join(out, ", ")
}

// export writes the month's rows to path in one REPEATABLE READ snapshot,
// after checking in that snapshot that the daily aggregate counts exactly
// these ratings, then reads the file back and checks it against what was
// written. part is the month's partition.
func export(ctx context.Context, pool *pgxpool.Pool, p Policy, m Month, part Partition, path string) (exported, error) {
	man := Manifest{Format: FormatVersion, Month: m.String(), Partition: m.Partition(), TimeZone: p.Location.String(),
		From: part.lo.UTC(), To: part.hi.UTC(), CreatedAt: time.Now().UTC().Truncate(time.Second)}
	var ex exported
	var spools []*spool
	defer func() {
		for _, s := range spools {
			s.remove()
		}
	}()
	err := pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := db.NoStatementTimeout(ctx, tx); err != nil { // copying a month out takes minutes
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT changes FROM rating_archive_guards WHERE partition = $1`, m.Partition()).Scan(&ex.guard); err != nil {
			return fmt.Errorf("reading the guard of %s: %w", m.Partition(), db.Err(err))
		}
		days, units, err := aggregateDiff(ctx, tx, m.Partition(), m, p.Location)
		if err != nil {
			return err
		}
		if days > 0 || units > 0 {
			return &RefusedError{Month: m, Reasons: []string{fmt.Sprintf(
				"the daily aggregate counts %d unit-days and %d unit-months differently from its ratings", days, units)}}
		}
		for _, name := range archiveTables {
			s, err := newSpool(filepath.Dir(path))
			if err != nil {
				return err
			}
			spools = append(spools, s)
			mem, err := exportTable(ctx, tx, name, m.Partition(), s)
			if err != nil {
				return err
			}
			man.Tables = append(man.Tables, mem)
		}
		return nil
	})
	if err != nil {
		return ex, err
	}
	if err := writeArchive(path, man, spools); err != nil {
		return ex, fmt.Errorf("writing %s: %w", path, err)
	}
	read, sum, err := readArchive(path, nil)
	if err != nil {
		return ex, fmt.Errorf("reading back %s: %w", path, err)
	}
	for i, t := range read.Tables {
		if t.Rows != man.Tables[i].Rows || t.SHA256 != man.Tables[i].SHA256 {
			return ex, fmt.Errorf("reading back %s: %s differs from what was written", path, t.File)
		}
	}
	ex.manifest, ex.sha256 = man, sum
	return ex, nil
}

// exportTable copies one table's rows of the partition into s as CSV with
// a header line.
func exportTable(ctx context.Context, tx pgx.Tx, name, partition string, s *spool) (Member, error) {
	cols, err := columns(ctx, tx, name)
	if err != nil {
		return Member{}, err
	}
	sel := strings.ReplaceAll(table(memberSQL[name], partition), "{cols}", quoted(memberAlias[name], cols))
	tag, err := tx.Conn().PgConn().CopyTo(ctx, s, `COPY (`+sel+`) TO STDOUT WITH (FORMAT csv, HEADER)`)
	if err != nil {
		return Member{}, fmt.Errorf("exporting %s of %s: %w", name, partition, db.Err(err))
	}
	sum, err := s.finish()
	if err != nil {
		return Member{}, fmt.Errorf("exporting %s of %s: %w", name, partition, err)
	}
	return Member{Table: name, File: name + ".csv.gz", Columns: cols, Rows: tag.RowsAffected(), SHA256: sum}, nil
}
