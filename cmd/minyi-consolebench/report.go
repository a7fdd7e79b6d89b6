package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

// ms prints a duration in milliseconds.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond))
}

// printTable prints every page with its status and times, then the
// slowest ten, the errors and the summary line.
func printTable(w io.Writer, results []*result, s settings) {
	fmt.Fprintf(w, "\n%-92s %-6s %-22s %4s %9s %9s %9s %9s %9s\n", "page", "who", "status", "reps", "first ms", "p50 ms", "p99 ms", "max ms", "bytes")
	for _, r := range results {
		if r.skip != "" {
			fmt.Fprintf(w, "%-92s %-6s %-22s %s\n", r.label, r.who, r.status(), r.skip)
			continue
		}
		p50, p99, mx := r.quantiles()
		fmt.Fprintf(w, "%-92s %-6s %-22s %4d %9s %9s %9s %9s %9d\n", r.label, r.who, r.status(), len(r.times), ms(r.first), ms(p50), ms(p99), ms(mx), r.bytes)
	}

	timed := make([]*result, 0, len(results))
	under := 0
	for _, r := range results {
		if r.skip != "" {
			continue
		}
		timed = append(timed, r)
		if _, p99, _ := r.quantiles(); r.ok() && p99 < s.target {
			under++
		}
	}
	var timeouts []*result
	for _, r := range timed {
		if r.timedOut {
			timeouts = append(timeouts, r)
		}
	}
	slow := slowest(timed, 10+len(timeouts))[len(timeouts):]
	that := ""
	if len(timeouts) > 0 {
		that = " that answered"
		fmt.Fprintf(w, "\n%d pages timed out (%s, %d times in a row):\n", len(timeouts), s.timeout, s.maxTimeouts)
		for _, r := range timeouts {
			fmt.Fprintf(w, "  %-6s %s\n", r.who, r.label)
		}
	}
	fmt.Fprintf(w, "\nslowest %d%s, by p99:\n", len(slow), that)
	for _, r := range slow {
		_, p99, _ := r.quantiles()
		fmt.Fprintf(w, "  %9s ms  %-6s %s  %s\n", ms(p99), r.who, r.label, r.status())
	}
	var errs []string
	for _, r := range timed {
		for _, e := range append(r.bad, r.errs...)[:min(1, len(r.bad)+len(r.errs))] {
			errs = append(errs, fmt.Sprintf("  %s (%s) %s: %s", r.label, r.who, r.path, e))
		}
	}
	if len(errs) > 0 {
		fmt.Fprintf(w, "\nanswers other than 200 (first of each page):\n%s\n", strings.Join(errs, "\n"))
	}
	fmt.Fprintf(w, "\n%d of %d under %s at p99 (%d timed out, %d with other errors, %d not timed)\n",
		under, len(timed), fmtTarget(s.target), countIf(timed, func(r *result) bool { return r.timedOut || r.timeouts > 0 }),
		countIf(timed, func(r *result) bool { return len(r.errs)+len(r.bad) > 0 }), len(results)-len(timed))
}

func fmtTarget(d time.Duration) string {
	return fmt.Sprintf("%d ms", d.Milliseconds())
}

func countIf(rs []*result, f func(*result) bool) int {
	n := 0
	for _, r := range rs {
		if f(r) {
			n++
		}
	}
	return n
}

// slowest returns the n pages with the highest p99, those ended by
// timeouts first.
func slowest(rs []*result, n int) []*result {
	s := append([]*result(nil), rs...)
	sort.SliceStable(s, func(i, j int) bool {
		if s[i].timedOut != s[j].timedOut {
			return s[i].timedOut
		}
		_, a, _ := s[i].quantiles()
		_, b, _ := s[j].quantiles()
		return a > b
	})
	return s[:min(n, len(s))]
}

// writeTSV writes the results as tab-separated rows for docs and scripts.
func writeTSV(path string, results []*result) error {
	var b strings.Builder
	b.WriteString("route\tfilter_page\twho\tpath\tstatus\treps\tfirst_ms\tp50_ms\tp99_ms\tmax_ms\tbytes\tnote\n")
	for _, r := range results {
		p50, p99, mx := r.quantiles()
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%d\t%s\n", r.route, strings.TrimPrefix(r.label, r.route),
			r.who, r.path, r.status(), len(r.times), ms(r.first), ms(p50), ms(p99), ms(mx), r.bytes, r.skip)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
