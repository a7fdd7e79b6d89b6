package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// client is one signed-in user's browser or script: its own cookie jar
// and keep-alive connections.
type client struct {
	base    *url.URL
	http    *http.Client
	timeout time.Duration
}

func newClient(base *url.URL, timeout time.Duration) *client {
	jar, _ := cookiejar.New(nil)
	return &client{base: base, timeout: timeout, http: &http.Client{
		Jar: jar, Timeout: timeout,
		// Redirects are answers to time as they are (a page that
		// redirects to /login has lost its session).
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport:     &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: time.Minute},
	}}
}

// csrfField finds the sign-in form's hidden CSRF token.
var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// signInConsole signs in through the /login form, as a browser does.
func (c *client) signInConsole(username, password string) error {
	res, body, err := c.do(http.MethodGet, "/login", nil, "")
	if err != nil {
		return err
	}
	m := csrfField.FindSubmatch(body)
	if res.StatusCode != http.StatusOK || m == nil {
		return fmt.Errorf("GET /login: %d without the form's token", res.StatusCode)
	}
	form := url.Values{"username": {username}, "password": {password}, "_csrf": {html.UnescapeString(string(m[1]))}, "next": {"/console"}}
	res, body, err = c.do(http.MethodPost, "/login", strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/console" {
		return fmt.Errorf("POST /login as %s: %d %s", username, res.StatusCode, firstLine(body))
	}
	return nil
}

// signInAPI signs in with POST /api/v1/session, as a script does.
func (c *client) signInAPI(username, password string) error {
	return c.postJSON("/api/v1/session", map[string]string{"username": username, "password": password}, http.StatusOK, nil)
}

// postJSON sends in as JSON and decodes the answer into out (when not nil).
func (c *client) postJSON(path string, in any, want int, out any) error {
	return c.sendJSON(http.MethodPost, path, in, want, out)
}

// putJSON sends in with PUT and wants 200 or 201.
func (c *client) putJSON(path string, in any) error {
	err := c.sendJSON(http.MethodPut, path, in, http.StatusOK, nil)
	if err != nil && strings.Contains(err.Error(), ": 201 ") {
		return nil
	}
	return err
}

func (c *client) sendJSON(method, path string, in any, want int, out any) error {
	b, _ := json.Marshal(in)
	res, body, err := c.do(method, path, bytes.NewReader(b), "application/json")
	if err != nil {
		return err
	}
	if res.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, firstLine(body))
	}
	if out != nil {
		return json.Unmarshal(body, out)
	}
	return nil
}

// do sends one request and reads the whole answer.
func (c *client) do(method, path string, body io.Reader, contentType string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(context.Background(), method, c.base.String()+path, body)
	if err != nil {
		return nil, nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res, b, err
}

// answer is one timed GET: its status (0 when none came), how long until
// the whole body was read, the body, and the error (timedOut when the
// client's timeout struck).
type answer struct {
	status   int
	elapsed  time.Duration
	body     []byte
	err      error
	timedOut bool
}

// get times one GET of path, body included.
func (c *client) get(path string) answer {
	t0 := time.Now()
	res, body, err := c.do(http.MethodGet, path, nil, "")
	a := answer{elapsed: time.Since(t0), body: body, err: err}
	if res != nil {
		a.status = res.StatusCode
	}
	if err != nil {
		var ne interface{ Timeout() bool }
		a.timedOut = errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
	}
	return a
}

// firstLine is the start of a body, for error messages.
func firstLine(b []byte) string {
	s := string(b)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
