package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/config"
	"minyi/internal/db"
	"minyi/internal/partitions"
)

// partitionsArgs are the parsed arguments of `minyi partitions`.
type partitionsArgs struct {
	sub   string
	month partitions.Month
	out   string // archive: the file to write
	file  string // restore: the file to read
}

// parsePartitionsArgs checks the subcommand and its flags before anything
// connects to the database.
func parsePartitionsArgs(args []string) (partitionsArgs, error) {
	if len(args) == 0 {
		return partitionsArgs{}, fmt.Errorf("no partitions command given\n%s", usage)
	}
	a := partitionsArgs{sub: args[0]}
	fs := flag.NewFlagSet("partitions "+a.sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	month := fs.String("month", "", "the month to archive, YYYY-MM")
	out := fs.String("out", "", "the archive file to write")
	dir := fs.String("dir", "", "the directory to write ratings_YYYYMM.tar into")
	file := fs.String("file", "", "the archive file to restore")
	bad := func(format string, v ...any) (partitionsArgs, error) {
		return partitionsArgs{}, fmt.Errorf("partitions %s: %s\n%s", a.sub, fmt.Sprintf(format, v...), usage)
	}
	switch a.sub {
	case "list", "archive", "restore":
	default:
		return partitionsArgs{}, fmt.Errorf("unknown partitions command %q\n%s", a.sub, usage)
	}
	if err := fs.Parse(args[1:]); err != nil {
		return bad("%v", err)
	}
	if fs.NArg() > 0 {
		return bad("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	allowed := map[string][]string{"list": nil, "archive": {"month", "out", "dir"}, "restore": {"file"}}[a.sub]
	for name := range set {
		if !slices.Contains(allowed, name) {
			return bad("--%s does not apply", name)
		}
	}
	switch a.sub {
	case "archive":
		m, err := partitions.ParseMonth(*month)
		if err != nil {
			return bad("--month: %v", err)
		}
		a.month = m
		switch {
		case (*out == "") == (*dir == ""):
			return bad("give either --out FILE or --dir DIR")
		case *dir != "":
			a.out = filepath.Join(*dir, m.Partition()+".tar")
		default:
			a.out = *out
		}
	case "restore":
		if *file == "" {
			return bad("--file is required")
		}
		a.file = *file
	}
	return a, nil
}

// partitionsCmd runs `minyi partitions list|archive|restore`.
func partitionsCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	a, err := parsePartitionsArgs(args)
	if err != nil {
		return err
	}
	cfg, pool, err := open(ctx, getenv)
	if err != nil {
		return err
	}
	defer pool.Close()
	policy := partitions.Policy{RetentionMonths: cfg.RatingsRetentionMonths, Location: cfg.Location, Now: time.Now()}
	switch a.sub {
	case "archive":
		return archiveMonth(ctx, pool, policy, a, operator(getenv), stdout)
	case "restore":
		return restoreMonth(ctx, pool, cfg, a, operator(getenv), stdout)
	}
	return listPartitions(ctx, pool, policy, stdout)
}

// operator names who runs the command, for rating_archives and the audit
// log: the operating-system user.
func operator(getenv func(string) string) string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if v := getenv("USER"); v != "" {
		return v
	}
	return "unknown"
}

func listPartitions(ctx context.Context, pool *pgxpool.Pool, p partitions.Policy, stdout io.Writer) error {
	var list []partitions.Partition
	err := db.Unbounded(ctx, pool, func(tx pgx.Tx) (err error) { // it counts every partition's rows
		list, err = partitions.List(ctx, tx, p)
		return err
	})
	if err != nil {
		return err
	}
	archived, err := partitions.Archives(ctx, pool)
	if err != nil {
		return err
	}
	retention := "0 (every month is kept)"
	if p.RetentionMonths > 0 {
		retention = fmt.Sprintf("%d (months before %s may be archived)", p.RetentionMonths,
			partitions.MonthOf(p.Now, p.Location).Add(-p.RetentionMonths))
	}
	fmt.Fprintf(stdout, "RATINGS_RETENTION_MONTHS=%s, TIME_ZONE=%s\n\n", retention, p.Location)
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "MONTH\tPARTITION\tRATINGS\tSIZE\tARCHIVE")
	for _, part := range list {
		month, verdict := "-", "allowed"
		if part.Month != nil {
			month = part.Month.String()
		}
		if !part.Archivable() {
			verdict = "no: " + strings.Join(part.Reasons, "; ")
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\n", month, part.Name, part.Ratings, part.Size, verdict)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if len(archived) == 0 {
		return nil
	}
	fmt.Fprintln(stdout, "\narchived months (minyi partitions restore --file FILE loads one back):")
	w = tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "MONTH\tRATINGS\tARCHIVED\tBY\tFILE\tSHA-256")
	for _, r := range archived {
		note := ""
		if r.TimeZone != p.Location.String() {
			note = fmt.Sprintf(" (cut in %s: restore it to have its days rolled up again in %s)", r.TimeZone, p.Location)
		}
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%s%s\n", r.Month, r.Ratings, r.ArchivedAt.In(p.Location).Format("2006-01-02 15:04"),
			r.ArchivedBy, r.File, r.SHA256, note)
	}
	return w.Flush()
}

func archiveMonth(ctx context.Context, pool *pgxpool.Pool, p partitions.Policy, a partitionsArgs, by string, stdout io.Writer) error {
	res, err := partitions.Archive(ctx, pool, p, a.month, a.out, by)
	var refused *partitions.RefusedError
	if errors.As(err, &refused) {
		return fmt.Errorf("month %s may not be archived:\n  - %s", refused.Month, strings.Join(refused.Reasons, "\n  - "))
	}
	if err != nil {
		return fmt.Errorf("archiving %s: %w", a.month, err)
	}
	r := res.Record
	if res.Already {
		fmt.Fprintf(stdout, "month %s is already archived: %d ratings in %s (sha256 %s), archived %s by %s; nothing to do\n",
			r.Month, r.Ratings, r.File, r.SHA256, r.ArchivedAt.In(p.Location).Format(time.RFC3339), r.ArchivedBy)
		return nil
	}
	fmt.Fprintf(stdout, "archived %s: %d ratings, %d case numbers and %d held-rating records written to %s (sha256 %s); "+
		"partition %s dropped, its daily aggregate kept\n", r.Month, r.Ratings, r.Cases, r.Holds, r.File, r.SHA256, r.Month.Partition())
	return nil
}

func restoreMonth(ctx context.Context, pool *pgxpool.Pool, cfg config.Config, a partitionsArgs, by string, stdout io.Writer) error {
	res, err := partitions.Restore(ctx, pool, cfg.Location, a.file, by)
	if err != nil {
		return fmt.Errorf("restoring %s: %w", a.file, err)
	}
	if res.Already {
		fmt.Fprintf(stdout, "month %s was already restored from %s (%d ratings); nothing to do\n", res.Month, a.file, res.Ratings)
		return nil
	}
	fmt.Fprintf(stdout, "restored %s from %s: %d ratings, %d case numbers and %d held-rating records\n",
		res.Month, a.file, res.Ratings, res.Cases, res.Holds)
	if res.CasesSkipped > 0 {
		fmt.Fprintf(stdout, "%d case numbers were taken by newer ratings meanwhile and stay with them\n", res.CasesSkipped)
	}
	if res.Unrolled {
		fmt.Fprintf(stdout, "the daily aggregate of %s did not match the restored ratings: its days are read from the "+
			"ratings until the next rollup recomputes them (`minyi migrate` does it now)\n", res.Month)
	}
	return nil
}
