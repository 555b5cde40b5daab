package httpapi

import (
	"io/fs"
	"net/http"
	"path"
)

// playgroundCSP lets the page load only its own files and call only this
// server.
const playgroundCSP = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
	"img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// handlePlayground serves GET / (files' index.html) and GET
// /playground/{file} from the playground's files (Deps.Playground); a name
// files lacks is 404.
func (s *server) handlePlayground(files fs.FS) http.Handler {
	types := map[string]string{".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := "index.html"
		if r.URL.Path != "/" {
			name = path.Base(r.URL.Path)
		}
		data, err := fs.ReadFile(files, name)
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
