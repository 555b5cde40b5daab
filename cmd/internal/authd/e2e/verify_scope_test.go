package e2e

import (
	"net/url"
	"testing"

	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestVerifyRequiresScopes: /auth/verify?scope=a b lets a token through
// only when it grants both; otherwise 403 insufficient_scope with the
// required scopes in the challenge. The scope and client reach the
// upstream headers.
func TestVerifyRequiresScopes(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, withScopedClients(t, jobClient))
	reader := serviceToken(e, "orders:read").Body["access_token"].(string)
	both := serviceToken(e, "orders:read orders:write").Body["access_token"].(string)
	verify := func(scope, token string) harness.Response {
		return e.Do("GET", "/auth/verify?"+url.Values{"scope": {scope}}.Encode(), "", harness.Bearer(token))
	}

	r := verify("orders:read orders:write", both)
	require.Equal(t, 200, r.Status, r.Raw)
	assert.Equal(t, "orders:read orders:write", r.Header.Get("X-Auth-Scope"))
	assert.Equal(t, "orders-job", r.Header.Get("X-Auth-Client-Id"))
	assert.Equal(t, "orders-job", r.Header.Get("X-Auth-Subject"))

	r = verify("orders:read orders:write", reader)
	assert.Equal(t, 403, r.Status, r.Raw)
	assert.Equal(t, "insufficient_scope", r.Code())
	assert.Equal(t, `Bearer realm="authd", error="insufficient_scope", error_description="The token does not grant this: a scope is missing, or the resource needs a user's token.", scope="orders:read orders:write"`,
		r.Header.Get("WWW-Authenticate"))
	assert.Equal(t, 200, verify("orders:read", reader).Status)

	user := e.Login("minsu", "1229").Access
	assert.Equal(t, 403, verify("orders:read", user).Status, "the seed's tokens grant no scope")
	plain := e.Do("GET", "/auth/verify", "", harness.Bearer(user))
	assert.Equal(t, 200, plain.Status)
	assert.Equal(t, "", plain.Header.Get("X-Auth-Scope"))
	assert.Equal(t, "2", plain.Header.Get("X-Auth-Subject"))

	harness.AssertError(t, verify("orders:read", ""), 401, "token_missing")
	bad := e.Do("GET", "/auth/verify?scope=%22x", "", harness.Bearer(both))
	assert.Equal(t, 400, bad.Status, "a scope that could not be quoted in the challenge")
}
