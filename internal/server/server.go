// Package server is Minyi's HTTP layer: the JSON API, the citizens' rating
// pages and the staff console, on gin. It is the only package that imports
// gin; the domain packages below it know nothing of HTTP.
package server

import (
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"minyi/internal/app/accountsapp"
	"minyi/internal/app/agenciesapp"
	"minyi/internal/app/approvalsapp"
	"minyi/internal/app/assessmentapp"
	"minyi/internal/app/assessorsapp"
	"minyi/internal/app/casesapp"
	"minyi/internal/app/citizensmsapp"
	"minyi/internal/app/cyclesapp"
	"minyi/internal/app/inspectionsapp"
	"minyi/internal/app/instrumentsapp"
	"minyi/internal/app/itemsapp"
	"minyi/internal/app/linksapp"
	"minyi/internal/app/notifyapp"
	"minyi/internal/app/ratingsapp"
	"minyi/internal/app/resultsapp"
	"minyi/internal/app/selfevalapp"
	"minyi/internal/app/surveysapp"
	"minyi/internal/app/targetsapp"
	"minyi/internal/app/upwardapp"
	"minyi/internal/app/usesapp"
	"minyi/internal/app/windowapp"
	"minyi/internal/app/workdaysapp"
	"minyi/internal/channels"
	"minyi/internal/citizensms"
	"minyi/internal/config"
	"minyi/internal/export"
	"minyi/internal/httpx"
	"minyi/internal/maintenance"
	"minyi/internal/metrics"
	"minyi/internal/ratelimit"
	"minyi/internal/ratings"
	"minyi/internal/secure"
)

// Deps are the services a Server uses.
type Deps struct {
	Config  config.Config
	Pool    *pgxpool.Pool
	Redis   redis.UniversalClient
	Keys    *secure.Keys
	Writer  *ratings.Writer
	Limiter *ratelimit.Limiter
	Log     *slog.Logger
	// Metrics are the instance's Prometheus metrics; nil gets a set of its own.
	Metrics *metrics.Metrics
	// RedisPrefix starts every Redis key the server writes; default "minyi:".
	RedisPrefix string
	// Now returns the current time; tests may replace it.
	Now func() time.Time
	// Senders and RobotHosts are the outbound channels (httpx.App).
	Senders    map[string]channels.Sender
	RobotHosts channels.RobotHosts
	// CitizenSMS records SMS to citizens; nil: none (no SMS gateway).
	CitizenSMS *citizensms.Service
}

// Server serves Minyi over HTTP.
type Server struct {
	*httpx.App
	engine   *gin.Engine
	draining atomic.Bool
	// ratings serve the rating routes and hold their caches.
	ratings *ratingsapp.Handlers
	// exports are the lists that export (routes_exports.go).
	exports export.Registry
	// health is the readiness prober's state (health_probe.go).
	health *healthMonitor
	// instance names this process in deployment-wide records.
	instance   string
	proxyWarn  *proxyWarner
	maintProbe maintenanceProbe
	// fileRoutes get FILE_REQUEST_TIMEOUT instead of REQUEST_TIMEOUT (see
	// s.file); filled while the routes are registered, read-only after.
	fileRoutes map[routeKey]struct{}
}

// New builds the server and its routes. It returns an error when the
// templates do not parse or the trusted proxies are malformed.
func New(d Deps) (*Server, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Metrics == nil {
		d.Metrics = metrics.New()
	}
	if d.RedisPrefix == "" {
		d.RedisPrefix = "minyi:"
	}
	if d.CitizenSMS == nil {
		d.CitizenSMS = &citizensms.Service{}
	}
	gin.SetMode(gin.ReleaseMode)
	app := &httpx.App{SMS: d.CitizenSMS, Config: d.Config, Pool: d.Pool, Redis: d.Redis, Keys: d.Keys, Writer: d.Writer, Limiter: d.Limiter,
		Log: d.Log, Metrics: d.Metrics, RedisPrefix: d.RedisPrefix, Now: d.Now, Senders: d.Senders, RobotHosts: d.RobotHosts,
		Flashes: mergeFlashes(
			workdaysapp.Flashes,
			cyclesapp.Flashes,
			approvalsapp.Flashes,
			inspectionsapp.Flashes,
			targetsapp.Flashes,
			assessmentapp.Flashes,
			ratingsapp.Flashes,
			surveysapp.Flashes,
			agenciesapp.Flashes,
			resultsapp.Flashes,
			usesapp.Flashes,
			casesapp.Flashes,
			accountsapp.Flashes,
			notifyapp.Flashes,
			notifyapp.UnitChannelFlashes,
			citizensmsapp.Flashes,
			assessorsapp.Flashes,
			instrumentsapp.Flashes,
			selfevalapp.Flashes,
			upwardapp.Flashes,
			itemsapp.Flashes,
			windowapp.Flashes,
			linksapp.Flashes,
		)}
	s := &Server{App: app, instance: maintenance.InstanceName(), proxyWarn: newProxyWarner(d.Config.TrustedProxies),
		fileRoutes: map[routeKey]struct{}{}}
	s.ratings = ratingsapp.New(app)
	s.exports = s.exportLists()
	pages, err := parseTemplates(d.Config.Location)
	if err != nil {
		return nil, err
	}
	s.Pages = pages
	e := gin.New()
	e.ContextWithFallback = true
	// Trust X-Forwarded-For only from the configured proxies; with none
	// listed the client address is the peer's, so a forged header cannot
	// dodge a per-address limit. X-Real-IP is never believed (gin's default
	// would): a proxy that passes a client's X-Real-IP through would let
	// the client choose its address.
	e.RemoteIPHeaders = []string{"X-Forwarded-For"}
	if err := e.SetTrustedProxies(d.Config.TrustedProxies); err != nil {
		return nil, err
	}
	headers, err := s.securityHeaders()
	if err != nil {
		return nil, err
	}
	// The deadline comes after the access log and the metrics, which see
	// the request as net/http passed it in (to tell a client that went
	// away, see observedStatus), and before anything that waits on
	// Postgres or Redis.
	e.Use(headers, s.observeRequests(), s.recoverer(), s.requestLog(), s.requestDeadline(), s.guardRequest(), s.withEstimates())
	s.engine = e
	s.routes()
	s.instrument()
	s.health = s.startHealth() // last: nothing may fail after it starts; Close stops it
	return s, nil
}

// Handler returns the http.Handler serving every route.
func (s *Server) Handler() http.Handler { return s.engine }
