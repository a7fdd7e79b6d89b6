// Package web embeds Minyi's HTML templates and static files.
package web

import "embed"

// Templates holds the html/template files.
//
//go:embed templates
var Templates embed.FS

// Static holds the files served under /static/.
//
//go:embed static
var Static embed.FS
