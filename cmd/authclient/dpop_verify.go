package authclient

import (
	"crypto/subtle"
	"fmt"
	"net/http"

	"github.com/authd/authd/domain"
)

// ErrInvalidProof is what every DPoP proof failure is.
var ErrInvalidProof = fmt.Errorf("%w: invalid DPoP proof", ErrInvalidToken)

// maxReplayKeys bounds the verifier's memory of used proofs; when it is
// full of proofs still inside their window, new proofs are refused rather
// than an old one forgotten.
const maxReplayKeys = 1 << 18

// checkProof checks the request's DPoP proof for an access token bound to
// the key jkt (RFC 9449 §4.3 and §7.1), with authd's own proof reader
// (adapters/jwx: one compact JWS of typ dpop+jwt, an accepted algorithm,
// signed by the public jwk in its header) and rules: the jwk's thumbprint
// is jkt; by domain.DPoPPolicy, htm and htu naming this request, iat
// within the window, ath the token's hash; and a jti not seen before, in a
// bounded memory.Replays cache.
func (v *Verifier) checkProof(r *http.Request, token, jkt string) error {
	if v.cfg.PublicURL == "" {
		// The URL a proof names is this service's, which only its
		// configuration knows; a request's Host is the client's to choose.
		return fmt.Errorf("%w: VerifierConfig.PublicURL is unset, so no proof can name this service", ErrInvalidProof)
	}
	values := r.Header.Values("DPoP")
	if len(values) != 1 {
		return fmt.Errorf("%w: one DPoP header is required", ErrInvalidProof)
	}
	pr, err := v.proofs.VerifyProof(r.Context(), values[0])
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidProof, err)
	}
	if subtle.ConstantTimeCompare([]byte(pr.JKT), []byte(jkt)) != 1 {
		return fmt.Errorf("%w: the proof's key is not the token's", ErrInvalidProof)
	}
	// The claims are judged by authd's own rules (domain.DPoPPolicy), so a
	// bound token is judged alike wherever it goes.
	now := v.cfg.Clock.Now()
	req := domain.ProofRequest{Method: r.Method, URL: v.requestURL(r), Scheme: domain.DPoPScheme}
	if err := v.dpop.CheckProof(pr, req, token, now, domain.DPoPNonces{}); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidProof, err)
	}
	fresh, err := v.replays.Remember(r.Context(), domain.ReplayKey(pr), now, v.dpop.ReplayUntil(pr))
	switch {
	case err != nil:
		return fmt.Errorf("%w: %v", ErrInvalidProof, err) // full of proofs still in their window
	case !fresh:
		return fmt.Errorf("%w: jti replayed", ErrInvalidProof)
	}
	return nil
}

// requestURL is the URL a proof must name: PublicURL and the request's
// path, whatever Host the request came with.
func (v *Verifier) requestURL(r *http.Request) string {
	return v.cfg.PublicURL + r.URL.EscapedPath()
}
