package e2e

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/adapters/jwx"
	"github.com/authd/authd/cmd/internal/authd"
	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var b64 = base64.RawURLEncoding

func bigInt(t *testing.T, s any) *big.Int {
	b, err := b64.DecodeString(s.(string))
	require.NoError(t, err)
	return new(big.Int).SetBytes(b)
}

// verifyWithJWKS checks a token's signature using only the published JWKS
// and the standard library's crypto: no jwx, as a relying service in
// another stack would.
func verifyWithJWKS(t *testing.T, token string, keys []map[string]any) bool {
	t.Helper()
	parts := strings.Split(token, ".")
	var hdr struct{ Alg, Kid string }
	raw, err := b64.DecodeString(parts[0])
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &hdr))
	sig, err := b64.DecodeString(parts[2])
	require.NoError(t, err)
	input := []byte(parts[0] + "." + parts[1])
	digest := sha256.Sum256(input)
	for _, k := range keys {
		if k["kid"] != hdr.Kid || k["alg"] != hdr.Alg {
			continue
		}
		switch hdr.Alg {
		case "EdDSA":
			x, _ := b64.DecodeString(k["x"].(string))
			return ed25519.Verify(ed25519.PublicKey(x), input, sig)
		case "ES256":
			x, _ := b64.DecodeString(k["x"].(string))
			y, _ := b64.DecodeString(k["y"].(string))
			pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
			require.NoError(t, err)
			return len(sig) == 64 && ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
		case "RS256":
			pub := &rsa.PublicKey{N: bigInt(t, k["n"]), E: int(bigInt(t, k["e"]).Int64())}
			return rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig) == nil
		}
	}
	return false
}

// TestEveryAlgorithmVerifiesWithTheJWKSAlone issues tokens with each
// asymmetric algorithm and checks them with nothing but the JWKS and the
// standard library; HS256 publishes no key at all.
func TestEveryAlgorithmVerifiesWithTheJWKSAlone(t *testing.T) {
	t.Parallel()
	for _, alg := range []string{jwx.EdDSA, jwx.ES256, jwx.RS256} {
		t.Run(alg, func(t *testing.T) {
			e := harness.NewEnv(t, func(c *authd.Config) { c.JWTAlg = alg })
			p := e.Login("minsu", "1229")
			keys := e.JWKS()
			require.Len(t, keys, 1)
			k := keys[0]
			assert.Equal(t, alg, k["alg"])
			assert.Equal(t, "sig", k["use"])
			assert.NotEmpty(t, k["kid"])
			for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k", "key_ops"} {
				assert.NotContains(t, k, private)
			}
			assert.True(t, verifyWithJWKS(t, p.Access, keys))
			assert.True(t, verifyWithJWKS(t, p.Refresh, keys))
			tampered := flipSignatureChar(p.Access)
			assert.False(t, verifyWithJWKS(t, tampered, keys))
			assert.Equal(t, 200, e.Protected(p.Access).Status)
			assert.Equal(t, 200, e.Refresh(p.Refresh).Status)
		})
	}
	t.Run("HS256", func(t *testing.T) {
		e := harness.NewEnv(t, func(c *authd.Config) { c.JWTAlg, c.JWTSecret = jwx.HS256, strings.Repeat("k", 32) })
		assert.Empty(t, e.JWKS(), "a symmetric key is never published")
		r := e.Do("GET", "/.well-known/jwks.json", "")
		assert.JSONEq(t, `{"keys":[]}`, r.Raw)
	})
}

// TestGraceReplayIsByteIdenticalForEveryAlgorithm: ES256 too, since
// signing is deterministic (RFC 6979).
func TestGraceReplayIsByteIdenticalForEveryAlgorithm(t *testing.T) {
	t.Parallel()
	for _, alg := range []string{jwx.EdDSA, jwx.ES256, jwx.RS256} {
		e := harness.NewEnv(t, harness.WithGrace(5*time.Second), func(c *authd.Config) { c.JWTAlg = alg })
		p := e.Login("minsu", "1229")
		first := e.Refresh(p.Refresh).Pair(t)
		again := e.Refresh(p.Refresh).Pair(t)
		assert.Equal(t, first, again, alg)
	}
}

// TestKeyRotation walks a signing key rotation through restarts: publish the
// new key, make it the signer, retire the old one. Old tokens stay valid
// until the old key is removed; the JWKS shows each step.
func TestKeyRotation(t *testing.T) {
	t.Parallel()
	oldKey, err := jwx.Generate(jwx.EdDSA)
	require.NoError(t, err)
	newKey, err := jwx.Generate(jwx.EdDSA)
	require.NoError(t, err)
	kids := func(e *harness.Env) []any {
		var out []any
		for _, k := range e.JWKS() {
			out = append(out, k["kid"])
		}
		return out
	}

	// Step 0: the old key signs alone.
	e0 := harness.NewEnv(t, harness.WithKeys(jwx.EdDSA, harness.KeysFile(t, oldKey)))
	assert.Equal(t, []any{oldKey.SignerKID()}, kids(e0))
	oldToken := e0.Login("minsu", "1229").Access

	// Step 1: the new key is published but the old one still signs.
	e1 := harness.NewEnv(t, harness.WithKeys(jwx.EdDSA, harness.KeysFile(t, oldKey, newKey)))
	assert.Equal(t, []any{oldKey.SignerKID(), newKey.SignerKID()}, kids(e1))
	assert.Equal(t, 200, e1.Protected(oldToken).Status)

	// Step 2: the new key signs; the old one only verifies.
	e2 := harness.NewEnv(t, harness.WithKeys(jwx.EdDSA, harness.KeysFile(t, newKey, oldKey)))
	assert.Equal(t, []any{newKey.SignerKID(), oldKey.SignerKID()}, kids(e2))
	newToken := e2.Login("minsu", "1229").Access
	assert.Equal(t, 200, e2.Protected(oldToken).Status, "tokens of the old signer stay valid")
	assert.Equal(t, 200, e2.Protected(newToken).Status)
	assert.Contains(t, strings.Split(newToken, ".")[0], b64.EncodeToString([]byte(`{"alg":"EdDSA","kid":"`+newKey.SignerKID())))

	// Step 3: the old key is retired.
	e3 := harness.NewEnv(t, harness.WithKeys(jwx.EdDSA, harness.KeysFile(t, newKey)))
	assert.Equal(t, []any{newKey.SignerKID()}, kids(e3))
	harness.AssertError(t, e3.Protected(oldToken), 401, "invalid_token")
	assert.Equal(t, 200, e3.Protected(newToken).Status)
}

// forge signs arbitrary header and payload JSON with a raw key and
// algorithm, as an attacker who holds that key would.
func forge(t *testing.T, header, payload string, key any, alg string) string {
	t.Helper()
	input := b64.EncodeToString([]byte(header)) + "." + b64.EncodeToString([]byte(payload))
	var sig []byte
	switch alg {
	case "EdDSA":
		sig = ed25519.Sign(key.(ed25519.PrivateKey), []byte(input))
	case "HS256":
		m := hmac.New(sha256.New, key.([]byte))
		m.Write([]byte(input))
		sig = m.Sum(nil)
	case "ES256":
		d := sha256.Sum256([]byte(input))
		r, s, err := ecdsa.Sign(rand.Reader, key.(*ecdsa.PrivateKey), d[:])
		require.NoError(t, err)
		sig = append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
	case "none":
	}
	return input + "." + b64.EncodeToString(sig)
}

// flipSignatureChar changes one character in the middle of a token's
// signature to a different one, so the signature surely no longer matches.
func flipSignatureChar(token string) string {
	i := strings.LastIndexByte(token, '.') + 5
	c := byte('A')
	if token[i] == 'A' {
		c = 'B'
	}
	return token[:i] + string(c) + token[i+1:]
}
