// Package auditapp serves the office's audit log page (操作日志,
// `/console/audit`) over the entries internal/audit records.
package auditapp

import "minyi/internal/httpx"

// Handlers serve the audit log's routes; internal/server routes to them.
type Handlers struct{ *httpx.App }

// New returns the handlers over app.
func New(app *httpx.App) *Handlers { return &Handlers{App: app} }
