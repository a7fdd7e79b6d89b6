package server_test

import (
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"minyi/internal/agencies"
	"minyi/internal/testutil/apptest"
	"minyi/internal/units"
)

var (
	// hidden are the parts of a page no reader sees as text.
	hidden = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<textarea.*?</textarea>|<[^>]*>`)
	// codeWord is a word of Latin letters, digits and _ or - (with at least
	// one lower-case letter), as codes and library names are written.
	codeWord = regexp.MustCompile(`[A-Za-z][A-Za-z0-9_\-.]*[a-z][A-Za-z0-9_\-.]*`)
	// token is a generated code (a QR code, a respondent's link): digits or
	// capitals after the first letter. Staff see them on purpose.
	token = regexp.MustCompile(`^.[^A-Z0-9]*[A-Z0-9]`)
	// link is a URL shown to be copied (an API endpoint, a QR code's link).
	link = regexp.MustCompile(`https?://[^\s<"]+`)
)

// pagesLeft are the pages whose Latin words are other issues' work.
var pagesLeft = map[string]string{
	"GET /console/cycles/:id/scheme": "the scheme as a JSON tree with its codes: the scheme editor (issue 13, part 4) replaces it",
}

// wordsAllowed are the Latin words staff see on purpose: file formats,
// the names of products they use, and the demo's user names.
var wordsAllowed = map[string]bool{
	"office": true, "unit-hrss": true, "leader": true, "Excel": true, "WPS": true, "WeChat": true,
	"console.css": true, "json": true, "xlsx": true, "csv": true, "png": true, "pdf": true, "jpg": true, "jpeg": true,
	// The sign-in sessions list each browser as it names itself.
	"Go-http-client": true,
}

// TestConsolePagesSpeakChinese walks every console page (GET) as the
// office, a unit and a leader over the demo and the walk's fixtures, and
// fails on any Latin word that reads like a code, an English status or a
// library name (issue 13: "sent", "service_users", "lunar-go v1.4.6").
// Generated codes and links, account names and file formats are shown on
// purpose; pagesLeft are other issues' work.
func TestConsolePagesSpeakChinese(t *testing.T) {
	w := newGoldenWorld(t)
	found := map[string][]string{}
	for _, e := range goldenTable(t) {
		if e.method() != http.MethodGet || e.ghost || !strings.HasPrefix(e.route, "GET /console") || pagesLeft[e.route] != "" {
			continue
		}
		path := w.fill(t, e)
		for name, c := range map[string]*apptest.Client{"office": w.office, "unit": w.unit, "leader": w.leader} {
			res, err := c.C.Get(w.app.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
				continue
			}
			text := link.ReplaceAllString(hidden.ReplaceAllString(string(body), " "), " ")
			for _, word := range codeWord.FindAllString(text, -1) {
				word = strings.TrimRight(word, ".-")
				// A terminal's or an agency's token hint (mt_ or ma_ and
				// four random letters) may happen to be all lower case.
				generated := token.MatchString(word) || strings.HasPrefix(word, units.TokenPrefix) ||
					strings.HasPrefix(word, agencies.TokenPrefix)
				if !wordsAllowed[word] && !generated && !strings.HasPrefix(word, "unit-") {
					found[word] = append(found[word], name+" "+path)
				}
			}
		}
	}
	var words []string
	for w := range found {
		words = append(words, w)
	}
	sort.Strings(words)
	for _, word := range words {
		where := found[word]
		if len(where) > 3 {
			where = append(where[:3], "…")
		}
		t.Errorf("%q shown on %s", word, strings.Join(where, ", "))
	}
}

// postForm finds a form that writes, other than signing out.
var postForm = regexp.MustCompile(`<form[^>]*method="post"[^>]*action="([^"]*)"`)

// TestLeaderReadsWithoutForms: a leader opens the cases, a case, the
// results (published only), a unit's result and the appeals, and is
// offered no form that would change anything (each would answer 403).
func TestLeaderReadsWithoutForms(t *testing.T) {
	w := newGoldenWorld(t)
	for _, path := range []string{"/console/cases", "/console/cases/" + w.p["case"], "/console/cycles/" + w.p["cycle"] + "/results",
		"/console/cycles/" + w.p["cycle"] + "/results/" + w.p["unit"], "/console/feedback/appeals", "/console"} {
		p := apptest.Get(t, w.leader, path)
		if p.Status != http.StatusOK {
			t.Errorf("%s: %d", path, p.Status)
			continue
		}
		for _, m := range postForm.FindAllStringSubmatch(p.Body, -1) {
			if m[1] != "/logout" {
				t.Errorf("%s offers the leader a form to %s", path, m[1])
			}
		}
	}
	p := apptest.Get(t, w.leader, "/console/cycles/"+w.p["cycle"]+"/results")
	if !apptest.HasText(p, "已公布的结果") || p.Has("按当前数据计算（未公布）") {
		t.Error("the leader's results are not the published ones")
	}
	// The fixtures' unit applied for review: the leader reads it, answered.
	if apptest.HasText(p, "暂无复核申请") || !apptest.HasText(p, "工作实绩得分漏计一项表彰") {
		t.Error("the leader does not see the applications for review")
	}
}

// TestPortalLinksWhatIsPublished: with final results and approved targets
// (the walk's fixtures), the public's front page links to both.
func TestPortalLinksWhatIsPublished(t *testing.T) {
	w := newGoldenWorld(t)
	p := apptest.Get(t, w.app.Client(), "/")
	for _, want := range []string{`href="/results/` + w.p["cycle"] + `"`, `href="/targets/` + w.p["cycle"] + `"`, `href="/cases"`} {
		if p.Status != http.StatusOK || !p.Has(want) {
			t.Errorf("the portal (%d) lacks %s", p.Status, want)
		}
	}
}
