// Package authclient is the Go client of authd, for programs that log in
// and stay logged in, and for services that accept authd's access tokens.
//
//   - Client logs in and keeps a token pair in a TokenStore (in memory or in
//     a file). Its Transport is an http.RoundTripper that adds the access
//     token to every request, refreshes it shortly before it expires and
//     once more when a server answers 401 token_expired, with one refresh
//     shared by every goroutine, so concurrent requests never present a used
//     refresh token and trip reuse detection. When the session is over
//     (refresh_token_reused, session_revoked, session_expired) every call
//     fails with a *LoggedOutError.
//   - Verifier checks access tokens against authd's JWKS URL, caching the
//     keys and fetching them again on an unknown kid at most once per 30 s,
//     with authd's own strict readers and rules (adapters/jwx, domain), so
//     it refuses exactly what authd refuses; Middleware puts it in front of
//     an http.Handler. DPoP-bound tokens need VerifierConfig.PublicURL, the
//     URL their proofs name.
//
// The clock is a parameter (ports.Clock; adapters/clock.System in
// production), so the refresh logic is tested on a frozen clock.
//
// It is not an adapter of authd (it implements no port, and nothing in the
// service imports it): it is the library other Go programs link to talk to
// authd, kept next to the service so its tests run against the real one.
// It imports domain, ports, the jwx and memory adapters (authd's token and
// proof readers and its bounded replay cache, reused rather than
// rewritten), lestrrat-go/jwx for the client's own DPoP keys, and the
// standard library.
package authclient
