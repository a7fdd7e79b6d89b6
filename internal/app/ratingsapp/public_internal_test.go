package ratingsapp

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"minyi/internal/config"
	"minyi/internal/httpx"
	"minyi/internal/secure"
	"minyi/internal/testutil"
)

// When the Redis shortcut for the daily marks fails, the server says so
// at warn level, once however many requests fail, and answers from
// Postgres.
func TestRedisShortcutFailureIsLoggedOnce(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	keys, err := secure.NewKeys("test-secret-key-0123456789abcdef-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	s := &Handlers{App: &httpx.App{Config: config.Config{Location: time.UTC}, Pool: testutil.DB(t), Redis: rdb, Keys: keys,
		Log: slog.New(slog.NewTextHandler(&logs, nil)), RedisPrefix: "t:", Now: time.Now}}
	marks := [][]byte{keys.Hash("device", "a"), keys.Hash("fingerprint", "b")}
	for i := 0; i < 2; i++ {
		rated, err := s.ratedToday(context.Background(), 1, marks)
		if rated || err != nil {
			t.Fatalf("ratedToday: %v, %v; want false from Postgres", rated, err)
		}
		s.rememberMarks(context.Background(), 1, marks)
	}
	got := strings.Count(logs.String(), "level=WARN")
	if got != 1 || !strings.Contains(logs.String(), "daily marks") || !strings.Contains(logs.String(), "err=") {
		t.Fatalf("%d warnings, want one naming the daily marks and the error:\n%s", got, logs.String())
	}
}
