// Command minyi-exportbench measures a large export through a running
// server (issue 17): it signs in as the office through the API, starts the
// export of the ratings a date range selects (a million ratings at a
// province's scale), reads it as it arrives, or follows the background
// job and then downloads its file, and reports the rows per second and the
// server's peak memory: its resident set (process_resident_memory_bytes)
// and Go heap in use (go_memstats_heap_inuse_bytes), sampled every 100 ms
// from the server's METRICS_ADDR while the export runs.
//
//	echo "$OFFICE_PASSWORD" | minyi-exportbench -url http://127.0.0.1:18090 \
//	    -metrics http://127.0.0.1:18091/metrics -from 2026-03-01 -to 2026-03-20 -format xlsx
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "minyi-exportbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("minyi-exportbench", flag.ContinueOnError)
	base := fs.String("url", "http://127.0.0.1:18090", "server base URL")
	metricsURL := fs.String("metrics", "", "the server's Prometheus metrics (METRICS_ADDR), for its memory")
	user := fs.String("office", "bench_office", "office user (its password on stdin)")
	from := fs.String("from", "", "first day of the ratings exported (2026-03-01)")
	to := fs.String("to", "", "last day of the ratings exported")
	format := fs.String("format", "csv", "csv or xlsx")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *format != "csv" && *format != "xlsx" {
		return errors.New("-format must be csv or xlsx")
	}
	pw, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && pw == "" {
		return errors.New("the office's password must come on stdin")
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	body, _ := json.Marshal(map[string]string{"username": *user, "password": strings.TrimSpace(pw)})
	res, err := c.Post(*base+"/api/v1/session", "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusCreated {
		return fmt.Errorf("signing in: %s", res.Status)
	}
	q := url.Values{}
	if *from != "" {
		q.Set("from", *from)
	}
	if *to != "" {
		q.Set("to", *to)
	}
	mem := sampleMemory(ctx, *metricsURL)
	start := time.Now()
	res, err = c.Get(*base + "/api/v1/ratings/export." + *format + "?" + q.Encode())
	if err != nil {
		return err
	}
	rep := report{startAnswered: time.Since(start)}
	switch res.StatusCode {
	case http.StatusOK: // streamed at once
		rep.mode = "inline"
		rep.bytes, rep.lines, err = drain(res.Body)
		res.Body.Close()
		rep.elapsed = time.Since(start)
	case http.StatusAccepted:
		rep.mode = "background"
		err = follow(ctx, c, *base, res, &rep)
	default:
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		err = fmt.Errorf("starting the export: %s %s", res.Status, b)
	}
	peak := mem.stop()
	if err != nil {
		return err
	}
	rep.print(out, *format, q.Encode(), peak)
	return nil
}

// report is what one run found.
type report struct {
	mode          string
	rows          int64 // as the job counted them (background)
	lines         int64 // lines of a CSV as read
	bytes         int64
	elapsed       time.Duration // the export: request to last byte, or the job's start to its end
	queued        time.Duration // background: the start's answer to the job's start
	download      time.Duration
	startAnswered time.Duration
}

func (r report) print(out io.Writer, format, filter string, peak memPeak) {
	rows := r.rows
	if r.mode == "inline" {
		rows = r.lines
	}
	fmt.Fprintf(out, "export of ratings (%s, %s, %s)\n", format, filter, r.mode)
	if r.mode == "inline" && format == "csv" {
		fmt.Fprintf(out, "  lines read        %d (the statement, the header and one a rating)\n", r.lines)
	} else if r.mode == "background" {
		fmt.Fprintf(out, "  start answered in %s, job started %s later\n", r.startAnswered.Round(time.Millisecond),
			r.queued.Round(time.Millisecond))
		fmt.Fprintf(out, "  rows              %d\n", rows)
	}
	fmt.Fprintf(out, "  file              %.1f MB\n", float64(r.bytes)/(1<<20))
	fmt.Fprintf(out, "  export time       %s\n", r.elapsed.Round(time.Millisecond))
	if r.elapsed > 0 && rows > 0 {
		fmt.Fprintf(out, "  rate              %.0f rows/s\n", float64(rows)/r.elapsed.Seconds())
	}
	if r.download > 0 {
		fmt.Fprintf(out, "  download          %s (%.0f MB/s)\n", r.download.Round(time.Millisecond),
			float64(r.bytes)/(1<<20)/r.download.Seconds())
	}
	if peak.samples > 0 {
		fmt.Fprintf(out, "  server RSS        %.0f MB before, %.0f MB peak (%d samples)\n", peak.rssBefore/(1<<20), peak.rss/(1<<20), peak.samples)
		fmt.Fprintf(out, "  server Go heap    %.0f MB before, %.0f MB peak in use\n", peak.heapBefore/(1<<20), peak.heap/(1<<20))
	}
}

// drain reads a body to its end, counting bytes and lines.
func drain(r io.Reader) (n, lines int64, err error) {
	buf := make([]byte, 256<<10)
	for {
		k, err := r.Read(buf)
		n += int64(k)
		lines += int64(bytes.Count(buf[:k], []byte{'\n'}))
		if err == io.EOF {
			return n, lines, nil
		}
		if err != nil {
			return n, lines, err
		}
	}
}

type job struct {
	ID         int64      `json:"id"`
	State      string     `json:"state"`
	RowsDone   int64      `json:"rows_done"`
	Error      string     `json:"error"`
	Download   string     `json:"download"`
	StartedAt  *time.Time `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
	CreatedAt  time.Time  `json:"created_at"`
}

// follow polls the background job until it ends, then downloads its file.
func follow(ctx context.Context, c *http.Client, base string, res *http.Response, rep *report) error {
	var started struct{ Job job }
	err := json.NewDecoder(res.Body).Decode(&started)
	res.Body.Close()
	if err != nil {
		return err
	}
	var j job
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
		r, err := c.Get(base + "/api/v1/exports/" + strconv.FormatInt(started.Job.ID, 10))
		if err != nil {
			return err
		}
		var got struct{ Job job }
		err = json.NewDecoder(r.Body).Decode(&got)
		r.Body.Close()
		if err != nil {
			return err
		}
		if j = got.Job; j.State == "done" || j.State == "failed" {
			break
		}
	}
	if j.State == "failed" {
		return fmt.Errorf("the export failed: %s", j.Error)
	}
	rep.rows = j.RowsDone
	rep.elapsed = j.FinishedAt.Sub(*j.StartedAt)
	rep.queued = j.StartedAt.Sub(j.CreatedAt)
	t := time.Now()
	r, err := c.Get(base + j.Download)
	if err != nil {
		return err
	}
	defer r.Body.Close()
	rep.bytes, _, err = drain(r.Body)
	rep.download = time.Since(t)
	return err
}

// memPeak is the server's memory while the export ran.
type memPeak struct {
	rssBefore, heapBefore, rss, heap float64
	samples                          int
}

type sampler struct {
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	peak   memPeak
}

func (s *sampler) stop() memPeak {
	if s.cancel == nil {
		return memPeak{}
	}
	s.cancel()
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

// sampleMemory reads the server's metrics every 100 ms until stopped.
func sampleMemory(ctx context.Context, metricsURL string) *sampler {
	s := &sampler{done: make(chan struct{})}
	if metricsURL == "" {
		close(s.done)
		return s
	}
	ctx, s.cancel = context.WithCancel(ctx)
	go func() {
		defer close(s.done)
		for first := true; ; first = false {
			rss, heap, err := readMetrics(ctx, metricsURL)
			if err == nil {
				s.mu.Lock()
				if first {
					s.peak.rssBefore, s.peak.heapBefore = rss, heap
				}
				s.peak.rss, s.peak.heap = max(s.peak.rss, rss), max(s.peak.heap, heap)
				s.peak.samples++
				s.mu.Unlock()
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	return s
}

// readMetrics reads the resident set and the Go heap in use.
func readMetrics(ctx context.Context, u string) (rss, heap float64, err error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		name, val, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		switch name {
		case "process_resident_memory_bytes":
			rss, _ = strconv.ParseFloat(val, 64)
		case "go_memstats_heap_inuse_bytes":
			heap, _ = strconv.ParseFloat(val, 64)
		}
	}
	return rss, heap, sc.Err()
}
