package jwx

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

// MinHMACSecret is the shortest HS256 secret authd accepts: 32 bytes, the
// size of the SHA-256 output, as RFC 7518 section 3.2 requires.
const MinHMACSecret = 32

// key is one configured key: its id, algorithm and the raw key material jwx
// signs or verifies with.
type key struct {
	kid    string
	alg    jwa.SignatureAlgorithm
	sign   any // private or symmetric key; nil for a verify-only key
	verify any // public or symmetric key
}

// Keys holds the signing key and every key tokens may be verified with.
type Keys struct {
	signer *key
	byKID  map[string]*key
}

// Algorithm returns the name of the signing algorithm, such as "EdDSA".
func (k *Keys) Algorithm() string { return k.signer.alg.String() }

// SignerKID returns the kid of the signing key.
func (k *Keys) SignerKID() string { return k.signer.kid }

func newKeys(signer *key) *Keys {
	return &Keys{signer: signer, byKID: map[string]*key{signer.kid: signer}}
}

// GenerateEdDSA returns a fresh Ed25519 key, with its RFC 7638 thumbprint
// as kid. Tokens it signs die with the process.
func GenerateEdDSA() (*Keys, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("jwx: generate Ed25519 key: %w", err)
	}
	return EdDSA(priv)
}

// EdDSA returns the keys of an Ed25519 private key, with its RFC 7638
// thumbprint as kid.
func EdDSA(priv ed25519.PrivateKey) (*Keys, error) {
	pub, ok := priv.Public().(ed25519.PublicKey)
	if !ok || len(priv) != ed25519.PrivateKeySize {
		return nil, errors.New("jwx: not an Ed25519 private key")
	}
	kid, err := thumbprint(pub)
	if err != nil {
		return nil, err
	}
	return newKeys(&key{kid: kid, alg: jwa.EdDSA(), sign: priv, verify: pub}), nil
}

// HS256 returns the keys of an HMAC secret of at least MinHMACSecret bytes.
// Its kid is fixed, since a thumbprint of a secret says something about it.
func HS256(secret []byte) (*Keys, error) {
	if len(secret) < MinHMACSecret {
		return nil, fmt.Errorf("jwx: HS256 secret has %d bytes, needs at least %d", len(secret), MinHMACSecret)
	}
	s := append([]byte(nil), secret...)
	return newKeys(&key{kid: "hs256", alg: jwa.HS256(), sign: s, verify: s}), nil
}

func thumbprint(pub any) (string, error) {
	jk, err := jwk.Import(pub)
	if err != nil {
		return "", fmt.Errorf("jwx: import key: %w", err)
	}
	tp, err := jk.Thumbprint(cryptoSHA256)
	if err != nil {
		return "", fmt.Errorf("jwx: thumbprint: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(tp), nil
}
