package ratingsapp

import (
	"log/slog"
	"sync/atomic"
	"time"
)

// redisWarnEvery is how often at most the server warns that a Redis
// shortcut failed: an outage would otherwise log once per request.
const redisWarnEvery = time.Minute

// logThrottle lets a warning through at most once per redisWarnEvery and
// counts the ones it held back, so the next warning says how many there
// were. Its zero value is ready to use. It is local to the instance on
// purpose: it only limits this instance's log volume.
type logThrottle struct {
	last       atomic.Int64 // Unix nanoseconds of the last warning let through
	suppressed atomic.Int64
}

// warn logs msg at warn level unless a warning went out less than
// redisWarnEvery ago; then it only counts it.
func (t *logThrottle) warn(log *slog.Logger, msg string, args ...any) {
	now := time.Now().UnixNano()
	last := t.last.Load()
	if last != 0 && now-last < int64(redisWarnEvery) || !t.last.CompareAndSwap(last, now) {
		t.suppressed.Add(1)
		return
	}
	if n := t.suppressed.Swap(0); n > 0 {
		args = append(args, "suppressed", n)
	}
	log.Warn(msg, args...)
}
