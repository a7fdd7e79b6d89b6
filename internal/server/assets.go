package server

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"sync"

	"minyi/web"
)

// assetVersions maps each file under web/static to a short hash of its
// content. Pages link a file as /static/<name>?v=<hash> (assetURL), so a
// browser can keep it for a year and a new release's pages fetch the new
// file at once instead of running last hour's script.
var assetVersions = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	root, _ := fs.Sub(web.Static, "static")
	fs.WalkDir(root, ".", func(name string, d fs.DirEntry, err error) error { //nolint:errcheck
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(root, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out[name] = hex.EncodeToString(sum[:5])
		return nil
	})
	return out
})

// assetURL is the address of a static file with its content hash.
func assetURL(name string) string {
	if v := assetVersions()[name]; v != "" {
		return "/static/" + name + "?v=" + v
	}
	return "/static/" + name
}

// staticCacheControl says how long a browser may keep a static file asked
// for with version v: a year when v is this release's hash of it; not at
// all when v is another (during a rolling upgrade an older instance may
// answer for a newer page, and that answer must not be kept under the new
// hash); an hour for a plain address.
func staticCacheControl(name, v string) string {
	switch {
	case v == "":
		return "public, max-age=3600"
	case v == assetVersions()[name]:
		return "public, max-age=31536000, immutable"
	}
	return "no-store"
}
