package ratelimit

import (
	"context"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// pipelinedClient is the Redis client the limiter's store talks to. It is
// the ordinary client except for EVALSHA, the one command every check
// sends: the checks of concurrent requests travel to Redis together in one
// pipeline, so that a busy server pays one round trip (and one pair of
// system calls on each side) for many checks instead of one each. It is
// group commit for Redis: no request waits for others to arrive; whoever
// finds no pipeline in flight sends everything queued so far at once.
// Each check still runs ulule/limiter's own script on its own key, so every
// decision is exactly what it would be one by one.
type pipelinedClient struct {
	redis.UniversalClient
	timeout time.Duration

	mu      sync.Mutex
	pending []*evalCall
	running bool
}

type evalCall struct {
	deadline time.Time
	sha      string
	keys     []string
	args     []any
	cmd      *redis.Cmd
	done     chan struct{}
}

// maxPipeline bounds how many checks one round trip carries.
const maxPipeline = 512

func newPipelinedClient(rdb redis.UniversalClient, timeout time.Duration) *pipelinedClient {
	return &pipelinedClient{UniversalClient: rdb, timeout: timeout}
}

// EvalSha queues the call for the next pipeline and waits for its reply,
// for ctx to end, or at most the client's timeout: a pipeline never waits
// for Redis past the earliest deadline of the calls it carries, and a call
// whose deadline passed before its turn fails without being sent.
func (p *pipelinedClient) EvalSha(ctx context.Context, sha string, keys []string, args ...any) *redis.Cmd {
	deadline := time.Now().Add(p.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	call := &evalCall{deadline: deadline, sha: sha, keys: keys, args: args, done: make(chan struct{})}
	p.mu.Lock()
	p.pending = append(p.pending, call)
	lead := !p.running
	p.running = true
	p.mu.Unlock()
	if lead {
		p.flush()
	}
	select {
	case <-call.done:
		return call.cmd
	case <-ctx.Done():
		cmd := redis.NewCmd(ctx)
		cmd.SetErr(ctx.Err())
		return cmd
	}
}

// flush sends the queued calls as one pipeline. When more calls queued up
// meanwhile, a new goroutine takes them on, so the caller that led this
// round trip returns with its own reply at once.
func (p *pipelinedClient) flush() {
	p.mu.Lock()
	batch := p.pending
	if len(batch) > maxPipeline {
		batch = batch[:maxPipeline:maxPipeline]
		p.pending = append([]*evalCall(nil), p.pending[maxPipeline:]...)
	} else {
		p.pending = nil
	}
	p.mu.Unlock()

	now := time.Now()
	var deadline time.Time
	live := make([]*evalCall, 0, len(batch))
	for _, c := range batch {
		if !now.Before(c.deadline) {
			c.cmd = redis.NewCmd(context.Background())
			c.cmd.SetErr(context.DeadlineExceeded)
			close(c.done)
			continue
		}
		if deadline.IsZero() || c.deadline.Before(deadline) {
			deadline = c.deadline
		}
		live = append(live, c)
	}
	if len(live) > 0 {
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		pipe := p.UniversalClient.Pipeline()
		for _, c := range live {
			c.cmd = pipe.EvalSha(ctx, c.sha, c.keys, c.args...)
		}
		// Each command carries its own reply or error (a failed connection
		// sets the error on all of them); the summary error adds nothing.
		_, _ = pipe.Exec(ctx)
		cancel()
		for _, c := range live {
			close(c.done)
		}
	}

	p.mu.Lock()
	more := len(p.pending) > 0
	p.running = more
	p.mu.Unlock()
	if more {
		go p.flush()
	}
}
