package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"minyi/internal/metrics"
	"minyi/internal/testutil"
)

// loopbackPort returns a loopback port nothing listens on at the moment.
func loopbackPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// fetch GETs url and returns the status and body.
func fetch(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := (&http.Client{Timeout: 5 * time.Second}).Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// With METRICS_ADDR, `minyi serve` serves the instance's metrics, and
// only them, on that address, while the main listener keeps /metrics
// hidden (no METRICS_TOKEN); the listener closes when serve returns.
func TestServeMetricsAddr(t *testing.T) {
	dbURL := testutil.DatabaseURL(t)
	mainAddr, side := "127.0.0.1:"+loopbackPort(t), "127.0.0.1:"+loopbackPort(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, env(dbURL, "HTTP_ADDR", mainAddr, "METRICS_ADDR", side, "SHUTDOWN_DRAIN", "0s",
			"LOG_LEVEL", "error"), io.Discard)
	}()
	for deadline := time.Now().Add(15 * time.Second); ; {
		res, err := http.Get("http://" + mainAddr + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-done:
			t.Fatalf("serve returned early: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the instance never answered /healthz: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}

	if code, _ := fetch(t, "http://"+mainAddr+"/metrics"); code != http.StatusNotFound {
		t.Errorf("main listener /metrics without METRICS_TOKEN: %d, want 404", code)
	}
	code, body := fetch(t, "http://"+side+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("METRICS_ADDR /metrics: %d %s", code, body)
	}
	for _, want := range []string{
		`minyi_http_requests_total{method="GET",route="/healthz",status="200"}`,
		`minyi_http_requests_total{method="GET",route="/metrics",status="404"} 1`,
		"minyi_db_pool_max_connections 16",
		`minyi_redis_pool_connections{state="idle"}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("METRICS_ADDR /metrics lacks %s", want)
		}
	}
	if code, _ := fetch(t, "http://"+side+"/healthz"); code != http.StatusNotFound {
		t.Errorf("METRICS_ADDR /healthz: %d, want 404 (the listener serves only /metrics)", code)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not return after its context ended")
	}
	if c, err := net.DialTimeout("tcp", side, time.Second); err == nil {
		c.Close()
		t.Error("METRICS_ADDR still accepts connections after serve returned")
	}
}

// An address already in use is refused at start, naming METRICS_ADDR.
func TestStartMetricsAddressInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	stop, err := startMetrics(l.Addr().String(), metrics.New(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil {
		stop()
		t.Fatal("started on an address in use")
	}
	if !strings.Contains(err.Error(), "METRICS_ADDR") {
		t.Errorf("error %v does not name METRICS_ADDR", err)
	}
}
