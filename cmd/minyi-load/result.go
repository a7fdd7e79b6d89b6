package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// result is one load run, summed over its connections.
type result struct {
	label, scenario string
	conns           int
	window          time.Duration
	requests, ok    int
	failures        map[string]int
	p50, p99, max   time.Duration
	okAll, reqAll   int
	rss             rssSample
	cpu             cpuUse
}

func summarize(o *options, stats []workerStats, window time.Duration) result {
	r := result{label: o.label, scenario: o.scenario, conns: o.conns, window: window, failures: map[string]int{}}
	var lat []time.Duration
	for i := range stats {
		st := &stats[i]
		lat = append(lat, st.lat...)
		r.okAll += st.okAll
		r.reqAll += st.reqAll
		for k, n := range st.outcomes {
			r.requests += n
			if k == "ok" {
				r.ok += n
			} else {
				r.failures[k] += n
			}
		}
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		r.p50 = percentile(lat, 0.50)
		r.p99 = percentile(lat, 0.99)
		r.max = lat[len(lat)-1]
	}
	return r
}

// percentile returns the smallest latency at or above fraction q of the
// sorted samples.
func percentile(sorted []time.Duration, q float64) time.Duration {
	i := int(float64(len(sorted))*q+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// rate is successes per second of the measured window: committed ratings
// per second for the rating scenarios.
func (r result) rate() float64 {
	if r.window <= 0 {
		return 0
	}
	return float64(r.ok) / r.window.Seconds()
}

func (r result) failureText() string {
	if len(r.failures) == 0 {
		return "-"
	}
	keys := make([]string, 0, len(r.failures))
	for k := range r.failures {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "×" + strconv.Itoa(r.failures[k])
	}
	return strings.Join(parts, " ")
}

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64) }

func mb(kb int64) string {
	if kb == 0 {
		return "-"
	}
	return strconv.FormatFloat(float64(kb)/1024, 'f', 1, 64)
}

// line is the human summary printed after each run.
func (r result) line() string {
	return fmt.Sprintf("%-22s %8d req  %8d ok  fail: %s  %9.0f ok/s  p50 %s ms  p99 %s ms  max %s ms  (all phases: %d ok of %d)  server RSS peak %s MB\n%22s %s",
		r.label, r.requests, r.ok, r.failureText(), r.rate(), ms(r.p50), ms(r.p99), ms(r.max), r.okAll, r.reqAll, mb(r.rss.peakKB),
		"", r.cpu.text(r.requests))
}

// tsvHeader names the columns tsv writes; it heads a new results file.
var tsvHeader = []string{"label", "scenario", "conns", "secs", "requests", "ok", "failures", "ok_per_s",
	"p50_ms", "p99_ms", "max_ms", "ok_all", "requests_all", "rss_peak_mb", "rss_hwm_mb", "cpu_us_per_request",
	"cores_server", "cores_postgres", "cores_redis", "cores_load", "cores_other"}

func (r result) tsv() string {
	row := []string{r.label, r.scenario, strconv.Itoa(r.conns), strconv.FormatFloat(r.window.Seconds(), 'f', 1, 64),
		strconv.Itoa(r.requests), strconv.Itoa(r.ok), r.failureText(), strconv.FormatFloat(r.rate(), 'f', 0, 64),
		ms(r.p50), ms(r.p99), ms(r.max), strconv.Itoa(r.okAll), strconv.Itoa(r.reqAll), mb(r.rss.peakKB), mb(r.rss.hwmKB),
		r.cpu.perRequest(r.requests)}
	for _, g := range cpuGroups {
		row = append(row, strconv.FormatFloat(r.cpu.cores[g], 'f', 2, 64))
	}
	return strings.Join(row, "\t")
}

// reportCmd prints the rows a series of runs appended to path as a table.
func reportCmd(path string, stdout io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	show := []int{0, 3, 4, 5, 6, 7, 8, 9, 10, 13, 15, 16, 17, 18, 19, 20}
	cols := func(row []string) {
		for _, i := range show {
			if i < len(row) {
				fmt.Fprint(tw, row[i], "\t")
			}
		}
		fmt.Fprintln(tw)
	}
	cols([]string{"scenario", "", "", "secs", "requests", "ok", "non-ok by status", "ok/s", "p50 ms", "p99 ms", "max ms", "", "",
		"RSS peak MB", "", "CPU µs/req", "server", "postgres", "redis", "load", "other"})
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, tsvHeader[0]+"\t") {
			cols(strings.Split(line, "\t"))
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return tw.Flush()
}
