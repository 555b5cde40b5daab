package e2e

import (
	"testing"

	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// assertRFC9068 checks an access token against the JWT profile of RFC 9068:
// typ at+jwt (§2.1), and iss, exp, aud, sub, client_id, iat, jti (§2.2),
// with scope when the grant granted one (§2.2.3).
func assertRFC9068(t *testing.T, e *harness.Env, token, clientID, scope string) {
	t.Helper()
	header, claims := claimsOf(t, token)
	assert.Equal(t, "at+jwt", header["typ"], "RFC 9068 §2.1")
	assert.NotEmpty(t, header["kid"])
	for _, name := range []string{"iss", "exp", "aud", "sub", "client_id", "iat", "jti"} {
		assert.Contains(t, claims, name, "RFC 9068 §2.2 requires %s", name)
	}
	meta := e.Do("GET", "/.well-known/oauth-authorization-server", "")
	assert.Equal(t, meta.Body["issuer"], claims["iss"], "the metadata's issuer (RFC 8414 §2, RFC 9068 §4)")
	assert.Equal(t, "authd", claims["aud"], "the access audience, never the refresh one")
	assert.Equal(t, clientID, claims["client_id"])
	assert.Equal(t, scope, claims["scope"], "RFC 9068 §2.2.3")
	assert.Greater(t, claims["exp"], claims["iat"])
}

// TestRFC9068Profile decodes the access token of every grant of the token
// endpoint and checks the profile. authd's own /login/ is the seed's and
// names no client: its tokens are the profile without client_id (and
// scope), as contract.md §4 says.
func TestRFC9068Profile(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, withScopedClients(t))
	app := []string{"client_id", "orders-app", "client_secret", scopeSecret}

	pw := tokenAt(e, append([]string{"grant_type", "password", "username", "minsu", "password", "1229", "scope", "orders:read"}, app...)...)
	require.Equal(t, 200, pw.Status, pw.Raw)
	assertRFC9068(t, e, pw.Body["access_token"].(string), "orders-app", "orders:read")
	_, refreshClaims := claimsOf(t, pw.Body["refresh_token"].(string))
	assert.Equal(t, "authd:refresh", refreshClaims["aud"], "a refresh token is no access token to any resource server")

	rt := tokenAt(e, append([]string{"grant_type", "refresh_token", "refresh_token", pw.Body["refresh_token"].(string)}, app...)...)
	require.Equal(t, 200, rt.Status, rt.Raw)
	assertRFC9068(t, e, rt.Body["access_token"].(string), "orders-app", "orders:read")

	code := codeFlow(t, e, "openid orders:read")
	require.Equal(t, 200, code.Status, code.Raw)
	assertRFC9068(t, e, code.Body["access_token"].(string), "spa", "openid orders:read")

	plain := tokenAt(e, "grant_type", "password", "username", "minsu", "password", "1229", "client_id", "authd")
	require.Equal(t, 200, plain.Status, plain.Raw)
	header, claims := claimsOf(t, plain.Body["access_token"].(string))
	assert.Equal(t, "at+jwt", header["typ"])
	assert.Equal(t, "authd", claims["client_id"])
	assert.NotContains(t, claims, "scope", "no scope asked, none granted")

	header, claims = claimsOf(t, e.Login("minsu", "1229").Access)
	assert.Equal(t, "at+jwt", header["typ"])
	assert.NotContains(t, claims, "client_id", "the seed's /login/ names no client")
}
