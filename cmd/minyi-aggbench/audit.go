package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// padAudit extends the audit log back to o.auditYears years before today
// (issue 19: the audit pages and exports are timed over the log a
// deployment keeps for five years, about 1.8 million entries, while the
// ratings cover -years). The entries of the missing earlier days are
// written as the generator writes its own (auditSQL) and linked into the
// hash chain at commit like any entry, so `minyi audit verify` checks them
// too. A database already reaching back that far is left alone.
func padAudit(ctx context.Context, pool *pgxpool.Pool, o options, loc *time.Location, now time.Time, out io.Writer) error {
	years := o.auditYears
	if years == 0 {
		years = o.years
	}
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	first := today.AddDate(0, 0, -365*years+1)
	var oldest *time.Time
	if err := pool.QueryRow(ctx, `SELECT (min(at) AT TIME ZONE $1)::date::timestamp FROM audit_log`, o.tz).Scan(&oldest); err != nil {
		return err
	}
	end := today
	if oldest != nil {
		end = time.Date(oldest.Year(), oldest.Month(), oldest.Day(), 0, 0, 0, 0, time.UTC)
	}
	if !first.Before(end) {
		return nil
	}
	start := time.Now()
	tag, err := pool.Exec(ctx, auditSQL, pgx.QueryExecModeSimpleProtocol, pgx.NamedArgs{"tz": o.tz, "first": first, "today": end})
	if err != nil {
		return fmt.Errorf("padding the audit log: %w", err)
	}
	if _, err := pool.Exec(ctx, `ANALYZE audit_log, audit_chain`); err != nil {
		return err
	}
	fmt.Fprintf(out, "== audit log extended back to %s: %d entries (%s)\n", first.Format(time.DateOnly), tag.RowsAffected(),
		time.Since(start).Round(time.Second))
	return nil
}
