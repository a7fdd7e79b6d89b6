// Package migrations embeds the numbered SQL migrations run by `minyi migrate`.
package migrations

import "embed"

// Files holds the NNNN_name.sql migrations.
//
//go:embed *.sql
var Files embed.FS
