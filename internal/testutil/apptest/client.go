package apptest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"testing"
	"time"
)

// Client is an HTTP client with a cookie jar, talking to the app.
type Client struct {
	App *App
	C   *http.Client
}

// Client returns a new client with an empty cookie jar that does not follow redirects.
func (a *App) Client() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{App: a, C: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// SignIn signs the client in as username, failing the test on error.
func (c *Client) SignIn(tb testing.TB, username, password string) {
	tb.Helper()
	res := c.JSON(tb, "POST", "/api/v1/session", map[string]string{"username": username, "password": password}, nil)
	if res.StatusCode != http.StatusOK {
		tb.Fatalf("sign in as %s: status %d", username, res.StatusCode)
	}
}

// JSON sends body (marshalled unless it is a string or []byte) and decodes
// the reply into out when out is not nil. Extra headers may be given.
func (c *Client) JSON(tb testing.TB, method, path string, body any, out any, headers ...string) *http.Response {
	tb.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = bytes.NewBufferString(b)
	case []byte:
		r = bytes.NewBuffer(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		r = bytes.NewBuffer(buf)
	}
	req, err := http.NewRequest(method, c.App.URL+path, r)
	if err != nil {
		tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.C.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			tb.Fatalf("%s %s: decoding %q: %v", method, path, data, err)
		}
	}
	return res
}
