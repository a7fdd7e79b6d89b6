// Package server is Minyi's HTTP layer: the JSON API, the citizens' rating
// pages and the staff console, on gin. It is the only package that imports
// gin; the domain packages below it know nothing of HTTP.
package server

import (
	"html/template"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"minyi/internal/config"
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
}

// Server serves Minyi over HTTP.
type Server struct {
	Deps
	engine    *gin.Engine
	pages     map[string]*template.Template
	terminals *terminalCache
	networks  *networkCache
	draining  atomic.Bool
	// redisWarn keeps warnings about failed Redis shortcuts to one a minute.
	redisWarn logThrottle
	// health is the readiness prober's state (health_probe.go).
	health *healthMonitor
	// instance names this process in deployment-wide records.
	instance   string
	proxyWarn  *proxyWarner
	maintProbe maintenanceProbe
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
	gin.SetMode(gin.ReleaseMode)
	s := &Server{Deps: d, instance: maintenance.InstanceName(), proxyWarn: newProxyWarner(d.Config.TrustedProxies), terminals: newTerminalCache(d.Config.TerminalCacheTTL), networks: &networkCache{}}
	pages, err := parseTemplates(d.Config.Location)
	if err != nil {
		return nil, err
	}
	s.pages = pages
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
	e.Use(headers, s.observeRequests(), s.recoverer(), s.requestLog(), s.guardRequest())
	s.engine = e
	s.routes()
	s.instrument()
	s.health = s.startHealth() // last: nothing may fail after it starts; Close stops it
	return s, nil
}

// Handler returns the http.Handler serving every route.
func (s *Server) Handler() http.Handler { return s.engine }

func (s *Server) routes() {
	e := s.engine
	e.GET("/static/*filepath", s.staticFiles())
	e.HEAD("/static/*filepath", s.staticFiles())
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/", func(c *gin.Context) { c.Redirect(http.StatusFound, "/console") })

	// Citizens' rating pages.
	e.GET("/q/:code", s.ratingPage)
	e.POST("/q/:code", s.publicForm(smallFormMax, false), s.submitRating)
	e.GET("/q/:code/thanks", s.thanksPage)
	e.GET("/q/:code/qr.png", s.qrPNG)

	api := e.Group("/api/v1")
	api.POST("/terminal/ratings", s.terminalRatings)
	api.POST("/session", s.apiSignIn)
	api.DELETE("/session", s.apiSignOut)
	authed := api.Group("", s.apiAuth)
	authed.GET("/session", s.apiWhoAmI)
	authed.GET("/units", s.apiListUnits)
	authed.POST("/units", s.office, s.apiCreateUnit)
	authed.GET("/units/:id", s.apiGetUnit)
	authed.PATCH("/units/:id", s.office, s.apiUpdateUnit)
	authed.POST("/units/:id/qr/rotate", s.office, s.apiRotateUnitCode)
	authed.GET("/units/:id/points", s.apiListPoints)
	authed.POST("/units/:id/points", s.office, s.apiCreatePoint)
	authed.POST("/points/:id/qr/rotate", s.office, s.apiRotatePointCode)
	authed.GET("/units/:id/terminals", s.apiListTerminals)
	authed.POST("/units/:id/terminals", s.office, s.apiCreateTerminal)
	authed.DELETE("/terminals/:id", s.office, s.apiRevokeTerminal)
	authed.GET("/units/:id/ratings", s.apiUnitRatings)
	authed.GET("/units/:id/stats", s.apiUnitStats)
	authed.GET("/ratings", s.apiRatings)
	authed.POST("/ratings/:id/exclude", s.office, s.apiExcludeRating)
	authed.POST("/ratings/:id/restore", s.office, s.apiRestoreRating)
	authed.GET("/audit", s.office, s.apiAudit)
	authed.GET("/cycles", s.apiListCycles)
	authed.POST("/cycles", s.office, s.apiCreateCycle)
	authed.GET("/cycles/:id", s.apiGetCycle)
	authed.PUT("/cycles/:id/config", s.office, s.apiSetCycleConfig)
	authed.GET("/cycles/:id/config/versions", s.apiListCycleConfigVersions)
	authed.GET("/cycles/:id/config/versions/:version", s.apiGetCycleConfigVersion)
	console := e.Group("", s.pageAuth)
	s.surveyRoutes(e, authed, console)
	s.agencyRoutes(api, authed, console)
	s.scoreRoutes(authed, console)
	s.workdayRoutes(authed, console)
	s.schemeRoutes(authed, console)
	s.targetRoutes(e, authed, console)
	s.scoringRoutes(authed, console)
	s.resultRoutes(e, authed, console)
	s.feedbackRoutes(authed, console)
	s.dailyCapRoutes(authed, console)
	s.callbackRoutes(e, authed, console)
	s.publicCaseRoutes(e)
	api.Use(func(c *gin.Context) { s.apiError(c, notFoundErr) })
	e.NoRoute(func(c *gin.Context) {
		if isAPI(c) {
			s.apiError(c, notFoundErr)
			return
		}
		s.errorPage(c, http.StatusNotFound, "页面不存在", "您访问的页面不存在。")
	})

	s.consoleRoutes()
}
