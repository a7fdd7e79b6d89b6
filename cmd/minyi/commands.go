package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"minyi/internal/cycles"
	"net/http"
	"net/http/pprof"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/config"
	"minyi/internal/db"
	"minyi/internal/demo"
	"minyi/internal/ratings"
	"minyi/internal/secure"
	"minyi/internal/users"
	"minyi/migrations"
)

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// open reads the configuration and connects to Postgres.
func open(ctx context.Context, getenv func(string) string) (config.Config, *pgxpool.Pool, error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return cfg, nil, err
	}
	pool, err := connect(ctx, cfg, false)
	return cfg, pool, err
}

// connect opens the pool and checks that Postgres answers; a serving
// instance's pool keeps warm connections ready (db.ConnectServing).
func connect(ctx context.Context, cfg config.Config, serving bool) (*pgxpool.Pool, error) {
	var pool *pgxpool.Pool
	var err error
	if serving {
		pool, err = db.ConnectServing(ctx, cfg.DatabaseURL, cfg.DBMaxConns, ratings.Warm)
	} else {
		pool, err = db.Connect(ctx, cfg.DatabaseURL, cfg.DBMaxConns)
	}
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ping := pool.Ping
	if serving {
		// A serving pool's connections are warmed before use, one at a
		// time (db.ConnectServing): a connection of its own tells
		// whether Postgres answers without waiting for them.
		ping = func(ctx context.Context) error {
			c, err := pgx.ConnectConfig(ctx, pool.Config().ConnConfig)
			if err != nil {
				return err
			}
			defer c.Close(context.Background())
			return c.Ping(ctx)
		}
	}
	if err := ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("cannot reach Postgres at %s: %w", config.MaskURL(cfg.DatabaseURL), err)
	}
	return pool, nil
}

func migrate(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, pool, err := open(ctx, getenv)
	if err != nil {
		return err
	}
	defer pool.Close()
	applied, err := db.Migrate(ctx, pool, migrations.Files)
	if err != nil {
		return err
	}
	if err := ratings.Maintain(ctx, pool, time.Now(), cfg.Location, cfg.TerminalMaxAge); err != nil {
		return err
	}
	// Cycles made before categories belonged to the cycle get the
	// server's UNIT_CATEGORIES, the categories they were computed with.
	if err := cycles.SeedCategories(ctx, pool, cfg.UnitCategories); err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "database is up to date")
	}
	for _, name := range applied {
		fmt.Fprintln(stdout, "applied", name)
	}
	return nil
}

// servePprof serves the runtime profiles on addr (a loopback address, see
// PPROF_ADDR) for profiling under load.
func servePprof(addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	log.Warn("pprof serving", "addr", addr)
	if err := http.ListenAndServe(addr, mux); err != nil {
		log.Error("pprof stopped", "err", err)
	}
}

func userAdd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	username := fs.String("username", "", "login name")
	role := fs.String("role", "", "office, unit or leader")
	unit := fs.Int64("unit", 0, "unit id, for role unit")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("user add: %w\n%s", err, usage)
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("user add: reading password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	_, pool, err := open(ctx, getenv)
	if err != nil {
		return err
	}
	defer pool.Close()
	n := users.NewUser{Username: *username, Password: password, Role: *role}
	if *unit != 0 {
		n.UnitID = unit
	}
	u, err := users.CreateUser(ctx, pool, audit.System, n)
	if err != nil {
		if e := apperr.From(err); len(e.Fields) > 0 {
			var parts []string
			for k, v := range e.Fields {
				parts = append(parts, k+": "+v)
			}
			return fmt.Errorf("user add: %s", strings.Join(parts, "; "))
		}
		return err
	}
	fmt.Fprintf(stdout, "created user %s (id %d, role %s)\n", u.Username, u.ID, u.Role)
	return nil
}

func seedDemo(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, pool, err := open(ctx, getenv)
	if err != nil {
		return err
	}
	defer pool.Close()
	keys, err := secure.NewKeys(cfg.SecretKey)
	if err != nil {
		return err
	}
	res, err := demo.Seed(ctx, pool, cfg, keys, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo data: %d units, %d service points, %d terminals, %d ratings, %d rectification cases, %d target sheets\n",
		res.Units, res.Points, res.Terminals, res.Ratings, res.Cases, res.Sheets)
	fmt.Fprintln(stdout, "demo logins (username / password):")
	for _, l := range res.Logins {
		fmt.Fprintf(stdout, "  %-12s %-20s %s\n", l.Username, l.Password, l.Note)
	}
	return nil
}
