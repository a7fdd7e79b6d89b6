package server_test

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"minyi/internal/testutil"
	"minyi/internal/testutil/apptest"
)

// Behind a balancer without TRUSTED_PROXIES every citizen would share the
// balancer's counters; the operator is told, once, not on every request.
func TestForwardingHeadersFromUntrustedPeerAreWarnedAboutOnce(t *testing.T) {
	for _, tc := range []struct {
		name    string
		trusted string
		header  string
		want    int
	}{
		{"untrusted peer", "", "X-Forwarded-For", 1},
		{"untrusted peer, Forwarded", "10.0.0.0/8", "Forwarded", 1},
		{"trusted peer", "127.0.0.1", "X-Forwarded-For", 0},
		{"trusted peer in a range", "127.0.0.0/8,10.1.2.3", "X-Forwarded-For", 0},
		{"no header", "", "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{}
			if tc.trusted != "" {
				env["TRUSTED_PROXIES"] = tc.trusted
			}
			app := apptest.New(t, apptest.Options{Env: env})
			var logs testutil.SyncBuffer
			app.Server.Log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
			for i := range 25 {
				req, _ := http.NewRequest(http.MethodGet, app.URL+"/healthz", nil)
				if tc.header == "Forwarded" {
					req.Header.Set("Forwarded", "for=203.0.113.9")
				} else if tc.header != "" {
					req.Header.Set(tc.header, "203.0.113."+apptest.Itoa(int64(i)))
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("healthz answered %d", resp.StatusCode)
				}
			}
			got := strings.Count(logs.String(), "not in TRUSTED_PROXIES")
			if got != tc.want {
				t.Errorf("%d warnings in the log, want %d:\n%s", got, tc.want, logs.String())
			}
			if tc.want == 1 && (!strings.Contains(logs.String(), "peer=127.0.0.1") || !strings.Contains(logs.String(), "header="+tc.header)) {
				t.Errorf("the warning does not name the peer and the header:\n%s", logs.String())
			}
		})
	}
}
