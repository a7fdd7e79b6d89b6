package main

import (
	"encoding/json"
	"fmt"
	"html"
	"math"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// settings of the timing.
type settings struct {
	reps        int           // requests per page
	timeout     time.Duration // a request's client timeout
	maxTimeouts int           // timeouts in a row that end a page
	budget      time.Duration // a page's repetitions stop after this long (at least minReps)
	target      time.Duration // the p99 goal
	cursorParam string        // the API's keyset cursor parameter
}

// minReps is how many requests a slow page gets at least, budget or not.
const minReps = 3

// result is one timed page.
type result struct {
	label    string // route, filter and page
	route    string
	who      string
	path     string
	skip     string // why it was not timed
	statuses map[int]int
	errs     []string // transport errors (no answer)
	bad      []string // the first answers other than 200
	timeouts int
	timedOut bool // ended by timeouts in a row
	times    []time.Duration
	first    time.Duration // the first request, not in times (see measure)
	bytes    int
}

// ok reports whether every request answered 200 in time.
func (r *result) ok() bool {
	return r.skip == "" && !r.timedOut && r.timeouts == 0 && len(r.errs) == 0 && len(r.statuses) == 1 && r.statuses[200] > 0
}

// status is the answers in a word: 200, the other codes, timeout.
func (r *result) status() string {
	if r.skip != "" {
		return "skipped"
	}
	var parts []string
	codes := make([]int, 0, len(r.statuses))
	for c := range r.statuses {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	for _, c := range codes {
		if len(codes) == 1 && r.timeouts == 0 && len(r.errs) == 0 {
			parts = append(parts, strconv.Itoa(c))
		} else {
			parts = append(parts, fmt.Sprintf("%d×%d", r.statuses[c], c))
		}
	}
	if r.timeouts > 0 {
		parts = append(parts, fmt.Sprintf("%d×timeout", r.timeouts))
	}
	if len(r.errs) > 0 {
		parts = append(parts, fmt.Sprintf("%d×error", len(r.errs)))
	}
	if r.timedOut {
		return "timeout (" + strings.Join(parts, " ") + ")"
	}
	return strings.Join(parts, " ")
}

// percentile is the nearest-rank percentile p (0 < p ≤ 1) of sorted
// times, 0 without times.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// quantiles are p50, p99 and the maximum of the answered requests; a
// timeout counts as the client's timeout.
func (r *result) quantiles() (p50, p99, maxT time.Duration) {
	s := slices.Clone(r.times)
	slices.Sort(s)
	if len(s) == 0 {
		return 0, 0, 0
	}
	return percentile(s, 0.5), percentile(s, 0.99), s[len(s)-1]
}

// measure times path s.reps times (fewer for a slow page, see budget),
// after one request of its own: the first request of a page is the first
// of its statements on the server's connections (Postgres loads the
// catalog entries of every partition and index a plan touches, tens of
// milliseconds, once per connection) and reads the page's rows from disk.
// A server in service has done both long before; the first request's time
// is kept apart (first) and printed next to the repeated ones.
func measure(c *client, s settings, r *result) {
	r.statuses = map[int]int{}
	inRow := 0
	// take records an answer; it reports whether the page is to end.
	take := func(a answer, timed bool) bool {
		var d time.Duration
		switch {
		case a.timedOut:
			r.timeouts++
			inRow++
			d = s.timeout
		case a.err != nil:
			r.errs = append(r.errs, a.err.Error())
			inRow++
		default:
			inRow = 0
			r.statuses[a.status]++
			d = a.elapsed
			r.bytes = len(a.body)
			if a.status != 200 && len(r.bad) < 3 {
				r.bad = append(r.bad, fmt.Sprintf("%d %s", a.status, firstLine(a.body)))
			}
		}
		if d > 0 {
			if timed {
				r.times = append(r.times, d)
			} else {
				r.first = d
			}
		}
		if inRow >= s.maxTimeouts {
			r.timedOut = true
		}
		return r.timedOut
	}
	if take(c.get(r.path), false) {
		return
	}
	start := time.Now()
	for i := 0; i < s.reps; i++ {
		if i >= minReps && time.Since(start) > s.budget {
			break
		}
		if take(c.get(r.path), true) {
			return
		}
	}
}

// nextLink finds the console's "next page" link: the last <a rel="next">
// of the page (the feedback page has a pager of held groups above the
// queue's own).
var nextLink = regexp.MustCompile(`<a\s[^>]*rel="next"[^>]*>`)
var hrefAttr = regexp.MustCompile(`href="([^"]*)"`)
var totalTag = regexp.MustCompile(`id="total">([0-9]+)<`)

// nextHref returns the href of the page's last rel="next" link, "" when
// there is none.
func nextHref(body []byte) string {
	links := nextLink.FindAll(body, -1)
	if len(links) == 0 {
		return ""
	}
	m := hrefAttr.FindSubmatch(links[len(links)-1])
	if m == nil {
		return ""
	}
	return html.UnescapeString(string(m[1]))
}

// resolveHref makes a link of the page at cur a path from the root.
func resolveHref(cur, href string) string {
	if href == "" {
		return ""
	}
	base, err1 := url.Parse(cur)
	ref, err2 := url.Parse(href)
	if err1 != nil || err2 != nil {
		return href
	}
	return base.ResolveReference(ref).String()
}

// listPage is what an API list answers about paging.
type listPage struct {
	Total      *int    `json:"total"`
	NextCursor *string `json:"next_cursor"`
}

// withParam returns path with the query parameter k set to v.
func withParam(path, k, v string) string {
	u, err := url.Parse(path)
	if err != nil {
		return path
	}
	q := u.Query()
	q.Set(k, v)
	u.RawQuery = q.Encode()
	return u.String()
}

// cursorParams name keyset cursors in a next link; settings.cursorParam
// is one too.
var cursorParams = []string{"cursor", "after", "before", "after_id", "before_id", "since", "until", "next", "key"}

// offsetPaged reports whether next, the first page's next link, is today's
// offset paging (page=2 and no cursor), which a jump to page=100 can skip
// to; a link with a cursor is followed instead.
func offsetPaged(next, cursorParam string) bool {
	u, err := url.Parse(next)
	if err != nil || u.Query().Get("page") != "2" {
		return false
	}
	for _, k := range append(cursorParams, cursorParam) {
		if u.Query().Has(k) {
			return false
		}
	}
	return true
}

// hundredth finds the path of the list's hundredth page, untimed: by the
// cursor the page links to (followed 99 times), or, with the offset
// paging of today, directly (page=100 in the first page's next link, or
// offset=4950 with limit 50).
// note says how it got there and when the list is shorter.
func hundredth(c *client, s settings, path string, api bool) (p100, note string, err error) {
	a := c.get(path)
	if a.timedOut || a.err != nil || a.status != 200 {
		return "", "", fmt.Errorf("first page: %s", describe(a))
	}
	total := -1
	if api {
		var lp listPage
		if err := json.Unmarshal(a.body, &lp); err != nil {
			return "", "", fmt.Errorf("first page is not a JSON list: %v", err)
		}
		if lp.Total != nil {
			total = *lp.Total
		}
		if lp.NextCursor != nil {
			return walk(c, func(b []byte) string {
				var lp listPage
				if json.Unmarshal(b, &lp) != nil || lp.NextCursor == nil {
					return ""
				}
				return withParam(path, s.cursorParam, *lp.NextCursor)
			}, *lp.NextCursor != "", withParam(path, s.cursorParam, *lp.NextCursor))
		}
		p100, note = withParam(path, "offset", "4950"), "offset=4950"
	} else {
		if m := totalTag.FindSubmatch(a.body); m != nil {
			total, _ = strconv.Atoi(string(m[1]))
		}
		next := resolveHref(path, nextHref(a.body))
		if next != "" && !offsetPaged(next, s.cursorParam) {
			cur := next
			return walk(c, func(b []byte) string {
				cur = resolveHref(cur, nextHref(b))
				return cur
			}, true, next)
		}
		p100, note = withParam(path, "page", "100"), "page=100"
		if next != "" {
			p100 = withParam(next, "page", "100") // the filter as the page writes it
		}
	}
	if total >= 0 && total <= 99*50 {
		note += fmt.Sprintf(", past the end: the list holds %d", total)
	}
	return p100, note, nil
}

// walk follows next links from the first page to the hundredth.
func walk(c *client, next func([]byte) string, more bool, second string) (string, string, error) {
	cur := second
	for page := 2; ; page++ {
		if !more || cur == "" {
			return "", "", fmt.Errorf("the list ends at page %d", page-1)
		}
		if page == 100 {
			return cur, "followed the next links", nil
		}
		a := c.get(cur)
		if a.timedOut || a.err != nil || a.status != 200 {
			return "", "", fmt.Errorf("walking to page 100, page %d: %s", page, describe(a))
		}
		cur = next(a.body)
	}
}

// describe is an answer in words, for errors.
func describe(a answer) string {
	switch {
	case a.timedOut:
		return "timeout"
	case a.err != nil:
		return a.err.Error()
	}
	return fmt.Sprintf("%d %s", a.status, firstLine(a.body))
}
