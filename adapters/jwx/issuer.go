package jwx

import (
	"context"
	"crypto"
	"fmt"

	"github.com/authd/authd/domain"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

const cryptoSHA256 = crypto.SHA256

// Issuer signs tokens with the signing key of a Keys.
type Issuer struct {
	keys *Keys
}

// NewIssuer returns an issuer signing with keys' signing key.
func NewIssuer(keys *Keys) *Issuer { return &Issuer{keys: keys} }

// Issue returns the compact JWS of the claims, with kid and typ in the
// protected header. The claims are serialized in a fixed order, so the same
// claims give the same bytes with a deterministic algorithm.
func (i *Issuer) Issue(_ context.Context, c domain.Claims) (string, error) {
	tok, err := jwt.NewBuilder().
		Issuer(c.Issuer).
		Audience([]string{c.Audience}).
		Subject(c.Subject).
		JwtID(c.ID).
		IssuedAt(c.IssuedAt).
		NotBefore(c.NotBefore).
		Expiration(c.ExpiresAt).
		Claim(claimUsername, c.Username).
		Claim(claimSession, c.SessionID).
		Claim(claimType, c.Kind.String()).
		Build()
	if err != nil {
		return "", fmt.Errorf("jwx: build token: %w", err)
	}
	hdr := jws.NewHeaders()
	if err := hdr.Set(jws.KeyIDKey, i.keys.signer.kid); err != nil {
		return "", fmt.Errorf("jwx: header: %w", err)
	}
	if err := hdr.Set(jws.TypeKey, c.Kind.Typ()); err != nil {
		return "", fmt.Errorf("jwx: header: %w", err)
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(i.keys.signer.alg, i.keys.signer.sign, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return "", fmt.Errorf("jwx: sign: %w", err)
	}
	return string(signed), nil
}

// Names of authd's private claims.
const (
	claimUsername = "preferred_username"
	claimSession  = "sid"
	claimType     = "type"
)
