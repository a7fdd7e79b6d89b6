package ratelimit

import (
	"context"
	"fmt"
	"log/slog"
)

// RedisLogger sends go-redis's own messages (such as failed dials while Redis
// is down) to slog at warn level, instead of its default plain stderr
// logger; pass it to redis.SetLogger.
type RedisLogger struct{ Log *slog.Logger }

// Printf implements go-redis's logging interface.
func (l RedisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.Log.WarnContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}
