package jwx_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/adapters/jwx"
	"github.com/authd/authd/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIDTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	keys, err := jwx.Generate(jwx.EdDSA)
	require.NoError(t, err)
	assert.Equal(t, []string{jwx.EdDSA}, keys.SigningAlgorithms())
	keys, err = keys.WithGenerated(jwx.RS256)
	require.NoError(t, err)
	assert.Equal(t, []string{jwx.EdDSA, jwx.RS256}, keys.SigningAlgorithms())
	assert.Equal(t, jwx.EdDSA, keys.Algorithm(), "access tokens keep their signer")
	same, err := keys.WithGenerated(jwx.RS256)
	require.NoError(t, err)
	assert.Equal(t, keys.KIDs(), same.KIDs(), "no second key for an algorithm it has")

	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	c := domain.IDClaims{Issuer: "https://auth.example", Subject: "2", Username: "minsu", Audience: "app",
		IssuedAt: now, ExpiresAt: now.Add(time.Minute), AuthTime: now.Add(-time.Hour), Nonce: "n", SessionID: "sid1"}
	ids := jwx.NewIDTokens(keys)
	tok, err := ids.IssueIDToken(ctx, c, "access.token.value")
	require.NoError(t, err)

	parts := strings.Split(tok, ".")
	hdr, _ := base64.RawURLEncoding.DecodeString(parts[0])
	assert.JSONEq(t, `{"alg":"RS256","kid":"`+keys.KIDs()[1]+`","typ":"JWT"}`, string(hdr), "RS256 by default (OIDC Core §15.1)")
	var body map[string]any
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, json.Unmarshal(raw, &body))
	assert.Equal(t, jwx.AtHash(jwx.RS256, "access.token.value"), body["at_hash"])
	assert.EqualValues(t, now.Add(-time.Hour).Unix(), body["auth_time"])

	got, err := ids.VerifyIDToken(ctx, tok)
	require.NoError(t, err)
	c.Alg = jwx.RS256
	assert.Equal(t, c, got)

	c.Alg = jwx.EdDSA
	ed, err := ids.IssueIDToken(ctx, c, "")
	require.NoError(t, err)
	got, err = ids.VerifyIDToken(ctx, ed)
	require.NoError(t, err)
	assert.Equal(t, jwx.EdDSA, got.Alg, "a client may choose another algorithm")

	c.Alg = jwx.ES256
	_, err = ids.IssueIDToken(ctx, c, "")
	assert.Error(t, err, "no ES256 key")

	// An access token is no ID token, nor the other way round.
	p := domain.DefaultPolicy()
	sess := domain.NewSession("AAAAAAAAAAAAAAAAAAAAAA", domain.User{ID: "2", Username: "minsu"}, now, p, "")
	ac, _ := sess.Tokens(p)
	access, err := jwx.NewIssuer(keys).Issue(ctx, ac)
	require.NoError(t, err)
	_, err = ids.VerifyIDToken(ctx, access)
	assert.ErrorIs(t, err, domain.ErrInvalidToken)
	_, err = jwx.NewVerifier(keys).Verify(ctx, tok, domain.Access)
	assert.ErrorIs(t, err, domain.ErrInvalidToken)
	_, err = ids.VerifyIDToken(ctx, tok[:len(tok)-2]+"AA")
	assert.ErrorIs(t, err, domain.ErrInvalidToken)
}

func TestAtHash(t *testing.T) {
	t.Parallel()
	// OIDC Core A.3/A.4's example: the access token "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"
	// has at_hash "77QmUPtjPfzWtF2AnpK9RQ" with RS256.
	assert.Equal(t, "77QmUPtjPfzWtF2AnpK9RQ", jwx.AtHash(jwx.RS256, "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"))
}
