package e2e

import (
	"testing"

	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
)

// TestPublicClientRefreshesWithoutClientID: RFC 6749 §3.2.1 and §6 let a
// public client's refresh_token grant name no client (the refresh token
// names it), as requests-oauthlib's auto-refresh sends it; a confidential
// client's token so presented is refused and changes nothing, since a
// confidential client must authenticate.
func TestPublicClientRefreshesWithoutClientID(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, withOAuthClients(t))
	public := passwordGrant(e)
	next := e.Do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", public.Refresh), formCT).OAuthPair(t)
	assert.Equal(t, 200, e.Protected(next.Access).Status)

	r := e.Do("POST", "/oauth/token", form("grant_type", "password", "username", "minsu", "password", "1229"), formCT, basic("backend", oauthSecret))
	confidential := r.OAuthPair(t)
	assertOAuthError(t, e.Do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", confidential.Refresh), formCT), 400, "invalid_grant")
	rotated := e.Do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", confidential.Refresh), formCT, basic("backend", oauthSecret))
	assert.Equal(t, 200, rotated.Status, "the refused request changed nothing: the token is still current, %s", rotated.Raw)
}
