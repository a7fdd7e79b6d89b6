// Package searchapp serves the console-wide search page (搜索,
// /console/search): the records a search box names directly (a rating's
// reference, a 办件编号, a case's number, a phone number for the roles that
// call back) and the first keyword hits of each list (rating messages,
// survey opinions, cases, call-backs), each with a link to the full
// filtered list. The lists themselves take the keyword as their q filter.
package searchapp

import "minyi/internal/httpx"

// Handlers serve the search page; internal/server routes to them.
type Handlers struct{ *httpx.App }

// New returns the handlers over app.
func New(app *httpx.App) *Handlers { return &Handlers{App: app} }
