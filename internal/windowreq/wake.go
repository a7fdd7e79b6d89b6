package windowreq

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Waking a held long poll goes through Redis pub/sub: the instance that
// creates a request publishes the terminal's or window's key on one
// channel, and every instance's Hub, subscribed to that channel once,
// wakes its own waiters for that key, which then read Postgres. Postgres
// stays the record: a lost message (Redis restarting) only delays a
// terminal until its poll ends and it asks again. LISTEN/NOTIFY would do
// as well but hold one Postgres connection per instance outside the pool
// and keep working only while Postgres does; Redis is already every
// instance's shared channel (rate limits) and costs no pool connection.

// TerminalKey and PointKey name what a waiter waits for.
func TerminalKey(id int64) string { return "t" + strconv.FormatInt(id, 10) }

// PointKey is the key of a window's (service point's) requests.
func PointKey(id int64) string { return "p" + strconv.FormatInt(id, 10) }

// Key is the key the request's terminal or window waits on.
func (r Request) Key() string {
	if r.TerminalID != nil {
		return TerminalKey(*r.TerminalID)
	}
	return PointKey(*r.PointID)
}

// Channel is the pub/sub channel of the wake-ups under a key prefix.
func Channel(prefix string) string { return prefix + "window-requests" }

// Wake tells every instance's waiters for key to look at Postgres.
func Wake(ctx context.Context, rdb redis.UniversalClient, prefix, key string) error {
	return rdb.Publish(ctx, Channel(prefix), key).Err()
}

// Hub is an instance's one subscription to the wake-up channel, shared by
// its waiters. It subscribes at the first Wait; Close ends it.
type Hub struct {
	rdb     redis.UniversalClient
	channel string
	log     *slog.Logger

	mu      sync.Mutex
	ps      *redis.PubSub
	closed  bool
	waiters map[string]map[chan struct{}]struct{}
}

// NewHub returns a hub over rdb for the channel of prefix.
func NewHub(rdb redis.UniversalClient, prefix string, log *slog.Logger) *Hub {
	return &Hub{rdb: rdb, channel: Channel(prefix), log: log, waiters: map[string]map[chan struct{}]struct{}{}}
}

// Wait registers a waiter for the keys and returns the channel that gets
// a value when one of them is woken, and the function that unregisters
// it. It returns an error when Redis cannot be subscribed to; the caller
// then polls Postgres instead.
func (h *Hub) Wait(ctx context.Context, keys ...string) (<-chan struct{}, func(), error) {
	if err := h.subscribe(ctx); err != nil {
		return nil, nil, err
	}
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	for _, k := range keys {
		if h.waiters[k] == nil {
			h.waiters[k] = map[chan struct{}]struct{}{}
		}
		h.waiters[k][ch] = struct{}{}
	}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, k := range keys {
			delete(h.waiters[k], ch)
			if len(h.waiters[k]) == 0 {
				delete(h.waiters, k)
			}
		}
	}, nil
}

// subscribe subscribes once, waiting for Redis to confirm, so that no
// wake-up published after Wait returns can be missed.
func (h *Hub) subscribe(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ps != nil || h.closed {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	ps := h.rdb.Subscribe(ctx, h.channel)
	if _, err := ps.Receive(ctx); err != nil {
		_ = ps.Close()
		return err
	}
	h.ps = ps
	go h.run(ps.Channel())
	return nil
}

func (h *Hub) run(msgs <-chan *redis.Message) {
	for m := range msgs {
		h.mu.Lock()
		for ch := range h.waiters[m.Payload] {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
		h.mu.Unlock()
	}
}

// Close ends the subscription; waiters then wait for their timeout.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	if h.ps != nil {
		if err := h.ps.Close(); err != nil && h.log != nil {
			h.log.Warn("closing the window requests' subscription", "err", err)
		}
		h.ps = nil
	}
}
