package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"minyi/internal/testutil"
)

// getPath fetches path from the instance on port and returns the status, the
// body and whether the server asked to close the connection.
func getPath(t *testing.T, client *http.Client, port int, path string) (int, []byte, bool) {
	t.Helper()
	res, err := client.Get("http://127.0.0.1:" + strconv.Itoa(port) + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, body, res.Close
}

// waitDraining polls /readyz until it answers 503 "draining".
func waitDraining(t *testing.T, client *http.Client, p *process, port int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; {
		code, body, _ := getPath(t, client, port, "/readyz")
		var ready struct{ Status string }
		if code == http.StatusServiceUnavailable && json.Unmarshal(body, &ready) == nil && ready.Status == "draining" {
			return
		}
		if p.exited() || time.Now().After(deadline) {
			t.Fatalf("/readyz never answered 503 draining after SIGTERM; last %d %s", code, body)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// After SIGTERM the instance fails its readiness check but keeps serving
// everything else for SHUTDOWN_DRAIN, asking each client to reconnect, and
// then exits 0.
func TestServeDrainsOnSIGTERM(t *testing.T) {
	const drain = 3 * time.Second
	dbURL := testutil.DatabaseURL(t)
	port := testutil.FreePorts(t, 1)[0]
	p := startMinyi(t, "minyi", dbURL, port, "SHUTDOWN_DRAIN", drain.String(), "LOG_LEVEL", "info")
	client := &http.Client{Timeout: 5 * time.Second}
	if code, _, closing := getPath(t, client, port, "/healthz"); code != http.StatusOK || closing {
		t.Fatalf("before SIGTERM: /healthz %d, connection closing %v; want 200 on a kept-alive connection", code, closing)
	}

	signalled := time.Now()
	p.signal(t, syscall.SIGTERM)
	waitDraining(t, client, p, port)
	for _, path := range []string{"/healthz", "/login"} {
		code, _, closing := getPath(t, client, port, path)
		if code != http.StatusOK {
			t.Errorf("while draining: %s answered %d, want 200", path, code)
		}
		if !closing {
			t.Errorf("while draining: %s kept the connection open, want Connection: close", path)
		}
	}
	if p.exited() {
		t.Fatal("the process exited during the drain period")
	}
	if code := p.wait(t, drain+20*time.Second); code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
	if took := time.Since(signalled); took < drain {
		t.Errorf("exited %s after SIGTERM, before SHUTDOWN_DRAIN (%s) was over", took, drain)
	}
}

// A second signal during a long drain ends the drain: the instance shuts
// down gracefully and exits 0 without waiting out SHUTDOWN_DRAIN.
func TestServeSecondSignalEndsDrain(t *testing.T) {
	dbURL := testutil.DatabaseURL(t)
	port := testutil.FreePorts(t, 1)[0]
	p := startMinyi(t, "minyi", dbURL, port, "SHUTDOWN_DRAIN", "5m")
	client := &http.Client{Timeout: 5 * time.Second}
	p.signal(t, syscall.SIGTERM)
	waitDraining(t, client, p, port)
	p.signal(t, syscall.SIGINT)
	if code := p.wait(t, 30*time.Second); code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
}

// startRatingPost sends the headers and the first bytes of a terminal
// rating batch on a connection of its own and returns the connection and
// the rest of the body: a request in flight, held open by the test.
func startRatingPost(t *testing.T, port int, token, id string) (net.Conn, string) {
	t.Helper()
	body := `{"ratings":[{"id":"` + id + `","level":4}]}`
	conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	head := "POST /api/v1/terminal/ratings HTTP/1.1\r\nHost: minyi\r\nAuthorization: Bearer " + token +
		"\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
	if _, err := io.WriteString(conn, head+body[:10]); err != nil {
		t.Fatal(err)
	}
	return conn, body[10:]
}

// waitListenerClosed waits until the instance refuses new connections.
func waitListenerClosed(t *testing.T, port int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			return
		}
		c.Close()
	}
	t.Fatal("still accepting connections 10 s after SIGTERM")
}

// A request in flight when the listener closes is finished and its rating
// stored before the process exits 0; one still unfinished after
// SHUTDOWN_TIMEOUT is cut off and the exit status says so.
func TestServeFinishesRequestsInFlight(t *testing.T) {
	dbURL := testutil.DatabaseURL(t)
	terminalID, token := terminalToken(t, dbURL)

	port := testutil.FreePorts(t, 1)[0]
	p := startMinyi(t, "minyi", dbURL, port, "SHUTDOWN_DRAIN", "0s", "SHUTDOWN_TIMEOUT", "20s")
	conn, rest := startRatingPost(t, port, token, "in-flight-1")
	time.Sleep(100 * time.Millisecond) // the server has read the headers
	p.signal(t, syscall.SIGTERM)
	waitListenerClosed(t, port)
	if p.exited() {
		t.Fatal("exited with a request in flight")
	}
	if _, err := io.WriteString(conn, rest); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no reply to the request in flight: %v", err)
	}
	reply, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(reply), `"created"`) {
		t.Errorf("request in flight answered %d %s, want 200 created", res.StatusCode, reply)
	}
	if code := p.wait(t, 20*time.Second); code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
	checkStoredOnce(t, dbURL, terminalID, map[string]bool{"in-flight-1": true})

	p = startMinyi(t, "minyi (cut off)", dbURL, port, "SHUTDOWN_DRAIN", "0s", "SHUTDOWN_TIMEOUT", "1s")
	startRatingPost(t, port, token, "in-flight-2")
	time.Sleep(100 * time.Millisecond)
	p.signal(t, syscall.SIGTERM)
	if code := p.wait(t, 20*time.Second); code != 1 {
		t.Errorf("exit status %d with a request cut off, want 1", code)
	}
	if out := p.out.String(); !strings.Contains(out, "SHUTDOWN_TIMEOUT") {
		t.Errorf("output does not say requests were cut off:\n%s", out)
	}
}
