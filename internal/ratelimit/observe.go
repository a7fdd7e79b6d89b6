package ratelimit

import "strings"

// Results of a check, as an Observer hears them.
const (
	ResultAllowed    = "allowed"
	ResultLimited    = "limited"
	ResultFailedOpen = "failed_open" // Redis could not be asked; the request was let through
)

// Observer hears about every check: the limit's name (see LimitName) and
// its result. Calls come from the request's goroutine, so they must be
// quick.
type Observer interface {
	RateLimitCheck(limit, result string)
}

// observerBox holds an Observer in an atomic.Pointer.
type observerBox struct{ o Observer }

// SetObserver makes the limiter report each check to o (nil: to none). It
// may be called while the limiter is in use.
func (l *Limiter) SetObserver(o Observer) {
	if o == nil {
		l.observer.Store(nil)
		return
	}
	l.observer.Store(&observerBox{o})
}

func (l *Limiter) observe(key, result string) {
	if b := l.observer.Load(); b != nil {
		b.o.RateLimitCheck(LimitName(key), result)
	}
}

// LimitName is the name a check of key is counted under: the key's prefix
// before its first colon ("qc" for "qc:…"), which names the limit and never
// the client. A key without a short lower-case prefix counts as "other".
func LimitName(key string) string {
	name, _, ok := strings.Cut(key, ":")
	if !ok || name == "" || len(name) > 8 {
		return "other"
	}
	for _, r := range name {
		if r < 'a' || r > 'z' {
			return "other"
		}
	}
	return name
}
