// Package config reads Minyi's configuration from the environment into one
// typed struct that validates itself and masks secrets when printed.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
	"github.com/ulule/limiter/v3"
)

// Config is the whole runtime configuration of a Minyi instance.
type Config struct {
	DatabaseURL    string        `env:"DATABASE_URL" envDefault:"postgres://postgres@127.0.0.1:5432/minyi?sslmode=disable"`
	RedisURL       string        `env:"REDIS_URL" envDefault:"redis://127.0.0.1:6379/0"`
	HTTPAddr       string        `env:"HTTP_ADDR" envDefault:":8080"`
	PublicBaseURL  string        `env:"PUBLIC_BASE_URL" envDefault:"http://localhost:8080"`
	SecretKey      string        `env:"SECRET_KEY"`
	TrustedProxies []string      `env:"TRUSTED_PROXIES" envSeparator:","`
	TimeZone       string        `env:"TIME_ZONE" envDefault:"Asia/Shanghai"`
	LogLevel       string        `env:"LOG_LEVEL" envDefault:"info"`
	LogFormat      string        `env:"LOG_FORMAT" envDefault:"json"`
	DBMaxConns     int32         `env:"DB_MAX_CONNS" envDefault:"16"`
	SessionTTL     time.Duration `env:"SESSION_TTL" envDefault:"12h"`

	// Rate limits in ulule/limiter's "<count>-<S|M|H|D>" form: page views
	// and rating posts per client address, rating posts per QR code, batches
	// per terminal token, and sign-in attempts per address.
	RatePublicPage   string `env:"RATE_PUBLIC_PAGE" envDefault:"120-M"`
	RatePublicClient string `env:"RATE_PUBLIC_CLIENT" envDefault:"30-M"`
	RatePublicCode   string `env:"RATE_PUBLIC_CODE" envDefault:"600-M"`
	RateTerminal     string `env:"RATE_TERMINAL" envDefault:"600-M"`
	RateLogin        string `env:"RATE_LOGIN" envDefault:"10-M"`
	RateAgency       string `env:"RATE_AGENCY" envDefault:"120-M"`
	// RateProbe bounds the test messages (发送测试消息) of one unit's
	// channel: each reaches a real group, mailbox or phone.
	RateProbe string `env:"RATE_PROBE" envDefault:"10-H"`

	// RatePublicDailyPerAddress is how many QR ratings from one address
	// (an IPv6 /64 counts as one) a unit counts in a local day; later ones
	// are stored but held out of the score until the office decides. A
	// hall network registered on the unit has its own cap instead.
	RatePublicDailyPerAddress int `env:"RATE_PUBLIC_DAILY_PER_ADDRESS" envDefault:"20"`

	// Rating rules.
	LevelPoints      []float64     `env:"LEVEL_POINTS" envSeparator:"," envDefault:"100,80,60,30,0"`
	RatingReasons    []string      `env:"RATING_REASONS" envSeparator:"," envDefault:"办事效率低,服务态度差,多次跑动,办事指南不清,等候时间长,收费不规范,环境设施差,其他"`
	UnitCategories   []string      `env:"UNIT_CATEGORIES" envSeparator:"," envDefault:"党政综合类,经济发展类,执法监督类,社会服务类,人民团体和民主党派类,中央驻赣类"`
	CallbackRoles    []string      `env:"CALLBACK_ROLES" envSeparator:"," envDefault:"office"`
	TerminalMaxAge   time.Duration `env:"TERMINAL_MAX_AGE" envDefault:"720h"`
	TerminalCacheTTL time.Duration `env:"TERMINAL_CACHE_TTL" envDefault:"10s"`
	// WindowRequestTTL is how long a window evaluation request (a business
	// system's, issue 18) waits for its rating before it expires.
	WindowRequestTTL time.Duration `env:"WINDOW_REQUEST_TTL" envDefault:"5m"`

	// Group commit of ratings.
	WriterFlushers int `env:"WRITER_FLUSHERS" envDefault:"1"`
	WriterMaxBatch int `env:"WRITER_MAX_BATCH" envDefault:"1000"`

	// RatingsRetentionMonths is how many whole months of ratings before the
	// current one `minyi partitions archive` keeps; older months may be
	// archived. 0 (the default) keeps every month.
	RatingsRetentionMonths int `env:"RATINGS_RETENTION_MONTHS" envDefault:"0"`

	// PprofAddr, when set, serves net/http/pprof on this loopback address
	// for profiling (e.g. 127.0.0.1:6060); off by default.
	PprofAddr string `env:"PPROF_ADDR"`

	// Prometheus metrics: MetricsAddr, when set, serves only /metrics on a
	// listener of its own (e.g. 127.0.0.1:9090); MetricsToken, when set,
	// serves them on the main listener too, to a bearer of the token.
	// Either or both; with neither nothing serves them.
	MetricsAddr  string `env:"METRICS_ADDR"`
	MetricsToken string `env:"METRICS_TOKEN"`

	// Shutdown on SIGTERM: ShutdownDrain is how long /readyz answers 503
	// while requests are still served, so balancers take the instance out
	// first; ShutdownTimeout is how long requests in flight may then take.
	ShutdownDrain   time.Duration `env:"SHUTDOWN_DRAIN" envDefault:"10s"`
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"20s"`

	// Request deadlines: RequestTimeout is how long a request may take
	// before its context ends, which cancels its Postgres query and answers
	// 504 "timeout"; FileRequestTimeout replaces it on the routes that take
	// or give a file (uploads, imports, .xlsx/.csv exports; marked in the
	// route table), raised to RequestTimeout if below it. The server's
	// write timeout is each plus WriteMargin.
	RequestTimeout     time.Duration `env:"REQUEST_TIMEOUT" envDefault:"15s"`
	FileRequestTimeout time.Duration `env:"FILE_REQUEST_TIMEOUT" envDefault:"50s"`

	// Parsed forms, filled by Validate.
	// Exports (issue 17): a selection the estimate puts above
	// ExportInlineMaxRows runs as a background job whose file is kept for
	// ExportKeep.
	ExportInlineMaxRows int           `env:"EXPORT_INLINE_MAX_ROWS" envDefault:"50000"`
	ExportKeep          time.Duration `env:"EXPORT_KEEP" envDefault:"72h"`

	// Upward reporting to the provincial 好差评 platform (issue 18,
	// internal/upward, upward.go): off while UPWARD_URL is empty. The SM2
	// private key is a PEM file (UPWARD_KEY_FILE) or the PEM text itself
	// (UPWARD_KEY); UPWARD_PLATFORM and UPWARD_SOURCE are the codes the
	// province assigns (platformCode, dataSource).
	UpwardURL      string        `env:"UPWARD_URL"`
	UpwardKeyFile  string        `env:"UPWARD_KEY_FILE"`
	UpwardKey      string        `env:"UPWARD_KEY"`
	UpwardPlatform string        `env:"UPWARD_PLATFORM"`
	UpwardSource   string        `env:"UPWARD_SOURCE"`
	UpwardInterval time.Duration `env:"UPWARD_INTERVAL" envDefault:"30s"`
	UpwardBatch    int           `env:"UPWARD_BATCH" envDefault:"500"`
	UpwardLag      time.Duration `env:"UPWARD_LAG" envDefault:"30s"`

	Location *time.Location `env:"-"`
	Limits   Limits         `env:"-"`
}

// Bounds of RATINGS_RETENTION_MONTHS besides 0: a month older than three
// can no longer receive ratings (TERMINAL_MAX_AGE is at most 60 days).
const (
	MinRetentionMonths = 3
	MaxRetentionMonths = 1200
)

// MaxDailyCap is the highest daily cap on counted ratings per address or
// per registered network.
const MaxDailyCap = 100_000

// MaxShutdownWait bounds SHUTDOWN_DRAIN and SHUTDOWN_TIMEOUT: an instance
// that takes longer to stop holds up a rolling deploy for no benefit.
const MaxShutdownWait = 5 * time.Minute

// Bounds of REQUEST_TIMEOUT and FILE_REQUEST_TIMEOUT. An interactive
// request that needs more than two minutes should be a file route or a
// background job; a file route that needs more than ten an offline tool.
const (
	MinRequestTimeout     = time.Second
	MaxRequestTimeout     = 2 * time.Minute
	MaxFileRequestTimeout = 10 * time.Minute
)

// WriteMargin is how much longer than a request's deadline the server
// waits for its answer to be written: long enough to render and send the
// timeout page once the deadline has cancelled the request's query.
const WriteMargin = 5 * time.Second

// WriteTimeout is the HTTP server's write timeout: REQUEST_TIMEOUT plus
// WriteMargin. File routes extend their own (see internal/server).
func (c *Config) WriteTimeout() time.Duration { return c.RequestTimeout + WriteMargin }

// Limits holds the parsed rate limits.
type Limits struct {
	PublicPage, PublicClient, PublicCode, Terminal, Login, Agency, Probe limiter.Rate
}

// Load reads the configuration through getenv and validates it.
func Load(getenv func(string) string) (Config, error) {
	var c Config
	environ := map[string]string{}
	for _, k := range envKeys() {
		if v := getenv(k); v != "" {
			environ[k] = v
		}
	}
	if err := env.ParseWithOptions(&c, env.Options{Environment: environ}); err != nil {
		return c, parseError(err)
	}
	if err := c.Validate(); err != nil {
		return c, err
	}
	return c, nil
}

func envKeys() []string {
	return []string{"DATABASE_URL", "REDIS_URL", "HTTP_ADDR", "PUBLIC_BASE_URL", "SECRET_KEY", "TRUSTED_PROXIES",
		"TIME_ZONE", "LOG_LEVEL", "LOG_FORMAT", "DB_MAX_CONNS", "SESSION_TTL", "RATE_PUBLIC_PAGE", "RATE_PUBLIC_CLIENT", "RATE_PUBLIC_CODE",
		"RATE_TERMINAL", "RATE_LOGIN", "RATE_AGENCY", "RATE_PROBE", "RATE_PUBLIC_DAILY_PER_ADDRESS", "LEVEL_POINTS", "RATING_REASONS", "UNIT_CATEGORIES", "CALLBACK_ROLES",
		"TERMINAL_MAX_AGE", "TERMINAL_CACHE_TTL", "WINDOW_REQUEST_TTL", "WRITER_FLUSHERS", "WRITER_MAX_BATCH", "PPROF_ADDR",
		"RATINGS_RETENTION_MONTHS",
		"METRICS_ADDR", "METRICS_TOKEN",
		"SHUTDOWN_DRAIN", "SHUTDOWN_TIMEOUT",
		"REQUEST_TIMEOUT", "FILE_REQUEST_TIMEOUT",
		"EXPORT_INLINE_MAX_ROWS", "EXPORT_KEEP",
		"UPWARD_URL", "UPWARD_KEY_FILE", "UPWARD_KEY", "UPWARD_PLATFORM", "UPWARD_SOURCE", "UPWARD_INTERVAL",
		"UPWARD_BATCH", "UPWARD_LAG"}
}

// Validate checks every setting and fills the parsed fields. It returns one
// error listing every problem found, so a bad deployment is fixed in one go.
func (c *Config) Validate() error {
	var errs []error
	bad := func(name, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, a...)))
	}
	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		bad("DATABASE_URL", "must be a postgres:// URL")
	}
	if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
		bad("REDIS_URL", "must be a redis:// or rediss:// URL")
	} else if _, err := RedisOptions(c.RedisURL); err != nil {
		bad("REDIS_URL", "%v", err)
	}
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		bad("HTTP_ADDR", "must be host:port or :port, got %q", c.HTTPAddr)
	}
	if u, err := url.Parse(c.PublicBaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("PUBLIC_BASE_URL", "must be an absolute http(s) URL, got %q", c.PublicBaseURL)
	}
	c.PublicBaseURL = strings.TrimRight(c.PublicBaseURL, "/")
	if len(c.SecretKey) < 32 {
		bad("SECRET_KEY", "must be set to at least 32 characters (e.g. `openssl rand -hex 32`)")
	}
	for _, p := range c.TrustedProxies {
		p = strings.TrimSpace(p)
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				bad("TRUSTED_PROXIES", "%q is neither an IP address nor a CIDR range", p)
			}
		}
	}
	if c.ExportInlineMaxRows < 0 || c.ExportInlineMaxRows > 1_000_000 {
		bad("EXPORT_INLINE_MAX_ROWS", "must be between 0 and 1000000, got %d", c.ExportInlineMaxRows)
	}
	if c.ExportKeep < time.Hour || c.ExportKeep > 90*24*time.Hour {
		bad("EXPORT_KEEP", "must be between 1h and 2160h, got %s", c.ExportKeep)
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		bad("TIME_ZONE", "unknown time zone %q", c.TimeZone)
	}
	c.Location = loc
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("LOG_LEVEL", "must be debug, info, warn or error")
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		bad("LOG_FORMAT", "must be json or text")
	}
	if c.DBMaxConns < 2 {
		bad("DB_MAX_CONNS", "must be at least 2")
	}
	if c.SessionTTL < time.Minute {
		bad("SESSION_TTL", "must be at least 1m")
	}
	rate := func(name, v string, dst *limiter.Rate) {
		r, err := limiter.NewRateFromFormatted(v)
		if err != nil || r.Limit <= 0 {
			bad(name, "must look like 30-M (count per S, M, H or D), got %q", v)
			return
		}
		*dst = r
	}
	rate("RATE_PUBLIC_PAGE", c.RatePublicPage, &c.Limits.PublicPage)
	rate("RATE_PUBLIC_CLIENT", c.RatePublicClient, &c.Limits.PublicClient)
	rate("RATE_PUBLIC_CODE", c.RatePublicCode, &c.Limits.PublicCode)
	rate("RATE_TERMINAL", c.RateTerminal, &c.Limits.Terminal)
	rate("RATE_LOGIN", c.RateLogin, &c.Limits.Login)
	rate("RATE_AGENCY", c.RateAgency, &c.Limits.Agency)
	rate("RATE_PROBE", c.RateProbe, &c.Limits.Probe)
	if c.RatePublicDailyPerAddress < 1 || c.RatePublicDailyPerAddress > MaxDailyCap {
		bad("RATE_PUBLIC_DAILY_PER_ADDRESS", "must be a whole number from 1 to %d, got %d", MaxDailyCap, c.RatePublicDailyPerAddress)
	}
	if len(c.LevelPoints) != 5 {
		bad("LEVEL_POINTS", "must list five numbers, for levels 5 down to 1 (e.g. 100,80,60,30,0)")
	} else {
		for i, p := range c.LevelPoints {
			if p < 0 || p > 1000 {
				bad("LEVEL_POINTS", "points must be between 0 and 1000")
			}
			if i > 0 && p > c.LevelPoints[i-1] {
				bad("LEVEL_POINTS", "points must not rise as the level falls")
			}
		}
	}
	c.RatingReasons = trimAll(c.RatingReasons)
	if len(c.RatingReasons) == 0 {
		bad("RATING_REASONS", "must list at least one reason")
	}
	c.UnitCategories = trimAll(c.UnitCategories)
	if len(c.UnitCategories) == 0 {
		bad("UNIT_CATEGORIES", "must list at least one category")
	}
	c.CallbackRoles = trimAll(c.CallbackRoles)
	for _, r := range c.CallbackRoles {
		if r != "office" && r != "unit" {
			bad("CALLBACK_ROLES", "unknown role %q (office, unit)", r)
		}
	}
	if c.TerminalMaxAge < time.Hour || c.TerminalMaxAge > 60*24*time.Hour {
		bad("TERMINAL_MAX_AGE", "must be between 1h and 1440h")
	}
	if c.TerminalCacheTTL < 0 || c.TerminalCacheTTL > time.Minute {
		bad("TERMINAL_CACHE_TTL", "must be between 0s and 1m")
	}
	if c.WindowRequestTTL < 10*time.Second || c.WindowRequestTTL > 24*time.Hour {
		bad("WINDOW_REQUEST_TTL", "must be between 10s and 24h")
	}
	if c.WriterFlushers < 1 || int32(c.WriterFlushers) >= c.DBMaxConns {
		bad("WRITER_FLUSHERS", "must be at least 1 and below DB_MAX_CONNS")
	}
	if c.WriterMaxBatch < 1 || c.WriterMaxBatch > 5000 {
		bad("WRITER_MAX_BATCH", "must be between 1 and 5000")
	}
	if r := c.RatingsRetentionMonths; r != 0 && (r < MinRetentionMonths || r > MaxRetentionMonths) {
		bad("RATINGS_RETENTION_MONTHS", "must be 0 (keep every month) or from %d to %d months, got %d",
			MinRetentionMonths, MaxRetentionMonths, r)
	}
	if c.ShutdownDrain < 0 || c.ShutdownDrain > MaxShutdownWait {
		bad("SHUTDOWN_DRAIN", "must be between 0s and %s", MaxShutdownWait)
	}
	if c.ShutdownTimeout < time.Second || c.ShutdownTimeout > MaxShutdownWait {
		bad("SHUTDOWN_TIMEOUT", "must be between 1s and %s", MaxShutdownWait)
	}
	if c.RequestTimeout < MinRequestTimeout || c.RequestTimeout > MaxRequestTimeout {
		bad("REQUEST_TIMEOUT", "must be between %s and %s", MinRequestTimeout, MaxRequestTimeout)
	}
	if c.FileRequestTimeout < MinRequestTimeout || c.FileRequestTimeout > MaxFileRequestTimeout {
		bad("FILE_REQUEST_TIMEOUT", "must be between %s and %s", MinRequestTimeout, MaxFileRequestTimeout)
	}
	// A file route never gets less time than a page (e.g. REQUEST_TIMEOUT
	// raised to 1m with FILE_REQUEST_TIMEOUT left at its default).
	c.FileRequestTimeout = max(c.FileRequestTimeout, c.RequestTimeout)
	if c.PprofAddr != "" {
		host, _, err := net.SplitHostPort(c.PprofAddr)
		if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
			bad("PPROF_ADDR", "must be a loopback host:port such as 127.0.0.1:6060, got %q", c.PprofAddr)
		}
	}
	c.validateMetrics(bad)
	c.validateUpward(bad)
	return errors.Join(errs...)
}

// PointsFor returns the points a level (1–5) is worth.
func (c *Config) PointsFor(level int) float64 { return c.LevelPoints[5-level] }

// String prints the configuration with secrets masked.
func (c Config) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "DATABASE_URL=%s REDIS_URL=%s HTTP_ADDR=%s PUBLIC_BASE_URL=%s SECRET_KEY=%s TRUSTED_PROXIES=%s",
		MaskURL(c.DatabaseURL), MaskURL(c.RedisURL), c.HTTPAddr, c.PublicBaseURL, mask(c.SecretKey), strings.Join(c.TrustedProxies, ","))
	fmt.Fprintf(&b, " RATE_PUBLIC_PAGE=%s RATE_PUBLIC_CLIENT=%s RATE_PUBLIC_CODE=%s RATE_TERMINAL=%s RATE_LOGIN=%s RATE_AGENCY=%s RATE_PROBE=%s LEVEL_POINTS=%s",
		c.RatePublicPage, c.RatePublicClient, c.RatePublicCode, c.RateTerminal, c.RateLogin, c.RateAgency, c.RateProbe, joinFloats(c.LevelPoints))
	fmt.Fprintf(&b, " RATE_PUBLIC_DAILY_PER_ADDRESS=%d", c.RatePublicDailyPerAddress)
	fmt.Fprintf(&b, " TIME_ZONE=%s CALLBACK_ROLES=%s TERMINAL_MAX_AGE=%s WRITER_FLUSHERS=%d DB_MAX_CONNS=%d",
		c.TimeZone, strings.Join(c.CallbackRoles, ","), c.TerminalMaxAge, c.WriterFlushers, c.DBMaxConns)
	fmt.Fprintf(&b, " RATINGS_RETENTION_MONTHS=%d WINDOW_REQUEST_TTL=%s", c.RatingsRetentionMonths, c.WindowRequestTTL)
	fmt.Fprintf(&b, " SHUTDOWN_DRAIN=%s SHUTDOWN_TIMEOUT=%s", c.ShutdownDrain, c.ShutdownTimeout)
	fmt.Fprintf(&b, " REQUEST_TIMEOUT=%s FILE_REQUEST_TIMEOUT=%s", c.RequestTimeout, c.FileRequestTimeout)
	fmt.Fprintf(&b, " EXPORT_INLINE_MAX_ROWS=%d EXPORT_KEEP=%s", c.ExportInlineMaxRows, c.ExportKeep)
	fmt.Fprintf(&b, " METRICS_ADDR=%s METRICS_TOKEN=%s", c.MetricsAddr, mask(c.MetricsToken))
	fmt.Fprintf(&b, " UPWARD_URL=%s UPWARD_KEY_FILE=%s UPWARD_KEY=%s UPWARD_PLATFORM=%s UPWARD_SOURCE=%s UPWARD_INTERVAL=%s UPWARD_BATCH=%d UPWARD_LAG=%s",
		MaskURL(c.UpwardURL), c.UpwardKeyFile, mask(c.UpwardKey), c.UpwardPlatform, c.UpwardSource, c.UpwardInterval,
		c.UpwardBatch, c.UpwardLag)
	return b.String()
}

func mask(s string) string {
	if s == "" {
		return "(unset)"
	}
	return "****"
}

// MaskURL hides the password of a URL.
func MaskURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable)"
	}
	return u.Redacted()
}

func trimAll(in []string) []string {
	out := in[:0]
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func joinFloats(fs []float64) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strings.Join(parts, ",")
}
