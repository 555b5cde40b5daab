package jwx_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/authd/authd/adapters/jwx"
	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws/jwsbb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var _ ports.ProofVerifier = (*jwx.ProofVerifier)(nil)

// proofParts are a proof's header and claims as maps, so tests can break
// any member.
type proofParts struct {
	header, claims map[string]any
}

func ecJWK(pub *ecdsa.PublicKey) map[string]any {
	b, _ := pub.Bytes() // 0x04 || x || y
	return map[string]any{"kty": "EC", "crv": "P-256",
		"x": base64.RawURLEncoding.EncodeToString(b[1:33]), "y": base64.RawURLEncoding.EncodeToString(b[33:])}
}

func newProofParts(jwkMap map[string]any, alg string) proofParts {
	return proofParts{
		header: map[string]any{"typ": "dpop+jwt", "alg": alg, "jwk": jwkMap},
		claims: map[string]any{"jti": "e1j3V_bKic8-LAEB", "htm": "POST", "htu": "https://authd.example/login/", "iat": t0.Unix()},
	}
}

// sign makes the compact proof, signing with key under alg (which may
// differ from the header's, for tests).
func (p proofParts) sign(t testing.TB, key any, alg string) string {
	t.Helper()
	h, err := json.Marshal(p.header)
	require.NoError(t, err)
	c, err := json.Marshal(p.claims)
	require.NoError(t, err)
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	sig, err := jwsbb.Sign(key, alg, []byte(input), rand.Reader)
	require.NoError(t, err)
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func TestProofVerifierAcceptsES256AndEdDSA(t *testing.T) {
	t.Parallel()
	v, err := jwx.NewProofVerifier(domain.SupportedDPoPAlgorithms)
	require.NoError(t, err)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	edPub, edPriv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)

	for _, tc := range []struct {
		alg  string
		jwk  map[string]any
		priv any
		pub  any
	}{
		{"ES256", ecJWK(&ec.PublicKey), ec, &ec.PublicKey},
		{"EdDSA", map[string]any{"kty": "OKP", "crv": "Ed25519", "x": base64.RawURLEncoding.EncodeToString(edPub)}, edPriv, edPub},
		{"Ed25519", map[string]any{"kty": "OKP", "crv": "Ed25519", "x": base64.RawURLEncoding.EncodeToString(edPub)}, edPriv, edPub},
	} {
		t.Run(tc.alg, func(t *testing.T) {
			parts := newProofParts(tc.jwk, tc.alg)
			parts.claims["ath"] = domain.AccessTokenHash("a.b.c")
			parts.claims["nonce"] = "n-1"
			pr, err := v.VerifyProof(context.Background(), parts.sign(t, tc.priv, tc.alg))
			require.NoError(t, err)
			// The thumbprint agrees with jwx's own RFC 7638 implementation.
			k, err := jwk.Import(tc.pub)
			require.NoError(t, err)
			want, err := k.Thumbprint(crypto.SHA256)
			require.NoError(t, err)
			assert.Equal(t, base64.RawURLEncoding.EncodeToString(want), pr.JKT)
			assert.Equal(t, domain.Proof{
				JKT: pr.JKT, Algorithm: tc.alg, ID: "e1j3V_bKic8-LAEB", Method: "POST", URL: "https://authd.example/login/",
				IssuedAt: t0, AccessTokenHash: domain.AccessTokenHash("a.b.c"), Nonce: "n-1",
			}, pr)
		})
	}
}

// TestProofVerifierRefuses: every rule of the proof's form, each an
// invalid_dpop_proof.
func TestProofVerifierRefuses(t *testing.T) {
	t.Parallel()
	v, err := jwx.NewProofVerifier([]string{"ES256", "EdDSA"})
	require.NoError(t, err)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	_, edPriv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	good := func() proofParts { return newProofParts(ecJWK(&ec.PublicKey), "ES256") }
	hmacKey := []byte("0123456789abcdef0123456789abcdef")

	cases := map[string]func() string{
		"wrong typ": func() string { p := good(); p.header["typ"] = "jwt"; return p.sign(t, ec, "ES256") },
		"no typ":    func() string { p := good(); delete(p.header, "typ"); return p.sign(t, ec, "ES256") },
		"alg none": func() string {
			p := good()
			p.header["alg"] = "none"
			s := p.sign(t, ec, "ES256")
			return s[:strings.LastIndexByte(s, '.')+1] + "AA"
		},
		"alg HS256 with the jwk's x as secret": func() string {
			p := good()
			p.header["alg"] = "HS256"
			return p.sign(t, hmacKey, "HS256")
		},
		"alg RS256": func() string { p := good(); p.header["alg"] = "RS256"; return p.sign(t, ec, "ES256") },
		"alg Ed25519 with an EC key": func() string {
			p := good()
			p.header["alg"] = "Ed25519"
			return p.sign(t, edPriv, "Ed25519")
		},
		"alg EdDSA with an EC key": func() string {
			p := good()
			p.header["alg"] = "EdDSA"
			return p.sign(t, edPriv, "EdDSA")
		},
		"private key in jwk": func() string {
			p := good()
			d, err := ec.Bytes()
			require.NoError(t, err)
			p.header["jwk"].(map[string]any)["d"] = base64.RawURLEncoding.EncodeToString(d)
			return p.sign(t, ec, "ES256")
		},
		"symmetric jwk": func() string {
			p := good()
			p.header["jwk"] = map[string]any{"kty": "oct", "k": "c2VjcmV0"}
			return p.sign(t, ec, "ES256")
		},
		"jwk member in other case": func() string {
			p := good()
			p.header["jwk"].(map[string]any)["D"] = "AAAA"
			return p.sign(t, ec, "ES256")
		},
		"jwk not a point": func() string {
			p := good()
			p.header["jwk"].(map[string]any)["y"] = base64.RawURLEncoding.EncodeToString(make([]byte, 32))
			return p.sign(t, ec, "ES256")
		},
		"no jwk":             func() string { p := good(); delete(p.header, "jwk"); return p.sign(t, ec, "ES256") },
		"jwk as a string":    func() string { p := good(); p.header["jwk"] = "key"; return p.sign(t, ec, "ES256") },
		"another key signed": func() string { return good().sign(t, other, "ES256") },
		"crit":               func() string { p := good(); p.header["crit"] = []string{"exp"}; return p.sign(t, ec, "ES256") },
		"iat as a string":    func() string { p := good(); p.claims["iat"] = "1800000000"; return p.sign(t, ec, "ES256") },
		"iat as a fraction":  func() string { p := good(); p.claims["iat"] = 1800000000.5; return p.sign(t, ec, "ES256") },
		"no iat":             func() string { p := good(); delete(p.claims, "iat"); return p.sign(t, ec, "ES256") },
		"no jti":             func() string { p := good(); delete(p.claims, "jti"); return p.sign(t, ec, "ES256") },
		"empty jti":          func() string { p := good(); p.claims["jti"] = ""; return p.sign(t, ec, "ES256") },
		"jti too long":       func() string { p := good(); p.claims["jti"] = strings.Repeat("j", 257); return p.sign(t, ec, "ES256") },
		"htm a number":       func() string { p := good(); p.claims["htm"] = 1; return p.sign(t, ec, "ES256") },
		"htu null":           func() string { p := good(); p.claims["htu"] = nil; return p.sign(t, ec, "ES256") },
		"ath a number":       func() string { p := good(); p.claims["ath"] = 7; return p.sign(t, ec, "ES256") },
		"jti in other case":  func() string { p := good(); p.claims["JTI"] = "x"; return p.sign(t, ec, "ES256") },
		"oversized": func() string {
			p := good()
			p.claims["nonce"] = strings.Repeat("n", jwx.MaxProofSize)
			return p.sign(t, ec, "ES256")
		},
		"not compact": func() string { return good().sign(t, ec, "ES256") + ".x" },
		"padding":     func() string { return good().sign(t, ec, "ES256") + "=" },
		"empty":       func() string { return "" },
	}
	for name, make := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := v.VerifyProof(context.Background(), make())
			require.ErrorIs(t, err, domain.ErrInvalidDPoPProof)
			var pe *domain.ProofError
			assert.ErrorAs(t, err, &pe)
		})
	}
}

func TestProofVerifierTakesOnlyItsAlgorithms(t *testing.T) {
	t.Parallel()
	v, err := jwx.NewProofVerifier([]string{"EdDSA"})
	require.NoError(t, err)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	_, err = v.VerifyProof(context.Background(), newProofParts(ecJWK(&ec.PublicKey), "ES256").sign(t, ec, "ES256"))
	assert.ErrorIs(t, err, domain.ErrInvalidDPoPProof)
	_, err = jwx.NewProofVerifier([]string{"HS256"})
	assert.Error(t, err)
	_, err = jwx.NewProofVerifier(nil)
	assert.Error(t, err)
}

func BenchmarkVerifyProof(b *testing.B) {
	v, err := jwx.NewProofVerifier([]string{"ES256", "EdDSA"})
	require.NoError(b, err)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(b, err)
	edPub, edPriv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(b, err)
	for _, tc := range []struct {
		alg   string
		proof string
	}{
		{"ES256", newProofParts(ecJWK(&ec.PublicKey), "ES256").sign(b, ec, "ES256")},
		{"EdDSA", newProofParts(map[string]any{"kty": "OKP", "crv": "Ed25519", "x": base64.RawURLEncoding.EncodeToString(edPub)}, "EdDSA").sign(b, edPriv, "EdDSA")},
	} {
		b.Run(tc.alg, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.VerifyProof(context.Background(), tc.proof); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
