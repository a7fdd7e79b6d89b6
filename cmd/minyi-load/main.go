// Command minyi-load is Minyi's own load tool. It drives a running server on
// this machine with N keep-alive connections for a fixed time or request
// count and reports committed ratings per second and latency percentiles.
// It only ever talks to loopback addresses and always stops by itself.
//
//	minyi-load setup  -url URL -username NAME -fixture FILE < password
//	minyi-load run    -url URL -scenario healthz|terminal|public -c 64 -d 10s -fixture FILE [-tsv FILE]
//	minyi-load ready  -url URL [-timeout 10s]
//	minyi-load report FILE
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"
)

const usage = `usage:
  minyi-load setup  -url URL -username NAME [-units N] [-terminals N] -fixture FILE   (password on stdin)
  minyi-load run    -url URL -scenario healthz|terminal|public [-c N] [-d DUR] [-warmup DUR] [-n N]
                    [-fixture FILE] [-label TEXT] [-tsv FILE] [-server-pid PID]
  minyi-load ready  -url URL [-timeout DUR]   (waits for GET /readyz to answer 200)
  minyi-load report FILE`

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "minyi-load:", err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	switch args[0] {
	case "setup":
		return setupCmd(args[1:], stdin, stdout)
	case "run":
		return runCmd(args[1:], stdout)
	case "ready":
		return readyCmd(args[1:], stdout)
	case "report":
		if len(args) != 2 {
			return errors.New(usage)
		}
		return reportCmd(args[1], stdout)
	}
	return errors.New(usage)
}

// checkTarget accepts only http URLs whose host is a loopback address, so
// the tool can never be pointed at another machine.
func checkTarget(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("-url must be an http:// URL on this machine, got %q", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return u, nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("-url must name a loopback address (127.0.0.1, [::1] or localhost), got %q", host)
	}
	return u, nil
}

// readyCmd polls GET /readyz until it answers 200, then prints its body.
func readyCmd(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("ready", flag.ContinueOnError)
	rawURL := fs.String("url", "http://127.0.0.1:8080", "server base URL (loopback only)")
	timeout := fs.Duration("timeout", 10*time.Second, "give up after this long (at most 2m)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	base, err := checkTarget(*rawURL)
	if err != nil {
		return err
	}
	if *timeout <= 0 || *timeout > 2*time.Minute {
		return errors.New("-timeout must be above 0 and at most 2m")
	}
	cl := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(*timeout)
	for {
		res, err := cl.Get(base.String() + "/readyz")
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				fmt.Fprintf(stdout, "%s\n", body)
				return nil
			}
			err = fmt.Errorf("GET /readyz: %d %s", res.StatusCode, body)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("server not ready after %s: %w", *timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
