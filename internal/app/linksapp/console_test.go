package linksapp_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

var newKidRE = regexp.MustCompile(`id="new-kid">([^<]+)<`)

func TestConsoleIntegrationsAndKeys(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	office := apptest.SignedIn(t, w.App, "office1", "office-pass-1")
	unit := apptest.SignedIn(t, w.App, "unit-a", "unit-pass-1")

	p := apptest.Post(t, office, "/console/rating-links", url.Values{"name": {""}, "pf": {"3"},
		"origins": {"https://ok.example.gov.cn\nhttps://bad.example.gov.cn/path; script-src *"}, "enabled": {"1"}})
	if p.Status != http.StatusUnprocessableEntity || !apptest.HasText(p, "请填写渠道名称") || !apptest.HasText(p, "请选择渠道类型") ||
		!apptest.HasText(p, "不是有效的网站来源") {
		t.Fatalf("bad integration: %d %.500s", p.Status, apptest.PageText(p.Body))
	}
	p = apptest.Post(t, office, "/console/rating-links", url.Values{"name": {"皖事通"}, "pf": {"2"},
		"origins": {"https://app.example.gov.cn/, https://app.example.gov.cn"}, "enabled": {"1"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("add: %d %.300s", p.Status, p.Body)
	}
	page, _, _ := strings.Cut(p.Location, "?")
	if p = apptest.Post(t, office, "/console/rating-links", url.Values{"name": {"皖事通"}, "pf": {"1"}, "enabled": {"1"}}); p.Status != http.StatusUnprocessableEntity ||
		!apptest.HasText(p, "已有同名的评价渠道") {
		t.Errorf("same name: %d", p.Status)
	}

	p = apptest.Post(t, office, page+"/keys", url.Values{})
	m := newKidRE.FindStringSubmatch(p.Body)
	if p.Status != http.StatusOK || m == nil || !apptest.HasText(p, "密钥只显示这一次") {
		t.Fatalf("new key: %d %.300s", p.Status, p.Body)
	}
	kid := m[1]
	// The secret is shown once: the page never shows it again, and the
	// database keeps it sealed.
	secret := regexp.MustCompile(`id="new-secret" class="wrap">([^<]+)<`).FindStringSubmatch(p.Body)[1]
	if p = apptest.Get(t, office, page); p.Status != http.StatusOK || strings.Contains(p.Body, secret) || !strings.Contains(p.Body, kid) ||
		!apptest.HasText(p, "https://app.example.gov.cn") {
		t.Fatalf("page after the key: %d", p.Status)
	}
	var enc []byte
	if err := w.App.Pool.QueryRow(context.Background(), `SELECT secret_enc FROM rating_link_keys WHERE key_id = $1`, kid).Scan(&enc); err != nil ||
		strings.Contains(string(enc), secret) {
		t.Fatalf("stored secret %q (%v)", enc, err)
	}
	if got, err := w.App.Keys.Decrypt(enc); err != nil || got != secret {
		t.Fatalf("sealed secret opens to %q (%v)", got, err)
	}

	if p = apptest.Post(t, office, page+"/keys/"+kid+"/revoke", url.Values{}); p.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", p.Status)
	}
	if p = apptest.Post(t, office, page+"/keys/lknothere/revoke", url.Values{}); p.Status != http.StatusNotFound {
		t.Errorf("revoke an unknown key: %d", p.Status)
	}
	if p = apptest.Get(t, office, page); !apptest.HasText(p, "已吊销") {
		t.Errorf("revoked key not shown as such")
	}
	// A unit's user may not see the integrations.
	if p = apptest.Get(t, unit, "/console/rating-links"); p.Status != http.StatusForbidden {
		t.Errorf("unit user: %d", p.Status)
	}
	// Every change is audited, with the key id and never the secret.
	var n int
	var secrets int
	if err := w.App.Pool.QueryRow(context.Background(), `SELECT count(*), count(*) FILTER (WHERE after::text LIKE '%' || $1 || '%')
		FROM audit_log WHERE entity = 'link_integration'`, secret).Scan(&n, &secrets); err != nil || n != 3 || secrets != 0 {
		t.Fatalf("audit entries %d, with the secret %d (%v)", n, secrets, err)
	}
	if p = apptest.Get(t, office, "/console/audit"); !apptest.HasText(p, "生成评价链接签名密钥") || !apptest.HasText(p, "吊销评价链接签名密钥") {
		t.Errorf("audit log does not name the key actions")
	}
}
