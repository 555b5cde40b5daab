package httpapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"time"

	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
)

// handleHealth serves GET /healthz: 200 while the process serves.
func handleHealth() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

// handleReady serves GET /readyz: 200 when the stores answer, else 503.
func handleReady(ready func(context.Context) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ready != nil {
			if err := ready(r.Context()); err != nil {
				writeError(w, r, fmt.Errorf("readiness: %w: %w", domain.ErrUnavailable, err))
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

type devClockState struct {
	Now    string `json:"now"`
	Frozen bool   `json:"frozen"`
}

func writeDevClock(w http.ResponseWriter, c ports.DevClock) {
	writeJSON(w, http.StatusOK, devClockState{Now: c.Now().Format(time.RFC3339Nano), Frozen: c.Frozen()})
}

// handleDevClockGet serves GET /dev/clock/: the server clock's time.
func handleDevClockGet(c ports.DevClock) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeDevClock(w, c) })
}

// handleDevClockPost serves POST /dev/clock/ with exactly one of
// {"set": "<RFC3339Nano>"}, {"advance": "60s"} or {"release": true}.
func handleDevClockPost(c ports.DevClock) http.Handler {
	type request struct {
		Set     *string `json:"set"`
		Advance *string `json:"advance"`
		Release bool    `json:"release"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req request
		if err := decode(w, r, &req); err != nil {
			writeError(w, r, err)
			return
		}
		n := 0
		for _, given := range []bool{req.Set != nil, req.Advance != nil, req.Release} {
			if given {
				n++
			}
		}
		if n != 1 {
			writeError(w, r, &domain.RequestError{Reason: `give exactly one of "set", "advance" and "release"`})
			return
		}
		switch {
		case req.Set != nil:
			t, err := time.Parse(time.RFC3339Nano, *req.Set)
			if err != nil {
				writeError(w, r, &domain.RequestError{Reason: "set must be an RFC 3339 time"})
				return
			}
			c.Set(t)
		case req.Advance != nil:
			d, err := time.ParseDuration(*req.Advance)
			if err == nil {
				err = c.Advance(d)
			}
			if err != nil {
				writeError(w, r, &domain.RequestError{Reason: "advance must be a non-negative Go duration such as 60s"})
				return
			}
		default:
			c.Release()
		}
		writeDevClock(w, c)
	})
}

// requireSecret lets a request through to next only with
// "Authorization: Bearer <secret>", compared in constant time; an empty
// secret lets every request through. A missing secret is token_missing, a
// wrong one invalid_token, both 401.
func requireSecret(secret string, next http.Handler) http.Handler {
	if secret == "" {
		return next
	}
	want := sha256.Sum256([]byte(secret))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, err := bearerToken(r)
		switch {
		case err != nil:
		case token == "":
			err = domain.ErrTokenMissing
		default:
			got := sha256.Sum256([]byte(token))
			if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
				err = domain.InvalidToken("not the dev clock token")
			}
		}
		if err != nil {
			writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}
