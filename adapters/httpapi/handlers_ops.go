package httpapi

import (
	"context"
	"fmt"
	"net/http"

	"github.com/authd/authd/domain"
)

// handleHealth serves GET /healthz: 200 while the process serves.
func handleHealth() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

// handleReady serves GET /readyz: 200 when ready (Deps.Ready, which asks
// the stores) returns nil or is nil, else 503.
func (s *server) handleReady(ready func(context.Context) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ready != nil {
			if err := ready(r.Context()); err != nil {
				s.writeError(w, r, fmt.Errorf("readiness: %w: %w", domain.ErrUnavailable, err))
				return
			}
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
}

// handleJWKS serves GET /.well-known/jwks.json: the public keys other
// services verify access tokens with (RFC 7517), cacheable for five minutes,
// which is also how long a retired key should stay published.
func handleJWKS(jwks []byte) http.Handler {
	if jwks == nil {
		jwks = []byte(`{"keys":[]}`)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(jwks)
	})
}

// handleDocument serves a fixed document, such as the OpenAPI description.
func handleDocument(contentType string, body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write(body)
	})
}
