package jwx

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

// Algorithms authd signs with, by their JOSE names.
const (
	EdDSA = "EdDSA"
	ES256 = "ES256"
	RS256 = "RS256"
	HS256 = "HS256"
)

// Algorithms lists the supported algorithms, the default first.
var Algorithms = []string{EdDSA, ES256, RS256, HS256}

// Minimum key sizes: 32 bytes for an HMAC secret (the SHA-256 output size,
// RFC 7518 §3.2) and 2048 bits for RSA (RFC 7518 §3.3).
const (
	MinHMACSecret = 32
	MinRSABits    = 2048
)

// key is one configured key: its id, its one algorithm, the raw key to sign
// with (nil for verify-only keys) and the raw key to verify with.
type key struct {
	kid    string
	alg    string
	sign   any // ed25519.PrivateKey, *ecdsa.PrivateKey, *rsa.PrivateKey or []byte
	verify any // ed25519.PublicKey, *ecdsa.PublicKey, *rsa.PublicKey or []byte
}

// Keys holds the signing key and every key tokens may be verified with,
// each bound to its own algorithm.
type Keys struct {
	signer *key   // nil for verify-only keys
	all    []*key // signer first
	byKID  map[string]*key
	// byAlg is the first key of each algorithm: the one that signs what
	// is signed with that algorithm (ID tokens, whose algorithm is chosen
	// per client, apart from access tokens). Nil for verify-only keys.
	byAlg map[string]*key
}

// Signs reports whether the keys can sign with alg.
func (k *Keys) Signs(alg string) bool { _, ok := k.byAlg[alg]; return ok }

// SigningAlgorithms returns the algorithms the keys can sign with, the
// access tokens' first.
func (k *Keys) SigningAlgorithms() []string {
	var out []string
	for _, key := range k.all {
		if k.byAlg[key.alg] == key {
			out = append(out, key.alg)
		}
	}
	return out
}

// WithGenerated returns the keys with a freshly generated signing key for
// alg added after them when they have none for it, or the keys themselves.
// The new key signs only what asks for alg (ID tokens); the access tokens'
// signer stays the first key.
func (k *Keys) WithGenerated(alg string) (*Keys, error) {
	if k.Signs(alg) {
		return k, nil
	}
	raw, err := generateRaw(alg)
	if err != nil {
		return nil, err
	}
	nk, err := privateKey(raw, alg, "")
	if err != nil {
		return nil, err
	}
	return newKeys(append(append([]*key(nil), k.all...), nk)...)
}

// Algorithm returns the signing algorithm's JOSE name, "" for verify-only
// keys (ParsePublicKeySet).
func (k *Keys) Algorithm() string {
	if k.signer == nil {
		return ""
	}
	return k.signer.alg
}

// SignerKID returns the kid of the signing key, "" for verify-only keys.
func (k *Keys) SignerKID() string {
	if k.signer == nil {
		return ""
	}
	return k.signer.kid
}

// KIDs returns the kid of every key, the signer first.
func (k *Keys) KIDs() []string {
	out := make([]string, len(k.all))
	for i, key := range k.all {
		out[i] = key.kid
	}
	return out
}

func newKeys(keys ...*key) (*Keys, error) {
	if len(keys) == 0 {
		return nil, errors.New("jwx: no keys")
	}
	ks := &Keys{signer: keys[0], all: keys, byKID: make(map[string]*key, len(keys)), byAlg: map[string]*key{}}
	for _, k := range keys {
		if _, ok := ks.byAlg[k.alg]; !ok {
			ks.byAlg[k.alg] = k
		}
		if k.kid == "" {
			return nil, errors.New("jwx: every key needs a kid")
		}
		if _, dup := ks.byKID[k.kid]; dup {
			return nil, fmt.Errorf("jwx: duplicate kid %q", k.kid)
		}
		ks.byKID[k.kid] = k
	}
	return ks, nil
}

// Generate returns a fresh key for alg (EdDSA, ES256 or RS256), with its
// RFC 7638 thumbprint as kid. HS256 needs a shared secret; use HMAC.
func Generate(alg string) (*Keys, error) {
	raw, err := generateRaw(alg)
	if err != nil {
		return nil, err
	}
	k, err := privateKey(raw, alg, "")
	if err != nil {
		return nil, err
	}
	return newKeys(k)
}

func generateRaw(alg string) (any, error) {
	switch alg {
	case EdDSA:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	case ES256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case RS256:
		return rsa.GenerateKey(rand.Reader, MinRSABits)
	case HS256:
		secret := make([]byte, MinHMACSecret)
		_, err := rand.Read(secret)
		return secret, err
	}
	return nil, fmt.Errorf("jwx: unsupported algorithm %q (want one of %v)", alg, Algorithms)
}

// HMAC returns the keys of an HS256 secret of at least MinHMACSecret
// bytes, with kid "hs256". The kid is fixed because anything derived from
// the secret would let a weak secret be guessed offline.
func HMAC(secret []byte) (*Keys, error) {
	k, err := privateKey(append([]byte(nil), secret...), HS256, "hs256")
	if err != nil {
		return nil, err
	}
	return newKeys(k)
}

// privateKey checks a raw private key against alg and returns it as a
// configured key; kid defaults to the RFC 7638 thumbprint of the public key.
func privateKey(raw any, alg, kid string) (*key, error) {
	k := &key{kid: kid, alg: alg, sign: raw}
	switch priv := raw.(type) {
	case ed25519.PrivateKey:
		if alg != EdDSA || len(priv) != ed25519.PrivateKeySize {
			return nil, fmt.Errorf("jwx: an Ed25519 key signs only EdDSA, not %q", alg)
		}
		k.verify = priv.Public()
	case *ecdsa.PrivateKey:
		if alg != ES256 || priv.Curve != elliptic.P256() {
			return nil, fmt.Errorf("jwx: ES256 needs a P-256 key")
		}
		k.verify = &priv.PublicKey
	case *rsa.PrivateKey:
		if alg != RS256 || priv.N.BitLen() < MinRSABits {
			return nil, fmt.Errorf("jwx: RS256 needs an RSA key of at least %d bits", MinRSABits)
		}
		k.verify = &priv.PublicKey
	case []byte:
		if alg != HS256 {
			return nil, fmt.Errorf("jwx: a symmetric key signs only HS256, not %q", alg)
		}
		if len(priv) < MinHMACSecret {
			return nil, fmt.Errorf("jwx: HS256 secret has %d bytes, needs at least %d", len(priv), MinHMACSecret)
		}
		k.verify = priv
		if k.kid == "" {
			return nil, errors.New("jwx: a symmetric key needs an explicit kid")
		}
		return k, nil
	default:
		return nil, fmt.Errorf("jwx: unsupported key type %T", raw)
	}
	if k.kid == "" {
		pub, err := jwk.Import(k.verify)
		if err != nil {
			return nil, fmt.Errorf("jwx: import key: %w", err)
		}
		tp, err := pub.Thumbprint(cryptoSHA256)
		if err != nil {
			return nil, fmt.Errorf("jwx: thumbprint: %w", err)
		}
		k.kid = base64.RawURLEncoding.EncodeToString(tp)
	}
	return k, nil
}

// algOf returns the algorithm a JWK is for: its "alg" member, or else the
// one authd uses for its key type.
func algOf(k jwk.Key) string {
	if a, ok := k.Algorithm(); ok && a.String() != "" {
		return a.String()
	}
	switch k.KeyType() {
	case jwa.OKP():
		return EdDSA
	case jwa.EC():
		return ES256
	case jwa.RSA():
		return RS256
	case jwa.OctetSeq():
		return HS256
	}
	return ""
}

// ParseKeySet reads a JWK Set of private keys (AUTH_JWT_KEYS_FILE). The first
// key signs and must be for alg; the others only verify, each with its own
// algorithm. Every key needs a unique kid.
func ParseKeySet(data []byte, alg string) (*Keys, error) {
	set, err := jwk.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("jwx: key set: %w", err)
	}
	if set.Len() == 0 {
		return nil, errors.New("jwx: key set has no keys")
	}
	keys := make([]*key, 0, set.Len())
	for i := range set.Len() {
		jk, _ := set.Key(i)
		kid, _ := jk.KeyID()
		if kid == "" {
			return nil, fmt.Errorf("jwx: key %d has no kid", i)
		}
		if private, err := jwk.IsPrivateKey(jk); jk.KeyType() != jwa.OctetSeq() && (err != nil || !private) {
			return nil, fmt.Errorf("jwx: key %q is not a private key", kid)
		}
		var raw any
		if err := jwk.Export(jk, &raw); err != nil {
			return nil, fmt.Errorf("jwx: key %q: %w", kid, err)
		}
		if p, ok := raw.(*ed25519.PrivateKey); ok {
			raw = *p
		}
		k, err := privateKey(raw, algOf(jk), kid)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", kid, err)
		}
		keys = append(keys, k)
	}
	if keys[0].alg != alg {
		return nil, fmt.Errorf("jwx: the first key (%q) is for %s, but the signing algorithm is %s", keys[0].kid, keys[0].alg, alg)
	}
	return newKeys(keys...)
}

// jwkOf returns the JWK of a raw key with kid, alg and use set, and no
// key_ops (RFC 7517 §4.3: use and key_ops should not both be present).
func jwkOf(raw any, k *key) (jwk.Key, error) {
	jk, err := jwk.Import(raw)
	if err != nil {
		return nil, fmt.Errorf("jwx: import key %q: %w", k.kid, err)
	}
	alg, ok := jwa.LookupSignatureAlgorithm(k.alg)
	if !ok {
		return nil, fmt.Errorf("jwx: unknown algorithm %q", k.alg)
	}
	for name, v := range map[string]any{jwk.KeyIDKey: k.kid, jwk.AlgorithmKey: alg, jwk.KeyUsageKey: "sig"} {
		if err := jk.Set(name, v); err != nil {
			return nil, fmt.Errorf("jwx: key %q: %w", k.kid, err)
		}
	}
	return jk, nil
}

// PublicJWKS returns the JWK Set of the public keys, for
// /.well-known/jwks.json. A symmetric key is never published, so an HS256
// configuration publishes an empty set.
func (k *Keys) PublicJWKS() ([]byte, error) {
	set := jwk.NewSet()
	for _, key := range k.all {
		if key.alg == HS256 {
			continue
		}
		jk, err := jwkOf(key.verify, key)
		if err != nil {
			return nil, err
		}
		if err := set.AddKey(jk); err != nil {
			return nil, err
		}
	}
	return json.Marshal(set)
}

// PrivateJWKS returns the JWK Set of the private keys, in the format
// ParseKeySet reads: what `authd keygen` prints.
func (k *Keys) PrivateJWKS() ([]byte, error) {
	set := jwk.NewSet()
	for _, key := range k.all {
		jk, err := jwkOf(key.sign, key)
		if err != nil {
			return nil, err
		}
		if err := set.AddKey(jk); err != nil {
			return nil, err
		}
	}
	return json.MarshalIndent(set, "", "  ")
}

// FromPrivateKey returns the keys of one raw private key (an
// ed25519.PrivateKey, *ecdsa.PrivateKey or *rsa.PrivateKey) for alg, with its
// RFC 7638 thumbprint as kid.
func FromPrivateKey(raw any, alg string) (*Keys, error) {
	k, err := privateKey(raw, alg, "")
	if err != nil {
		return nil, err
	}
	return newKeys(k)
}

// GenerateHMAC returns a fresh random HS256 secret of MinHMACSecret bytes
// with the given kid, for a keys file shared by instances that all sign.
func GenerateHMAC(kid string) (*Keys, error) {
	raw, err := generateRaw(HS256)
	if err != nil {
		return nil, err
	}
	k, err := privateKey(raw, HS256, kid)
	if err != nil {
		return nil, err
	}
	return newKeys(k)
}
