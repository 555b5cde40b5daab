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
