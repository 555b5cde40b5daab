package httpapi

import (
	"net/http"
	"strings"

	"github.com/authd/authd/domain"
)

// dpopSettings are what requests need to know of DPoP: the base URL their
// htu starts with, and the algorithms the challenge names.
type dpopSettings struct {
	publicURL string // AUTH_PUBLIC_URL without a trailing slash, or ""
	algs      string // space-separated, for WWW-Authenticate's algs
}

// withDPoP makes the settings known to the request's handlers and error
// writer, and offers the current server nonce in DPoP-Nonce when the
// service hands out nonces (RFC 9449 §8): on every answer, so a client
// learns the next one before it needs it.
func withDPoP(d Deps) func(http.Handler) http.Handler {
	s := &dpopSettings{publicURL: strings.TrimSuffix(d.PublicURL, "/"), algs: strings.Join(d.DPoPAlgorithms, " ")}
	if s.algs == "" {
		s.algs = strings.Join(domain.SupportedDPoPAlgorithms, " ")
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if n := noteOf(r); n != nil {
				n.dpop = s
			}
			if nonce := d.Auth.DPoPNonce(r.Context()); nonce != "" {
				w.Header().Set("DPoP-Nonce", nonce)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// settingsOf returns the listener's DPoP settings, or the defaults on a
// listener without them (the admin one).
func settingsOf(r *http.Request) *dpopSettings {
	if n := noteOf(r); n != nil && n.dpop != nil {
		return n.dpop
	}
	return &dpopSettings{algs: strings.Join(domain.SupportedDPoPAlgorithms, " ")}
}

// proofRequest returns what the use cases need to judge the request's DPoP
// proof: the DPoP header, and the method and URL the proof must name. The
// URL is AUTH_PUBLIC_URL, or the scheme and Host the request came with,
// followed by the request's path; query and fragment never count (RFC 9449
// §4.3). Without a proof there is nothing to name, so a bearer request
// builds no URL. A request with more than one DPoP header is refused
// (§4.3, check 1).
func proofRequest(r *http.Request, scheme string) (domain.ProofRequest, error) {
	values := r.Header.Values("DPoP")
	switch len(values) {
	case 0:
		return domain.ProofRequest{Scheme: scheme}, nil
	case 1:
		return domain.ProofRequest{Proof: values[0], Method: r.Method, URL: baseURL(r) + r.URL.EscapedPath(), Scheme: scheme, Client: clientIP(r)}, nil
	}
	return domain.ProofRequest{}, domain.InvalidProof("several DPoP headers")
}

// baseURL is AUTH_PUBLIC_URL, or the URL the request came to.
func baseURL(r *http.Request) string {
	if base := settingsOf(r).publicURL; base != "" {
		return base
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// forwardedProofRequest is proofRequest for the forward-auth check at
// /auth/verify, where the proof names the client's request to the gateway,
// not the gateway's subrequest: the method and URI come from
// X-Original-Method and X-Original-URI (nginx auth_request) or
// X-Forwarded-Method and X-Forwarded-Uri (Traefik ForwardAuth), or are the
// request's own method and the path below /auth/verify (Envoy ext_authz,
// which appends the original path); the scheme and host come from
// X-Forwarded-Proto and X-Forwarded-Host, else as for proofRequest.
// Trusting them is safe: they only say which request the proof must name,
// and a proof still has to be signed by the token's key and be used once.
func forwardedProofRequest(r *http.Request, scheme string) (domain.ProofRequest, error) {
	req, err := proofRequest(r, scheme)
	if err != nil || req.Proof == "" {
		return req, err
	}
	h := r.Header
	if m := first(h.Get("X-Original-Method"), h.Get("X-Forwarded-Method")); m != "" {
		req.Method = m
	}
	uri := first(h.Get("X-Original-URI"), h.Get("X-Forwarded-Uri"))
	if rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/auth/verify/"); uri == "" && ok {
		uri = "/" + rest
	}
	if uri == "" {
		return req, nil
	}
	if i := strings.IndexAny(uri, "?#"); i >= 0 {
		uri = uri[:i]
	}
	base := baseURL(r)
	if host := h.Get("X-Forwarded-Host"); host != "" {
		base = first(h.Get("X-Forwarded-Proto"), "http") + "://" + host
	}
	req.URL = base + uri
	return req, nil
}

// first returns the first value that is not empty, or "".
func first(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// tokenType is the token_type of a response that issues the pair: "DPoP"
// for a pair bound to a key (RFC 9449 §5), "Bearer" otherwise.
func tokenType(p domain.TokenPair) string {
	if p.JKT != "" {
		return domain.DPoPScheme
	}
	return "Bearer"
}
