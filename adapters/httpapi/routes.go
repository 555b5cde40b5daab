package httpapi

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/cors"
)

// routes lists the whole API in one place. Every path is served with and
// without its trailing slash, without a redirect, as the seed's clients
// expect.
func routes(d Deps, verify *forwardAuth) http.Handler {
	r, both := newRouter(d)
	r.Use(clientIPs(d.TrustedProxies), withDPoP(d))
	if len(d.CORSOrigins) > 0 {
		r.Use(corsFor(d.CORSOrigins))
	}
	both(http.MethodPost, "/login", handleLogin(d.Auth))
	both(http.MethodPost, "/refresh", handleRefresh(d.Auth))
	both(http.MethodGet, "/protected", handleProtected(d.Auth))
	both(http.MethodGet, "/unprotected", handleUnprotected())
	both(http.MethodPost, "/logout", handleLogout(d.Auth))
	both(http.MethodGet, "/sessions", handleSessions(d.Auth))
	both(http.MethodDelete, "/sessions/{id}", handleDeleteSession(d.Auth))
	clients := newOAuthClients(d.OAuthClients)
	both(http.MethodPost, "/oauth/token", handleOAuthToken(d.Auth, clients))
	both(http.MethodPost, "/oauth/revoke", handleOAuthRevoke(d.Auth, clients))
	both(http.MethodPost, "/oauth/introspect", handleOAuthIntrospect(d.Auth, clients))
	r.Method(http.MethodGet, "/.well-known/oauth-authorization-server", handleMetadata(d.Issuer, d.PublicURL, d.Algorithm, d.DPoPAlgorithms))
	check := handleVerify(d.Auth, verify)
	r.Handle("/auth/verify", check) // every method, and every path below it (Envoy ext_authz appends the original path)
	r.Handle("/auth/verify/*", check)
	if !d.NoPlayground {
		r.Method(http.MethodGet, "/", handlePlayground())
		r.Method(http.MethodGet, "/playground/{file}", handlePlayground())
	}
	r.Method(http.MethodGet, "/.well-known/jwks.json", handleJWKS(d.JWKS))
	if d.OpenAPI != nil {
		r.Method(http.MethodGet, "/openapi.yaml", handleDocument("application/yaml", d.OpenAPI))
	}
	operations(d, r, both, !d.SeparateAdmin)
	return r
}

// adminRoutes lists the admin listener's API.
func adminRoutes(d Deps) http.Handler {
	r, both := newRouter(d)
	operations(d, r, both, true)
	return r
}

// newRouter returns a router with the middleware every listener shares,
// and the helper that serves a path with and without its trailing slash.
func newRouter(d Deps) (*chi.Mux, func(method, path string, h http.Handler)) {
	r := chi.NewRouter()
	// GetHead answers HEAD on every GET route like GET, without the body
	// (RFC 9110 §9.3.2); net/http drops the body of a HEAD response.
	r.Use(requestIDs, middleware.RequestID, accessLog(d.Logger, d.Stopwatch, d.Observer), recoverer(d.Logger), secureHeaders, middleware.GetHead)
	r.NotFound(func(w http.ResponseWriter, req *http.Request) { writeError(w, req, errRouteNotFound) })
	r.MethodNotAllowed(methodNotAllowed(r))
	both := func(method, path string, h http.Handler) {
		r.Method(method, path, h)
		r.Method(method, path+"/", h)
	}
	return r, both
}

// operations adds the health checks, and with admin the operators' own
// endpoints: metrics and the development clock.
func operations(d Deps, r *chi.Mux, both func(method, path string, h http.Handler), admin bool) {
	both(http.MethodGet, "/healthz", handleHealth())
	both(http.MethodGet, "/readyz", handleReady(d.Ready))
	if !admin {
		return
	}
	if d.Metrics != nil {
		r.Method(http.MethodGet, "/metrics", d.Metrics)
	}
	if d.DevClock != nil {
		both(http.MethodGet, "/dev/clock", guardDevClock(d.DevClockToken, handleDevClockGet(d.DevClock)))
		both(http.MethodPost, "/dev/clock", guardDevClock(d.DevClockToken, handleDevClockPost(d.DevClock)))
	}
}

// methodNotAllowed answers 405 with the Allow header listing the methods the
// path does serve; OPTIONS, which no route lists, gets 204 with the same
// Allow (RFC 9110 §9.3.7), unless CORS answered it first as a preflight.
func methodNotAllowed(r chi.Routes) http.HandlerFunc {
	methods := []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}
	return func(w http.ResponseWriter, req *http.Request) {
		var allow []string
		for _, m := range methods {
			if r.Match(chi.NewRouteContext(), m, req.URL.Path) {
				allow = append(allow, m)
				if m == http.MethodGet {
					allow = append(allow, http.MethodHead)
				}
			}
		}
		allow = append(allow, http.MethodOptions)
		w.Header().Set("Allow", strings.Join(allow, ", "))
		if req.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeError(w, req, errMethodNotAllowed)
	}
}

// corsFor lets browsers on the origins call authd (github.com/go-chi/cors).
// A preflight is answered by this middleware before any route, so it is
// never a 401; credentials travel in the Authorization header, never in
// cookies, so AllowCredentials stays off.
func corsFor(origins []string) func(http.Handler) http.Handler {
	return cors.Handler(cors.Options{
		AllowedOrigins: origins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodDelete},
		AllowedHeaders: []string{"Authorization", "Content-Type", "Accept-Language", "DPoP"},
		ExposedHeaders: []string{"WWW-Authenticate", "Retry-After", "X-Request-Id", "DPoP-Nonce"},
		MaxAge:         600,
	})
}
