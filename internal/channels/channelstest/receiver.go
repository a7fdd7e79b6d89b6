package channelstest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Request is one request a Receiver got.
type Request struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   string
}

// Receiver is a real HTTP server recording every request and answering
// with a status and body that the test may change; while Down, it answers
// 503 and records nothing, as a receiver that is down.
type Receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []Request
	status int
	answer string
	down   bool
	missed int
}

// NewReceiver serves until the test ends.
func NewReceiver(t testing.TB, status int, answer string) *Receiver {
	r := &Receiver{status: status, answer: answer}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		down, status, answer := r.down, r.status, r.answer
		if down {
			r.missed++
		} else {
			r.got = append(r.got, Request{Method: req.Method, Path: req.URL.Path, Query: req.URL.RawQuery,
				Header: req.Header.Clone(), Body: string(b)})
		}
		r.mu.Unlock()
		if down {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(status)
		io.WriteString(w, answer) //nolint:errcheck
	}))
	t.Cleanup(r.Close)
	return r
}

// SetDown makes the receiver answer 503 (down) or serve again (up).
func (r *Receiver) SetDown(down bool) {
	r.mu.Lock()
	r.down = down
	r.mu.Unlock()
}

// SetAnswer changes the status and body the receiver answers with.
func (r *Receiver) SetAnswer(status int, answer string) {
	r.mu.Lock()
	r.status, r.answer = status, answer
	r.mu.Unlock()
}

// Missed returns how many requests came while the receiver was down.
func (r *Receiver) Missed() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.missed
}

// Got returns the requests received so far.
func (r *Receiver) Got() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.got...)
}
