package httpapi

import (
	"net/http"
	"strings"

	"github.com/authd/authd/domain"
)

// dpopSettings are what requests need to know of DPoP: the base URL their
// htu starts with, and the algorithms the challenge names.
type dpopSettings struct {
	publicURL string // Deps.PublicURL without a trailing slash
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
// listener without them (the admin one, which judges no proof).
func settingsOf(r *http.Request) *dpopSettings {
	if n := noteOf(r); n != nil && n.dpop != nil {
		return n.dpop
	}
	return &dpopSettings{algs: strings.Join(domain.SupportedDPoPAlgorithms, " ")}
}

// proofRequest returns what the use cases need to judge the request's DPoP
// proof: the DPoP header, and the method and URL the proof must name. The
// URL is this server's public URL (Deps.PublicURL, decided once at start)
// followed by the request's path; query and fragment never count (RFC 9449
// §4.3), and neither does the Host the request came with. Without a proof
// there is nothing to name, so a bearer request builds no URL. A request
// with more than one DPoP header is refused (§4.3, check 1).
func proofRequest(r *http.Request, scheme string) (domain.ProofRequest, error) {
	values := r.Header.Values("DPoP")
	switch len(values) {
	case 0:
		return domain.ProofRequest{Scheme: scheme}, nil
	case 1:
		return domain.ProofRequest{Proof: values[0], Method: r.Method, URL: settingsOf(r).publicURL + r.URL.EscapedPath(), Scheme: scheme, Client: clientIP(r)}, nil
	}
	return domain.ProofRequest{}, domain.InvalidProof("several DPoP headers")
}

// tokenType is the token_type of a response that issues the pair: "DPoP"
// for a pair bound to a key (RFC 9449 §5), "Bearer" otherwise.
func tokenType(p domain.TokenPair) string {
	if p.JKT != "" {
		return domain.DPoPScheme
	}
	return "Bearer"
}
