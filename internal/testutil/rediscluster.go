package testutil

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// ClusterOptions shape a Redis Cluster started for a test.
type ClusterOptions struct {
	// Masters is how many masters share the slots; default 3, the fewest
	// Redis Cluster accepts.
	Masters int
	// Replicas is how many replicas each master gets (0 or more).
	Replicas int
	// NodeTimeout is cluster-node-timeout: how long a node may be silent
	// before the others count it failed and a replica takes over; default 1 s.
	NodeTimeout time.Duration
}

// RedisCluster is a Redis Cluster of redis-server processes a test started;
// they are killed when the test ends.
type RedisCluster struct {
	// Addrs are the nodes' host:port.
	Addrs []string
	dir   string
	procs map[string]*exec.Cmd
}

// ComponentsRequired reports whether a missing component (Chromium,
// redis-server) must fail a test rather than skip it: in CI (CI=true) and
// wherever MINYI_REQUIRE_BROWSER=1, as for the browser tests.
func ComponentsRequired() bool {
	return os.Getenv("MINYI_REQUIRE_BROWSER") == "1" || os.Getenv("CI") == "true"
}

// StartRedisCluster starts Masters×(1+Replicas) redis-server processes with
// cluster mode on, on free loopback ports, joins them with
// `redis-cli --cluster create` and waits until every node reports
// cluster_state:ok (and every replica is in sync). Without redis-server the
// test is skipped, or fails when ComponentsRequired.
func StartRedisCluster(tb testing.TB, opt ClusterOptions) *RedisCluster {
	tb.Helper()
	server, errS := exec.LookPath("redis-server")
	cli, errC := exec.LookPath("redis-cli")
	if errS != nil || errC != nil {
		msg := "a Redis Cluster test needs redis-server and redis-cli (Debian package redis-server; `make test` installs it)"
		if ComponentsRequired() {
			tb.Fatal(msg)
		}
		tb.Skip("skipping: " + msg + " (set MINYI_REQUIRE_BROWSER=1 to make this a failure)")
	}
	if opt.Masters == 0 {
		opt.Masters = 3
	}
	if opt.NodeTimeout == 0 {
		opt.NodeTimeout = time.Second
	}
	n := opt.Masters * (1 + opt.Replicas)
	ports := FreePorts(tb, 2*n)
	rc := &RedisCluster{dir: tb.TempDir(), procs: map[string]*exec.Cmd{}}
	tb.Cleanup(rc.stopAll)
	for i := 0; i < n; i++ {
		port, bus := ports[2*i], ports[2*i+1]
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		cmd := exec.Command(server, "--bind", "127.0.0.1", "--port", strconv.Itoa(port),
			"--cluster-enabled", "yes", "--cluster-port", strconv.Itoa(bus),
			"--cluster-config-file", filepath.Join(rc.dir, "nodes-"+strconv.Itoa(port)+".conf"),
			"--cluster-node-timeout", strconv.FormatInt(opt.NodeTimeout.Milliseconds(), 10),
			// A replica may take over however long it was cut off: the
			// tests' data is throwaway, availability is what they watch.
			"--cluster-replica-validity-factor", "0",
			"--save", "", "--appendonly", "no", "--dir", rc.dir, "--repl-diskless-sync-delay", "0",
			"--logfile", filepath.Join(rc.dir, "redis-"+strconv.Itoa(port)+".log"))
		setParentDeathSignal(cmd)
		if err := cmd.Start(); err != nil {
			tb.Fatalf("testutil: starting redis-server: %v", err)
		}
		rc.procs[addr] = cmd
		rc.Addrs = append(rc.Addrs, addr)
	}
	for _, a := range rc.Addrs {
		rc.waitFor(tb, a, 10*time.Second, "answers PING", func(ctx context.Context, c *redis.Client) bool {
			return c.Ping(ctx).Err() == nil
		})
	}
	args := append([]string{"--cluster", "create"}, rc.Addrs...)
	args = append(args, "--cluster-replicas", strconv.Itoa(opt.Replicas), "--cluster-yes")
	if out, err := exec.Command(cli, args...).CombinedOutput(); err != nil {
		tb.Fatalf("testutil: redis-cli --cluster create: %v\n%s", err, out)
	}
	for _, a := range rc.Addrs {
		rc.waitFor(tb, a, 20*time.Second, "reports cluster_state:ok and is in sync", clusterNodeReady)
	}
	return rc
}

// clusterNodeReady is true once the node sees the whole cluster as ok and,
// for a replica, its link to its master is up.
func clusterNodeReady(ctx context.Context, c *redis.Client) bool {
	info, err := c.ClusterInfo(ctx).Result()
	if err != nil || !strings.Contains(info, "cluster_state:ok") {
		return false
	}
	repl, err := c.Info(ctx, "replication").Result()
	if err != nil {
		return false
	}
	return strings.Contains(repl, "role:master") || strings.Contains(repl, "master_link_status:up")
}

// waitFor polls the node at addr until ok or the time is up.
func (rc *RedisCluster) waitFor(tb testing.TB, addr string, limit time.Duration, what string,
	ok func(context.Context, *redis.Client) bool) {
	tb.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(limit)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		done := ok(ctx, c)
		cancel()
		if done {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("testutil: Redis node %s never %s within %v\n%s", addr, what, limit, rc.logTail(addr))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// URL is the cluster's REDIS_URL, in the form config.RedisOptions reads.
func (rc *RedisCluster) URL() string {
	u := "redis://" + rc.Addrs[0] + "?cluster=1"
	for _, a := range rc.Addrs[1:] {
		u += "&addr=" + a
	}
	return u
}

// Masters returns the addresses of the live masters that serve slots now,
// as the cluster itself reports (a live node's CLUSTER SHARDS), in slot
// order. Its CLUSTER NODES would not do: just after the cluster forms, a
// node may still list a replica as a master without slots (its flags learnt
// from gossip later), and killing that node would kill no master at all.
func (rc *RedisCluster) Masters(tb testing.TB) []string {
	tb.Helper()
	for _, a := range rc.Addrs {
		if !rc.running(a) {
			continue
		}
		c := redis.NewClient(&redis.Options{Addr: a, MaxRetries: -1})
		shards, err := c.ClusterShards(context.Background()).Result()
		c.Close()
		if err != nil {
			continue
		}
		shards = slices.DeleteFunc(shards, func(s redis.ClusterShard) bool { return len(s.Slots) == 0 })
		sort.Slice(shards, func(i, j int) bool { return shards[i].Slots[0].Start < shards[j].Slots[0].Start })
		var masters []string
		for _, s := range shards {
			for _, n := range s.Nodes {
				if n.Role == "master" && n.Health != "failed" {
					masters = append(masters, net.JoinHostPort(n.IP, strconv.FormatInt(n.Port, 10)))
				}
			}
		}
		return masters
	}
	tb.Fatal("testutil: no Redis cluster node answers")
	return nil
}

// Kill stops the node at addr with SIGKILL, as a crash would.
func (rc *RedisCluster) Kill(tb testing.TB, addr string) {
	tb.Helper()
	cmd, ok := rc.procs[addr]
	if !ok {
		tb.Fatalf("testutil: %s is not a node of this cluster", addr)
	}
	if err := cmd.Process.Kill(); err != nil {
		tb.Fatalf("testutil: killing %s: %v", addr, err)
	}
	_ = cmd.Wait()
	delete(rc.procs, addr)
}

func (rc *RedisCluster) running(addr string) bool { _, ok := rc.procs[addr]; return ok }

// stopAll kills every node still running.
func (rc *RedisCluster) stopAll() {
	for addr, cmd := range rc.procs {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		delete(rc.procs, addr)
	}
}

// logTail is the end of a node's log, for failure messages.
func (rc *RedisCluster) logTail(addr string) string {
	_, port, _ := net.SplitHostPort(addr)
	b, err := os.ReadFile(filepath.Join(rc.dir, "redis-"+port+".log"))
	if err != nil {
		return ""
	}
	if lines := bytes.Split(b, []byte("\n")); len(lines) > 20 {
		b = bytes.Join(lines[len(lines)-20:], []byte("\n"))
	}
	return string(b)
}

// FreePorts returns n distinct loopback ports nothing listens on now.
func FreePorts(tb testing.TB, n int) []int {
	tb.Helper()
	ls := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for len(ports) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatalf("testutil: no free port: %v", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}
