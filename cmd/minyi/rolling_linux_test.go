package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/testutil"
	"minyi/internal/units"
)

// load drives requests through a frontend from several goroutines until
// stopped, and records every failure and every acknowledged rating.
type load struct {
	token string
	stop  chan struct{}
	once  sync.Once
	wg    sync.WaitGroup
	done  atomic.Int64 // requests answered as expected

	mu       sync.Mutex
	failures []string
	acked    map[string]bool // client ids of ratings the API acknowledged
}

func newLoad(token string) *load {
	return &load{token: token, stop: make(chan struct{}), acked: map[string]bool{}}
}

// run starts workers goroutines sending to base; names label their
// client ids and failures.
func (l *load) run(base, name string, workers int) {
	for w := range workers {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			client := &http.Client{Timeout: 20 * time.Second}
			for i := 0; ; i++ {
				select {
				case <-l.stop:
					return
				default:
				}
				var err error
				switch i % 3 {
				case 0:
					err = l.page(client, base+"/healthz")
				case 1:
					err = l.page(client, base+"/login")
				default:
					err = l.rate(client, base, fmt.Sprintf("%s-%d-%d", name, w, i))
				}
				if err != nil {
					l.mu.Lock()
					l.failures = append(l.failures, fmt.Sprintf("%s at %s: %v", name, time.Now().Format("15:04:05.000"), err))
					l.mu.Unlock()
				} else {
					l.done.Add(1)
				}
				time.Sleep(3 * time.Millisecond)
			}
		}()
	}
}

// finish stops the workers and waits for them.
func (l *load) finish() {
	l.once.Do(func() { close(l.stop) })
	l.wg.Wait()
}

func (l *load) page(client *http.Client, url string) error {
	res, err := client.Get(url)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	io.Copy(io.Discard, res.Body) //nolint:errcheck
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", url, res.StatusCode)
	}
	return nil
}

// rate posts a batch of two terminal ratings and records the ids the reply
// acknowledges as stored.
func (l *load) rate(client *http.Client, base, id string) error {
	body := fmt.Sprintf(`{"ratings":[{"id":"%s-x","level":5},{"id":"%s-y","level":2,"reasons":["等候时间长"]}]}`, id, id)
	req, err := http.NewRequest("POST", base+"/api/v1/terminal/ratings", strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+l.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("POST ratings: status %d %s", res.StatusCode, bytes.TrimSpace(data))
	}
	var reply struct {
		Results []struct{ ID, Status string }
	}
	if err := json.Unmarshal(data, &reply); err != nil || len(reply.Results) != 2 {
		return fmt.Errorf("POST ratings: reply %s", data)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range reply.Results {
		// "duplicate": a balancer's retry of a batch already stored.
		if r.Status != "created" && r.Status != "duplicate" {
			return fmt.Errorf("POST ratings: rating %s %s", r.ID, r.Status)
		}
		l.acked[r.ID] = true
	}
	return nil
}

// terminalToken registers a unit and a terminal and returns the terminal's
// id and bearer token.
func terminalToken(t *testing.T, dbURL string) (int64, string) {
	t.Helper()
	ctx := context.Background()
	pool, err := db.Connect(ctx, dbURL, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var term units.Terminal
	var token string
	err = db.Tx(ctx, pool, func(tx pgx.Tx) error {
		u, err := units.CreateUnit(ctx, tx, audit.System, units.UnitInput{Name: "市政务服务中心", Category: "社会服务类"},
			[]string{"社会服务类"})
		if err != nil {
			return err
		}
		term, token, err = units.CreateTerminal(ctx, tx, audit.System, u.ID, units.TerminalInput{Name: "一号窗口评价器"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return term.ID, token
}

// A rolling restart of two instances behind HAProxy, under load, is
// invisible to clients: no 5xx and no network error, even through a
// frontend that never retries, both instances exit 0 each time, and every
// rating the API acknowledged is stored exactly once.
func TestRollingRestartBehindHAProxy(t *testing.T) {
	haproxyPath(t)
	dbURL := testutil.EmptyDatabaseURL(t)
	migrate := exec.Command(minyiBinary(t), "migrate")
	migrate.Env = minyiEnv(dbURL, 0)
	if out, err := migrate.CombinedOutput(); err != nil {
		t.Fatalf("minyi migrate: %v\n%s", err, out)
	}
	terminalID, token := terminalToken(t, dbURL)

	ports := map[string]int{"a": testutil.FreePorts(t, 1)[0], "b": testutil.FreePorts(t, 1)[0]}
	start := func(name string) *process {
		return startMinyi(t, "minyi "+name, dbURL, ports[name], "SHUTDOWN_DRAIN", "1500ms", "SHUTDOWN_TIMEOUT", "10s")
	}
	procs := map[string]*process{"a": start("a"), "b": start("b")}
	h := startHAProxy(t, ports["a"], ports["b"])
	h.waitServerUp(t, "a")
	h.waitServerUp(t, "b")

	l := newLoad(token)
	t.Cleanup(l.finish)
	l.run(h.documented, "documented", 3)
	l.run(h.noRetry, "no-retry", 3)
	time.Sleep(500 * time.Millisecond)
	for _, name := range []string{"a", "b"} {
		before := l.done.Load()
		procs[name].signal(t, syscall.SIGTERM)
		if code := procs[name].wait(t, 30*time.Second); code != 0 {
			t.Errorf("minyi %s exited with status %d after SIGTERM, want 0", name, code)
		}
		procs[name] = start(name)
		h.waitServerUp(t, name)
		if n := l.done.Load() - before; n < 50 {
			t.Errorf("only %d requests answered while %s restarted: the load did not run through the restart", n, name)
		}
	}
	time.Sleep(300 * time.Millisecond)
	l.finish()
	for _, name := range []string{"a", "b"} {
		procs[name].signal(t, syscall.SIGTERM)
	}
	for _, name := range []string{"a", "b"} {
		if code := procs[name].wait(t, 30*time.Second); code != 0 {
			t.Errorf("minyi %s exited with status %d after SIGTERM, want 0", name, code)
		}
	}

	t.Logf("%d requests answered, %d ratings acknowledged, %d failed", l.done.Load(), len(l.acked), len(l.failures))
	for _, frontend := range []string{"documented", "no-retry"} {
		var failed []string
		for _, f := range l.failures {
			if strings.HasPrefix(f, frontend+" ") {
				failed = append(failed, f)
			}
		}
		if n := len(failed); n > 0 {
			t.Errorf("%d requests through the %s frontend failed during the rolling restart; the first:\n%s",
				n, frontend, strings.Join(failed[:min(n, 10)], "\n"))
		}
	}
	checkStoredOnce(t, dbURL, terminalID, l.acked)
}

// checkStoredOnce checks that the terminal's stored ratings are exactly
// the acknowledged ones, each once.
func checkStoredOnce(t *testing.T, dbURL string, terminalID int64, acked map[string]bool) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, _ := conn.Query(ctx, `SELECT client_id, count(*) FROM ratings WHERE terminal_id = $1 GROUP BY client_id`, terminalID)
	stored := map[string]int64{}
	var id string
	var n int64
	if _, err := pgx.ForEachRow(rows, []any{&id, &n}, func() error { stored[id] = n; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(acked) == 0 {
		t.Fatal("no rating was acknowledged")
	}
	for id := range acked {
		if stored[id] != 1 {
			t.Errorf("acknowledged rating %s is stored %d times, want once", id, stored[id])
		}
	}
	for id := range stored {
		if !acked[id] {
			t.Errorf("rating %s is stored but was never acknowledged", id)
		}
	}
}
