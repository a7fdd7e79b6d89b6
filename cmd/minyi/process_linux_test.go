package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"minyi/internal/testutil"
)

// The tests that run the real binary share one build of it, removed when
// the package's tests end.
var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// minyiBinary builds ./cmd/minyi once and returns the binary's path.
func minyiBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "minyi-bin-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "minyi")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// process is a running child: minyi or HAProxy.
type process struct {
	name string
	cmd  *exec.Cmd
	out  *testutil.SyncBuffer
	done chan struct{} // closed when it has exited
}

// startProcess starts bin with args and env; the kernel kills it if the
// test binary dies, and the test kills it when it ends. Its output is
// logged when the test fails.
func startProcess(t *testing.T, name, bin string, env []string, args ...string) *process {
	t.Helper()
	p := &process{name: name, cmd: exec.Command(bin, args...), out: &testutil.SyncBuffer{}, done: make(chan struct{})}
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	go func() {
		p.cmd.Wait() //nolint:errcheck // the exit status is read from ProcessState
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill() //nolint:errcheck
			<-p.done
		}
		if t.Failed() {
			t.Logf("output of %s:\n%s", p.name, p.out.String())
		}
	})
	return p
}

// exited reports whether the process has exited.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// signal sends sig to the process.
func (p *process) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signalling %s: %v", p.name, err)
	}
}

// wait waits up to limit for the process to exit and returns its exit
// code; it fails the test when the process is still running after limit.
func (p *process) wait(t *testing.T, limit time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(limit):
		t.Fatalf("%s still running %s after it was told to stop", p.name, limit)
		return -1
	}
}

// minyiEnv is the environment of a `minyi` child: the test's database and
// Redis, quiet logs, no rate limit in the way of the test's load, and the
// given overrides.
func minyiEnv(dbURL string, port int, kv ...string) []string {
	m := map[string]string{
		"DATABASE_URL": dbURL, "REDIS_URL": testutil.RedisURL(), "SECRET_KEY": testSecret,
		"HTTP_ADDR": "127.0.0.1:" + strconv.Itoa(port), "PUBLIC_BASE_URL": "http://127.0.0.1:" + strconv.Itoa(port),
		"LOG_FORMAT": "text", "LOG_LEVEL": "warn", "DB_MAX_CONNS": "6",
		"RATE_TERMINAL": "1000000-M", "RATE_PUBLIC_PAGE": "1000000-M",
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	env := make([]string, 0, len(m))
	for k, v := range m {
		env = append(env, k+"="+v)
	}
	return env
}

// startMinyi runs `minyi serve` on port and waits until its /readyz
// answers 200.
func startMinyi(t *testing.T, name, dbURL string, port int, kv ...string) *process {
	t.Helper()
	p := startProcess(t, name, minyiBinary(t), minyiEnv(dbURL, port, kv...), "serve")
	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/readyz"
	client := &http.Client{Timeout: 2 * time.Second}
	for deadline := time.Now().Add(20 * time.Second); ; {
		if res, err := client.Get(url); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return p
			}
		}
		if p.exited() {
			t.Fatalf("%s exited with status %d before it was ready", name, p.cmd.ProcessState.ExitCode())
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready after 20 s", name)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
