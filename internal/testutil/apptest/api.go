package apptest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Itoa formats an id for a path or a form.
func Itoa(n int64) string { return strconv.FormatInt(n, 10) }

// APIReply is the raw reply to one API request.
type APIReply struct {
	Status int
	Header http.Header
	Body   []byte
}

// Decode unmarshals the body into out, failing on anything but want.
func (r APIReply) Decode(t *testing.T, want int, out any) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d; body %s", r.Status, want, r.Body)
	}
	if out != nil {
		if err := json.Unmarshal(r.Body, out); err != nil {
			t.Fatalf("decoding %s: %v", r.Body, err)
		}
	}
}

// APIDo sends body with the given Content-Type ("" for none) and returns
// the reply. headers are name, value pairs.
func APIDo(t *testing.T, c *Client, method, path, ctype, body string, headers ...string) APIReply {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.App.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.C.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return APIReply{Status: res.StatusCode, Header: res.Header, Body: data}
}

// APIJSON sends v as JSON.
func APIJSON(t *testing.T, c *Client, method, path string, v any, headers ...string) APIReply {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return APIDo(t, c, method, path, "application/json", string(b), headers...)
}

// WantAPIError checks the status and the one error shape
// {"error":{"code","message","fields"}}, with exactly the given fields.
func WantAPIError(t *testing.T, r APIReply, status int, code string, fields ...string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want JSON", ct)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &top); err != nil || len(top) != 1 || top["error"] == nil {
		t.Fatalf("body %s is not {\"error\": {...}}", r.Body)
	}
	var e struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	}
	dec := json.NewDecoder(bytes.NewReader(top["error"]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("error object %s: %v", top["error"], err)
	}
	if e.Code != code {
		t.Errorf("code %q, want %q; body %s", e.Code, code, r.Body)
	}
	if e.Message == "" {
		t.Errorf("empty message in %s", r.Body)
	}
	got := make([]string, 0, len(e.Fields))
	for k, v := range e.Fields {
		got = append(got, k)
		if v == "" {
			t.Errorf("field %s has an empty message", k)
		}
	}
	sort.Strings(got)
	want := slices.Clone(fields)
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("fields %v, want %v; body %s", got, want, r.Body)
	}
}

// APIBodyCase is one bad body for a JSON endpoint.
type APIBodyCase struct {
	Name, ContentType, Body string
	Fields                  []string
}

// APIBadBodies are the malformed bodies every JSON endpoint refuses the
// same way, before looking at the fields.
var APIBadBodies = []APIBodyCase{
	{"malformed JSON", "application/json", `{"name":`, nil},
	{"wrong content type", "text/plain", `{"name":"x"}`, nil},
	{"no content type", "", `{"name":"x"}`, nil},
	{"empty body", "application/json", ``, nil},
	{"two values", "application/json", `{} {}`, nil},
	{"array", "application/json", `[{"name":"x"}]`, nil},
	{"string", "application/json", `"x"`, nil},
}

// APIError is the API's error body.
type APIError struct {
	Error struct {
		Code, Message string
		Fields        map[string]string
	}
}

// WantRetryAfter checks a 429's Retry-After: whole seconds, within the window.
func WantRetryAfter(t *testing.T, res *http.Response, max int) {
	t.Helper()
	v := res.Header.Get("Retry-After")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		t.Fatalf("Retry-After %q, want whole seconds from 1 to %d", v, max)
	}
}

// APILogin signs in through the API from the address (sent as
// X-Forwarded-For, which a trusted proxy would add; "" sends none) and
// returns the response with its error body.
func APILogin(t *testing.T, c *Client, addr, username, password string, headers ...string) (*http.Response, APIError) {
	t.Helper()
	if addr != "" {
		headers = append(headers, "X-Forwarded-For", addr)
	}
	var e APIError
	res := c.JSON(t, "POST", "/api/v1/session", map[string]string{"username": username, "password": password}, &e, headers...)
	return res, e
}

// UnreachableDB is a Postgres URL on a closed port.
const UnreachableDB = "postgres://postgres@127.0.0.1:1/x?connect_timeout=1&sslmode=disable"
