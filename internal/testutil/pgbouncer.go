package testutil

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// PgBouncer is a pgbouncer process a test started in front of the test
// Postgres; it is stopped when the test ends.
type PgBouncer struct {
	Addr string
	dir  string
}

// StartPgBouncer starts Debian's pgbouncer on a free loopback port in the
// given pool mode ("transaction" or "session") with poolSize server
// connections per database, so that server connections are shared between
// clients the way a production pooler shares them. Without pgbouncer the
// test is skipped, or fails when ComponentsRequired.
func StartPgBouncer(tb testing.TB, mode string, poolSize int) *PgBouncer {
	tb.Helper()
	bin, err := exec.LookPath("pgbouncer")
	if err != nil {
		for _, p := range []string{"/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"} {
			if _, e := os.Stat(p); e == nil {
				bin, err = p, nil
			}
		}
	}
	if err != nil {
		msg := "a PgBouncer test needs pgbouncer (Debian package pgbouncer; `make test` installs it)"
		if ComponentsRequired() {
			tb.Fatal(msg)
		}
		tb.Skip("skipping: " + msg + " (set MINYI_REQUIRE_BROWSER=1 to make this a failure)")
	}
	admin, err := url.Parse(AdminURL())
	if err != nil {
		tb.Fatal(err)
	}
	pgHost, pgPort := admin.Hostname(), admin.Port()
	if pgPort == "" {
		pgPort = "5432"
	}
	pgUser := admin.User.Username()
	port := FreePorts(tb, 1)[0]
	dir, err := os.MkdirTemp("", "minyi-pgbouncer-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	ini := fmt.Sprintf(`[databases]
* = host=%s port=%s
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = %s
default_pool_size = %d
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 200
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = %s
`, pgHost, pgPort, port, filepath.Join(dir, "users.txt"), mode, poolSize, filepath.Join(dir, "pgbouncer.log"))
	must := func(err error) {
		if err != nil {
			tb.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "pgbouncer.ini"), []byte(ini), 0o644))
	must(os.WriteFile(filepath.Join(dir, "users.txt"), []byte(fmt.Sprintf("%q \"\"\n", pgUser)), 0o644))
	cmd := exec.Command(bin, filepath.Join(dir, "pgbouncer.ini"))
	setParentDeathSignal(cmd)
	// pgbouncer refuses to run as root: run it as the postgres user.
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			tb.Fatalf("testutil: pgbouncer cannot run as root and there is no postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		must(os.Chown(dir, uid, gid))
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("testutil: starting pgbouncer: %v", err)
	}
	tb.Cleanup(func() {
		cmd.Process.Kill() //nolint:errcheck
		cmd.Wait()         //nolint:errcheck
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "pgbouncer.log"))
			tb.Fatalf("testutil: pgbouncer did not listen on %s: %v\n%s", addr, err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return &PgBouncer{Addr: addr, dir: dir}
}

// URL rewrites a database URL of the test Postgres to go through the
// pooler, with the query mode a transaction pooler older than 1.21 needs.
func (b *PgBouncer) URL(tb testing.TB, dbURL string) string {
	tb.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	u.Host = b.Addr
	q := u.Query()
	q.Set("default_query_exec_mode", "exec")
	u.RawQuery = q.Encode()
	return u.String()
}
