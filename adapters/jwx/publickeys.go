package jwx

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"fmt"
	"strings"

	"github.com/authd/authd/domain"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

// ParsePublicKeySet reads a JWK Set of public keys, such as authd's
// /.well-known/jwks.json, into verify-only Keys: a Verifier built on them
// checks tokens exactly as authd's own does, and they sign nothing
// (Algorithm and SignerKID are empty, and NewIssuer must not be given
// them). Every key needs a unique kid and is bound to its one algorithm
// (its alg member, or the one authd uses for its key type); symmetric and
// private keys are refused, as are RSA keys under MinRSABits and EC keys
// not on P-256. An empty set is valid: it verifies nothing.
func ParsePublicKeySet(data []byte) (*Keys, error) {
	set, err := jwk.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("jwx: public key set: %w", err)
	}
	ks := &Keys{byKID: make(map[string]*key, set.Len())}
	for i := range set.Len() {
		jk, _ := set.Key(i)
		kid, _ := jk.KeyID()
		switch private, _ := jwk.IsPrivateKey(jk); {
		case kid == "":
			return nil, fmt.Errorf("jwx: public key %d has no kid", i)
		case jk.KeyType() == jwa.OctetSeq() || private:
			return nil, fmt.Errorf("jwx: key %q is not a public key", kid)
		}
		if _, dup := ks.byKID[kid]; dup {
			return nil, fmt.Errorf("jwx: duplicate kid %q", kid)
		}
		var raw any
		if err := jwk.Export(jk, &raw); err != nil {
			return nil, fmt.Errorf("jwx: key %q: %w", kid, err)
		}
		k, err := publicKey(raw, algOf(jk), kid)
		if err != nil {
			return nil, err
		}
		ks.all = append(ks.all, k)
		ks.byKID[kid] = k
	}
	return ks, nil
}

// publicKey checks a raw public key against alg.
func publicKey(raw any, alg, kid string) (*key, error) {
	k := &key{kid: kid, alg: alg}
	switch pub := raw.(type) {
	case ed25519.PublicKey:
		if alg != EdDSA || len(pub) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("jwx: key %q: an Ed25519 key verifies only EdDSA, not %q", kid, alg)
		}
		k.verify = pub
	case *ecdsa.PublicKey:
		if alg != ES256 || pub.Curve != elliptic.P256() {
			return nil, fmt.Errorf("jwx: key %q: ES256 needs a P-256 key", kid)
		}
		k.verify = pub
	case *rsa.PublicKey:
		if alg != RS256 || pub.N.BitLen() < MinRSABits {
			return nil, fmt.Errorf("jwx: key %q: RS256 needs an RSA key of at least %d bits", kid, MinRSABits)
		}
		k.verify = pub
	default:
		return nil, fmt.Errorf("jwx: key %q: unsupported key type %T", kid, raw)
	}
	return k, nil
}

// Has reports whether the keys hold one with the kid.
func (k *Keys) Has(kid string) bool {
	_, ok := k.byKID[kid]
	return ok
}

// TokenKeyID returns the kid in a token's protected header, read by the
// same strict reader Verify uses, so a caller holding keys fetched from a
// JWKS can tell an unknown kid (time to fetch again) from a bad token. It
// returns domain.ErrInvalidToken (as a *domain.TokenError) for anything
// that is not a compact JWS with a string kid. It verifies nothing.
func TokenKeyID(token string) (string, error) {
	if err := checkCompact(token); err != nil {
		return "", err
	}
	hdrJSON, err := decodeSegment(token[:strings.IndexByte(token, '.')])
	if err != nil {
		return "", err
	}
	var h verifyHeader
	if err := decodeMembers(hdrJSON, headerMembers, &h); err != nil {
		return "", domain.InvalidToken("header: " + err.Error())
	}
	if h.Kid == nil {
		return "", domain.InvalidToken("header: kid is required")
	}
	return *h.Kid, nil
}

// errNoSigner is returned by NewIssuer's Issue for verify-only keys.
var errNoSigner = errors.New("jwx: verify-only keys sign nothing")
