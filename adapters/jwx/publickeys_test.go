package jwx_test

import (
	"context"
	"encoding/base64"
	"testing"

	"github.com/authd/authd/adapters/jwx"
	"github.com/authd/authd/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPublicKeySetVerifiesAsTheServerDoes: the JWKS authd publishes, read
// back with ParsePublicKeySet, verifies the server's tokens with the same
// verifier, for every asymmetric algorithm, and signs nothing.
func TestPublicKeySetVerifiesAsTheServerDoes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, alg := range []string{jwx.EdDSA, jwx.ES256, jwx.RS256} {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			keys, err := jwx.Generate(alg)
			require.NoError(t, err)
			set, err := keys.PublicJWKS()
			require.NoError(t, err)
			public, err := jwx.ParsePublicKeySet(set)
			require.NoError(t, err)
			assert.True(t, public.Has(keys.SignerKID()))
			assert.Empty(t, public.Algorithm(), "verify-only")

			tok, err := jwx.NewIssuer(keys).Issue(ctx, claims(domain.Access))
			require.NoError(t, err)
			kid, err := jwx.TokenKeyID(tok)
			require.NoError(t, err)
			assert.Equal(t, keys.SignerKID(), kid)
			c, err := jwx.NewVerifier(public).Verify(ctx, tok, domain.Access)
			require.NoError(t, err)
			assert.Equal(t, claims(domain.Access).Subject, c.Subject)

			_, err = jwx.NewIssuer(public).Issue(ctx, claims(domain.Access))
			assert.Error(t, err, "verify-only keys sign nothing")
		})
	}
}

func TestParsePublicKeySetRefuses(t *testing.T) {
	t.Parallel()
	ed, err := jwx.Generate(jwx.EdDSA)
	require.NoError(t, err)
	private, err := ed.PrivateJWKS()
	require.NoError(t, err)
	secret := base64.RawURLEncoding.EncodeToString(make([]byte, 32))
	for name, data := range map[string]string{
		"a private key": string(private),
		"a secret":      `{"keys":[{"kty":"oct","kid":"s","k":"` + secret + `"}]}`,
		"no kid":        `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`,
		"not JSON":      `keys`,
	} {
		_, err := jwx.ParsePublicKeySet([]byte(data))
		assert.Error(t, err, name)
	}
	empty, err := jwx.ParsePublicKeySet([]byte(`{"keys":[]}`))
	require.NoError(t, err, "an HS256 server publishes an empty set")
	assert.False(t, empty.Has("hs256"))
}

// TestTokenKeyIDReadsStrictly: the kid comes from the same strict reader
// as Verify, so a header that reader refuses has no kid.
func TestTokenKeyIDReadsStrictly(t *testing.T) {
	t.Parallel()
	seg := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for name, hdr := range map[string]string{
		"two kids":      `{"alg":"EdDSA","kid":"a","kid":"b","typ":"at+jwt"}`,
		"case variant":  `{"alg":"EdDSA","KID":"a","typ":"at+jwt"}`,
		"no kid":        `{"alg":"EdDSA","typ":"at+jwt"}`,
		"kid no string": `{"alg":"EdDSA","kid":7,"typ":"at+jwt"}`,
	} {
		_, err := jwx.TokenKeyID(seg(hdr) + ".e30.c2ln")
		assert.ErrorIs(t, err, domain.ErrInvalidToken, name)
	}
	_, err := jwx.TokenKeyID("not a token")
	assert.ErrorIs(t, err, domain.ErrInvalidToken)
}
