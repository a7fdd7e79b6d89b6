// Package db holds the Postgres helpers every store uses: the pool, the DBTX
// interface, the migration runner and the mapping of driver errors to apperr.
package db

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/apperr"
)

// DBTX is satisfied by *pgxpool.Pool and pgx.Tx, so a service can run several
// store calls in one visible transaction.
type DBTX interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Connect opens a pool to url with at most maxConns connections.
func Connect(ctx context.Context, url string, maxConns int32) (*pgxpool.Pool, error) {
	cfg, err := poolConfig(url, maxConns)
	if err != nil {
		return nil, err
	}
	return pgxpool.NewWithConfig(ctx, cfg)
}

// ConnectServing opens the pool of a serving instance: like Connect, and
// it opens all maxConns connections at once and keeps them open, each of
// which has run warm once when it was opened (its errors are ignored: a
// warm-up is only a shortcut).
//
// A new Postgres connection knows nothing of the tables yet: the first
// statement that plans over the ratings' partitions first reads the
// catalog entries of every partition and each of its indexes — 25–60 ms
// with five years (65 partitions), in the request of whichever user
// happened to get the connection. A console page runs its reads side by
// side (db.Parallel), the overview on up to 16 connections at once, so a
// pool that opened connections on demand met new ones for a dozen page
// loads after every start and after every quiet spell (idle connections
// close after five minutes): the overview's p99 was 150 ms against a p50
// of 40. With MinConns at the pool's size the pool opens every connection
// in the background when it starts and replaces any that close (its
// health check, every 15 s), and warm pays the catalog there instead of a
// request. The cost is maxConns idle connections per instance, which
// docs/operations.md counts in max_connections (or in PgBouncer's clients).
//
// The catalog is not all: a statement run with WithGenericPlan is planned
// once per connection (pgx prepares it there), 15–50 ms for the aggregate
// reads over the partitions, so a page whose reads meet connections that
// have not run them yet pays that too (the overview: a dozen slow loads
// after a start with 16 connections, three with 4). warm plans those reads
// as well (ratings.Warm).
func ConnectServing(ctx context.Context, url string, maxConns int32, warm func(context.Context, *pgx.Conn)) (*pgxpool.Pool, error) {
	cfg, err := poolConfig(url, maxConns)
	if err != nil {
		return nil, err
	}
	cfg.MinConns = maxConns
	// The pool opens its connections side by side; their warm-ups run one
	// at a time, so that the first connection is ready after one warm-up
	// (about a second over five years) instead of all of them after
	// sixteen sharing the cores (a start's ping timed out that way).
	one := make(chan struct{}, 1)
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		if warm == nil {
			return nil
		}
		select {
		case one <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		defer func() { <-one }()
		warm(ctx, c)
		return nil
	}
	return pgxpool.NewWithConfig(ctx, cfg)
}

func poolConfig(url string, maxConns int32) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	cfg.MaxConns = maxConns
	cfg.MaxConnIdleTime = 5 * time.Minute
	cfg.HealthCheckPeriod = 15 * time.Second
	if cfg.ConnConfig.ConnectTimeout == 0 || cfg.ConnConfig.ConnectTimeout > 3*time.Second {
		cfg.ConnConfig.ConnectTimeout = 3 * time.Second
	}
	if cfg.ConnConfig.RuntimeParams == nil {
		cfg.ConnConfig.RuntimeParams = map[string]string{}
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "minyi"
	// A statement whose context ends (the request's deadline passed, or its
	// client went away) must stop on the server too. pgx's default does
	// that: the statement returns at once and the connection is closed,
	// after a cancel request — which Postgres acts on even while the
	// statement waits for a lock, and a PgBouncer forwards — has been sent
	// and acknowledged (pgconn's asyncClose, bounded at 15 s, in the
	// background). pgconn.CancelRequestContextWatcherHandler would keep the
	// connection, but it drops its cancel connection as soon as the
	// statement returns, before PgBouncer 1.18 has finished forwarding the
	// cancel, and that crashes PgBouncer 1.18 (pgbouncer/pgbouncer#801) for
	// every client: the default stays. TestEndedContextCancelsTheStatement
	// pins the behaviour, directly and through PgBouncer.
	return cfg, nil
}

// Tx runs fn in a transaction on pool, committing when fn returns nil.
func Tx(ctx context.Context, pool *pgxpool.Pool, fn func(pgx.Tx) error) error {
	return Err(pgx.BeginFunc(ctx, pool, fn))
}

// ReadSnapshot runs fn in a read-only transaction on pool that sees one
// snapshot (repeatable read), so a report's rows agree with each other.
func ReadSnapshot(ctx context.Context, pool *pgxpool.Pool, fn func(pgx.Tx) error) error {
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	return Err(pgx.BeginTxFunc(ctx, pool, opts, fn))
}

// NoStatementTimeout lifts, for the rest of tx, the statement_timeout the
// database role may carry: docs/operations.md recommends one as a backstop
// that cancels a request's query even when the instance that ran it died
// before it could. Work that legitimately runs longer than any request —
// migrations, the daily rollup, archiving and restoring partitions — calls
// it first in each of its transactions. SET LOCAL ends with the
// transaction, so it is safe through a transaction-pooling PgBouncer, where
// a session-level SET (or a startup parameter, which PgBouncer refuses)
// would leak to whichever client gets the server connection next.
func NoStatementTimeout(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `SET LOCAL statement_timeout = 0`)
	return err
}

// Unbounded runs fn in a transaction on conn without a statement_timeout
// (NoStatementTimeout), committing when fn returns nil: for a long
// statement that would otherwise run in a transaction of its own.
func Unbounded(ctx context.Context, conn interface {
	Begin(context.Context) (pgx.Tx, error)
}, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if err := NoStatementTimeout(ctx, tx); err != nil {
			return err
		}
		return fn(tx)
	})
}

// Err maps driver errors to apperr: unique violations become conflict,
// missing rows not_found, a statement cut by its context's deadline or
// cancelled by Postgres (IsTimeout) timeout, connection failures (also a
// connection lost mid-statement, whose outcome is unknown: clients retry
// idempotently) unavailable, and text or numbers Postgres cannot take (a NUL byte,
// invalid UTF-8, a number out of its column's range) invalid — a
// backstop behind validation, so bad input is never a 500. Errors that
// are already *apperr.Error pass through; nil stays nil.
func Err(err error) error {
	if err == nil {
		return nil
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.Wrap(apperr.NotFound, "记录不存在", err)
	}
	if IsTimeout(err) {
		return apperr.Wrap(apperr.Timeout, "查询时间过长，请缩小查询范围后重试", err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505":
			return apperr.Wrap(apperr.Conflict, "记录已存在或与现有记录冲突", err)
		case "23503":
			return apperr.Wrap(apperr.Invalid, "引用的记录不存在", err)
		case "57P01", "57P02", "57P03", "53300":
			return apperr.Wrap(apperr.Unavailable, "数据库暂时不可用，请稍后重试", err)
		case "22021", "22P05":
			return apperr.Wrap(apperr.Invalid, "提交的内容含有无法识别的字符（如空字符、控制字符或乱码），请删除后重试", err)
		case "22003":
			return apperr.Wrap(apperr.Invalid, "提交的数值超出允许的范围", err)
		}
		if strings.HasPrefix(pgErr.Code, "08") {
			return apperr.Wrap(apperr.Unavailable, "数据库暂时不可用，请稍后重试", err)
		}
		return apperr.Wrap(apperr.Internal, "服务器内部错误", err)
	}
	if IsUnavailable(err) {
		return apperr.Wrap(apperr.Unavailable, "数据库暂时不可用，请稍后重试", err)
	}
	if strings.HasPrefix(err.Error(), "failed to encode args[") {
		// pgx could not send a parameter as its column's type: a number
		// out of range for an integer column, which validation missed.
		return apperr.Wrap(apperr.Invalid, "提交的数值超出允许的范围", err)
	}
	return apperr.Wrap(apperr.Internal, "服务器内部错误", err)
}

// IsTimeout reports whether err means a statement ran out of time: its
// context's deadline passed (also while waiting for a pooled connection),
// or Postgres cancelled it (SQLSTATE 57014 query_canceled: the cancel
// request sent when a context ends, or a statement_timeout). Failing to
// connect within the connect timeout is not one: that is IsUnavailable.
func IsTimeout(err error) bool {
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return false
	}
	var pgErr *pgconn.PgError
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &pgErr) && pgErr.Code == "57014"
}

// IsUnavailable reports whether err means the database could not be reached.
func IsUnavailable(err error) bool {
	var netErr net.Error
	var connErr *pgconn.ConnectError
	return errors.As(err, &connErr) || errors.As(err, &netErr) || pgconn.SafeToRetry(err) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed)
}
