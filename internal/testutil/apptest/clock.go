package apptest

import (
	"sync"
	"time"
)

// Clock is a settable clock for apptest.Options.Now.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now reads the clock.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// NewClock returns a clock that reads at until it is set.
func NewClock(at time.Time) *Clock { return &Clock{t: at} }

// Shanghai is the tests' time zone, Asia/Shanghai.
var Shanghai, _ = time.LoadLocation("Asia/Shanghai")
