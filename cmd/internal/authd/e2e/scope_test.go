package e2e

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authd/authd/adapters/httpapi"
	"github.com/authd/authd/cmd/internal/authd"
	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scopeSecret is the secret of the confidential client "orders-app" of
// withScopedClients.
var scopeSecret, scopeSecretHash = httpapi.NewClientSecret()

// withScopedClients adds to the code flow's clients a confidential client
// "orders-app" that may log users in and refresh with the scopes
// orders:read and orders:write, and introspect.
func withScopedClients(t *testing.T, extra ...string) func(*authd.Config) {
	t.Helper()
	entries := append([]string{
		`{"client_id": "orders-app", "client_secret_sha256": "` + scopeSecretHash + `", "grant_types": ["password", "refresh_token"],
		  "introspect": true, "scope": "orders:read orders:write"}`,
		`{"client_id": "spa", "grant_types": ["authorization_code", "refresh_token"], "first_party": true,
		  "redirect_uris": ["https://app.example/cb"], "scope": "openid profile orders:read"}`,
		`{"client_id": "authd", "grant_types": ["password", "refresh_token"]}`,
	}, extra...)
	path := filepath.Join(t.TempDir(), "clients.json")
	require.NoError(t, os.WriteFile(path, []byte("["+strings.Join(entries, ",\n")+"]"), 0o600))
	return func(c *authd.Config) { c.OAuthClients = path }
}

// claimsOf decodes a JWT's header and payload without verifying it: the
// tests read what authd wrote.
func claimsOf(t *testing.T, token string) (header, payload map[string]any) {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3, token)
	for i, dst := range []*map[string]any{&header, &payload} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(raw, dst))
	}
	return header, payload
}

// tokenAt posts a form to the token endpoint.
func tokenAt(e *harness.Env, kv ...string) harness.Response {
	e.T.Helper()
	return e.Do("POST", "/oauth/token", form(kv...), formCT)
}

// codeFlow signs minsu in at /oauth/authorize for the public client spa
// with the scope and redeems the code.
func codeFlow(t *testing.T, e *harness.Env, scope string) harness.Response {
	t.Helper()
	b := harness.NewBrowser(t, e.Server.URL)
	verifier, challenge := harness.PKCE()
	page := b.Get(harness.AuthorizeURL("spa", "https://app.example/cb", challenge, "scope", scope))
	q := harness.Redirected(t, b.Submit(page, "minsu", "1229"), "https://app.example/cb")
	return e.Do("POST", "/oauth/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {"spa"},
		"code": {q.Get("code")}, "redirect_uri": {"https://app.example/cb"}, "code_verifier": {verifier}}.Encode(), formCT)
}

// TestScopesInUserTokens: the password grant grants the scopes asked for
// among the client's, access tokens and introspection carry them, a refresh
// narrows them for its access token but never widens them, and the seed's
// tokens are as they were.
func TestScopesInUserTokens(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, withScopedClients(t))
	app := []string{"client_id", "orders-app", "client_secret", scopeSecret}
	login := func(scope string) harness.Response {
		return tokenAt(e, append([]string{"grant_type", "password", "username", "minsu", "password", "1229", "scope", scope}, app...)...)
	}

	r := login("orders:write orders:read orders:write")
	require.Equal(t, 200, r.Status, r.Raw)
	assert.Equal(t, "orders:write orders:read", r.Body["scope"], "in the order asked, without repeats")
	_, claims := claimsOf(t, r.Body["access_token"].(string))
	assert.Equal(t, "orders:write orders:read", claims["scope"], "RFC 9068 §2.2.3")
	refresh := r.Body["refresh_token"].(string)

	assertOAuthError(t, login("orders:read admin"), 400, "invalid_scope")

	// Narrowed for the new access token; the refresh token keeps the grant.
	r = tokenAt(e, append([]string{"grant_type", "refresh_token", "refresh_token", refresh, "scope", "orders:read"}, app...)...)
	require.Equal(t, 200, r.Status, r.Raw)
	assert.Equal(t, "orders:read", r.Body["scope"])
	_, claims = claimsOf(t, r.Body["access_token"].(string))
	assert.Equal(t, "orders:read", claims["scope"])
	refresh = r.Body["refresh_token"].(string)

	// Never widened: a scope not granted changes nothing.
	wider := tokenAt(e, append([]string{"grant_type", "refresh_token", "refresh_token", refresh, "scope", "orders:read orders:delete"}, app...)...)
	assertOAuthError(t, wider, 400, "invalid_scope")
	r = tokenAt(e, append([]string{"grant_type", "refresh_token", "refresh_token", refresh}, app...)...)
	require.Equal(t, 200, r.Status, "the refused request did not rotate the session: %s", r.Raw)
	assert.Equal(t, "orders:write orders:read", r.Body["scope"], "without scope, the whole original grant")

	in := e.Do("POST", "/oauth/introspect", form(append([]string{"token", r.Body["access_token"].(string)}, app...)...), formCT)
	require.Equal(t, 200, in.Status, in.Raw)
	assert.Equal(t, true, in.Body["active"])
	assert.Equal(t, "orders:write orders:read", in.Body["scope"])

	meta := e.Do("GET", "/.well-known/oauth-authorization-server", "")
	assert.Subset(t, meta.Body["scopes_supported"], []any{"orders:read", "orders:write", "openid"})

	// The seed's login: no scope claim at all, as before.
	_, claims = claimsOf(t, e.Login("minsu", "1229").Access)
	assert.NotContains(t, claims, "scope")
	plain := tokenAt(e, "grant_type", "password", "username", "minsu", "password", "1229", "client_id", "authd")
	require.Equal(t, 200, plain.Status, plain.Raw)
	assert.NotContains(t, plain.Body, "scope", "a grant that asked for no scope grants none")
}

// TestScopeAtAuthorize: the scope of /oauth/authorize reaches the access
// token of the code it issued, and its refresh.
func TestScopeAtAuthorize(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, withScopedClients(t))
	r := codeFlow(t, e, "openid orders:read")
	require.Equal(t, 200, r.Status, r.Raw)
	assert.Equal(t, "openid orders:read", r.Body["scope"])
	_, claims := claimsOf(t, r.Body["access_token"].(string))
	assert.Equal(t, "openid orders:read", claims["scope"])

	next := tokenAt(e, "grant_type", "refresh_token", "refresh_token", r.Body["refresh_token"].(string), "scope", "orders:read")
	require.Equal(t, 200, next.Status, "a public client refreshes without client_id: %s", next.Raw)
	_, claims = claimsOf(t, next.Body["access_token"].(string))
	assert.Equal(t, "orders:read", claims["scope"])
}
