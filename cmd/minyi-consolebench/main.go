// Command minyi-consolebench times the staff console at province scale:
// every console page (GET) and every GET API route of the staff in the
// route table (internal/server/routes.go and routes_assessment.go), with real ids from the
// database, as the office and — for what a unit sees — as a unit user,
// each page -reps times in a row. The rating feed, the review queue and
// the cases (console and API) are timed with the filters users combine,
// at the first page and at the hundredth; the hundredth is reached
// untimed by following the page's next link (<a rel="next"> on console
// pages, next_cursor in API answers) or, with today's offset paging,
// directly. It prints p50, p99 and the maximum per page, the slowest ten
// and how many pages stay under -target at p99.
//
//	minyi-consolebench -url URL -db URL -office NAME -unit NAME [-reps 20] [-timeout 10s] [-tsv FILE]   < passwords
//
// The two passwords come on stdin, one a line: the office user's, then the
// unit user's. It signs in through the /login form (console pages) and
// POST /api/v1/session (API), and before timing makes through the API,
// once, what the cycle pages need and the generated database lacks (see
// prepare). It only talks to loopback addresses.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "minyi-consolebench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("minyi-consolebench", flag.ContinueOnError)
	rawURL := fs.String("url", "http://127.0.0.1:18090", "server base URL (loopback only)")
	dbURL := fs.String("db", "postgres://postgres@127.0.0.1:5432/minyi_bench_agg?sslmode=disable", "the server's database (loopback only), for ids")
	officeName := fs.String("office", "bench_office", "office user")
	unitName := fs.String("unit", "bench_unit", "unit user (its unit is the one the pages show)")
	var s settings
	fs.IntVar(&s.reps, "reps", 20, "requests per page, one after another")
	fs.DurationVar(&s.timeout, "timeout", 10*time.Second, "client timeout of a request (a timeout is a failure)")
	fs.IntVar(&s.maxTimeouts, "max-timeouts", 2, "timeouts (or errors) in a row after which a page is recorded as timeout")
	fs.DurationVar(&s.budget, "budget", 60*time.Second, "stop repeating a slow page after this long (it still gets 3 requests)")
	fs.DurationVar(&s.target, "target", 100*time.Millisecond, "the p99 goal the summary counts against")
	fs.StringVar(&s.cursorParam, "cursor-param", "cursor", "query parameter that carries an API answer's next_cursor")
	only := fs.String("only", "", "time only pages whose label (route, or route · filter) matches this regular expression")
	deep := fs.Bool("deep", true, "also time the hundredth page of the lists")
	doPrepare := fs.Bool("prepare", true, "make the cycle, survey, target sheet and evidence file the pages need when missing")
	tsv := fs.String("tsv", "", "write the results as tab-separated rows to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	base, err := loopbackURL(*rawURL, "http")
	if err != nil {
		return err
	}
	if _, err := loopbackURL(*dbURL, "postgres"); err != nil {
		return err
	}
	if s.reps < 1 || s.timeout <= 0 || s.maxTimeouts < 1 {
		return errors.New("-reps, -timeout and -max-timeouts must be positive")
	}
	var filter *regexp.Regexp
	if *only != "" {
		if filter, err = regexp.Compile(*only); err != nil {
			return err
		}
	}
	in := bufio.NewScanner(stdin)
	var passwords [2]string
	for i := range passwords {
		if !in.Scan() {
			return errors.New("the office's and the unit's passwords must come on stdin, one a line")
		}
		passwords[i] = strings.TrimRight(in.Text(), "\r")
	}

	conn, err := pgx.Connect(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var unitID int64
	if err := conn.QueryRow(ctx, `SELECT unit_id FROM users WHERE username = $1 AND role = 'unit'`, *unitName).Scan(&unitID); err != nil {
		return fmt.Errorf("the unit user %s: %w", *unitName, err)
	}

	clients := map[string]*client{}
	for _, c := range []struct {
		key, user, password string
		api                 bool
	}{{"office", *officeName, passwords[0], false}, {"office api", *officeName, passwords[0], true},
		{"unit", *unitName, passwords[1], false}, {"unit api", *unitName, passwords[1], true}} {
		cl := newClient(base, s.timeout)
		if c.api {
			err = cl.signInAPI(c.user, c.password)
		} else {
			err = cl.signInConsole(c.user, c.password)
		}
		if err != nil {
			return fmt.Errorf("signing in as %s: %w", c.user, err)
		}
		clients[c.key] = cl
	}
	now := time.Now()
	if *doPrepare {
		if err := prepare(ctx, conn, clients["office api"], clients["unit api"], unitID, now); err != nil {
			return fmt.Errorf("preparing: %w", err)
		}
	}
	v, err := resolve(ctx, conn, unitID, now)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "== timing as %s and %s (unit %s); %d requests a page, timeout %s, ended after %d in a row\n",
		*officeName, *unitName, v["unit"], s.reps, s.timeout, s.maxTimeouts)

	var results []*result
	for _, sp := range catalogue() {
		if filter != nil && !filter.MatchString(sp.label()) {
			continue
		}
		for _, who := range []int{office, unitUser} {
			if sp.who&who == 0 {
				continue
			}
			name := map[int]string{office: "office", unitUser: "unit"}[who]
			key := name
			if sp.api() {
				key += " api"
			}
			started := time.Now()
			results = append(results, timeSpec(clients[key], s, sp, v, name, *deep, out)...)
			if sp.jobs {
				if err := deleteStartedJobs(ctx, conn, started); err != nil {
					return fmt.Errorf("deleting the exports started: %w", err)
				}
			}
		}
	}
	printTable(out, results, s)
	if *tsv != "" {
		return writeTSV(*tsv, results)
	}
	return nil
}

// timeSpec times one spec for one audience: its first page, and the
// hundredth of a deep one.
func timeSpec(c *client, s settings, sp spec, v ids, who string, deep bool, out io.Writer) []*result {
	label := sp.label()
	path, missing := v.fill(sp.path)
	first := &result{label: label, route: sp.route, who: who, path: path}
	if missing != "" {
		first.skip = "no " + missing + " in the database"
		return []*result{first}
	}
	measure(c, s, first)
	progress(out, first)
	res := []*result{first}
	if !sp.deep || !deep {
		return res
	}
	second := &result{label: label + " · page 100", route: sp.route, who: who}
	if first.timedOut {
		second.skip = "the first page timed out"
		return append(res, second)
	}
	p100, note, err := hundredth(c, s, path, sp.api())
	if err != nil {
		second.skip = err.Error()
		return append(res, second)
	}
	second.path = p100
	second.label += " (" + note + ")"
	measure(c, s, second)
	progress(out, second)
	return append(res, second)
}

// progress prints one line per page as it is timed.
func progress(out io.Writer, r *result) {
	_, p99, _ := r.quantiles()
	fmt.Fprintf(out, "   %-6s %-100s %s, p99 %s ms\n", r.who, r.path, r.status(), ms(p99))
}

// loopbackURL checks that raw is a URL of scheme on this machine.
func loopbackURL(raw, scheme string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || !strings.HasPrefix(u.Scheme, scheme) || u.Host == "" {
		return nil, fmt.Errorf("%q is not a %s URL", raw, scheme)
	}
	if h := u.Hostname(); h != "localhost" && (net.ParseIP(h) == nil || !net.ParseIP(h).IsLoopback()) {
		return nil, fmt.Errorf("%q is not on this machine (loopback only)", raw)
	}
	return u, nil
}
