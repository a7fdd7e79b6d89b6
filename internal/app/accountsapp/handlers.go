// Package accountsapp serves staff sign-in over HTTP: the console's sign-in
// page and sign-out, the API's session (`/api/v1/session`), and the
// protections in front of both (the per-address limit and the per-account
// back-off of internal/users).
package accountsapp

import "minyi/internal/httpx"

// Handlers serve the sign-in routes; internal/server routes to them.
type Handlers struct{ *httpx.App }

// New returns the handlers over app.
func New(app *httpx.App) *Handlers { return &Handlers{App: app} }
