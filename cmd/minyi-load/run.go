package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// options of one load run.
type options struct {
	base      *url.URL
	scenario  string
	conns     int
	duration  time.Duration
	warmup    time.Duration
	maxReqs   int64
	caseNo    bool
	addresses int
	fixture   fixture
	label     string
	tsv       string
	serverPID int
	pgDB      string
}

func runCmd(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	rawURL := fs.String("url", "http://127.0.0.1:8080", "server base URL (loopback only)")
	var o options
	fs.StringVar(&o.scenario, "scenario", "terminal", "healthz, terminal (one rating per request) or public (POST /q/{code})")
	fs.IntVar(&o.conns, "c", 64, "concurrent keep-alive connections (1–1024)")
	fs.DurationVar(&o.duration, "d", 10*time.Second, "measured duration, after the warm-up (at most 5m)")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "warm-up before measuring (not counted in the rates)")
	fs.Int64Var(&o.maxReqs, "n", 0, "stop after this many requests in all (0: only the duration bounds the run)")
	fs.BoolVar(&o.caseNo, "case-no", true, "terminal ratings carry a unique service case number (办件编号)")
	fs.IntVar(&o.addresses, "addresses", 0, "public scenario: spread the posts over this many client addresses, "+
		"sent as X-Forwarded-For (the server must trust 127.0.0.1: TRUSTED_PROXIES); 0: every post from loopback")
	fixturePath := fs.String("fixture", "", "fixture file written by setup (terminal and public scenarios)")
	fs.StringVar(&o.label, "label", "", "row label in the results (default: scenario and connections)")
	fs.StringVar(&o.tsv, "tsv", "", "append the result as a tab-separated row to this file")
	fs.IntVar(&o.serverPID, "server-pid", 0, "sample this process's resident memory and CPU during the run")
	fs.StringVar(&o.pgDB, "pg-db", "", "count Postgres backends of this database (and Postgres's own helpers) as the server's Postgres CPU")
	cpuProfile := fs.String("cpuprofile", "", "write this tool's own CPU profile to the file")
	procs := fs.Int("procs", 0, "GOMAXPROCS for this tool (0: Go's default, all cores)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var err error
	if *procs > 0 {
		runtime.GOMAXPROCS(*procs)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if o.base, err = checkTarget(*rawURL); err != nil {
		return err
	}
	switch {
	case o.conns < 1 || o.conns > 1024:
		return errors.New("-c must be between 1 and 1024")
	case o.duration <= 0 || o.duration > 5*time.Minute:
		return errors.New("-d must be above 0 and at most 5m")
	case o.warmup < 0 || o.warmup > time.Minute:
		return errors.New("-warmup must be between 0 and 1m")
	case o.maxReqs < 0:
		return errors.New("-n must not be negative")
	case o.addresses < 0 || o.addresses > 1<<24:
		return errors.New("-addresses must be between 0 and 16777216")
	}
	if o.scenario != "healthz" {
		if *fixturePath == "" {
			return errors.New("-fixture is needed for the " + o.scenario + " scenario")
		}
		if o.fixture, err = readFixture(*fixturePath); err != nil {
			return err
		}
	}
	sc, err := newScenario(&o)
	if err != nil {
		return err
	}
	if o.label == "" {
		o.label = fmt.Sprintf("%s c=%d", o.scenario, o.conns)
	}
	res := load(&o, sc)
	fmt.Fprintln(stdout, res.line())
	if o.tsv != "" {
		f, err := os.OpenFile(o.tsv, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.Size() == 0 {
			fmt.Fprintln(f, strings.Join(tsvHeader, "\t"))
		}
		if _, err := fmt.Fprintln(f, res.tsv()); err != nil {
			return err
		}
	}
	return nil
}

// scenario builds the requests of one kind of load and judges the replies.
type scenario struct {
	build func(w, seq int) *http.Request
	// ok reports whether a reply means success: for ratings, committed.
	ok func(res *http.Response, body []byte) bool
}

func newScenario(o *options) (*scenario, error) {
	var rb [4]byte
	_, _ = rand.Read(rb[:])
	runID := hex.EncodeToString(rb[:]) // keeps ids, tokens and devices unique across runs
	base := *o.base
	base.Path = strings.TrimRight(base.Path, "/")
	at := func(path string) *url.URL { u := base; u.Path += path; return &u }
	switch o.scenario {
	case "healthz":
		u, h := at("/healthz"), http.Header{}
		return &scenario{
			build: func(int, int) *http.Request { return newRequest(http.MethodGet, u, h, nil) },
			ok:    func(res *http.Response, _ []byte) bool { return res.StatusCode == http.StatusOK },
		}, nil
	case "terminal":
		if len(o.fixture.Terminals) == 0 {
			return nil, errors.New("the fixture has no terminal tokens")
		}
		u := at("/api/v1/terminal/ratings")
		// Each connection is one terminal, posting with its own token; the
		// headers never change, so each connection reuses its own.
		headers := make([]http.Header, o.conns)
		for w := range headers {
			headers[w] = http.Header{"Authorization": {"Bearer " + o.fixture.Terminals[w%len(o.fixture.Terminals)]},
				"Content-Type": {"application/json"}}
		}
		return &scenario{
			build: func(w, seq int) *http.Request {
				return newRequest(http.MethodPost, u, headers[w], terminalBody(runID, w, seq, o.caseNo))
			},
			ok: func(res *http.Response, body []byte) bool {
				return res.StatusCode == http.StatusOK && bytes.Contains(body, []byte(`"accepted":1,`))
			},
		}, nil
	case "public":
		if len(o.fixture.Codes) == 0 {
			return nil, errors.New("the fixture has no QR codes")
		}
		urls := make([]*url.URL, len(o.fixture.Codes))
		for i, code := range o.fixture.Codes {
			urls[i] = at("/q/" + code)
		}
		return &scenario{
			build: func(w, seq int) *http.Request {
				id := runID + "-" + strconv.Itoa(w) + "-" + strconv.Itoa(seq)
				form := "level=" + strconv.Itoa(5-seq%5) + "&comment=%E5%8E%8B%E6%B5%8B%E7%95%99%E8%A8%80&token=" + id
				// Every request is a new phone: its own device cookie and browser.
				h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Cookie": {"minyi_device=dev-" + id},
					"User-Agent": {"Mozilla/5.0 (Linux; Android 14) MicroMessenger/8.0 minyi-load/" + id}}
				if o.addresses > 0 {
					// Request k of the run comes from 10.0.0.0/8's address k mod -addresses.
					a := (seq*o.conns + w) % o.addresses
					h["X-Forwarded-For"] = []string{fmt.Sprintf("10.%d.%d.%d", a>>16&255, a>>8&255, a&255)}
				}
				return newRequest(http.MethodPost, urls[(w+seq)%len(urls)], h, []byte(form))
			},
			ok: func(res *http.Response, _ []byte) bool {
				// The thanks page's address carries the rating's reference (?ref=).
				loc, _, _ := strings.Cut(res.Header.Get("Location"), "?")
				return res.StatusCode == http.StatusSeeOther && strings.HasSuffix(loc, "/thanks")
			},
		}, nil
	}
	return nil, fmt.Errorf("unknown -scenario %q (healthz, terminal, public)", o.scenario)
}

// newRequest makes a client request without http.NewRequest's parsing: the
// URL is parsed once per run. The transport does not modify h.
func newRequest(method string, u *url.URL, h http.Header, body []byte) *http.Request {
	r := &http.Request{Method: method, URL: u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: h, Host: u.Host}
	if body != nil {
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	}
	return r
}

// terminalBody is one rating as a service-hall terminal posts it.
func terminalBody(runID string, w, seq int, caseNo bool) []byte {
	b := make([]byte, 0, 192)
	b = append(b, `{"ratings":[{"id":"`...)
	b = append(b, runID...)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(w), 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(seq), 10)
	b = append(b, `","level":`...)
	b = strconv.AppendInt(b, int64(5-seq%5), 10)
	b = append(b, `,"rated_at":"`...)
	b = time.Now().AppendFormat(b, time.RFC3339)
	if caseNo {
		b = append(b, `","case_no":"BJ`...)
		b = append(b, runID...)
		b = strconv.AppendInt(b, int64(w), 10)
		b = append(b, 'x')
		b = strconv.AppendInt(b, int64(seq), 10)
	}
	b = append(b, `","window":"07","staff_no":"S0217"}]}`...)
	return b
}

// workerStats is what one connection saw.
type workerStats struct {
	lat      []time.Duration // measured requests only
	outcomes map[string]int  // measured requests: "ok" or the failing status
	okAll    int             // successes in every phase (warm-up and tail too)
	reqAll   int
}

// load runs the scenario on o.conns connections: a warm-up, then the
// measured window. Requests still in flight when the window closes finish
// and count towards okAll (what the database must hold) but not the rates.
func load(o *options, sc *scenario) result {
	// No per-request client timeout (it costs a timer per request): the
	// transport bounds the wait for a reply's header, and a watchdog ends
	// the whole process should anything still hang well after the run.
	tr := &http.Transport{MaxIdleConns: o.conns, MaxIdleConnsPerHost: o.conns, MaxConnsPerHost: o.conns,
		DisableCompression: true, IdleConnTimeout: 30 * time.Second, ResponseHeaderTimeout: 10 * time.Second}
	defer tr.CloseIdleConnections()
	cl := &http.Client{Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	watchdog := time.AfterFunc(o.warmup+o.duration+30*time.Second, func() {
		fmt.Fprintln(os.Stderr, "minyi-load: requests still hanging 30s after the run; giving up")
		os.Exit(2)
	})
	defer watchdog.Stop()
	// The tool shares the machine with the server: collect garbage less often.
	defer debug.SetGCPercent(debug.SetGCPercent(400))

	start := time.Now()
	measureFrom := start.Add(o.warmup)
	end := measureFrom.Add(o.duration)
	var issued atomic.Int64
	var stopRSS func() rssSample
	if o.serverPID > 0 {
		stopRSS = sampleRSS(o.serverPID)
	}
	var cpuFrom, cpuTo cpuSnapshot
	cpuDone := make(chan struct{})
	go func() {
		defer close(cpuDone)
		time.Sleep(time.Until(measureFrom))
		cpuFrom = takeCPU(o.serverPID, o.pgDB)
		time.Sleep(time.Until(end))
		cpuTo = takeCPU(o.serverPID, o.pgDB)
	}()
	stats := make([]workerStats, o.conns)
	var wg sync.WaitGroup
	for w := range o.conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := &stats[w]
			st.outcomes = map[string]int{}
			var buf bytes.Buffer
			for seq := 0; ; seq++ {
				if time.Now().After(end) || (o.maxReqs > 0 && issued.Add(1) > o.maxReqs) {
					return
				}
				req := sc.build(w, seq)
				t0 := time.Now()
				res, err := cl.Do(req)
				outcome := "ok"
				if err != nil {
					outcome = "error"
				} else {
					buf.Reset()
					_, rerr := buf.ReadFrom(res.Body)
					res.Body.Close()
					switch {
					case rerr != nil:
						outcome = "error"
					case !sc.ok(res, buf.Bytes()):
						outcome = strconv.Itoa(res.StatusCode)
						if res.StatusCode < 400 {
							outcome += "(not stored)"
						}
					}
				}
				t1 := time.Now()
				st.reqAll++
				if outcome == "ok" {
					st.okAll++
				}
				if t1.After(measureFrom) && !t1.After(end) {
					st.lat = append(st.lat, t1.Sub(t0))
					st.outcomes[outcome]++
				}
				if err != nil {
					time.Sleep(10 * time.Millisecond) // do not spin on a refused connection
				}
			}
		}()
	}
	wg.Wait()
	stopAt := time.Now()
	if stopAt.After(end) {
		stopAt = end
	}
	window := stopAt.Sub(measureFrom) // shorter than -d when -n stopped the run
	res := summarize(o, stats, window)
	if o.maxReqs == 0 {
		<-cpuDone
		res.cpu = cpuBetween(cpuFrom, cpuTo)
	}
	if stopRSS != nil {
		res.rss = stopRSS()
	}
	return res
}

// rssSample is the server's resident memory seen during a run.
type rssSample struct{ peakKB, hwmKB int64 }

// sampleRSS reads VmRSS of pid every 100 ms until the returned function is
// called, which returns the highest value seen and the kernel's VmHWM.
func sampleRSS(pid int) func() rssSample {
	var mu sync.Mutex
	var s rssSample
	done := make(chan struct{})
	stopped := make(chan struct{})
	read := func() {
		rss, hwm := procStatus(pid)
		mu.Lock()
		s.peakKB, s.hwmKB = max(s.peakKB, rss), max(s.hwmKB, hwm)
		mu.Unlock()
	}
	go func() {
		defer close(stopped)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			read()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() rssSample {
		close(done)
		<-stopped
		read()
		mu.Lock()
		defer mu.Unlock()
		return s
	}
}

// procStatus returns VmRSS and VmHWM of pid in kB, or zeros.
func procStatus(pid int) (rss, hwm int64) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			rss = n
		case "VmHWM":
			hwm = n
		}
	}
	return rss, hwm
}
