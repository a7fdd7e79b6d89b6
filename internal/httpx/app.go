// Package httpx holds the mechanics every HTTP handler of Minyi uses, and
// nothing domain-specific: the services a handler reaches (App), the
// signed-in user and the authentication middleware, CSRF on console forms,
// error answers (JSON on the API, the Chinese page for the console and the
// public), body caps and binding, paging, page rendering with the view types
// of shared template blocks (TokenTable), and rate-limited answers. The
// handler packages by area embed *App; internal/server builds it and holds
// the one route table.
package httpx

import (
	"html/template"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"minyi/internal/channels"
	"minyi/internal/citizensms"
	"minyi/internal/config"
	"minyi/internal/metrics"
	"minyi/internal/ratelimit"
	"minyi/internal/ratings"
	"minyi/internal/secure"
)

// App is what every handler reaches: the configuration, the stores, the
// parsed page templates and the console's flash messages.
type App struct {
	Config  config.Config
	Pool    *pgxpool.Pool
	Redis   redis.UniversalClient
	Keys    *secure.Keys
	Writer  *ratings.Writer
	Limiter *ratelimit.Limiter
	Log     *slog.Logger
	Metrics *metrics.Metrics
	// RedisPrefix starts every Redis key the server writes.
	RedisPrefix string
	// Now returns the current time; tests may replace it.
	Now func() time.Time
	// Pages are the parsed templates by name ("console/x.html").
	Pages map[string]*template.Template
	// Flashes are the messages a redirect may ask for with ?msg=; only
	// these fixed texts can appear, so a link cannot put words on a page.
	Flashes map[string]string
	// Senders are the outbound channels configured in the environment and
	// RobotHosts where a unit's own group robot may be (internal/channels):
	// a unit's channel settings check addresses and send test messages.
	Senders    map[string]channels.Sender
	RobotHosts channels.RobotHosts
	// SMS records SMS to citizens; never nil, disabled when no SMS gateway
	// is configured.
	SMS *citizensms.Service
}

// Today returns the local date (in Config.Location) as a UTC midnight, the
// form a date column takes.
func (s *App) Today() time.Time {
	n := s.Now().In(s.Config.Location)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}
