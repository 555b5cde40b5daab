package httpapi

import (
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/cors"
)

// routes lists the whole API in one place. Every path is served with and
// without its trailing slash, without a redirect, as the seed's clients
// expect. What only one handler needs (the JWKS, the documents, the clock)
// comes from d here; what several share is on s.
func (s *server) routes(d Deps) http.Handler {
	r, both := s.newRouter()
	r.Use(clientIPs(d.TrustedProxies), requestFacts, s.offerNonce)
	if len(d.CORSOrigins) > 0 {
		r.Use(corsFor(d.CORSOrigins))
	}
	both(http.MethodPost, "/login", s.handleLogin())
	both(http.MethodPost, "/refresh", s.handleRefresh())
	both(http.MethodGet, "/protected", s.handleProtected())
	both(http.MethodGet, "/unprotected", handleUnprotected())
	both(http.MethodPost, "/logout", s.handleLogout())
	both(http.MethodGet, "/sessions", s.handleSessions())
	both(http.MethodDelete, "/sessions/{id}", s.handleDeleteSession())
	if d.Accounts != nil {
		if d.SignUp {
			both(http.MethodPost, "/signup", s.handleSignUp(d.Accounts))
		}
		both(http.MethodPost, "/password", s.handlePassword(d.Accounts))
	}
	both(http.MethodPost, "/oauth/token", s.handleOAuthToken())
	both(http.MethodPost, "/oauth/revoke", s.handleOAuthRevoke())
	both(http.MethodPost, "/oauth/introspect", s.handleOAuthIntrospect())
	meta := handleMetadata(s.metadataOf(d))
	r.Method(http.MethodGet, "/.well-known/oauth-authorization-server", meta)
	if s.signIn != nil {
		r.Method(http.MethodGet, "/.well-known/openid-configuration", meta)
		for _, m := range []string{http.MethodGet, http.MethodPost} {
			both(m, "/oauth/authorize", s.handleAuthorize())
			both(m, "/userinfo", s.handleUserInfo())
			both(m, "/oauth/logout", s.handleEndSession())
		}
		both(http.MethodPost, "/oauth/login", s.handleLoginPost())
	}
	verify := s.handleVerify()
	r.Handle("/auth/verify", verify) // every method, and every path below it (Envoy ext_authz appends the original path)
	r.Handle("/auth/verify/*", verify)
	if d.Playground != nil {
		r.Method(http.MethodGet, "/", s.handlePlayground(d.Playground))
		r.Method(http.MethodGet, "/playground/{file}", s.handlePlayground(d.Playground))
	}
	r.Method(http.MethodGet, "/.well-known/jwks.json", handleJWKS(d.JWKS))
	if d.OpenAPI != nil {
		r.Method(http.MethodGet, "/openapi.yaml", handleDocument("application/yaml", d.OpenAPI))
	}
	s.operations(d, r, both, !d.SeparateAdmin)
	return r
}

// adminRoutes lists the admin listener's API.
func (s *server) adminRoutes(d Deps) http.Handler {
	r, both := s.newRouter()
	r.Use(requestFacts)
	s.operations(d, r, both, true)
	if d.Admin != nil && d.AdminToken != "" {
		s.adminUsers(d.Admin, d.AdminToken, both)
	}
	return r
}

// newRouter returns a router with the middleware every listener shares,
// and the helper that serves a path with and without its trailing slash.
func (s *server) newRouter() (*chi.Mux, func(method, path string, h http.Handler)) {
	r := chi.NewRouter()
	// GetHead answers HEAD on every GET route like GET, without the body
	// (RFC 9110 §9.3.2); net/http drops the body of a HEAD response.
	r.Use(requestIDs, middleware.RequestID, accessLog(s.log, s.stopwatch, s.observer), s.recoverer, secureHeaders, middleware.GetHead)
	r.NotFound(func(w http.ResponseWriter, req *http.Request) { s.writeError(w, req, errRouteNotFound) })
	r.MethodNotAllowed(s.methodNotAllowed(r))
	both := func(method, path string, h http.Handler) {
		r.Method(method, path, h)
		r.Method(method, path+"/", h)
	}
	return r, both
}

// operations adds the health checks, and with admin the operators' own
// endpoints: metrics and the development clock.
func (s *server) operations(d Deps, r *chi.Mux, both func(method, path string, h http.Handler), admin bool) {
	both(http.MethodGet, "/healthz", handleHealth())
	both(http.MethodGet, "/readyz", s.handleReady(d.Ready))
	if !admin {
		return
	}
	if d.Metrics != nil {
		r.Method(http.MethodGet, "/metrics", d.Metrics)
	}
	if d.DevClock != nil {
		both(http.MethodGet, "/dev/clock", s.guardDevClock(d.DevClockToken, handleDevClockGet(d.DevClock)))
		both(http.MethodPost, "/dev/clock", s.guardDevClock(d.DevClockToken, s.handleDevClockPost(d.DevClock)))
	}
}

// methodNotAllowed answers 405 with the Allow header listing the methods the
// path does serve; OPTIONS, which no route lists, gets 204 with the same
// Allow (RFC 9110 §9.3.7), unless CORS answered it first as a preflight.
func (s *server) methodNotAllowed(r chi.Routes) http.HandlerFunc {
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
		s.writeError(w, req, errMethodNotAllowed)
	}
}

// corsFor lets browsers on the origins call authd (github.com/go-chi/cors).
// A preflight is answered by this middleware before any route, so it is
// never a 401. A request from one of the exact origins (all but "*") is
// answered with Access-Control-Allow-Credentials: true and its own origin,
// so a page there may send and receive the cookie transport's cookies;
// any other, "*" included, never gets a credentials grant (a browser
// would refuse one beside "*" anyway).
func corsFor(origins []string) func(http.Handler) http.Handler {
	options := func(origins []string, credentials bool) cors.Options {
		return cors.Options{
			AllowedOrigins:   origins,
			AllowedMethods:   []string{http.MethodGet, http.MethodPost, http.MethodDelete},
			AllowedHeaders:   []string{"Authorization", "Content-Type", "Accept-Language", "DPoP", CSRFHeader},
			ExposedHeaders:   []string{"WWW-Authenticate", "Retry-After", "X-Request-Id", "DPoP-Nonce"},
			AllowCredentials: credentials,
			MaxAge:           600,
		}
	}
	exact := make(map[string]bool) // as ParseOrigin writes them, so case and default ports do not matter
	for _, o := range origins {
		if parsed, err := ParseOrigin(o); err == nil {
			exact[parsed] = true
		}
	}
	return func(next http.Handler) http.Handler {
		credentialed := cors.Handler(options(slices.Collect(maps.Keys(exact)), true))(next)
		plain := cors.Handler(options(origins, false))(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if o, err := ParseOrigin(r.Header.Get("Origin")); err == nil && exact[o] {
				credentialed.ServeHTTP(w, r)
				return
			}
			plain.ServeHTTP(w, r)
		})
	}
}
