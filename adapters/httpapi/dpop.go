package httpapi

import (
	"net/http"

	"github.com/authd/authd/domain"
)

// offerNonce offers the current server nonce in DPoP-Nonce when the
// service hands out nonces (RFC 9449 §8): on every answer, so a client
// learns the next one before it needs it.
func (s *server) offerNonce(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if nonce := s.auth.DPoPNonce(r.Context()); nonce != "" {
			w.Header().Set("DPoP-Nonce", nonce)
		}
		next.ServeHTTP(w, r)
	})
}

// proofRequest returns what the use cases need to judge the request's DPoP
// proof, with its token presented in scheme: the DPoP header, and the
// method and URL the proof must name. The URL is this server's public URL
// (Deps.PublicURL, decided once at start) followed by the request's path;
// query and fragment never count (RFC 9449 §4.3), and neither does the Host
// the request came with. /auth/verify names another request
// (forwardAuth.proofRequest).
func (s *server) proofRequest(r *http.Request, scheme string) (domain.ProofRequest, error) {
	return proofRequestAt(s.publicURL, r, scheme)
}

// proofRequestAt is proofRequest for the public URL base. Without a proof
// there is nothing to name, so a bearer request builds no URL. A request
// with more than one DPoP header is refused (§4.3, check 1).
func proofRequestAt(base string, r *http.Request, scheme string) (domain.ProofRequest, error) {
	values := r.Header.Values("DPoP")
	switch len(values) {
	case 0:
		return domain.ProofRequest{Scheme: scheme}, nil
	case 1:
		return domain.ProofRequest{Proof: values[0], Method: r.Method, URL: base + r.URL.EscapedPath(), Scheme: scheme, Client: clientIP(r)}, nil
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
