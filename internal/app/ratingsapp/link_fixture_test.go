package ratingsapp_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"minyi/internal/links"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// linkWorld is a server with an office signed in to the console, a unit
// with the item SX-1 and an online integration with one key.
type linkWorld struct {
	*fixtures.APIWorld
	Console     *apptest.Client
	Integration string // the integration's console page
	KeyID       string
	Secret      string
}

var (
	kidRE    = regexp.MustCompile(`id="new-kid">([^<]+)<`)
	secretRE = regexp.MustCompile(`id="new-secret" class="wrap">([^<]+)<`)
)

func newLinkWorld(t *testing.T, pf, origins string) *linkWorld {
	t.Helper()
	w := &linkWorld{APIWorld: fixtures.NewAPIWorld(t, apptest.Options{})}
	w.Console = apptest.SignedIn(t, w.App, "office1", "office-pass-1")
	if _, err := w.App.Pool.Exec(context.Background(), `INSERT INTO service_items (unit_id, code, name, online)
		VALUES ($1, 'SX-1', '企业设立登记', true)`, w.A.ID); err != nil {
		t.Fatal(err)
	}
	p := apptest.Post(t, w.Console, "/console/rating-links", url.Values{"name": {"省政务服务网"}, "pf": {pf},
		"origins": {origins}, "enabled": {"1"}})
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/console/rating-links/") {
		t.Fatalf("add integration: %d %s %.400s", p.Status, p.Location, p.Body)
	}
	w.Integration, _, _ = strings.Cut(p.Location, "?")
	w.KeyID, w.Secret = w.newKey(t)
	return w
}

// newKey makes a key on the integration's page and reads it off the page.
func (w *linkWorld) newKey(t *testing.T) (string, string) {
	t.Helper()
	p := apptest.Post(t, w.Console, w.Integration+"/keys", url.Values{})
	k, s := kidRE.FindStringSubmatch(p.Body), secretRE.FindStringSubmatch(p.Body)
	if p.Status != http.StatusOK || k == nil || s == nil {
		t.Fatalf("new key: %d %.500s", p.Status, p.Body)
	}
	return k[1], s[1]
}

// link is a link to rate unit A's case at the stage, signed with the
// world's key, valid for an hour.
func (w *linkWorld) link(caseNo, stage string) string {
	return w.signed(links.Link{Unit: apptest.Itoa(w.A.ID), Case: caseNo, Item: "SX-1", Stage: stage,
		Expires: time.Now().Add(time.Hour), KeyID: w.KeyID}, w.Secret)
}

// signed is the path and query of l signed with secret.
func (w *linkWorld) signed(l links.Link, secret string) string {
	return l.URL("", secret)
}

// open sends a request to the link (path and query), the form
// url-encoded when not nil, and returns the response.
func open(t *testing.T, c *apptest.Client, method, path string, form url.Values) (apptest.Page, string) {
	t.Helper()
	p := apptest.DoPage(t, c, method, path, form)
	return p, p.Body
}
