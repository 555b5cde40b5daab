package authclient

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/authd/authd/domain"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
)

// ErrInvalidProof is what every DPoP proof failure is.
var ErrInvalidProof = fmt.Errorf("%w: invalid DPoP proof", ErrInvalidToken)

// maxReplayKeys bounds the verifier's memory of used proofs; when it is
// full of proofs still inside their window, new proofs are refused rather
// than an old one forgotten.
const maxReplayKeys = 1 << 18

// proofAlgs are the algorithms proofs may use here, as at authd.
var proofAlgs = map[string]jwa.SignatureAlgorithm{"ES256": jwa.ES256(), "EdDSA": jwa.EdDSA(), "Ed25519": jwa.EdDSAEd25519()}

// replays remembers the proofs a Verifier has accepted, until they could
// no longer be accepted anyway.
type replays struct {
	mu    sync.Mutex
	until map[string]time.Time
}

func (r *replays) remember(key string, now, until time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.until == nil {
		r.until = make(map[string]time.Time)
	}
	if t, ok := r.until[key]; ok && t.After(now) {
		return false
	}
	if len(r.until) >= maxReplayKeys {
		for k, t := range r.until {
			if !t.After(now) {
				delete(r.until, k)
			}
		}
		if len(r.until) >= maxReplayKeys {
			return false
		}
	}
	r.until[key] = until
	return true
}

// checkProof checks the request's DPoP proof for an access token bound to
// the key jkt (RFC 9449 §4.3 and §7.1): one DPoP header holding a compact
// JWS of typ dpop+jwt, ES256, EdDSA or Ed25519, signed by the public jwk in
// its header, whose thumbprint is jkt; then, by domain.DPoPPolicy, htm and
// htu naming this request, iat within the window of the clock's now, ath
// the token's hash; and a jti not seen before.
func (v *Verifier) checkProof(r *http.Request, token, jkt string) error {
	if v.cfg.PublicURL == "" {
		// The URL a proof names is this service's, which only its
		// configuration knows; a request's Host is the client's to choose.
		return fmt.Errorf("%w: VerifierConfig.PublicURL is unset, so no proof can name this service", ErrInvalidProof)
	}
	values := r.Header.Values("DPoP")
	if len(values) != 1 || len(values[0]) > 4<<10 {
		return fmt.Errorf("%w: one DPoP header is required", ErrInvalidProof)
	}
	proof := values[0]
	msg, err := jws.Parse([]byte(proof), jws.WithCompact())
	if err != nil || len(msg.Signatures()) != 1 {
		return fmt.Errorf("%w: not a compact JWS", ErrInvalidProof)
	}
	hdr := msg.Signatures()[0].ProtectedHeaders()
	typ, _ := hdr.Type()
	alg, _ := hdr.Algorithm()
	sigAlg, ok := proofAlgs[alg.String()]
	key, hasKey := hdr.JWK()
	if typ != "dpop+jwt" || !ok || !hasKey {
		return fmt.Errorf("%w: header", ErrInvalidProof)
	}
	if isPrivate(key) {
		return fmt.Errorf("%w: a private key in jwk", ErrInvalidProof)
	}
	tp, err := key.Thumbprint(crypto.SHA256)
	if err != nil || base64.RawURLEncoding.EncodeToString(tp) != jkt {
		return fmt.Errorf("%w: the proof's key is not the token's", ErrInvalidProof)
	}
	payload, err := jws.Verify([]byte(proof), jws.WithKey(sigAlg, key))
	if err != nil {
		return fmt.Errorf("%w: signature", ErrInvalidProof)
	}
	var c struct {
		JTI string `json:"jti"`
		HTM string `json:"htm"`
		HTU string `json:"htu"`
		IAT *int64 `json:"iat"`
		ATH string `json:"ath"`
	}
	if err := json.Unmarshal(payload, &c); err != nil || c.JTI == "" || len(c.JTI) > 256 || c.IAT == nil {
		return fmt.Errorf("%w: claims", ErrInvalidProof)
	}
	// The claims are judged by authd's own rules (domain.DPoPPolicy), so a
	// bound token is judged alike wherever it goes.
	now := v.cfg.Clock.Now()
	pr := domain.Proof{JKT: jkt, Algorithm: alg.String(), ID: c.JTI, Method: c.HTM, URL: c.HTU,
		IssuedAt: time.Unix(*c.IAT, 0).UTC(), AccessTokenHash: c.ATH}
	policy := domain.DPoPPolicy{Window: v.cfg.DPoPWindow, Algorithms: domain.SupportedDPoPAlgorithms}
	req := domain.ProofRequest{Method: r.Method, URL: v.requestURL(r), Scheme: domain.DPoPScheme}
	if err := policy.CheckProof(pr, req, token, now, domain.DPoPNonces{}); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidProof, err)
	}
	if !v.replays.remember(domain.ReplayKey(pr), now, policy.ReplayUntil(pr)) {
		return fmt.Errorf("%w: jti replayed", ErrInvalidProof)
	}
	return nil
}

// requestURL is the URL a proof must name: PublicURL and the request's
// path, whatever Host the request came with.
func (v *Verifier) requestURL(r *http.Request) string {
	return v.cfg.PublicURL + r.URL.EscapedPath()
}

// isPrivate reports whether a JWK holds private or symmetric key material.
func isPrivate(key jwk.Key) bool {
	switch key.(type) {
	case jwk.ECDSAPrivateKey, jwk.OKPPrivateKey, jwk.RSAPrivateKey, jwk.SymmetricKey:
		return true
	}
	return false
}
