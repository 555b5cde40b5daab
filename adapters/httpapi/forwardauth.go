package httpapi

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/authd/authd/domain"
)

// The header families a gateway describes its client's request in at
// /auth/verify (AUTH_VERIFY_HEADERS). Exactly one is read; the others'
// headers are ignored, never used as a fallback.
const (
	// VerifyNginx is nginx auth_request: X-Original-Method and
	// X-Original-URI, the origin chosen by the subrequest's Host.
	VerifyNginx = "nginx"
	// VerifyTraefik is Traefik ForwardAuth: X-Forwarded-Method,
	// X-Forwarded-Uri, and X-Forwarded-Proto with X-Forwarded-Host to
	// choose the origin.
	VerifyTraefik = "traefik"
	// VerifyEnvoy is Envoy ext_authz: the request's own method, the path
	// appended to /auth/verify, the origin chosen by Host (the original
	// authority).
	VerifyEnvoy = "envoy"
)

// VerifyHeaderFamilies lists the values of AUTH_VERIFY_HEADERS.
var VerifyHeaderFamilies = []string{VerifyNginx, VerifyTraefik, VerifyEnvoy}

// handleVerify serves /auth/verify and every path below it, for any method:
// the forward-auth check of nginx auth_request, Traefik ForwardAuth and
// Envoy ext_authz. A currently valid access token gets 200 with the
// caller's identity in X-Auth-Subject, X-Auth-Username, X-Auth-Session,
// X-Auth-Scope and X-Auth-Client-Id for the gateway to pass upstream
// (a service token too: its subject is its client); anything else gets
// the same 401 and WWW-Authenticate as /protected/. With ?scope=a b the
// token must grant every one of them, or the answer is 403
// insufficient_scope naming them (RFC 6750 §3.1). It runs on the verified-token cache and
// the revocation list, like /protected/. A DPoP proof names the request
// s.forward finds: the gateway's client's, when a trusted gateway describes
// it.
func (s *server) handleVerify() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The access cookie counts here without the CSRF check: this
		// request changes nothing at authd, and the gateway's upstream
		// judges what its own request may do.
		required, err := requiredScopes(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		p, _, ok := s.authenticateWith(w, r, s.forward.proofRequest, false)
		if !ok {
			return
		}
		if err := p.RequireScopes(required); err != nil {
			s.writeError(w, r, err)
			return
		}
		h := w.Header()
		h.Set("X-Auth-Subject", p.Subject())
		h.Set("X-Auth-Username", p.Username)
		h.Set("X-Auth-Session", p.SessionID)
		h.Set("X-Auth-Scope", p.Scope)
		h.Set("X-Auth-Client-Id", p.ClientID)
		w.WriteHeader(http.StatusOK)
	})
}

// requiredScopes returns the scopes the location requires: the scope
// query parameters of /auth/verify (space-separated, all required; the
// gateway's configuration writes them in the URL it calls), joined. A
// value that is not a list of RFC 6749 §3.3 scope-tokens is
// invalid_request, so every scope can be quoted in the challenge.
func requiredScopes(r *http.Request) (string, error) {
	var all []string
	for _, v := range r.URL.Query()["scope"] {
		for _, sc := range strings.Fields(v) {
			if !domain.ValidScopeToken(sc) {
				return "", &domain.RequestError{Reason: "scope holds a character RFC 6749 §3.3 does not allow"}
			}
			all = append(all, sc)
		}
	}
	return strings.Join(all, " "), nil
}

// ParseOrigin checks that s is a web origin of http or https (RFC 6454:
// scheme, host and port, no path, query, fragment or user), such as
// https://api.example or http://127.0.0.1:8000, and returns it as origins
// are compared: scheme and host in lower case, without a default port or a
// trailing slash.
func ParseOrigin(s string) (string, error) {
	u, err := url.Parse(strings.TrimSuffix(s, "/"))
	if err != nil || u.Host == "" || u.User != nil || u.Opaque != "" || u.Path != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", fmt.Errorf("%q is not an origin such as https://api.example", s)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", fmt.Errorf("%q is not an http or https origin", s)
	}
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") { // an IPv6 literal
		host = "[" + host + "]"
	}
	if port := u.Port(); port != "" && !(scheme == "http" && port == "80" || scheme == "https" && port == "443") {
		host += ":" + port
	}
	return scheme + "://" + host, nil
}

// forwardAuth finds the request a DPoP proof must name at /auth/verify:
// the client's request to the gateway, as the gateway describes it in the
// configured family's headers, but only when the gateway is a trusted
// proxy; for anyone else, the request authd received. The origin is always
// one of the configured ones; a forwarded host only selects among them.
type forwardAuth struct {
	family    string
	origins   []string // as ParseOrigin returns them; the first is the default
	trusted   []netip.Prefix
	publicURL string // the base of the URL of a request no trusted gateway describes
}

// newForwardAuth checks the family and the origins; no origins means the
// origin of publicURL, which ParsePublicURL has checked.
func newForwardAuth(family string, origins []string, publicURL string, trusted []netip.Prefix) (*forwardAuth, error) {
	switch family {
	case "":
		family = VerifyNginx
	case VerifyNginx, VerifyTraefik, VerifyEnvoy:
	default:
		return nil, fmt.Errorf("httpapi: VerifyHeaders %q is not one of %s", family, strings.Join(VerifyHeaderFamilies, ", "))
	}
	if len(origins) == 0 {
		u, err := url.Parse(publicURL)
		if err != nil {
			return nil, fmt.Errorf("httpapi: PublicURL: %w", err)
		}
		origins = []string{u.Scheme + "://" + u.Host}
	}
	f := &forwardAuth{family: family, trusted: trusted, publicURL: publicURL}
	for _, o := range origins {
		parsed, err := ParseOrigin(o)
		if err != nil {
			return nil, fmt.Errorf("httpapi: VerifyOrigins: %w", err)
		}
		f.origins = append(f.origins, parsed)
	}
	return f, nil
}

// forwarded is the client's request as a gateway describes it.
type forwarded struct {
	method, uri string
	proto, host string // what selects the origin; proto may be empty
}

// proofRequest is server.proofRequest for /auth/verify. A request without
// a proof needs no URL; a request from a peer outside the trusted proxies,
// or one whose gateway named no request, is judged as the request authd
// received.
func (f *forwardAuth) proofRequest(r *http.Request, scheme string) (domain.ProofRequest, error) {
	req, err := proofRequestAt(f.publicURL, r, scheme)
	if err != nil || req.Proof == "" || !fromTrustedProxy(r, f.trusted) {
		return req, err
	}
	fw, err := f.read(r)
	if err != nil || fw.uri == "" {
		return req, err
	}
	if i := strings.IndexAny(fw.uri, "?#"); i >= 0 {
		fw.uri = fw.uri[:i]
	}
	if !strings.HasPrefix(fw.uri, "/") {
		return domain.ProofRequest{}, domain.InvalidProof("the gateway's URI is not a path")
	}
	if fw.method != "" {
		req.Method = fw.method
	}
	req.URL = f.origin(fw) + fw.uri
	return req, nil
}

// read returns the request the configured family's headers describe; a
// header sent more than once is refused, since nobody can tell which one
// the gateway wrote.
func (f *forwardAuth) read(r *http.Request) (forwarded, error) {
	var fw forwarded
	var errs []string
	one := func(name string) string {
		v := r.Header.Values(name)
		if len(v) > 1 {
			errs = append(errs, name)
		}
		if len(v) == 0 {
			return ""
		}
		return v[0]
	}
	switch f.family {
	case VerifyNginx:
		fw = forwarded{method: one("X-Original-Method"), uri: one("X-Original-URI"), host: r.Host}
	case VerifyTraefik:
		fw = forwarded{method: one("X-Forwarded-Method"), uri: one("X-Forwarded-Uri"),
			proto: one("X-Forwarded-Proto"), host: one("X-Forwarded-Host")}
	case VerifyEnvoy:
		if rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/auth/verify/"); ok {
			fw = forwarded{method: r.Method, uri: "/" + rest, host: r.Host}
		}
	}
	if len(errs) > 0 {
		return forwarded{}, domain.InvalidProof("several " + strings.Join(errs, ", ") + " headers")
	}
	return fw, nil
}

// origin returns the configured origin the forwarded host (and scheme, when
// the family names one) selects, or the first configured origin when it
// selects none: the proof then has to name that one.
func (f *forwardAuth) origin(fw forwarded) string {
	if fw.host != "" {
		for _, o := range f.origins {
			scheme, _, _ := strings.Cut(o, "://")
			if fw.proto != "" && !strings.EqualFold(fw.proto, scheme) {
				continue
			}
			if want, err := ParseOrigin(scheme + "://" + fw.host); err == nil && want == o {
				return o
			}
		}
	}
	return f.origins[0]
}
