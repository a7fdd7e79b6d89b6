// Package scoresapp serves the public evaluation scores (公众评价得分) of a
// cycle over HTTP: the API (`/api/v1/cycles/:id/scores…`), the console's
// ranking and explanation pages (`/console/cycles/:id/scores…`) and the
// .xlsx export. Every staff user may read them, a unit-role user only as
// scores.Report.ForUnit allows. The scores themselves are internal/scores.
package scoresapp

import "minyi/internal/httpx"

// Handlers serve the scores' routes; internal/server routes to them.
type Handlers struct{ *httpx.App }

// New returns the handlers over app.
func New(app *httpx.App) *Handlers { return &Handlers{App: app} }
