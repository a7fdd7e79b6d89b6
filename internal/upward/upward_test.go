package upward_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"minyi/internal/notify"
	"minyi/internal/testutil"
	"minyi/internal/upward"
)

// shanghai is TIME_ZONE's default, in which records write their times.
var shanghai, _ = time.LoadLocation("Asia/Shanghai")

// receiver is the provincial platform of a test: a real HTTP server that
// verifies each body's SM2 signature with the public key, as docs/api.md
// tells a platform to, and keeps what it accepted.
type receiver struct {
	t   *testing.T
	srv *httptest.Server
	pub []byte
	mu  sync.Mutex
	// fail answers the next requests with these statuses first.
	fail     []int
	accepted []upward.Envelope
	raw      []string
	batchIDs []string
	tries    int
}

func newReceiver(t *testing.T, pubPEM []byte) *receiver {
	r := &receiver{t: t, pub: pubPEM}
	pub, err := upward.ParsePublicKey(pubPEM)
	if err != nil {
		t.Fatal(err)
	}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.tries++
		if len(r.fail) > 0 {
			code := r.fail[0]
			r.fail = r.fail[1:]
			http.Error(w, "busy", code)
			return
		}
		if req.Header.Get(upward.SignatureAlgHeader) != "SM2-SM3" || !upward.Verify(pub, body, req.Header.Get(upward.SignatureHeader)) {
			t.Errorf("signature refused: %q", req.Header.Get(upward.SignatureHeader))
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		if req.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("content type %q", req.Header.Get("Content-Type"))
		}
		var env upward.Envelope
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&env); err != nil {
			t.Errorf("body: %v", err)
		}
		if env.BatchID != req.Header.Get(upward.BatchHeader) {
			t.Errorf("batch id %q, header %q", env.BatchID, req.Header.Get(upward.BatchHeader))
		}
		r.accepted = append(r.accepted, env)
		r.raw = append(r.raw, string(body))
		r.batchIDs = append(r.batchIDs, env.BatchID)
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `{"code":"200","msg":"成功"}`)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) records() []upward.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []upward.Record
	for _, e := range r.accepted {
		out = append(out, e.Records...)
	}
	return out
}

// world is a database with one unit, a signing key, a receiver and the
// reporting options.
type world struct {
	t    *testing.T
	ctx  context.Context
	pool *pgxpool.Pool
	unit int64
	o    upward.Options
	recv *receiver
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := newWorldOn(t, testutil.DB(t))
	err := w.pool.QueryRow(w.ctx, `INSERT INTO units (name, category, credit_code, area_code)
		VALUES ('亳州市政务服务管理局', '社会服务类', '11341600MB1234567X', '341600') RETURNING id`).Scan(&w.unit)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// newWorldOn is a world on pool without its unit.
func newWorldOn(t *testing.T, pool *pgxpool.Pool) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), pool: pool}
	key, err := sm2.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := smx509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	// The key goes through its PEM, as the configuration gives it.
	parsed, err := upward.ParsePrivateKey(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := upward.PublicKeyPEM(parsed)
	if err != nil {
		t.Fatal(err)
	}
	w.recv = newReceiver(t, pub)
	w.o = upward.Options{Pool: w.pool, URL: w.recv.srv.URL + "/hcp/receive", Key: parsed, Platform: "PT340000",
		DataSource: "DS3416", Batch: 2, Lag: 0, Interval: time.Hour, Loc: shanghai}
	return w
}

// collect runs one collection, as the periodic job does.
func (w *world) collect() int {
	w.t.Helper()
	n, err := upward.Collect(w.ctx, w.o, time.Now().Add(10*time.Second))
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

// collectWhileWorking collects until a batch is made, with the worker
// running: a transaction river holds open holds the horizon back (a record
// is reported only once every older transaction has ended), so one
// collection right after a record is stored may rightly make none.
func (w *world) collectWhileWorking(what string) int {
	w.t.Helper()
	made := 0
	w.waitFor(what+" collected", func() bool {
		made = w.collect()
		return made > 0
	})
	return made
}

// rating stores a rating as the writer does (created_at its default).
func (w *world) rating(channel string, level int, comment, caseNo string, ratedAt time.Time) string {
	w.t.Helper()
	var id string
	var cn *string
	if caseNo != "" {
		cn = &caseNo
	}
	err := w.pool.QueryRow(w.ctx, `INSERT INTO ratings (id, rated_at, channel, unit_id, level, points, comment, case_no)
		VALUES (gen_random_uuid(), $1, $2, $3, $4, 60, $5, $6) RETURNING id::text`,
		ratedAt, channel, w.unit, level, comment, cn).Scan(&id)
	if err != nil {
		w.t.Fatal(err)
	}
	return id
}

// quickRetry retries a failed send at once, instead of river's back-off.
type quickRetry struct{}

func (quickRetry) NextRetry(*rivertype.JobRow) time.Time {
	return time.Now().Add(10 * time.Millisecond)
}

// startWorker runs the instance's river client with the upward jobs.
func (w *world) startWorker(periodic bool) {
	w.t.Helper()
	opts := notify.Options{PollInterval: 100 * time.Millisecond, RetryPolicy: quickRetry{},
		Register: func(ws *river.Workers) error { return upward.Register(ws, w.o) }}
	if periodic {
		opts.PeriodicJobs = upward.PeriodicJobs(w.o)
	}
	wk, err := notify.NewWorker(w.pool, opts)
	if err != nil {
		w.t.Fatal(err)
	}
	if err := wk.Start(w.ctx); err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = wk.Stop(ctx)
	})
}

// waitFor polls cond for up to 20 seconds.
func (w *world) waitFor(what string, cond func() bool) {
	w.t.Helper()
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	w.t.Fatalf("timed out waiting for %s", what)
}

func (w *world) status() upward.Counts {
	w.t.Helper()
	st, err := upward.ReadStatus(w.ctx, w.pool)
	if err != nil {
		w.t.Fatal(err)
	}
	var sum upward.Counts
	for _, c := range st.Counts {
		sum.Sent += c.Sent
		sum.Waiting += c.Waiting
		sum.Retrying += c.Retrying
		sum.GivenUp += c.GivenUp
	}
	return sum
}
