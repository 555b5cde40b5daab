package authd

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
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/adapters/jwx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var b64 = base64.RawURLEncoding

// keysFile writes the private JWK Set of the keys, in order, to a file and
// returns its path.
func keysFile(t *testing.T, keys ...*jwx.Keys) string {
	t.Helper()
	var all []json.RawMessage
	for _, k := range keys {
		raw, err := k.PrivateJWKS()
		require.NoError(t, err)
		var set struct{ Keys []json.RawMessage }
		require.NoError(t, json.Unmarshal(raw, &set))
		all = append(all, set.Keys...)
	}
	data, err := json.Marshal(map[string]any{"keys": all})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "keys.json")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	return path
}

func withKeys(alg, path string) func(*Config) {
	return func(c *Config) { c.JWTAlg, c.JWTKeysFile = alg, path }
}

// jwks fetches and decodes the JWKS endpoint.
func (e *env) jwks() []map[string]any {
	e.t.Helper()
	r := e.do("GET", "/.well-known/jwks.json", "")
	require.Equal(e.t, 200, r.status, r.raw)
	require.Equal(e.t, "public, max-age=300", r.header.Get("Cache-Control"))
	var set struct{ Keys []map[string]any }
	require.NoError(e.t, json.Unmarshal([]byte(r.raw), &set))
	return set.Keys
}

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
	for _, alg := range []string{jwx.EdDSA, jwx.ES256, jwx.RS256} {
		t.Run(alg, func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.JWTAlg = alg })
			p := e.login("minsu", "1229")
			keys := e.jwks()
			require.Len(t, keys, 1)
			k := keys[0]
			assert.Equal(t, alg, k["alg"])
			assert.Equal(t, "sig", k["use"])
			assert.NotEmpty(t, k["kid"])
			for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k", "key_ops"} {
				assert.NotContains(t, k, private)
			}
			assert.True(t, verifyWithJWKS(t, p.access, keys))
			assert.True(t, verifyWithJWKS(t, p.refresh, keys))
			tampered := flipSignatureChar(p.access)
			assert.False(t, verifyWithJWKS(t, tampered, keys))
			assert.Equal(t, 200, e.protected(p.access).status)
			assert.Equal(t, 200, e.refresh(p.refresh).status)
		})
	}
	t.Run("HS256", func(t *testing.T) {
		e := newEnv(t, func(c *Config) { c.JWTAlg, c.JWTSecret = jwx.HS256, strings.Repeat("k", 32) })
		assert.Empty(t, e.jwks(), "a symmetric key is never published")
		r := e.do("GET", "/.well-known/jwks.json", "")
		assert.JSONEq(t, `{"keys":[]}`, r.raw)
	})
}

// TestGraceReplayIsByteIdenticalForEveryAlgorithm: ES256 too, since
// signing is deterministic (RFC 6979).
func TestGraceReplayIsByteIdenticalForEveryAlgorithm(t *testing.T) {
	for _, alg := range []string{jwx.EdDSA, jwx.ES256, jwx.RS256} {
		e := newEnv(t, withGrace(5*time.Second), func(c *Config) { c.JWTAlg = alg })
		p := e.login("minsu", "1229")
		first := e.refresh(p.refresh).pair(t)
		again := e.refresh(p.refresh).pair(t)
		assert.Equal(t, first, again, alg)
	}
}

// TestKeyRotation walks a signing key rotation through restarts: publish the
// new key, make it the signer, retire the old one. Old tokens stay valid
// until the old key is removed; the JWKS shows each step.
func TestKeyRotation(t *testing.T) {
	oldKey, err := jwx.Generate(jwx.EdDSA)
	require.NoError(t, err)
	newKey, err := jwx.Generate(jwx.EdDSA)
	require.NoError(t, err)
	kids := func(e *env) []any {
		var out []any
		for _, k := range e.jwks() {
			out = append(out, k["kid"])
		}
		return out
	}

	// Step 0: the old key signs alone.
	e0 := newEnv(t, withKeys(jwx.EdDSA, keysFile(t, oldKey)))
	assert.Equal(t, []any{oldKey.SignerKID()}, kids(e0))
	oldToken := e0.login("minsu", "1229").access

	// Step 1: the new key is published but the old one still signs.
	e1 := newEnv(t, withKeys(jwx.EdDSA, keysFile(t, oldKey, newKey)))
	assert.Equal(t, []any{oldKey.SignerKID(), newKey.SignerKID()}, kids(e1))
	assert.Equal(t, 200, e1.protected(oldToken).status)

	// Step 2: the new key signs; the old one only verifies.
	e2 := newEnv(t, withKeys(jwx.EdDSA, keysFile(t, newKey, oldKey)))
	assert.Equal(t, []any{newKey.SignerKID(), oldKey.SignerKID()}, kids(e2))
	newToken := e2.login("minsu", "1229").access
	assert.Equal(t, 200, e2.protected(oldToken).status, "tokens of the old signer stay valid")
	assert.Equal(t, 200, e2.protected(newToken).status)
	assert.Contains(t, strings.Split(newToken, ".")[0], b64.EncodeToString([]byte(`{"alg":"EdDSA","kid":"`+newKey.SignerKID())))

	// Step 3: the old key is retired.
	e3 := newEnv(t, withKeys(jwx.EdDSA, keysFile(t, newKey)))
	assert.Equal(t, []any{newKey.SignerKID()}, kids(e3))
	assertError(t, e3.protected(oldToken), 401, "invalid_token")
	assert.Equal(t, 200, e3.protected(newToken).status)
}

func TestKeysFileErrors(t *testing.T) {
	ed, err := jwx.Generate(jwx.EdDSA)
	require.NoError(t, err)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	pub, err := ed.PublicJWKS()
	require.NoError(t, err)
	for name, tc := range map[string]struct{ alg, path string }{
		"missing file":      {jwx.EdDSA, filepath.Join(dir, "nope.json")},
		"not JSON":          {jwx.EdDSA, write("bad.json", "{")},
		"empty set":         {jwx.EdDSA, write("empty.json", `{"keys":[]}`)},
		"public keys only":  {jwx.EdDSA, write("pub.json", string(pub))},
		"signer of another": {jwx.ES256, keysFile(t, ed)},
		"duplicate kid":     {jwx.EdDSA, keysFile(t, ed, ed)},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := defaultConfig(t)
			cfg.JWTAlg, cfg.JWTKeysFile = tc.alg, tc.path
			_, err := Build(cfg, nil, &syncBuffer{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "AUTH_JWT_KEYS_FILE")
		})
	}
}

func TestKeygenToAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	require.NoError(t, Run(t.Context(), []string{"keygen", "--alg", "EdDSA", "--out", path}, func(string) string { return "" }, nil, io.Discard, io.Discard))
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "a private key file is for its owner only")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	_, err = jwx.ParseKeySet(data, jwx.EdDSA)
	require.NoError(t, err)
	assert.Error(t, Run(t.Context(), []string{"keygen", "--out", path}, func(string) string { return "" }, nil, io.Discard, io.Discard), "never overwrites")
}

func TestKeygen(t *testing.T) {
	for _, alg := range jwx.Algorithms {
		var out strings.Builder
		require.NoError(t, Run(t.Context(), []string{"keygen", "--alg", alg}, func(string) string { return "" }, strings.NewReader(""), &out, &syncBuffer{}))
		keys, err := jwx.ParseKeySet([]byte(out.String()), alg)
		require.NoError(t, err, alg)
		assert.NotEmpty(t, keys.SignerKID())
	}
	err := Run(t.Context(), []string{"keygen", "--alg", "none"}, func(string) string { return "" }, strings.NewReader(""), &strings.Builder{}, &syncBuffer{})
	assert.Error(t, err)
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
