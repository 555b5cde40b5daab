package httpapi

import (
	"net"
	"net/http"
	"net/netip"

	"github.com/go-chi/chi/v5/middleware"
)

// clientIPs returns the middleware that finds each request's client IP for
// the login throttle, with chi's ClientIPFrom* middleware: the connection's
// peer, unless the peer is a trusted proxy; then X-Forwarded-For walked
// from the right, past trusted proxies, to the first address a trusted
// proxy received the request from. Entries a client wrote itself (left of
// that) are never believed, so a client cannot pick the IP it is throttled
// as.
func clientIPs(trusted []netip.Prefix) func(http.Handler) http.Handler {
	if len(trusted) == 0 {
		return middleware.ClientIPFromRemoteAddr
	}
	prefixes := make([]string, len(trusted))
	for i, p := range trusted {
		prefixes[i] = p.String()
	}
	return middleware.ClientIPFromXFF(prefixes...)
}

// fromTrustedProxy reports whether the request's connection comes from one
// of the trusted proxies (AUTH_TRUSTED_PROXIES): the one rule for believing
// what a peer says about the request it forwards, X-Forwarded-For for the
// client IP (clientIPs) and the forward-auth headers at /auth/verify alike.
func fromTrustedProxy(r *http.Request, trusted []netip.Prefix) bool {
	if len(trusted) == 0 {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientIP returns the client IP the clientIPs middleware found. Where it
// found none (a trusted proxy sent an X-Forwarded-For it could not parse,
// which chi treats as "no client IP"), it is the connection's peer: the
// proxy, so such requests share the proxy's throttle rather than escape it.
func clientIP(r *http.Request) string {
	if ip := middleware.GetClientIP(r.Context()); ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return a.Unmap().String()
	}
	return host
}
