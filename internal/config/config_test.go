package config_test

import (
	"strings"
	"testing"
	"time"

	"minyi/internal/config"
)

const goodSecret = "0123456789abcdef0123456789abcdef"

// load reads the configuration from the given variables only.
func load(env map[string]string) (config.Config, error) {
	return config.Load(func(k string) string { return env[k] })
}

func TestLoadDefaults(t *testing.T) {
	c, err := load(map[string]string{"SECRET_KEY": goodSecret})
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != ":8080" {
		t.Errorf("HTTPAddr = %q, want :8080", c.HTTPAddr)
	}
	if c.Location == nil || c.Location.String() != "Asia/Shanghai" {
		t.Errorf("Location = %v, want Asia/Shanghai", c.Location)
	}
	wantPoints := []float64{100, 80, 60, 30, 0}
	for level := 5; level >= 1; level-- {
		if got := c.PointsFor(level); got != wantPoints[5-level] {
			t.Errorf("PointsFor(%d) = %v, want %v", level, got, wantPoints[5-level])
		}
	}
	if len(c.CallbackRoles) != 1 || c.CallbackRoles[0] != "office" {
		t.Errorf("CallbackRoles = %v, want [office]", c.CallbackRoles)
	}
	if c.Limits.Terminal.Limit != 600 || c.Limits.Terminal.Period != time.Minute {
		t.Errorf("terminal limit = %+v, want 600 per minute", c.Limits.Terminal)
	}
	if len(c.UnitCategories) != 6 {
		t.Errorf("UnitCategories = %v, want the six Jiangxi categories", c.UnitCategories)
	}
	if c.RatePublicDailyPerAddress != 20 {
		t.Errorf("RatePublicDailyPerAddress = %d, want 20", c.RatePublicDailyPerAddress)
	}
	if c.ShutdownDrain != 10*time.Second || c.ShutdownTimeout != 20*time.Second {
		t.Errorf("ShutdownDrain, ShutdownTimeout = %s, %s, want 10s, 20s", c.ShutdownDrain, c.ShutdownTimeout)
	}
	if c.RequestTimeout != 15*time.Second || c.FileRequestTimeout != 50*time.Second || c.WriteTimeout() != 20*time.Second {
		t.Errorf("RequestTimeout, FileRequestTimeout, WriteTimeout = %s, %s, %s, want 15s, 50s, 20s",
			c.RequestTimeout, c.FileRequestTimeout, c.WriteTimeout())
	}
}

func TestLoadAcceptsGoodValues(t *testing.T) {
	c, err := load(map[string]string{
		"SECRET_KEY": goodSecret, "PUBLIC_BASE_URL": "https://minyi.example.gov.cn/", "TRUSTED_PROXIES": "10.0.0.1, 192.168.0.0/16",
		"LEVEL_POINTS": "100,90,90,50,0", "TIME_ZONE": "UTC", "RATE_TERMINAL": "5-S", "CALLBACK_ROLES": "office, unit",
		"REDIS_URL": "redis://:pw@127.0.0.1:6379/2", "DATABASE_URL": "postgresql://u:p@db:5432/minyi",
		"RATE_PUBLIC_DAILY_PER_ADDRESS": "200", "SHUTDOWN_DRAIN": "0s", "SHUTDOWN_TIMEOUT": "1m",
		"REQUEST_TIMEOUT": "1s", "FILE_REQUEST_TIMEOUT": "1s",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.PublicBaseURL != "https://minyi.example.gov.cn" {
		t.Errorf("PublicBaseURL = %q, want the trailing slash trimmed", c.PublicBaseURL)
	}
	if c.PointsFor(4) != 90 || c.PointsFor(1) != 0 {
		t.Errorf("LEVEL_POINTS not applied: %v", c.LevelPoints)
	}
	if c.Limits.Terminal.Limit != 5 || c.Limits.Terminal.Period != time.Second {
		t.Errorf("RATE_TERMINAL not applied: %+v", c.Limits.Terminal)
	}
	if len(c.CallbackRoles) != 2 || c.CallbackRoles[1] != "unit" {
		t.Errorf("CallbackRoles = %q, want trimmed [office unit]", c.CallbackRoles)
	}
	if c.RatePublicDailyPerAddress != 200 {
		t.Errorf("RATE_PUBLIC_DAILY_PER_ADDRESS not applied: %d", c.RatePublicDailyPerAddress)
	}
	if s := c.String(); !strings.Contains(s, "RATE_PUBLIC_DAILY_PER_ADDRESS=200") {
		t.Errorf("String() = %s, want it to show RATE_PUBLIC_DAILY_PER_ADDRESS", s)
	}
	if c.ShutdownDrain != 0 || c.ShutdownTimeout != time.Minute {
		t.Errorf("SHUTDOWN_DRAIN=0s, SHUTDOWN_TIMEOUT=1m read as %s, %s", c.ShutdownDrain, c.ShutdownTimeout)
	}
	if s := c.String(); !strings.Contains(s, "SHUTDOWN_DRAIN=0s SHUTDOWN_TIMEOUT=1m0s") {
		t.Errorf("String() = %s, want it to show the shutdown settings", s)
	}
	if c.RequestTimeout != time.Second || c.FileRequestTimeout != time.Second || c.WriteTimeout() != 6*time.Second {
		t.Errorf("REQUEST_TIMEOUT=1s, FILE_REQUEST_TIMEOUT=1s read as %s, %s (write timeout %s)",
			c.RequestTimeout, c.FileRequestTimeout, c.WriteTimeout())
	}
	if s := c.String(); !strings.Contains(s, "REQUEST_TIMEOUT=1s FILE_REQUEST_TIMEOUT=1s") {
		t.Errorf("String() = %s, want it to show the request deadlines", s)
	}
	// A file route never gets less time than a page.
	c, err = load(map[string]string{"SECRET_KEY": goodSecret, "REQUEST_TIMEOUT": "1m", "FILE_REQUEST_TIMEOUT": "10s"})
	if err != nil || c.FileRequestTimeout != time.Minute {
		t.Errorf("FILE_REQUEST_TIMEOUT=10s below REQUEST_TIMEOUT=1m: %s, %v, want raised to 1m", c.FileRequestTimeout, err)
	}
}

func TestLoadRejectsBadValues(t *testing.T) {
	tests := []struct {
		name, value string
		// wantVar is the variable the error must name.
		wantVar string
	}{
		{"SECRET_KEY", "", "SECRET_KEY"},
		{"SECRET_KEY", "short-secret", "SECRET_KEY"},
		{"DATABASE_URL", "mysql://root@db/minyi", "DATABASE_URL"},
		{"DATABASE_URL", "://nope", "DATABASE_URL"},
		{"REDIS_URL", "http://127.0.0.1:6379", "REDIS_URL"},
		{"REDIS_URL", "redis://[::1", "REDIS_URL"},
		{"HTTP_ADDR", "8080", "HTTP_ADDR"},
		{"PUBLIC_BASE_URL", "minyi.example.gov.cn", "PUBLIC_BASE_URL"},
		{"PUBLIC_BASE_URL", "ftp://minyi.example.gov.cn", "PUBLIC_BASE_URL"},
		{"PUBLIC_BASE_URL", "https://", "PUBLIC_BASE_URL"},
		{"TRUSTED_PROXIES", "10.0.0.1,proxy.local", "TRUSTED_PROXIES"},
		{"TRUSTED_PROXIES", "10.0.0.0/33", "TRUSTED_PROXIES"},
		{"TIME_ZONE", "Mars/Olympus_Mons", "TIME_ZONE"},
		{"LOG_LEVEL", "verbose", "LOG_LEVEL"},
		{"LOG_FORMAT", "xml", "LOG_FORMAT"},
		{"DB_MAX_CONNS", "1", "DB_MAX_CONNS"},
		{"DB_MAX_CONNS", "many", "DB_MAX_CONNS"},
		{"SESSION_TTL", "30s", "SESSION_TTL"},
		{"SESSION_TTL", "soon", "SESSION_TTL"},
		{"RATE_PUBLIC_CLIENT", "30 per minute", "RATE_PUBLIC_CLIENT"},
		{"RATE_PUBLIC_CODE", "600-W", "RATE_PUBLIC_CODE"},
		{"RATE_TERMINAL", "0-M", "RATE_TERMINAL"},
		{"RATE_LOGIN", "-", "RATE_LOGIN"},
		{"LEVEL_POINTS", "100,80,60,30", "LEVEL_POINTS"},
		{"LEVEL_POINTS", "100,80,60,30,0,0", "LEVEL_POINTS"},
		{"LEVEL_POINTS", "0,30,60,80,100", "LEVEL_POINTS"},
		{"LEVEL_POINTS", "100,80,90,30,0", "LEVEL_POINTS"},
		{"LEVEL_POINTS", "100,80,sixty,30,0", "LEVEL_POINTS"},
		{"LEVEL_POINTS", "2000,80,60,30,0", "LEVEL_POINTS"},
		{"LEVEL_POINTS", "100,80,60,30,-1", "LEVEL_POINTS"},
		{"RATING_REASONS", " , ", "RATING_REASONS"},
		{"UNIT_CATEGORIES", ",", "UNIT_CATEGORIES"},
		{"CALLBACK_ROLES", "office,admin", "CALLBACK_ROLES"},
		{"TERMINAL_MAX_AGE", "30m", "TERMINAL_MAX_AGE"},
		{"TERMINAL_MAX_AGE", "2000h", "TERMINAL_MAX_AGE"},
		{"TERMINAL_MAX_AGE", "1", "TERMINAL_MAX_AGE"},
		{"TERMINAL_CACHE_TTL", "5m", "TERMINAL_CACHE_TTL"},
		{"WINDOW_REQUEST_TTL", "1s", "WINDOW_REQUEST_TTL"},
		{"WRITER_FLUSHERS", "0", "WRITER_FLUSHERS"},
		{"WRITER_FLUSHERS", "16", "WRITER_FLUSHERS"},
		{"WRITER_MAX_BATCH", "6000", "WRITER_MAX_BATCH"},
		{"RATE_PUBLIC_DAILY_PER_ADDRESS", "0", "RATE_PUBLIC_DAILY_PER_ADDRESS"},
		{"RATE_PUBLIC_DAILY_PER_ADDRESS", "-5", "RATE_PUBLIC_DAILY_PER_ADDRESS"},
		{"RATE_PUBLIC_DAILY_PER_ADDRESS", "100001", "RATE_PUBLIC_DAILY_PER_ADDRESS"},
		{"RATE_PUBLIC_DAILY_PER_ADDRESS", "20-D", "RATE_PUBLIC_DAILY_PER_ADDRESS"},
		{"SHUTDOWN_DRAIN", "-1s", "SHUTDOWN_DRAIN"},
		{"SHUTDOWN_DRAIN", "6m", "SHUTDOWN_DRAIN"},
		{"SHUTDOWN_DRAIN", "10", "SHUTDOWN_DRAIN"},
		{"SHUTDOWN_TIMEOUT", "0s", "SHUTDOWN_TIMEOUT"},
		{"SHUTDOWN_TIMEOUT", "500ms", "SHUTDOWN_TIMEOUT"},
		{"SHUTDOWN_TIMEOUT", "1h", "SHUTDOWN_TIMEOUT"},
		{"REQUEST_TIMEOUT", "500ms", "REQUEST_TIMEOUT"},
		{"REQUEST_TIMEOUT", "3m", "REQUEST_TIMEOUT"},
		{"REQUEST_TIMEOUT", "15", "REQUEST_TIMEOUT"},
		{"FILE_REQUEST_TIMEOUT", "500ms", "FILE_REQUEST_TIMEOUT"},
		{"FILE_REQUEST_TIMEOUT", "11m", "FILE_REQUEST_TIMEOUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			env := map[string]string{"SECRET_KEY": goodSecret, tt.name: tt.value}
			_, err := load(env)
			if err == nil {
				t.Fatalf("%s=%q was accepted", tt.name, tt.value)
			}
			if !strings.Contains(err.Error(), tt.wantVar) {
				t.Errorf("error %q does not name %s", err, tt.wantVar)
			}
		})
	}
}

func TestLoadReportsEveryProblemAtOnce(t *testing.T) {
	_, err := load(map[string]string{"SECRET_KEY": "x", "HTTP_ADDR": "nope", "LOG_FORMAT": "xml"})
	if err == nil {
		t.Fatal("bad configuration accepted")
	}
	for _, name := range []string{"SECRET_KEY", "HTTP_ADDR", "LOG_FORMAT"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name %s", err, name)
		}
	}
}

func TestStringMasksSecrets(t *testing.T) {
	const secret = "s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t"
	c, err := load(map[string]string{
		"SECRET_KEY":   secret,
		"DATABASE_URL": "postgres://minyi:db-pass-123@db.internal:5432/minyi",
		"REDIS_URL":    "redis://default:redis-pass-456@cache:6379/0",
	})
	if err != nil {
		t.Fatal(err)
	}
	s := c.String()
	for _, leaked := range []string{secret, "db-pass-123", "redis-pass-456"} {
		if strings.Contains(s, leaked) {
			t.Errorf("String() leaks %q: %s", leaked, s)
		}
	}
	for _, want := range []string{"SECRET_KEY=****", "minyi:xxxxx@db.internal:5432/minyi", "default:xxxxx@cache:6379"} {
		if !strings.Contains(s, want) {
			t.Errorf("String() = %s, want it to contain %q", s, want)
		}
	}
	if got := config.MaskURL("postgres://u@h/db"); got != "postgres://u@h/db" {
		t.Errorf("MaskURL without password = %q, want it unchanged", got)
	}
}

func TestRedisOptions(t *testing.T) {
	tests := []struct {
		url         string
		wantAddrs   []string
		wantCluster bool
		wantMaster  string
		wantDB      int
		wantPass    string
	}{
		{url: "redis://127.0.0.1:6379/3", wantAddrs: []string{"127.0.0.1:6379"}, wantDB: 3},
		{url: "redis://:pw@cache:6380", wantAddrs: []string{"cache:6380"}, wantPass: "pw"},
		{url: "redis://h1:6379?addr=h2:6379&addr=h3:6379&cluster=1", wantAddrs: []string{"h1:6379", "h2:6379", "h3:6379"},
			wantCluster: true},
		{url: "redis://h1:6379,h2:6379,h3:6379?cluster=1", wantAddrs: []string{"h1:6379", "h2:6379", "h3:6379"},
			wantCluster: true},
		{url: "redis://:pw@h1:6379,h2:6379?cluster=true", wantAddrs: []string{"h1:6379", "h2:6379"},
			wantCluster: true, wantPass: "pw"},
		{url: "redis://h1:26379?addr=h2:26379&master_name=mymaster", wantAddrs: []string{"h1:26379", "h2:26379"},
			wantMaster: "mymaster"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			o, err := config.RedisOptions(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(o.Addrs, ",") != strings.Join(tt.wantAddrs, ",") {
				t.Errorf("Addrs = %v, want %v", o.Addrs, tt.wantAddrs)
			}
			if o.IsClusterMode != tt.wantCluster {
				t.Errorf("IsClusterMode = %v, want %v", o.IsClusterMode, tt.wantCluster)
			}
			if o.MasterName != tt.wantMaster {
				t.Errorf("MasterName = %q, want %q", o.MasterName, tt.wantMaster)
			}
			if o.DB != tt.wantDB {
				t.Errorf("DB = %d, want %d", o.DB, tt.wantDB)
			}
			if o.Password != tt.wantPass {
				t.Errorf("Password = %q, want %q", o.Password, tt.wantPass)
			}
		})
	}
	if _, err := config.RedisOptions("redis://[::1"); err == nil {
		t.Error("a malformed Redis URL was accepted")
	}
}
