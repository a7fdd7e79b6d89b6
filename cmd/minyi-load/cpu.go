package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// cpuGroups are the processes whose CPU time a run reports: the server,
// Postgres, Redis, this load tool, and everything else on the machine.
var cpuGroups = []string{"server", "postgres", "redis", "load", "other"}

// cpuSnapshot is CPU time in clock ticks per group, plus the machine's total
// busy ticks, at one moment.
type cpuSnapshot struct {
	at    time.Time
	ticks map[string]int64
	busy  int64
}

const clockTicks = 100 // USER_HZ on Linux

// takeCPU reads /proc once. Postgres processes count as "postgres" when
// they serve database pgDB or are the server's own helpers (WAL writer,
// checkpointer and the like); backends of other databases count as
// "other", like every process that comes and goes between two snapshots.
func takeCPU(serverPID int, pgDB string) cpuSnapshot {
	s := cpuSnapshot{at: time.Now(), ticks: map[string]int64{}}
	self := os.Getpid()
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		pid, _ := strconv.Atoi(filepath.Base(d))
		comm, ticks, ok := procCPU(d)
		if !ok {
			continue
		}
		switch {
		case pid == serverPID:
			s.ticks["server"] += ticks
		case pid == self:
			s.ticks["load"] += ticks
		case comm == "postgres" && ours(d, pgDB):
			s.ticks["postgres"] += ticks
		case strings.HasPrefix(comm, "redis-server"):
			s.ticks["redis"] += ticks
		}
	}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		f := strings.Fields(line)
		for i := 1; i < len(f) && i <= 8; i++ {
			if i == 4 || i == 5 { // idle, iowait
				continue
			}
			n, _ := strconv.ParseInt(f[i], 10, 64)
			s.busy += n
		}
	}
	return s
}

// ours reports whether the Postgres process in dir works for database db:
// a backend's title names its database; auxiliary processes name none.
func ours(dir, db string) bool {
	b, err := os.ReadFile(dir + "/cmdline")
	if err != nil || db == "" {
		return err == nil
	}
	title := strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))
	if !strings.HasPrefix(title, "postgres:") {
		return true // the postmaster
	}
	f := strings.Fields(title)
	// "postgres: 15/main: user db 127.0.0.1(5432) idle" for backends,
	// "postgres: 15/main: autovacuum worker db" for autovacuum.
	if slices.Contains(f, db) {
		return true
	}
	for _, aux := range []string{"checkpointer", "writer", "walwriter", "launcher", "archiver", "collector", "logger"} {
		if slices.Contains(f, aux) {
			return !slices.Contains(f, "worker")
		}
	}
	return false
}

// procCPU returns the command name and user+system ticks of one process.
func procCPU(dir string) (string, int64, bool) {
	b, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return "", 0, false
	}
	open, closing := strings.IndexByte(string(b), '('), strings.LastIndexByte(string(b), ')')
	if open < 0 || closing < open {
		return "", 0, false
	}
	f := strings.Fields(string(b[closing+1:]))
	if len(f) < 13 {
		return "", 0, false
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return string(b[open+1 : closing]), ut + st, true
}

// cpuUse is the CPU each group used between two snapshots.
type cpuUse struct {
	secs  float64
	cores map[string]float64 // average cores busy per group
}

func cpuBetween(a, b cpuSnapshot) cpuUse {
	u := cpuUse{secs: b.at.Sub(a.at).Seconds(), cores: map[string]float64{}}
	if u.secs <= 0 {
		return u
	}
	var known int64
	for _, g := range cpuGroups[:4] {
		d := max(0, b.ticks[g]-a.ticks[g])
		known += d
		u.cores[g] = float64(d) / clockTicks / u.secs
	}
	u.cores["other"] = max(0, float64(b.busy-a.busy-known)/clockTicks/u.secs)
	return u
}

// perRequest is the CPU microseconds each of n requests cost the server,
// Postgres, Redis and the load tool together, or "-".
func (u cpuUse) perRequest(n int) string {
	if u.secs <= 0 || n <= 0 {
		return "-"
	}
	total := 0.0
	for _, g := range cpuGroups[:4] {
		total += u.cores[g]
	}
	return strconv.FormatFloat(total*u.secs*1e6/float64(n), 'f', 0, 64)
}

// text lists the cores each group kept busy and, for n requests, the CPU
// microseconds each request cost the server, Postgres, Redis and the load
// tool together.
func (u cpuUse) text(n int) string {
	if u.secs <= 0 {
		return "-"
	}
	var parts []string
	for _, g := range cpuGroups {
		parts = append(parts, fmt.Sprintf("%s %.2f", g, u.cores[g]))
	}
	return fmt.Sprintf("cores busy: %s; %s CPU µs per request (all but other)", strings.Join(parts, ", "), u.perRequest(n))
}
