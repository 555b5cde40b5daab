package jwx

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/authd/authd/domain"
	"github.com/lestrrat-go/jwx/v3/jws/jwsbb"
)

// IDTokenTyp is the typ header of ID tokens: "JWT", as OpenID Connect's
// examples write it, and never a typ of access or refresh tokens, so none
// can stand for the other.
const IDTokenTyp = "JWT"

// DefaultIDTokenAlg is the algorithm of ID tokens unless a client chooses
// another: RS256, which OpenID Connect Core §15.1 requires every OP to
// support and which stock relying parties verify with their defaults.
const DefaultIDTokenAlg = RS256

// IDTokens signs and reads ID tokens with the first key of each algorithm
// in Keys. It is safe for concurrent use.
type IDTokens struct {
	keys *Keys
}

// NewIDTokens returns the ID token signer of keys.
func NewIDTokens(keys *Keys) *IDTokens { return &IDTokens{keys: keys} }

// idPayload is the claims set of an ID token, in this order.
type idPayload struct {
	Iss      string `json:"iss"`
	Sub      string `json:"sub"`
	Aud      string `json:"aud"`
	Exp      int64  `json:"exp"`
	Iat      int64  `json:"iat"`
	AuthTime int64  `json:"auth_time"`
	Nonce    string `json:"nonce,omitempty"`
	AtHash   string `json:"at_hash,omitempty"`
	Sid      string `json:"sid"`
	Username string `json:"preferred_username,omitempty"`
}

// errNoIDKey is IssueIDToken's error for an algorithm without a key.
var errNoIDKey = errors.New("jwx: no signing key for the ID token algorithm")

// IssueIDToken signs the ID token of the claims; see ports.IDTokenIssuer.
func (t *IDTokens) IssueIDToken(_ context.Context, c domain.IDClaims, accessToken string) (string, error) {
	alg := c.Alg
	if alg == "" {
		alg = DefaultIDTokenAlg
	}
	k, ok := t.keys.byAlg[alg]
	if !ok || k.sign == nil {
		return "", fmt.Errorf("%w: %s", errNoIDKey, alg)
	}
	hdr, _ := json.Marshal(header{Alg: k.alg, Kid: k.kid, Typ: IDTokenTyp})
	p := idPayload{Iss: c.Issuer, Sub: c.Subject, Aud: c.Audience, Exp: c.ExpiresAt.Unix(), Iat: c.IssuedAt.Unix(),
		AuthTime: c.AuthTime.Unix(), Nonce: c.Nonce, Sid: c.SessionID, Username: c.Username}
	if accessToken != "" {
		p.AtHash = AtHash(alg, accessToken)
	}
	body, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("jwx: encode ID token: %w", err)
	}
	input := b64.EncodeToString(hdr) + "." + b64.EncodeToString(body)
	sig, err := sign(k, []byte(input))
	if err != nil {
		return "", fmt.Errorf("jwx: sign ID token: %w", err)
	}
	return input + "." + b64.EncodeToString(sig), nil
}

// AtHash returns the at_hash of an access token for an ID token signed with
// alg (OIDC Core §3.1.3.6): the base64url left half of the token's hash
// with the algorithm's hash function, SHA-512 for EdDSA with Ed25519 (as
// OpenID Connect's errata set for it) and SHA-256 for the others authd
// signs with.
func AtHash(alg, accessToken string) string {
	if alg == EdDSA {
		sum := sha512.Sum512([]byte(accessToken))
		return b64.EncodeToString(sum[:len(sum)/2])
	}
	sum := sha256.Sum256([]byte(accessToken))
	return b64.EncodeToString(sum[:len(sum)/2])
}

// idMembers are the members VerifyIDToken reads (decodeMembers rejects
// case variants and repeats of them).
var idMembers = []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "sid", "preferred_username"}

// VerifyIDToken reads an ID token signed with one of the keys, with the
// compact-JWS reader every token goes through; it does not judge exp (see
// ports.IDTokenIssuer).
func (t *IDTokens) VerifyIDToken(_ context.Context, token string) (domain.IDClaims, error) {
	if err := checkCompact(token); err != nil {
		return domain.IDClaims{}, err
	}
	dot1 := strings.IndexByte(token, '.')
	dot2 := dot1 + 1 + strings.IndexByte(token[dot1+1:], '.')
	hdrJSON, err := decodeSegment(token[:dot1])
	if err != nil {
		return domain.IDClaims{}, err
	}
	var h verifyHeader
	if err := decodeMembers(hdrJSON, headerMembers, &h); err != nil {
		return domain.IDClaims{}, domain.InvalidToken("header: " + err.Error())
	}
	if h.Crit != nil || h.B64 != nil || h.Typ == nil || *h.Typ != IDTokenTyp || h.Kid == nil || h.Alg == nil {
		return domain.IDClaims{}, domain.InvalidToken("header")
	}
	k, ok := t.keys.byKID[*h.Kid]
	if !ok || *h.Alg != k.alg {
		return domain.IDClaims{}, domain.InvalidToken("header: no such key for this algorithm")
	}
	sig, err := decodeSegment(token[dot2+1:])
	if err != nil {
		return domain.IDClaims{}, err
	}
	if err := jwsbb.Verify(k.verify, k.alg, []byte(token[:dot2]), sig); err != nil {
		return domain.IDClaims{}, domain.InvalidToken("signature")
	}
	body, err := decodeSegment(token[dot1+1 : dot2])
	if err != nil {
		return domain.IDClaims{}, err
	}
	var p idPayload
	if err := decodeMembers(body, idMembers, &p); err != nil {
		return domain.IDClaims{}, domain.InvalidToken("payload: " + err.Error())
	}
	if p.Iss == "" || p.Sub == "" || p.Aud == "" || p.Sid == "" {
		return domain.IDClaims{}, domain.InvalidToken("payload: iss, sub, aud and sid are required")
	}
	return domain.IDClaims{Issuer: p.Iss, Subject: p.Sub, Username: p.Username, Audience: p.Aud,
		IssuedAt: time.Unix(p.Iat, 0).UTC(), ExpiresAt: time.Unix(p.Exp, 0).UTC(), AuthTime: time.Unix(p.AuthTime, 0).UTC(),
		Nonce: p.Nonce, SessionID: p.Sid, Alg: k.alg}, nil
}
