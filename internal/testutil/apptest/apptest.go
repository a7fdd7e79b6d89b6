// Package apptest starts a whole Minyi server for a test: a fresh database,
// a Redis prefix of its own and an httptest server on loopback. It also
// holds the HTTP helpers the tests of every handler package share: clients
// (client.go), API requests and the error shape (api.go), console pages and
// forms (pages.go), uploads (files.go) and settable clocks (clock.go). The
// worlds those tests start from are in package fixtures, the headless-browser
// steps in package browsertest.
package apptest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"minyi/internal/audit"
	"minyi/internal/channels"
	"minyi/internal/citizensms"
	"minyi/internal/config"
	"minyi/internal/db"
	"minyi/internal/ratelimit"
	"minyi/internal/ratings"
	"minyi/internal/secure"
	"minyi/internal/server"
	"minyi/internal/testutil"
	"minyi/internal/users"
)

// go-redis logs failed dials on its own; tests that stop Redis on purpose
// would fill the output with them.
func init() {
	redis.SetLogger(ratelimit.RedisLogger{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

// App is a running server and the services behind it.
type App struct {
	URL    string
	Config config.Config
	Pool   *pgxpool.Pool
	Redis  redis.UniversalClient
	Prefix string
	Keys   *secure.Keys
	Server *server.Server
	HTTP   *httptest.Server
	// SMS and Senders are the citizen SMS service and the outbound
	// channels Options.Env configures, for a test's own send worker.
	SMS     *citizensms.Service
	Senders map[string]channels.Sender
	// dbURL is the test database's URL (Options.SameAs).
	dbURL string
}

// Options adjust the server a test gets.
type Options struct {
	// Env overrides configuration variables (e.g. RATE_PUBLIC_CLIENT).
	Env map[string]string
	// Redis replaces the test's Redis client (e.g. one pointing at a closed port).
	Redis redis.UniversalClient
	// WriterDatabaseURL points the rating writer at another database URL,
	// to simulate Postgres being unavailable for writes.
	WriterDatabaseURL string
	// Now replaces the clock.
	Now func() time.Time
	// DatabaseURLOverride points the server's main pool at another URL (e.g.
	// a closed port, to simulate Postgres being down); the test's database is
	// still created and App.Pool still uses it.
	DatabaseURLOverride string
	// Senders are the outbound channels the server sends test messages on
	// (e.g. a channelstest mailbox); the allowed robot hosts come from
	// Env's NOTIFY_ROBOT_HOSTS.
	Senders map[string]channels.Sender
	// SameAs starts a second instance of a running app: the same database
	// and the same Redis key prefix, its own server, caches and writer
	// (what two replicas behind a load balancer share).
	SameAs *App
}

// New starts a server for the test; it is stopped when the test ends.
func New(tb testing.TB, opt Options) *App {
	tb.Helper()
	var dbURL string
	if opt.SameAs != nil {
		dbURL = opt.SameAs.dbURL
	} else {
		dbURL = testutil.DatabaseURL(tb)
	}
	env := map[string]string{
		"DATABASE_URL": dbURL, "REDIS_URL": testutil.RedisURL(), "SECRET_KEY": "test-secret-key-0123456789abcdef-0123456789",
		"PUBLIC_BASE_URL": "http://127.0.0.1:1", "HTTP_ADDR": "127.0.0.1:0",
	}
	for k, v := range opt.Env {
		env[k] = v
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	pool, err := db.Connect(ctx, dbURL, cfg.DBMaxConns)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(pool.Close)
	serverPool := pool
	if opt.DatabaseURLOverride != "" {
		if serverPool, err = db.Connect(ctx, opt.DatabaseURLOverride, 4); err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(serverPool.Close)
	}
	writerPool := serverPool
	if opt.WriterDatabaseURL != "" {
		if writerPool, err = db.Connect(ctx, opt.WriterDatabaseURL, 4); err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(writerPool.Close)
	}
	rdb, prefix := testutil.Redis(tb)
	if opt.SameAs != nil {
		prefix = opt.SameAs.Prefix
	}
	if opt.Redis != nil {
		rdb = opt.Redis
	}
	keys, err := secure.NewKeys(cfg.SecretKey)
	if err != nil {
		tb.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(testWriter{tb}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	w := ratings.NewWriter(writerPool, 2, 500, cfg.Location, log)
	tb.Cleanup(w.Close)
	hosts, err := channels.ParseRobotHosts(env["NOTIFY_ROBOT_HOSTS"])
	if err != nil {
		tb.Fatal(err)
	}
	// The SMS to citizens follow the channel variables of opt.Env
	// (SMS_GATEWAY_URL, SMS_QUIET_HOURS); without them they are off.
	ccfg, err := channels.FromGetenv(func(k string) string { return env[k] })
	if err != nil {
		tb.Fatal(err)
	}
	senders, quiet, err := ccfg.Senders(cfg.Location)
	if err != nil {
		tb.Fatal(err)
	}
	app := &App{Config: cfg, Pool: pool, Redis: rdb, Prefix: prefix, Keys: keys, dbURL: dbURL,
		SMS: citizensms.NewService(senders, quiet, keys), Senders: senders}
	// The server sends a unit's test messages on opt.Senders when given,
	// else on the channels of opt.Env.
	serverSenders := opt.Senders
	if serverSenders == nil {
		serverSenders = senders
	}
	app.Server, err = server.New(server.Deps{Config: cfg, Pool: serverPool, Redis: rdb, Keys: keys, Writer: w,
		Limiter: ratelimit.New(rdb, prefix+"rl"), Log: log, RedisPrefix: prefix, Now: opt.Now, Senders: serverSenders,
		RobotHosts: hosts, CitizenSMS: app.SMS})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(app.Server.Close) // the readiness prober; runs before the pools and clients close
	app.HTTP = httptest.NewServer(app.Server.Handler())
	tb.Cleanup(app.HTTP.Close)
	app.URL = app.HTTP.URL
	// Reload the config with the real address so QR URLs point at this server.
	env["PUBLIC_BASE_URL"] = app.URL
	if cfg2, err := config.Load(func(k string) string { return env[k] }); err == nil {
		app.Config = cfg2
		app.Server.Config = cfg2
	}
	return app
}

type testWriter struct{ tb testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.tb.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// AddUser creates a user and returns it.
func (a *App) AddUser(tb testing.TB, username, password, role string, unitID *int64) users.User {
	tb.Helper()
	u, err := users.CreateUser(context.Background(), a.Pool, audit.System,
		users.NewUser{Username: username, Password: password, Role: role, UnitID: unitID})
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// Count returns the answer of a count(*) query on the test's database.
func (a *App) Count(tb testing.TB, sql string, args ...any) int {
	tb.Helper()
	var n int
	if err := a.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}
