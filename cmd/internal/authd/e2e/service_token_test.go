package e2e

import (
	"testing"
	"time"

	"github.com/authd/authd/adapters/httpapi"
	"github.com/authd/authd/cmd/internal/authd"
	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jobSecret is the secret of the service client "orders-job".
var jobSecret, jobSecretHash = httpapi.NewClientSecret()

// jobClient is a confidential client of the client_credentials grant only.
var jobClient = `{"client_id": "orders-job", "client_secret_sha256": "` + jobSecretHash + `", "grant_types": ["client_credentials"],
	"scope": "orders:read orders:write"}`

// serviceToken asks for a service token as orders-job.
func serviceToken(e *harness.Env, scope string) harness.Response {
	e.T.Helper()
	return tokenAt(e, "grant_type", "client_credentials", "client_id", "orders-job", "client_secret", jobSecret, "scope", scope)
}

// TestClientCredentials: a confidential client listing the grant gets a
// service token (sub = client_id, scope, no refresh token, its own
// lifetime); others are unauthorized_client; the token is no user at
// /protected/ and /sessions/ (403 insufficient_scope), and a valid token
// at /auth/verify and introspection, until its exp to the second.
func TestClientCredentials(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, withScopedClients(t, jobClient), func(c *authd.Config) { c.Policy.ServiceTTL = 10 * time.Minute })

	r := serviceToken(e, "orders:read")
	require.Equal(t, 200, r.Status, r.Raw)
	assert.Equal(t, "Bearer", r.Body["token_type"])
	assert.EqualValues(t, 600, r.Body["expires_in"], "AUTH_SERVICE_TOKEN_TTL, not the access TTL")
	assert.Equal(t, "orders:read", r.Body["scope"])
	assert.NotContains(t, r.Body, "refresh_token", "RFC 6749 §4.4.3")
	assert.Equal(t, "no-store", r.Header.Get("Cache-Control"))
	token := r.Body["access_token"].(string)
	assertRFC9068(t, e, token, "orders-job", "orders:read")
	_, claims := claimsOf(t, token)
	assert.Equal(t, "orders-job", claims["sub"])
	assert.NotContains(t, claims, "sid", "no session")
	assert.NotContains(t, claims, "preferred_username", "no user")

	all := serviceToken(e, "")
	require.Equal(t, 200, all.Status, all.Raw)
	assert.Equal(t, "orders:read orders:write", all.Body["scope"], "none asked: every scope the client registered")
	assertOAuthError(t, serviceToken(e, "admin"), 400, "invalid_scope")
	assertOAuthError(t, tokenAt(e, "grant_type", "client_credentials", "client_id", "orders-job", "client_secret", "wrong"), 401, "invalid_client")
	assertOAuthError(t, tokenAt(e, "grant_type", "client_credentials", "client_id", "spa"), 400, "unauthorized_client")
	assertOAuthError(t, tokenAt(e, "grant_type", "client_credentials", "client_id", "orders-app", "client_secret", scopeSecret), 400, "unauthorized_client")

	for _, path := range []string{"/protected/", "/sessions/"} {
		r := e.Do("GET", path, "", harness.Bearer(token))
		assert.Equal(t, 403, r.Status, "%s: %s", path, r.Raw)
		assert.Equal(t, "insufficient_scope", r.Code(), path)
		assert.Contains(t, r.Header.Get("WWW-Authenticate"), `error="insufficient_scope"`, "RFC 6750 §3.1")
	}
	v := e.Do("GET", "/auth/verify", "", harness.Bearer(token))
	assert.Equal(t, 200, v.Status, v.Raw)
	assert.Equal(t, "orders-job", v.Header.Get("X-Auth-Subject"))
	in := e.Do("POST", "/oauth/introspect", form("token", token, "client_id", "orders-app", "client_secret", scopeSecret), formCT)
	assert.Equal(t, true, in.Body["active"], in.Raw)
	assert.Equal(t, "orders-job", in.Body["sub"])
	assert.Equal(t, "orders:read", in.Body["scope"])

	meta := e.Do("GET", "/.well-known/oauth-authorization-server", "")
	assert.Contains(t, meta.Body["grant_types_supported"], "client_credentials")

	e.Clock.Advance(10*time.Minute - time.Nanosecond)
	assert.Equal(t, 200, e.Do("GET", "/auth/verify", "", harness.Bearer(token)).Status)
	e.Clock.Advance(time.Nanosecond)
	harness.AssertError(t, e.Do("GET", "/auth/verify", "", harness.Bearer(token)), 401, "token_expired")
}
