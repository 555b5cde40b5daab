package httpapi

import (
	"context"
	"errors"
	"net/http"
	"net/netip"

	"github.com/authd/authd/ports"
)

// Deps are what the HTTP handler needs. Auth, Logger and Stopwatch are
// required; the rest are optional.
type Deps struct {
	Auth   ports.AuthService
	Logger ports.Logger
	// Stopwatch measures request durations; the system clock in
	// production, never the dev clock, which an operator may move.
	Stopwatch ports.Clock
	// DevClock, when set, is served at /dev/clock/; when nil that path is
	// 404, as docs/contract.md §2 requires.
	DevClock ports.DevClock
	// DevClockToken, when set, is the bearer secret /dev/clock/ requires
	// (AUTH_DEV_CLOCK_TOKEN); without the right one it answers 401.
	DevClockToken string
	// JWKS is the JWK Set of the public verification keys, served at
	// /.well-known/jwks.json. Nil serves an empty set.
	JWKS []byte
	// TrustedProxies are the peers whose X-Forwarded-For header is believed
	// when finding a request's client IP; empty trusts nobody.
	TrustedProxies []netip.Prefix
	// CORSOrigins are the origins browsers may call authd from; empty
	// sends no CORS headers at all.
	CORSOrigins []string
	// OpenAPI, when set, is served at /openapi.yaml.
	OpenAPI []byte
	// Observer, when set, records every request for metrics, and Metrics
	// serves them at /metrics.
	Observer ports.RequestObserver
	Metrics  http.Handler
	// OAuthClients are the clients of the OAuth 2.0 endpoints; nil means
	// DefaultOAuthClients.
	OAuthClients []OAuthClient
	// Issuer is the iss of authd's tokens, published as the issuer of the
	// authorization server metadata; Algorithm is the signing algorithm.
	Issuer    string
	Algorithm string
	// PublicURL is the base URL clients reach authd at (AUTH_PUBLIC_URL),
	// used in the metadata; empty uses the URL a request came to.
	PublicURL string
	// NoPlayground removes the browser playground: / and /playground/ are
	// 404 (AUTH_PLAYGROUND=false).
	NoPlayground bool
	// SeparateAdmin moves /metrics and /dev/clock/ off the public handler
	// to the one NewAdminHandler returns (AUTH_ADMIN_ADDR); /healthz and
	// /readyz are on both.
	SeparateAdmin bool
	// DPoPAlgorithms are the DPoP proof algorithms accepted
	// (AUTH_DPOP_ALGS), named in DPoP challenges and the metadata; empty
	// means ES256 and EdDSA.
	DPoPAlgorithms []string
	// Ready reports whether the stores answer, for /readyz. Nil means
	// always ready.
	Ready func(ctx context.Context) error
}

// NewHandler returns the http.Handler of the whole API.
func NewHandler(d Deps) (http.Handler, error) {
	if d.Auth == nil || d.Logger == nil || d.Stopwatch == nil {
		return nil, errors.New("httpapi: Auth, Logger and Stopwatch are required")
	}
	return routes(d), nil
}

// NewAdminHandler returns the handler of the admin listener: /metrics,
// /dev/clock/ when there is a dev clock, /healthz and /readyz. It is meant
// for an address only operators reach, next to a public handler built with
// SeparateAdmin.
func NewAdminHandler(d Deps) (http.Handler, error) {
	if d.Logger == nil || d.Stopwatch == nil {
		return nil, errors.New("httpapi: Logger and Stopwatch are required")
	}
	return adminRoutes(d), nil
}
