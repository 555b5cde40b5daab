package httpapi

import (
	"embed"
	"net/http"
	"path"
)

// playgroundFiles is the browser playground: plain HTML, CSS and
// JavaScript, embedded, with no build step and no third-party code.
//
//go:embed playground/*
var playgroundFiles embed.FS

// playgroundCSP lets the page load only its own files and call only this
// server.
const playgroundCSP = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
	"img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// handlePlayground serves GET / and GET /playground/{file}.
func (s *server) handlePlayground() http.Handler {
	types := map[string]string{".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := "index.html"
		if r.URL.Path != "/" {
			name = path.Base(r.URL.Path)
		}
		data, err := playgroundFiles.ReadFile("playground/" + name)
		if err != nil {
			s.writeError(w, r, errRouteNotFound)
			return
		}
		h := w.Header()
		h.Set("Content-Type", types[path.Ext(name)])
		h.Set("Content-Security-Policy", playgroundCSP)
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		_, _ = w.Write(data)
	})
}
