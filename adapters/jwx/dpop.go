package jwx

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/authd/authd/domain"
	"github.com/lestrrat-go/jwx/v3/jws/jwsbb"
)

// MaxProofSize is the largest DPoP proof VerifyProof looks at. A proof with
// a P-256 key, a 36-byte jti, a long htu, ath and a nonce is under 1 KiB.
const MaxProofSize = 4 << 10

// Limits on the proof's string claims, so the replay cache and logs never
// hold more than this of a client's choosing.
const (
	maxJTI   = 256
	maxHTU   = 2048
	maxNonce = 256
)

// ProofVerifier checks DPoP proofs (RFC 9449 §4.3, checks 1 to 7) with the
// care of Verifier: the compact serialization only, strict base64url and
// member names, strict claim types, and signatures through jws/jwsbb with
// the raw key read from the header's jwk. It is safe for concurrent use.
//
// Algorithm confusion is closed by construction: alg must be one the
// verifier was built with (never "none" or an HMAC algorithm, since the
// key is public), and the jwk's key type must be that algorithm's own:
// ES256 takes an EC P-256 key, EdDSA and Ed25519 an OKP Ed25519 key.
type ProofVerifier struct {
	algs map[string]bool
}

// NewProofVerifier returns a verifier that accepts proofs signed with the
// given algorithms, of domain.SupportedDPoPAlgorithms; any other name is
// an error.
func NewProofVerifier(algs []string) (*ProofVerifier, error) {
	v := &ProofVerifier{algs: make(map[string]bool, len(algs))}
	for _, a := range algs {
		if !slices.Contains(domain.SupportedDPoPAlgorithms, a) {
			return nil, errors.New("jwx: DPoP proofs can be " + strings.Join(domain.SupportedDPoPAlgorithms, ", ") + ", not " + a)
		}
		v.algs[a] = true
	}
	if len(v.algs) == 0 {
		return nil, errors.New("jwx: DPoP needs at least one algorithm")
	}
	return v, nil
}

// The member names VerifyProof reads, for decodeMembers' checks.
var (
	proofHeaderMembers = []string{"typ", "alg", "jwk", "crit", "b64"}
	proofClaimMembers  = []string{"jti", "htm", "htu", "iat", "ath", "nonce"}
	jwkMembers         = []string{"kty", "crv", "x", "y", "d", "p", "q", "dp", "dq", "qi", "k", "oth"}
)

type proofHeader struct {
	Typ  *string         `json:"typ"`
	Alg  *string         `json:"alg"`
	JWK  json.RawMessage `json:"jwk"`
	Crit json.RawMessage `json:"crit"`
	B64  json.RawMessage `json:"b64"`
}

// proofJWK keeps every member raw, so private ones are seen whatever their
// type.
type proofJWK struct {
	Kty, Crv, X, Y              json.RawMessage
	D, P, Q, DP, DQ, QI, K, Oth json.RawMessage
}

type rawProof struct {
	Jti, Htm, Htu, Iat, Ath, Nonce json.RawMessage
}

// VerifyProof checks the proof and returns it with its key's thumbprint;
// see ports.ProofVerifier. Every failure is a *domain.ProofError for
// domain.ErrInvalidDPoPProof.
func (v *ProofVerifier) VerifyProof(_ context.Context, proof string) (domain.Proof, error) {
	if len(proof) > MaxProofSize {
		return domain.Proof{}, domain.InvalidProof("too large")
	}
	if err := checkCompact(proof); err != nil {
		return domain.Proof{}, asProofError(err)
	}
	dot1 := strings.IndexByte(proof, '.')
	dot2 := dot1 + 1 + strings.IndexByte(proof[dot1+1:], '.')

	hdrJSON, err := decodeSegment(proof[:dot1])
	if err != nil {
		return domain.Proof{}, asProofError(err)
	}
	var h proofHeader
	if err := decodeMembers(hdrJSON, proofHeaderMembers, &h); err != nil {
		return domain.Proof{}, domain.InvalidProof("header: " + err.Error())
	}
	switch {
	case h.Crit != nil || h.B64 != nil:
		return domain.Proof{}, domain.InvalidProof("header: crit or b64 is not supported")
	case h.Typ == nil || *h.Typ != "dpop+jwt":
		return domain.Proof{}, domain.InvalidProof("header: typ must be dpop+jwt")
	case h.Alg == nil || !v.algs[*h.Alg]:
		return domain.Proof{}, domain.InvalidProof("header: alg is not accepted")
	case len(h.JWK) == 0 || h.JWK[0] != '{':
		return domain.Proof{}, domain.InvalidProof("header: jwk must be an object")
	}
	key, jkt, err := publicKeyOf(h.JWK, *h.Alg)
	if err != nil {
		return domain.Proof{}, err
	}

	sig, err := decodeSegment(proof[dot2+1:])
	if err != nil {
		return domain.Proof{}, asProofError(err)
	}
	if err := jwsbb.Verify(key, *h.Alg, []byte(proof[:dot2]), sig); err != nil {
		return domain.Proof{}, domain.InvalidProof("signature")
	}

	body, err := decodeSegment(proof[dot1+1 : dot2])
	if err != nil {
		return domain.Proof{}, asProofError(err)
	}
	p, err := decodeProofClaims(body)
	if err != nil {
		return domain.Proof{}, err
	}
	p.JKT, p.Algorithm = jkt, *h.Alg
	return p, nil
}

// publicKeyOf reads the header's jwk as a public key of alg's key type and
// returns the raw key and its RFC 7638 thumbprint. A jwk with any private
// member is refused, whatever else it holds.
func publicKeyOf(raw json.RawMessage, alg string) (any, string, error) {
	var k proofJWK
	if err := decodeMembers(raw, jwkMembers, &k); err != nil {
		return nil, "", domain.InvalidProof("jwk: " + err.Error())
	}
	for _, private := range []json.RawMessage{k.D, k.P, k.Q, k.DP, k.DQ, k.QI, k.K, k.Oth} {
		if private != nil {
			return nil, "", domain.InvalidProof("jwk: a private or symmetric key")
		}
	}
	var kty, crv, x, y string
	for _, f := range []struct {
		raw      json.RawMessage
		dst      *string
		optional bool
	}{{k.Kty, &kty, false}, {k.Crv, &crv, false}, {k.X, &x, false}, {k.Y, &y, true}} {
		if f.raw == nil && f.optional {
			continue
		}
		if !isString(f.raw) || json.Unmarshal(f.raw, f.dst) != nil {
			return nil, "", domain.InvalidProof("jwk: kty, crv, x and y must be strings")
		}
	}
	xb, err := b64.Strict().DecodeString(x)
	if err != nil || len(xb) != 32 {
		return nil, "", domain.InvalidProof("jwk: x")
	}
	switch {
	case alg == "ES256" && kty == "EC" && crv == "P-256":
		yb, err := b64.Strict().DecodeString(y)
		if err != nil || len(yb) != 32 {
			return nil, "", domain.InvalidProof("jwk: y")
		}
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, xb...), yb...))
		if err != nil {
			return nil, "", domain.InvalidProof("jwk: not a point on P-256")
		}
		return pub, thumbprint(`{"crv":"P-256","kty":"EC","x":"` + x + `","y":"` + y + `"}`), nil
	case (alg == "EdDSA" || alg == "Ed25519") && kty == "OKP" && crv == "Ed25519" && k.Y == nil:
		return ed25519.PublicKey(xb), thumbprint(`{"crv":"Ed25519","kty":"OKP","x":"` + x + `"}`), nil
	}
	return nil, "", domain.InvalidProof("jwk: not a key of alg " + alg)
}

// thumbprint returns the base64url SHA-256 of a JWK's RFC 7638 members,
// which the caller has put in lexicographic order without whitespace. x and
// y are canonical: strict base64url of exactly 32 bytes.
func thumbprint(members string) string {
	return b64.EncodeToString(sha256Sum([]byte(members)))
}

// decodeProofClaims reads the proof's payload with RFC 9449's types:
// strings for jti, htm, htu, ath and nonce (jti, htm and htu required),
// an integer NumericDate for iat.
func decodeProofClaims(body []byte) (domain.Proof, error) {
	var r rawProof
	if err := decodeMembers(body, proofClaimMembers, &r); err != nil {
		return domain.Proof{}, domain.InvalidProof("payload: " + err.Error())
	}
	var p domain.Proof
	for _, f := range []struct {
		name     string
		raw      json.RawMessage
		dst      *string
		optional bool
		limit    int
	}{
		{"jti", r.Jti, &p.ID, false, maxJTI}, {"htm", r.Htm, &p.Method, false, 16}, {"htu", r.Htu, &p.URL, false, maxHTU},
		{"ath", r.Ath, &p.AccessTokenHash, true, 64}, {"nonce", r.Nonce, &p.Nonce, true, maxNonce},
	} {
		if f.raw == nil && f.optional {
			continue
		}
		if !isString(f.raw) || json.Unmarshal(f.raw, f.dst) != nil {
			return domain.Proof{}, domain.InvalidProof(f.name + " must be a string")
		}
		if *f.dst == "" && !f.optional || len(*f.dst) > f.limit {
			return domain.Proof{}, domain.InvalidProof(f.name + " is empty or too long")
		}
	}
	secs, ok := numericDate(r.Iat)
	if !ok {
		return domain.Proof{}, domain.InvalidProof("iat must be an integer NumericDate")
	}
	p.IssuedAt = time.Unix(secs, 0).UTC()
	return p, nil
}

// asProofError turns the token helpers' errors into proof errors.
func asProofError(err error) error {
	var te *domain.TokenError
	if errors.As(err, &te) {
		return domain.InvalidProof(te.Reason)
	}
	return domain.InvalidProof(err.Error())
}
