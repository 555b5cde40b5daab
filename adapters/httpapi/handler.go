package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

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
	// TrustedProxies are the peers whose word about the request they forward
	// is believed: X-Forwarded-For for the client IP, and the headers of
	// VerifyHeaders at /auth/verify; empty trusts nobody.
	TrustedProxies []netip.Prefix
	// CORSOrigins are the origins browsers may call authd from; empty
	// sends no CORS headers at all. The exact ones (all but "*") may send
	// cookies (Access-Control-Allow-Credentials) and pass the CSRF
	// check's origin test.
	CORSOrigins []string
	// Cookies makes the cookie transport the default (AUTH_COOKIES): token
	// answers put the refresh token in an HttpOnly cookie unless the
	// request's body says "cookie": false.
	Cookies bool
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
	// PublicURL is this server's public URL, required: the base of the
	// metadata's endpoint URLs and of the htu every DPoP proof must name.
	// The composition root decides it once at start (AUTH_PUBLIC_URL, else
	// the address the listener got); no request's Host changes it.
	PublicURL string
	// VerifyHeaders is the family of headers a trusted gateway describes
	// its client's request in at /auth/verify (AUTH_VERIFY_HEADERS): one of
	// VerifyHeaderFamilies; empty means VerifyNginx.
	VerifyHeaders string
	// VerifyOrigins are the origins a DPoP proof at /auth/verify may name
	// (AUTH_VERIFY_ORIGINS); a forwarded host only selects among them.
	// Empty means the origin of PublicURL.
	VerifyOrigins []string
	// Playground are the browser playground's files
	// (adapters/httpapi/playground.Files), served at / and
	// /playground/{file}; nil serves none: / and /playground/ are 404
	// (AUTH_PLAYGROUND=false, or the playground deleted).
	Playground fs.FS
	// SeparateAdmin moves /metrics and /dev/clock/ off the public handler
	// to the one NewAdminHandler returns (AUTH_ADMIN_ADDR); /healthz and
	// /readyz are on both.
	SeparateAdmin bool
	// DPoPAlgorithms are the DPoP proof algorithms accepted
	// (AUTH_DPOP_ALGS), named in the DPoP challenges of both listeners and
	// in the metadata; empty means domain.SupportedDPoPAlgorithms.
	DPoPAlgorithms []string
	// Accounts, when set with SignUp, serves POST /signup/ (AUTH_SIGNUP);
	// when set, POST /password/. Without SignUp /signup/ is 404.
	Accounts ports.AccountService
	SignUp   bool
	// Admin and AdminToken, both set, serve the user administration and
	// the audit trail (/admin/users/, /admin/events/) on the admin
	// listener only, to requests bearing AdminToken (AUTH_ADMIN_TOKEN).
	Admin      ports.AdminService
	AdminToken string
	// SignIn, when set, serves the authorization code flow: the login
	// page, /oauth/authorize, the code grant, /userinfo, /oauth/logout and
	// OpenID Connect Discovery. Nil turns all of it off.
	SignIn ports.SignInService
	// IDTokenAlgs are the algorithms ID tokens may be signed with, the
	// default first, as discovery lists them.
	IDTokenAlgs []string
	// Ready reports whether the stores answer, for /readyz. Nil means
	// always ready.
	Ready func(ctx context.Context) error
	// LoginAdmission, when set, reports without waiting whether a login
	// could be served now (the password hasher's slots and queue); an
	// error wrapping domain.ErrUnavailable answers POST /login/ with 503
	// and Retry-After before its body is read, so a flood of logins costs
	// what any refused request costs. Nil admits every login.
	LoginAdmission func() error
}

// NewHandler returns the http.Handler of the whole API.
func NewHandler(d Deps) (http.Handler, error) {
	if d.Auth == nil || d.Logger == nil || d.Stopwatch == nil {
		return nil, errors.New("httpapi: Auth, Logger and Stopwatch are required")
	}
	base, err := ParsePublicURL(d.PublicURL)
	if err != nil {
		return nil, fmt.Errorf("httpapi: PublicURL: %w", err)
	}
	forward, err := newForwardAuth(d.VerifyHeaders, d.VerifyOrigins, base, d.TrustedProxies)
	if err != nil {
		return nil, err
	}
	origins, err := trustedOrigins(base, d.CORSOrigins)
	if err != nil {
		return nil, err
	}
	return newServer(d, base, forward, origins).routes(d), nil
}

// ParsePublicURL checks that s is an absolute http or https URL with a
// host and no query, fragment or user, such as https://auth.example or
// https://example.com/auth, and returns it without a trailing slash.
func ParsePublicURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.Opaque != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" ||
		(u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("%q is not a URL such as https://auth.example", s)
	}
	return strings.TrimSuffix(s, "/"), nil
}

// NewAdminHandler returns the handler of the admin listener: /metrics,
// /dev/clock/ when there is a dev clock, /healthz and /readyz. It is meant
// for an address only operators reach, next to a public handler built with
// SeparateAdmin.
func NewAdminHandler(d Deps) (http.Handler, error) {
	if d.Logger == nil || d.Stopwatch == nil {
		return nil, errors.New("httpapi: Logger and Stopwatch are required")
	}
	return newServer(d, "", nil, nil).adminRoutes(d), nil
}
