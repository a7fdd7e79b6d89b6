// Package overviewapp serves the console's home page (`/console`): the
// office's or the unit's overview of ratings, the review backlog, cases,
// targets and the calendar warning. It reads the domain packages only.
package overviewapp

import "minyi/internal/httpx"

// Handlers serve the overview; internal/server routes to them.
type Handlers struct{ *httpx.App }

// New returns the handlers over app.
func New(app *httpx.App) *Handlers { return &Handlers{App: app} }
