package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	"github.com/riverqueue/river"

	"minyi/internal/channels"
	"minyi/internal/citizensms"
	"minyi/internal/config"
	"minyi/internal/metrics"
	"minyi/internal/notify"
	"minyi/internal/ratelimit"
	"minyi/internal/ratings"
	"minyi/internal/secure"
	"minyi/internal/server"
	"minyi/internal/upward"
)

// serve serves HTTP until ctx is cancelled (the first SIGTERM or SIGINT),
// then drains and stops: see stopGracefully.
func serve(ctx context.Context, getenv func(string) string, stderr io.Writer) error {
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	senders, robotHosts, quiet, err := channelSenders(getenv, cfg)
	if err != nil {
		return err
	}
	pool, err := connect(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer pool.Close()
	up, err := upwardOptions(cfg, pool, log)
	if err != nil {
		return err
	}
	var pending bool
	if err := pool.QueryRow(ctx, `SELECT to_regclass('ratings') IS NULL`).Scan(&pending); err != nil || pending {
		return errors.New("the database has no schema yet: run `minyi migrate` first")
	}
	ropts, err := config.RedisOptions(cfg.RedisURL)
	if err != nil {
		return err
	}
	redis.SetLogger(ratelimit.RedisLogger{Log: log})
	rdb := redis.NewUniversalClient(ropts)
	defer rdb.Close()
	keys, err := secure.NewKeys(cfg.SecretKey)
	if err != nil {
		return err
	}
	writer := ratings.NewWriter(pool, cfg.WriterFlushers, cfg.WriterMaxBatch, cfg.Location, log)
	// The server connects the metrics to the writer, the limiter and the pools.
	met := metrics.New()
	sms := citizensms.NewService(senders, quiet, keys)
	srv, err := server.New(server.Deps{Config: cfg, Pool: pool, Redis: rdb, Keys: keys, Writer: writer,
		Limiter: ratelimit.New(rdb, "minyi:rl"), Log: log, RedisPrefix: "minyi:", Metrics: met, Senders: senders,
		RobotHosts: robotHosts, CitizenSMS: sms})
	if err != nil {
		writer.Close()
		return err
	}
	defer srv.Close() // the readiness prober; after the HTTP server, before the pools close
	mctx, mcancel := context.WithCancel(ctx)
	defer mcancel()
	go srv.RunMaintenance(mctx, time.Hour)
	go srv.RunTodayRollup(mctx, server.TodayRollupEvery)
	stopWorker, err := startNotifyWorker(ctx, cfg, pool, notify.Options{Workers: 4, Log: log, Senders: senders,
		BaseURL: cfg.PublicBaseURL, Keys: keys, RobotHosts: robotHosts}, sms, srv, up)
	if err != nil {
		writer.Close()
		return err
	}
	defer stopWorker() // after the HTTP server: requests may still enqueue
	if cfg.MetricsAddr != "" {
		stopMetrics, err := startMetrics(cfg.MetricsAddr, met, log)
		if err != nil {
			writer.Close()
			return err
		}
		defer stopMetrics() // after the drain, so scrapes see it through
	}

	// The write timeout follows REQUEST_TIMEOUT, with a margin to write the
	// timeout answer once the request's deadline has cancelled its query
	// (internal/server's requestDeadline; file routes move it further).
	hs := &http.Server{Addr: cfg.HTTPAddr, Handler: closeWhileDraining(srv), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: cfg.WriteTimeout(), IdleTimeout: 120 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.ListenAndServe() }()
	if cfg.PprofAddr != "" {
		go servePprof(cfg.PprofAddr, log)
	}
	log.Info("minyi serving", "addr", cfg.HTTPAddr, "public_base_url", cfg.PublicBaseURL, "config", cfg.String())
	checkStatementTimeout(ctx, pool, cfg, log)
	select {
	case err := <-errc:
		writer.Close()
		return err
	case <-ctx.Done():
	}
	// Signals from now on are second signals: the first one cancelled ctx
	// before this registration, so it is not delivered here again.
	again := make(chan os.Signal, 1)
	signal.Notify(again, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(again)
	return stopGracefully(log, cfg, srv, hs, writer, again)
}

// channelSenders builds the outbound notification channels configured in
// the environment (internal/channels, docs/operations.md), the hosts a
// unit's own robot may be on and the quiet hours of SMS to citizens; a
// wrong setting is named and stops the start.
func channelSenders(getenv func(string) string, cfg config.Config) (map[string]channels.Sender, channels.RobotHosts, channels.QuietHours, error) {
	var hosts channels.RobotHosts
	ccfg, err := channels.FromGetenv(getenv)
	if err != nil {
		return nil, hosts, channels.QuietHours{}, fmt.Errorf("notification channels: %w", err)
	}
	senders, quiet, err := ccfg.Senders(cfg.Location)
	if err == nil {
		hosts, err = ccfg.AllowedRobotHosts()
	}
	if err != nil {
		return nil, hosts, quiet, fmt.Errorf("notification channels: %w", err)
	}
	return senders, hosts, quiet, nil
}

// startNotifyWorker starts the river client that delivers notifications
// (internal/notify) on the configured channels, and the SMS to citizens
// (internal/citizensms), the upward reporting (internal/upward, up) and the
// background exports (srv.RegisterJobs), and
// returns the function that stops it, letting the
// deliveries in hand finish within SHUTDOWN_TIMEOUT. The client runs on a
// context the first signal does not cancel, since river treats that as a
// hard stop.
func startNotifyWorker(ctx context.Context, cfg config.Config, pool *pgxpool.Pool, o notify.Options,
	sms *citizensms.Service, srv *server.Server, up upward.Options) (func(), error) {
	log := o.Log
	o.Register = func(ws *river.Workers) error {
		if err := srv.RegisterJobs(ws); err != nil {
			return err
		}
		// Upward reporting's workers always run, so a batch made before
		// it was switched off is given up in words rather than left
		// waiting; its collection runs only when configured.
		if err := upward.Register(ws, up); err != nil {
			return err
		}
		return citizensms.Register(ws, citizensms.WorkerOptions{Pool: pool, Sender: o.Senders[channels.SMS], Service: *sms})
	}
	if cfg.UpwardOn() {
		o.PeriodicJobs = upward.PeriodicJobs(up)
	}
	w, err := notify.NewWorker(pool, o)
	if err != nil {
		return nil, err
	}
	if err := w.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, fmt.Errorf("notification worker: %w", err)
	}
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		if err := w.Stop(sctx); err != nil {
			log.Warn("notification worker stopped with deliveries in hand; they run again later", "err", err)
		}
	}, nil
}

// upwardOptions are the upward reporting's settings (UPWARD_*), with its
// SM2 key read and parsed: a key that is missing or not SM2 stops the
// start, named.
func upwardOptions(cfg config.Config, pool *pgxpool.Pool, log *slog.Logger) (upward.Options, error) {
	o := upward.Options{Pool: pool, URL: cfg.UpwardURL, Platform: cfg.UpwardPlatform, DataSource: cfg.UpwardSource,
		Interval: cfg.UpwardInterval, Batch: cfg.UpwardBatch, Lag: cfg.UpwardLag, Loc: cfg.Location, Log: log}
	if !cfg.UpwardOn() {
		return o, nil
	}
	text, err := cfg.UpwardKeyPEM()
	if err == nil {
		o.Key, err = upward.ParsePrivateKey(text)
	}
	if err != nil {
		return o, fmt.Errorf("upward reporting: %w", err)
	}
	return o, nil
}

// stopGracefully stops the instance without failing a request: for
// SHUTDOWN_DRAIN /readyz answers 503 while every request is still served
// (each reply closing its connection), so balancers take the instance out
// of rotation and clients reconnect elsewhere; a signal on again ends the
// drain early. Then the listener closes, requests in flight get
// SHUTDOWN_TIMEOUT to finish, and the rating writer commits what it was
// given. It returns an error only when requests were cut off.
func stopGracefully(log *slog.Logger, cfg config.Config, srv *server.Server, hs *http.Server,
	writer *ratings.Writer, again <-chan os.Signal) error {
	log.Info("draining: /readyz answers 503, requests are still served", "drain", cfg.ShutdownDrain.String())
	srv.Drain()
	if cfg.ShutdownDrain > 0 {
		t := time.NewTimer(cfg.ShutdownDrain)
		select {
		case <-t.C:
		case sig := <-again:
			t.Stop()
			log.Info("second signal: ending the drain early", "signal", sig.String())
		}
	}
	log.Info("shutting down: no new connections, finishing requests in flight", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	err := hs.Shutdown(sctx)
	if err != nil {
		hs.Close()
		err = fmt.Errorf("requests still in flight after SHUTDOWN_TIMEOUT (%s) were cut off: %w", cfg.ShutdownTimeout, err)
	}
	writer.Close()
	log.Info("stopped")
	return err
}

// closeWhileDraining serves through srv and, once srv is draining, asks
// every reply to close its connection, so a client or balancer holding a
// kept-alive connection reconnects (to another instance) for its next
// request. Closing idle connections at once instead
// (http.Server.SetKeepAlivesEnabled) would race with a request being sent
// on one of them, which then fails.
func closeWhileDraining(srv *server.Server) http.Handler {
	h := srv.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if srv.Draining() {
			w.Header().Set("Connection", "close")
		}
		h.ServeHTTP(w, r)
	})
}

// checkStatementTimeout logs the database role's statement_timeout, the
// backstop docs/operations.md recommends, and warns when it would cut a
// request before its own deadline does: the statement would then fail
// with the same timeout, but earlier than FILE_REQUEST_TIMEOUT promises.
func checkStatementTimeout(ctx context.Context, pool *pgxpool.Pool, cfg config.Config, log *slog.Logger) {
	var ms int64
	err := pool.QueryRow(ctx, `SELECT setting::bigint FROM pg_settings WHERE name = 'statement_timeout'`).Scan(&ms)
	if err != nil {
		log.Warn("could not read statement_timeout", "err", err)
		return
	}
	st := time.Duration(ms) * time.Millisecond
	switch {
	case st == 0:
		log.Info("no statement_timeout on the database role: a query is cancelled by its request's deadline only, "+
			"not if this instance dies first (see docs/operations.md)", "request_timeout", cfg.RequestTimeout.String())
	case st < cfg.FileRequestTimeout: // never below REQUEST_TIMEOUT
		log.Warn("the database role's statement_timeout is shorter than FILE_REQUEST_TIMEOUT: long exports and uploads "+
			"fail before their deadline (see docs/operations.md)", "statement_timeout", st.String(), "file_request_timeout", cfg.FileRequestTimeout.String())
	default:
		log.Info("statement_timeout", "statement_timeout", st.String())
	}
}
