package channels_test

import (
	"errors"
	"testing"

	"minyi/internal/channels"
)

// Outcome: sent, failed while tries remain (the queue retries), given up
// on a final failure or on the last try of a temporary one.
func TestOutcome(t *testing.T) {
	tmp := &channels.TemporaryError{Err: errors.New("busy")}
	final := errors.New("refused")
	for _, c := range []struct {
		err            error
		attempt        int
		state, lastErr string
		retry          bool
	}{
		{nil, 1, "sent", "", false},
		{tmp, 1, "failed", "busy", true},
		{tmp, 8, "given_up", "busy", false},
		{final, 1, "given_up", "refused", false},
	} {
		state, lastErr, retry := channels.Outcome(c.err, c.attempt, 8)
		if state != c.state || lastErr != c.lastErr || (retry != nil) != c.retry {
			t.Errorf("%v at try %d: %s %q %v", c.err, c.attempt, state, lastErr, retry)
		}
	}
}
