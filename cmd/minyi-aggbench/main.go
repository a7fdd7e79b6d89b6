// Command minyi-aggbench measures the daily aggregate behind the public
// evaluation score at scale: the yearly daily level counts of every unit
// over tens of millions of ratings. It generates (or reuses) a database of
// units and a year of ratings directly in SQL, times the first rollup of
// the whole year with the real code (ratings.RollUp), then times
// ratings.DailyLevelCounts for all units over the year — with today read
// live, with every day rolled, over the calendar year — and, for
// comparison, the same counts straight from the ratings.
//
//	minyi-aggbench [-pg URL] [-db NAME] [-ratings N] [-years N] [-units N] [-regen] [-reps N] [-direct-reps N] [-generate-only] [-fill-charts]
//
// It only connects to Postgres on this machine and only drops a database
// whose name starts with minyi_bench.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"time"
)

// options are the command line.
type options struct {
	pg         string
	db         string
	ratings    int64
	years      int
	units      int
	regen      bool
	reroll     bool
	reps       int
	directReps int
	tz         string
	// generateOnly stops once the database is generated (or reused),
	// migrated and topped up: .ci/bench-console uses it.
	generateOnly bool
	// auditYears is how far back the audit log reaches (0: -years).
	auditYears int
	// fillCharts only brings the aggregates up to date (migrations, then
	// the rollup, which fills the charts' aggregates of migration 0072 for
	// every day it rolls) and says how long that took.
	fillCharts bool
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "minyi-aggbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	var o options
	fs := flag.NewFlagSet("minyi-aggbench", flag.ContinueOnError)
	fs.StringVar(&o.pg, "pg", "postgres://postgres@127.0.0.1:5432", "Postgres server URL (this machine only), without a database")
	fs.StringVar(&o.db, "db", "minyi_bench_agg", "database to generate or reuse (name must start with minyi_bench)")
	fs.Int64Var(&o.ratings, "ratings", 50_000_000, "ratings to generate over a year")
	fs.IntVar(&o.years, "years", 1, "years of ratings, each with -ratings, the earlier ones before the current")
	fs.IntVar(&o.units, "units", 1000, "units to generate")
	fs.BoolVar(&o.regen, "regen", false, "generate the database again even when it holds the same data")
	fs.BoolVar(&o.reroll, "reroll", true, "empty the aggregate and time the rollup of the whole year")
	fs.IntVar(&o.reps, "reps", 7, "repetitions of each aggregate query")
	fs.IntVar(&o.directReps, "direct-reps", 3, "repetitions of the direct query over the ratings (0 skips it)")
	fs.StringVar(&o.tz, "tz", "Asia/Shanghai", "time zone of the days (TIME_ZONE)")
	fs.IntVar(&o.auditYears, "audit-years", 0, "years of audit entries, 1,000 a day (0: as many as -years)")
	fs.BoolVar(&o.generateOnly, "generate-only", false, "only generate (or reuse), migrate and top up the database; time nothing")
	fs.BoolVar(&o.fillCharts, "fill-charts", false, "only migrate an existing database and roll up the days not rolled (all of them after migration 0072), filling the charts' aggregates; time that")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := o.check(); err != nil {
		return err
	}
	loc, err := time.LoadLocation(o.tz)
	if err != nil {
		return err
	}
	return bench(ctx, o, loc, stdout)
}

// check refuses settings that could hurt: another machine, a database not
// made for benchmarks, sizes out of reason.
func (o options) check() error {
	u, err := url.Parse(o.pg)
	if err != nil || u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return fmt.Errorf("-pg must be a postgres:// URL, got %q", o.pg)
	}
	if h := u.Hostname(); h != "localhost" && (net.ParseIP(h) == nil || !net.ParseIP(h).IsLoopback()) {
		return fmt.Errorf("-pg must name a loopback address, got %q", h)
	}
	if !strings.HasPrefix(o.db, "minyi_bench") || strings.Trim(o.db, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
		return errors.New("-db must start with minyi_bench and hold only a-z, 0-9 and _")
	}
	if o.ratings < 1000 || o.ratings > 500_000_000 || o.units < 2 || o.units > 100_000 || o.years < 1 || o.years > 10 {
		return errors.New("-ratings must be 1000..500000000, -units 2..100000 and -years 1..10")
	}
	if o.auditYears < 0 || o.auditYears > 10 {
		return errors.New("-audit-years must be 0..10")
	}
	if o.reps < 1 || o.directReps < 0 {
		return errors.New("-reps must be at least 1 and -direct-reps at least 0")
	}
	return nil
}

// dbURL is the URL of database name on the server.
func (o options) dbURL(name string) string {
	u, _ := url.Parse(o.pg)
	u.Path = "/" + name
	q := u.Query()
	if q.Get("sslmode") == "" {
		q.Set("sslmode", "disable")
	}
	u.RawQuery = q.Encode()
	return u.String()
}
