package links_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"minyi/internal/links"
)

// parsed returns the query of a signed link's URL.
func parsed(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func TestCanonicalIsSortedRawValuesByLine(t *testing.T) {
	v := url.Values{"unit": {"JGJ"}, "case": {"SL 2026/01&x"}, "exp": {"1767225600"}, "kid": {"lkabc123"},
		"stage": {"3"}, "item": {"ITEM-1"}, "sig": {"ignored"}}
	want := "case=SL 2026/01&x\nexp=1767225600\nitem=ITEM-1\nkid=lkabc123\nstage=3\nunit=JGJ"
	if got := links.Canonical(v); got != want {
		t.Fatalf("canonical:\n%q\nwant\n%q", got, want)
	}
	// The documented example (docs/api.md), so the docs and the code
	// cannot drift apart.
	doc := links.Link{Unit: "SJGJ", Case: "SL2026120400001", Item: "340100-XK-0001", Stage: "3",
		Expires: time.Unix(1796000000, 0), KeyID: "lk5f2c9a1e0d3b7a44"}
	const wantSig = "7245eac616f25504b8df7bece8b4f86ce66143d03d87bea488a40139e5c34ccd"
	if got := links.Sign("example-secret-not-for-use", links.Canonical(doc.Values())); got != wantSig {
		t.Fatalf("documented signature %s, want %s", got, wantSig)
	}
	if got := doc.URL("https://minyi.example.gov.cn", "example-secret-not-for-use"); got !=
		"https://minyi.example.gov.cn/l?case=SL2026120400001&exp=1796000000&item=340100-XK-0001&kid=lk5f2c9a1e0d3b7a44&sig="+wantSig+"&stage=3&unit=SJGJ" {
		t.Fatalf("documented URL %s", got)
	}
}

func TestParseAndVerify(t *testing.T) {
	now := time.Unix(1796000000, 0).Add(-2 * time.Hour)
	const secret, other = "secret-one-0123456789", "secret-two-0123456789"
	good := links.Link{Unit: "JGJ", Case: "SL2026120400001", Item: "ITEM-1", Stage: "3", Expires: now.Add(time.Hour), KeyID: "lk0001"}
	tamper := func(name, value string) func(url.Values) {
		return func(v url.Values) { v.Set(name, value) }
	}
	for _, tc := range []struct {
		name    string
		link    links.Link
		secret  string // the secret it was signed with
		verify  string // the secret it is verified with
		edit    func(url.Values)
		problem links.Problem
		valid   bool
	}{
		{name: "good", link: good, secret: secret, verify: secret, valid: true},
		{name: "no item or stage", link: links.Link{Unit: "12", Case: "办件-一", Expires: now.Add(time.Minute), KeyID: "lk0001"},
			secret: secret, verify: secret, valid: true},
		{name: "rotation: the second live key", link: good, secret: other, verify: other, valid: true},
		{name: "signed by the other key", link: good, secret: other, verify: secret, valid: false},
		{name: "expired", link: links.Link{Unit: "JGJ", Case: "A1", Expires: now, KeyID: "lk0001"}, secret: secret,
			verify: secret, problem: links.Expired, valid: true},
		{name: "expiry too far ahead", link: links.Link{Unit: "JGJ", Case: "A1", Expires: now.Add(32 * 24 * time.Hour),
			KeyID: "lk0001"}, secret: secret, verify: secret, problem: links.BadLink},
		{name: "tampered case", link: good, secret: secret, verify: secret, edit: tamper("case", "SL2026120400002")},
		{name: "tampered stage", link: good, secret: secret, verify: secret, edit: tamper("stage", "1")},
		{name: "tampered expiry", link: good, secret: secret, verify: secret, edit: tamper("exp", "1796000000")},
		{name: "stage added", link: links.Link{Unit: "JGJ", Case: "A1", Expires: now.Add(time.Hour), KeyID: "lk0001"},
			secret: secret, verify: secret, edit: tamper("stage", "1")},
		{name: "unknown parameter", link: good, secret: secret, verify: secret, edit: tamper("x", "1"), problem: links.BadLink},
		{name: "repeated parameter", link: good, secret: secret, verify: secret,
			edit: func(v url.Values) { v.Add("case", "B2") }, problem: links.BadLink},
		{name: "no signature", link: good, secret: secret, verify: secret, edit: func(v url.Values) { v.Del("sig") }, problem: links.BadLink},
		{name: "upper-case signature", link: good, secret: secret, verify: secret,
			edit: func(v url.Values) { v.Set("sig", strings.ToUpper(v.Get("sig"))) }, problem: links.BadLink},
		{name: "line feed in the case", link: links.Link{Unit: "JGJ", Case: "A1\nexp=9", Expires: now.Add(time.Hour), KeyID: "lk0001"},
			secret: secret, verify: secret, problem: links.BadLink},
		{name: "bad unit", link: links.Link{Unit: "a b", Case: "A1", Expires: now.Add(time.Hour), KeyID: "lk0001"},
			secret: secret, verify: secret, problem: links.BadLink},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := parsed(t, tc.link.URL("https://minyi.example/", tc.secret))
			if tc.edit != nil {
				tc.edit(q)
			}
			l, p := links.Parse(q, now)
			if p != tc.problem {
				t.Fatalf("problem %q, want %q", p, tc.problem)
			}
			if p == links.BadLink {
				return
			}
			if got := links.Verify(q, tc.verify); got != tc.valid {
				t.Fatalf("verify %v, want %v", got, tc.valid)
			}
			if tc.valid && tc.edit == nil && (l.Case != tc.link.Case || l.Stage != tc.link.Stage || l.KeyID != tc.link.KeyID) {
				t.Fatalf("parsed %+v from %+v", l, tc.link)
			}
		})
	}
}

func TestParseOrigins(t *testing.T) {
	got, bad := links.ParseOrigins("https://www.ahzwfw.gov.cn/\nhttps://*.wsts.ah.gov.cn, http://127.0.0.1:8080 https://www.ahzwfw.gov.cn")
	if bad != "" || strings.Join(got, " ") != "https://www.ahzwfw.gov.cn https://*.wsts.ah.gov.cn http://127.0.0.1:8080" {
		t.Fatalf("origins %q, bad %q", got, bad)
	}
	for _, o := range []string{"https://a.cn/path", "https://a.cn; script-src *", "*", "'self'", "ftp://a.cn", "https://a.*.cn"} {
		if _, bad := links.ParseOrigins(o); bad == "" {
			t.Errorf("%q taken", o)
		}
	}
}
