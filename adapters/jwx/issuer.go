package jwx

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/authd/authd/domain"
	"github.com/lestrrat-go/jwx/v3/jws/jwsbb"
)

const cryptoSHA256 = crypto.SHA256

// header is the protected header authd writes, in this order.
type header struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Typ string `json:"typ"`
}

// payload is the claims set authd writes, in this order. Times are
// NumericDate integers; aud is a single string, as in RFC 9068's examples.
type payload struct {
	Iss      string `json:"iss"`
	Sub      string `json:"sub"`
	Aud      string `json:"aud"`
	Exp      int64  `json:"exp"`
	Nbf      int64  `json:"nbf"`
	Iat      int64  `json:"iat"`
	Jti      string `json:"jti"`
	Sid      string `json:"sid,omitempty"`                // absent only on a service token
	Username string `json:"preferred_username,omitempty"` // likewise
	Type     string `json:"type"`
	ClientID string `json:"client_id,omitempty"`
	Scope    string `json:"scope,omitempty"`
	Cnf      *cnf   `json:"cnf,omitempty"`
}

// cnf is the confirmation claim of RFC 7800 with the DPoP key thumbprint
// of RFC 9449 §6.1.
type cnf struct {
	JKT string `json:"jkt"`
}

// Issuer signs tokens with the signing key of a Keys.
type Issuer struct {
	keys *Keys
	hdr  map[domain.TokenKind]string // encoded protected header per kind, built once
}

// NewIssuer returns an issuer signing with keys' signing key; with
// verify-only keys every Issue fails.
func NewIssuer(keys *Keys) *Issuer {
	i := &Issuer{keys: keys, hdr: make(map[domain.TokenKind]string, 2)}
	if keys.signer == nil {
		return i
	}
	for _, kind := range []domain.TokenKind{domain.Access, domain.Refresh} {
		b, _ := json.Marshal(header{Alg: keys.signer.alg, Kid: keys.signer.kid, Typ: kind.Typ()})
		i.hdr[kind] = b64.EncodeToString(b)
	}
	return i
}

var b64 = base64.RawURLEncoding

// Issue returns the compact JWS of the claims. The header and claims are
// serialized in a fixed order and every algorithm signs deterministically
// (ES256 by RFC 6979), so the same claims always give the same bytes.
func (i *Issuer) Issue(_ context.Context, c domain.Claims) (string, error) {
	if i.keys.signer == nil {
		return "", errNoSigner
	}
	body, err := json.Marshal(payload{
		Iss: c.Issuer, Sub: c.Subject, Aud: c.Audience,
		Exp: c.ExpiresAt.Unix(), Nbf: c.NotBefore.Unix(), Iat: c.IssuedAt.Unix(),
		Jti: c.ID, Sid: c.SessionID, Username: c.Username, Type: c.Kind.String(), ClientID: c.ClientID, Scope: c.Scope,
		Cnf: cnfOf(c.JKT),
	})
	if err != nil {
		return "", fmt.Errorf("jwx: encode claims: %w", err)
	}
	hdr := i.hdr[c.Kind]
	buf := make([]byte, 0, len(hdr)+1+b64.EncodedLen(len(body))+1+b64.EncodedLen(512))
	buf = append(buf, hdr...)
	buf = append(buf, '.')
	buf = b64.AppendEncode(buf, body)
	sig, err := sign(i.keys.signer, buf)
	if err != nil {
		return "", fmt.Errorf("jwx: sign: %w", err)
	}
	buf = append(buf, '.')
	buf = b64.AppendEncode(buf, sig)
	return string(buf), nil
}

// sign signs the signing input with the key. ECDSA is signed with a nil
// random source, which makes Go's crypto/ecdsa deterministic (RFC 6979); the
// other algorithms are deterministic by nature.
func sign(k *key, input []byte) ([]byte, error) {
	priv, ok := k.sign.(*ecdsa.PrivateKey)
	if !ok {
		return jwsbb.Sign(k.sign, k.alg, input, nil)
	}
	digest := sha256Sum(input)
	der, err := priv.Sign(nil, digest, crypto.SHA256)
	if err != nil {
		return nil, err
	}
	var r, s big.Int
	if err := jwsbb.UnpackASN1ECDSASignature(der, &r, &s); err != nil {
		return nil, err
	}
	return jwsbb.PackECDSASignature(&r, &s, priv.Curve.Params().BitSize)
}

func cnfOf(jkt string) *cnf {
	if jkt == "" {
		return nil
	}
	return &cnf{JKT: jkt}
}
