package authclient_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/authd/authd/adapters/clock"
	"github.com/authd/authd/adapters/jwx"
	"github.com/authd/authd/cmd/authclient"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestVerifierReadsTokensAsAuthdDoes: the client's verifier refuses what
// authd's own refuses (ADR 0002), for tokens signed with the real key:
// repeated or case-variant claim names, dates of the wrong type, a lifetime
// longer than the access TTL. (It used jwx's jwt.Parse before, which read
// "sub":"1","sub":"2" as sub 2 and ignored an extra "EXP".)
func TestVerifierReadsTokensAsAuthdDoes(t *testing.T) {
	t.Parallel()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	keys, err := jwx.FromPrivateKey(priv, jwx.EdDSA)
	require.NoError(t, err)
	set, err := keys.PublicJWKS()
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(set) }))
	t.Cleanup(srv.Close)
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	v, err := authclient.NewVerifier(authclient.VerifierConfig{JWKSURL: srv.URL, Clock: clock.NewFrozen(t0)})
	require.NoError(t, err)

	seg := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	sign := func(payload string) string {
		input := seg(`{"alg":"EdDSA","kid":"`+keys.SignerKID()+`","typ":"at+jwt"}`) + "." + seg(payload)
		return input + "." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(priv, []byte(input)))
	}
	iat := strconv.FormatInt(t0.Unix(), 10)
	exp := strconv.FormatInt(t0.Add(time.Minute).Unix(), 10)
	claims := func(extra string) string {
		return `{"iss":"authd","sub":"2","aud":"authd","exp":` + exp + `,"nbf":` + iat + `,"iat":` + iat +
			`,"jti":"AAAAAAAAAAAAAAAAAAAAAA.a1","sid":"AAAAAAAAAAAAAAAAAAAAAA","preferred_username":"minsu","type":"access"` + extra + `}`
	}
	c, err := v.Verify(context.Background(), sign(claims("")))
	require.NoError(t, err, "the token as authd writes it")
	assert.Equal(t, "2", c.Subject)

	for name, payload := range map[string]string{
		"sub twice":                claims(`,"sub":"1"`),
		"EXP beside exp":           claims(`,"EXP":1`),
		"exp as a string":          `{"iss":"authd","sub":"2","aud":"authd","exp":"` + exp + `","nbf":` + iat + `,"iat":` + iat + `,"jti":"AAAAAAAAAAAAAAAAAAAAAA.a1","sid":"AAAAAAAAAAAAAAAAAAAAAA","preferred_username":"minsu","type":"access"}`,
		"a lifetime too long":      `{"iss":"authd","sub":"2","aud":"authd","exp":` + strconv.FormatInt(t0.Add(time.Hour).Unix(), 10) + `,"nbf":` + iat + `,"iat":` + iat + `,"jti":"AAAAAAAAAAAAAAAAAAAAAA.a1","sid":"AAAAAAAAAAAAAAAAAAAAAA","preferred_username":"minsu","type":"access"}`,
		"a jti of another session": `{"iss":"authd","sub":"2","aud":"authd","exp":` + exp + `,"nbf":` + iat + `,"iat":` + iat + `,"jti":"BBBBBBBBBBBBBBBBBBBBBB.a1","sid":"AAAAAAAAAAAAAAAAAAAAAA","preferred_username":"minsu","type":"access"}`,
	} {
		_, err := v.Verify(context.Background(), sign(payload))
		assert.ErrorIs(t, err, authclient.ErrInvalidToken, name)
	}

	long, err := authclient.NewVerifier(authclient.VerifierConfig{JWKSURL: srv.URL, Clock: clock.NewFrozen(t0), AccessTTL: time.Hour})
	require.NoError(t, err)
	_, err = long.Verify(context.Background(), sign(`{"iss":"authd","sub":"2","aud":"authd","exp":`+strconv.FormatInt(t0.Add(time.Hour).Unix(), 10)+`,"nbf":`+iat+`,"iat":`+iat+`,"jti":"AAAAAAAAAAAAAAAAAAAAAA.a1","sid":"AAAAAAAAAAAAAAAAAAAAAA","preferred_username":"minsu","type":"access"}`))
	assert.NoError(t, err, "AccessTTL names the server's AUTH_ACCESS_TTL")
}
