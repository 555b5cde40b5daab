// Package playground holds the browser playground's files: plain HTML, CSS
// and JavaScript, embedded, with no build step and no third-party code.
// The composition root hands Files to adapters/httpapi (Deps.Playground),
// which serves them at / and /playground/{file}. A team that does not want
// the playground deletes this directory and cmd/internal/authd/playground.go,
// nothing else (docs/template.md §6).
package playground

import "embed"

// Files are the playground's page, script and style sheet, at the top of
// the file system (index.html, app.js, style.css).
//
//go:embed *.html *.js *.css
var Files embed.FS
