package server

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/web"
)

// inlineScript finds the inline scripts of a template: a <script> tag
// without attributes and its text.
var inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// scriptHashes returns the CSP source of every inline script in the
// templates ('sha256-…'), sorted. An inline script must be the same text
// on every page it appears on, so its hash can be allowed once: it may not
// contain a template action (data it needs comes from attributes of the
// page's elements), and an attribute on the tag, a src or a nonce, is not
// how scripts get in here — console behaviour lives in /static/console.js
// (linked as {{asset "console.js"}}). A chart's option is a JSON data block
// (<script type="application/json" id=…>, partials/chart.html): never run,
// so the policy does not concern it, and html/template escapes its data.
func scriptHashes() ([]string, error) {
	seen := map[string]bool{}
	err := fs.WalkDir(web.Templates, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".html" {
			return err
		}
		b, err := fs.ReadFile(web.Templates, p)
		if err != nil {
			return err
		}
		if n := strings.Count(string(b), "<script"); n != len(inlineScript.FindAll(b, -1))+strings.Count(string(b), `<script src="/static/`)+
			strings.Count(string(b), `<script src="{{asset "`)+strings.Count(string(b), `<script type="application/json" id=`) {
			return fmt.Errorf("%s: a <script> tag with attributes other than a /static/ src or a JSON data block; inline scripts are plain <script> tags", p)
		}
		for _, m := range inlineScript.FindAllSubmatch(b, -1) {
			if strings.Contains(string(m[1]), "{{") {
				return fmt.Errorf("%s: an inline script contains a template action; pass data through element attributes so the script's hash is fixed", p)
			}
			sum := sha256.Sum256(m[1])
			seen["'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'"] = true
		}
		return nil
	})
	out := make([]string, 0, len(seen))
	for h := range seen {
		out = append(out, h)
	}
	sort.Strings(out)
	return out, err
}

// contentSecurityPolicy is the policy of every response: scripts only from
// this site's /static/ files and the templates' own inline scripts (by
// hash, never 'unsafe-inline'); styles from this site and inline (the
// pages carry small style blocks and width attributes of bars); no plugin,
// no framing, no base element, and forms post only back to this site.
func contentSecurityPolicy(hashes []string) string {
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self' " + strings.Join(hashes, " "),
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' data:",
		"connect-src 'self'",
		"form-action 'self'",
		"frame-ancestors 'none'",
		"base-uri 'none'",
		"object-src 'none'",
	}, "; ")
}

// securityHeaders sets the browser-side protections on every response:
// the content security policy, no framing (the console's buttons cannot
// be clicked through another site's frame), no content sniffing, a
// referrer policy that sends no path to other sites, and HSTS when the
// public address is https.
func (s *Server) securityHeaders() (gin.HandlerFunc, error) {
	hashes, err := scriptHashes()
	if err != nil {
		return nil, err
	}
	csp := contentSecurityPolicy(hashes)
	hsts := strings.HasPrefix(s.Config.PublicBaseURL, "https://")
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if hsts {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		c.Next()
	}, nil
}

// staticFiles serves web/static: files only, never a directory listing.
func (s *Server) staticFiles() gin.HandlerFunc {
	root, _ := fs.Sub(web.Static, "static")
	files := http.FileServer(http.FS(root))
	return func(c *gin.Context) {
		name := strings.TrimPrefix(c.Param("filepath"), "/")
		if st, err := fs.Stat(root, name); name == "" || err != nil || st.IsDir() {
			s.ErrorPage(c, http.StatusNotFound, "页面不存在", "您访问的页面不存在。")
			return
		}
		c.Header("Cache-Control", staticCacheControl(name, c.Query("v")))
		c.Request.URL.Path = "/" + name
		files.ServeHTTP(c.Writer, c.Request)
	}
}
